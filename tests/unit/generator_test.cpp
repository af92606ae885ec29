#include "orders/generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "orders/catalogue.h"

namespace orders {
namespace {

const Product* find_product(const std::string& name) {
  for (const auto& p : catalogue()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(Catalogue, RealisticAndConsistent) {
  ASSERT_GE(catalogue().size(), 20u);
  std::set<std::string_view> names;
  for (const auto& p : catalogue()) {
    EXPECT_TRUE(names.insert(p.name).second) << "duplicate " << p.name;
    EXPECT_GT(p.min_cents, 0u) << p.name;
    EXPECT_LT(p.min_cents, p.max_cents) << p.name;
  }
  EXPECT_TRUE(names.count("Laptop") && names.count("Mouse") && names.count("Tablet") &&
              names.count("Camera"));
}

TEST(OrderId, ZeroPaddedWithPrefix) {
  EXPECT_EQ(format_order_id("ORD", 1), "ORD-00001");
  EXPECT_EQ(format_order_id("ORD", 99999), "ORD-99999");
  EXPECT_EQ(format_order_id("ORD", 123456), "ORD-123456");
  EXPECT_EQ(format_order_id("ORD-K3F9Q2", 42), "ORD-K3F9Q2-00042");
  EXPECT_EQ(format_order_id("ORD-K3F9Q2-", 42), "ORD-K3F9Q2-00042");
}

TEST(RunId, ShortAlphanumericAndVaried) {
  std::set<std::string> ids;
  for (std::uint64_t e = 0; e < 1000; ++e) {
    const std::string id = make_run_id(e);
    ASSERT_EQ(id.size(), 6u);
    for (char c : id) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);  // consecutive entropy values do not collide
}

TEST(Prng, DeterministicPerSeed) {
  Prng a(1), b(1), c(2);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
  }
}

TEST(OrderGenerator, SameSeedSameOrders) {
  OrderGenerator a(42, "ORD"), b(42, "ORD"), c(43, "ORD");
  int differ = 0;
  for (int i = 0; i < 200; ++i) {
    const Order x = a.next();
    EXPECT_EQ(x, b.next());
    const Order y = c.next();
    EXPECT_EQ(x.order_id, y.order_id);
    differ += (x.product != y.product || x.price != y.price);
  }
  EXPECT_GT(differ, 150);
}

TEST(OrderGenerator, SequentialIdsFromFirstSequence) {
  OrderGenerator g(7, "ORD", 1);
  EXPECT_EQ(g.next().order_id, "ORD-00001");
  EXPECT_EQ(g.next().order_id, "ORD-00002");
  EXPECT_EQ(g.generated(), 2u);
  OrderGenerator h(7, "X", 1000);
  EXPECT_EQ(h.next().order_id, "X-01000");
}

TEST(OrderGenerator, PricesInRangeWithTwoDecimals) {
  OrderGenerator g(99, "ORD");
  std::set<std::string> seen;
  for (int i = 0; i < 20000; ++i) {
    const Order o = g.next();
    const Product* p = find_product(o.product);
    ASSERT_NE(p, nullptr) << o.product;
    seen.insert(o.product);
    const double cents = std::round(static_cast<double>(o.price) * 100.0);
    EXPECT_GE(cents, p->min_cents) << o.product << " " << o.price;
    EXPECT_LE(cents, p->max_cents) << o.product << " " << o.price;
    // The float is the nearest float to a two-decimal amount.
    EXPECT_EQ(o.price, static_cast<float>(cents / 100.0));
  }
  EXPECT_EQ(seen.size(), catalogue().size());  // every product shows up
}

TEST(OrderGenerator, ReusesStringCapacity) {
  OrderGenerator g(1, "ORD-ABCDEF");
  Order o;
  o.order_id.reserve(64);
  o.product.reserve(64);
  const char* id_buf = o.order_id.data();
  const char* product_buf = o.product.data();
  for (int i = 0; i < 1000; ++i) g.next(o);
  EXPECT_EQ(o.order_id.data(), id_buf);
  EXPECT_EQ(o.product.data(), product_buf);
}

TEST(PickPrice, StaysInsideNarrowRanges) {
  Prng rng(5);
  for (int i = 0; i < 1000; ++i) {
    const auto c = pick_price_cents(rng, 1550, 1560);
    EXPECT_GE(c, 1550u);
    EXPECT_LE(c, 1560u);
  }
}

}  // namespace
}  // namespace orders
