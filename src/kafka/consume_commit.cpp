// Committing batches: one Kafka transaction per batch (exactly-once), or checkpoints followed by
// offset commits (at-least-once).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "kafka/consume_session.h"
#include "pipeline/checkpoint.h"
#include "util/stop_signal.h"

namespace kafka::detail {
namespace {

using namespace std::chrono_literals;

constexpr auto kRetryPause = 100ms;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::milliseconds remaining(TimePoint deadline) {
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()),
                  1ms);
}

bool is_fencing(const Error& e) {
  return e.code == RdKafka::ERR__FENCED || e.code == RdKafka::ERR_PRODUCER_FENCED ||
         e.code == RdKafka::ERR_INVALID_PRODUCER_EPOCH ||
         e.code == RdKafka::ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
}

}  // namespace

void ConsumeSession::producer_failed(std::string_view step, const Error& e) {
  std::string text = e.message;
  const std::string prefix = "fatal producer error: ";
  if (text.rfind(prefix, 0) == 0) text.erase(0, prefix.size());
  if (eos() && (is_fencing(e) || text.find("fenced") != std::string::npos)) {
    text +=
        " (transactional.id '" + opt_.transactional_id + "' fenced by another process using it)";
  }
  set_fatal(fmt::format("fatal producer error in {}: {}", step, text));
}

bool ConsumeSession::flush_outputs(std::chrono::milliseconds budget, bool checkpoints) {
  const auto deadline = Clock::now() + budget;
  auto pending = [&] {
    return outbox_.in_flight() > 0 || (checkpoints && checkpoint_count_in_flight_ > 0);
  };
  while (pending() && Clock::now() < deadline && doomed_.empty()) producer_->poll(20ms);
  producer_->poll(0ms);
  return !pending();
}

void ConsumeSession::record_commit_latency(PartitionState& ps, TimePoint now) {
  for (const auto& [offset, consumed_at] : ps.uncommitted)
    commit_latency_.record(now - consumed_at);
  ps.uncommitted.clear();
}

bool ConsumeSession::checkpoint_due(const PartitionState& ps, std::uint64_t covered) const {
  // Every move of the commit offset is a record finishing, so progress alone tells.
  return ps.pipeline->commit_offset() && ps.pipeline->progress() > covered;
}

bool ConsumeSession::commit_batch(const std::set<int>* only, std::chrono::milliseconds budget,
                                  bool blocking) {
  if (fatal_) return false;
  if (eos()) return commit_transaction(budget);
  // Dead letters acknowledged first: their offsets then count as finished.
  if (blocking) flush_outputs(budget, false);
  write_checkpoints(only);
  schedule_.committed();
  return !blocking || flush_outputs(budget, true);
}

bool ConsumeSession::begin_transaction() {
  if (txn_open_) return true;
  Error e = producer_->begin_transaction();
  if (e) {
    if (e.fatal || is_fencing(e)) {
      producer_failed("begin_transaction", e);
    } else {
      doomed_ = "cannot begin a transaction: " + e.message;
    }
    return false;
  }
  txn_open_ = true;
  return true;
}

bool ConsumeSession::commit_transaction(std::chrono::milliseconds budget) {
  const auto started = Clock::now();
  const auto deadline = started + budget;
  // Every dead letter of the batch must be acknowledged before its offset is committed; one
  // still in flight would be committed in the DLQ while its source record is read again.
  if (!flush_outputs(budget, false) && doomed_.empty()) {
    doomed_ = "dead letters not acknowledged in time";
  }
  if (!doomed_.empty()) {
    abort_and_rewind(doomed_, nullptr);
    return false;
  }
  struct Item {
    std::int32_t partition;
    std::int64_t offset;
    stats::Aggregate aggregate;
    pipeline::FinishedSet finished;
    std::uint64_t progress;
  };
  std::vector<Item> items;
  std::vector<TopicPartitionOffset> offsets;
  // Every partition, also on a revoke of some: the open transaction may hold any partition's
  // dead letters, and their offsets must commit with them.
  for (auto& [p, ps] : partitions_) {
    if (ps.restoring) continue;
    if (!checkpoint_due(ps, ps.durable_progress)) continue;
    const auto next = *ps.pipeline->commit_offset();
    items.push_back({p, next, ps.pipeline->checkpoint_aggregate(), ps.pipeline->finished_above(),
                     ps.pipeline->progress()});
    offsets.push_back({opt_.topic, p, next});
  }
  if (items.empty() && !txn_open_) {
    schedule_.committed();
    return true;
  }
  if (!begin_transaction()) {
    if (!fatal_) abort_and_rewind(doomed_, nullptr);
    return false;
  }
  for (const auto& item : items) {
    pipeline::Checkpoint c{opt_.topic, item.partition, item.offset,  item.aggregate,
                           opt_.group, wall_ms(),      item.finished};
    Error e = producer_->produce(opt_.aggregates_topic,
                                 pipeline::checkpoint_key(opt_.topic, item.partition),
                                 pipeline::encode_checkpoint(c));
    if (e) {
      if (e.fatal) {
        producer_failed("writing a checkpoint", e);
        return false;
      }
      abort_and_rewind("checkpoint not written: " + e.message, nullptr);
      return false;
    }
  }
  // Retriable failures (timeouts, a coordinator moving) are repeated within the budget.
  auto with_retries = [&](auto&& call) {
    while (true) {
      Error e = call();
      if (!e || !e.retriable || e.fatal || e.txn_requires_abort || Clock::now() >= deadline) {
        return e;
      }
      spdlog::debug("transaction step failed, retrying: {}", e.message);
      producer_->poll(kRetryPause);
    }
  };
  auto fail = [&](const char* step, const Error& e) {
    if (e.fatal || is_fencing(e)) {
      producer_failed(step, e);
      return false;
    }
    abort_and_rewind(fmt::format("{} failed: {}", step, e.message), nullptr);
    return false;
  };
  if (!offsets.empty()) {
    auto group = consumer_->group_metadata();
    if (!group) return fail("send_offsets_to_transaction", Error::from_code(RdKafka::ERR__STATE));
    Error e = with_retries([&] {
      return producer_->send_offsets_to_transaction(offsets, *group, remaining(deadline));
    });
    if (e) return fail("send_offsets_to_transaction", e);
  }
  const auto committing = Clock::now();
  Error e = with_retries([&] { return producer_->commit_transaction(remaining(deadline)); });
  if (e) return fail("commit_transaction", e);

  txn_open_ = false;
  ++metrics_.transactions_committed;
  metrics_.checkpoints_written += items.size();
  const auto now = Clock::now();
  for (auto& item : items) {
    PartitionState& ps = partitions_.at(item.partition);
    ps.durable_offset = item.offset;
    ps.durable_aggregate = std::move(item.aggregate);
    ps.durable_finished = std::move(item.finished);
    ps.durable_progress = item.progress;
    ps.written_progress = item.progress;
    record_commit_latency(ps, now);
  }
  for (auto& [p, ps] : partitions_) {
    if (ps.restoring) continue;
    ps.staged.add_to(metrics_);
    ps.staged = {};
  }
  schedule_.committed();
  if (!items.empty()) last_committed_ = now;
  spdlog::debug("Transaction committed: {} checkpoint(s), {} ms ({} ms in commit_transaction)",
                items.size(),
                std::chrono::duration_cast<std::chrono::milliseconds>(now - started).count(),
                std::chrono::duration_cast<std::chrono::milliseconds>(now - committing).count());
  return true;
}

void ConsumeSession::abort_and_rewind(const std::string& reason, const std::set<int>* skip) {
  spdlog::warn("Aborting the transaction ({}); rewinding to the last committed checkpoints",
               reason);
  // Reports served from here on (aborting purges the batch's messages and serves their
  // reports) belong to the aborted batch.
  for (auto& [p, ps] : partitions_) ps.epoch = next_epoch_++;
  if (txn_open_) {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (true) {
      Error e = producer_->abort_transaction(remaining(deadline));
      if (!e) break;
      if (e.fatal || !e.retriable || Clock::now() >= deadline) {
        producer_failed("abort_transaction", e);
        return;
      }
      producer_->poll(kRetryPause);
    }
  }
  txn_open_ = false;
  doomed_.clear();
  ++metrics_.transactions_aborted;
  rewind_all(skip);
  schedule_.failed(Clock::now());
}

void ConsumeSession::write_checkpoints(const std::set<int>* only) {
  for (auto& [p, ps] : partitions_) {
    if (ps.restoring || (only && !only->count(p))) continue;
    if (!checkpoint_due(ps, ps.written_progress)) continue;
    const auto next = ps.pipeline->commit_offset();
    pipeline::Checkpoint c{opt_.topic,
                           p,
                           *next,
                           ps.pipeline->checkpoint_aggregate(),
                           opt_.group,
                           wall_ms(),
                           ps.pipeline->finished_above()};
    Error e = producer_->produce(opt_.aggregates_topic, pipeline::checkpoint_key(opt_.topic, p),
                                 pipeline::encode_checkpoint(c));
    if (e) {
      spdlog::warn("Checkpoint of {}[{}] not written (offsets wait for the next one): {}",
                   opt_.topic, p, e.message);
      if (e.fatal) producer_failed("writing a checkpoint", e);
      continue;
    }
    checkpoints_in_flight_[p].push_back(
        {ps.epoch, *next, std::move(c.aggregate), std::move(c.finished), ps.pipeline->progress()});
    ++checkpoint_count_in_flight_;
    ps.checkpoint_written = *next;
    ps.written_progress = ps.pipeline->progress();
  }
}

void ConsumeSession::on_checkpoint_report(const DeliveryReport& report) {
  if (eos()) {
    // The transaction's outcome is what counts; a failed write makes it abortable anyway.
    if (!report.ok() && txn_open_ && doomed_.empty()) {
      doomed_ = "checkpoint not written: " + std::string(report.reason);
    }
    return;
  }
  const auto key = pipeline::parse_checkpoint_key(report.key);
  if (!key) return;
  auto q = checkpoints_in_flight_.find(key->second);
  if (q == checkpoints_in_flight_.end() || q->second.empty()) return;
  // One source partition's checkpoints share a key, so they are reported in produce order.
  InFlightCheckpoint item = std::move(q->second.front());
  q->second.pop_front();
  --checkpoint_count_in_flight_;
  auto it = partitions_.find(key->second);
  if (it == partitions_.end() || it->second.restoring || it->second.epoch != item.epoch) return;
  PartitionState& ps = it->second;
  if (!report.ok()) {
    spdlog::warn("Checkpoint of {}[{}] at {} not written (written again with the next batch): {}",
                 opt_.topic, key->second, item.offset, report.reason);
    ps.checkpoint_written = ps.durable_offset;
    ps.written_progress = ps.durable_progress;
    return;
  }
  ++metrics_.checkpoints_written;
  if (item.progress >= ps.durable_progress) {
    ps.durable_offset = item.offset;
    ps.durable_aggregate = std::move(item.aggregate);
    ps.durable_finished = std::move(item.finished);
    ps.durable_progress = item.progress;
  }
}

Error ConsumeSession::commit_acked_offsets(const std::set<int>* only, bool sync) {
  std::vector<TopicPartitionOffset> offsets;
  const auto now = Clock::now();
  for (auto& [p, ps] : partitions_) {
    if (ps.restoring || (only && !only->count(p)) || !ps.durable_offset) continue;
    if (ps.offset_committed && *ps.offset_committed >= *ps.durable_offset) continue;
    offsets.push_back({opt_.topic, p, *ps.durable_offset});
    ps.offset_committed = ps.durable_offset;
    record_commit_latency(ps, now);
  }
  if (offsets.empty()) return {};
  Error e = sync ? consumer_->commit_sync(offsets) : consumer_->commit_async(offsets);
  if (!e) {
    last_committed_ = Clock::now();
    for (const auto& tp : offsets) {
      spdlog::debug("Committed {}[{}] at {}", tp.topic, tp.partition, tp.offset);
    }
  }
  return e;
}

}  // namespace kafka::detail
