#pragma once
// Which offset of one partition may be committed: the first offset not yet finished (processed,
// or dead-lettered with the DLQ write acknowledged); when all are finished, the last one + 1.
// Offsets are tracked in the order they were consumed (increasing; gaps are fine).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace pipeline {

class OffsetTracker {
 public:
  // Returns false (and ignores it) unless `offset` is above every offset tracked so far.
  bool track(std::int64_t offset);
  // Marks a tracked offset finished; unknown or already finished offsets are ignored.
  void finish(std::int64_t offset);
  // The offset to commit (Kafka's "next record to read"), or nullopt before anything is tracked.
  std::optional<std::int64_t> next_commit() const;
  std::size_t unfinished() const;
  std::optional<std::int64_t> last_tracked() const { return last_; }

 private:
  struct Entry {
    std::int64_t offset;
    bool finished;
  };
  std::deque<Entry> window_;  // from the first unfinished offset on
  std::optional<std::int64_t> last_;
  std::size_t unfinished_ = 0;
};

}  // namespace pipeline
