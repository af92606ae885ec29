#pragma once
// What the end of an `orders consume` run reports, decided from what its last steps found (pure;
// the consume loop gathers the facts and feeds the problems to its RunLifecycle). The rules:
//  - records that were never finished (waiting in a retry backoff, in flight) are not a
//    problem: nothing past them was committed, so the next owner reads them again;
//  - finished work that is not committed is: the last batch (its commit failed), records an
//    aborted transaction rolled back and that were not redone, a dead letter never
//    acknowledged. Each still lost nothing (read again by the next owner), but the run did not
//    end clean, so the exit status says so;
//  - any problem makes the exit status 1 (src/cli/consume.cpp); the first problem wins, except that
//  the final offsets commit's own error says more than
//    "final commit failed" and replaces it; a fatal problem met before is never replaced.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/run_lifecycle.h"

namespace pipeline {

struct RunEnd {
  // The run had not failed, so a final commit was attempted.
  bool final_commit_attempted = false;
  bool final_batch_committed = false;
  // The final (synchronous) offsets commit failed with this.
  std::optional<std::string> offsets_error;
  // Finished records that are not committed (rolled back and not redone, or never committed).
  std::uint64_t finished_not_committed = 0;
  // Dead letters not acknowledged by the DLQ (in flight, or a halted partition's).
  std::size_t dead_letters_unacknowledged = 0;
  std::string dlq_topic;
};

// The problems, in the order they are to be fed to the run's lifecycle.
std::vector<run_event::Problem> run_end_problems(const RunEnd& end);

}  // namespace pipeline
