// util::TokenBucket on an injected clock.
#include "util/token_bucket.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;

TEST(TokenBucket, BurstThenRate) {
  util::TokenBucket b(10, 3);
  std::chrono::steady_clock::time_point t{};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.take(t)) << i;
  EXPECT_FALSE(b.take(t));
  EXPECT_EQ(b.wait(t), 100ms);
  t += 99ms;
  EXPECT_FALSE(b.take(t));
  t += 1ms;
  EXPECT_TRUE(b.take(t));
  EXPECT_FALSE(b.take(t));
  t += 10s;  // refills to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.take(t)) << i;
  EXPECT_FALSE(b.take(t));
}

TEST(TokenBucket, AClockGoingBackDoesNotRefill) {
  util::TokenBucket b(1, 1);
  std::chrono::steady_clock::time_point t{10s};
  EXPECT_TRUE(b.take(t));
  EXPECT_FALSE(b.take(t - 5s));
  EXPECT_FALSE(b.take(t));
  EXPECT_TRUE(b.take(t + 1s));
}
