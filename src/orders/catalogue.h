#pragma once
// The products the generator sells, each with a plausible price range (in cents).
#include <cstdint>
#include <span>
#include <string_view>

namespace orders {

struct Product {
  std::string_view name;
  std::uint32_t min_cents;
  std::uint32_t max_cents;
};

std::span<const Product> catalogue();

}  // namespace orders
