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
#include "pipeline/finished_set.h"
#include "pipeline/log_check.h"
#include "pipeline/outcome.h"
#include "pipeline/partition_phase.h"
#include "pipeline/partition_pipeline.h"
#include "pipeline/rolled_back.h"
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

struct PartitionState {
  // Changed only by its events (pipeline/partition_phase.h).
  pipeline::PartitionPhase phase;
  bool restoring() const { return phase.restoring(); }
  bool seek_warned = false;  // a refused seek was logged at warn level already
  // Fetched past its restart point (restored again after a producer recovery): the restore
  // seeks even when it starts at the committed offset.
  bool reseek = false;
  std::vector<kafka::Message> held;  // fetched while restoring
  std::size_t held_bytes = 0;        // their keys and values
  TimePoint last_record_at{};        // for the stall watchdog
  TimePoint assigned_at{};
  std::unique_ptr<pipeline::PartitionPipeline> pipeline;  // null while restoring
  std::uint64_t epoch = 0;  // new on every (re)start of the pipeline: stale reports are ignored
  // The last durable checkpoint (restored, or committed by this run): where a rewind returns.
  // No offset yet: the partition started by the reset policy and has seen no record.
  std::optional<std::int64_t> durable_offset;
  stats::Aggregate durable_aggregate;
  pipeline::FinishedSet durable_finished;  // records above durable_offset finished already
  // The pipeline's progress() that the durable checkpoint covers (0 for a fresh pipeline).
  std::uint64_t durable_progress = 0;
  std::optional<std::int64_t> reprocess_below;
  // Checkpoint anchors (pipeline/log_check.h). `anchor`: a record below the durable offset;
  // `anchor_candidate`: the first record taken in since, promoted once the durable offset passes
  // it (one fingerprint per commit, not per record). `verify`: restored with a checkpoint's
  // anchor, reading resumes at that record to compare it before anything is processed.
  std::optional<pipeline::RecordAnchor> anchor;
  std::optional<pipeline::RecordAnchor> anchor_candidate;
  std::optional<pipeline::RecordAnchor> verify;
  TimePoint next_log_check{};  // check_log_behind: not again before
  // Finished, then lost to an aborted commit: covered again once redone and committed.
  pipeline::RolledBack rolled_back;
  // Finished records not yet committed (offset, consumed at), for the commit latency.
  std::deque<std::pair<std::int64_t, TimePoint>> uncommitted;
};

using Partitions = std::map<std::int32_t, PartitionState>;

}  // namespace consume::detail
