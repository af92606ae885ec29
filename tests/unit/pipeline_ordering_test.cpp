// Non-blocking retries in the decision core, driven by a fake clock: which records a waiting
// retry holds back (key / partition / none), out-of-order completion, the commit prefix, the
// restored skip set, lateness and the window bounds.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "pipeline/partition_pipeline.h"
#include "pipeline_test_support.h"

using namespace std::chrono_literals;
using orders::Order;
using pipeline::FinishedSet;
using pipeline::Ordering;
using pipeline::PartitionPipeline;
using pipeline::TimePoint;

namespace {

using pipeline_test::ScriptedProcessor;
using pipeline_test::text_decode;

pipeline::PipelineSettings settings_for(Ordering ordering) {
  pipeline::PipelineSettings s;
  s.retry = pipeline::RetryPolicy{3, 100ms, 2.0, 1s, 0.0};
  s.decode = text_decode;
  s.ordering = ordering;
  return s;
}

pipeline::SourceRecord rec(std::int64_t offset, std::string id,
                           std::optional<std::string> key = std::nullopt) {
  pipeline::SourceRecord r;
  r.offset = offset;
  r.key = std::move(key);
  r.value = id + "|Pen|1";
  return r;
}

struct Fixture {
  ScriptedProcessor proc;
  pipeline::PipelineSettings settings;
  PartitionPipeline p;
  TimePoint now = TimePoint{} + 1000s;
  explicit Fixture(Ordering o, stats::Aggregate base = {}, FinishedSet done = {})
      : settings(settings_for(o)), p(proc, settings, std::move(base), std::move(done)) {}
  void push(std::int64_t offset, std::string id, std::optional<std::string> key) {
    p.push(rec(offset, std::move(id), std::move(key)), now);
  }
};

using Ids = std::vector<std::string>;

}  // namespace

TEST(PipelineOrdering, AWaitingRecordHoldsBackOnlyItsKey) {
  Fixture r(Ordering::key);
  r.proc.transient_failures["A1"] = 1;
  r.push(0, "A1", "a");
  r.push(1, "B1", "b");
  r.push(2, "A2", "a");  // same key as the waiting A1
  r.push(3, "B2", "b");
  r.p.run(r.now);
  EXPECT_EQ(r.proc.processed, (Ids{"B1", "B2"}));
  EXPECT_EQ(r.p.commit_offset(), 0);  // the contiguous finished prefix stops at A1
  EXPECT_EQ(r.p.finished_above(), (FinishedSet{0, 3, {2}}));
  EXPECT_EQ(r.p.retries_pending(), 1u);
  EXPECT_EQ(r.p.queued(), 2u);
  r.now += 100ms;
  r.p.run(r.now);
  EXPECT_EQ(r.proc.processed, (Ids{"B1", "B2", "A1", "A2"}));
  EXPECT_EQ(r.p.commit_offset(), 4);
  EXPECT_TRUE(r.p.finished_above().empty());
  EXPECT_EQ(r.p.aggregate().count(), 4u);
}

TEST(PipelineOrdering, RecordsWithoutAKeyShareOneLane) {
  Fixture r(Ordering::key);
  r.proc.transient_failures["N1"] = 1;
  r.push(0, "N1", std::nullopt);
  r.push(1, "N2", std::nullopt);
  r.push(2, "K1", "k");
  r.p.run(r.now);
  EXPECT_EQ(r.proc.processed, (Ids{"K1"}));
}

TEST(PipelineOrdering, PartitionOrderingHoldsBackEveryLaterRecord) {
  Fixture r(Ordering::partition);
  r.proc.transient_failures["A1"] = 1;
  r.push(0, "A1", "a");
  r.push(1, "B1", "b");
  r.p.run(r.now);
  EXPECT_TRUE(r.proc.processed.empty());
  r.push(2, "C1", "c");  // arrives while A1 waits: waits too
  r.p.run(r.now);
  EXPECT_TRUE(r.proc.processed.empty());
  r.now += 100ms;
  r.p.run(r.now);
  EXPECT_EQ(r.proc.processed, (Ids{"A1", "B1", "C1"}));
}

TEST(PipelineOrdering, NoneLetsTheSameKeyOvertake) {
  Fixture r(Ordering::none);
  r.proc.transient_failures["A1"] = 1;
  r.push(0, "A1", "a");
  r.push(1, "A2", "a");
  r.p.run(r.now);
  EXPECT_EQ(r.proc.processed, (Ids{"A2"}));
  r.now += 100ms;
  r.p.run(r.now);
  EXPECT_EQ(r.proc.processed, (Ids{"A2", "A1"}));
}

TEST(PipelineOrdering, ASecondFailureKeepsItsKeyWaitingWhileOthersFinish) {
  Fixture r(Ordering::key);
  r.proc.transient_failures["A1"] = 2;  // succeeds on attempt 3, 300 ms later
  r.push(0, "A1", "a");
  r.push(1, "A2", "a");
  r.p.run(r.now);
  r.now += 100ms;
  r.push(2, "B1", "b");
  r.p.run(r.now);  // A1 fails again; B1 goes through
  EXPECT_EQ(r.proc.processed, (Ids{"B1"}));
  EXPECT_EQ(r.p.next_wakeup(), r.now + 200ms);
  r.now += 200ms;
  r.p.run(r.now);
  EXPECT_EQ(r.proc.processed, (Ids{"B1", "A1", "A2"}));
}

TEST(PipelineOrdering, ADeadLetterFreesItsKeyAtOnce) {
  Fixture r(Ordering::key);
  r.push(0, "PERM-1", "a");
  r.push(1, "A2", "a");
  auto step = r.p.run(r.now);
  EXPECT_EQ(step.write_dead_letters, std::vector<std::int64_t>{0});
  EXPECT_EQ(r.proc.processed, (Ids{"A2"}));
  EXPECT_EQ(r.p.commit_offset(), 0);  // until the DLQ acknowledges it
  r.p.dead_letter_delivered(0);
  EXPECT_EQ(r.p.commit_offset(), 2);
}

TEST(PipelineOrdering, RetriesRunNeverBeforeDueAndReportTheirLateness) {
  Fixture r(Ordering::key);
  r.proc.transient_failures["A1"] = 1;
  r.push(0, "A1", "a");
  auto first = r.p.run(r.now);
  ASSERT_EQ(first.decisions.size(), 1u);
  EXPECT_FALSE(first.decisions[0].lateness);  // a first attempt has no due time
  EXPECT_EQ(first.decisions[0].key, "a");
  r.now += 99ms;
  EXPECT_TRUE(r.p.run(r.now).decisions.empty());
  r.now += 8ms;  // 7 ms late
  auto retry = r.p.run(r.now);
  ASSERT_EQ(retry.decisions.size(), 1u);
  EXPECT_EQ(retry.decisions[0].attempt, 2);
  EXPECT_EQ(retry.decisions[0].lateness, 7ms);
}

TEST(PipelineOrdering, RestoredFinishedRecordsAreSkippedNotRedone) {
  // Checkpoint of a run that finished 0..9 except 3 and 7 above commit offset 2 (2 unfinished).
  stats::Aggregate base;
  base.add(Order{"OLD", "Pen", 4.0f});
  Fixture r(Ordering::key, base, FinishedSet{2, 9, {3, 7}});
  for (int o = 2; o < 12; ++o) {
    const bool taken = r.p.push(rec(o, "X" + std::to_string(o), "k"), r.now);
    EXPECT_EQ(taken, o == 2 || o == 3 || o == 7 || o >= 10) << o;
  }
  r.p.run(r.now);
  EXPECT_EQ(r.proc.processed, (Ids{"X2", "X3", "X7", "X10", "X11"}));
  EXPECT_EQ(r.p.skipped(), 5u);
  EXPECT_EQ(r.p.commit_offset(), 12);
  EXPECT_EQ(r.p.aggregate().count(), 6u);
}

TEST(PipelineOrdering, ACheckpointBeforeEveryRestoredRecordIsReadAgainKeepsTheRestoredSet) {
  // Restored at 2 with 4..6, 8, 9 finished (3 and 7 not). Until 4..9 are read again, only the
  // restored set knows they are finished: a checkpoint written now must still name them.
  Fixture r(Ordering::key, {}, FinishedSet{2, 9, {3, 7}});
  r.proc.transient_failures["X3"] = 1;
  r.p.push(rec(2, "X2", "k2"), r.now);
  r.p.push(rec(3, "X3", "k3"), r.now);
  r.p.run(r.now);  // 2 processed, 3 waits for its retry
  EXPECT_EQ(r.p.commit_offset(), 3);
  EXPECT_EQ(r.p.finished_above(), (FinishedSet{3, 9, {7}}));
  r.p.push(rec(4, "X4", "k4"), r.now);  // skipped
  EXPECT_EQ(r.p.finished_above(), (FinishedSet{3, 9, {7}}));
  r.now += 100ms;
  r.p.run(r.now);  // 3 done: everything read is finished, 5..6 are too (restored)
  EXPECT_EQ(r.p.commit_offset(), 7);
  EXPECT_EQ(r.p.finished_above(), (FinishedSet{7, 9, {}}));
  r.p.push(rec(5, "X5", "k5"), r.now);
  r.p.push(rec(6, "X6", "k6"), r.now);
  r.p.push(rec(7, "X7", "k7"), r.now);
  r.p.run(r.now);
  EXPECT_EQ(r.p.commit_offset(), 10);
  EXPECT_TRUE(r.p.finished_above().empty());
}

TEST(PipelineOrdering, CheckpointThenRestoreThenReplayCountsEveryOrderOnce) {
  // One run crashes after a checkpoint; the next starts from that checkpoint and is fed the same
  // records again from its offset on. Together they count each order exactly once.
  Fixture first(Ordering::key);
  first.proc.transient_failures = {{"R1", 1}, {"R5", 2}};
  std::vector<pipeline::SourceRecord> log;
  for (int o = 0; o < 8; ++o)
    log.push_back(rec(o, "R" + std::to_string(o), o % 2 ? "odd" : "even"));
  for (const auto& x : log) first.p.push(x, first.now);
  first.p.run(first.now);
  // R1 (odd) waits: R3, R5, R7 (odd) wait behind it; the even ones finish.
  const auto c = *first.p.commit_offset();
  const auto done = first.p.finished_above();
  const auto aggregate = first.p.aggregate();
  EXPECT_EQ(c, 1);
  EXPECT_EQ(done, (FinishedSet{1, 6, {3, 5}}));

  Fixture second(Ordering::key, aggregate, done);
  second.proc.transient_failures = first.proc.transient_failures;
  for (std::int64_t o = c; o < 8; ++o) second.p.push(log[o], second.now);
  for (int i = 0; i < 8; ++i, second.now += 100ms) second.p.run(second.now);
  EXPECT_EQ(second.proc.processed, (Ids{"R1", "R3", "R5", "R7"}));
  EXPECT_EQ(second.p.aggregate().count(), 8u);
  EXPECT_EQ(second.p.commit_offset(), 8);
}

TEST(PipelineOrdering, WindowUsageCountsRecordsBytesAndSpan) {
  Fixture r(Ordering::key);
  r.proc.transient_failures["A1"] = 1;
  r.push(10, "A1", "a");  // 8 value bytes + 1 key byte
  r.push(11, "B1", "b");
  r.push(12, "A2", "a");
  EXPECT_EQ(r.p.usage().records, 3u);
  EXPECT_EQ(r.p.usage().bytes, 27u);
  r.p.run(r.now);
  EXPECT_EQ(r.p.usage().records, 2u);
  EXPECT_EQ(r.p.usage().bytes, 18u);
  EXPECT_EQ(r.p.usage().span, 3);
  r.now += 100ms;
  r.p.run(r.now);
  EXPECT_EQ(r.p.usage().records, 0u);
  EXPECT_EQ(r.p.usage().bytes, 0u);
  EXPECT_EQ(r.p.usage().span, 0);
}

TEST(PipelineOrdering, WindowBytesCountHeadersToo) {
  Fixture r(Ordering::partition);
  r.proc.transient_failures["A1"] = 1;
  auto record = rec(10, "A1", "a");
  record.headers = {{"trace", std::string(100'000, 'h')}};  // copied with the record
  r.p.push(std::move(record), r.now);
  EXPECT_EQ(r.p.usage().bytes, 9u + 5u + 100'000u);
  r.p.run(r.now);
  r.now += 100ms;
  r.p.run(r.now);
  EXPECT_EQ(r.p.usage().bytes, 0u);
}

TEST(PipelineWindow, OrderingNamesRoundTrip) {
  for (auto o : {Ordering::key, Ordering::partition, Ordering::none}) {
    EXPECT_EQ(pipeline::parse_ordering(pipeline::to_string(o)), o);
  }
  EXPECT_FALSE(pipeline::parse_ordering("keys"));
}
