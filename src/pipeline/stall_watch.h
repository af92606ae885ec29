#pragma once
// The decision of the consumer's stall watchdog: what to do about a running partition that got
// no record for a while although its log goes on (librdkafka 2.0's fetcher may never resume
// after a partition leader moved).
#include <cstdint>

namespace pipeline {

enum class StallAction {
  none,     // nothing to read, or already handled at this interval
  seek,     // restart the partition's fetch where it continues
  restart,  // the seek did not help: a new consumer, as a process restart would do
};

// Per partition, across consumer restarts.
struct StallMark {
  std::int64_t next = -1;  // where the stalled partition waits
  int attempts = 0;        // checks that found it stalled there
};

// One check of a partition that got no record for the stall time. `next` is the offset it
// waits for, `end` the end of its log (the last stable offset under read_committed).
StallAction on_stall_check(StallMark& mark, std::int64_t next, std::int64_t end);

}  // namespace pipeline
