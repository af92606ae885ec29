#include "orders/generator.h"

#include <array>
#include <charconv>

#include "orders/catalogue.h"

namespace orders {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

constexpr int kIdDigits = 5;

}  // namespace

Prng::Prng(std::uint64_t seed) {
  for (auto& word : s_) word = splitmix64(seed);
}

std::uint64_t Prng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

void format_order_id(std::string_view prefix, std::uint64_t sequence, std::string& out) {
  char digits[24];
  const auto res = std::to_chars(digits, digits + sizeof digits, sequence);
  const auto len = static_cast<std::size_t>(res.ptr - digits);
  out.assign(prefix);
  if (out.empty() || out.back() != '-') out.push_back('-');  // "ORD-RUN-" reads as "ORD-RUN"
  if (len < kIdDigits) out.append(kIdDigits - len, '0');
  out.append(digits, len);
}

std::string format_order_id(std::string_view prefix, std::uint64_t sequence) {
  std::string out;
  format_order_id(prefix, sequence, out);
  return out;
}

std::string make_run_id(std::uint64_t entropy) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::uint64_t state = entropy;
  std::uint64_t bits = splitmix64(state);  // spread low-entropy inputs (time, pid) over all bits
  std::string id(6, '0');
  for (char& c : id) {
    c = kAlphabet[bits % 36];
    bits /= 36;
  }
  return id;
}

std::uint32_t pick_price_cents(Prng& rng, std::uint32_t min_cents, std::uint32_t max_cents) {
  static constexpr std::array<std::uint32_t, 6> kEndings{99, 99, 99, 49, 95, 0};
  const std::uint32_t min_dollars = min_cents / 100;
  const std::uint32_t max_dollars = max_cents / 100;
  const std::uint32_t span = max_dollars > min_dollars ? max_dollars - min_dollars : 0;
  const auto dollars = min_dollars + static_cast<std::uint32_t>(rng.below(span + 1));
  const std::uint32_t cents = dollars * 100 + kEndings[rng.below(kEndings.size())];
  // The ending may push past the range's edges: bring it back inside.
  if (cents < min_cents) return min_cents;
  if (cents > max_cents) return max_cents;
  return cents;
}

OrderGenerator::OrderGenerator(std::uint64_t seed, std::string id_prefix,
                               std::uint64_t first_sequence)
    : rng_(seed),
      prefix_(std::move(id_prefix)),
      first_sequence_(first_sequence),
      sequence_(first_sequence) {}

void OrderGenerator::next(Order& out) {
  const auto products = catalogue();
  const Product& product = products[rng_.below(products.size())];
  format_order_id(prefix_, sequence_++, out.order_id);
  out.product.assign(product.name);
  const std::uint32_t cents = pick_price_cents(rng_, product.min_cents, product.max_cents);
  out.price = static_cast<float>(static_cast<double>(cents) / 100.0);
}

Order OrderGenerator::next() {
  Order order;
  next(order);
  return order;
}

}  // namespace orders
