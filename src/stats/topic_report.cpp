#include "stats/topic_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <ctime>

#include "stats/consumer_report.h"
#include "util/errors.h"
#include "util/printable.h"

namespace stats {

std::string utc_text(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

nlohmann::json topic_report_json(const pipeline::TopicTotals& t, const TopicReportSource& source) {
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
  return {{"topic", source.topic},
          {"group", source.group},
          {"aggregates_topic", source.aggregates_topic},
          {"aggregate", t.aggregate.to_json()},
          {"partitions", std::move(parts)},
          {"errors", t.errors}};
}

std::string render_topic_report(const pipeline::TopicTotals& t, const TopicReportSource& source) {
  std::string extra = fmt::format("Source: topic '{}', group '{}', checkpoints in '{}'\n",
                                  util::printable(source.topic), util::printable(source.group),
                                  util::printable(source.aggregates_topic));
  if (!t.partitions.empty()) {
    extra += "By partition:\n";
    for (const auto& c : t.partitions) {
      extra += fmt::format("  {}[{}]  offset {:>10}  count {:>7}  revenue {:>15}  at {} UTC\n",
                           util::printable(c.topic), c.partition, c.offset, c.aggregate.count(),
                           format_cents(c.aggregate.revenue_cents()), utc_text(c.written_at_ms));
    }
  }
  for (const auto& e : t.errors) extra += "Unreadable checkpoint: " + util::printable(e) + "\n";
  return render_aggregate_block(t.aggregate, extra);
}

std::string choose_group(const pipeline::CheckpointTable& table, const std::string& topic,
                         const std::string& wanted, const std::string& aggregates_topic) {
  if (!wanted.empty()) return wanted;
  const auto groups = table.groups(topic);
  if (groups.size() <= 1) return groups.empty() ? std::string() : *groups.begin();
  throw util::UsageError(fmt::format(
      "checkpoints of topic '{}' in '{}' come from {} consumer groups ({}): choose one with "
      "--group",
      topic, aggregates_topic, groups.size(), fmt::join(groups, ", ")));
}

}  // namespace stats
