#pragma once
// Internal to the consume loop: what the session (session.h) and its committer (committer.h)
// know about one assigned partition, and the work that enters the report.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kafka/consumer.h"
#include "pipeline/outcome.h"
#include "pipeline/partition_core.h"
#include "stats/aggregate.h"
#include "stats/consumer_report.h"

namespace consume::detail {

using pipeline::Clock;
using pipeline::TimePoint;

// Work that enters the report once it is committed (exactly-once) or at once (at-least-once).
// Retries are attempts made and count at once in both modes.
struct Tally {
  std::uint64_t processed = 0;
  std::uint64_t dead_lettered = 0;
  std::map<std::string, std::uint64_t> dead_lettered_by_class;
  stats::Aggregate aggregate;

  void add_to(stats::ConsumerMetrics& m) const;
};

using pipeline::Phase;

// The partition's state and decisions (pipeline/partition_core.h), and the records fetched while
// it restores: librdkafka's, so they stay on this side.
struct PartitionState : pipeline::PartitionCore {
  std::vector<kafka::Message> held;  // fetched while restoring
};

using Partitions = std::map<std::int32_t, PartitionState>;

}  // namespace consume::detail
