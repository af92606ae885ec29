#include "stats_tool/stats_tool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <stdexcept>
#include <string>

#include "consume/checkpoint_reader.h"
#include "pipeline/checkpoint_table.h"
#include "stats/topic_report.h"
#include "util/errors.h"
#include "util/printable.h"
#include "util/stop_signal.h"

namespace stats_tool {
namespace {

// Reads every checkpoint to the topic's current end and merges those of `o.topic` and a group.
pipeline::TopicTotals read_totals(const StatsOptions& o, const kafka::Properties& props,
                                  std::string& group) {
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(o.timeout);
  consume::CheckpointReader reader(props, o.aggregates_topic);
  reader.connect(props.get_or("bootstrap.servers", kafka::kDefaultBootstrap), timeout,
                 [] { return util::stop_requested(); });
  if (!reader.catch_up(timeout, [] { return util::stop_requested(); })) {
    throw std::runtime_error(
        fmt::format("Aggregates topic '{}' does not exist: no consumer has checkpointed yet",
                    o.aggregates_topic));
  }
  if (util::stop_requested()) throw util::Interrupted("interrupted");
  spdlog::debug("read {} checkpoint record(s) from '{}'", reader.records_read(),
                o.aggregates_topic);
  group = stats::choose_group(reader.table(), o.topic, o.group, o.aggregates_topic);
  return pipeline::merge_topic(reader.table(), group, o.topic, o.max_products);
}

}  // namespace

bool run_stats(const StatsOptions& o, kafka::Properties props) {
  props.set("client.id", "orders-stats");
  util::install_stop_handlers();
  std::string group;
  const pipeline::TopicTotals totals = read_totals(o, props, group);
  if (totals.partitions.empty() && totals.errors.empty()) {
    spdlog::warn("No checkpoint of topic '{}'{} in '{}'", o.topic,
                 o.group.empty() ? std::string() : " by group '" + o.group + "'",
                 o.aggregates_topic);
  }
  const stats::TopicReportSource source{o.topic, group, o.aggregates_topic};
  if (o.json) {
    std::cout << util::json_line(stats::topic_report_json(totals, source)) << std::endl;
  } else {
    std::cout << stats::render_topic_report(totals, source) << std::flush;
  }
  for (const auto& e : totals.errors) spdlog::error("Unreadable checkpoint {}", e);
  return totals.errors.empty();
}

}  // namespace stats_tool
