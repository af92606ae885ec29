#pragma once
// Hex test vectors to bytes, for every codec test. Strict, so a typo in a case's bytes fails the
// test instead of silently dropping a nibble.
#include <stdexcept>
#include <string>
#include <string_view>

namespace test_hex {

inline int digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  throw std::invalid_argument(std::string("not a hex digit: '") + c + "'");
}

inline std::string from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    throw std::invalid_argument("odd-length hex string: '" + std::string(hex) + "'");
  }
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(digit(hex[i]) * 16 + digit(hex[i + 1])));
  }
  return out;
}

}  // namespace test_hex
