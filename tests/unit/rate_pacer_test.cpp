#include "util/rate_pacer.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "util/duration.h"

namespace util {
namespace {

using namespace std::chrono_literals;
using Clock = RatePacer::Clock;

TEST(RatePacer, UnpacedNeverWaits) {
  RatePacer p;
  EXPECT_FALSE(p.paced());
  EXPECT_FALSE(RatePacer::every(0).paced());
  EXPECT_FALSE(RatePacer::per_second(0).paced());
  const auto t0 = Clock::now();
  p.start(t0);
  EXPECT_EQ(p.wait_before(1000000, t0), 0ns);
}

TEST(RatePacer, DelayScheduleIsAbsolute) {
  RatePacer p = RatePacer::every(0.5);
  const Clock::time_point t0{};
  p.start(t0);
  EXPECT_EQ(p.wait_before(0, t0), 0ns);  // the first order goes at once
  EXPECT_EQ(p.wait_before(1, t0), 500ms);
  EXPECT_EQ(p.wait_before(1, t0 + 200ms), 300ms);
  // Late by 700 ms: order 2 (due at 1 s) is already due; no drift accumulates.
  EXPECT_EQ(p.wait_before(2, t0 + 1200ms), 0ns);
  EXPECT_EQ(p.wait_before(3, t0 + 1200ms), 300ms);
}

TEST(RatePacer, RatePerSecond) {
  RatePacer p = RatePacer::per_second(1000);
  const Clock::time_point t0{};
  p.start(t0);
  EXPECT_EQ(p.wait_before(1000, t0), 1s);
  EXPECT_EQ(p.wait_before(1000, t0 + 999ms), 1ms);
  // Rounding does not accumulate over long runs.
  EXPECT_EQ(p.wait_before(3600000, t0), 3600s);
}

}  // namespace
}  // namespace util

namespace util {
namespace {

TEST(RatePacer, AbsurdIntervalsSaturateInsteadOfOverflowing) {
  const Clock::time_point t0 = Clock::now();
  for (RatePacer p : {RatePacer::every(1e300), RatePacer::per_second(1e-300)}) {
    p.start(t0);
    EXPECT_EQ(p.wait_before(0, t0), 0ns);
    EXPECT_EQ(p.wait_before(1, t0), kMaxDuration);
    EXPECT_EQ(p.wait_before(UINT64_MAX, t0), kMaxDuration);
  }
}

}  // namespace
}  // namespace util
