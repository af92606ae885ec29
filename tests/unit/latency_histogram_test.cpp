#include "stats/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace stats {
namespace {

using namespace std::chrono_literals;

TEST(LatencyHistogram, EmptyIsAllZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min_ns(), 0u);
  EXPECT_EQ(h.max_ns(), 0u);
  EXPECT_EQ(h.mean_ns(), 0.0);
  EXPECT_EQ(h.percentile_ns(50), 0u);
  EXPECT_EQ(h.percentile_ns(100), 0u);
}

TEST(LatencyHistogram, BucketsAreContiguousAndMonotonic) {
  // Every value maps to a bucket whose upper edge is >= the value, and the edges grow.
  std::uint64_t prev_upper = 0;
  for (std::size_t i = 1; i < LatencyHistogram::bucket_count(); ++i) {
    const std::uint64_t upper = LatencyHistogram::bucket_upper(i);
    ASSERT_GT(upper, prev_upper) << i;
    ASSERT_EQ(LatencyHistogram::bucket_index(prev_upper + 1), i) << i;
    ASSERT_EQ(LatencyHistogram::bucket_index(upper), i) << i;
    prev_upper = upper;
  }
  EXPECT_EQ(prev_upper, LatencyHistogram::kMaxTrackable);
}

TEST(LatencyHistogram, RelativeErrorIsBounded) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t v = rng() % LatencyHistogram::kMaxTrackable;
    const std::uint64_t upper = LatencyHistogram::bucket_upper(LatencyHistogram::bucket_index(v));
    ASSERT_GE(upper, v);
    ASSERT_LE(static_cast<double>(upper - v), static_cast<double>(v) / 128.0 + 1.0) << v;
  }
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record_ns(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.min_ns(), 1u);
  EXPECT_EQ(h.max_ns(), 100u);
  EXPECT_DOUBLE_EQ(h.mean_ns(), 50.5);
  EXPECT_EQ(h.percentile_ns(50), 50u);
  EXPECT_EQ(h.percentile_ns(95), 95u);
  EXPECT_EQ(h.percentile_ns(99), 99u);
  EXPECT_EQ(h.percentile_ns(100), 100u);
  EXPECT_EQ(h.percentile_ns(0.001), 1u);
}

TEST(LatencyHistogram, PercentilesMatchExactWithinPrecision) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(5e6), 0.8);  // around 5 ms
  LatencyHistogram h;
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 50000; ++i) {
    const auto v = static_cast<std::uint64_t>(dist(rng));
    values.push_back(v);
    h.record_ns(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 95.0, 99.0, 99.9}) {
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * values.size()));
    const double exact = static_cast<double>(values[rank - 1]);
    const double got = static_cast<double>(h.percentile_ns(p));
    EXPECT_GE(got, exact) << p;
    EXPECT_LE(got, exact * (1.0 + 1.0 / 128.0) + 1.0) << p;
  }
  EXPECT_EQ(h.max_ns(), values.back());
  EXPECT_EQ(h.min_ns(), values.front());
  EXPECT_EQ(h.percentile_ns(100), values.back());
}

TEST(LatencyHistogram, HugeAndNegativeValuesAreClamped) {
  LatencyHistogram h;
  h.record(-5ns);
  h.record_ns(UINT64_MAX / 4);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.min_ns(), 0u);
  EXPECT_EQ(h.max_ns(), UINT64_MAX / 4);  // max stays exact
  EXPECT_EQ(h.percentile_ns(100), UINT64_MAX / 4);
  EXPECT_EQ(h.percentile_ns(50), 0u);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
  LatencyHistogram a, b, all;
  for (std::uint64_t v = 1; v < 100000; v += 7) {
    (v % 3 ? a : b).record_ns(v * 1000);
    all.record_ns(v * 1000);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min_ns(), all.min_ns());
  EXPECT_EQ(a.max_ns(), all.max_ns());
  EXPECT_DOUBLE_EQ(a.mean_ns(), all.mean_ns());
  for (double p : {1.0, 50.0, 95.0, 99.0, 100.0}) {
    EXPECT_EQ(a.percentile_ns(p), all.percentile_ns(p));
  }
}

TEST(LatencyHistogram, MergeWithEmptyAndReset) {
  LatencyHistogram a, empty;
  a.record(3ms);
  a.merge(empty);
  EXPECT_EQ(a.count(), 1u);
  EXPECT_EQ(a.min_ns(), 3000000u);
  empty.merge(a);
  EXPECT_EQ(empty.min_ns(), 3000000u);
  a.reset();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.percentile_ns(99), 0u);
  EXPECT_EQ(a.max_ns(), 0u);
}

}  // namespace
}  // namespace stats
