#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stats/consumer_report.h"

namespace {

stats::ConsumerMetrics sample() {
  stats::ConsumerMetrics m;
  m.consumed = 100;
  m.processed = 87;
  m.dead_lettered = 13;
  m.dead_lettered_by_class = {{"deserialization", 1}, {"processing", 10}, {"validation", 2}};
  m.retries = 26;
  m.elapsed_seconds = 2.0;
  m.processing_latency = {1.5, 9.25, 12.0};
  m.aggregate.add(orders::Order{"ORD-1", "Laptop", 799.99f});
  m.aggregate.add(orders::Order{"ORD-2", "Mouse", 29.99f});
  return m;
}

}  // namespace

TEST(ConsumerReport, JsonHasTheDocumentedFields) {
  auto j = stats::to_json(sample());
  EXPECT_EQ(j["consumed"], 100);
  EXPECT_EQ(j["processed"], 87);
  EXPECT_EQ(j["dead_lettered"], 13);
  EXPECT_EQ(j["dead_lettered_by_class"]["processing"], 10);
  EXPECT_EQ(j["retries"], 26);
  EXPECT_DOUBLE_EQ(j["success_rate"].get<double>(), 0.87);
  EXPECT_DOUBLE_EQ(j["msgs_per_sec"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(j["processing_latency_ms"]["p99"].get<double>(), 9.25);
  EXPECT_EQ(j["aggregate"]["count"], 2);
  EXPECT_EQ(j["aggregate"]["revenue_cents"], 82998);
  EXPECT_EQ(j["aggregate"]["by_product"]["Mouse"]["revenue_cents"], 2999);
}

TEST(ConsumerReport, TextLooksLikeTheOriginal) {
  auto text = stats::render_report(sample());
  for (const char* part :
       {"CONSUMER METRICS", "Messages consumed: 100", "Messages processed successfully: 87",
        "Messages sent to DLQ: 13", "Total retries: 26", "Success rate: 87.00%",
        "AGGREGATION RESULTS", "Total orders aggregated: 2", "Running average price: $414.99",
        "Min price: $29.99", "Max price: $799.99", "Total revenue: $829.98", "Laptop"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  }
}

TEST(ConsumerReport, EmptyRunIsWellFormed) {
  stats::ConsumerMetrics m;
  EXPECT_EQ(stats::to_json(m)["success_rate"], 0.0);
  EXPECT_EQ(stats::to_json(m)["aggregate"]["min"], nullptr);
  EXPECT_NE(stats::render_report(m).find("Total orders aggregated: 0"), std::string::npos);
}
