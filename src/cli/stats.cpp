// `orders stats`: the group-wide aggregate of a source topic, merged from every partition's
// latest checkpoint in the compacted aggregates topic (read_committed, so only checkpoints of
// committed transactions count). Works while consumers run: each partition contributes the
// state of its last commit.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/kafka_options.h"
#include "cli/logging.h"
#include "consume/checkpoint_reader.h"
#include "kafka/error.h"
#include "pipeline/checkpoint_table.h"
#include "stats/consumer_report.h"
#include "util/duration.h"
#include "util/stop_signal.h"

namespace cli {
namespace {

struct StatsFlags {
  KafkaOptions kafka;
  std::string aggregates_topic = "orders-aggregates";
  std::string topic = "orders";
  std::string timeout = "30s";
  bool json = false;
  Verbosity verbosity;
};

std::string utc_text(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

nlohmann::json to_json(const pipeline::TopicTotals& t, const StatsFlags& f) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& c : t.partitions) {
    parts.push_back({{"partition", c.partition},
                     {"offset", c.offset},
                     {"count", c.aggregate.count()},
                     {"revenue_cents", c.aggregate.revenue_cents()},
                     {"min", c.aggregate.min() ? nlohmann::json(*c.aggregate.min()) : nullptr},
                     {"max", c.aggregate.max() ? nlohmann::json(*c.aggregate.max()) : nullptr},
                     {"group", c.group},
                     {"written_at_ms", c.written_at_ms}});
  }
  return {{"topic", f.topic},
          {"aggregates_topic", f.aggregates_topic},
          {"aggregate", t.aggregate.to_json()},
          {"partitions", std::move(parts)},
          {"errors", t.errors}};
}

std::string render(const pipeline::TopicTotals& t, const StatsFlags& f) {
  std::string extra =
      fmt::format("Source: topic '{}', checkpoints in '{}'\n", f.topic, f.aggregates_topic);
  if (!t.partitions.empty()) {
    extra += "By partition:\n";
    for (const auto& c : t.partitions) {
      extra +=
          fmt::format("  {}[{}]  offset {:>10}  count {:>7}  revenue {:>15}  at {} UTC\n", c.topic,
                      c.partition, c.offset, c.aggregate.count(),
                      stats::format_cents(c.aggregate.revenue_cents()), utc_text(c.written_at_ms));
    }
  }
  for (const auto& e : t.errors) extra += "Unreadable checkpoint: " + e + "\n";
  return stats::render_aggregate_block(t.aggregate, extra);
}

int run(const StatsFlags& f) {
  apply_verbosity(f.verbosity);
  kafka::Properties props;
  try {
    props = resolve_kafka_properties(f.kafka, kafka::consumer_defaults());
  } catch (const kafka::ConfigError& e) {
    spdlog::error("{}", e.what());
    return 2;
  }
  props.set("client.id", "orders-stats");
  const auto timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(util::parse_duration(f.timeout));
  util::install_stop_handlers();
  pipeline::TopicTotals totals;
  try {
    consume::CheckpointReader reader(props, f.aggregates_topic);
    reader.connect(props.get_or("bootstrap.servers", kafka::kDefaultBootstrap), timeout,
                   [] { return util::stop_requested(); });
    if (!reader.catch_up(timeout, [] { return util::stop_requested(); })) {
      spdlog::error("Aggregates topic '{}' does not exist: no consumer has checkpointed yet",
                    f.aggregates_topic);
      return 1;
    }
    if (util::stop_requested()) return 130;
    totals = pipeline::merge_topic(reader.table(), f.topic);
    spdlog::debug("read {} checkpoint record(s) from '{}'", reader.records_read(),
                  f.aggregates_topic);
    if (totals.partitions.empty() && totals.errors.empty()) {
      spdlog::warn("No checkpoint of topic '{}' in '{}'", f.topic, f.aggregates_topic);
    }
  } catch (const kafka::ConfigError& e) {
    spdlog::error("{}", e.what());
    return 2;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  if (f.json) {
    std::cout << to_json(totals, f).dump() << std::endl;
  } else {
    std::cout << render(totals, f) << std::flush;
  }
  for (const auto& e : totals.errors) spdlog::error("Unreadable checkpoint {}", e);
  return totals.errors.empty() ? 0 : 1;
}

}  // namespace

void add_stats_command(CLI::App& root, int& exit_code) {
  auto flags = std::make_shared<StatsFlags>();
  auto* sub = root.add_subcommand(
      "stats",
      "Print the group-wide aggregate of a topic: every partition's latest checkpoint from the "
      "aggregates topic, merged (works while consumers run)");
  auto& f = *flags;
  sub->add_option("--aggregates-topic", f.aggregates_topic,
                  "compacted topic the consumers checkpoint to")
      ->capture_default_str()
      ->type_name("TOPIC");
  sub->add_option("--topic", f.topic, "source topic whose aggregate to show")
      ->capture_default_str()
      ->type_name("TOPIC");
  sub->add_option("--timeout", f.timeout, "give up connecting/reading after this long")
      ->capture_default_str()
      ->type_name("DURATION")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            try {
              if (util::parse_duration(v).count() <= 0) return "must be positive";
              return {};
            } catch (const std::exception& e) {
              return e.what();
            }
          },
          ""));
  sub->add_flag("--json", f.json,
                "one JSON object: {topic, aggregates_topic, aggregate, partitions, errors}");
  add_kafka_options(*sub, f.kafka);
  add_verbosity_flags(*sub, f.verbosity);
  sub->callback([flags, &exit_code] { exit_code = run(*flags); });
}

}  // namespace cli
