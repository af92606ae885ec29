#pragma once
// Running aggregate over processed orders: a mergeable, serializable value type.
//
// Money is exact: each price is rounded to integer cents once, as llround(double(price) * 100)
// (half away from zero), and revenue is the integer sum of those cents. min/max keep the price
// as sent (the float widened to double), so they compare exactly with any other reader.
// Merging is associative and commutative, so per-partition aggregates can be combined in any
// order (a consumer group merges them; checkpoints store them as JSON).
//
// Products are bounded: at most max_products() names are tracked (default 1000, so a checkpoint
// stays far below Kafka's message size whatever the orders are called); the orders of every other
// name are counted in other(). A name is tracked from its first order while there is room, and
// stays tracked. merge() keeps the names with the largest counts (ties: the smaller name) and
// folds the rest into other(). count, revenue, min and max stay exact whatever is folded; a
// tracked name's figures count the orders seen while it was tracked (docs/semantics.md).
//
// Revenue saturates: prices are validated <= 1e9 each, but ~92 million such orders pass the
// int64 cents range. A sum that would overflow stays at INT64_MAX (a lower bound) and sets
// revenue_saturated(), which reports and checkpoints carry, so the total is never silently wrong
// and the pipeline keeps running.
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "orders/order.h"

namespace stats {

// The cents a price counts for: llround(double(price) * 100).
std::int64_t price_to_cents(float price);

struct ProductTotals {
  std::uint64_t count = 0;
  std::int64_t revenue_cents = 0;

  double avg() const;  // dollars; 0 when empty
  bool operator==(const ProductTotals&) const = default;
};

inline constexpr std::size_t kDefaultMaxProducts = 1000;

class Aggregate {
 public:
  Aggregate() = default;
  explicit Aggregate(std::size_t max_products) : max_products_(max_products) {}

  void add(const orders::Order& order);
  // Merges `other` in, then folds down to max_products() names.
  void merge(const Aggregate& other);

  std::size_t max_products() const { return max_products_; }
  // Also folds down to the new bound at once.
  void set_max_products(std::size_t max_products);
  // Keeps the `keep` names with the largest counts (ties: the smaller name); the rest go to
  // other(). Totals are unchanged.
  void fold_products(std::size_t keep);

  std::uint64_t count() const { return count_; }
  std::int64_t revenue_cents() const { return revenue_cents_; }
  // Some revenue sum (the total or a product's) hit INT64_MAX: the true value is larger.
  bool revenue_saturated() const { return revenue_saturated_; }
  // Running average price in dollars, from the exact cents: revenue_cents / count / 100.
  double avg() const;
  // Absent while empty.
  std::optional<double> min() const { return min_; }
  std::optional<double> max() const { return max_; }
  const std::map<std::string, ProductTotals>& by_product() const { return by_product_; }
  // The orders of every product not in by_product().
  const ProductTotals& other() const { return other_; }

  bool empty() const { return count_ == 0; }
  // The figures only: the bound is a setting, not part of the value.
  bool operator==(const Aggregate& o) const;

  // {count, avg, min, max, revenue_cents, by_product: {name: {count, revenue_cents, avg}}};
  // min/max are null while empty; "revenue_saturated": true only when set; "other": {count,
  // revenue_cents, avg} only when other() is not empty. Doubles print with
  // round-trip precision.
  nlohmann::json to_json() const;
  // Inverse of to_json (avg fields are derived and ignored). Throws std::invalid_argument on a
  // malformed object.
  static Aggregate from_json(const nlohmann::json& j);

 private:
  std::uint64_t count_ = 0;
  std::int64_t revenue_cents_ = 0;
  bool revenue_saturated_ = false;
  std::optional<double> min_;
  std::optional<double> max_;
  std::map<std::string, ProductTotals> by_product_;
  ProductTotals other_;
  std::size_t max_products_ = kDefaultMaxProducts;
};

// "$27,183.15" (negative: "-$1.50").
std::string format_cents(std::int64_t cents);
// A price as dollars with two decimals: "$799.99".
std::string format_dollars(double dollars);

}  // namespace stats
