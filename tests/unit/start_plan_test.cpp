// Where an assigned partition starts: restore from its checkpoint, wait for a lagging one, or
// start without one.
#include "pipeline/start_plan.h"

#include <gtest/gtest.h>

using pipeline::Checkpoint;
using pipeline::plan_start;
using Kind = pipeline::StartPlan::Kind;

namespace {

Checkpoint at(std::int64_t offset, std::string group = "g") {
  Checkpoint c;
  c.topic = "orders";
  c.partition = 2;
  c.offset = offset;
  c.group = std::move(group);
  c.aggregate.add({"A", "Pen", 2.5f});
  return c;
}

}  // namespace

TEST(StartPlan, NothingKnownLeavesItToTheResetPolicy) {
  auto p = plan_start(nullptr, std::nullopt, "g", false);
  EXPECT_EQ(p.kind, Kind::start);
  EXPECT_FALSE(p.offset);
  EXPECT_TRUE(p.base.empty());
  EXPECT_FALSE(p.restored);
  EXPECT_FALSE(p.reprocess_below);
  // librdkafka reports "no committed offset" as a negative logical offset.
  EXPECT_FALSE(plan_start(nullptr, -1001, "g", false).offset);
}

TEST(StartPlan, CheckpointEqualToTheCommitIsRestoredAsIs) {
  const auto c = at(500);
  auto p = plan_start(&c, 500, "g", false);
  EXPECT_EQ(p.kind, Kind::start);
  EXPECT_EQ(p.offset, 500);
  EXPECT_EQ(p.base, c.aggregate);
  EXPECT_TRUE(p.restored);
  EXPECT_TRUE(p.note.empty());
  EXPECT_EQ(plan_start(&c, std::nullopt, "g", false).offset, 500);
}

TEST(StartPlan, CheckpointAheadOfTheCommitSkipsFinishedRecords) {
  const auto c = at(500);
  auto p = plan_start(&c, 420, "g", false);
  EXPECT_EQ(p.kind, Kind::start);
  EXPECT_EQ(p.offset, 500);
  EXPECT_FALSE(p.reprocess_below);
  EXPECT_NE(p.note.find("ahead"), std::string::npos);
}

TEST(StartPlan, CommitAheadOfTheCheckpointWaitsThenReprocesses) {
  const auto c = at(400);
  EXPECT_EQ(plan_start(&c, 500, "g", false).kind, Kind::wait);
  auto p = plan_start(&c, 500, "g", true);
  EXPECT_EQ(p.kind, Kind::start);
  EXPECT_EQ(p.offset, 400);
  EXPECT_EQ(p.base, c.aggregate);
  EXPECT_EQ(p.reprocess_below, 500);
  EXPECT_NE(p.note.find("100 record(s) again"), std::string::npos);
}

TEST(StartPlan, CommitWithoutCheckpointWaitsThenStartsEmptyAtTheCommit) {
  EXPECT_EQ(plan_start(nullptr, 300, "g", false).kind, Kind::wait);
  auto p = plan_start(nullptr, 300, "g", true);
  EXPECT_EQ(p.kind, Kind::start);
  EXPECT_EQ(p.offset, 300);
  EXPECT_TRUE(p.base.empty());
  EXPECT_FALSE(p.restored);
  EXPECT_NE(p.note.find("no checkpoint"), std::string::npos);
}

TEST(StartPlan, AnotherGroupsCheckpointIsRefused) {
  const auto c = at(10, "someone-else");
  auto p = plan_start(&c, std::nullopt, "g", true);
  EXPECT_EQ(p.kind, Kind::refuse);
  EXPECT_NE(p.note.find("'someone-else'"), std::string::npos);
  // Checkpoints without a group (written by hand) are accepted.
  const auto anonymous = at(10, "");
  EXPECT_EQ(plan_start(&anonymous, std::nullopt, "g", false).kind, Kind::start);
}
