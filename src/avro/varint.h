#pragma once
// Avro's integer wire format: zigzag-mapped, little-endian base-128 varints. Header-only so the
// Order fast path and the generic codec inline the same code.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace avro {

inline constexpr std::size_t kMaxLongVarintBytes = 10;  // 64 bits / 7 bits per byte, rounded up
inline constexpr std::size_t kMaxIntVarintBytes = 5;    // 32 bits / 7 bits per byte, rounded up

constexpr std::uint64_t zigzag_encode(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

constexpr std::int64_t zigzag_decode(std::uint64_t u) {
  return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

// Number of bytes the varint of `u` occupies (1..10).
constexpr std::size_t varint_size(std::uint64_t u) {
  std::size_t n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}

// Writes the varint of `u` at `p` (room for 10 bytes needed); returns one past the last byte.
inline char* write_varint(char* p, std::uint64_t u) {
  while (u >= 0x80) {
    *p++ = static_cast<char>((u & 0x7f) | 0x80);
    u >>= 7;
  }
  *p++ = static_cast<char>(u);
  return p;
}

inline void append_long(std::string& out, std::int64_t v) {
  char buf[kMaxLongVarintBytes];
  char* end = write_varint(buf, zigzag_encode(v));
  out.append(buf, static_cast<std::size_t>(end - buf));
}

// Outcome of reading a varint from untrusted bytes.
enum class VarintStatus { kOk, kTruncated, kTooLong };

// Reads a varint of at most `max_bytes` bytes from [*p, end). Bits beyond 64 (or a continuation
// past max_bytes) make it kTooLong, so every accepted encoding maps to one in-range value.
inline VarintStatus read_varint(const char*& p, const char* end, std::size_t max_bytes,
                                std::uint64_t& out) {
  std::uint64_t result = 0;
  const char* q = p;
  for (std::size_t i = 0; i < max_bytes; ++i) {
    if (q == end) return VarintStatus::kTruncated;
    auto byte = static_cast<std::uint8_t>(*q++);
    if (i == kMaxLongVarintBytes - 1 && byte > 1) return VarintStatus::kTooLong;
    result |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      p = q;
      out = result;
      return VarintStatus::kOk;
    }
  }
  return VarintStatus::kTooLong;
}

inline void write_float_le(char* p, float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
}

inline float read_float_le(const char* p) {
  std::uint32_t bits = 0;
  for (int i = 0; i < 4; ++i) {
    bits |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(p[i])) << (8 * i);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline void write_double_le(char* p, double d) {
  std::uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
}

inline double read_double_le(const char* p) {
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) {
    bits |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(p[i])) << (8 * i);
  }
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

}  // namespace avro
