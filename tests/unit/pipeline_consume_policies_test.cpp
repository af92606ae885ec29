// The consume shell's policies: pause hysteresis, commit plan, epoch filter, dead-letter resend.
#include <gtest/gtest.h>

#include <chrono>

#include "pipeline/commit_plan.h"
#include "pipeline/dead_letter_resend.h"
#include "pipeline/epoch.h"
#include "pipeline/pause_policy.h"

using namespace std::chrono_literals;
using pipeline::FetchBacklog;
using pipeline::should_pause;

TEST(PausePolicy, RunningPartitionPausesAtAnyLimitAndResumesBelowHalfOfEach) {
  const pipeline::WindowLimits l{100, 1000, 10000};
  using U = pipeline::WindowUsage;
  auto pause = [&](bool paused, U u) { return should_pause(paused, FetchBacklog{.usage = u}, l); };
  EXPECT_FALSE(pause(false, U{99, 999, 9999}));
  EXPECT_TRUE(pause(false, U{100, 0, 0}));
  EXPECT_TRUE(pause(false, U{0, 1000, 0}));
  EXPECT_TRUE(pause(false, U{0, 0, 10000}));
  EXPECT_TRUE(pause(true, U{50, 0, 0}));  // hysteresis: not below half yet
  EXPECT_TRUE(pause(true, U{0, 0, 5000}));
  EXPECT_FALSE(pause(true, U{49, 499, 4999}));
}

TEST(PausePolicy, RestoringPartitionPausesWhileWaitingOrHoldingTooMuch) {
  const pipeline::WindowLimits l{100, 1000, 10000};
  EXPECT_FALSE(should_pause(false, FetchBacklog{.restoring = true, .held = 10, .usage = {}}, l));
  EXPECT_TRUE(should_pause(false, FetchBacklog{.restoring = true, .held = 100, .usage = {}}, l));
  EXPECT_TRUE(should_pause(
      false, FetchBacklog{.restoring = true, .awaiting_checkpoint = true, .usage = {}}, l));
  // Bytes bound held records too: a few large ones are enough to pause.
  EXPECT_FALSE(should_pause(
      false, FetchBacklog{.restoring = true, .held = 2, .held_bytes = 999, .usage = {}}, l));
  EXPECT_TRUE(should_pause(
      false, FetchBacklog{.restoring = true, .held = 2, .held_bytes = 1000, .usage = {}}, l));
  // No hysteresis while restoring: the queue is not the pipeline's.
  EXPECT_FALSE(should_pause(true, FetchBacklog{.restoring = true, .held = 60, .usage = {}}, l));
}

TEST(PausePolicy, AllPartitionsTogetherPauseAtTheTotalAndResumeBelowHalf) {
  pipeline::WindowLimits l;
  l.total_bytes = 1000;
  EXPECT_FALSE(pipeline::over_total(false, 999, l));
  EXPECT_TRUE(pipeline::over_total(false, 1000, l));
  EXPECT_TRUE(pipeline::over_total(true, 500, l));  // hysteresis: not below half yet
  EXPECT_FALSE(pipeline::over_total(true, 499, l));
  EXPECT_FALSE(pipeline::over_total(false, 700, l));  // under the limit and not over: stays so
}

TEST(CommitPlan, ACheckpointIsDueWhenRecordsFinishedAboveAnUnmovedOffset) {
  pipeline::CommitCandidate moved_above{0, 10, 10};
  moved_above.progress = 7;
  moved_above.covered_progress = 5;
  pipeline::CommitCandidate nothing_new{1, 10, 10};
  nothing_new.progress = 5;
  nothing_new.covered_progress = 5;
  const auto items = pipeline::plan_commit({moved_above, nothing_new});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].partition, 0);
  EXPECT_EQ(items[0].offset, 10);
}

TEST(CommitPlan, TakesPartitionsWhoseFinishedPositionMovedPastTheCoveredOne) {
  const auto items = pipeline::plan_commit({
      {0, 10, 5},            // moved on
      {1, 10, 10},           // covered already
      {2, std::nullopt, 3},  // nothing finished
      {3, 7, std::nullopt},  // first commit
      {4, 4, 9},             // covered beyond (a restored checkpoint ahead)
  });
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].partition, 0);
  EXPECT_EQ(items[0].offset, 10);
  EXPECT_EQ(items[1].partition, 3);
  EXPECT_EQ(items[1].offset, 7);
}

TEST(EpochFilter, OnlyTheSendingEpochCounts) {
  pipeline::Epochs epochs;
  const auto first = epochs.next();
  const auto second = epochs.next();
  EXPECT_NE(first, second);
  EXPECT_TRUE(pipeline::report_is_current(second, second));
  EXPECT_FALSE(pipeline::report_is_current(second, first));        // rewound since
  EXPECT_FALSE(pipeline::report_is_current(std::nullopt, first));  // restoring or revoked
}

TEST(DeadLetterResend, HeldUntilTheDelayHasPassedThenForgotten) {
  pipeline::FailedDeadLetters failed;
  const pipeline::TimePoint t0{};
  failed.failed(1, 42, "broker down", t0);
  EXPECT_FALSE(failed.hold(1, 43, 5s, t0 + 1s));  // another record
  EXPECT_FALSE(failed.hold(2, 42, 5s, t0 + 1s));  // another partition
  auto held = failed.hold(1, 42, 5s, t0 + 4s);
  ASSERT_TRUE(held);
  EXPECT_EQ(held->error, "broker down");
  EXPECT_EQ(held->failed_at, t0);
  EXPECT_FALSE(failed.hold(1, 42, 5s, t0 + 5s));  // due: sent again
  EXPECT_FALSE(failed.hold(1, 42, 5s, t0 + 1s));  // and forgotten
}

TEST(DeadLetterResend, ForgettingAPartitionDropsItsFailures) {
  pipeline::FailedDeadLetters failed;
  failed.failed(1, 42, "x", pipeline::TimePoint{});
  failed.forget(1);
  EXPECT_FALSE(failed.hold(1, 42, 5s, pipeline::TimePoint{}));
}
