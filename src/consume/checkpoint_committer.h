#pragma once
// At-least-once: checkpoints written by an idempotent producer (acks=all); a partition's offset
// is committed only up to its last acknowledged checkpoint, so the committed offset never passes
// what a checkpoint covers. Finished work counts in the metrics at once.
#include <map>

#include "consume/committer.h"
#include "pipeline/checkpoints_in_flight.h"

namespace consume::detail {

class CheckpointCommitter final : public Committer {
 public:
  explicit CheckpointCommitter(CommitHost& host) : host_(host) {}

  void configure_producer(kafka::Properties& props) const override {
    props.erase("transactional.id");
  }
  void start() override {}
  Followup commit_batch(const std::set<int>* only, std::chrono::milliseconds budget,
                        bool blocking) override;
  kafka::Error commit_offsets(const std::set<int>* only, bool sync) override;
  Followup reports_served() override { return {}; }
  // Their checkpoints in flight are forgotten with them.
  Followup partitions_lost(const std::set<int>&) override { return {}; }
  void restored(std::int32_t partition, std::int64_t committed) override {
    marks_[partition].committed = committed;
  }
  void pipeline_started(std::int32_t partition) override;
  void forget(std::int32_t partition) override;
  Followup before_dead_letter(PartitionState&, std::int32_t, std::int64_t) override { return {}; }
  // The pipeline offers it again after the resend delay.
  void dead_letter_failed(std::int32_t, std::int64_t, const std::string&) override {}
  void on_checkpoint_report(const kafka::DeliveryReport& report) override;
  std::size_t checkpoints_in_flight() const override { return in_flight_.count(); }
  Tally& tally(std::int32_t) override { return direct_; }
  void add_pending_to(stats::ConsumerMetrics& m) const override { direct_.add_to(m); }
  void settle(stats::ConsumerMetrics& m) override;
  const std::string& transactional_id() const override { return no_id_; }
  std::string status() const override { return {}; }

 private:
  // Waits for dead letters (and, with `checkpoints`, checkpoints) to be acknowledged.
  bool flush(std::chrono::milliseconds budget, bool checkpoints);
  Followup write_checkpoints(const std::set<int>* only);

  // How far a partition's checkpoints and offsets got.
  struct Marks {
    std::optional<std::int64_t> written;    // checkpoint handed to the producer (or acknowledged)
    std::uint64_t written_progress = 0;     // the pipeline progress() it covers
    std::optional<std::int64_t> committed;  // offset commit requested
  };

  CommitHost& host_;
  std::map<std::int32_t, Marks> marks_;
  pipeline::CheckpointsInFlight in_flight_;
  Tally direct_;  // applied to the metrics as it happens
  const std::string no_id_;
};

}  // namespace consume::detail
