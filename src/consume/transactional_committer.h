#pragma once
// Exactly-once: one Kafka transaction per batch holding the batch's dead letters (written into
// the open transaction as they happen), one checkpoint per partition that advanced, and the
// consumed offsets with the group metadata (send_offsets_to_transaction, KIP-447). An abortable
// error aborts it and rewinds every partition to its last committed checkpoint; a fatal one
// ends the run, unless it is librdkafka's reaction to the coordinator's own abort (an outage
// longer than transaction.timeout.ms) or a conflicting abort: then the session replaces the
// producer (pipeline/producer_recovery.h).
#include <map>
#include <memory>
#include <optional>

#include "consume/committer.h"
#include "kafka/transaction.h"
#include "pipeline/dead_letter_resend.h"
#include "pipeline/transaction_policy.h"

namespace consume::detail {

class TransactionalCommitter final : public Committer {
 public:
  explicit TransactionalCommitter(CommitHost& host);

  void configure_producer(kafka::Properties& props) const override;
  void start() override;
  Followup commit_batch(const std::set<int>* only, std::chrono::milliseconds budget,
                        bool blocking) override;
  // The transaction carries the offsets.
  kafka::Error commit_offsets(const std::set<int>*, bool) override { return {}; }
  Followup reports_served() override;
  Followup partitions_lost(const std::set<int>& lost) override;
  void restored(std::int32_t, std::int64_t) override {}
  void pipeline_started(std::int32_t partition) override { staged_.erase(partition); }
  void forget(std::int32_t partition) override;
  Followup before_dead_letter(PartitionState& ps, std::int32_t partition,
                              std::int64_t offset) override;
  void dead_letter_failed(std::int32_t partition, std::int64_t offset,
                          const std::string& error) override;
  void on_checkpoint_report(const kafka::DeliveryReport& report) override;
  std::size_t checkpoints_in_flight() const override { return 0; }  // waited for by commit
  Tally& tally(std::int32_t partition) override { return staged_[partition]; }
  void add_pending_to(stats::ConsumerMetrics& m) const override;
  void settle(stats::ConsumerMetrics&) override {}  // work not committed does not count
  pipeline::RecoveryDecision on_producer_failure(const kafka::Error& e) override;
  kafka::Error producer_replaced() override;
  const std::string& transactional_id() const override;
  std::string status() const override;

 private:
  struct Item {
    pipeline::Checkpoint checkpoint;
    std::uint64_t progress;  // the pipeline's progress() it covers
  };

  bool open() const { return txn_ && txn_->open(); }
  // Not ok when no transaction is open after it.
  Followup begin();
  // The checkpoints of the partitions that advanced since their durable one.
  std::vector<Item> due_checkpoints() const;
  Followup write_checkpoints(const std::vector<Item>& items);
  Followup commit(const std::vector<Item>& items, TimePoint deadline);
  void committed(std::vector<Item>& items, TimePoint started, TimePoint committing);
  // Carries out the policy's reaction to a failed step (the abort, or the producer's failure).
  Followup react(const pipeline::TxnReaction& r, const kafka::Error& e);
  // Aborts the open transaction; the session then rewinds every running partition (but `keep`).
  Followup abort(const std::string& reason, const std::set<int>* keep);

  CommitHost& host_;
  std::unique_ptr<kafka::Transaction> txn_;
  pipeline::TransactionPolicy policy_;
  pipeline::FailedDeadLetters failed_dead_letters_;
  std::map<std::int32_t, Tally> staged_;  // work since the last commit
};

}  // namespace consume::detail
