#pragma once
// Internal: bounds-checked cursor over untrusted Avro bytes. Every read either succeeds or
// records the first DecodeError (offset + reason) and returns false; nothing reads past `end`
// and no length is trusted beyond the bytes that remain.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "avro/error.h"
#include "avro/utf8.h"
#include "avro/varint.h"

namespace avro {

// Limits for the shapes the input length alone cannot bound.
struct DecodeOptions {
  std::size_t max_depth = 256;                // nesting of records/arrays/maps/unions
  std::size_t max_zero_size_items = 1 << 16;  // total items of types that encode to 0 bytes
};

class ByteReader {
 public:
  ByteReader(std::string_view bytes, const DecodeOptions& options)
      : begin_(bytes.data()),
        p_(bytes.data()),
        end_(bytes.data() + bytes.size()),
        zero_size_budget_(options.max_zero_size_items),
        max_depth_(options.max_depth) {}

  std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  const std::optional<DecodeError>& error() const { return error_; }

  bool fail(std::size_t at, std::string reason) {
    if (!error_) error_ = DecodeError{at, std::move(reason)};
    return false;
  }

  bool read_long(std::int64_t& v, const char* what) {
    const std::size_t at = offset();
    std::uint64_t raw = 0;
    switch (read_varint(p_, end_, kMaxLongVarintBytes, raw)) {
      case VarintStatus::kOk:
        v = zigzag_decode(raw);
        return true;
      case VarintStatus::kTruncated:
        return fail(at, std::string("truncated ") + what);
      case VarintStatus::kTooLong:
        return fail(at, std::string("varint overflows 64 bits in ") + what);
    }
    return false;
  }

  bool read_int(std::int32_t& v, const char* what) {
    const std::size_t at = offset();
    std::uint64_t raw = 0;
    switch (read_varint(p_, end_, kMaxIntVarintBytes, raw)) {
      case VarintStatus::kOk:
        if (raw > 0xffffffffULL) return fail(at, std::string("int overflows 32 bits in ") + what);
        v = static_cast<std::int32_t>(zigzag_decode(raw));
        return true;
      case VarintStatus::kTruncated:
        return fail(at, std::string("truncated ") + what);
      case VarintStatus::kTooLong:
        return fail(at, std::string("varint overflows 32 bits in ") + what);
    }
    return false;
  }

  bool read_bool(bool& v) {
    if (p_ == end_) return fail(offset(), "truncated boolean");
    auto b = static_cast<unsigned char>(*p_);
    if (b > 1) return fail(offset(), "invalid boolean byte " + std::to_string(b));
    ++p_;
    v = b == 1;
    return true;
  }

  bool read_float(float& v) {
    if (remaining() < 4) return fail(offset(), "truncated float");
    v = read_float_le(p_);
    p_ += 4;
    return true;
  }

  bool read_double(double& v) {
    if (remaining() < 8) return fail(offset(), "truncated double");
    v = read_double_le(p_);
    p_ += 8;
    return true;
  }

  // Length-prefixed bytes; with utf8, also validated as UTF-8 (Avro "string").
  bool read_bytes(std::string& out, bool utf8, const char* what) {
    const std::size_t at = offset();
    std::int64_t len = 0;
    if (!read_long(len, what)) return false;
    if (len < 0) return fail(at, "negative length " + std::to_string(len) + " of " + what);
    if (static_cast<std::uint64_t>(len) > remaining()) {
      return fail(at, "length " + std::to_string(len) + " of " + what + " exceeds the " +
                          std::to_string(remaining()) + " remaining bytes");
    }
    std::string_view s(p_, static_cast<std::size_t>(len));
    if (utf8) {
      std::size_t bad = find_invalid_utf8(s);
      if (bad != s.size()) return fail(offset() + bad, std::string("invalid UTF-8 in ") + what);
    }
    out.assign(s.data(), s.size());
    p_ += len;
    return true;
  }

  bool read_fixed(std::string& out, std::size_t size) {
    if (size > remaining()) {
      return fail(offset(), "truncated fixed of size " + std::to_string(size));
    }
    out.assign(p_, size);
    p_ += size;
    return true;
  }

  // Reads an array/map block header into `count` (0 = end of blocks). A negative count is
  // followed by the block's byte size, which is returned in `block_end` (else 0) so the
  // caller can check it. Counts are bounded by the input (items of >= 1 byte) or by the
  // zero-size budget (items that may encode to nothing).
  bool read_block_header(std::int64_t& count, std::size_t& block_end, bool items_may_be_empty) {
    const std::size_t at = offset();
    if (!read_long(count, "block count")) return false;
    block_end = 0;
    if (count < 0) {
      if (count == INT64_MIN) return fail(at, "block count out of range");
      count = -count;
      std::int64_t size = 0;
      const std::size_t size_at = offset();
      if (!read_long(size, "block byte size")) return false;
      if (size < 0 || static_cast<std::uint64_t>(size) > remaining()) {
        return fail(size_at, "block byte size " + std::to_string(size) + " exceeds the " +
                                 std::to_string(remaining()) + " remaining bytes");
      }
      block_end = offset() + static_cast<std::size_t>(size);
    }
    if (!items_may_be_empty) {
      if (static_cast<std::uint64_t>(count) > remaining()) {
        return fail(at, "block count " + std::to_string(count) + " exceeds the " +
                            std::to_string(remaining()) + " remaining bytes");
      }
    } else {
      if (static_cast<std::uint64_t>(count) > zero_size_budget_) {
        return fail(
            at, "block count " + std::to_string(count) + " exceeds the limit for zero-size items");
      }
      zero_size_budget_ -= static_cast<std::size_t>(count);
    }
    return true;
  }

  bool check_block_end(std::size_t block_end) {
    if (block_end != 0 && offset() != block_end) {
      return fail(offset(), "block byte size does not match its items");
    }
    return true;
  }

  bool enter() {
    if (++depth_ > max_depth_) {
      return fail(offset(), "nesting deeper than " + std::to_string(max_depth_));
    }
    return true;
  }
  void leave() { --depth_; }

  bool finish() {
    if (p_ != end_) return fail(offset(), std::to_string(remaining()) + " trailing bytes");
    return true;
  }

 private:
  const char* begin_;
  const char* p_;
  const char* end_;
  std::optional<DecodeError> error_;
  std::size_t zero_size_budget_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
};

}  // namespace avro
