// At-least-once: checkpoints first, offsets once they are acknowledged.
#include "consume/checkpoint_committer.h"

#include <spdlog/spdlog.h>

#include "pipeline/epoch.h"
#include "util/stop_signal.h"

namespace consume::detail {

using kafka::Error;

namespace {

// A synchronous commit (revoke, shutdown) waits this long for its result at most.
constexpr std::chrono::milliseconds kSyncCommitTimeout{30000};

}  // namespace

void CheckpointCommitter::pipeline_started(std::int32_t partition) {
  // A new pipeline counts its progress from 0, at its durable checkpoint.
  marks_[partition].written = host_.core().partitions().at(partition).durable_offset;
  marks_[partition].written_progress = 0;
}

void CheckpointCommitter::forget(std::int32_t partition) {
  marks_.erase(partition);
  in_flight_.forget(partition);
}

void CheckpointCommitter::settle(stats::ConsumerMetrics& m) {
  direct_.add_to(m);
  direct_ = {};
}

bool CheckpointCommitter::flush(std::chrono::milliseconds budget, bool checkpoints) {
  return await_reports(
      host_.producer(), budget,
      [&] { return host_.dead_letters_in_flight() > 0 || (checkpoints && in_flight_.count() > 0); },
      [] { return false; });
}

Followup CheckpointCommitter::commit_batch(const std::set<int>* only,
                                           std::chrono::milliseconds budget, bool blocking) {
  if (host_.core().run().cannot_commit()) return Followup::failed();
  // Dead letters acknowledged first: their offsets then count as finished.
  if (blocking) flush(budget, false);
  Followup f = write_checkpoints(only);
  host_.core().schedule().committed();
  if (blocking && !flush(budget, true)) f.ok = false;
  return f;
}

Followup CheckpointCommitter::write_checkpoints(const std::set<int>* only) {
  const auto& opt = host_.options();
  const auto plan = pipeline::plan_commit(candidates(
      host_.core().partitions(), only,
      [](auto, const PartitionState& ps) { return ps.pipeline->commit_offset(); },
      [this](std::int32_t p, const PartitionState&) { return marks_[p].written; },
      [this](std::int32_t p, const PartitionState&) { return marks_[p].written_progress; }));
  for (const auto& [p, next] : plan) {
    PartitionState& ps = host_.core().partitions().at(p);
    pipeline::Checkpoint c = checkpoint_at(opt, p, next, ps);
    if (Error e = produce_checkpoint(host_, c)) {
      spdlog::warn("Checkpoint of {}[{}] not written (offsets wait for the next one): {}",
                   opt.topic, p, e.message);
      // The rest wait for the next batch; a fatal error ends the producer for all of them.
      if (e.fatal) return producer_failure("writing a checkpoint", e);
      continue;
    }
    in_flight_.sent(p, {ps.epoch, next, std::move(c.aggregate), std::move(c.finished),
                        ps.pipeline->progress()});
    marks_[p].written = next;
    marks_[p].written_progress = ps.pipeline->progress();
  }
  return {};
}

void CheckpointCommitter::on_checkpoint_report(const kafka::DeliveryReport& report) {
  const auto key = pipeline::parse_checkpoint_key(report.key);
  if (!key) return;
  const std::int32_t partition = key->partition;
  auto item = in_flight_.reported(partition);
  if (!item || !pipeline::report_is_current(host_.core().running_epoch(partition), item->epoch))
    return;
  PartitionState& ps = host_.core().partitions().at(partition);
  if (!report.ok()) {
    spdlog::warn("Checkpoint of {}[{}] at {} not written (written again with the next batch): {}",
                 host_.options().topic, partition, item->offset, report.reason);
    marks_[partition].written = ps.durable_offset;
    marks_[partition].written_progress = ps.durable_progress;
    return;
  }
  ++host_.metrics().checkpoints_written;
  ps.made_durable(item->offset, std::move(item->aggregate), std::move(item->finished),
                  item->progress);
}

Error CheckpointCommitter::commit_offsets(const std::set<int>* only, bool sync) {
  std::vector<kafka::TopicPartitionOffset> offsets;
  const auto now = Clock::now();
  const auto plan = pipeline::plan_commit(candidates(
      host_.core().partitions(), only,
      [](auto, const PartitionState& ps) { return ps.durable_offset; },
      [this](std::int32_t p, const PartitionState&) { return marks_[p].committed; }));
  for (const auto& c : plan) {
    PartitionState& ps = host_.core().partitions().at(c.partition);
    offsets.push_back({host_.options().topic, c.partition, *ps.durable_offset});
    marks_[c.partition].committed = ps.durable_offset;
    host_.core().commit_covered(ps, now);
  }
  if (offsets.empty()) return {};
  auto& consumer = host_.consumer();
  Error e = sync ? consumer.commit_sync(offsets, util::stop_bounded(kSyncCommitTimeout))
                 : consumer.commit_async(offsets);
  if (!e) {
    host_.core().committed_at(Clock::now());
    for (const auto& tp : offsets) {
      spdlog::debug("Committed {}[{}] at {}", tp.topic, tp.partition, tp.offset);
    }
  }
  return e;
}

}  // namespace consume::detail
