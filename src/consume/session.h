#pragma once
// Internal to the consume loop (loop, startup, assignment, dead_letters, report .cpp): one
// `orders consume` run; its committer (committer.h) makes the finished work durable.
// Single-threaded: librdkafka calls the rebalance and delivery hooks from inside
// consume()/poll()/flush() on this thread.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "consume/checkpoint_reader.h"
#include "consume/committer.h"
#include "consume/consume.h"
#include "consume/partition_state.h"
#include "http/server.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "observe/consumer_site.h"
#include "pipeline/consumer_core.h"
#include "pipeline/dead_letter_outbox.h"
#include "pipeline/start_plan.h"
#include "stats/latency_histogram.h"

namespace consume::detail {

using kafka::DeliveryReport;
using kafka::Error;
using kafka::TopicPartitionOffset;

class ConsumeSession : private CommitHost {
 public:
  ConsumeSession(const ConsumeOptions& options, pipeline::Processor& processor);
  ConsumeSession(const ConsumeSession&) = delete;
  ConsumeSession& operator=(const ConsumeSession&) = delete;
  // Held librdkafka messages must go before the consumer handle does.
  ~ConsumeSession() { held_.clear(); }
  ConsumeResult run();

 private:
  // loop.cpp: the loop, records, pauses.
  void poll_once();
  void take(kafka::Message msg);
  void accept(PartitionState& ps, const kafka::Message& msg);
  void advance();
  // Applies what the core decides from every partition's backlog (pauses, resumes, the total).
  void update_pauses();
  // Pauses a running partition whose window is full right after the record that filled it.
  void pause_if_full(std::int32_t partition, const PartitionState& ps);
  // Dead letters and checkpoints not acknowledged yet.
  std::size_t outputs_in_flight() const;
  void set_fatal(std::string problem);

  // startup.cpp: clients and topics; the stall watchdog.
  void start();
  std::unique_ptr<kafka::Consumer> make_consumer();
  bool ensure_dlq_topic();
  // Throws ConfigError when an existing topic cannot hold checkpoints (not compacted).
  void ensure_aggregates_topic();
  std::string aggregates_gone() const;
  // After a failed checkpoint write: a topic that is gone ends the run (set_fatal).
  void check_aggregates_topic(kafka::ErrorCode code) override;
  // A running partition that gets no records although its log goes on has its fetch restarted.
  void check_stalls();
  void restart_consumer();
  std::unique_ptr<kafka::Producer> make_producer();
  // Replaces the failed transactional producer (run_.recovery()), then every partition restarts
  // from its last committed checkpoint; a failure schedules the next attempt or ends the run.
  void recover_producer();

  // dead_letters.cpp
  void write_dead_letter(PartitionState& ps, std::int32_t partition, std::int64_t offset);
  void on_delivery(const DeliveryReport& report);
  void on_dead_letter_report(const DeliveryReport& report);
  void dead_letter_failed(PartitionState& ps, std::int32_t partition, std::int64_t offset,
                          const std::string& error);

  // report.cpp: per-decision tallies and log lines, the periodic summary, the final metrics.
  void apply(std::int32_t partition, PartitionState& ps, const pipeline::Decision& d,
             TimePoint decided_at);
  void log_summary();
  void finish_metrics();

  // observe.cpp: --http. The loop publishes a snapshot a few times a second; the server's threads
  // render pages from the latest one and touch nothing else of the session.
  void start_http();
  void publish_state(bool force = false);
  observe::PartitionView partition_view(std::int32_t partition, const PartitionState& ps);
  void note_dead_letter(std::int32_t partition, const pipeline::Decision& d,
                        const pipeline::DeadLetter& dl);
  void take_client_stats();

  // assignment.cpp: assignment, restore, revoke, rewind.
  void on_assigned(const std::vector<TopicPartitionOffset>& parts);
  void on_revoked(const std::vector<TopicPartitionOffset>& parts, bool lost);
  void restore_partitions();
  bool read_restore_sources(const std::vector<TopicPartitionOffset>& waiting,
                            std::map<std::int32_t, std::int64_t>& committed);
  // Starts (or restarts) a partition's pipeline at its durable checkpoint, seeking there unless
  // `seek` is false (librdkafka fetches from there already). False (and back to restoring) when
  // librdkafka cannot seek there yet.
  // `at`: where to read from instead of the durable checkpoint (an anchor to verify, the log
  // start).
  bool start_pipeline(std::int32_t partition, PartitionState& ps, bool seek = true,
                      std::optional<std::int64_t> at = std::nullopt);
  // The user's auto.offset.reset as a logical offset; nullopt for "error": a partition with
  // nothing to start from ends the run.
  std::optional<std::int64_t> logical_start() const;
  // The partition's log range; false (warned) when the leader did not answer in time.
  bool log_range(std::int32_t partition, pipeline::LogRange& out);
  // Starts a restored partition as its plan says, once its start is checked against the log
  // (pipeline/log_check.h). False: the run ends.
  bool apply_start_plan(std::int32_t partition, PartitionState& ps, const pipeline::StartPlan& plan,
                        std::optional<std::int64_t> commit);
  // The partition's state does not match its log: ends the run (--on-log-mismatch fail) or
  // starts the partition over from its log start with an empty aggregate. False: the run ends.
  bool log_mismatch(std::int32_t partition, PartitionState& ps, const std::string& what);
  // A record below the durable offset came without a seek there: librdkafka may have reset a
  // position the log no longer has (auto.offset.reset). A mismatch if the log ends below it.
  void check_log_behind(std::int32_t partition, PartitionState& ps, TimePoint now);
  // Compares the record at a restored anchor's offset; false when the partition started over or
  // the run ends (the record must not be used).
  bool verify_anchor(std::int32_t partition, PartitionState& ps, const kafka::Message& msg);
  // Every partition restores its last committed checkpoint again (a producer recovery).
  void restore_all();
  // Drops the records a partition held while restoring.
  void drop_held(std::int32_t partition, PartitionState& ps);

  // CommitHost (loop.cpp, assignment.cpp): what the committer uses of the session.
  const ConsumeOptions& options() const override { return opt_; }
  pipeline::ConsumerCore& core() override { return core_; }
  stats::ConsumerMetrics& metrics() override { return metrics_; }
  kafka::Producer& producer() override { return *producer_; }
  kafka::Consumer& consumer() override { return *consumer_; }
  std::size_t dead_letters_in_flight() const override { return outbox_.in_flight(); }

  // Carries out what a committer call left to the session; returns f.ok.
  bool follow(Followup f);
  // A fatal producer error (fenced, or a broken idempotent/transactional state) ends the run,
  // unless the committer has the session replace the producer (exactly-once,
  // on_producer_failure).
  void producer_failed(std::string_view step, const Error& e);
  // Restarts every running partition (except `keep`) at its durable checkpoint.
  void rewind_all(const std::set<int>* keep);

  const ConsumeOptions& opt_;
  pipeline::Processor& processor_;
  stats::ConsumerMetrics metrics_;
  stats::LatencyHistogram latency_;
  stats::LatencyHistogram retry_lateness_;
  // The partitions, their flow control, the run's lifecycle, the restore and commit schedules:
  // the decisions above one partition's pipeline (pipeline/consumer_core.h).
  pipeline::ConsumerCore core_;
  // The records each restoring partition holds (librdkafka's: they stay on this side).
  std::map<std::int32_t, std::vector<kafka::Message>> held_;
  pipeline::DeadLetterOutbox outbox_;
  std::optional<int> dlq_partitions_;
  // The producer's message.max.bytes: a larger dead letter is written without its value.
  std::size_t dlq_max_bytes_ = 1'000'000;
  // Dead letters (source partition, offset) the DLQ refused as too large: written without value.
  std::set<std::pair<std::int32_t, std::int64_t>> dlq_omit_value_;
  kafka::Properties producer_props_;
  std::set<int> reported_errors_;
  TimePoint next_topic_check_{};  // of the aggregates topic, after failed checkpoint writes
  // Test hook (ConsumeOptions::test_stall_partition), used up once.
  std::optional<std::int32_t> stall_test_partition_;

  // --http (null without it). The site outlives the server that reads it.
  std::unique_ptr<observe::ConsumerSite> site_;
  std::unique_ptr<http::Server> server_;
  TimePoint next_publish_{};
  TimePoint next_history_{};
  std::deque<observe::DeadLetterView> recent_dead_letters_;
  std::deque<observe::RatePoint> history_;
  std::vector<observe::RdkafkaStats> client_stats_;  // consumer, producer
  // -v: everything this run processed, for the running totals of the per-order lines.
  stats::Aggregate seen_;

  std::optional<TimePoint> first_consumed_;
  TimePoint last_finished_{};
  TimePoint next_summary_ = Clock::now();

  // Chosen once by the semantics. The producer's delivery reports reach it: it outlives them.
  std::unique_ptr<Committer> committer_;

  // Declared last: destroyed first, while the state their callbacks touch still exists.
  std::unique_ptr<CheckpointReader> reader_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Consumer> consumer_;
};

}  // namespace consume::detail
