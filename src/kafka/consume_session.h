#pragma once
// Internal to the consume loop (consume_loop.cpp, consume_partitions.cpp, consume_commit.cpp):
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

#include "kafka/checkpoint_reader.h"
#include "kafka/consume_loop.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "pipeline/commit_schedule.h"
#include "pipeline/dead_letter_outbox.h"
#include "pipeline/stall_watch.h"
#include "stats/latency_histogram.h"

namespace kafka::detail {

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

struct PartitionState {
  // Assigned, its checkpoint not restored yet: the partition is paused and records are dropped
  // (a seek to the planned start follows).
  bool restoring = true;
  bool restore_waiting = false;  // its checkpoint lags the committed offset: waiting, paused
  bool seek_warned = false;
  std::vector<std::unique_ptr<RdKafka::Message>> held;  // fetched while restoring
  TimePoint last_record_at{};                           // for the stall watchdog
  TimePoint assigned_at{};
  std::unique_ptr<pipeline::PartitionPipeline> pipeline;  // null while restoring
  std::uint64_t epoch = 0;  // bumped on every (re)start of the pipeline: stale reports are ignored
  bool paused = false;
  bool halt_reported = false;
  // The last durable checkpoint (restored, or committed by this run): where a rewind returns.
  // No offset yet: the partition started by the reset policy and has seen no record.
  std::optional<std::int64_t> durable_offset;
  stats::Aggregate durable_aggregate;
  pipeline::FinishedSet durable_finished;  // records above durable_offset finished already
  // The pipeline's progress() that the durable checkpoint covers (0 for a fresh pipeline).
  std::uint64_t durable_progress = 0;
  std::uint64_t written_progress = 0;  // at-least-once: of the last checkpoint handed out
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
  // Held librdkafka messages must go before the consumer handle does.
  ~ConsumeSession() { partitions_.clear(); }
  ConsumeResult run();

 private:
  bool eos() const { return opt_.semantics == Semantics::exactly_once; }

  // consume_loop.cpp: the loop, records, dead letters, reports.
  void start();
  void poll_once();
  void take(std::unique_ptr<RdKafka::Message> msg);
  void accept(PartitionState& ps, const RdKafka::Message& msg);
  void advance();
  void apply(std::int32_t partition, PartitionState& ps, const pipeline::Decision& d,
             TimePoint decided_at);
  void write_dead_letter(PartitionState& ps, std::int32_t partition, std::int64_t offset);
  void on_delivery(const DeliveryReport& report);
  void on_dead_letter_report(const DeliveryReport& report);
  void update_pauses();
  // A running partition that gets no records although its log goes on has its fetch restarted.
  void check_stalls();
  void restart_consumer();
  std::unique_ptr<Consumer> make_consumer();
  bool busy(bool count_halted = true) const;
  bool idle_for(std::chrono::microseconds idle) const;
  bool ensure_dlq_topic();
  void ensure_aggregates_topic();
  void log_summary();
  std::chrono::milliseconds poll_timeout(TimePoint now) const;
  void finish_metrics();
  Tally& tally(PartitionState& ps) { return eos() ? ps.staged : direct_; }
  void set_fatal(std::string problem);
  // A fatal producer error (fenced, or a broken idempotent/transactional state) ends the run.
  void producer_failed(std::string_view step, const Error& e);

  // consume_partitions.cpp: assignment, restore, revoke, rewind.
  void on_assigned(const std::vector<TopicPartitionOffset>& parts);
  void on_revoked(const std::vector<TopicPartitionOffset>& parts, bool lost);
  void restore_partitions();
  // Starts (or restarts) a partition's pipeline at its durable checkpoint, seeking there unless
  // `seek` is false (librdkafka fetches from there already). False (and back to restoring) when
  // librdkafka cannot seek there yet.
  bool start_pipeline(std::int32_t partition, PartitionState& ps, bool seek = true);
  void rewind_all(const std::set<int>* skip);
  std::int64_t logical_start() const;

  // consume_commit.cpp: batches.
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
  // Every record finished before `now` is covered by the commit (below its offset, or in its
  // checkpoint's finished set).
  void record_commit_latency(PartitionState& ps, TimePoint now);
  // A checkpoint would say more than the durable one: the commit offset or the finished set moved.
  bool checkpoint_due(const PartitionState& ps, std::uint64_t covered) const;

  const ConsumeOptions& opt_;
  pipeline::OrderProcessor& processor_;
  stats::ConsumerMetrics metrics_;
  Tally direct_;  // at-least-once: applied to the metrics as it happens
  stats::LatencyHistogram latency_;
  stats::LatencyHistogram commit_latency_;
  stats::LatencyHistogram retry_lateness_;
  std::map<std::int32_t, PartitionState> partitions_;
  std::uint64_t next_epoch_ = 1;
  pipeline::DeadLetterOutbox outbox_;
  std::optional<int> dlq_partitions_;
  std::string problem_;
  bool fatal_ = false;
  std::set<int> reported_errors_;
  pipeline::CommitSchedule schedule_;
  TimePoint next_restore_attempt_{};
  TimePoint next_stall_check_{};
  std::map<std::int32_t, pipeline::StallMark> stall_marks_;  // survive a consumer restart
  // Test hook (env ORDERS_TEST_STALL_PARTITION): this partition is paused once behind the
  // pipeline's back when it starts, as a fetcher that never resumes would look.
  std::optional<std::int32_t> stall_test_partition_;

  // exactly-once
  bool txn_open_ = false;
  std::string doomed_;  // why the open transaction must be aborted (empty: it need not)
  struct FailedWrite {
    std::string error;
    TimePoint failed_at;
  };
  // Dead letters whose write failed in an aborted transaction: after the rewind the partition
  // halts at them until the resend delay has passed, as it does in at-least-once mode.
  std::map<std::int32_t, std::map<std::int64_t, FailedWrite>> failed_dead_letters_;

  // at-least-once: checkpoints handed to the producer, per source partition in produce order.
  struct InFlightCheckpoint {
    std::uint64_t epoch;
    std::int64_t offset;
    stats::Aggregate aggregate;
    pipeline::FinishedSet finished;
    std::uint64_t progress;
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
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<Consumer> consumer_;
};

}  // namespace kafka::detail
