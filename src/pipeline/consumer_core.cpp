#include "pipeline/consumer_core.h"

#include <algorithm>

#include "util/time_left.h"

namespace pipeline {

ConsumerCore::ConsumerCore(const CoreSettings& settings, TimePoint started)
    : settings_(settings),
      flow_(settings.window),
      schedule_(settings.commit),
      started_(started),
      last_activity_(started) {}

PartitionCore* ConsumerCore::find(std::int32_t partition) {
  auto it = partitions_.find(partition);
  return it == partitions_.end() ? nullptr : &it->second;
}

void ConsumerCore::assigned(const std::vector<std::int32_t>& parts, TimePoint now) {
  for (auto p : parts) {
    partitions_[p].assigned(now, epochs_.next());
    flow_.assigned(p);
  }
  restore_.wanted(now);
  last_activity_ = now;
}

RevokePlan ConsumerCore::revoke_plan(bool lost, bool stop_requested) const {
  return plan_revoke({.lost = lost,
                      .run_failed = run_.failed(),
                      .stop_requested = stop_requested,
                      .closing = run_.closing()});
}

std::optional<Unfinished> ConsumerCore::revoked(std::int32_t partition) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) return std::nullopt;
  const auto left = it->second.unfinished();
  partitions_.erase(it);
  flow_.revoked(partition);
  return left;
}

std::vector<std::int32_t> ConsumerCore::restore_due(TimePoint now) {
  std::vector<std::int32_t> waiting;
  for (const auto& [p, ps] : partitions_) {
    if (ps.restoring()) waiting.push_back(p);
  }
  if (!restore_.attempt(!waiting.empty(), run_.failed(), now)) waiting.clear();
  return waiting;
}

void ConsumerCore::restore_all(TimePoint now) {
  // From the aggregates topic and the group's offsets rather than from memory: a commit that
  // timed out may have completed after all.
  for (auto& [p, ps] : partitions_) ps.restore_again(epochs_.next());
  restore_.wanted(now);
}

std::vector<std::int32_t> ConsumerCore::rewind_all(const std::set<int>* skip) {
  std::vector<std::int32_t> out;
  for (auto& [p, ps] : partitions_) {
    if (ps.restoring() || (skip && skip->count(p))) continue;
    ps.rewound();
    out.push_back(p);
  }
  return out;
}

void ConsumerCore::renew_epochs() {
  for (auto& [p, ps] : partitions_) ps.epoch = epochs_.next();
}

std::optional<std::uint64_t> ConsumerCore::running_epoch(std::int32_t partition) const {
  auto it = partitions_.find(partition);
  if (it == partitions_.end() || it->second.restoring()) return std::nullopt;
  return it->second.epoch;
}

Taken ConsumerCore::take(std::int32_t partition, std::size_t bytes) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) return {};
  // An upper estimate of all that is held (exact again at each evaluation): every partition
  // pauses right after the record that filled the total, not after the poll batch.
  const bool total_reached = flow_.record_taken(bytes);
  auto& ps = it->second;
  if (ps.restoring()) {
    ++ps.held;
    ps.held_bytes += bytes;
    return {Take::hold, total_reached, &ps};
  }
  return {Take::accept, total_reached, &ps};
}

void ConsumerCore::held_dropped(PartitionCore& ps) {
  ps.held = 0;
  ps.held_bytes = 0;
}

Admit ConsumerCore::admit(std::int32_t partition, const PartitionCore& ps,
                          std::int64_t offset) const {
  auto end = taken_end_.find(partition);
  const bool fresh = end == taken_end_.end() || offset >= end->second;
  // Beyond --max-messages only records taken before (a rewind brings them back) come again.
  if (fresh && max_messages_reached()) return Admit::beyond_max;
  if (ps.durable_offset && offset < *ps.durable_offset) return Admit::covered;
  return Admit::push;
}

bool ConsumerCore::wants_anchor(const PartitionCore& ps, std::int64_t offset) {
  // The previous candidate is covered by a durable checkpoint once the durable offset passed it.
  const auto durable = ps.durable_offset.value_or(offset);
  return !ps.anchor_candidate || ps.anchor_candidate->offset < durable;
}

bool ConsumerCore::pushed(std::int32_t partition, PartitionCore& ps, std::int64_t offset,
                          std::optional<std::uint64_t> fingerprint, TimePoint now) {
  if (!ps.durable_offset) ps.durable_offset = offset;  // where a rewind returns
  if (fingerprint && wants_anchor(ps, offset)) {
    if (ps.anchor_candidate) ps.anchor = ps.anchor_candidate;  // it anchors the next checkpoints
    ps.anchor_candidate = RecordAnchor{offset, *fingerprint};
  }
  auto& end = taken_end_[partition];
  if (offset >= end) {
    ++taken_distinct_;
    end = offset + 1;
  }
  ps.last_record_at = now;
  last_activity_ = now;
  return ps.reprocess_below && offset < *ps.reprocess_below;
}

void ConsumerCore::commit_covered(PartitionCore& ps, TimePoint now) {
  for (const auto& [offset, consumed_at] : ps.take_uncommitted()) {
    commit_latency_.record(now - consumed_at);
  }
}

FlowAction ConsumerCore::evaluate_flow() {
  std::vector<PartitionBacklog> backlogs;
  backlogs.reserve(partitions_.size());
  for (const auto& [p, ps] : partitions_) {
    backlogs.push_back({p,
                        {.restoring = ps.restoring(),
                         .awaiting_checkpoint = ps.phase.is(Phase::awaiting_checkpoint),
                         .held = ps.held,
                         .held_bytes = ps.held_bytes,
                         .usage = ps.pipeline ? ps.pipeline->usage() : WindowUsage{}}});
  }
  return flow_.evaluate(backlogs);
}

LoopStep ConsumerCore::next(const LoopSignals& s, TimePoint now) const {
  if (s.stop_requested) return {Next::stop, "stop requested"};
  if (run_.recovering()) return {Next::recover};
  if (run_.failed() || s.consumer_fatal) return {Next::stop, "fatal error", true};
  // Records an aborted commit rolled back are taken again and must be finished again first.
  if (max_messages_reached() && !busy(s.outputs_in_flight) && rolled_back_not_redone(true) == 0) {
    return {Next::stop, "max messages reached"};
  }
  if (settings_.idle_exit && idle_for(*settings_.idle_exit, s.outputs_in_flight, now)) {
    return {Next::stop, "idle"};
  }
  return {Next::poll};
}

bool ConsumerCore::idle_for(std::chrono::microseconds idle, std::size_t outputs_in_flight,
                            TimePoint now) const {
  if (busy(outputs_in_flight, false) || now - last_activity_ < idle) return false;
  // Joining the group takes a moment; without partitions yet, allow for it before calling it idle.
  return !partitions_.empty() || now - started_ >= std::max<Clock::duration>(idle, kJoinGrace);
}

std::chrono::milliseconds ConsumerCore::poll_timeout(TimePoint now) const {
  auto wait = kMaxPollWait;
  auto until = [&](TimePoint t) {
    wait = std::min(std::chrono::ceil<std::chrono::milliseconds>(util::time_left(t, now)), wait);
  };
  for (const auto& [p, ps] : partitions_) {
    if (!ps.pipeline) continue;
    if (auto t = ps.pipeline->next_wakeup()) until(*t);
  }
  if (auto t = schedule_.deadline()) until(*t);
  return wait;
}

bool ConsumerCore::busy(std::size_t outputs_in_flight, bool count_halted) const {
  if (outputs_in_flight > 0) return true;
  for (const auto& [p, ps] : partitions_) {
    if (ps.restoring()) return true;
    if (!count_halted && ps.pipeline->halted()) continue;
    if (ps.pipeline->queued() > 0 || ps.pipeline->dead_letters_in_flight() > 0) return true;
  }
  return false;
}

std::uint64_t ConsumerCore::rolled_back_not_redone(bool finished) const {
  std::uint64_t n = 0;
  for (const auto& [p, ps] : partitions_) {
    const Coverage durable{ps.durable_offset, ps.durable_finished};
    if (finished && ps.pipeline) {
      n += ps.rolled_back.not_redone({ps.pipeline->commit_offset(), ps.pipeline->finished_above()});
    } else {
      n += ps.rolled_back.not_redone(durable);
    }
    if (!finished && ps.pipeline) {
      // Finished and never committed (at-least-once: a checkpoint that could not be written).
      RolledBack open;
      open.rewound({ps.pipeline->commit_offset(), ps.pipeline->finished_above()}, durable);
      n += open.not_redone(durable);
    }
  }
  return n;
}

std::size_t ConsumerCore::halted() const {
  return static_cast<std::size_t>(
      std::count_if(partitions_.begin(), partitions_.end(),
                    [](auto& e) { return e.second.pipeline && e.second.pipeline->halted(); }));
}

std::vector<StallCandidate> ConsumerCore::stall_candidates(TimePoint now) {
  std::vector<StallCandidate> out;
  if (now < next_stall_check_) return out;
  next_stall_check_ = now + kStallCheckEvery;
  if (max_messages_reached()) return out;  // takes no more
  for (auto& [p, ps] : partitions_) {
    // Records waiting for retries do not stop the fetch: only pauses and halts do.
    if (ps.restoring() || flow_.paused(p) || ps.pipeline->halted()) continue;
    if (now - ps.last_record_at < kStallAfter) continue;
    ps.last_record_at = now;  // checked: the next check of this partition is kStallAfter away
    // Where it continues: after its last record, else its checkpoint (else unknown here).
    const auto last = ps.pipeline->last_offset();
    out.push_back({p, last ? *last + 1 : ps.durable_offset.value_or(-1)});
  }
  return out;
}

StallStep ConsumerCore::stall_checked(const StallCandidate& c, std::int64_t low, std::int64_t end,
                                      bool reset_to_start) {
  // Without a record or a checkpoint a partition whose reset position is the log's start
  // continues there; "latest" leaves it unknown.
  const std::int64_t next = c.next < 0 && reset_to_start ? low : c.next;
  return {on_stall_check(stall_marks_[c.partition], next, end), next};
}

}  // namespace pipeline
