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

TEST(PausePolicy, RunningPartitionPausesAtTheBoundAndResumesAtHalf) {
  EXPECT_FALSE(should_pause(false, FetchBacklog{.queued = 99}, 100));
  EXPECT_TRUE(should_pause(false, FetchBacklog{.queued = 100}, 100));
  EXPECT_TRUE(should_pause(true, FetchBacklog{.queued = 51}, 100));  // hysteresis
  EXPECT_FALSE(should_pause(true, FetchBacklog{.queued = 50}, 100));
}

TEST(PausePolicy, RestoringPartitionPausesWhileWaitingOrHoldingTooMuch) {
  EXPECT_FALSE(should_pause(false, FetchBacklog{.restoring = true, .held = 10}, 100));
  EXPECT_TRUE(should_pause(false, FetchBacklog{.restoring = true, .held = 100}, 100));
  EXPECT_TRUE(
      should_pause(false, FetchBacklog{.restoring = true, .awaiting_checkpoint = true}, 100));
  // No hysteresis while restoring: the queue is not the pipeline's.
  EXPECT_FALSE(should_pause(true, FetchBacklog{.restoring = true, .held = 60}, 100));
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
