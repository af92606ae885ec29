#include <gtest/gtest.h>

#include <vector>

#include "pipeline/stall_watch.h"

using pipeline::on_stall_check;
using pipeline::StallAction;
using pipeline::StallMark;

TEST(StallWatch, NothingToReadIsNoStall) {
  StallMark mark;
  EXPECT_EQ(on_stall_check(mark, 100, 100), StallAction::none);
  EXPECT_EQ(on_stall_check(mark, 100, 101), StallAction::none);  // only a commit marker left
  EXPECT_EQ(on_stall_check(mark, -1, 500), StallAction::none);   // position unknown
  EXPECT_EQ(mark.attempts, 0);
}

TEST(StallWatch, SeeksFirstThenRestartsAtGrowingIntervals) {
  StallMark mark;
  std::vector<StallAction> got;
  for (int i = 0; i < 9; ++i) got.push_back(on_stall_check(mark, 7020, 16667));
  const std::vector<StallAction> want = {
      StallAction::seek,    StallAction::restart, StallAction::none,
      StallAction::restart, StallAction::none,    StallAction::none,
      StallAction::none,    StallAction::restart, StallAction::none};
  EXPECT_EQ(got, want);
}

TEST(StallWatch, ProgressStartsOver) {
  StallMark mark;
  EXPECT_EQ(on_stall_check(mark, 10, 50), StallAction::seek);
  EXPECT_EQ(on_stall_check(mark, 10, 60), StallAction::restart);
  EXPECT_EQ(on_stall_check(mark, 40, 60), StallAction::seek);  // moved: a new stall
  EXPECT_EQ(mark.next, 40);
  EXPECT_EQ(mark.attempts, 1);
}
