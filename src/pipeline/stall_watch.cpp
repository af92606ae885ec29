#include "pipeline/stall_watch.h"

namespace pipeline {

StallAction on_stall_check(StallMark& mark, std::int64_t next, std::int64_t end) {
  // A transaction's commit marker takes an offset too: one left is nothing to read.
  if (next < 0 || end <= next + 1) return StallAction::none;
  if (mark.next != next) mark = {next, 0};  // it moved since: a new stall
  const int attempt = ++mark.attempts;
  if (attempt == 1) return StallAction::seek;
  // Restarts at the 2nd, 4th, 8th, ... check: a partition that only looks stalled (aborted
  // transactions at its end) costs ever rarer restarts, a real stall is retried.
  return (attempt & (attempt - 1)) == 0 ? StallAction::restart : StallAction::none;
}

}  // namespace pipeline
