#pragma once
// Internal to the consume loop (loop, startup, assignment, dead_letters, commit, report .cpp):
// one `orders consume` run. Single-threaded: librdkafka calls the rebalance and delivery hooks
// from inside consume()/poll()/flush() on this thread.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consume/checkpoint_reader.h"
#include "consume/consume.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "kafka/transaction.h"
#include "pipeline/commit_plan.h"
#include "pipeline/commit_schedule.h"
#include "pipeline/dead_letter_outbox.h"
#include "pipeline/dead_letter_resend.h"
#include "pipeline/epoch.h"
#include "pipeline/stall_watch.h"
#include "stats/latency_histogram.h"

namespace consume::detail {

using kafka::DeliveryReport;
using kafka::Error;
using kafka::TopicPartitionOffset;
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

// A partition's lifecycle while assigned.
enum class Phase {
  // Its checkpoint not restored yet: fetched records are held (a seek to the planned start may
  // drop them), nothing is processed.
  restoring,
  // Restoring, and its checkpoint lags the committed offset: waiting (paused) for it.
  awaiting_checkpoint,
  running,
  // Running, but its pipeline stopped at a dead letter that could not be written (reported).
  halted,
};

struct PartitionState {
  Phase phase = Phase::restoring;
  bool restoring() const {
    return phase == Phase::restoring || phase == Phase::awaiting_checkpoint;
  }
  bool paused = false;       // fetching paused by us (mirrors librdkafka's state)
  bool seek_warned = false;  // a refused seek was logged at warn level already
  std::vector<std::unique_ptr<RdKafka::Message>> held;  // fetched while restoring
  TimePoint last_record_at{};                           // for the stall watchdog
  TimePoint assigned_at{};
  std::unique_ptr<pipeline::PartitionPipeline> pipeline;  // null while restoring
  std::uint64_t epoch = 0;  // new on every (re)start of the pipeline: stale reports are ignored
  // The last durable checkpoint (restored, or committed by this run): where a rewind returns.
  // No offset yet: the partition started by the reset policy and has seen no record.
  std::optional<std::int64_t> durable_offset;
  stats::Aggregate durable_aggregate;
  std::optional<std::int64_t> reprocess_below;
  // Finished records not yet committed (offset, consumed at), for the commit latency.
  std::deque<std::pair<std::int64_t, TimePoint>> uncommitted;
  Tally staged;  // exactly-once: work since the last commit
  // at-least-once: checkpoint written / acknowledged, offset commit requested.
  std::optional<std::int64_t> checkpoint_written;
  std::optional<std::int64_t> offset_committed;
};

class ConsumeSession {
 public:
  ConsumeSession(const ConsumeOptions& options, pipeline::OrderProcessor& processor);
  ConsumeSession(const ConsumeSession&) = delete;
  ConsumeSession& operator=(const ConsumeSession&) = delete;
  // Held librdkafka messages must go before the consumer handle does.
  ~ConsumeSession() { partitions_.clear(); }
  ConsumeResult run();

 private:
  bool eos() const { return opt_.semantics == Semantics::exactly_once; }

  // loop.cpp: the loop, records, pauses.
  void poll_once();
  void take(std::unique_ptr<RdKafka::Message> msg);
  void accept(PartitionState& ps, const RdKafka::Message& msg);
  void advance();
  void update_pauses();
  bool busy(bool count_halted = true) const;
  bool idle_for(std::chrono::microseconds idle) const;
  std::chrono::milliseconds poll_timeout(TimePoint now) const;
  Tally& tally(PartitionState& ps) { return eos() ? ps.staged : direct_; }
  void set_fatal(std::string problem);
  // The epoch of a partition that is running, for the delivery reports' epoch filter.
  std::optional<std::uint64_t> running_epoch(std::int32_t partition) const;

  // startup.cpp: clients and topics; the stall watchdog.
  void start();
  std::unique_ptr<kafka::Consumer> make_consumer();
  bool ensure_dlq_topic();
  void ensure_aggregates_topic();
  // A running partition that gets no records although its log goes on has its fetch restarted.
  void check_stalls();
  void restart_consumer();

  // dead_letters.cpp
  void write_dead_letter(PartitionState& ps, std::int32_t partition, std::int64_t offset);
  void on_delivery(const DeliveryReport& report);
  void on_dead_letter_report(const DeliveryReport& report);

  // report.cpp: per-decision tallies and log lines, the periodic summary, the final metrics.
  void apply(std::int32_t partition, PartitionState& ps, const pipeline::Decision& d,
             TimePoint decided_at);
  void log_summary();
  void finish_metrics();

  // assignment.cpp: assignment, restore, revoke, rewind.
  // Commit candidates of the running partitions (all when `only` is null).
  template <class Finished, class Covered>
  std::vector<pipeline::CommitCandidate> candidates(const std::set<int>* only, Finished finished,
                                                    Covered covered) const;

  void on_assigned(const std::vector<TopicPartitionOffset>& parts);
  void on_revoked(const std::vector<TopicPartitionOffset>& parts, bool lost);
  void restore_partitions();
  // Starts (or restarts) a partition's pipeline at its durable checkpoint, seeking there unless
  // `seek` is false (librdkafka fetches from there already). False (and back to restoring) when
  // librdkafka cannot seek there yet.
  bool start_pipeline(std::int32_t partition, PartitionState& ps, bool seek = true);
  void rewind_all(const std::set<int>* skip);
  std::int64_t logical_start() const;

  // commit.cpp: batches.
  // A fatal producer error (fenced, or a broken idempotent/transactional state) ends the run.
  void producer_failed(std::string_view step, const Error& e);
  // Commits the finished work of `only` (all partitions when null). Exactly-once: one
  // transaction, always for every partition; at-least-once: writes checkpoints (offsets follow
  // their acknowledgement).
  // Returns false when the batch could not be committed (aborted, or fatal).
  // `blocking` (revoke, shutdown): at-least-once waits for the acknowledgements too.
  bool commit_batch(const std::set<int>* only, std::chrono::milliseconds budget, bool blocking);
  bool commit_transaction(std::chrono::milliseconds budget);
  bool begin_transaction();
  // Aborts the open transaction and rewinds every running partition (except `skip`).
  void abort_and_rewind(const std::string& reason, const std::set<int>* skip);
  void write_checkpoints(const std::set<int>* only);
  void on_checkpoint_report(const DeliveryReport& report);
  // at-least-once: commits offsets up to the acknowledged checkpoints.
  Error commit_acked_offsets(const std::set<int>* only, bool sync);
  // Waits for dead letters (and, with `checkpoints`, checkpoints) to be acknowledged.
  bool flush_outputs(std::chrono::milliseconds budget, bool checkpoints);
  void record_commit_latency(PartitionState& ps, std::int64_t committed_offset, TimePoint now);

  const ConsumeOptions& opt_;
  pipeline::OrderProcessor& processor_;
  stats::ConsumerMetrics metrics_;
  Tally direct_;  // at-least-once: applied to the metrics as it happens
  stats::LatencyHistogram latency_;
  stats::LatencyHistogram commit_latency_;
  std::map<std::int32_t, PartitionState> partitions_;
  pipeline::Epochs epochs_;
  pipeline::DeadLetterOutbox outbox_;
  std::optional<int> dlq_partitions_;
  std::string problem_;
  bool fatal_ = false;
  std::set<int> reported_errors_;
  pipeline::CommitSchedule schedule_;
  TimePoint next_restore_attempt_{};
  TimePoint next_stall_check_{};
  std::map<std::int32_t, pipeline::StallMark> stall_marks_;  // survive a consumer restart
  // Test hook (ConsumeOptions::test_stall_partition), used up once.
  std::optional<std::int32_t> stall_test_partition_;

  // exactly-once
  bool txn_open() const { return txn_ && txn_->open(); }
  std::string doomed_;  // why the open transaction must be aborted (empty: it need not)
  pipeline::FailedDeadLetters failed_dead_letters_;

  // at-least-once: checkpoints handed to the producer, per source partition in produce order.
  struct InFlightCheckpoint {
    std::uint64_t epoch;
    std::int64_t offset;
    stats::Aggregate aggregate;
  };
  std::map<std::int32_t, std::deque<InFlightCheckpoint>> checkpoints_in_flight_;
  std::size_t checkpoint_count_in_flight_ = 0;

  std::optional<TimePoint> first_consumed_;
  TimePoint last_finished_{};
  TimePoint last_committed_{};  // the last commit that covered new records
  const TimePoint started_ = Clock::now();
  TimePoint last_activity_ = Clock::now();
  TimePoint next_summary_ = Clock::now();

  // Declared last: destroyed first, while the state their callbacks touch still exists.
  std::unique_ptr<CheckpointReader> reader_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Transaction> txn_;  // exactly-once; refers to producer_
  std::unique_ptr<kafka::Consumer> consumer_;
};

template <class Finished, class Covered>
std::vector<pipeline::CommitCandidate> ConsumeSession::candidates(const std::set<int>* only,
                                                                  Finished finished,
                                                                  Covered covered) const {
  std::vector<pipeline::CommitCandidate> out;
  for (const auto& [p, ps] : partitions_) {
    if (ps.restoring() || (only && !only->count(p))) continue;
    out.push_back({p, finished(ps), covered(ps)});
  }
  return out;
}

}  // namespace consume::detail
