#include "util/time_left.h"

#include <gtest/gtest.h>

#include <chrono>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(TimeLeft, IsTheRestOfTheDeadlineNeverNegative) {
  const Clock::time_point now{1h};
  EXPECT_EQ(util::time_left(now + 1500us, now), 1500us);
  EXPECT_EQ(util::time_left(now, now), 0ns);
  EXPECT_EQ(util::time_left(now - 1ns, now), 0ns);
  // Time points of different precision on one clock.
  const std::chrono::time_point<Clock, std::chrono::milliseconds> coarse{1h + 2ms};
  EXPECT_EQ(util::time_left(coarse, now), 2ms);
}

TEST(TimeLeft, MillisecondsRoundDown) {
  const Clock::time_point now{1h};
  EXPECT_EQ(util::ms_left(now + 2999us, now), 2ms);
  EXPECT_EQ(util::ms_left(now + 999us, now), 0ms);
  EXPECT_EQ(util::ms_left(now - 5s, now), 0ms);
  EXPECT_EQ(util::ms_left(now + 5s, now), 5000ms);
}
