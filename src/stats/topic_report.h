#pragma once
// What `orders stats` prints about a group's aggregate of one source topic (the partitions'
// latest checkpoints merged, pipeline::merge_topic): the text report and the --json object, and
// which group's checkpoints to merge. Pure: src/stats_tool reads the checkpoints.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "pipeline/checkpoint_table.h"

namespace stats {

// Where the totals come from, as the report names it.
struct TopicReportSource {
  std::string topic;             // the source topic
  std::string group;             // the consumer group whose checkpoints were merged
  std::string aggregates_topic;  // where the checkpoints are
};

// {topic, group, aggregates_topic, aggregate, partitions, errors}.
nlohmann::json topic_report_json(const pipeline::TopicTotals& totals,
                                 const TopicReportSource& source);
// The aggregate block with the source, one line per partition and the unreadable checkpoints;
// every name from the topic is escaped.
std::string render_topic_report(const pipeline::TopicTotals& totals,
                                const TopicReportSource& source);

// The group whose checkpoints of `topic` to merge: `wanted` if given, else the only one there is
// ("" when none is). Several without `wanted` throw util::UsageError naming them.
std::string choose_group(const pipeline::CheckpointTable& table, const std::string& topic,
                         const std::string& wanted, const std::string& aggregates_topic);

// Milliseconds since the epoch as "YYYY-MM-DD HH:MM:SS" (UTC).
std::string utc_text(std::int64_t ms);

}  // namespace stats
