#pragma once
// `orders stats` as a function: the group-wide aggregate of a source topic, merged from every
// partition's latest checkpoint in the compacted aggregates topic (read_committed, so only
// checkpoints of committed transactions count). Works while consumers run: each partition
// contributes the state of its last commit. Checkpoint keys name the consumer group: without a
// group, the one group that checkpointed the topic; several groups need one chosen (their totals
// never add up). The report (src/stats/topic_report.h) goes to stdout.
#include "kafka/config.h"
#include "stats_tool/options.h"

namespace stats_tool {

// Returns whether every checkpoint was readable (the unreadable ones are reported and logged).
// Throws util::UsageError when several groups checkpointed the topic and none was chosen,
// util::Interrupted on Ctrl-C, and KafkaException or std::runtime_error when the aggregates topic
// cannot be read.
bool run_stats(const StatsOptions& options, kafka::Properties consumer_props);

}  // namespace stats_tool
