// `orders consume`: join the consumer group, process orders with retries, dead-letter what
// cannot be processed, aggregate, and commit only finished offsets.
#include "consume/consume.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdint>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "cli/kafka_options.h"
#include "cli/logging.h"
#include "kafka/error.h"
#include "orders/order_codec.h"
#include "pipeline/simulated_processor.h"
#include "util/duration.h"
#include "util/stop_signal.h"

namespace cli {
namespace {

struct ConsumeFlags {
  KafkaOptions kafka;
  std::string topic = "orders";
  std::string group = "order-processors";
  std::string dlq_topic = "orders-dlq";
  std::string aggregates_topic = "orders-aggregates";
  std::string semantics = "exactly-once";
  std::optional<std::string> transactional_id;
  std::uint64_t commit_records = 50000;
  std::string commit_interval = "100ms";
  int max_attempts = 3;
  std::string initial_backoff = "1s";
  double backoff_multiplier = 2.0;
  std::string max_backoff = "30s";
  double jitter = 0.0;
  double fail_rate = 0.0;
  double permanent_fail_rate = 0.0;
  std::uint64_t seed = 0;
  std::optional<std::uint64_t> max_messages;
  std::optional<std::string> idle_exit;
  std::string stats_interval = "10s";
  std::optional<std::int32_t> test_stall_partition;
  bool json = false;
  Verbosity verbosity;
};

// CLI11 check: a usage error (non-zero exit) names the bad duration and the accepted forms.
CLI::Validator duration_check() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        try {
          util::parse_duration(value);
          return {};
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
      },
      "DURATION");
}

// Kafka's rule for topic names; checked up front so a typo is a usage error, not a stuck DLQ.
CLI::Validator topic_name_check() {
  return CLI::Validator(
      [](std::string& name) -> std::string {
        if (name.empty() || name.size() > 249 || name == "." || name == "..") {
          return "invalid topic name '" + name + "'";
        }
        for (unsigned char c : name) {
          if (!(std::isalnum(c) || c == '.' || c == '_' || c == '-')) {
            return "invalid topic name '" + name + "': only ASCII letters, digits, '.', '_', '-'";
          }
        }
        return {};
      },
      "TOPIC");
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// Unique among live processes (host + pid), which is all KIP-447 fencing needs: the group
// generation, not the transactional.id, fences a consumer that lost its partitions. A process
// restarted with the same explicit --transactional-id also aborts its predecessor's open
// transaction at once instead of after transaction.timeout.ms.
std::string default_transactional_id(const std::string& group, const std::string& host) {
  return "orders-consume." + group + "." + host + "." + std::to_string(getpid());
}

int run(const ConsumeFlags& f) {
  apply_verbosity(f.verbosity);
  consume::ConsumeOptions o;
  o.topic = f.topic;
  o.group = f.group;
  o.dlq_topic = f.dlq_topic;
  o.aggregates_topic = f.aggregates_topic;
  o.semantics = f.semantics == "at-least-once" ? consume::Semantics::at_least_once
                                               : consume::Semantics::exactly_once;
  try {
    o.consumer_props = resolve_kafka_properties(f.kafka, kafka::consumer_defaults());
    o.producer_props = resolve_kafka_properties(f.kafka, kafka::producer_defaults());
  } catch (const kafka::ConfigError& e) {
    spdlog::error("{}", e.what());
    return 2;
  }
  o.producer_props.set("client.id", "orders-consume-dlq");
  o.consumer_props.set("client.id", "orders-consume");
  o.bootstrap = o.consumer_props.get_or("bootstrap.servers", kafka::kDefaultBootstrap);

  o.test_stall_partition = f.test_stall_partition;
  o.pipeline.retry.max_attempts = f.max_attempts;
  o.pipeline.retry.initial_backoff = util::parse_duration(f.initial_backoff);
  o.pipeline.retry.multiplier = f.backoff_multiplier;
  o.pipeline.retry.max_backoff = util::parse_duration(f.max_backoff);
  o.pipeline.retry.jitter = f.jitter;
  o.pipeline.jitter_seed = f.seed;
  o.pipeline.decode = orders::decode_order;
  if (auto bad = o.pipeline.retry.check()) {
    spdlog::error("{}", *bad);
    return 2;
  }
  if (f.dlq_topic == f.topic) {
    spdlog::error("--dlq-topic must differ from --topic ('{}')", f.topic);
    return 2;
  }
  if (f.aggregates_topic == f.topic || f.aggregates_topic == f.dlq_topic) {
    spdlog::error("--aggregates-topic must differ from --topic and --dlq-topic ('{}')",
                  f.aggregates_topic);
    return 2;
  }
  if (f.transactional_id && f.transactional_id->empty()) {
    spdlog::error("--transactional-id must not be empty");
    return 2;
  }
  o.commit.max_records = f.commit_records;
  o.commit.interval = util::parse_duration(f.commit_interval);
  if (f.fail_rate + f.permanent_fail_rate > 1.0) {
    spdlog::error("--fail-rate + --permanent-fail-rate must not exceed 1 (got {} + {})",
                  f.fail_rate, f.permanent_fail_rate);
    return 2;
  }
  o.max_messages = f.max_messages;
  if (f.idle_exit) o.idle_exit = util::parse_duration(*f.idle_exit);
  o.stats_interval = util::parse_duration(f.stats_interval);
  o.verbose = f.verbosity.verbose > 0;
  o.host = host_name();
  o.transactional_id = f.transactional_id.value_or(default_transactional_id(f.group, o.host));

  pipeline::SimulatedProcessor processor(f.seed, f.fail_rate, f.permanent_fail_rate);
  util::install_stop_handlers();
  consume::ConsumeResult result;
  try {
    result = consume::run_consume(o, processor);
  } catch (const kafka::ConfigError& e) {
    spdlog::error("{}", e.what());
    return 2;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  if (f.json) {
    std::cout << stats::to_json(result.metrics).dump() << std::endl;
  } else {
    std::cout << stats::render_report(result.metrics) << std::flush;
  }
  if (!result.problem.empty()) {
    spdlog::error("{}", result.problem);
    return 1;
  }
  return 0;
}

}  // namespace

void add_consume_command(CLI::App& root, int& exit_code) {
  auto flags = std::make_shared<ConsumeFlags>();
  auto* sub = root.add_subcommand(
      "consume",
      "Consume orders: decode, validate, process with retries, dead-letter failures, aggregate");
  auto& f = *flags;
  sub->add_option("--topic", f.topic, "source topic")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub->add_option("--group", f.group, "consumer group id")->capture_default_str();
  sub->add_option("--dlq-topic", f.dlq_topic,
                  "dead-letter topic (created with the source's partition count if missing)")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub->add_option("--semantics", f.semantics,
                  "exactly-once: dead letters, checkpoints and offsets commit in one transaction "
                  "per batch; at-least-once: checkpoint, then commit (a crash may process a "
                  "record twice)")
      ->capture_default_str()
      ->check(CLI::IsMember({"exactly-once", "at-least-once"}));
  sub->add_option("--aggregates-topic", f.aggregates_topic,
                  "compacted topic of per-partition aggregate checkpoints (created if missing; "
                  "one per consumer group)")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub->add_option("--transactional-id", f.transactional_id,
                  "exactly-once: the producer's transactional.id, unique per live process "
                  "(default: orders-consume.<group>.<host>.<pid>); reuse it when restarting an "
                  "instance to abort its predecessor's open transaction at once");
  sub->add_option("--commit-records,--transaction-records", f.commit_records,
                  "commit a batch (one transaction) after this many finished records")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{10'000'000}));
  sub->add_option("--commit-interval,--transaction-interval", f.commit_interval,
                  "...or this long after the first finished record of the batch")
      ->capture_default_str()
      ->type_name("DURATION")
      ->check(duration_check());
  add_kafka_options(*sub, f.kafka);
  sub->add_option("--max-attempts", f.max_attempts, "processing attempts before dead-lettering")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->add_option("--initial-backoff", f.initial_backoff, "wait after the first failed attempt")
      ->capture_default_str()
      ->type_name("DURATION")
      ->check(duration_check());
  sub->add_option("--backoff-multiplier", f.backoff_multiplier, "growth of the wait per attempt")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1000.0));
  sub->add_option("--max-backoff", f.max_backoff, "cap on the wait between attempts")
      ->capture_default_str()
      ->type_name("DURATION")
      ->check(duration_check());
  sub->add_option("--jitter", f.jitter, "spread waits by +-this fraction (0..1, deterministic)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--fail-rate", f.fail_rate,
                  "simulated transient failure probability per attempt (0..1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--permanent-fail-rate", f.permanent_fail_rate,
                  "simulated permanent (never retried) failure probability per attempt (0..1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--seed", f.seed,
                  "seed of the simulated failures: (seed, orderId, attempt) decides each one")
      ->capture_default_str();
  sub->add_option("--max-messages", f.max_messages,
                  "take at most N records, finish them, then stop")
      ->check(CLI::PositiveNumber);
  sub->add_option("--idle-exit", f.idle_exit,
                  "stop after being idle this long (nothing received, nothing pending)")
      ->type_name("DURATION")
      ->check(duration_check());
  sub->add_option("--stats-interval", f.stats_interval, "periodic summary log interval (0: none)")
      ->capture_default_str()
      ->type_name("DURATION")
      ->check(duration_check());
  // Test hook, not in --help: this partition is paused once behind the pipeline's back.
  sub->add_option("--test-stall-partition", f.test_stall_partition)->group("");
  sub->add_flag("--json", f.json, "print the final report as one JSON object on stdout");
  add_verbosity_flags(*sub, f.verbosity);
  sub->callback([flags, &exit_code] { exit_code = run(*flags); });
}

}  // namespace cli
