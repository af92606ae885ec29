// The product bound: at most N named products plus "other", totals exact, checkpoints that fit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "pipeline/checkpoint.h"
#include "pipeline/checkpoint_table.h"
#include "stats/aggregate.h"

using orders::Order;
using stats::Aggregate;

namespace {

Order order(int i, std::string product) {
  return Order{"ORD-" + std::to_string(i), std::move(product), static_cast<float>(1 + i % 100)};
}

// The totals that must never change, whatever is folded.
void expect_same_totals(const Aggregate& a, const Aggregate& b) {
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(a.revenue_cents(), b.revenue_cents());
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
}

std::uint64_t named_plus_other(const Aggregate& a) {
  std::uint64_t n = a.other().count;
  for (const auto& [name, t] : a.by_product()) n += t.count;
  return n;
}

}  // namespace

TEST(AggregateBound, DefaultsToAThousandProducts) {
  EXPECT_EQ(Aggregate().max_products(), 1000u);
}

TEST(AggregateBound, NamesBeyondTheBoundCountAsOtherAndTotalsStayExact) {
  Aggregate bounded(3), unbounded(100000);
  for (int i = 0; i < 50; ++i) {
    const std::string p = "P" + std::to_string(i % 10);
    bounded.add(order(i, p));
    unbounded.add(order(i, p));
  }
  EXPECT_EQ(bounded.by_product().size(), 3u);
  expect_same_totals(bounded, unbounded);
  EXPECT_EQ(named_plus_other(bounded), 50u);
  // First come, kept for good: P0, P1, P2 were seen first.
  for (const char* p : {"P0", "P1", "P2"}) {
    ASSERT_TRUE(bounded.by_product().count(p));
    EXPECT_EQ(bounded.by_product().at(p), unbounded.by_product().at(p));
  }
  EXPECT_EQ(bounded.other().count, 35u);
  std::int64_t cents = bounded.other().revenue_cents;
  for (const auto& [name, t] : bounded.by_product()) cents += t.revenue_cents;
  EXPECT_EQ(cents, bounded.revenue_cents());
}

TEST(AggregateBound, MergeKeepsTheMostCountedNamesAndFoldsTheRest) {
  Aggregate a(2), b(2);
  for (int i = 0; i < 5; ++i) a.add(order(i, "Big"));
  a.add(order(5, "Small"));
  for (int i = 0; i < 3; ++i) b.add(order(10 + i, "Mid"));
  b.add(order(20, "Alpha"));  // ties with nothing: count 1, like Small
  Aggregate merged = a;
  merged.merge(b);
  EXPECT_EQ(merged.by_product().size(), 2u);
  EXPECT_TRUE(merged.by_product().count("Big"));
  EXPECT_TRUE(merged.by_product().count("Mid"));
  EXPECT_EQ(merged.other().count, 2u);
  EXPECT_EQ(merged.count(), 10u);
  EXPECT_EQ(named_plus_other(merged), 10u);
  EXPECT_EQ(merged.revenue_cents(), a.revenue_cents() + b.revenue_cents());
}

TEST(AggregateBound, FoldTiesKeepTheSmallerName) {
  Aggregate a(10);
  for (const char* p : {"d", "b", "c", "a"}) a.add(order(1, p));
  a.fold_products(2);
  ASSERT_EQ(a.by_product().size(), 2u);
  EXPECT_TRUE(a.by_product().count("a"));
  EXPECT_TRUE(a.by_product().count("b"));
  EXPECT_EQ(a.other().count, 2u);
}

TEST(AggregateBound, OtherRoundTripsThroughJsonAndMustAddUp) {
  Aggregate a(1);
  a.add(order(1, "Laptop"));
  a.add(order(2, "Mouse"));
  const auto j = a.to_json();
  ASSERT_TRUE(j.contains("other"));
  EXPECT_EQ(j["other"]["count"], 1);
  EXPECT_EQ(Aggregate::from_json(j), a);
  auto bad = j;
  bad["other"]["count"] = 5;
  EXPECT_THROW(Aggregate::from_json(bad), std::invalid_argument);
  EXPECT_FALSE(Aggregate(5).to_json().contains("other"));
}

TEST(AggregateBound, LoweringTheBoundFoldsAtOnce) {
  Aggregate a(100);
  for (int i = 0; i < 20; ++i) a.add(order(i, "P" + std::to_string(i)));
  const Aggregate before = a;
  a.set_max_products(5);
  EXPECT_EQ(a.by_product().size(), 5u);
  expect_same_totals(a, before);
  EXPECT_EQ(a.other().count, 15u);
}

TEST(CheckpointBound, AnOversizedAggregateIsFoldedUntilTheValueFits) {
  pipeline::Checkpoint c{"orders", 0, 5000, Aggregate(100000), "g", 1, {}, {}};
  // 3000 products with long names: about 3 MB unbounded.
  for (int i = 0; i < 3000; ++i) {
    c.aggregate.add(order(i, std::string(1000, 'x') + std::to_string(i)));
  }
  c.aggregate.add(order(9999, "x" + std::to_string(0)));
  const std::string value = pipeline::encode_checkpoint(c, 100'000);
  EXPECT_LE(value.size(), 100'000u);
  EXPECT_GT(value.size(), 90'000u);  // as many names as fit, not just a few
  const auto back = pipeline::decode_checkpoint(value);
  expect_same_totals(back.aggregate, c.aggregate);
  EXPECT_EQ(named_plus_other(back.aggregate), c.aggregate.count());
  EXPECT_GT(back.aggregate.other().count, 0u);
  EXPECT_EQ(nlohmann::json::parse(value)["version"], 3);
}

TEST(CheckpointBound, TheDefaultBudgetHoldsAThousandLongestNames) {
  pipeline::Checkpoint c{"orders", 0, 5000, Aggregate(), "g", 1, {}, {}};
  // The longest valid product (1024 bytes), each byte a control character JSON escapes (x6).
  for (int i = 0; i < 1500; ++i) {
    std::string name(1016, '\x01');
    name += std::to_string(100000 + i);
    c.aggregate.add(order(i, name));
  }
  const std::string value = pipeline::encode_checkpoint(c);
  EXPECT_LE(value.size(), pipeline::kMaxCheckpointBytes);
  expect_same_totals(pipeline::decode_checkpoint(value).aggregate, c.aggregate);
}

TEST(CheckpointBound, ASmallAggregateKeepsItsVersion) {
  pipeline::Checkpoint c{"orders", 0, 5, Aggregate(), "g", 1, {}, {}};
  c.aggregate.add(order(1, "Laptop"));
  EXPECT_EQ(nlohmann::json::parse(pipeline::encode_checkpoint(c))["version"], 1);
}

TEST(CheckpointBound, StatsMergeReportsOtherAndExactTotals) {
  pipeline::CheckpointTable table;
  Aggregate all(100000);
  for (int p = 0; p < 3; ++p) {
    pipeline::Checkpoint c{"orders", p, 10, Aggregate(4), "g", 1, {}, {}};
    for (int i = 0; i < 10; ++i) {
      const auto o = order(p * 100 + i, "P" + std::to_string(p * 10 + i));
      c.aggregate.add(o);
      all.add(o);
    }
    table.apply(pipeline::checkpoint_key("g", "orders", p), pipeline::encode_checkpoint(c));
  }
  const auto totals = pipeline::merge_topic(table, "g", "orders", 5);
  EXPECT_EQ(totals.aggregate.by_product().size(), 5u);
  expect_same_totals(totals.aggregate, all);
  EXPECT_EQ(named_plus_other(totals.aggregate), 30u);
}
