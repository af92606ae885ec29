// Partition lifecycle of the consume loop: assignment, restore from the aggregates topic,
// revoke, and the rewind after an aborted transaction.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "consume/session.h"
#include "pipeline/revoke_plan.h"
#include "pipeline/start_plan.h"
#include "util/stop_signal.h"

namespace consume::detail {
namespace {

using namespace std::chrono_literals;

constexpr auto kCommittedTimeout = 10s;
constexpr auto kCatchUpTimeout = 30s;
constexpr auto kSeekTimeout = 5s;

std::string join(const std::vector<std::int32_t>& parts) {
  std::string out;
  for (auto p : parts) out += (out.empty() ? "" : ",") + std::to_string(p);
  return out;
}

}  // namespace

void ConsumeSession::on_assigned(const std::vector<TopicPartitionOffset>& parts) {
  std::vector<std::int32_t> list;
  // Until restored, its records are held (nothing may be processed before its checkpoint is
  // known); a seek to the planned start drops them and fetches them again. Not paused: in
  // librdkafka 2.0 a resume may wait up to a second for the next fetch, a seek does not.
  for (const auto& tp : parts) {
    held_.erase(tp.partition);
    list.push_back(tp.partition);
  }
  core_.assigned(list, Clock::now());
  spdlog::info("Assigned partition(s) [{}] of '{}'", join(list), opt_.topic);
}

void ConsumeSession::on_revoked(const std::vector<TopicPartitionOffset>& parts, bool lost) {
  std::set<int> revoked;
  for (const auto& tp : parts) revoked.insert(tp.partition);
  const auto plan = core_.revoke_plan(lost, util::stop_requested());
  if (plan.commit) {
    follow(committer_->commit_batch(&revoked, plan.budget, true));
    if (Error e = committer_->commit_offsets(&revoked, true)) {
      spdlog::warn("Commit on revoke failed: {}", e.message);
    }
  } else if (plan.abort_lost) {
    spdlog::warn("Partition assignment lost: not committing; another member owns them now");
    follow(committer_->partitions_lost(revoked));
  }
  std::vector<std::int32_t> list;
  for (int p : revoked) {
    const auto left = core_.revoked(p);
    if (!left) continue;
    held_.erase(p);
    if (plan.count_unfinished) {
      metrics_.unfinished += left->records;
      metrics_.pending_retries += left->retries;
    }
    committer_->forget(p);
    list.push_back(p);
  }
  spdlog::info("Revoked partition(s) [{}] of '{}'", join(list), opt_.topic);
}

std::optional<std::int64_t> ConsumeSession::logical_start() const {
  const std::string reset = opt_.consumer_props.get_or("auto.offset.reset", "earliest");
  if (reset == "error") return std::nullopt;
  return reset == "latest" || reset == "largest" || reset == "end" ? kafka::kOffsetEnd
                                                                   : kafka::kOffsetBeginning;
}

bool ConsumeSession::start_pipeline(std::int32_t partition, PartitionState& ps, bool seek,
                                    std::optional<std::int64_t> at) {
  core_.starting(ps);
  committer_->pipeline_started(partition);
  at = ps.start_offset(at, logical_start());
  if (!at) {
    set_fatal(fmt::format(
        "partition {}[{}] has no committed offset and no checkpoint, and auto.offset.reset=error",
        opt_.topic, partition));
    return false;
  }
  if (seek) drop_held(partition, ps);
  Error e;
  if (seek) e = consumer_->seek({opt_.topic, partition, *at}, kSeekTimeout);
  if (e) {
    // librdkafka refuses while the partition's fetcher has not started (its committed offset
    // is still being fetched, its leader is moving): try again with the next restore attempt.
    // Without the seek the partition would continue where fetching stopped: not safe.
    const bool warned = ps.seek_refused();
    spdlog::log(warned ? spdlog::level::debug : spdlog::level::warn,
                "Partition {}[{}]: cannot seek to {} yet ({}); trying again", opt_.topic, partition,
                *at, e.message);
    return false;
  }
  ps.started(processor_, opt_.pipeline, seek, Clock::now());
  if (stall_test_partition_ == partition) {
    stall_test_partition_.reset();
    spdlog::warn("Test hook: partition {}[{}] paused behind the pipeline's back", opt_.topic,
                 partition);
    if (Error e = consumer_->pause({{opt_.topic, partition, kafka::kOffsetInvalid}})) {
      spdlog::warn("Test hook: pause failed: {}", e.message);
    }
  }
  return true;
}

// What a restore starts from: the committed offsets of `waiting`, and the aggregates topic read
// to its end. False: try again later (or fatal, said so).
bool ConsumeSession::read_restore_sources(const std::vector<TopicPartitionOffset>& waiting,
                                          std::map<std::int32_t, std::int64_t>& committed) {
  try {
    // read_committed: librdkafka asks for stable offsets, so a transaction that is still
    // completing is waited for rather than missed.
    const auto t0 = Clock::now();
    for (const auto& tp : consumer_->committed(waiting, kCommittedTimeout)) {
      committed[tp.partition] = tp.offset;
    }
    const auto t1 = Clock::now();
    if (!reader_->catch_up(kCatchUpTimeout, [] { return util::stop_requested(); })) {
      set_fatal(aggregates_gone());
      return false;
    }
    spdlog::debug("Restore: committed offsets read in {} ms, aggregates topic in {} ms",
                  std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count(),
                  std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t1).count());
  } catch (const std::exception& e) {
    spdlog::warn("Restoring partition state: {} (retrying)", e.what());
    return false;
  }
  return true;
}

void ConsumeSession::restore_partitions() {
  const auto now = Clock::now();
  std::vector<TopicPartitionOffset> waiting;
  for (auto p : core_.restore_due(now)) waiting.push_back({opt_.topic, p, kafka::kOffsetInvalid});
  if (waiting.empty()) return;

  std::map<std::int32_t, std::int64_t> committed;
  if (!read_restore_sources(waiting, committed)) return;

  for (const auto& tp : waiting) {
    PartitionState* found = core_.find(tp.partition);
    if (!found) continue;  // revoked meanwhile
    PartitionState& ps = *found;
    const auto* entry = reader_->table().find(opt_.group, opt_.topic, tp.partition);
    if (entry && !entry->checkpoint) {
      set_fatal("checkpoint of " + opt_.topic + "[" + std::to_string(tp.partition) + "] in '" +
                opt_.aggregates_topic + "' is unreadable: " + entry->error);
      return;
    }
    std::optional<std::int64_t> commit;
    if (auto c = committed.find(tp.partition); c != committed.end()) commit = c->second;
    const bool grace_over = now - ps.assigned_at >= opt_.restore_grace;
    const auto plan =
        pipeline::plan_start(entry ? &*entry->checkpoint : nullptr, commit, opt_.group, grace_over);
    if (plan.kind == pipeline::StartPlan::Kind::wait) {
      ps.phase.on(pipeline::PhaseEvent::checkpoint_lags);  // paused meanwhile
      continue;
    }
    if (plan.kind == pipeline::StartPlan::Kind::refuse) {
      set_fatal(plan.note);
      return;
    }
    if (!apply_start_plan(tp.partition, ps, plan, commit)) return;
  }
}

bool ConsumeSession::apply_start_plan(std::int32_t partition, PartitionState& ps,
                                      const pipeline::StartPlan& plan,
                                      std::optional<std::int64_t> commit) {
  if (commit && *commit < 0) commit.reset();
  pipeline::LogRange log;
  if (!log_range(partition, log)) return true;  // tried again with the next restore attempt
  const auto check = pipeline::check_start(plan.offset, commit, log);
  if (check.kind == pipeline::StartCheck::Kind::mismatch) {
    const auto what = fmt::format(
        "{} ({} offset {}{})", check.reason, plan.restored ? "checkpoint at" : "committed",
        plan.offset ? std::to_string(*plan.offset) : std::string("-"),
        commit ? ", committed " + std::to_string(*commit) : std::string());
    return log_mismatch(partition, ps, what);
  }
  if (!plan.note.empty()) spdlog::warn("Partition {}[{}]: {}", opt_.topic, partition, plan.note);
  if (check.kind == pipeline::StartCheck::Kind::below_start) {
    spdlog::warn("Partition {}[{}]: {}", opt_.topic, partition, check.reason);
    metrics_.records_deleted_unread += static_cast<std::uint64_t>(check.lost);
  }
  const auto start = ps.take_plan(plan, check, commit, log);
  if (commit) committer_->restored(partition, *commit);
  core_.activity(Clock::now());
  if (!start_pipeline(partition, ps, start.seek, start.at)) return !core_.run().failed();
  // Kept when reading starts where librdkafka started fetching (no seek dropped them).
  auto held = std::move(held_[partition]);
  held_.erase(partition);
  core_.held_dropped(ps);
  for (const auto& msg : held) accept(ps, msg);
  if (plan.restored) {
    ++metrics_.partitions_restored;
    spdlog::info("Partition {}[{}]: restored checkpoint at offset {} ({} orders, revenue {})",
                 opt_.topic, partition, *plan.offset, plan.base.count(),
                 stats::format_cents(plan.base.revenue_cents()));
  } else {
    spdlog::info("Partition {}[{}]: no checkpoint, starting at {}", opt_.topic, partition,
                 plan.offset ? std::to_string(*plan.offset) : std::string("the reset position"));
  }
  return true;
}

void ConsumeSession::rewind_all(const std::set<int>* skip) {
  for (auto partition : core_.rewind_all(skip)) {
    start_pipeline(partition, *core_.find(partition));  // on failure restored again
  }
}

void ConsumeSession::restore_all() {
  core_.restore_all(Clock::now());
  held_.clear();
}

void ConsumeSession::drop_held(std::int32_t partition, PartitionState& ps) {
  held_.erase(partition);
  core_.held_dropped(ps);
}

}  // namespace consume::detail
