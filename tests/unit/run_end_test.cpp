// The end-of-run rules (pipeline/run_end.h) fed to the run's lifecycle, as the consume loop
// does: what a run reports at exit, and so its exit status (any problem: 1).
#include "pipeline/run_end.h"

#include <gtest/gtest.h>

namespace {

using pipeline::RunEnd;
using pipeline::RunLifecycle;
namespace ev = pipeline::run_event;

const pipeline::TimePoint kT0{std::chrono::seconds(100)};

// The lifecycle after a stop and the end-of-run facts, as the loop feeds them.
RunLifecycle ended(RunLifecycle run, const RunEnd& end) {
  run.on(ev::Stop{});
  for (const auto& p : pipeline::run_end_problems(end)) run.on(p);
  run.on(ev::Close{});
  return run;
}

RunEnd committed() {
  RunEnd end;
  end.final_commit_attempted = true;
  end.final_batch_committed = true;
  end.dlq_topic = "dlq";
  return end;
}

TEST(RunEnd, ACleanStopReportsNothing) {
  const auto run = ended({}, committed());
  EXPECT_TRUE(run.problem().empty());
  EXPECT_TRUE(run.closing());
}

TEST(RunEnd, AFailedFinalCommitIsReported) {
  RunEnd end = committed();
  end.final_batch_committed = false;
  const auto run = ended({}, end);
  EXPECT_EQ(run.problem(),
            "final commit failed: the last batch will be processed again by the next owner");
}

TEST(RunEnd, TheOffsetsCommitsOwnErrorSaysMoreAndReplacesIt) {
  RunEnd end = committed();
  end.final_batch_committed = false;
  end.offsets_error = "Broker: Not coordinator";
  EXPECT_EQ(ended({}, end).problem(), "final commit failed: Broker: Not coordinator");
}

TEST(RunEnd, FinishedWorkNotCommittedIsReportedWithItsCount) {
  RunEnd end = committed();
  end.finished_not_committed = 7;
  const auto problem = ended({}, end).problem();
  EXPECT_EQ(problem.rfind("7 finished record(s) not committed", 0), 0u) << problem;
}

TEST(RunEnd, UnacknowledgedDeadLettersNameTheDlqTopic) {
  RunEnd end = committed();
  end.dead_letters_unacknowledged = 2;
  const auto problem = ended({}, end).problem();
  EXPECT_NE(problem.find("2 dead letter(s) not acknowledged by 'dlq'"), std::string::npos)
      << problem;
}

TEST(RunEnd, TheFirstProblemWins) {
  RunEnd end = committed();
  end.final_batch_committed = false;
  end.finished_not_committed = 3;
  end.dead_letters_unacknowledged = 1;
  EXPECT_EQ(ended({}, end).problem().rfind("final commit failed: the last batch", 0), 0u);
}

TEST(RunEnd, AFatalProblemBeforeTheEndIsNeverReplaced) {
  RunLifecycle run;
  run.on(ev::Fatal{"fatal producer error in commit_transaction: fenced"});
  RunEnd end;  // a failed run attempts no final commit
  end.dead_letters_unacknowledged = 1;
  end.offsets_error = "ignored";
  EXPECT_EQ(ended(run, end).problem(), "fatal producer error in commit_transaction: fenced");
}

TEST(RunEnd, NoFinalCommitAttemptedReportsNoCommitFailure) {
  RunEnd end;
  end.final_batch_committed = false;
  end.offsets_error = "would be stale";
  EXPECT_TRUE(pipeline::run_end_problems(end).empty());
}

TEST(RunEnd, AStopDuringTheProducerReplacementBackoffEndsTheRunFailed) {
  RunLifecycle run;
  run.on(ev::RecoveryDue{"commit_transaction: outcome unknown: timed out", kT0, 1});
  const auto done = ended(run, {});  // failed: the loop attempts no final commit
  EXPECT_TRUE(done.failed());
  EXPECT_NE(done.problem().find("stopped while replacing the failed transactional producer "
                                "(commit_transaction: outcome unknown: timed out)"),
            std::string::npos)
      << done.problem();
}

}  // namespace
