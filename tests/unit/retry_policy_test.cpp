#include "pipeline/retry_policy.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using pipeline::RetryPolicy;

TEST(RetryPolicy, DefaultScheduleMatchesTheOriginal) {
  RetryPolicy p;  // 1s, x2, cap 30s
  EXPECT_EQ(p.backoff_after(1), 1s);
  EXPECT_EQ(p.backoff_after(2), 2s);
  EXPECT_EQ(p.backoff_after(3), 4s);
  EXPECT_EQ(p.backoff_after(5), 16s);
  EXPECT_EQ(p.backoff_after(6), 30s);  // 32s capped
  EXPECT_EQ(p.backoff_after(500), 30s);
}

TEST(RetryPolicy, CustomMultiplierAndCap) {
  RetryPolicy p{5, 10ms, 3.0, 100ms, 0.0};
  EXPECT_EQ(p.backoff_after(1), 10ms);
  EXPECT_EQ(p.backoff_after(2), 30ms);
  EXPECT_EQ(p.backoff_after(3), 90ms);
  EXPECT_EQ(p.backoff_after(4), 100ms);
  RetryPolicy flat{3, 50ms, 1.0, 1s, 0.0};
  EXPECT_EQ(flat.backoff_after(7), 50ms);
}

TEST(RetryPolicy, JitterSpreadsWithinBoundsAndRespectsCap) {
  RetryPolicy p{3, 1s, 2.0, 3s, 0.5};
  EXPECT_EQ(p.backoff_after(1, 0.0), 500ms);
  EXPECT_EQ(p.backoff_after(1, 0.5), 1s);
  EXPECT_EQ(p.backoff_after(1, 0.75), 1250ms);
  EXPECT_EQ(p.backoff_after(2, 0.99), 2980ms);
  EXPECT_EQ(p.backoff_after(3, 0.99), 3s);  // 4s capped, x1.49, capped again
}

TEST(RetryPolicy, CheckNamesBadSettings) {
  EXPECT_FALSE(RetryPolicy{}.check());
  EXPECT_TRUE((RetryPolicy{0, 1s, 2, 30s, 0}.check()));
  EXPECT_TRUE((RetryPolicy{3, 1s, 0.5, 30s, 0}.check()));
  EXPECT_TRUE((RetryPolicy{3, 1s, 2, 30s, 1.5}.check()));
  EXPECT_TRUE((RetryPolicy{3, 1s, 2, 30s, -0.1}.check()));
}
