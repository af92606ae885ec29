// At-least-once checkpoints in flight: reports match them in produce order, per partition.
#include "pipeline/checkpoints_in_flight.h"

#include <gtest/gtest.h>

using pipeline::CheckpointsInFlight;
using pipeline::InFlightCheckpoint;

namespace {

InFlightCheckpoint at(std::int64_t offset, std::uint64_t progress = 0) {
  InFlightCheckpoint c;
  c.epoch = 7;
  c.offset = offset;
  c.progress = progress;
  return c;
}

}  // namespace

TEST(CheckpointsInFlight, NothingSentNothingReported) {
  CheckpointsInFlight q;
  EXPECT_EQ(q.count(), 0u);
  EXPECT_FALSE(q.reported(3));
}

TEST(CheckpointsInFlight, ReportsMatchInProduceOrderPerPartition) {
  CheckpointsInFlight q;
  q.sent(1, at(10, 4));
  q.sent(2, at(50));
  q.sent(1, at(20, 9));
  EXPECT_EQ(q.count(), 3u);

  auto first = q.reported(1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->offset, 10);
  EXPECT_EQ(first->progress, 4u);
  EXPECT_EQ(first->epoch, 7u);
  auto other = q.reported(2);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->offset, 50);
  auto second = q.reported(1);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->offset, 20);
  EXPECT_EQ(q.count(), 0u);
  EXPECT_FALSE(q.reported(1));
}

TEST(CheckpointsInFlight, ForgettingAPartitionDropsItsCheckpointsOnly) {
  CheckpointsInFlight q;
  q.sent(1, at(10));
  q.sent(1, at(20));
  q.sent(2, at(30));
  q.forget(1);
  EXPECT_EQ(q.count(), 1u);
  EXPECT_FALSE(q.reported(1));  // a late report of a revoked partition matches nothing
  q.forget(9);                  // never had any
  EXPECT_EQ(q.count(), 1u);
  auto left = q.reported(2);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->offset, 30);
}

TEST(CheckpointsInFlight, KeepsTheAggregateAndFinishedSet) {
  CheckpointsInFlight q;
  InFlightCheckpoint c = at(100);
  c.finished = {100, 110, {103, 105}};
  q.sent(0, c);
  auto r = q.reported(0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->finished, c.finished);
  EXPECT_TRUE(r->finished.contains(104));
  EXPECT_FALSE(r->finished.contains(105));
}
