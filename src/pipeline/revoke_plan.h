#pragma once
// What the consumer does when partitions are taken away (pure; consume/assignment.cpp applies
// it): a revoke commits the partitions' finished work first, so the next owner continues exactly
// there; a lost assignment commits nothing (another member owns them already: a commit would be
// refused or, worse, race the new owner), and exactly-once aborts the open transaction, which
// may hold their work; a failed run commits nothing at all.
#include <chrono>

#include "util/stop_signal.h"

namespace pipeline {

struct RevokePlan {
  bool commit = false;      // commit the revoked partitions' finished work, waiting for it
  bool abort_lost = false;  // tell the committer they were lost (it aborts and rewinds)
  std::chrono::milliseconds budget{0};  // for the commit
  // At exit only: what is left unfinished is counted in the report (mid-run, it goes on with
  // the next owner).
  bool count_unfinished = false;
};

struct RevokeFacts {
  bool lost = false;
  bool run_failed = false;
  bool stop_requested = false;  // a stop signal: the stop budget bounds the commit
  bool closing = false;         // leaving the group at the end of the run
};

inline constexpr std::chrono::milliseconds kRevokeBudget{10000};

inline RevokePlan plan_revoke(const RevokeFacts& f) {
  RevokePlan p;
  p.count_unfinished = f.closing;
  if (f.run_failed) return p;
  if (f.lost) {
    p.abort_lost = true;
    return p;
  }
  p.commit = true;
  p.budget = f.stop_requested ? util::kStopBudget : kRevokeBudget;
  return p;
}

}  // namespace pipeline
