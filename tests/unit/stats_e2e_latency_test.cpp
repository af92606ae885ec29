#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "pipeline/partition_pipeline.h"
#include "process/simulated_processor.h"
#include "stats/consumer_report.h"
#include "stats/e2e_latency.h"
#include "util/wall_clock.h"

namespace {

using stats::EndToEndLatency;

constexpr std::int64_t kProducedMs = 1'700'000'000'000;  // a Kafka timestamp (ms)

TEST(EndToEndLatency, MeasuresFromTheKafkaTimestampToTheDecision) {
  EndToEndLatency e2e;
  e2e.record(kProducedMs, kProducedMs * 1000 + 2'500);  // decided 2.5 ms after
  const auto s = e2e.summary();
  EXPECT_EQ(s.count, 1u);
  EXPECT_NEAR(s.p50_ms, 2.5, 0.025);  // the histogram's resolution: < 1 %
  EXPECT_DOUBLE_EQ(s.max_ms, 2.5);    // max is exact
}

TEST(EndToEndLatency, SkipsRecordsWithoutTimestampAndClampsSkewToZero) {
  EndToEndLatency e2e;
  e2e.record(-1, kProducedMs * 1000);
  EXPECT_EQ(e2e.summary().count, 0u);
  EXPECT_EQ(e2e.without_timestamp(), 1u);
  e2e.record(kProducedMs, kProducedMs * 1000 - 3'000);  // the consumer's clock is behind
  EXPECT_EQ(e2e.summary().count, 1u);
  EXPECT_DOUBLE_EQ(e2e.summary().max_ms, 0.0);
}

TEST(EndToEndLatency, PercentilesOverManyRecords) {
  EndToEndLatency e2e;
  // 1000 records at 1..1000 ms: p50 = 500, p95 = 950, p99 = 990, p99.9 = 999, max = 1000.
  for (int i = 1; i <= 1000; ++i) e2e.record(kProducedMs, kProducedMs * 1000 + i * 1000);
  const auto s = e2e.summary();
  EXPECT_EQ(s.count, 1000u);
  EXPECT_NEAR(s.p50_ms, 500, 500 * 0.008);
  EXPECT_NEAR(s.p95_ms, 950, 950 * 0.008);
  EXPECT_NEAR(s.p99_ms, 990, 990 * 0.008);
  EXPECT_NEAR(s.p999_ms, 999, 999 * 0.008);
  EXPECT_DOUBLE_EQ(s.max_ms, 1000);
  EXPECT_LE(s.p50_ms, s.p95_ms);
  EXPECT_LE(s.p99_ms, s.p999_ms);
}

TEST(EndToEndLatency, MergeAddsBoth) {
  EndToEndLatency a, b;
  a.record(kProducedMs, kProducedMs * 1000 + 1000);
  b.record(kProducedMs, kProducedMs * 1000 + 4000);
  b.record(-1, 0);
  a.merge(b);
  EXPECT_EQ(a.summary().count, 2u);
  EXPECT_EQ(a.without_timestamp(), 1u);
  EXPECT_DOUBLE_EQ(a.summary().max_ms, 4.0);
}

TEST(EndToEndLatency, JsonAndReportCarryAllPercentiles) {
  stats::ConsumerMetrics m;
  auto j = stats::to_json(m);
  ASSERT_TRUE(j.contains("e2e_latency_ms"));
  EXPECT_EQ(j["e2e_latency_ms"]["count"], 0);
  EXPECT_NE(stats::render_report(m).find("End-to-end latency (produced -> decided): n/a"),
            std::string::npos);
  m.e2e_latency.record(kProducedMs, kProducedMs * 1000 + 3000);
  j = stats::to_json(m);
  for (const char* k : {"p50", "p95", "p99", "p99.9", "max"}) {
    ASSERT_TRUE(j["e2e_latency_ms"].contains(k)) << k;
    EXPECT_DOUBLE_EQ(j["e2e_latency_ms"][k].get<double>(), 3.0) << k;
  }
  EXPECT_EQ(j["e2e_latency_ms"]["count"], 1);
  const auto text = stats::render_report(m);
  EXPECT_NE(text.find("End-to-end latency (produced -> decided): p50 3.00ms, p95 3.00ms, "
                      "p99 3.00ms, p99.9 3.00ms, max 3.00ms"),
            std::string::npos)
      << text;
}

std::optional<avro::DecodeError> decode_id(std::string_view bytes, orders::Order& out) {
  out = orders::Order{std::string(bytes), "Laptop", 10.0f};
  return std::nullopt;
}

TEST(EndToEndLatency, DecisionsCarryTheRecordTimestamp) {
  process::SimulatedProcessor processor(1, 0.0, 0.0);
  pipeline::PipelineSettings settings;
  settings.decode = decode_id;
  pipeline::PartitionPipeline p(processor, settings);
  const auto now = pipeline::Clock::now();
  pipeline::SourceRecord with;
  with.offset = 0;
  with.timestamp_ms = kProducedMs;
  with.value = "ORD-1";
  pipeline::SourceRecord without;
  without.offset = 1;
  without.value = "ORD-2";
  ASSERT_TRUE(p.push(with, now));
  ASSERT_TRUE(p.push(without, now));
  const auto step = p.run(now);
  ASSERT_EQ(step.decisions.size(), 2u);
  EXPECT_EQ(step.decisions[0].timestamp_ms, kProducedMs);
  EXPECT_EQ(step.decisions[1].timestamp_ms, -1);
}

}  // namespace

namespace {

TEST(EndToEndLatency, MonotonicDecisionTimeMapsToWallClock) {
  EndToEndLatency e2e;
  const auto now_steady = std::chrono::steady_clock::now();
  const std::int64_t now_ms = util::wall_ms();
  // Produced 20 ms ago, decided now: about 20 ms (plus the ms truncation and this test's time).
  e2e.record(now_ms - 20, now_steady);
  const auto s = e2e.summary();
  EXPECT_EQ(s.count, 1u);
  EXPECT_GE(s.max_ms, 18.0);
  EXPECT_LT(s.max_ms, 30.0);
}

}  // namespace

namespace {

TEST(EndToEndLatency, HostileTimestampsDoNotOverflow) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  EndToEndLatency e2e;
  // A timestamp far in the future (x1000 would overflow) is clock skew: it counts as 0.
  e2e.record(kMax, kProducedMs * 1000);
  e2e.record(kMax / 1000 + 1, kProducedMs * 1000);
  EXPECT_EQ(e2e.summary().count, 2u);
  EXPECT_DOUBLE_EQ(e2e.summary().max_ms, 0.0);
  // A decision absurdly far after the timestamp: the latency saturates instead of wrapping.
  e2e.record(0, kMax);
  EXPECT_EQ(e2e.summary().count, 3u);
  EXPECT_EQ(e2e.histogram().max_ns(), std::numeric_limits<std::uint64_t>::max());
}

}  // namespace
