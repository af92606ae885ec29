#include "stats/aggregate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

namespace stats {

namespace {

// total += cents, held at the int64 limit instead of overflowing; true if it had to be.
bool add_saturating(std::int64_t& total, std::int64_t cents) {
  if (!__builtin_add_overflow(total, cents, &total)) return false;
  total = cents > 0 ? std::numeric_limits<std::int64_t>::max()
                    : std::numeric_limits<std::int64_t>::min();
  return true;
}

}  // namespace

std::int64_t price_to_cents(float price) {
  return std::llround(static_cast<double>(price) * 100.0);
}

double ProductTotals::avg() const {
  return count == 0 ? 0.0 : static_cast<double>(revenue_cents) / 100.0 / static_cast<double>(count);
}

void Aggregate::add(const orders::Order& order) {
  const double price = order.price;
  const std::int64_t cents = price_to_cents(order.price);
  ++count_;
  revenue_saturated_ |= add_saturating(revenue_cents_, cents);
  min_ = min_ ? std::min(*min_, price) : price;
  max_ = max_ ? std::max(*max_, price) : price;
  auto it = by_product_.find(order.product);
  if (it == by_product_.end() && by_product_.size() < max_products_) {
    it = by_product_.emplace(order.product, ProductTotals{}).first;
  }
  auto& p = it == by_product_.end() ? other_ : it->second;
  ++p.count;
  revenue_saturated_ |= add_saturating(p.revenue_cents, cents);
}

bool Aggregate::operator==(const Aggregate& o) const {
  return count_ == o.count_ && revenue_cents_ == o.revenue_cents_ &&
         revenue_saturated_ == o.revenue_saturated_ && min_ == o.min_ && max_ == o.max_ &&
         by_product_ == o.by_product_ && other_ == o.other_;
}

void Aggregate::set_max_products(std::size_t max_products) {
  max_products_ = max_products;
  fold_products(max_products_);
}

void Aggregate::fold_products(std::size_t keep) {
  if (by_product_.size() <= keep) return;
  std::vector<std::map<std::string, ProductTotals>::iterator> ranked;
  ranked.reserve(by_product_.size());
  for (auto it = by_product_.begin(); it != by_product_.end(); ++it) ranked.push_back(it);
  // Map order is name order, so a stable sort by count leaves ties with the smaller name first.
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a->second.count > b->second.count; });
  for (std::size_t i = keep; i < ranked.size(); ++i) {
    other_.count += ranked[i]->second.count;
    revenue_saturated_ |= add_saturating(other_.revenue_cents, ranked[i]->second.revenue_cents);
    by_product_.erase(ranked[i]);
  }
}

void Aggregate::merge(const Aggregate& other) {
  count_ += other.count_;
  revenue_saturated_ |= other.revenue_saturated_;
  revenue_saturated_ |= add_saturating(revenue_cents_, other.revenue_cents_);
  if (other.min_) min_ = min_ ? std::min(*min_, *other.min_) : *other.min_;
  if (other.max_) max_ = max_ ? std::max(*max_, *other.max_) : *other.max_;
  for (const auto& [name, t] : other.by_product_) {
    auto& p = by_product_[name];
    p.count += t.count;
    revenue_saturated_ |= add_saturating(p.revenue_cents, t.revenue_cents);
  }
  other_.count += other.other_.count;
  revenue_saturated_ |= add_saturating(other_.revenue_cents, other.other_.revenue_cents);
  fold_products(max_products_);
}

double Aggregate::avg() const {
  return count_ == 0 ? 0.0
                     : static_cast<double>(revenue_cents_) / 100.0 / static_cast<double>(count_);
}

nlohmann::json Aggregate::to_json() const {
  nlohmann::json products = nlohmann::json::object();
  for (const auto& [name, t] : by_product_) {
    products[name] = {{"count", t.count}, {"revenue_cents", t.revenue_cents}, {"avg", t.avg()}};
  }
  nlohmann::json j = {{"count", count_},
                      {"avg", avg()},
                      {"min", nullptr},
                      {"max", nullptr},
                      {"revenue_cents", revenue_cents_},
                      {"by_product", std::move(products)}};
  if (min_) j["min"] = *min_;
  if (max_) j["max"] = *max_;
  if (revenue_saturated_) j["revenue_saturated"] = true;
  if (other_.count > 0) {
    j["other"] = {
        {"count", other_.count}, {"revenue_cents", other_.revenue_cents}, {"avg", other_.avg()}};
  }
  return j;
}

Aggregate Aggregate::from_json(const nlohmann::json& j) {
  try {
    Aggregate a;
    a.count_ = j.at("count").get<std::uint64_t>();
    a.revenue_cents_ = j.at("revenue_cents").get<std::int64_t>();
    a.revenue_saturated_ = j.value("revenue_saturated", false);
    if (j.contains("min") && !j.at("min").is_null()) a.min_ = j.at("min").get<double>();
    if (j.contains("max") && !j.at("max").is_null()) a.max_ = j.at("max").get<double>();
    if (a.count_ > 0 && (!a.min_ || !a.max_)) throw std::invalid_argument("min/max missing");
    std::uint64_t product_count = 0;
    std::int64_t product_cents = 0;
    for (const auto& [name, t] : j.at("by_product").items()) {
      ProductTotals p{t.at("count").get<std::uint64_t>(),
                      t.at("revenue_cents").get<std::int64_t>()};
      product_count += p.count;
      const bool product_overflow = add_saturating(product_cents, p.revenue_cents);
      if (product_overflow && !a.revenue_saturated_) {
        throw std::invalid_argument("by_product revenue_cents overflow int64");
      }
      a.by_product_.emplace(name, p);
    }
    if (j.contains("other")) {
      const auto& o = j.at("other");
      a.other_ = {o.at("count").get<std::uint64_t>(), o.at("revenue_cents").get<std::int64_t>()};
      product_count += a.other_.count;
      if (add_saturating(product_cents, a.other_.revenue_cents) && !a.revenue_saturated_) {
        throw std::invalid_argument("other revenue_cents overflows int64");
      }
    }
    // The parts must add up to the whole; anything else is a corrupted checkpoint. Saturated
    // sums no longer add up, but then the total must sit at the limit.
    const bool cents_ok = a.revenue_saturated_
                              ? a.revenue_cents_ == std::numeric_limits<std::int64_t>::max()
                              : product_cents == a.revenue_cents_;
    if (product_count != a.count_ || !cents_ok) {
      throw std::invalid_argument("by_product totals do not add up to count/revenue_cents");
    }
    return a;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("malformed aggregate JSON: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("malformed aggregate JSON: ") + e.what());
  }
}

std::string format_cents(std::int64_t cents) {
  const bool negative = cents < 0;
  // Work in unsigned so INT64_MIN does not overflow on negation.
  const std::uint64_t abs =
      negative ? ~static_cast<std::uint64_t>(cents) + 1 : static_cast<std::uint64_t>(cents);
  std::string whole = std::to_string(abs / 100);
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  return fmt::format("{}${}.{:02}", negative ? "-" : "", grouped, abs % 100);
}

std::string format_dollars(double dollars) {
  if (!std::isfinite(dollars)) return fmt::format("${}", dollars);
  return format_cents(std::llround(dollars * 100.0));
}

}  // namespace stats
