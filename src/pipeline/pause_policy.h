#pragma once
// When to stop fetching a partition. Records waiting for a retry (and those held behind one)
// stay in the pipeline while polling goes on, so the group keeps the member. Fetching stops
// only when the partition's window is full (a long backoff, a halted partition) and restarts
// once every figure has drained below half its limit: librdkafka 2.0 may take up to a second to
// fetch again after a resume, which short backoffs should not pay.
#include <cstddef>

#include "pipeline/window.h"

namespace pipeline {

struct FetchBacklog {
  bool restoring = false;            // not started yet: fetched records are held
  bool awaiting_checkpoint = false;  // its restore waits for a lagging checkpoint
  std::size_t held = 0;              // records held while restoring
  std::size_t held_bytes = 0;        // their keys and values
  WindowUsage usage;                 // the running pipeline's window
};

// Whether the partition should be paused, given whether it is now.
bool should_pause(bool paused, const FetchBacklog& backlog, const WindowLimits& limits);

// Whether the bytes held by all partitions together are over `limits.total_bytes`, given whether
// they were: over the limit every partition pauses, until the total is below half of it (then
// each partition follows should_pause again).
bool over_total(bool over, std::size_t total_bytes, const WindowLimits& limits);

}  // namespace pipeline
