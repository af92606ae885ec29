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

#include "pipeline/consumer_core.h"
#include "pipeline/outcome.h"
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

// The partition's state and decisions (pipeline/partition_core.h), owned by the consumer core
// (pipeline/consumer_core.h); the records it holds while restoring are the session's.
using PartitionState = pipeline::PartitionCore;
using pipeline::Partitions;

}  // namespace consume::detail
