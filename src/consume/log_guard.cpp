// A partition's restored position against its log: range checks at restore and mid-run, the
// anchor check, and what a mismatch does (pipeline/log_check.h decides; this applies).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "consume/session.h"
#include "kafka/record.h"
#include "util/stop_signal.h"

namespace consume::detail {
namespace {

using namespace std::chrono_literals;

constexpr auto kWatermarkTimeout = 5s;
constexpr auto kCommitBudget = 10s;  // as on a revoke
constexpr const char* kStartOverFlag = "--on-log-mismatch start-over";

}  // namespace

bool ConsumeSession::log_range(std::int32_t partition, pipeline::LogRange& out) {
  kafka::Consumer::Watermarks w;
  if (Error e = consumer_->query_watermarks(opt_.topic, partition,
                                            util::stop_bounded(kWatermarkTimeout), w)) {
    spdlog::warn("Partition {}[{}]: cannot read its log range yet ({}); trying again", opt_.topic,
                 partition, e.message);
    return false;
  }
  out = {w.low, w.high};
  return true;
}

bool ConsumeSession::log_mismatch(std::int32_t partition, PartitionState& ps,
                                  const std::string& what) {
  const bool refusing = opt_.on_log_mismatch == LogMismatch::fail;
  const std::string message =
      pipeline::log_mismatch_message(opt_.topic, partition, what, kStartOverFlag, refusing);
  if (refusing) {
    set_fatal(message);
    return false;
  }
  spdlog::warn("{}", message);
  ++metrics_.partitions_started_over;
  ps.started_over();
  core_.started_over(partition);
  committer_->restored(partition, -1);  // what the group committed belongs to the old log
  if (!start_pipeline(partition, ps, true, kafka::kOffsetBeginning)) {
    // Not sought yet: restored again, which checks the log again and lands here once more.
    return !core_.run().failed();
  }
  return true;
}

void ConsumeSession::check_log_behind(std::int32_t partition, PartitionState& ps, TimePoint now) {
  if (!ps.log_check_due(now)) return;
  pipeline::LogRange log;
  if (!log_range(partition, log)) return;
  const auto check = pipeline::check_start(ps.durable_offset, std::nullopt, log);
  if (check.kind != pipeline::StartCheck::Kind::mismatch) return;  // a record delivered again
  // Whatever finished of this partition is real work on records it read: committed first (as
  // on a revoke), so the open batch stays consistent, then decided.
  const std::set<int> only{partition};
  follow(committer_->commit_batch(&only, util::stop_requested() ? util::kStopBudget : kCommitBudget,
                                  true));
  log_mismatch(partition, ps,
               fmt::format("the consumer was moved back below its committed checkpoint at "
                           "offset {}: {}",
                           *ps.durable_offset, check.reason));
}

bool ConsumeSession::verify_anchor(std::int32_t partition, PartitionState& ps,
                                   const kafka::Message& msg) {
  const auto b = kafka::bytes_of(msg);
  const auto fingerprint = pipeline::record_fingerprint(b.timestamp_ms, b.key, b.value);
  switch (pipeline::check_anchor(*ps.verify, msg.offset(), fingerprint)) {
    case pipeline::AnchorCheck::pending:
      return true;
    case pipeline::AnchorCheck::verified:
      spdlog::debug("Partition {}[{}]: the record at {} is the checkpoint's anchor", opt_.topic,
                    partition, msg.offset());
      ps.anchor_settled();
      return true;
    case pipeline::AnchorCheck::unverifiable:
      spdlog::info(
          "Partition {}[{}]: the checkpoint's anchor record at {} is gone from the log "
          "(retention or compaction); the log range was checked",
          opt_.topic, partition, ps.verify->offset);
      ps.anchor_settled();
      return true;
    case pipeline::AnchorCheck::mismatch:
      break;
  }
  const auto what = fmt::format(
      "the record at offset {} is not the one the checkpoint at offset {} covered (fingerprint "
      "{:016x}, expected {:016x})",
      msg.offset(), ps.durable_offset.value_or(-1), fingerprint, ps.verify->fingerprint);
  log_mismatch(partition, ps, what);
  return false;
}

}  // namespace consume::detail
