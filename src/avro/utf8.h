#pragma once
// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
// Avro strings are UTF-8; rejecting bad bytes at decode time keeps them out of the rest of the
// system.
#include <cstddef>
#include <string_view>

namespace avro {

// Returns the offset of the first byte of the first invalid sequence, or s.size() if valid.
std::size_t find_invalid_utf8(std::string_view s);

inline bool is_valid_utf8(std::string_view s) {
  return find_invalid_utf8(s) == s.size();
}

}  // namespace avro
