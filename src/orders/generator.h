#pragma once
// Deterministic order generator: a seed fixes the sequence of products and prices exactly, on
// every platform (own PRNG, no std:: distributions). Ids are `<prefix>-00001`, `<prefix>-00002`…
#include <cstdint>
#include <string>
#include <string_view>

#include "orders/order.h"

namespace orders {

// xoshiro256** seeded through splitmix64: fast, small, and fully specified.
class Prng {
 public:
  explicit Prng(std::uint64_t seed);
  std::uint64_t next();
  // Uniform in [0, bound), bound > 0 (modulo bias < 2^-40 for our bounds: irrelevant here).
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }

 private:
  std::uint64_t s_[4];
};

class OrderGenerator {
 public:
  OrderGenerator(std::uint64_t seed, std::string id_prefix, std::uint64_t first_sequence = 1);

  // Overwrites `out` with the next order, reusing its string capacity (no allocation once warm).
  void next(Order& out);
  Order next();
  // How many orders were generated so far.
  std::uint64_t generated() const { return sequence_ - first_sequence_; }
  const std::string& id_prefix() const { return prefix_; }

 private:
  Prng rng_;
  std::string prefix_;
  std::uint64_t first_sequence_;
  std::uint64_t sequence_;
};

// `<prefix>-<sequence zero-padded to 5 digits>` written into `out` (capacity reused). A prefix
// that already ends in '-' gets no second one.
void format_order_id(std::string_view prefix, std::uint64_t sequence, std::string& out);
std::string format_order_id(std::string_view prefix, std::uint64_t sequence);

// A short run id (6 characters from [0-9A-Z]) derived from `entropy`, so that ids of separate runs
// do not collide: `ORD-<run>-00001`.
std::string make_run_id(std::uint64_t entropy);

// Price in cents with retail-looking endings (.99, .49, .95, .00), within the product's range.
std::uint32_t pick_price_cents(Prng& rng, std::uint32_t min_cents, std::uint32_t max_cents);

}  // namespace orders
