#pragma once
// The transactional re-publisher behind `orders dlq replay`.
//
// Each batch of handled DLQ records is one Kafka transaction: the re-published records and the
// replay group's new DLQ offsets commit together or not at all. An interrupted or crashed run
// leaves an aborted (invisible to read_committed readers) or committed batch, never half of one,
// and the next run with the same group starts right after the last committed batch. The
// transactional.id is derived from the group and the DLQ topic, so a new run of the same replay
// fences off a stuck old one, while replays of different DLQs run side by side.
//
// A record whose target is refused (dlq::TargetRules, an out-of-range partition) stops the run
// before it, so the group never commits past it, unless skip_refused passes it over. Refused
// records are logged one by one and listed in the report.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dlq/dlq_record.h"
#include "dlq/replay_plan.h"
#include "dlq/replay_report.h"
#include "dlq_tools/options.h"
#include "dlq_tools/source.h"
#include "kafka/config.h"
#include "kafka/group_metadata.h"
#include "kafka/producer.h"
#include "kafka/transaction.h"
#include "registry/framed_reader.h"

namespace dlq_tools {

class Replayer {
 public:
  // `options` must outlive the replayer. `producer_props` carry the transactional.id.
  Replayer(const ReplayOptions& options, dlq::ReplayOptions plan, DlqSourceOptions source,
           kafka::Properties producer_props);

  // Throws KafkaException/ConfigError when the clients cannot be set up.
  void run();

  const dlq::ReplayReport& report() const { return report_; }
  const dlq::ReplayRunInfo& info() const { return info_; }

 private:
  using Clock = std::chrono::steady_clock;

  void start_producer();
  void loop();
  // Waits until the rate limit allows the next record. False: stop the run.
  bool pace(Clock::time_point started);
  bool check_target(const dlq::DlqRecord& record, dlq::ReplayDecision& decision);
  void show_planned(const dlq::DlqRecord& record, const dlq::OutgoingRecord& out, std::uint64_t n);
  bool ensure_transaction();
  bool send(const dlq::DlqRecord& record, const dlq::OutgoingRecord& out);
  bool commit();
  void abort(const std::string& why);
  bool txn_open() const { return txn_ && txn_->open(); }
  void clear_pending();

  const ReplayOptions& options_;
  const dlq::ReplayOptions plan_;
  const DlqSourceOptions source_options_;
  const kafka::Properties producer_props_;

  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Transaction> txn_;  // after producer_: it refers to it
  std::unique_ptr<DlqSource> source_;
  std::unique_ptr<registry::FramedReader> framed_;  // shows framed values; never changes them
  kafka::GroupMetadata group_;
  std::map<std::string, std::optional<int>> partitions_;

  dlq::ReplayReport report_;   // committed batches only
  dlq::ReplayReport pending_;  // the open transaction
  std::map<std::int32_t, std::int64_t> pending_offsets_;
  std::uint32_t pending_handled_ = 0;
  std::uint64_t replayed_ = 0;  // committed + pending, for --limit and --rate
  Clock::time_point txn_started_;
  std::vector<std::string> delivery_errors_;
  dlq::ReplayRunInfo info_;
};

}  // namespace dlq_tools
