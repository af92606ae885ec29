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
