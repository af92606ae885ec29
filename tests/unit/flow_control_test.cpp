// Flow control of the consume loop: which partitions are paused, and the total byte bound.
#include "pipeline/flow_control.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using pipeline::FlowControl;
using pipeline::PartitionBacklog;
using pipeline::TotalTransition;
using pipeline::WindowLimits;
using pipeline::WindowUsage;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace {

// Per partition: 100 records, 10000 bytes, a span of 1000; all partitions together: 1000 bytes.
WindowLimits limits() {
  WindowLimits l;
  l.records = 100;
  l.bytes = 10'000;
  l.span = 1000;
  l.total_bytes = 1000;
  return l;
}

PartitionBacklog running(std::int32_t partition, std::size_t bytes, std::size_t records = 1) {
  return {partition,
          {.usage = {.records = records, .bytes = bytes, .span = std::int64_t(records)}}};
}

PartitionBacklog restoring(std::int32_t partition, std::size_t held, std::size_t held_bytes,
                           bool awaiting_checkpoint = false) {
  return {partition,
          {.restoring = true,
           .awaiting_checkpoint = awaiting_checkpoint,
           .held = held,
           .held_bytes = held_bytes,
           .usage = {}}};
}

// Over the total with partitions 0 and 1 (600 + 400 bytes), every partition paused.
FlowControl over_total() {
  FlowControl flow(limits());
  flow.assigned(0);
  flow.assigned(1);
  flow.evaluate({running(0, 600), running(1, 400)});
  return flow;
}

}  // namespace

TEST(FlowControl, NothingIsPausedWhileEveryWindowAndTheTotalHaveRoom) {
  FlowControl flow(limits());
  flow.assigned(0);
  const auto a = flow.evaluate({running(0, 300), restoring(1, 5, 200)});
  EXPECT_THAT(a.pause, IsEmpty());
  EXPECT_THAT(a.resume, IsEmpty());
  EXPECT_EQ(a.total, TotalTransition::none);
  EXPECT_EQ(a.total_bytes, 500u);  // held while restoring counts too
  EXPECT_FALSE(flow.paused(0));
  EXPECT_FALSE(flow.over_total());
}

TEST(FlowControl, ReachingTheTotalPausesEveryPartitionOnceAndSaysSo) {
  FlowControl flow(limits());
  const auto a = flow.evaluate({running(0, 600), running(1, 400), restoring(2, 0, 0)});
  EXPECT_EQ(a.total, TotalTransition::over);
  EXPECT_EQ(a.total_bytes, 1000u);
  EXPECT_THAT(a.pause, ElementsAre(0, 1, 2));
  EXPECT_THAT(a.resume, IsEmpty());
  // The mirror takes the result at once: the shell's pause call is not reported back.
  EXPECT_TRUE(flow.paused(0) && flow.paused(1) && flow.paused(2));
  EXPECT_TRUE(flow.over_total());

  const auto again = flow.evaluate({running(0, 600), running(1, 400), restoring(2, 0, 0)});
  EXPECT_EQ(again.total, TotalTransition::none);
  EXPECT_THAT(again.pause, IsEmpty());
  EXPECT_THAT(again.resume, IsEmpty());
}

TEST(FlowControl, EveryPartitionResumesOnlyOnceTheTotalIsBelowHalf) {
  auto flow = over_total();
  const auto half = flow.evaluate({running(0, 300), running(1, 200)});  // 500: half, not below
  EXPECT_EQ(half.total, TotalTransition::none);
  EXPECT_THAT(half.resume, IsEmpty());
  EXPECT_TRUE(flow.over_total());

  const auto below = flow.evaluate({running(0, 300), running(1, 199)});
  EXPECT_EQ(below.total, TotalTransition::under);
  EXPECT_EQ(below.total_bytes, 499u);
  EXPECT_THAT(below.resume, ElementsAre(0, 1));
  EXPECT_FALSE(flow.paused(0) || flow.paused(1) || flow.over_total());
}

TEST(FlowControl, BelowTheTotalAPartitionWhoseWindowIsNotBelowHalfStaysPaused) {
  auto flow = over_total();
  // Partition 0 still holds 60 of its 100 records: its own hysteresis keeps it paused.
  const auto a = flow.evaluate({running(0, 100, 60), running(1, 100, 49)});
  EXPECT_EQ(a.total, TotalTransition::under);
  EXPECT_THAT(a.resume, ElementsAre(1));
  EXPECT_TRUE(flow.paused(0));

  EXPECT_THAT(flow.evaluate({running(0, 100, 49), running(1, 100, 49)}).resume, ElementsAre(0));
}

TEST(FlowControl, RestoringPartitionsStayPausedBelowTheTotalWhenTheirRulesSaySo) {
  FlowControl flow(limits());
  flow.evaluate(
      {running(0, 1000), restoring(1, 100, 0), restoring(2, 0, 0, true), restoring(3, 5, 0)});
  ASSERT_TRUE(flow.over_total());
  // Below half: the one holding a full window of records and the one awaiting its checkpoint
  // stay paused; the other restoring partition fetches again.
  const auto a = flow.evaluate(
      {running(0, 10), restoring(1, 100, 0), restoring(2, 0, 0, true), restoring(3, 5, 0)});
  EXPECT_EQ(a.total, TotalTransition::under);
  EXPECT_THAT(a.resume, ElementsAre(0, 3));
  EXPECT_TRUE(flow.paused(1));
  EXPECT_TRUE(flow.paused(2));
}

TEST(FlowControl, TheEstimateAsksForAnEvaluationExactlyWhenARecordReachesTheTotal) {
  FlowControl flow(limits());
  EXPECT_FALSE(flow.record_taken(400));
  EXPECT_FALSE(flow.record_taken(599));
  EXPECT_TRUE(flow.record_taken(1));  // 1000
  EXPECT_EQ(flow.held_estimate(), 1000u);

  // Counted exactly, the total is lower (records taken and dropped): the estimate starts there.
  flow.evaluate({running(0, 300)});
  EXPECT_FALSE(flow.over_total());
  EXPECT_EQ(flow.held_estimate(), 300u);
  EXPECT_FALSE(flow.record_taken(699));
  EXPECT_TRUE(flow.record_taken(1));

  // Over the total, records taken do not ask again: the poll loop's evaluation resumes them.
  flow.evaluate({running(0, 1000)});
  ASSERT_TRUE(flow.over_total());
  EXPECT_FALSE(flow.record_taken(5000));
}

TEST(FlowControl, AWindowFullPartitionPausesRightAfterTheRecordThatFilledIt) {
  FlowControl flow(limits());
  flow.assigned(0);
  EXPECT_FALSE(flow.after_record(0, WindowUsage{.records = 99, .bytes = 10, .span = 99}));
  EXPECT_FALSE(flow.paused(0));
  EXPECT_TRUE(flow.after_record(0, WindowUsage{.records = 100, .bytes = 10, .span = 100}));
  EXPECT_TRUE(flow.paused(0));
  // Paused already: not asked twice.
  EXPECT_FALSE(flow.after_record(0, WindowUsage{.records = 101, .bytes = 10, .span = 101}));
  // The byte and span limits fill a window too.
  EXPECT_TRUE(flow.after_record(1, WindowUsage{.records = 1, .bytes = 10'000, .span = 1}));
  EXPECT_TRUE(flow.after_record(2, WindowUsage{.records = 1, .bytes = 1, .span = 1000}));
}

TEST(FlowControl, APartitionPausedAfterItsRecordResumesOnceItsWindowIsBelowHalf) {
  FlowControl flow(limits());
  ASSERT_TRUE(flow.after_record(0, WindowUsage{.records = 100, .bytes = 10, .span = 100}));
  EXPECT_THAT(flow.evaluate({running(0, 10, 50)}).resume, IsEmpty());
  EXPECT_TRUE(flow.paused(0));
  EXPECT_THAT(flow.evaluate({running(0, 10, 49)}).resume, ElementsAre(0));
  EXPECT_FALSE(flow.paused(0));
}

TEST(FlowControl, AFailedPauseLeavesThePartitionFetchingAndTheNextRecordAsksAgain) {
  FlowControl flow(limits());
  const WindowUsage full{.records = 100, .bytes = 10, .span = 100};
  ASSERT_TRUE(flow.after_record(0, full));
  flow.pause_failed(0);
  EXPECT_FALSE(flow.paused(0));
  EXPECT_TRUE(flow.after_record(0, full));
  flow.pause_failed(0);
  // The loop's evaluation asks for the pause as well (not a resume of a partition never paused).
  const auto a = flow.evaluate({running(0, 10, 100)});
  EXPECT_THAT(a.pause, ElementsAre(0));
  EXPECT_THAT(a.resume, IsEmpty());
}

TEST(FlowControl, AFailedBatchPauseOrResumeIsAskedForAgainByTheNextEvaluation) {
  auto flow = over_total();  // 0 and 1 paused
  for (auto p : {0, 1}) flow.pause_failed(p);
  EXPECT_THAT(flow.evaluate({running(0, 600), running(1, 400)}).pause, ElementsAre(0, 1));
  // Below half: both resume; the call fails, so the next evaluation resumes them again.
  const auto a = flow.evaluate({running(0, 10), running(1, 10)});
  ASSERT_THAT(a.resume, ElementsAre(0, 1));
  for (auto p : a.resume) flow.resume_failed(p);
  EXPECT_TRUE(flow.paused(0));
  EXPECT_THAT(flow.evaluate({running(0, 10), running(1, 10)}).resume, ElementsAre(0, 1));
}

TEST(FlowControl, ARevokedPartitionIsForgotten) {
  FlowControl flow(limits());
  flow.assigned(0);
  flow.assigned(1);
  ASSERT_TRUE(flow.after_record(0, WindowUsage{.records = 100, .bytes = 10, .span = 100}));
  flow.revoked(0);
  EXPECT_FALSE(flow.paused(0));
  const auto a = flow.evaluate({running(1, 10)});
  EXPECT_THAT(a.pause, IsEmpty());
  EXPECT_THAT(a.resume, IsEmpty());  // nothing to resume of partition 0
  // Assigned again it starts unpaused, its window empty.
  flow.assigned(0);
  EXPECT_FALSE(flow.paused(0));
  EXPECT_THAT(flow.evaluate({restoring(0, 0, 0), running(1, 10)}).resume, IsEmpty());
}

TEST(FlowControl, APartitionAssignedWhileOverTheTotalIsPausedByTheNextEvaluation) {
  auto flow = over_total();
  flow.assigned(2);
  EXPECT_FALSE(flow.paused(2));  // librdkafka fetches a newly assigned partition
  const auto a = flow.evaluate({running(0, 600), running(1, 400), restoring(2, 0, 0)});
  EXPECT_EQ(a.total, TotalTransition::none);
  EXPECT_THAT(a.pause, ElementsAre(2));
  EXPECT_TRUE(flow.paused(2));
}

TEST(FlowControl, APausedPartitionAssignedAgainStartsUnpaused) {
  auto flow = over_total();
  flow.assigned(0);  // a new assignment of a partition it had: its state starts over
  EXPECT_FALSE(flow.paused(0));
  EXPECT_TRUE(flow.paused(1));
}
