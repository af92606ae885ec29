#pragma once
// What the consumer knows and decides about one assigned partition, apart from the fetched
// records it holds while restoring (librdkafka's messages, kept by the shell: consume/
// partition_state.h). Its transitions — start, a refused seek, the rewind after an aborted
// transaction, the restore after a producer replacement, the start a restore plan calls for,
// what a revoke at exit leaves unfinished — are plain C++ here, with `now` passed in; the shell
// does the I/O each asks for (seek, drop or take the held records) and logs.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "pipeline/finished_set.h"
#include "pipeline/log_check.h"
#include "pipeline/outcome.h"
#include "pipeline/partition_phase.h"
#include "pipeline/partition_pipeline.h"
#include "pipeline/rolled_back.h"
#include "pipeline/start_plan.h"
#include "stats/aggregate.h"

namespace pipeline {

// Where a restored partition's pipeline reads from, and whether a seek is needed to get there.
struct StartAt {
  std::optional<std::int64_t> at;  // nullopt: the reset position (auto.offset.reset)
  bool seek = false;
};

// Left behind by a partition revoked at exit (counted in the report as not done).
struct Unfinished {
  std::uint64_t records = 0;  // queued or with a dead letter in flight
  std::uint64_t retries = 0;  // of those, waiting for a retry
};

struct PartitionCore {
  // Changed only by its events (pipeline/partition_phase.h).
  PartitionPhase phase;
  bool restoring() const { return phase.restoring(); }
  bool seek_warned = false;  // a refused seek was logged at warn level already
  // Fetched past its restart point (restored again after a producer recovery): the restore
  // seeks even when it starts at the committed offset.
  bool reseek = false;
  // Records held while restoring (the shell keeps them), and their keys' and values' bytes.
  std::size_t held = 0;
  std::size_t held_bytes = 0;
  TimePoint last_record_at{};  // for the stall watchdog
  TimePoint assigned_at{};
  std::unique_ptr<PartitionPipeline> pipeline;  // null while restoring
  std::uint64_t epoch = 0;  // new on every (re)start of the pipeline: stale reports are ignored
  // The last durable checkpoint (restored, or committed by this run): where a rewind returns.
  // No offset yet: the partition started by the reset policy and has seen no record.
  std::optional<std::int64_t> durable_offset;
  stats::Aggregate durable_aggregate;
  FinishedSet durable_finished;  // records above durable_offset finished already
  // The pipeline's progress() that the durable checkpoint covers (0 for a fresh pipeline).
  std::uint64_t durable_progress = 0;
  std::optional<std::int64_t> reprocess_below;
  // Checkpoint anchors (pipeline/log_check.h). `anchor`: a record below the durable offset;
  // `anchor_candidate`: the first record taken in since, promoted once the durable offset passes
  // it (one fingerprint per commit, not per record). `verify`: restored with a checkpoint's
  // anchor, reading resumes at that record to compare it before anything is processed.
  std::optional<RecordAnchor> anchor;
  std::optional<RecordAnchor> anchor_candidate;
  std::optional<RecordAnchor> verify;
  TimePoint next_log_check{};  // check_log_behind: not again before
  // Finished, then lost to an aborted commit: covered again once redone and committed.
  RolledBack rolled_back;
  // Finished records not yet committed (offset, consumed at), for the commit latency.
  std::deque<std::pair<std::int64_t, TimePoint>> uncommitted;

  // Newly assigned at `now`: restoring, with nothing known yet.
  void assigned(TimePoint now, std::uint64_t new_epoch);
  // Where the pipeline starts: `at`, else the durable checkpoint, else `reset` (the logical
  // offset auto.offset.reset gives; nullopt for "error": nowhere, the run ends).
  std::optional<std::int64_t> start_offset(std::optional<std::int64_t> at,
                                           std::optional<std::int64_t> reset) const;
  // A (re)start begins: a new epoch; what was uncommitted belongs to the old pipeline.
  void starting(std::uint64_t new_epoch);
  // librdkafka refused the seek to the start: back to restoring, tried again later. Returns
  // whether this partition had warned of it before (then the shell logs it at debug level).
  bool seek_refused();
  // The pipeline runs from the durable checkpoint (`sought`: a seek got there).
  void started(Processor& processor, const PipelineSettings& settings, bool sought, TimePoint now);
  // An aborted transaction rolled back this running partition's work: the records it took in
  // count as reprocessed when read again, and its finished ones as rolled back until redone.
  // The shell then restarts it at the durable checkpoint.
  void rewound();
  // Restored again from the broker (a producer replacement), with a new epoch: what this
  // process saw committed may be behind what the broker holds (a commit that timed out).
  void restore_again(std::uint64_t new_epoch);
  // Takes the restore `plan` checked against the log (`check`, `log`) and the group's
  // `committed` offset: the durable checkpoint, the anchors; where reading starts and whether
  // a seek is needed (librdkafka already fetches from the committed offset).
  StartAt take_plan(const StartPlan& plan, const StartCheck& check,
                    std::optional<std::int64_t> committed, const LogRange& log);
  // What is left unfinished if the partition is taken away now.
  Unfinished unfinished() const;

  // A checkpoint at `offset` covering the pipeline's `progress` became durable (committed in a
  // transaction, or acknowledged). False, unchanged: an older one acknowledged after a newer.
  bool made_durable(std::int64_t offset, stats::Aggregate aggregate, FinishedSet finished,
                    std::uint64_t progress);
  // The finished records the last commit covered (offset, consumed at), for the commit latency.
  std::deque<std::pair<std::int64_t, TimePoint>> take_uncommitted() {
    return std::exchange(uncommitted, {});
  }
  // Its log does not match its state (--on-log-mismatch start-over): nothing of before is kept;
  // the shell restarts it at the log's start.
  void started_over();
  // The restored anchor was compared (or cannot be): reading goes on.
  void anchor_settled() { verify.reset(); }
  // Whether to check now that the log has not gone below the durable offset (at most once a
  // second, only with a durable offset).
  bool log_check_due(TimePoint now);
};

}  // namespace pipeline
