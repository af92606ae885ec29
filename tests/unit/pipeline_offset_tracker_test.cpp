#include <gtest/gtest.h>

#include "pipeline/offset_tracker.h"

using pipeline::OffsetTracker;

TEST(OffsetTracker, NothingTrackedNothingToCommit) {
  OffsetTracker t;
  EXPECT_FALSE(t.next_commit());
}

TEST(OffsetTracker, CommitsUpToFirstUnfinished) {
  OffsetTracker t;
  for (int o = 10; o < 15; ++o) EXPECT_TRUE(t.track(o));
  EXPECT_EQ(t.next_commit(), 10);
  t.finish(11);
  t.finish(12);
  EXPECT_EQ(t.next_commit(), 10);  // 10 still in flight (e.g. a dead letter awaiting its ack)
  t.finish(10);
  EXPECT_EQ(t.next_commit(), 13);
  t.finish(14);
  t.finish(13);
  EXPECT_EQ(t.next_commit(), 15);
  EXPECT_EQ(t.unfinished(), 0u);
}

TEST(OffsetTracker, GapsAndDuplicates) {
  OffsetTracker t;
  EXPECT_TRUE(t.track(5));
  EXPECT_TRUE(t.track(9));  // compaction / transaction markers leave gaps
  EXPECT_FALSE(t.track(9));
  EXPECT_FALSE(t.track(3));
  t.finish(5);
  EXPECT_EQ(t.next_commit(), 9);
  t.finish(7);  // never tracked: ignored
  t.finish(5);  // twice: ignored
  EXPECT_EQ(t.unfinished(), 1u);
  t.finish(9);
  EXPECT_EQ(t.next_commit(), 10);
}

TEST(OffsetTracker, FinishedAboveTheCommitOffsetListsOnlyTheHoles) {
  OffsetTracker t;
  for (int o = 100; o < 110; ++o) t.track(o);
  for (int o : {101, 102, 104, 105, 107}) t.finish(o);
  const auto s = t.finished_above();
  EXPECT_EQ(s.from, 100);
  EXPECT_EQ(s.through, 107);
  EXPECT_EQ(s.unfinished, (std::vector<std::int64_t>{103, 106}));
  EXPECT_FALSE(s.contains(100));
  EXPECT_TRUE(s.contains(101));
  EXPECT_FALSE(s.contains(103));
  EXPECT_TRUE(s.contains(107));
  EXPECT_FALSE(s.contains(108));
  EXPECT_EQ(t.span(), 10);
  t.finish(100);  // the commit offset moves over the contiguous prefix
  EXPECT_EQ(t.next_commit(), 103);
  EXPECT_EQ(t.finished_above().unfinished, (std::vector<std::int64_t>{106}));
  EXPECT_EQ(t.span(), 7);
}

TEST(OffsetTracker, NothingFinishedAboveWhenInOrder) {
  OffsetTracker t;
  t.track(3);
  t.track(4);
  EXPECT_TRUE(t.finished_above().empty());
  t.finish(3);
  t.finish(4);
  EXPECT_TRUE(t.finished_above().empty());
  EXPECT_EQ(t.finished_above().from, 5);
  EXPECT_EQ(t.span(), 0);
}
