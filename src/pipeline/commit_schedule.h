#pragma once
// When the consumer commits a batch (exactly-once: one transaction; at-least-once: checkpoints,
// then offsets): once `max_records` records have finished since the last commit, or `interval`
// after the first of them finished, whichever comes first. After a failed (aborted) batch the
// next attempt waits a growing backoff (util::Backoff, doubling), so a persistent failure does not
// spin. Pure: the caller passes the time.
#include <chrono>
#include <cstdint>
#include <optional>

#include "pipeline/outcome.h"

namespace pipeline {

struct CommitSettings {
  std::uint64_t max_records = 50000;
  std::chrono::microseconds interval = std::chrono::milliseconds(100);
  std::chrono::microseconds min_failure_backoff = std::chrono::milliseconds(100);
  std::chrono::microseconds max_failure_backoff = std::chrono::seconds(5);
};

class CommitSchedule {
 public:
  explicit CommitSchedule(CommitSettings settings) : settings_(settings) {}

  // `n` records finished (processed, or dead-lettered) at `now`.
  void finished(std::uint64_t n, TimePoint now);
  // A commit is due: enough records, or the oldest uncommitted one waited `interval`, and no
  // failure backoff is running.
  bool due(TimePoint now) const;
  // When due() turns true without further records (for the poll timeout); nullopt if nothing
  // is pending.
  std::optional<TimePoint> deadline() const;
  void committed();
  // The batch was aborted/failed at `now`: its records will finish again; back off.
  void failed(TimePoint now);

  std::uint64_t pending() const { return pending_; }
  int consecutive_failures() const { return failures_; }
  std::chrono::microseconds backoff() const;  // the current failure backoff (0 without failures)

 private:
  CommitSettings settings_;
  std::uint64_t pending_ = 0;
  std::optional<TimePoint> first_pending_;
  int failures_ = 0;
  std::optional<TimePoint> not_before_;
};

}  // namespace pipeline
