// The consume loop's core (pipeline/consumer_core.h) with a fake clock and a scripted processor,
// no broker: assignment and restores (also during a restore), held records and the total byte
// bound, --max-messages, covered records, revoke with retries in flight, lost partitions, abort
// and rewind, producer replacement, a stop during its backoff, what each loop turn does, the poll
// timeout and the stall watchdog.
#include "pipeline/consumer_core.h"

#include <gtest/gtest.h>

#include "pipeline_test_support.h"

using namespace std::chrono_literals;
using pipeline::Admit;
using pipeline::ConsumerCore;
using pipeline::Next;
using pipeline::Take;
using pipeline::TimePoint;

namespace {

class ConsumerCoreTest : public testing::Test {
 protected:
  static pipeline::CoreSettings core_settings() {
    pipeline::CoreSettings s;
    s.window.records = 100;
    s.window.bytes = 1000;
    s.window.total_bytes = 250;
    s.idle_exit = 2s;
    return s;
  }
  // Restored (as the shell does once its start is known) and running.
  pipeline::PartitionCore& start(std::int32_t p) {
    auto& ps = *core.find(p);
    core.starting(ps);
    ps.started(proc, settings, true, now);
    return ps;
  }
  // Records [from, to) fetched, admitted, pushed and run once.
  void feed(std::int32_t p, std::int64_t from, std::int64_t to) {
    auto& ps = *core.find(p);
    for (auto o = from; o < to; ++o) {
      ASSERT_EQ(core.take(p, 10).what, Take::accept);
      if (core.admit(p, ps, o) != Admit::push) continue;
      ASSERT_TRUE(ps.pipeline->push(pipeline_test::text_record(o, "O" + std::to_string(o)), now));
      core.pushed(p, ps, o, std::nullopt, now);
    }
    ps.pipeline->run(now);
  }
  pipeline::LoopStep next(bool stop = false, std::size_t in_flight = 0) {
    return core.next(
        {.stop_requested = stop, .consumer_fatal = false, .outputs_in_flight = in_flight}, now);
  }

  pipeline_test::ScriptedProcessor proc;
  pipeline::PipelineSettings settings = pipeline_test::text_settings();
  TimePoint now = TimePoint{} + 1000s;
  pipeline::CoreSettings cs = core_settings();
  ConsumerCore core{cs, now};
};

TEST_F(ConsumerCoreTest, AnAssignmentIsRestoredAtOnceThenRetriedWhileAnyRestores) {
  core.assigned({0, 1}, now);
  EXPECT_EQ(core.restore_due(now), (std::vector<std::int32_t>{0, 1}));
  EXPECT_TRUE(core.restore_due(now + 100ms).empty());
  start(0);
  EXPECT_EQ(core.restore_due(now + 200ms), (std::vector<std::int32_t>{1}));
  start(1);
  EXPECT_TRUE(core.restore_due(now + 1s).empty());
}

TEST_F(ConsumerCoreTest, AnAssignmentDuringARestoreIsReadAtOnce) {
  core.assigned({0}, now);
  ASSERT_FALSE(core.restore_due(now).empty());
  core.assigned({2}, now + 10ms);  // a second rebalance before the next attempt is due
  EXPECT_EQ(core.restore_due(now + 10ms), (std::vector<std::int32_t>{0, 2}));
}

TEST_F(ConsumerCoreTest, NoRestoreOnceTheRunFailed) {
  core.assigned({0}, now);
  core.run().on(pipeline::run_event::Fatal{"gone"});
  EXPECT_TRUE(core.restore_due(now).empty());
}

TEST_F(ConsumerCoreTest, RecordsOfARestoringPartitionAreHeldAndCounted) {
  core.assigned({0}, now);
  EXPECT_EQ(core.take(7, 10).what, Take::ignore);  // not ours
  EXPECT_EQ(core.take(7, 10).ps, nullptr);
  const auto held = core.take(0, 10);
  EXPECT_EQ(held.what, Take::hold);
  EXPECT_EQ(held.ps, core.find(0));
  EXPECT_EQ(core.take(0, 15).what, Take::hold);
  auto& ps = *core.find(0);
  EXPECT_EQ(ps.held, 2u);
  EXPECT_EQ(ps.held_bytes, 25u);
  core.held_dropped(ps);  // a seek moved its start
  EXPECT_EQ(ps.held, 0u);
  EXPECT_EQ(ps.held_bytes, 0u);
}

TEST_F(ConsumerCoreTest, TheTotalByteBoundPausesEveryPartitionRightAfterTheRecordThatFilledIt) {
  core.assigned({0, 1}, now);
  start(1);
  EXPECT_FALSE(core.take(0, 100).evaluate_flow);
  EXPECT_FALSE(core.take(0, 100).evaluate_flow);
  const auto taken = core.take(0, 100);  // 300 >= 250
  EXPECT_TRUE(taken.evaluate_flow);
  const auto action = core.evaluate_flow();
  EXPECT_EQ(action.total, pipeline::TotalTransition::over);
  EXPECT_EQ(action.pause, (std::vector<std::int32_t>{0, 1}));
  EXPECT_TRUE(core.flow().over_total());
  // The held records are dropped (the partition restored by a seek): below half, resumed.
  core.held_dropped(*core.find(0));
  const auto after = core.evaluate_flow();
  EXPECT_EQ(after.total, pipeline::TotalTransition::under);
  EXPECT_EQ(after.resume, (std::vector<std::int32_t>{0, 1}));
}

TEST_F(ConsumerCoreTest, MaxMessagesCountsDistinctRecordsAcrossARewind) {
  cs.max_messages = 3;
  core = ConsumerCore{cs, now};
  core.assigned({0}, now);
  start(0);
  feed(0, 0, 3);
  EXPECT_TRUE(core.max_messages_reached());
  auto& ps = *core.find(0);
  EXPECT_EQ(core.admit(0, ps, 3), Admit::beyond_max);
  // An aborted commit rolls the three back: they are taken again, and do not count twice.
  EXPECT_EQ(core.rewind_all(nullptr), (std::vector<std::int32_t>{0}));
  start(0);
  EXPECT_EQ(core.admit(0, ps, 1), Admit::push);
  EXPECT_TRUE(core.pushed(0, ps, 0, std::nullopt, now));  // reprocessed
  EXPECT_EQ(core.admit(0, ps, 3), Admit::beyond_max);
  // Not done before the rolled-back records are finished again.
  EXPECT_EQ(next().next, Next::poll);
}

TEST_F(ConsumerCoreTest, RecordsBelowTheDurableOffsetAreCovered) {
  core.assigned({0}, now);
  auto& ps = *core.find(0);
  ps.durable_offset = 10;
  start(0);
  EXPECT_EQ(core.admit(0, ps, 9), Admit::covered);
  EXPECT_EQ(core.admit(0, ps, 10), Admit::push);
}

TEST_F(ConsumerCoreTest, TheFirstRecordAfterEachCommitBecomesTheAnchorCandidate) {
  core.assigned({0}, now);
  auto& ps = start(0);
  EXPECT_TRUE(ConsumerCore::wants_anchor(ps, 0));
  core.pushed(0, ps, 0, 0xa0, now);
  EXPECT_EQ(ps.durable_offset, 0);  // where a rewind returns
  EXPECT_FALSE(ConsumerCore::wants_anchor(ps, 1));
  ps.durable_offset = 5;  // committed past the candidate: it anchors, the next one is a candidate
  ASSERT_TRUE(ConsumerCore::wants_anchor(ps, 5));
  core.pushed(0, ps, 5, 0xa5, now);
  ASSERT_TRUE(ps.anchor);
  EXPECT_EQ(ps.anchor->offset, 0);
  EXPECT_EQ(ps.anchor_candidate->offset, 5);
}

TEST_F(ConsumerCoreTest, ARevokeWithRetriesInFlightLeavesThemUnfinished) {
  proc.transient_failures["O1"] = 3;
  core.assigned({0, 1}, now);
  start(0);
  feed(0, 0, 3);
  const auto plan = core.revoke_plan(false, false);
  EXPECT_TRUE(plan.commit);
  const auto left = core.revoked(0);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->records, 1u);
  EXPECT_EQ(left->retries, 1u);
  EXPECT_EQ(core.find(0), nullptr);
  EXPECT_FALSE(core.revoked(0));  // not ours any more
  EXPECT_EQ(core.take(0, 10).what, Take::ignore);
}

TEST_F(ConsumerCoreTest, LostPartitionsAreNeverCommitted) {
  const auto plan = core.revoke_plan(true, false);
  EXPECT_FALSE(plan.commit);
  EXPECT_TRUE(plan.abort_lost);
  core.run().on(pipeline::run_event::Fatal{"x"});
  EXPECT_FALSE(core.revoke_plan(false, false).commit);  // nor after a fatal error
}

TEST_F(ConsumerCoreTest, AnAbortRewindsEveryRunningPartitionButTheSkippedOnes) {
  core.assigned({0, 1, 2}, now);
  start(0);
  start(1);  // 2 still restores: nothing to rewind
  const auto e0 = core.running_epoch(0);
  const std::set<int> skip{1};
  EXPECT_EQ(core.rewind_all(&skip), (std::vector<std::int32_t>{0}));
  start(0);
  EXPECT_NE(core.running_epoch(0), e0);  // reports sent before the abort are stale
  EXPECT_FALSE(core.running_epoch(2));
}

TEST_F(ConsumerCoreTest, AProducerReplacementRestoresEveryPartitionFromTheBroker) {
  core.assigned({0, 1}, now);
  start(0);
  start(1);
  feed(0, 0, 2);
  core.run().on(pipeline::run_event::RecoveryDue{"fenced", now + 1s, 1});
  EXPECT_EQ(next().next, Next::recover);
  core.run().on(pipeline::run_event::RecoveryStarted{});
  core.renew_epochs();
  core.restore_all(now + 1s);
  EXPECT_FALSE(core.running_epoch(0));
  EXPECT_EQ(core.restore_due(now + 1s), (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(core.find(0)->reprocess_below, 2);
  EXPECT_EQ(next().next, Next::poll);
}

TEST_F(ConsumerCoreTest, AStopDuringTheProducerBackoffStopsAndIsFatal) {
  core.run().on(pipeline::run_event::RecoveryDue{"fenced", now + 5s, 2});
  const auto step = next(true);
  EXPECT_EQ(step.next, Next::stop);
  EXPECT_STREQ(step.why, "stop requested");
  core.run().on(pipeline::run_event::Stop{});
  EXPECT_TRUE(core.run().failed());  // the failed producer's work is redone by the next owner
}

TEST_F(ConsumerCoreTest, AFatalErrorStopsTheLoop) {
  EXPECT_EQ(next().next, Next::poll);
  auto step = core.next({.consumer_fatal = true}, now);
  EXPECT_EQ(step.next, Next::stop);
  EXPECT_TRUE(step.fatal);
  core.run().on(pipeline::run_event::Fatal{"bad"});
  EXPECT_TRUE(next().fatal);
}

TEST_F(ConsumerCoreTest, IdleOnlyWithNothingUnfinishedAndNotBeforeTheGroupIsJoined) {
  EXPECT_EQ(next().next, Next::poll);
  now += 3s;  // idle_exit passed, but no partitions yet: joining may take kJoinGrace
  EXPECT_EQ(next().next, Next::poll);
  now += ConsumerCore::kJoinGrace;
  EXPECT_STREQ(next().why, "idle");
  core.assigned({0}, now);
  EXPECT_EQ(next().next, Next::poll);  // restoring
  start(0);
  now += 3s;
  EXPECT_EQ(next(false, 1).next, Next::poll);  // a dead letter in flight
  EXPECT_STREQ(next().why, "idle");
  core.activity(now);
  EXPECT_EQ(next().next, Next::poll);
}

TEST_F(ConsumerCoreTest, MaxMessagesStopsOnceEverythingIsFinished) {
  cs.max_messages = 2;
  proc.transient_failures["O1"] = 1;
  core = ConsumerCore{cs, now};
  core.assigned({0}, now);
  start(0);
  feed(0, 0, 2);
  EXPECT_EQ(next().next, Next::poll);  // O1 waits for its retry
  now += 2s;
  core.find(0)->pipeline->run(now);
  EXPECT_EQ(next(false, 1).next, Next::poll);  // a checkpoint in flight
  EXPECT_STREQ(next().why, "max messages reached");
}

TEST_F(ConsumerCoreTest, ThePollWaitsUntilTheNextRetryAtMost100Ms) {
  EXPECT_EQ(core.poll_timeout(now), 100ms);
  proc.transient_failures["O0"] = 1;
  core.assigned({0}, now);
  start(0);
  feed(0, 0, 1);  // retried 1 s later
  EXPECT_EQ(core.poll_timeout(now + 970ms), 30ms);
  EXPECT_EQ(core.poll_timeout(now + 2s), 0ms);
}

TEST_F(ConsumerCoreTest, TheStallWatchdogChecksASilentRunningPartitionThenSeeksThenRestarts) {
  core.assigned({0, 1}, now);
  start(0);
  feed(0, 0, 3);
  start(1);                                              // no record, no checkpoint
  EXPECT_TRUE(core.stall_candidates(now + 1s).empty());  // too soon
  now += ConsumerCore::kStallAfter;
  auto c = core.stall_candidates(now);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].next, 3);
  EXPECT_EQ(c[1].next, -1);
  EXPECT_TRUE(core.stall_candidates(now + 1s).empty());  // not again within kStallCheckEvery
  // Its log goes on: seek where it continues; partition 1 continues at the log's start.
  EXPECT_EQ(core.stall_checked(c[0], 0, 10, true).action, pipeline::StallAction::seek);
  const auto s1 = core.stall_checked(c[1], 4, 10, true);
  EXPECT_EQ(s1.action, pipeline::StallAction::seek);
  EXPECT_EQ(s1.next, 4);
  // Nothing read since: the next check (a partition waits kStallAfter again) restarts.
  now += ConsumerCore::kStallAfter;
  c = core.stall_candidates(now);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(core.stall_checked(c[0], 0, 10, true).action, pipeline::StallAction::restart);
}

TEST_F(ConsumerCoreTest, APausedPartitionIsNoStall) {
  core.assigned({0}, now);
  start(0);
  now += ConsumerCore::kStallAfter;
  core.resume_failed(0);  // librdkafka still holds it paused
  EXPECT_TRUE(core.flow().paused(0));
  EXPECT_TRUE(core.stall_candidates(now).empty());
}

TEST_F(ConsumerCoreTest, ACommitRecordsTheLatencyOfTheRecordsItCovered) {
  core.assigned({0}, now);
  auto& ps = start(0);
  ps.uncommitted.emplace_back(0, now);
  ps.uncommitted.emplace_back(1, now + 10ms);
  core.commit_covered(ps, now + 50ms);
  EXPECT_EQ(core.commit_latency().count(), 2u);
  EXPECT_TRUE(ps.uncommitted.empty());
  core.commit_covered(ps, now + 60ms);  // nothing new
  EXPECT_EQ(core.commit_latency().count(), 2u);
  core.committed_at(now + 50ms);
  EXPECT_EQ(core.last_committed(), now + 50ms);
}

}  // namespace
