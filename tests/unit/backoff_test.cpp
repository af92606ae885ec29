#include "util/backoff.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>

using namespace std::chrono_literals;
using util::Backoff;

TEST(Backoff, GrowsByTheMultiplierUpToTheCap) {
  const Backoff<std::chrono::milliseconds> b{.initial = 100ms, .max = 1s};
  EXPECT_EQ(b.delay(0), 100ms);
  EXPECT_EQ(b.delay(1), 200ms);
  EXPECT_EQ(b.delay(3), 800ms);
  EXPECT_EQ(b.delay(4), 1s);  // 1.6s capped
  EXPECT_EQ(b.delay(-3), 100ms);
  const Backoff<std::chrono::milliseconds> thirds{.initial = 10ms, .max = 100ms, .multiplier = 3};
  EXPECT_EQ(thirds.delay(2), 90ms);
  EXPECT_EQ(thirds.delay(3), 100ms);
}

TEST(Backoff, HugeStepsSaturateAtTheCap) {
  const Backoff<std::chrono::nanoseconds> b{.initial = 1s, .max = 10s};
  EXPECT_EQ(b.delay(std::numeric_limits<std::int64_t>::max()), 10s);
  // A cap at the type's end is returned as it is (rounding it through a double would overflow).
  const Backoff<std::chrono::nanoseconds> open{.initial = 1ns,
                                               .max = std::chrono::nanoseconds::max()};
  EXPECT_EQ(open.delay(10'000), std::chrono::nanoseconds::max());
  EXPECT_EQ(open.delay(62), std::chrono::nanoseconds(std::int64_t{1} << 62));
}

TEST(Backoff, NothingToGrowIsNoDelay) {
  EXPECT_EQ((Backoff<std::chrono::microseconds>{.initial = 0us, .max = 1s}.delay(1'000'000)), 0us);
  EXPECT_EQ((Backoff<std::chrono::microseconds>{.initial = 1s, .max = 0us}.delay(1)), 0us);
  EXPECT_EQ((Backoff<std::chrono::microseconds>{.initial = -1s, .max = 1s}.delay(1)), 0us);
  // A cap below the first delay wins from the start.
  EXPECT_EQ((Backoff<std::chrono::microseconds>{.initial = 2s, .max = 1s}.delay(0)), 1s);
}

TEST(Backoff, JitterSpreadsAroundTheDelayAndStaysUnderTheCap) {
  const Backoff<std::chrono::milliseconds> b{.initial = 1s, .max = 3s, .jitter = 0.5};
  EXPECT_EQ(b.delay(0, 0.0), 500ms);
  EXPECT_EQ(b.delay(0, 0.5), 1s);
  EXPECT_EQ(b.delay(0, 0.75), 1250ms);
  EXPECT_EQ(b.delay(1, 0.99), 2980ms);
  EXPECT_EQ(b.delay(2, 0.99), 3s);  // 4s capped, then x1.49, capped again
  const Backoff<std::chrono::milliseconds> full{.initial = 1s, .max = 3s, .jitter = 1.0};
  EXPECT_EQ(full.delay(0, 0.0), 0ms);
}
