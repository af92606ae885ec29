#pragma once
// The consume loop's state above one partition's pipeline, and its decisions, in one place:
// the assigned partitions (partition_core.h) and their flow control (flow_control.h), the run's
// lifecycle (run_lifecycle.h), when to restore (restore_schedule.h) and to commit
// (commit_schedule.h), the epochs that tell current delivery reports from stale ones, the
// --max-messages count, idleness, the stall watchdog's marks and what each loop turn does next.
//
// Sans I/O: the shell (src/consume) tells it what happened — partitions assigned or revoked, a
// record fetched, a restore read, a stall check's watermarks, a stop signal, `now` — and does
// what it answers: hold, push or drop a record, pause and resume (FlowAction), seek, restart a
// pipeline, replace the producer, commit, stop. Every transition is a method here or of the
// parts it owns; the shell assigns no state of its own to a partition.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "pipeline/commit_schedule.h"
#include "pipeline/epoch.h"
#include "pipeline/flow_control.h"
#include "pipeline/partition_core.h"
#include "pipeline/restore_schedule.h"
#include "pipeline/revoke_plan.h"
#include "pipeline/run_lifecycle.h"
#include "pipeline/stall_watch.h"
#include "stats/latency_histogram.h"

namespace pipeline {

using Partitions = std::map<std::int32_t, PartitionCore>;

struct CoreSettings {
  WindowLimits window;
  CommitSettings commit;
  std::optional<std::uint64_t> max_messages;           // take at most N distinct records
  std::optional<std::chrono::microseconds> idle_exit;  // stop after this long with nothing to do
};

// What happens to a fetched record.
enum class Take {
  ignore,  // not (or no longer) an assigned partition
  hold,    // its partition restores: kept (counted) until its start is known
  accept,  // its partition runs: offered to admit()
};
struct Taken {
  Take what = Take::ignore;
  bool evaluate_flow = false;   // it reached the total bound: evaluate_flow() now
  PartitionCore* ps = nullptr;  // the partition's state (null for ignore): no second lookup
};

// Whether an accepted record enters the running partition's pipeline.
enum class Admit {
  beyond_max,  // a new record past --max-messages: not taken (not tracked)
  covered,     // below the durable offset: done already (unless the log went backwards)
  push,        // into the pipeline
};
// A restored anchor to verify (PartitionCore::verify) is checked against the record before
// either of the last two is acted on.

// What the loop does next.
enum class Next { poll, recover, stop };
struct LoopStep {
  Next next = Next::poll;
  const char* why = "";  // for stop
  bool fatal = false;    // a stop for a fatal error (the run's, or the consumer's)
};
// What the shell knows for one loop turn's decision.
struct LoopSignals {
  bool stop_requested = false;
  bool consumer_fatal = false;
  std::size_t outputs_in_flight = 0;  // dead letters and checkpoints not yet acknowledged
};

// One partition for the stall watchdog to check against its log: where it continues.
struct StallCandidate {
  std::int32_t partition = 0;
  std::int64_t next = -1;  // -1: no record and no checkpoint yet
};
struct StallStep {
  StallAction action = StallAction::none;
  std::int64_t next = -1;
};

class ConsumerCore {
 public:
  static constexpr std::chrono::milliseconds kMaxPollWait{100};  // bounds the reaction to a stop
  static constexpr std::chrono::seconds kJoinGrace{15};   // idle does not count before partitions
  static constexpr std::chrono::seconds kStallAfter{15};  // no record while the log goes on
  static constexpr std::chrono::seconds kStallCheckEvery{5};

  ConsumerCore(const CoreSettings& settings, TimePoint started);

  // --- what it holds (the committers read and commit the partitions' state) ---
  Partitions& partitions() { return partitions_; }
  const Partitions& partitions() const { return partitions_; }
  PartitionCore* find(std::int32_t partition);
  RunLifecycle& run() { return run_; }
  const RunLifecycle& run() const { return run_; }
  CommitSchedule& schedule() { return schedule_; }
  const CommitSchedule& schedule() const { return schedule_; }
  const FlowControl& flow() const { return flow_; }
  TimePoint started() const { return started_; }

  // --- assignment ---
  // Partitions assigned at `now`: each restoring with nothing known; a restore is due at once.
  void assigned(const std::vector<std::int32_t>& parts, TimePoint now);
  // What a revoke (or a lost assignment) does, given the run's state.
  RevokePlan revoke_plan(bool lost, bool stop_requested) const;
  // The partition is dropped: what it leaves unfinished, nullopt when it was not assigned.
  std::optional<Unfinished> revoked(std::int32_t partition);
  // The restoring partitions to read the starts of now (empty: not now, restore_schedule.h).
  std::vector<std::int32_t> restore_due(TimePoint now);
  // Every partition restores its committed checkpoint again (the producer was replaced); the
  // shell drops the records it held.
  void restore_all(TimePoint now);
  // Before a pipeline (re)starts: its new epoch.
  void starting(PartitionCore& ps) { ps.starting(epochs_.next()); }
  // An aborted transaction rolled back every running partition but `skip`: each is rewound and
  // returned, for the shell to restart at its durable checkpoint.
  std::vector<std::int32_t> rewind_all(const std::set<int>* skip);
  // Every partition gets a new epoch: reports served from now on belong to the past.
  void renew_epochs();
  // The epoch of a running partition (delivery reports of other epochs are stale).
  std::optional<std::uint64_t> running_epoch(std::int32_t partition) const;
  // The partition's log was replaced under it: its records count as new again.
  void started_over(std::int32_t partition) { taken_end_.erase(partition); }

  // --- records ---
  // A record of `bytes` (key and value) fetched for `partition`.
  Taken take(std::int32_t partition, std::size_t bytes);
  // The partition's held records were dropped (a seek moves its start) or taken (it started).
  void held_dropped(PartitionCore& ps);
  // Whether a running partition's record at `offset` enters its pipeline.
  Admit admit(std::int32_t partition, const PartitionCore& ps, std::int64_t offset) const;
  // Whether the record at `offset`, pushed, is the partition's next anchor candidate (the shell
  // then passes its fingerprint to pushed()).
  static bool wants_anchor(const PartitionCore& ps, std::int64_t offset);
  // The record at `offset` entered the pipeline at `now`. True: it is read again after a rewind
  // (counted as reprocessed).
  bool pushed(std::int32_t partition, PartitionCore& ps, std::int64_t offset,
              std::optional<std::uint64_t> fingerprint, TimePoint now);
  bool max_messages_reached() const {
    return settings_.max_messages && taken_distinct_ >= *settings_.max_messages;
  }
  // Something happened (a record, a decision, a restore): the run is not idle.
  void activity(TimePoint now) { last_activity_ = now; }

  // --- commits ---
  // A commit at `now` covered the partition's finished records: their consumed → committed
  // latency is recorded.
  void commit_covered(PartitionCore& ps, TimePoint now);
  // A commit that covered new records completed at `at`.
  void committed_at(TimePoint at) { last_committed_ = at; }
  TimePoint last_committed() const { return last_committed_; }
  const stats::LatencyHistogram& commit_latency() const { return commit_latency_; }

  // --- flow control ---
  // Every partition's backlog evaluated: what to pause and resume, and the total's transition.
  FlowAction evaluate_flow();
  // A record entered the running partition's window: true when it is full now (pause it now).
  bool after_record(std::int32_t partition, const PartitionCore& ps) {
    return ps.pipeline && flow_.after_record(partition, ps.pipeline->usage());
  }
  void pause_failed(std::int32_t partition) { flow_.pause_failed(partition); }
  void resume_failed(std::int32_t partition) { flow_.resume_failed(partition); }

  // --- the loop ---
  // What the loop does next: stop (and why), replace the producer, or poll.
  LoopStep next(const LoopSignals& signals, TimePoint now) const;
  // How long the next poll may wait: until the next retry, commit or kMaxPollWait.
  std::chrono::milliseconds poll_timeout(TimePoint now) const;
  // Anything unfinished: restoring partitions, records queued, outputs in flight (`count_halted`
  // false: a halted partition's queue does not count).
  bool busy(std::size_t outputs_in_flight, bool count_halted = true) const;
  // Finished records not committed: rolled back by an aborted commit and not committed again,
  // or finished and never committed. `finished`: only rolled-back records not finished again.
  std::uint64_t rolled_back_not_redone(bool finished = false) const;
  // Running partitions halted at a dead letter that could not be written.
  std::size_t halted() const;

  // --- the stall watchdog ---
  // Running partitions (not paused, not halted) without a record for kStallAfter, checked at
  // most every kStallCheckEvery; each checked one waits kStallAfter before the next check.
  std::vector<StallCandidate> stall_candidates(TimePoint now);
  // The candidate's log spans [`low`, `end`) (`end`: its last stable offset): what to do, and
  // where the partition continues (a seek goes there). `reset_to_start`: auto.offset.reset
  // points at the log's start.
  StallStep stall_checked(const StallCandidate& c, std::int64_t low, std::int64_t end,
                          bool reset_to_start);

 private:
  bool idle_for(std::chrono::microseconds idle, std::size_t outputs_in_flight, TimePoint now) const;

  CoreSettings settings_;
  Partitions partitions_;
  FlowControl flow_;
  RunLifecycle run_;
  RestoreSchedule restore_;
  CommitSchedule schedule_;
  Epochs epochs_;
  // --max-messages counts distinct records: per partition, one past the highest offset taken
  // in (kept across rewinds and reassignments, so records taken again do not count again).
  std::map<std::int32_t, std::int64_t> taken_end_;
  std::uint64_t taken_distinct_ = 0;
  std::map<std::int32_t, StallMark> stall_marks_;  // survive a consumer restart
  TimePoint next_stall_check_{};
  TimePoint started_;
  TimePoint last_activity_;
  TimePoint last_committed_{};
  stats::LatencyHistogram commit_latency_;
};

}  // namespace pipeline
