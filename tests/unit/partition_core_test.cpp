// One partition's state and decisions (pipeline/partition_core.h) with a fake clock and a
// scripted processor: assignment, start, a refused seek, the rewind after an aborted
// transaction, the restore after a producer replacement, the start a restore plan calls for,
// and what a revoke leaves unfinished.
#include "pipeline/partition_core.h"

#include <gtest/gtest.h>

#include "pipeline_test_support.h"

using namespace std::chrono_literals;
using pipeline::PartitionCore;
using pipeline::Phase;
using pipeline::TimePoint;

namespace {

pipeline::StartCheck starting_at(std::int64_t offset) {
  pipeline::StartCheck c;
  c.start = offset;
  return c;
}

class PartitionCoreTest : public testing::Test {
 protected:
  // Started at its durable checkpoint, records [from, to) taken in and run once.
  void run_records(std::int64_t from, std::int64_t to) {
    for (auto o = from; o < to; ++o) {
      ASSERT_TRUE(core.pipeline->push(pipeline_test::text_record(o, "O" + std::to_string(o)), now));
    }
    core.pipeline->run(now);
  }

  pipeline_test::ScriptedProcessor proc;
  pipeline::PipelineSettings settings = pipeline_test::text_settings();
  PartitionCore core;
  TimePoint now = TimePoint{} + 1000s;
};

TEST_F(PartitionCoreTest, AnAssignmentStartsRestoringWithNothingKnownFromBefore) {
  core.durable_offset = 40;
  core.reprocess_below = 50;
  core.held_bytes = 99;
  core.assigned(now, 7);
  EXPECT_TRUE(core.restoring());
  EXPECT_EQ(core.epoch, 7u);
  EXPECT_EQ(core.assigned_at, now);
  EXPECT_FALSE(core.durable_offset);
  EXPECT_FALSE(core.reprocess_below);
  EXPECT_EQ(core.held_bytes, 0u);
  EXPECT_EQ(core.pipeline, nullptr);
}

TEST_F(PartitionCoreTest, StartsWhereToldElseAtItsCheckpointElseAtTheResetPosition) {
  EXPECT_EQ(core.start_offset(12, -2), 12);
  EXPECT_EQ(core.start_offset(std::nullopt, -2), -2);
  EXPECT_EQ(core.start_offset(std::nullopt, std::nullopt), std::nullopt);  // reset=error
  core.durable_offset = 30;
  EXPECT_EQ(core.start_offset(std::nullopt, -2), 30);
  EXPECT_EQ(core.start_offset(12, -2), 12);
}

TEST_F(PartitionCoreTest, ARefusedSeekGoesBackToRestoringAndIsWarnedOfOnce) {
  core.started(proc, settings, true, now);
  EXPECT_TRUE(core.phase.is(Phase::running));
  EXPECT_FALSE(core.seek_refused());  // the first time: a warning
  EXPECT_TRUE(core.restoring());
  EXPECT_EQ(core.pipeline, nullptr);
  EXPECT_TRUE(core.seek_refused());  // then debug
}

TEST_F(PartitionCoreTest, AbortAndRewindRedoesTheRolledBackRecordsFromTheCheckpoint) {
  core.durable_offset = 10;
  core.durable_aggregate.add({"O1", "Laptop", 10.0f});
  core.started(proc, settings, true, now);
  run_records(10, 15);
  ASSERT_EQ(core.pipeline->commit_offset(), 15);
  EXPECT_EQ(core.pipeline->aggregate().count(), 6u);

  core.rewound();  // the transaction holding 10..14 was aborted
  EXPECT_EQ(core.reprocess_below, 15);
  const pipeline::Coverage durable{core.durable_offset, core.durable_finished};
  EXPECT_EQ(core.rolled_back.not_redone(durable), 5u);

  core.starting(8);
  core.started(proc, settings, true, now);
  EXPECT_EQ(core.epoch, 8u);
  EXPECT_EQ(core.pipeline->aggregate().count(), 1u);  // the checkpoint's, not the aborted work
  run_records(10, 15);
  EXPECT_EQ(core.pipeline->aggregate().count(), 6u);
  // Redone, and once committed no longer rolled back.
  core.durable_offset = core.pipeline->commit_offset();
  EXPECT_EQ(core.rolled_back.not_redone({core.durable_offset, core.durable_finished}), 0u);
}

TEST_F(PartitionCoreTest, ARevokeWithRetriesInFlightLeavesThemUnfinished) {
  proc.transient_failures["O2"] = 3;  // waits for its retry; O3 (another key) goes on
  core.started(proc, settings, true, now);
  run_records(0, 4);
  const auto left = core.unfinished();
  EXPECT_EQ(left.records, 1u);
  EXPECT_EQ(left.retries, 1u);
  EXPECT_EQ(core.pipeline->commit_offset(), 2);  // nothing committed past the retry
}

TEST_F(PartitionCoreTest, ARestoringPartitionLeavesNothingUnfinished) {
  EXPECT_EQ(core.unfinished().records, 0u);
  EXPECT_EQ(core.unfinished().retries, 0u);
}

TEST_F(PartitionCoreTest, AProducerReplacementRestoresFromTheBrokerAndSeeksThere) {
  core.started(proc, settings, true, now);
  run_records(0, 3);
  core.uncommitted.emplace_back(0, now);
  core.held_bytes = 10;
  core.restore_again(9);
  EXPECT_TRUE(core.restoring());
  EXPECT_EQ(core.pipeline, nullptr);
  EXPECT_EQ(core.reprocess_below, 3);
  EXPECT_TRUE(core.reseek);
  EXPECT_TRUE(core.uncommitted.empty());
  EXPECT_EQ(core.held_bytes, 0u);
  EXPECT_EQ(core.epoch, 9u);
  // Even at the committed offset, the restore seeks: fetching went past it.
  pipeline::StartPlan plan;
  plan.offset = 0;
  const auto at = core.take_plan(plan, starting_at(0), 0, {0, 3});
  EXPECT_EQ(at.at, 0);
  EXPECT_TRUE(at.seek);
  core.started(proc, settings, at.seek, now);
  EXPECT_FALSE(core.reseek);
}

TEST_F(PartitionCoreTest, ARestoreAtTheCommittedOffsetKeepsWhatLibrdkafkaFetched) {
  pipeline::StartPlan plan;
  plan.offset = 20;
  plan.restored = true;
  plan.base.add({"X", "Mouse", 2.0f});
  const auto at = core.take_plan(plan, starting_at(20), 20, {0, 30});
  EXPECT_EQ(at.at, 20);
  EXPECT_FALSE(at.seek);
  EXPECT_EQ(core.durable_offset, 20);
  EXPECT_EQ(core.durable_aggregate.count(), 1u);
  // A checkpoint ahead of the committed offset: sought.
  EXPECT_TRUE(core.take_plan(plan, starting_at(20), 15, {0, 30}).seek);
}

TEST_F(PartitionCoreTest, AnAnchorStillInTheLogIsReadFirstToCompare) {
  pipeline::StartPlan plan;
  plan.offset = 20;
  plan.anchor = pipeline::RecordAnchor{18, 0xabc};
  auto at = core.take_plan(plan, starting_at(20), 20, {10, 30});
  ASSERT_TRUE(core.verify);
  EXPECT_EQ(at.at, 18);
  EXPECT_TRUE(at.seek);
  // Deleted from the log meanwhile: nothing to compare, kept as the anchor only.
  at = core.take_plan(plan, starting_at(20), 20, {19, 30});
  EXPECT_FALSE(core.verify);
  EXPECT_EQ(core.anchor, plan.anchor);
  EXPECT_EQ(at.at, 20);
  EXPECT_FALSE(at.seek);
}

TEST_F(PartitionCoreTest, ReprocessedRecordsOnlyGrowAcrossRestores) {
  core.reprocess_below = 50;
  pipeline::StartPlan plan;
  plan.offset = 20;
  plan.reprocess_below = 40;
  core.take_plan(plan, starting_at(20), 20, {0, 60});
  EXPECT_EQ(core.reprocess_below, 50);
  plan.reprocess_below = 55;
  core.take_plan(plan, starting_at(20), 20, {0, 60});
  EXPECT_EQ(core.reprocess_below, 55);
}

TEST_F(PartitionCoreTest, AnOlderCheckpointAcknowledgedLateChangesNothing) {
  stats::Aggregate two;
  two.add({"A", "Mouse", 1.0f});
  two.add({"B", "Mouse", 1.0f});
  EXPECT_TRUE(core.made_durable(20, two, {}, 5));
  EXPECT_FALSE(core.made_durable(10, stats::Aggregate{}, {}, 3));
  EXPECT_EQ(core.durable_offset, 20);
  EXPECT_EQ(core.durable_aggregate.count(), 2u);
  EXPECT_EQ(core.durable_progress, 5u);
}

TEST_F(PartitionCoreTest, StartingOverKeepsNothingOfTheOldLog) {
  core.durable_offset = 40;
  core.durable_aggregate.add({"A", "Mouse", 1.0f});
  core.anchor = pipeline::RecordAnchor{30, 1};
  core.verify = pipeline::RecordAnchor{39, 2};
  core.reprocess_below = 45;
  core.started_over();
  EXPECT_FALSE(core.durable_offset);
  EXPECT_EQ(core.durable_aggregate.count(), 0u);
  EXPECT_FALSE(core.anchor);
  EXPECT_FALSE(core.verify);
  EXPECT_FALSE(core.reprocess_below);
}

TEST_F(PartitionCoreTest, TheLogIsCheckedAtMostOnceASecondAndOnlyWithADurableOffset) {
  EXPECT_FALSE(core.log_check_due(now));
  core.durable_offset = 5;
  EXPECT_TRUE(core.log_check_due(now));
  EXPECT_FALSE(core.log_check_due(now + 500ms));
  EXPECT_TRUE(core.log_check_due(now + 1s));
}

TEST_F(PartitionCoreTest, TheCommitTakesTheUncommittedRecords) {
  core.uncommitted.emplace_back(3, now);
  EXPECT_EQ(core.take_uncommitted().size(), 1u);
  EXPECT_TRUE(core.uncommitted.empty());
}

}  // namespace
