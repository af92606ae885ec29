#pragma once
// When to stop fetching a partition. Records behind a waiting head wait in the pipeline's
// queue while polling goes on (so the group keeps the member); fetching stops only when that
// queue gets long (a long backoff, a halted partition) and restarts once it has drained to
// half: librdkafka 2.0 may take up to a second to fetch again after a resume, which short
// backoffs should not pay.
#include <cstddef>

namespace pipeline {

inline constexpr std::size_t kPauseAbove = 5000;  // records queued behind a waiting head

struct FetchBacklog {
  bool restoring = false;            // not started yet: fetched records are held
  bool awaiting_checkpoint = false;  // its restore waits for a lagging checkpoint
  std::size_t held = 0;              // records held while restoring
  std::size_t queued = 0;            // records in the running pipeline's queue
};

// Whether the partition should be paused, given whether it is now.
bool should_pause(bool paused, const FetchBacklog& backlog, std::size_t pause_above = kPauseAbove);

}  // namespace pipeline
