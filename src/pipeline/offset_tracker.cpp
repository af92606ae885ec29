#include "pipeline/offset_tracker.h"

#include <algorithm>

namespace pipeline {

bool OffsetTracker::track(std::int64_t offset) {
  if (last_ && offset <= *last_) return false;
  last_ = offset;
  window_.push_back({offset, false});
  ++unfinished_;
  return true;
}

void OffsetTracker::finish(std::int64_t offset) {
  // Records finish in order almost always: the head is the one.
  if (!window_.empty() && window_.front().offset == offset) {
    if (window_.front().finished) return;
    --unfinished_;
    window_.pop_front();
    while (!window_.empty() && window_.front().finished) window_.pop_front();
    return;
  }
  auto it = std::lower_bound(window_.begin(), window_.end(), offset,
                             [](const Entry& e, std::int64_t o) { return e.offset < o; });
  if (it == window_.end() || it->offset != offset || it->finished) return;
  it->finished = true;
  --unfinished_;
  while (!window_.empty() && window_.front().finished) window_.pop_front();
}

std::optional<std::int64_t> OffsetTracker::next_commit() const {
  if (!last_) return std::nullopt;
  if (window_.empty()) return *last_ + 1;
  return window_.front().offset;
}

std::size_t OffsetTracker::unfinished() const {
  return unfinished_;
}

}  // namespace pipeline
