#include "pipeline/offset_tracker.h"

namespace pipeline {

bool OffsetTracker::track(std::int64_t offset) {
  if (last_ && offset <= *last_) return false;
  if (window_.empty()) {
    base_ = offset;  // everything below is finished
  } else {
    // Offsets between hold no record we will see: finished.
    window_.resize(static_cast<std::size_t>(offset - base_), 0);
  }
  window_.push_back(1);
  last_ = offset;
  ++unfinished_;
  return true;
}

void OffsetTracker::finish(std::int64_t offset) {
  if (window_.empty() || offset < base_ || offset - base_ >= span()) return;
  auto& slot = window_[static_cast<std::size_t>(offset - base_)];
  if (slot == 0) return;
  slot = 0;
  --unfinished_;
  while (!window_.empty() && window_.front() == 0) {
    window_.pop_front();
    ++base_;
  }
}

std::optional<std::int64_t> OffsetTracker::next_commit() const {
  if (!last_) return std::nullopt;
  return window_.empty() ? *last_ + 1 : base_;
}

FinishedSet OffsetTracker::finished_above() const {
  FinishedSet s;
  s.from = next_commit().value_or(0);
  if (window_.empty()) return s;
  std::size_t last_done = 0;  // index 0 is unfinished by construction
  for (std::size_t i = 1; i < window_.size(); ++i) {
    if (window_[i] == 0) last_done = i;
  }
  if (last_done == 0) return s;
  s.through = base_ + static_cast<std::int64_t>(last_done);
  for (std::size_t i = 1; i < last_done; ++i) {
    if (window_[i] != 0) s.unfinished.push_back(base_ + static_cast<std::int64_t>(i));
  }
  return s;
}

}  // namespace pipeline
