#include "pipeline/commit_schedule.h"

#include <algorithm>

#include "util/backoff.h"

namespace pipeline {

void CommitSchedule::finished(std::uint64_t n, TimePoint now) {
  if (n == 0) return;
  if (pending_ == 0) first_pending_ = now;
  pending_ += n;
}

bool CommitSchedule::due(TimePoint now) const {
  if (pending_ == 0) return false;
  if (not_before_ && now < *not_before_) return false;
  return pending_ >= settings_.max_records || now >= *first_pending_ + settings_.interval;
}

std::optional<TimePoint> CommitSchedule::deadline() const {
  if (pending_ == 0) return std::nullopt;
  TimePoint at =
      pending_ >= settings_.max_records
          ? *first_pending_
          : *first_pending_ + std::chrono::duration_cast<Clock::duration>(settings_.interval);
  if (not_before_) at = std::max(at, *not_before_);
  return at;
}

void CommitSchedule::committed() {
  pending_ = 0;
  first_pending_.reset();
  failures_ = 0;
  not_before_.reset();
}

std::chrono::microseconds CommitSchedule::backoff() const {
  if (failures_ == 0) return std::chrono::microseconds(0);
  const util::Backoff<std::chrono::microseconds> b{settings_.min_failure_backoff,
                                                   settings_.max_failure_backoff};
  return b.delay(failures_ - 1);
}

void CommitSchedule::failed(TimePoint now) {
  pending_ = 0;
  first_pending_.reset();
  ++failures_;
  not_before_ = now + std::chrono::duration_cast<Clock::duration>(backoff());
}

}  // namespace pipeline
