// `orders consume`: the flags, bound onto consume::ConsumeOptions (and the simulated processor's
// rates); the run itself is src/consume.
#include "consume/consume.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/checks.h"
#include "cli/commands.h"
#include "cli/exit_status.h"
#include "cli/http_flag.h"
#include "cli/kafka_options.h"
#include "cli/logging.h"
#include "cli/registry_options.h"
#include "orders/order_codec.h"
#include "pipeline/window.h"
#include "process/simulated_processor.h"
#include "registry/framed_reader.h"
#include "util/errors.h"
#include "util/printable.h"
#include "util/stop_signal.h"

namespace cli {
namespace {

struct ConsumeFlags {
  consume::ConsumeOptions run;
  double fail_rate = 0.0;  // the simulated processor's; its seed is run.pipeline.jitter_seed
  double permanent_fail_rate = 0.0;
  KafkaOptions kafka;
  registry::Options registry;
  Verbosity verbosity;
  bool json = false;
  const CLI::Option* transactional_id = nullptr;  // given at all (an empty one is an error)
};

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

// The rules that tie several flags together; each flag alone was checked while parsing.
void check(const ConsumeFlags& f) {
  const consume::ConsumeOptions& o = f.run;
  if (auto bad = o.pipeline.retry.check()) throw util::UsageError(*bad);
  if (o.dlq_topic == o.topic) {
    throw util::UsageError("--dlq-topic must differ from --topic ('" + o.topic + "')");
  }
  if (o.aggregates_topic == o.topic || o.aggregates_topic == o.dlq_topic) {
    throw util::UsageError("--aggregates-topic must differ from --topic and --dlq-topic ('" +
                           o.aggregates_topic + "')");
  }
  if (o.group.empty()) throw util::UsageError("--group must not be empty");
  if (f.transactional_id->count() > 0 && o.transactional_id.empty()) {
    throw util::UsageError("--transactional-id must not be empty");
  }
  if (f.fail_rate + f.permanent_fail_rate > 1.0) {
    throw util::UsageError(
        fmt::format("--fail-rate + --permanent-fail-rate must not exceed 1 (got {} + {})",
                    f.fail_rate, f.permanent_fail_rate));
  }
}

int run(ConsumeFlags& f) {
  apply_verbosity(f.verbosity);
  consume::ConsumeOptions& o = f.run;
  o.consumer_props = resolve_kafka_properties(f.kafka, kafka::consumer_defaults());
  o.producer_props = resolve_kafka_properties(f.kafka, kafka::producer_defaults());
  o.producer_props.set("client.id", "orders-consume-dlq");
  if (o.http) {
    enable_client_statistics(o.consumer_props);
    enable_client_statistics(o.producer_props);
  }
  o.consumer_props.set("client.id", "orders-consume");
  o.bootstrap = o.consumer_props.get_or("bootstrap.servers", kafka::kDefaultBootstrap);
  o.pipeline.decode = orders::decode_order;
  // Framing is detected per record (raw, Confluent, single-object); framed values are read with
  // their writer schema, fetched by id from the registry and cached.
  registry::FramedReader framed(f.registry);
  o.pipeline.value_decoder = [&framed](std::string_view value, orders::Order& out) {
    return framed.reader().read(value, out);
  };
  check(f);
  o.verbose = f.verbosity.verbose > 0;
  o.host = host_name();
  if (o.transactional_id.empty()) o.transactional_id = default_transactional_id(o.group, o.host);

  process::SimulatedProcessor processor(o.pipeline.jitter_seed, f.fail_rate, f.permanent_fail_rate);
  util::install_stop_handlers();
  const consume::ConsumeResult result = consume::run_consume(o, processor);
  if (f.json) {
    std::cout << util::json_line(stats::to_json(result.metrics)) << std::endl;
  } else {
    std::cout << stats::render_report(result.metrics) << std::flush;
  }
  if (!result.problem.empty()) {
    spdlog::error("{}", result.problem);
    return kExitFailed;
  }
  return kExitOk;
}

void add_topic_flags(CLI::App& sub, ConsumeFlags& f) {
  consume::ConsumeOptions& o = f.run;
  sub.add_option("--topic", o.topic, "source topic")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub.add_option("--group", o.group, "consumer group id")->capture_default_str();
  sub.add_option("--dlq-topic", o.dlq_topic,
                 "dead-letter topic (created with the source's partition count if missing)")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub.add_option_function<std::string>(
         "--semantics",
         [&o](const std::string& mode) {
           o.semantics = mode == "at-least-once" ? consume::Semantics::at_least_once
                                                 : consume::Semantics::exactly_once;
         },
         "exactly-once: dead letters, checkpoints and offsets commit in one transaction per "
         "batch; at-least-once: checkpoint, then commit (a crash may process a record twice)")
      ->default_str(consume::to_string(o.semantics))
      ->check(CLI::IsMember({"exactly-once", "at-least-once"}));
  sub.add_option("--aggregates-topic", o.aggregates_topic,
                 "compacted topic of per-partition aggregate checkpoints (created if missing, "
                 "must be compacted; groups may share it: keys name the group)")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub.add_option_function<std::string>(
         "--on-log-mismatch",
         [&o](const std::string& mode) {
           o.on_log_mismatch =
               mode == "start-over" ? consume::LogMismatch::start_over : consume::LogMismatch::fail;
         },
         "when a partition's checkpoint or committed offset does not match its log (topic "
         "recreated, log truncated): fail (exit 1, nothing skipped) or start-over (read that "
         "partition from its log start with an empty aggregate, warned and counted)")
      ->default_str("fail")
      ->check(CLI::IsMember({"fail", "start-over"}));
  f.transactional_id = sub.add_option(
      "--transactional-id", o.transactional_id,
      "exactly-once: the producer's transactional.id, unique per live process (default: "
      "orders-consume.<group>.<host>.<pid>); reuse it when restarting an instance to abort its "
      "predecessor's open transaction at once");
}

void add_commit_flags(CLI::App& sub, consume::ConsumeOptions& o) {
  sub.add_option("--commit-records,--transaction-records", o.commit.max_records,
                 "commit a batch (one transaction) after this many finished records")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{10'000'000}));
  add_duration_option(sub, "--commit-interval,--transaction-interval", o.commit.interval,
                      "...or this long after the first finished record of the batch");
}

void add_retry_flags(CLI::App& sub, ConsumeFlags& f) {
  pipeline::RetryPolicy& retry = f.run.pipeline.retry;
  sub.add_option("--max-attempts", retry.max_attempts, "processing attempts before dead-lettering")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  add_duration_option(sub, "--initial-backoff", retry.initial_backoff,
                      "wait after the first failed attempt");
  sub.add_option("--backoff-multiplier", retry.multiplier, "growth of the wait per attempt")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1000.0));
  add_duration_option(sub, "--max-backoff", retry.max_backoff, "cap on the wait between attempts");
  sub.add_option("--jitter", retry.jitter, "spread waits by +-this fraction (0..1, deterministic)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub.add_option("--fail-rate", f.fail_rate,
                 "simulated transient failure probability per attempt (0..1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub.add_option("--permanent-fail-rate", f.permanent_fail_rate,
                 "simulated permanent (never retried) failure probability per attempt (0..1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub.add_option("--seed", f.run.pipeline.jitter_seed,
                 "seed of the simulated failures: (seed, orderId, attempt) decides each one")
      ->capture_default_str();
}

void add_window_flags(CLI::App& sub, pipeline::PipelineSettings& p) {
  sub.add_option_function<std::string>(
         "--ordering",
         [&p](const std::string& mode) { p.ordering = *pipeline::parse_ordering(mode); },
         "what a record waiting for a retry holds back: key (later records with its key), "
         "partition (every later record of its partition), none (nothing)")
      ->default_str(std::string(pipeline::to_string(p.ordering)))
      ->check(CLI::IsMember({"key", "partition", "none"}));
  sub.add_option("--window-records", p.window.records,
                 "per partition: records taken in and not finished before fetching pauses")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  sub.add_option("--window-bytes", p.window.bytes,
                 "per partition: bytes (keys and values) of those records before fetching pauses "
                 "(e.g. 67108864, 64MiB)")
      ->capture_default_str()
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 40));
  sub.add_option("--total-window-bytes", p.window.total_bytes,
                 "all partitions together: bytes of records held before every partition pauses "
                 "(e.g. 256MiB)")
      ->capture_default_str()
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 40));
  sub.add_option("--max-products", p.max_products,
                 "products the aggregate names; orders of any further product count as "
                 "'(other)' (totals stay exact; checkpoints stay small)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  sub.add_option("--window-span", p.window.span,
                 "per partition: offsets between the commit offset and the last record taken in "
                 "before fetching pauses")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}));
}

void add_run_flags(CLI::App& sub, ConsumeFlags& f) {
  consume::ConsumeOptions& o = f.run;
  sub.add_option("--max-messages", o.max_messages, "take at most N records, finish them, then stop")
      ->check(CLI::PositiveNumber);
  add_duration_option(sub, "--idle-exit", o.idle_exit,
                      "stop after being idle this long (nothing received, nothing pending)");
  add_duration_option(sub, "--stats-interval", o.stats_interval,
                      "periodic summary log interval (0: none)");
  // Test hook, not in --help: this partition is paused once behind the pipeline's back.
  sub.add_option("--test-stall-partition", o.test_stall_partition)->group("");
  sub.add_flag("--json", f.json, "print the final report as one JSON object on stdout");
  add_http_option(sub, o.http, o.http_allow_hosts,
                  "/metrics (Prometheus), /healthz, /readyz, /api/state and a live dashboard at /");
}

}  // namespace

void add_consume_command(CLI::App& root, int& exit_code) {
  auto flags = std::make_shared<ConsumeFlags>();
  auto* sub = root.add_subcommand(
      "consume",
      "Consume orders: decode, validate, process with retries, dead-letter failures, aggregate");
  add_topic_flags(*sub, *flags);
  add_commit_flags(*sub, flags->run);
  add_kafka_options(*sub, flags->kafka);
  add_registry_options(*sub, flags->registry);
  add_retry_flags(*sub, *flags);
  add_window_flags(*sub, flags->run.pipeline);
  add_run_flags(*sub, *flags);
  add_verbosity_flags(*sub, flags->verbosity);
  sub->callback([flags, &exit_code] { exit_code = exit_status_of([&] { return run(*flags); }); });
}

}  // namespace cli
