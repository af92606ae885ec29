#include "stats/aggregate.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

using orders::Order;
using stats::Aggregate;

TEST(Aggregate, PriceToCentsRoundsHalfAwayFromZeroOnTheWidenedFloat) {
  EXPECT_EQ(stats::price_to_cents(29.99f), 2999);  // 29.9899997... * 100 -> 2998.99997
  EXPECT_EQ(stats::price_to_cents(799.99f), 79999);
  EXPECT_EQ(stats::price_to_cents(0.125f), 13);  // exactly 12.5 cents: away from zero
  EXPECT_EQ(stats::price_to_cents(0.005f), 0);   // the float is 0.00499999988...: below half
  EXPECT_EQ(stats::price_to_cents(1e9f), 100000000000);
}

TEST(Aggregate, EmptyHasNoMinMax) {
  Aggregate a;
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.avg(), 0.0);
  EXPECT_FALSE(a.min());
  auto j = a.to_json();
  EXPECT_TRUE(j["min"].is_null());
  EXPECT_EQ(j["count"], 0);
  EXPECT_EQ(Aggregate::from_json(j), a);
}

TEST(Aggregate, AddsCountsCentsMinMaxAndProducts) {
  Aggregate a;
  a.add(Order{"ORD-1", "Laptop", 799.99f});
  a.add(Order{"ORD-2", "Mouse", 29.99f});
  a.add(Order{"ORD-3", "Mouse", 10.0f});
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.revenue_cents(), 79999 + 2999 + 1000);
  EXPECT_EQ(*a.min(), static_cast<double>(10.0f));
  EXPECT_EQ(*a.max(), static_cast<double>(799.99f));
  EXPECT_DOUBLE_EQ(a.avg(), (79999 + 2999 + 1000) / 100.0 / 3);
  ASSERT_EQ(a.by_product().size(), 2u);
  EXPECT_EQ(a.by_product().at("Mouse").count, 2u);
  EXPECT_EQ(a.by_product().at("Mouse").revenue_cents, 3999);
  EXPECT_DOUBLE_EQ(a.by_product().at("Mouse").avg(), 19.995);
}

TEST(Aggregate, MergeEqualsAddingEverythingToOne) {
  const Order all[] = {{"1", "A", 1.5f},
                       {"2", "B", 2.25f},
                       {"3", "A", 100.01f},
                       {"4", "C", 0.01f},
                       {"5", "B", 7.77f}};
  Aggregate whole, left, right, empty;
  for (int i = 0; i < 5; ++i) {
    whole.add(all[i]);
    (i % 2 ? left : right).add(all[i]);
  }
  Aggregate lr = left, rl = right;
  lr.merge(right);
  rl.merge(left);
  EXPECT_EQ(lr, whole);
  EXPECT_EQ(rl, whole);
  lr.merge(empty);
  EXPECT_EQ(lr, whole);
  empty.merge(whole);
  EXPECT_EQ(empty, whole);
}

TEST(Aggregate, JsonRoundTripIsExact) {
  Aggregate a;
  a.add(Order{"1", "Laptop", 799.99f});
  a.add(Order{"2", "Caf\xc3\xa9", 0.1f});
  auto j = a.to_json();
  EXPECT_EQ(j["count"], 2);
  EXPECT_EQ(j["revenue_cents"], 80009);
  EXPECT_EQ(j["min"].get<double>(), static_cast<double>(0.1f));
  EXPECT_EQ(j["by_product"]["Laptop"]["revenue_cents"], 79999);
  EXPECT_EQ(j["by_product"]["Laptop"]["count"], 1);
  // Through text and back: doubles keep every bit.
  auto back = Aggregate::from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(back, a);
}

TEST(Aggregate, FromJsonRejectsMalformed) {
  EXPECT_THROW(Aggregate::from_json(nlohmann::json::object()), std::invalid_argument);
  EXPECT_THROW(Aggregate::from_json(nlohmann::json::parse(
                   R"({"count":1,"revenue_cents":5,"min":1,"max":1,"by_product":{}})")),
               std::invalid_argument);
  EXPECT_THROW(Aggregate::from_json(nlohmann::json::parse(
                   R"({"count":1,"revenue_cents":5,"min":null,"max":null,
                       "by_product":{"A":{"count":1,"revenue_cents":5}}})")),
               std::invalid_argument);
  EXPECT_THROW(Aggregate::from_json(nlohmann::json::parse(R"({"count":"x"})")),
               std::invalid_argument);
}

TEST(Aggregate, FormatsMoney) {
  EXPECT_EQ(stats::format_cents(2718315), "$27,183.15");
  EXPECT_EQ(stats::format_cents(5), "$0.05");
  EXPECT_EQ(stats::format_cents(-150), "-$1.50");
  EXPECT_EQ(stats::format_cents(100000000), "$1,000,000.00");
  EXPECT_EQ(stats::format_dollars(799.99), "$799.99");
}

namespace {

constexpr std::int64_t kMaxCents = std::numeric_limits<std::int64_t>::max();

// One product holding `cents`: as a checkpoint near the int64 limit would restore it.
Aggregate near_limit(std::int64_t cents) {
  return Aggregate::from_json(
      {{"count", 1},
       {"revenue_cents", cents},
       {"min", 1.0},
       {"max", 1.0},
       {"by_product", {{"Laptop", {{"count", 1}, {"revenue_cents", cents}}}}}});
}

}  // namespace

TEST(Aggregate, RevenueSaturatesAtTheInt64LimitAndSaysSo) {
  Aggregate a = near_limit(kMaxCents - 10);
  EXPECT_FALSE(a.revenue_saturated());
  EXPECT_FALSE(a.to_json().contains("revenue_saturated"));
  a.add(Order{"ORD-1", "Laptop", 1e9f});
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(a.revenue_cents(), kMaxCents);
  EXPECT_EQ(a.by_product().at("Laptop").revenue_cents, kMaxCents);
  EXPECT_TRUE(a.revenue_saturated());
  const auto j = a.to_json();
  EXPECT_EQ(j["revenue_saturated"], true);
  EXPECT_EQ(Aggregate::from_json(j), a);  // the flag survives a checkpoint

  Aggregate m = near_limit(kMaxCents / 2 + 1);
  m.merge(near_limit(kMaxCents / 2 + 1));
  EXPECT_EQ(m.revenue_cents(), kMaxCents);
  EXPECT_TRUE(m.revenue_saturated());
  Aggregate n;
  n.merge(m);  // merging a saturated aggregate carries the flag
  EXPECT_TRUE(n.revenue_saturated());
}

TEST(Aggregate, FromJsonRefusesProductSumsBeyondInt64) {
  // The products' sum overflows: a corrupted checkpoint, not undefined behaviour.
  EXPECT_THROW(Aggregate::from_json(nlohmann::json::parse(
                   R"({"count":2,"revenue_cents":1,"min":1,"max":1,"by_product":{
                       "A":{"count":1,"revenue_cents":9223372036854775807},
                       "B":{"count":1,"revenue_cents":9223372036854775807}}})")),
               std::invalid_argument);
  // Saturated is only believable at the limit.
  EXPECT_THROW(Aggregate::from_json(nlohmann::json::parse(
                   R"({"count":1,"revenue_cents":5,"min":1,"max":1,"revenue_saturated":true,
                       "by_product":{"A":{"count":1,"revenue_cents":5}}})")),
               std::invalid_argument);
}
