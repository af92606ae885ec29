#include "pipeline/partition_pipeline.h"

#include <algorithm>
#include <stdexcept>

#include "pipeline/decide.h"

namespace pipeline {
namespace {

std::chrono::microseconds elapsed(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from);
}

// What a held record costs: its key, value and headers (all copied from the fetched message).
std::size_t held_bytes(const SourceRecord& r) {
  std::size_t n = (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
  for (const auto& [k, v] : r.headers) n += k.size() + v.size();
  return n;
}

}  // namespace

bool PartitionPipeline::push(SourceRecord record, TimePoint now) {
  if (restored_.contains(record.offset)) {
    // Finished before the restart (its outcome is in the restored aggregate or the DLQ).
    if (offsets_.track(record.offset)) {
      offsets_.finish(record.offset);
      ++skipped_;
      ++finished_;
    }
    return false;
  }
  if (!offsets_.track(record.offset)) return false;
  bytes_ += held_bytes(record);
  fresh_.push_back(Held{std::move(record), now, now, std::nullopt, 1});
  return true;
}

bool PartitionPipeline::attempt(Held& h, TimePoint now, Step& step) {
  const auto offset = h.record.offset;
  Decision d;
  d.offset = offset;
  d.timestamp_ms = h.record.timestamp_ms;
  auto dead_letter = [&](DeadLetter dl) {
    d.key = h.record.key;
    d.since_received = elapsed(h.received, now);
    step.decisions.push_back(std::move(d));
    step.write_dead_letters.push_back(offset);
    dead_letters_.emplace(
        offset, PendingDeadLetter{std::move(h.record), std::move(dl), std::nullopt, 1, {}});
    return true;
  };
  if (!h.order) {
    auto classified = classify_held(h);
    if (auto* dl = std::get_if<DeadLetter>(&classified)) {
      d.outcome = *dl;
      return dead_letter(std::move(*dl));
    }
    if (auto* later = std::get_if<DecodeLater>(&classified)) {
      // Not the record's fault: it waits (capped backoff) however long the registry is away.
      ++h.decode_waits;
      h.due = now + settings_.retry.backoff_after(std::min(h.decode_waits, 30));
      d.outcome = RetryAt{h.due, h.next_attempt, "cannot decode yet: " + later->reason};
      d.key = h.record.key;
      d.since_received = elapsed(h.received, now);
      step.decisions.push_back(std::move(d));
      return false;
    }
    h.order = std::move(std::get<orders::Order>(classified));
  }
  if (h.next_attempt > 1) d.lateness = std::max(elapsed(h.due, now), std::chrono::microseconds{0});
  d.attempt = h.next_attempt;
  d.outcome = decide_attempt(*h.order, h.next_attempt, now, processor_, settings_.retry,
                             settings_.jitter_seed);
  d.since_received = elapsed(h.received, now);
  if (auto* retry = std::get_if<RetryAt>(&d.outcome)) {
    d.order = h.order;  // kept for the next attempt
    d.key = h.record.key;
    h.due = retry->at;
    h.next_attempt = retry->attempt;
    step.decisions.push_back(std::move(d));
    return false;
  }
  if (std::holds_alternative<Processed>(d.outcome)) {
    offsets_.finish(offset);
    ++finished_;
    bytes_ -= held_bytes(h.record);
    aggregate_.add(*h.order);
    d.order = std::move(h.order);
    d.key = std::move(h.record.key);
    step.decisions.push_back(std::move(d));
    return true;
  }
  d.order = std::move(h.order);
  auto dl = std::get<DeadLetter>(d.outcome);
  return dead_letter(std::move(dl));
}

std::variant<orders::Order, DeadLetter, DecodeLater> PartitionPipeline::classify_held(
    const Held& h) const {
  if (settings_.value_decoder) {
    return classify(h.record.value, settings_.value_decoder, settings_.limits);
  }
  auto c = classify(h.record.value, settings_.decode, settings_.limits);
  if (auto* dl = std::get_if<DeadLetter>(&c)) return std::move(*dl);
  return std::move(std::get<orders::Order>(c));
}

PartitionPipeline::Lane* PartitionPipeline::lane_of(const SourceRecord& r, bool create) {
  switch (settings_.ordering) {
    case Ordering::none:
      return nullptr;
    case Ordering::partition:
      return &unkeyed_lane_;
    case Ordering::key:
      break;
  }
  if (!r.key) return &unkeyed_lane_;
  auto it = lanes_.find(std::string_view(*r.key));
  if (it != lanes_.end()) return &it->second;
  return create ? &lanes_.try_emplace(*r.key).first->second : nullptr;
}

void PartitionPipeline::park(Held h, bool runnable) {
  const auto offset = h.record.offset;
  if (runnable) due_.emplace(h.due, offset);
  parked_.emplace(offset, std::move(h));
}

PartitionPipeline::Step PartitionPipeline::run(TimePoint now) {
  Step step;
  for (auto& [offset, pending] : dead_letters_) {
    if (pending.resend_at && *pending.resend_at <= now) {
      pending.resend_at.reset();
      ++pending.writes;
      step.write_dead_letters.push_back(offset);
    }
  }
  if (halted()) return step;
  if (!fresh_.empty()) step.decisions.reserve(std::min<std::size_t>(fresh_.size(), 256));
  // Held records whose time has come (retries due, records freed by the one before them).
  while (!due_.empty() && due_.begin()->first <= now) {
    const auto offset = due_.begin()->second;
    due_.erase(due_.begin());
    auto it = parked_.find(offset);
    if (it == parked_.end()) continue;
    Held& h = it->second;
    Lane* lane = lane_of(h.record, false);
    std::optional<std::string> key;
    if (lane && lane != &unkeyed_lane_) key = h.record.key;
    if (!attempt(h, now, step)) {
      due_.emplace(h.due, offset);
      continue;
    }
    parked_.erase(it);
    if (!lane) continue;
    lane->pop_front();
    if (!lane->empty()) {
      const auto next = lane->front();  // its turn now: it has waited since it arrived
      due_.emplace(parked_.at(next).due, next);
    } else if (key) {
      lanes_.erase(*key);
    }
  }
  // New records: each runs at once unless an earlier record of its lane is held.
  while (!fresh_.empty()) {
    Held& h = fresh_.front();
    if (Lane* lane = lane_of(h.record, false); lane && !lane->empty()) {
      lane->push_back(h.record.offset);
      park(std::move(h), false);
    } else if (!attempt(h, now, step)) {
      if (Lane* l = lane_of(h.record, true)) l->push_back(h.record.offset);
      park(std::move(h), true);
    }
    fresh_.pop_front();
  }
  return step;
}

const PendingDeadLetter& PartitionPipeline::dead_letter(std::int64_t offset) const {
  auto it = dead_letters_.find(offset);
  if (it == dead_letters_.end()) {
    throw std::out_of_range("no pending dead letter at offset " + std::to_string(offset));
  }
  return it->second;
}

void PartitionPipeline::dead_letter_delivered(std::int64_t offset) {
  auto it = dead_letters_.find(offset);
  if (it == dead_letters_.end()) return;
  if (!it->second.last_write_error.empty()) --failed_writes_;
  bytes_ -= held_bytes(it->second.record);
  dead_letters_.erase(it);
  offsets_.finish(offset);
  ++finished_;
}

void PartitionPipeline::dead_letter_failed(std::int64_t offset, std::string error, TimePoint now) {
  auto it = dead_letters_.find(offset);
  if (it == dead_letters_.end()) return;
  if (it->second.last_write_error.empty()) ++failed_writes_;
  it->second.last_write_error = error.empty() ? "unknown error" : std::move(error);
  it->second.resend_at = now + settings_.dead_letter_resend_delay;
}

std::optional<std::int64_t> PartitionPipeline::commit_offset() const {
  auto c = offsets_.next_commit();
  // A non-empty tracker window starts at an unfinished record: the commit offset is its.
  if (!c || restored_.empty() || offsets_.span() > 0 || *c > restored_.through) return c;
  // Everything read so far is finished; the restored set says how far that goes on.
  const auto& u = restored_.unfinished;
  const auto it = std::lower_bound(u.begin(), u.end(), *c);
  return it != u.end() ? *it : restored_.through + 1;
}

FinishedSet PartitionPipeline::finished_above() const {
  FinishedSet tracked = offsets_.finished_above();
  const auto last = offsets_.last_tracked();
  if (restored_.empty() || !last || restored_.through <= *last) return tracked;
  FinishedSet s;
  s.from = *commit_offset();
  s.through = restored_.through;
  if (offsets_.span() > 0) {
    // (c, last] as the tracker knows it: after its last finished offset, all are unfinished.
    s.unfinished = std::move(tracked.unfinished);
    for (auto o = tracked.empty() ? s.from + 1 : tracked.through + 1; o <= *last; ++o) {
      s.unfinished.push_back(o);
    }
  }
  for (auto o : restored_.unfinished) {
    if (o > std::max(*last, s.from)) s.unfinished.push_back(o);
  }
  if (s.through <= s.from) return FinishedSet{s.from, -1, {}};
  return s;
}

std::size_t PartitionPipeline::retries_pending() const {
  return static_cast<std::size_t>(std::count_if(parked_.begin(), parked_.end(), [](const auto& p) {
    return p.second.next_attempt > 1 || (!p.second.order && p.second.decode_waits > 0);
  }));
}

std::optional<TimePoint> PartitionPipeline::next_wakeup() const {
  std::optional<TimePoint> t;
  auto until = [&](TimePoint at) {
    if (!t || at < *t) t = at;
  };
  for (const auto& [offset, pending] : dead_letters_) {
    if (pending.resend_at) until(*pending.resend_at);
  }
  if (!halted()) {
    if (!fresh_.empty()) until(fresh_.front().received);
    if (!due_.empty()) until(due_.begin()->first);
  }
  return t;
}

}  // namespace pipeline
