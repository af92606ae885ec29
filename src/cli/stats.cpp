// `orders stats`: the group-wide aggregate of a source topic, merged from every partition's
// latest checkpoint in the compacted aggregates topic (read_committed, so only checkpoints of
// committed transactions count). Works while consumers run: each partition contributes the
// state of its last commit. Checkpoint keys name the consumer group: without --group, the one
// group that checkpointed the topic; several groups need --group (their totals never add up).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "cli/checks.h"
#include "cli/commands.h"
#include "cli/exit_status.h"
#include "cli/kafka_options.h"
#include "cli/logging.h"
#include "consume/checkpoint_reader.h"
#include "pipeline/checkpoint_table.h"
#include "stats/consumer_report.h"
#include "util/duration.h"
#include "util/errors.h"
#include "util/printable.h"
#include "util/stop_signal.h"

namespace cli {
namespace {

struct StatsFlags {
  KafkaOptions kafka;
  std::string aggregates_topic = "orders-aggregates";
  std::string topic = "orders";
  std::string group;  // empty: the only group with checkpoints of `topic`
  util::Duration timeout = std::chrono::seconds(30);
  std::size_t max_products = stats::kDefaultMaxProducts;
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

nlohmann::json to_json(const pipeline::TopicTotals& t, const StatsFlags& f,
                       const std::string& group) {
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
          {"group", group},
          {"aggregates_topic", f.aggregates_topic},
          {"aggregate", t.aggregate.to_json()},
          {"partitions", std::move(parts)},
          {"errors", t.errors}};
}

std::string render(const pipeline::TopicTotals& t, const StatsFlags& f, const std::string& group) {
  std::string extra =
      fmt::format("Source: topic '{}', group '{}', checkpoints in '{}'\n", util::printable(f.topic),
                  util::printable(group), util::printable(f.aggregates_topic));
  if (!t.partitions.empty()) {
    extra += "By partition:\n";
    for (const auto& c : t.partitions) {
      extra +=
          fmt::format("  {}[{}]  offset {:>10}  count {:>7}  revenue {:>15}  at {} UTC\n",
                      util::printable(c.topic), c.partition, c.offset, c.aggregate.count(),
                      stats::format_cents(c.aggregate.revenue_cents()), utc_text(c.written_at_ms));
    }
  }
  for (const auto& e : t.errors) extra += "Unreadable checkpoint: " + util::printable(e) + "\n";
  return stats::render_aggregate_block(t.aggregate, extra);
}

// The group whose checkpoints to merge: --group, else the only one there is.
std::string choose_group(const pipeline::CheckpointTable& table, const StatsFlags& f) {
  if (!f.group.empty()) return f.group;
  const auto groups = table.groups(f.topic);
  if (groups.size() <= 1) return groups.empty() ? std::string() : *groups.begin();
  throw util::UsageError(fmt::format(
      "checkpoints of topic '{}' in '{}' come from {} consumer groups ({}): choose one with "
      "--group",
      f.topic, f.aggregates_topic, groups.size(), fmt::join(groups, ", ")));
}

// Reads every checkpoint to the topic's current end and merges those of `f.topic` and a group.
pipeline::TopicTotals read_totals(const StatsFlags& f, const kafka::Properties& props,
                                  std::string& group) {
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(f.timeout);
  consume::CheckpointReader reader(props, f.aggregates_topic);
  reader.connect(props.get_or("bootstrap.servers", kafka::kDefaultBootstrap), timeout,
                 [] { return util::stop_requested(); });
  if (!reader.catch_up(timeout, [] { return util::stop_requested(); })) {
    throw std::runtime_error(
        fmt::format("Aggregates topic '{}' does not exist: no consumer has checkpointed yet",
                    f.aggregates_topic));
  }
  if (util::stop_requested()) throw util::Interrupted("interrupted");
  spdlog::debug("read {} checkpoint record(s) from '{}'", reader.records_read(),
                f.aggregates_topic);
  group = choose_group(reader.table(), f);
  return pipeline::merge_topic(reader.table(), group, f.topic, f.max_products);
}

int run(const StatsFlags& f) {
  apply_verbosity(f.verbosity);
  kafka::Properties props = resolve_kafka_properties(f.kafka, kafka::consumer_defaults());
  props.set("client.id", "orders-stats");
  util::install_stop_handlers();
  std::string group;
  const pipeline::TopicTotals totals = read_totals(f, props, group);
  if (totals.partitions.empty() && totals.errors.empty()) {
    spdlog::warn("No checkpoint of topic '{}'{} in '{}'", f.topic,
                 f.group.empty() ? std::string() : " by group '" + f.group + "'",
                 f.aggregates_topic);
  }
  if (f.json) {
    std::cout << util::json_line(to_json(totals, f, group)) << std::endl;
  } else {
    std::cout << render(totals, f, group) << std::flush;
  }
  for (const auto& e : totals.errors) spdlog::error("Unreadable checkpoint {}", e);
  return totals.errors.empty() ? kExitOk : kExitFailed;
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
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub->add_option("--topic", f.topic, "source topic whose aggregate to show")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub->add_option("--group", f.group,
                  "consumer group whose checkpoints to merge (default: the only group that "
                  "checkpointed the topic)")
      ->type_name("GROUP");
  add_duration_option(*sub, "--timeout", f.timeout, "give up connecting/reading after this long",
                      true);
  sub->add_option("--max-products", f.max_products,
                  "products named in the merged aggregate; the rest are shown as '(other)'")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  sub->add_flag("--json", f.json,
                "one JSON object: {topic, group, aggregates_topic, aggregate, partitions, errors}");
  add_kafka_options(*sub, f.kafka);
  add_verbosity_flags(*sub, f.verbosity);
  sub->callback([flags, &exit_code] { exit_code = exit_status_of([&] { return run(*flags); }); });
}

}  // namespace cli
