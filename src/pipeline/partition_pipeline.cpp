#include "pipeline/partition_pipeline.h"

#include <algorithm>
#include <stdexcept>

#include "pipeline/decide.h"
#include "pipeline/processor.h"

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
  fresh_.push_back(Held{std::move(record), now, now, std::nullopt, 1, 0, 0, std::nullopt});
  return true;
}

bool PartitionPipeline::dead_letter(Held& h, Decision d, DeadLetter dl, Step& step) {
  const auto offset = h.record.offset;
  d.key = h.record.key;
  step.decisions.push_back(std::move(d));
  step.write_dead_letters.push_back(offset);
  dead_letters_.emplace(offset,
                        PendingDeadLetter{std::move(h.record), std::move(dl), std::nullopt, 1, {}});
  return true;
}

ProcessRequest PartitionPipeline::request(const Held& h, std::uint64_t id) const {
  ProcessRequest r{.id = id,
                   .order = *h.order,
                   .topic = h.record.topic,
                   .partition = h.record.partition,
                   .offset = h.record.offset,
                   .key = std::nullopt,
                   .attempt = h.next_attempt,
                   .traceparent = std::nullopt};
  if (h.record.key) r.key = *h.record.key;
  for (const auto& [name, value] : h.record.headers) {
    if (name == "traceparent") r.traceparent = value;
  }
  return r;
}

PartitionPipeline::Tried PartitionPipeline::attempt(Held& h, TimePoint now, Step& step,
                                                    AttemptGate* gate) {
  if (!h.order) {
    Decision d;
    d.offset = h.record.offset;
    d.timestamp_ms = h.record.timestamp_ms;
    d.since_received = elapsed(h.received, now);
    auto classified = classify_held(h);
    if (auto* dl = std::get_if<DeadLetter>(&classified)) {
      d.outcome = *dl;
      dead_letter(h, std::move(d), std::move(*dl), step);
      return Tried::finished;
    }
    if (auto* later = std::get_if<DecodeLater>(&classified)) {
      // Not the record's fault: it waits (capped backoff) however long the registry is away.
      ++h.decode_waits;
      h.due = now + settings_.retry.backoff_after(std::min(h.decode_waits, 30));
      d.outcome = RetryAt{h.due, h.next_attempt, "cannot decode yet: " + later->reason};
      d.key = h.record.key;
      step.decisions.push_back(std::move(d));
      return Tried::waiting;
    }
    h.order = std::move(std::get<orders::Order>(classified));
  }
  h.lateness.reset();
  if (h.next_attempt > 1) h.lateness = std::max(elapsed(h.due, now), std::chrono::microseconds{0});
  if (auto* immediate = processor_.immediate()) {
    const auto result = decide_now(*immediate, request(h, 0));
    auto outcome = outcome_of(result, *h.order, h.next_attempt, true, now, settings_.retry,
                              settings_.jitter_seed);
    return settle(h, std::move(outcome), now, step) ? Tried::finished : Tried::waiting;
  }
  const auto id = gate ? gate->begin(h.record.offset, h.next_attempt) : next_id_++;
  if (!id) return Tried::refused;
  h.started = *id;
  ++in_flight_;
  processor_.start(request(h, *id));
  return Tried::in_flight;
}

bool PartitionPipeline::settle(Held& h, Outcome outcome, TimePoint now, Step& step) {
  Decision d;
  d.offset = h.record.offset;
  d.timestamp_ms = h.record.timestamp_ms;
  d.attempt = h.next_attempt;
  d.lateness = h.lateness;
  d.since_received = elapsed(h.received, now);
  d.outcome = std::move(outcome);
  if (auto* retry = std::get_if<RetryAt>(&d.outcome)) {
    d.order = h.order;  // kept for the next attempt
    d.key = h.record.key;
    h.due = retry->at;
    h.next_attempt = retry->attempt;
    step.decisions.push_back(std::move(d));
    return false;
  }
  if (std::holds_alternative<Processed>(d.outcome)) {
    offsets_.finish(h.record.offset);
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
  return dead_letter(h, std::move(d), std::move(dl), step);
}

PartitionPipeline::Step PartitionPipeline::complete(std::int64_t offset, int attempt,
                                                    const ProcessResult& result, bool counts,
                                                    TimePoint now) {
  Step step;
  auto it = parked_.find(offset);
  if (it == parked_.end() || it->second.started == 0 || it->second.next_attempt != attempt) {
    return step;
  }
  Held& h = it->second;
  h.started = 0;
  --in_flight_;
  const auto ref = lane_ref(h);  // before settle() moves the record's key out
  auto outcome =
      outcome_of(result, *h.order, attempt, counts, now, settings_.retry, settings_.jitter_seed);
  if (settle(h, std::move(outcome), now, step)) {
    finished_parked(it, ref);
  } else {
    due_.emplace(h.due, offset);
  }
  return step;
}

PartitionPipeline::LaneRef PartitionPipeline::lane_ref(const Held& h) {
  LaneRef ref{lane_of(h.record, false), std::nullopt};
  if (ref.lane && ref.lane != &unkeyed_lane_) ref.key = h.record.key;
  return ref;
}

void PartitionPipeline::finished_parked(std::map<std::int64_t, Held>::iterator it,
                                        const LaneRef& ref) {
  parked_.erase(it);
  if (!ref.lane) return;
  ref.lane->pop_front();
  if (!ref.lane->empty()) {
    const auto next = ref.lane->front();  // its turn now: it has waited since it arrived
    due_.emplace(parked_.at(next).due, next);
  } else if (ref.key) {
    lanes_.erase(*ref.key);
  }
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

PartitionPipeline::Step PartitionPipeline::run(TimePoint now, AttemptGate* gate) {
  Step step;
  for (auto& [offset, pending] : dead_letters_) {
    if (pending.resend_at && *pending.resend_at <= now) {
      pending.resend_at.reset();
      ++pending.writes;
      step.write_dead_letters.push_back(offset);
    }
  }
  gated_ = false;
  if (halted()) return step;
  if (!fresh_.empty()) step.decisions.reserve(std::min<std::size_t>(fresh_.size(), 256));
  // Held records whose time has come (retries due, records freed by the one before them).
  while (!due_.empty() && due_.begin()->first <= now) {
    // Out of due_ before the attempt: finishing it may make the next of its lane due, ahead.
    const auto entry = *due_.begin();
    due_.erase(due_.begin());
    const auto offset = entry.second;
    auto it = parked_.find(offset);
    if (it == parked_.end()) continue;
    const auto ref = lane_ref(it->second);  // before a finished attempt moves the key out
    const auto tried = attempt(it->second, now, step, gate);
    if (tried == Tried::refused) {
      due_.insert(entry);
      gated_ = true;  // first in line until the gate opens
      return step;
    }
    if (tried == Tried::waiting) {
      due_.emplace(it->second.due, offset);
    } else if (tried == Tried::finished) {
      finished_parked(it, ref);
    }  // in flight: parked, its lane held, until complete()
  }
  // New records: each runs at once unless an earlier record of its lane is held.
  while (!fresh_.empty()) {
    Held& h = fresh_.front();
    if (Lane* lane = lane_of(h.record, false); lane && !lane->empty()) {
      lane->push_back(h.record.offset);
      park(std::move(h), false);
    } else {
      const auto tried = attempt(h, now, step, gate);
      if (tried == Tried::refused) {
        gated_ = true;
        return step;
      }
      if (tried != Tried::finished) {
        if (Lane* l = lane_of(h.record, true)) l->push_back(h.record.offset);
        park(std::move(h), tried == Tried::waiting);
      }
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
  if (!halted() && !gated_) {
    if (!fresh_.empty()) until(fresh_.front().received);
    if (!due_.empty()) until(due_.begin()->first);
  }
  return t;
}

}  // namespace pipeline
