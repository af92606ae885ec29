#include "stats/produce_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace stats {
namespace {

ProduceMetrics sample() {
  ProduceMetrics m;
  m.topic = "orders";
  m.requested = m.generated = 100;
  m.produced = 98;
  m.failed = 2;
  m.bytes = 98 * 30;
  m.seconds = 2.0;
  m.seed = 42;
  m.id_prefix = "ORD";
  m.first_order_id = "ORD-00001";
  m.last_order_id = "ORD-00100";
  for (int i = 1; i <= 98; ++i) m.latency.record_ns(static_cast<std::uint64_t>(i) * 100000);
  return m;
}

TEST(ProduceReport, JsonHasTheFixedKeys) {
  const nlohmann::json j = to_json(sample());
  for (const char* key : {"produced", "failed", "seconds", "msgs_per_sec", "mb_per_sec",
                          "latency_ms", "topic", "first_order_id", "last_order_id"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  for (const char* key : {"avg", "p50", "p95", "p99", "max"}) {
    EXPECT_TRUE(j["latency_ms"].contains(key)) << key;
    EXPECT_TRUE(j["latency_ms"][key].is_number()) << key;
  }
  EXPECT_EQ(j["produced"], 98);
  EXPECT_EQ(j["failed"], 2);
  EXPECT_DOUBLE_EQ(j["msgs_per_sec"].get<double>(), 49.0);
  EXPECT_DOUBLE_EQ(j["mb_per_sec"].get<double>(), 98 * 30 / 1e6 / 2.0);
  EXPECT_NEAR(j["latency_ms"]["max"].get<double>(), 9.8, 1e-9);
  EXPECT_NEAR(j["latency_ms"]["avg"].get<double>(), 4.95, 1e-9);
  EXPECT_NEAR(j["latency_ms"]["p50"].get<double>(), 4.9, 4.9 / 100);
  EXPECT_EQ(j["first_order_id"], "ORD-00001");
  EXPECT_EQ(j["seed"], 42);
}

TEST(ProduceReport, EmptyRunHasZerosAndNulls) {
  ProduceMetrics m;
  m.topic = "t";
  const nlohmann::json j = to_json(m);
  EXPECT_EQ(j["produced"], 0);
  EXPECT_EQ(j["msgs_per_sec"], 0.0);
  EXPECT_EQ(j["latency_ms"]["p99"], 0.0);
  EXPECT_TRUE(j["first_order_id"].is_null());
  EXPECT_TRUE(j["seed"].is_null());
  EXPECT_NO_THROW((void)render_report(m));
}

TEST(ProduceReport, TextBlockLikeTheOriginal) {
  const std::string text = render_report(sample());
  EXPECT_NE(text.find("PRODUCER METRICS"), std::string::npos);
  EXPECT_NE(text.find("Messages produced: 98\n"), std::string::npos);
  EXPECT_NE(text.find("Messages failed: 2\n"), std::string::npos);
  EXPECT_NE(text.find("Average latency: 4.95ms\n"), std::string::npos);
  EXPECT_NE(text.find("Throughput: 49.0 msgs/s"), std::string::npos);
  EXPECT_NE(text.find("ORD-00001 .. ORD-00100"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace stats
