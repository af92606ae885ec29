#pragma once
// Which offset of one partition may be committed: the first offset not yet finished (processed,
// or dead-lettered with the DLQ write acknowledged); when all are finished, the last one + 1.
// Offsets are taken in increasing order (gaps are fine) and may finish in any order.
//
// One byte per offset from the commit offset to the last one taken: finishing is O(1), and a
// window of a million offsets costs a megabyte. The consumer bounds that span (WindowLimits).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "pipeline/finished_set.h"

namespace pipeline {

class OffsetTracker {
 public:
  // Returns false (and ignores it) unless `offset` is above every offset tracked so far.
  bool track(std::int64_t offset);
  // Marks a tracked offset finished; unknown or already finished offsets are ignored.
  void finish(std::int64_t offset);
  // The offset to commit (Kafka's "next record to read"), or nullopt before anything is tracked.
  std::optional<std::int64_t> next_commit() const;
  std::size_t unfinished() const { return unfinished_; }
  std::optional<std::int64_t> last_tracked() const { return last_; }
  // Last tracked offset - commit offset + 1: how far finished records run ahead (0 when none).
  std::int64_t span() const { return static_cast<std::int64_t>(window_.size()); }
  // The offsets finished above the commit offset (O(span)).
  FinishedSet finished_above() const;

 private:
  // window_[i] describes offset base_ + i: 1 = taken and unfinished, 0 = finished or no record.
  // window_ is empty or starts with an unfinished offset.
  std::deque<std::uint8_t> window_;
  std::int64_t base_ = 0;
  std::optional<std::int64_t> last_;
  std::size_t unfinished_ = 0;
};

}  // namespace pipeline
