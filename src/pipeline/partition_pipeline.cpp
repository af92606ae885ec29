#include "pipeline/partition_pipeline.h"

#include <algorithm>
#include <stdexcept>

#include "pipeline/decide.h"

namespace pipeline {
namespace {

std::chrono::microseconds elapsed(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from);
}

}  // namespace

bool PartitionPipeline::push(SourceRecord record, TimePoint now) {
  if (!offsets_.track(record.offset)) return false;
  queue_.push_back(Queued{std::move(record), now, now, std::nullopt, 1});
  return true;
}

void PartitionPipeline::finish_dead_letter(Queued& q, DeadLetter dl, Step& step) {
  const auto offset = q.record.offset;
  step.write_dead_letters.push_back(offset);
  dead_letters_.emplace(offset,
                        PendingDeadLetter{std::move(q.record), std::move(dl), std::nullopt, 1, {}});
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
  if (!queue_.empty() && queue_.front().due <= now) {
    step.decisions.reserve(std::min<std::size_t>(queue_.size(), 256));  // skips early regrowth
  }
  while (!queue_.empty() && queue_.front().due <= now) {
    Queued& head = queue_.front();
    Decision d;
    d.offset = head.record.offset;
    d.timestamp_ms = head.record.timestamp_ms;
    if (!head.order) {
      auto classified = classify(head.record.value, settings_.decode, settings_.limits);
      if (auto* dl = std::get_if<DeadLetter>(&classified)) {
        d.outcome = *dl;
        d.since_received = elapsed(head.received, now);
        step.decisions.push_back(std::move(d));
        finish_dead_letter(head, std::move(*dl), step);
        queue_.pop_front();
        continue;
      }
      head.order = std::move(std::get<orders::Order>(classified));
    }
    d.attempt = head.next_attempt;
    d.outcome = decide_attempt(*head.order, head.next_attempt, now, processor_, settings_.retry,
                               settings_.jitter_seed);
    d.since_received = elapsed(head.received, now);
    if (auto* retry = std::get_if<RetryAt>(&d.outcome)) {
      d.order = head.order;  // the head keeps its copy for the next attempt
      head.due = retry->at;
      head.next_attempt = retry->attempt;
      step.decisions.push_back(std::move(d));
      break;  // the head waits, and everything behind it
    }
    if (std::holds_alternative<Processed>(d.outcome)) {
      const auto offset = head.record.offset;
      offsets_.finish(offset);
      const auto next = offsets_.next_commit();
      if (pending_.empty() && next && offset < *next) {
        settled_.add(*head.order);  // committable at once (no dead letter in flight before it)
      } else {
        pending_.emplace_back(offset, *head.order);
        settle();
      }
      d.order = std::move(head.order);  // the head is done with it
      step.decisions.push_back(std::move(d));
    } else {
      d.order = std::move(head.order);
      auto dl = std::get<DeadLetter>(d.outcome);
      step.decisions.push_back(std::move(d));
      finish_dead_letter(head, std::move(dl), step);
    }
    queue_.pop_front();
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
  dead_letters_.erase(it);
  offsets_.finish(offset);
  settle();
}

void PartitionPipeline::settle() {
  const auto next = offsets_.next_commit();
  while (!pending_.empty() && next && pending_.front().first < *next) {
    settled_.add(pending_.front().second);
    pending_.pop_front();
  }
}

stats::Aggregate PartitionPipeline::aggregate() const {
  stats::Aggregate all = settled_;
  for (const auto& [offset, order] : pending_) all.add(order);
  return all;
}

void PartitionPipeline::dead_letter_failed(std::int64_t offset, std::string error, TimePoint now) {
  auto it = dead_letters_.find(offset);
  if (it == dead_letters_.end()) return;
  if (it->second.last_write_error.empty()) ++failed_writes_;
  it->second.last_write_error = error.empty() ? "unknown error" : std::move(error);
  it->second.resend_at = now + settings_.dead_letter_resend_delay;
}

bool PartitionPipeline::halted() const {
  return failed_writes_ > 0;
}

std::optional<TimePoint> PartitionPipeline::next_wakeup() const {
  std::optional<TimePoint> t;
  for (const auto& [offset, pending] : dead_letters_) {
    if (pending.resend_at && (!t || *pending.resend_at < *t)) t = pending.resend_at;
  }
  if (!halted() && !queue_.empty() && (!t || queue_.front().due < *t)) t = queue_.front().due;
  return t;
}

}  // namespace pipeline
