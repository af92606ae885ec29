// What a revoke or a lost assignment does (pipeline/revoke_plan.h).
#include "pipeline/revoke_plan.h"

#include <gtest/gtest.h>

namespace {

using pipeline::plan_revoke;

TEST(RevokePlan, ARevokeCommitsTheFinishedWorkFirst) {
  const auto p = plan_revoke({});
  EXPECT_TRUE(p.commit);
  EXPECT_FALSE(p.abort_lost);
  EXPECT_EQ(p.budget, pipeline::kRevokeBudget);
  EXPECT_FALSE(p.count_unfinished);  // mid-run: the next owner goes on with it
}

TEST(RevokePlan, ARevokeDuringAStopCommitsWithinTheStopBudget) {
  EXPECT_EQ(plan_revoke({.stop_requested = true}).budget, util::kStopBudget);
}

TEST(RevokePlan, LostPartitionsAreNeverCommittedAndTheOpenTransactionIsAborted) {
  const auto p = plan_revoke({.lost = true});
  EXPECT_FALSE(p.commit);
  EXPECT_TRUE(p.abort_lost);
}

TEST(RevokePlan, AFailedRunCommitsNothingAndAbortsNothing) {
  for (bool lost : {false, true}) {
    const auto p = plan_revoke({.lost = lost, .run_failed = true});
    EXPECT_FALSE(p.commit);
    EXPECT_FALSE(p.abort_lost);
  }
}

TEST(RevokePlan, OnlyTheRevokeAtExitCountsWhatIsLeftUnfinished) {
  EXPECT_TRUE(plan_revoke({.closing = true}).count_unfinished);
  EXPECT_TRUE(plan_revoke({.run_failed = true, .closing = true}).count_unfinished);
  EXPECT_FALSE(plan_revoke({.lost = true}).count_unfinished);
}

}  // namespace
