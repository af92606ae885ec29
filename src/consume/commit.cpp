// Committing batches: one Kafka transaction per batch (exactly-once), or checkpoints followed by
// offset commits (at-least-once).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "consume/session.h"
#include "pipeline/checkpoint.h"
#include "util/stop_signal.h"

namespace consume::detail {
namespace {

using namespace std::chrono_literals;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void ConsumeSession::producer_failed(std::string_view step, const Error& e) {
  std::string text = e.message;
  const std::string prefix = "fatal producer error: ";
  if (text.rfind(prefix, 0) == 0) text.erase(0, prefix.size());
  if (eos() && (kafka::is_fencing(e) || text.find("fenced") != std::string::npos)) {
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

void ConsumeSession::record_commit_latency(PartitionState& ps, std::int64_t committed_offset,
                                           TimePoint now) {
  while (!ps.uncommitted.empty() && ps.uncommitted.front().first < committed_offset) {
    commit_latency_.record(now - ps.uncommitted.front().second);
    ps.uncommitted.pop_front();
  }
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
  Error e = txn_->begin();
  if (e) {
    if (kafka::ends_producer(e)) {
      producer_failed("begin_transaction", e);
    } else {
      doomed_ = "cannot begin a transaction: " + e.message;
    }
    return false;
  }
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
  };
  std::vector<Item> items;
  std::vector<TopicPartitionOffset> offsets;
  // Every partition, also on a revoke of some: the open transaction may hold any partition's
  // dead letters, and their offsets must commit with them.
  const auto plan = pipeline::plan_commit(candidates(
      nullptr, [](const PartitionState& ps) { return ps.pipeline->commit_offset(); },
      [](const PartitionState& ps) { return ps.durable_offset; }));
  for (const auto& c : plan) {
    items.push_back(
        {c.partition, c.offset, partitions_.at(c.partition).pipeline->checkpoint_aggregate()});
    offsets.push_back({opt_.topic, c.partition, c.offset});
  }
  if (items.empty() && !txn_open()) {
    schedule_.committed();
    return true;
  }
  if (!begin_transaction()) {
    if (!fatal_) abort_and_rewind(doomed_, nullptr);
    return false;
  }
  for (const auto& item : items) {
    pipeline::Checkpoint c{opt_.topic,     item.partition, item.offset,
                           item.aggregate, opt_.group,     wall_ms()};
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
  const auto committing = Clock::now();
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> group;
  if (!offsets.empty()) group = consumer_->group_metadata();
  if (Error e = txn_->commit(offsets, group.get(), deadline)) {
    if (kafka::ends_producer(e)) {
      producer_failed(txn_->failed_step(), e);
    } else {
      abort_and_rewind(fmt::format("{} failed: {}", txn_->failed_step(), e.message), nullptr);
    }
    return false;
  }
  ++metrics_.transactions_committed;
  metrics_.checkpoints_written += items.size();
  const auto now = Clock::now();
  for (auto& item : items) {
    PartitionState& ps = partitions_.at(item.partition);
    ps.durable_offset = item.offset;
    ps.durable_aggregate = std::move(item.aggregate);
    record_commit_latency(ps, item.offset, now);
  }
  for (auto& [p, ps] : partitions_) {
    if (ps.restoring()) continue;
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
  for (auto& [p, ps] : partitions_) ps.epoch = epochs_.next();
  if (Error e = txn_->abort(Clock::now() + std::chrono::seconds(30))) {
    producer_failed("abort_transaction", e);
    return;
  }
  doomed_.clear();
  ++metrics_.transactions_aborted;
  rewind_all(skip);
  schedule_.failed(Clock::now());
}

void ConsumeSession::write_checkpoints(const std::set<int>* only) {
  const auto plan = pipeline::plan_commit(candidates(
      only, [](const PartitionState& ps) { return ps.pipeline->commit_offset(); },
      [](const PartitionState& ps) { return ps.checkpoint_written; }));
  for (const auto& [p, next_offset] : plan) {
    PartitionState& ps = partitions_.at(p);
    const std::optional<std::int64_t> next = next_offset;
    pipeline::Checkpoint c{opt_.topic, p,        *next, ps.pipeline->checkpoint_aggregate(),
                           opt_.group, wall_ms()};
    Error e = producer_->produce(opt_.aggregates_topic, pipeline::checkpoint_key(opt_.topic, p),
                                 pipeline::encode_checkpoint(c));
    if (e) {
      spdlog::warn("Checkpoint of {}[{}] not written (offsets wait for the next one): {}",
                   opt_.topic, p, e.message);
      if (e.fatal) producer_failed("writing a checkpoint", e);
      continue;
    }
    checkpoints_in_flight_[p].push_back({ps.epoch, *next, std::move(c.aggregate)});
    ++checkpoint_count_in_flight_;
    ps.checkpoint_written = *next;
  }
}

void ConsumeSession::on_checkpoint_report(const DeliveryReport& report) {
  if (eos()) {
    // The transaction's outcome is what counts; a failed write makes it abortable anyway.
    if (!report.ok() && txn_open() && doomed_.empty()) {
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
  if (!pipeline::report_is_current(running_epoch(key->second), item.epoch)) return;
  PartitionState& ps = partitions_.at(key->second);
  if (!report.ok()) {
    spdlog::warn("Checkpoint of {}[{}] at {} not written (written again with the next batch): {}",
                 opt_.topic, key->second, item.offset, report.reason);
    ps.checkpoint_written = ps.durable_offset;
    return;
  }
  ++metrics_.checkpoints_written;
  if (!ps.durable_offset || *ps.durable_offset < item.offset) {
    ps.durable_offset = item.offset;
    ps.durable_aggregate = std::move(item.aggregate);
  }
}

Error ConsumeSession::commit_acked_offsets(const std::set<int>* only, bool sync) {
  std::vector<TopicPartitionOffset> offsets;
  const auto now = Clock::now();
  const auto plan = pipeline::plan_commit(candidates(
      only, [](const PartitionState& ps) { return ps.durable_offset; },
      [](const PartitionState& ps) { return ps.offset_committed; }));
  for (const auto& c : plan) {
    PartitionState& ps = partitions_.at(c.partition);
    offsets.push_back({opt_.topic, c.partition, *ps.durable_offset});
    ps.offset_committed = ps.durable_offset;
    record_commit_latency(ps, *ps.durable_offset, now);
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

}  // namespace consume::detail
