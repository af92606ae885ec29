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

TEST(ConsumerReport, SemanticsFieldsAppearOnlyWhenSet) {
  auto m = sample();
  EXPECT_FALSE(stats::to_json(m).contains("semantics"));
  EXPECT_EQ(stats::render_report(m).find("Semantics:"), std::string::npos);
  m.semantics = "exactly-once";
  m.reprocessed = 4;
  m.transactions_committed = 9;
  m.transactions_aborted = 1;
  m.producer_recoveries = 2;
  m.producer_recovery_failures = 1;
  m.checkpoints_written = 30;
  m.partitions_restored = 6;
  m.commit_latency = {40.0, 99.5, 120.0};
  auto j = stats::to_json(m);
  EXPECT_EQ(j["semantics"], "exactly-once");
  EXPECT_EQ(j["reprocessed"], 4);
  EXPECT_EQ(j["transactions"]["committed"], 9);
  EXPECT_EQ(j["transactions"]["aborted"], 1);
  EXPECT_EQ(j["producer_recoveries"], 2);
  EXPECT_EQ(j["producer_recovery_failures"], 1);
  EXPECT_EQ(j["checkpoints_written"], 30);
  EXPECT_EQ(j["partitions_restored"], 6);
  EXPECT_DOUBLE_EQ(j["commit_latency_ms"]["p99"].get<double>(), 99.5);
  auto text = stats::render_report(m);
  for (const char* part : {"Semantics: exactly-once", "Transactions: 9 committed, 1 aborted",
                           "Producer recoveries: 2 (failed attempts: 1)",
                           "Checkpoints written: 30 (partitions restored from one: 6)",
                           "Re-processed (already processed by the group): 4"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  }
  m.semantics = "at-least-once";
  EXPECT_EQ(stats::render_report(m).find("Transactions:"), std::string::npos);
  EXPECT_EQ(stats::render_report(m).find("Producer recoveries:"), std::string::npos);
  // In the JSON report always, with the other semantics fields: a dashboard need not guess.
  EXPECT_EQ(stats::to_json(m)["producer_recoveries"], 2);
}

TEST(ConsumerReport, AggregateBlockTakesExtraLinesBeforeTheClosingRule) {
  stats::Aggregate a;
  a.add(orders::Order{"ORD-1", "Laptop", 10.0f});
  const auto block = stats::render_aggregate_block(a, "By partition:\n  orders[0]\n");
  EXPECT_NE(block.find("Total orders aggregated: 1"), std::string::npos);
  const std::string extra = "By partition:\n  orders[0]\n";
  const auto at = block.find(extra);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(block.substr(at + extra.size()), std::string(70, '=') + "\n");
}
