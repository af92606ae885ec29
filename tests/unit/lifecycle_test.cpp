// The consume run's two state machines: a partition's phase and the run's lifecycle.
#include <gtest/gtest.h>

#include "pipeline/partition_phase.h"
#include "pipeline/run_lifecycle.h"

using pipeline::next_phase;
using pipeline::PartitionPhase;
using pipeline::Phase;
using pipeline::PhaseEvent;
using pipeline::RunLifecycle;
using pipeline::RunPhase;
namespace ev = pipeline::run_event;

TEST(PartitionPhase, RestoresThenRunsThenHaltsAndResumes) {
  PartitionPhase p;
  EXPECT_TRUE(p.restoring());
  EXPECT_TRUE(p.on(PhaseEvent::checkpoint_lags));
  EXPECT_TRUE(p.is(Phase::awaiting_checkpoint));
  EXPECT_TRUE(p.restoring());
  EXPECT_TRUE(p.on(PhaseEvent::started));
  EXPECT_TRUE(p.is(Phase::running));
  EXPECT_FALSE(p.restoring());
  EXPECT_TRUE(p.on(PhaseEvent::halted));
  EXPECT_TRUE(p.is(Phase::halted));
  EXPECT_TRUE(p.on(PhaseEvent::resumed));
  EXPECT_TRUE(p.is(Phase::running));
}

TEST(PartitionPhase, RestoreIsAlwaysPossible) {
  for (Phase from : {Phase::restoring, Phase::awaiting_checkpoint, Phase::running, Phase::halted}) {
    const auto s = next_phase(from, PhaseEvent::restore);
    EXPECT_TRUE(s.ok);
    EXPECT_EQ(s.to, Phase::restoring);
  }
}

TEST(PartitionPhase, TransitionsItDoesNotHaveAreRefusedAndChangeNothing) {
  const std::pair<Phase, PhaseEvent> refused[] = {
      {Phase::restoring, PhaseEvent::halted}, {Phase::restoring, PhaseEvent::resumed},
      {Phase::running, PhaseEvent::started},  {Phase::running, PhaseEvent::checkpoint_lags},
      {Phase::running, PhaseEvent::resumed},  {Phase::halted, PhaseEvent::halted},
      {Phase::halted, PhaseEvent::started},   {Phase::awaiting_checkpoint, PhaseEvent::halted},
  };
  for (auto [from, event] : refused) {
    const auto s = next_phase(from, event);
    EXPECT_FALSE(s.ok) << pipeline::phase_name(from) << " " << static_cast<int>(event);
    EXPECT_EQ(s.to, from);
  }
}

TEST(PartitionPhase, NamesAreTheOnesTheReportShows) {
  EXPECT_STREQ(pipeline::phase_name(Phase::awaiting_checkpoint), "restore-wait");
  EXPECT_STREQ(pipeline::phase_name(Phase::restoring), "restoring");
}

namespace {
const pipeline::TimePoint kT0{std::chrono::seconds(100)};
}

TEST(RunLifecycle, StartsRunningWithNothingToReport) {
  RunLifecycle run;
  EXPECT_EQ(run.phase(), RunPhase::running);
  EXPECT_FALSE(run.failed());
  EXPECT_FALSE(run.cannot_commit());
  EXPECT_TRUE(run.takes_producer_failure());
  EXPECT_FALSE(run.stopping());
  EXPECT_TRUE(run.problem().empty());
}

TEST(RunLifecycle, TheFirstFatalProblemWins) {
  RunLifecycle run;
  EXPECT_TRUE(run.on(ev::Fatal{"first"}));
  EXPECT_FALSE(run.on(ev::Fatal{"second"}));
  EXPECT_TRUE(run.failed());
  EXPECT_TRUE(run.cannot_commit());
  EXPECT_FALSE(run.takes_producer_failure());
  EXPECT_EQ(run.problem(), "first");
  // Nothing non-fatal replaces it either.
  EXPECT_FALSE(run.on(ev::Problem{"later", true}));
  EXPECT_EQ(run.problem(), "first");
}

TEST(RunLifecycle, NonFatalProblemsKeepTheFirstUnlessTheyReplace) {
  RunLifecycle run;
  EXPECT_TRUE(run.on(ev::Problem{"final commit failed"}));
  EXPECT_FALSE(run.on(ev::Problem{"records not committed"}));
  EXPECT_EQ(run.problem(), "final commit failed");
  EXPECT_TRUE(run.on(ev::Problem{"final commit failed: timed out", true}));
  EXPECT_EQ(run.problem(), "final commit failed: timed out");
  EXPECT_FALSE(run.failed());
  // A fatal one overrides a non-fatal one.
  EXPECT_TRUE(run.on(ev::Fatal{"fatal consumer error"}));
  EXPECT_EQ(run.problem(), "fatal consumer error");
}

TEST(RunLifecycle, AProducerRecoveryTakesOneFailureAtATime) {
  RunLifecycle run;
  EXPECT_TRUE(run.on(ev::RecoveryDue{"commit: fenced", kT0, 1}));
  EXPECT_TRUE(run.recovering());
  EXPECT_TRUE(run.cannot_commit());
  EXPECT_FALSE(run.failed());
  ASSERT_TRUE(run.recovery());
  EXPECT_EQ(run.recovery()->due, kT0);
  EXPECT_EQ(run.recovery()->attempt, 1);
  // The failures that follow from the first are not new ones.
  EXPECT_FALSE(run.takes_producer_failure());
  EXPECT_FALSE(run.on(ev::RecoveryDue{"abort: fenced", kT0, 2}));
  EXPECT_EQ(run.recovery()->failure, "commit: fenced");
  EXPECT_TRUE(run.on(ev::RecoveryStarted{}));
  EXPECT_EQ(run.phase(), RunPhase::running);
  EXPECT_FALSE(run.recovery());
  EXPECT_FALSE(run.on(ev::RecoveryStarted{}));
  // The replacement failed again: the next recovery.
  EXPECT_TRUE(run.on(ev::RecoveryDue{"init_transactions: timed out", kT0, 2}));
  EXPECT_EQ(run.recovery()->attempt, 2);
}

TEST(RunLifecycle, AFatalProblemDropsAPendingRecovery) {
  RunLifecycle run;
  run.on(ev::RecoveryDue{"commit: fenced", kT0, 1});
  EXPECT_TRUE(run.on(ev::Fatal{"aggregates topic deleted"}));
  EXPECT_FALSE(run.recovering());
  EXPECT_FALSE(run.recovery());
  EXPECT_FALSE(run.on(ev::RecoveryStarted{}));
}

TEST(RunLifecycle, AStopDuringARecoveryIsFatal) {
  RunLifecycle run;
  run.on(ev::RecoveryDue{"commit: fenced", kT0, 1});
  EXPECT_TRUE(run.on(ev::Stop{}));
  EXPECT_EQ(run.phase(), RunPhase::stopping);
  EXPECT_TRUE(run.failed());
  EXPECT_NE(run.problem().find("stopped while replacing the failed transactional producer "
                               "(commit: fenced)"),
            std::string::npos);
}

TEST(RunLifecycle, StopsThenClosesOnce) {
  RunLifecycle run;
  EXPECT_FALSE(run.on(ev::Close{}));  // closing comes after the final commit only
  EXPECT_TRUE(run.on(ev::Stop{}));
  EXPECT_TRUE(run.stopping());
  EXPECT_FALSE(run.closing());
  EXPECT_FALSE(run.failed());  // a plain stop reports nothing
  EXPECT_TRUE(run.problem().empty());
  EXPECT_FALSE(run.on(ev::Stop{}));
  EXPECT_FALSE(run.on(ev::RecoveryDue{"x", kT0, 1}));  // no recovery while stopping
  EXPECT_TRUE(run.on(ev::Close{}));
  EXPECT_TRUE(run.closing());
  EXPECT_TRUE(run.stopping());
  EXPECT_FALSE(run.on(ev::Close{}));
  // A fatal problem while closing still counts (the revoke of the final close).
  EXPECT_TRUE(run.on(ev::Fatal{"late"}));
  EXPECT_TRUE(run.failed());
}

TEST(RunLifecycle, AFailedRunStillStopsAndCloses) {
  RunLifecycle run;
  run.on(ev::Fatal{"broken"});
  EXPECT_TRUE(run.on(ev::Stop{}));
  EXPECT_TRUE(run.on(ev::Close{}));
  EXPECT_TRUE(run.failed());
  EXPECT_EQ(run.problem(), "broken");
}
