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
  std::size_t max_depth = 256;  // nesting of records/arrays/maps/unions
  // Total values that encode to no bytes (null, fixed(0), records without fields), wherever they
  // are: each becomes a datum, so without this a record of many nulls in an array would turn a
  // byte of input into any amount of memory.
  std::size_t max_zero_size_items = 1 << 16;
  // Writer-only arrays and maps written in the block-size form are skipped a block at a time
  // (the spec's fast skipping); the items inside are then not validated. false: item by item,
  // so a writer-only value is refused exactly when decoding it would be.
  bool skip_sized_blocks = true;
};

class ByteReader {
 public:
  ByteReader(std::string_view bytes, const DecodeOptions& options)
      : begin_(bytes.data()),
        p_(bytes.data()),
        end_(bytes.data() + bytes.size()),
        zero_size_budget_(options.max_zero_size_items),
        max_zero_size_(options.max_zero_size_items),
        max_depth_(options.max_depth),
        skip_sized_blocks_(options.skip_sized_blocks) {}

  std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  const std::optional<DecodeError>& error() const { return error_; }
  bool skip_sized_blocks() const { return skip_sized_blocks_; }

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

  // `n` bytes of a float or double, unread.
  bool skip_scalar(std::size_t n, const char* truncated) {
    if (remaining() < n) return fail(offset(), truncated);
    p_ += n;
    return true;
  }

  // Length-prefixed bytes; with utf8, also validated as UTF-8 (Avro "string").
  bool read_bytes(std::string& out, bool utf8, const char* what) {
    std::string_view s;
    if (!read_span(s, utf8, what)) return false;
    out.assign(s.data(), s.size());
    return true;
  }

  // The same checks as read_bytes, nothing copied.
  bool skip_bytes(bool utf8, const char* what) {
    std::string_view s;
    return read_span(s, utf8, what);
  }

  bool read_fixed(std::string& out, std::size_t size) {
    if (!skip_fixed(size)) return false;
    out.assign(p_ - size, size);
    return true;
  }

  bool skip_fixed(std::size_t size) {
    if (size > remaining()) {
      return fail(offset(), "truncated fixed of size " + std::to_string(size));
    }
    p_ += size;
    return true;
  }

  // Moves to `block_end` (from read_block_header, within the input): a block skipped whole.
  void skip_to(std::size_t block_end) { p_ = begin_ + block_end; }

  // Charges `n` values that encode to no bytes against the zero-size budget.
  bool charge_zero_size(std::size_t n = 1) {
    if (n > zero_size_budget_) {
      return fail(offset(), "more than " + std::to_string(max_zero_size_) +
                                " values that encode to no bytes (the limit for zero-size items)");
    }
    zero_size_budget_ -= n;
    return true;
  }

  // Reads an array/map block header into `count` (0 = end of blocks). A negative count is
  // followed by the block's byte size; `block_end` is then the offset the block ends at (else 0)
  // for check_block_end. No count is trusted beyond what can be there: items of at least
  // `min_item_size` bytes must fit in the block (or the input); items that may encode to
  // nothing (min_item_size 0) must fit in the zero-size budget, which they charge when read.
  bool read_block_header(std::int64_t& count, std::size_t& block_end, std::size_t min_item_size) {
    const std::size_t at = offset();
    if (!read_long(count, "block count")) return false;
    block_end = 0;
    std::size_t room = 0;
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
      room = static_cast<std::size_t>(size);
      block_end = offset() + room;
    } else {
      room = remaining();
    }
    const auto n = static_cast<std::uint64_t>(count);
    if (min_item_size == 0) {
      if (n > zero_size_budget_) {
        return fail(at,
                    "block count " + std::to_string(n) + " exceeds the limit for zero-size items");
      }
    } else if (n > room / min_item_size) {
      return fail(at, "block count " + std::to_string(n) + " exceeds the " + std::to_string(room) +
                          (block_end ? " bytes of its block" : " remaining bytes") +
                          (min_item_size > 1 ? " for items of at least " +
                                                   std::to_string(min_item_size) + " bytes"
                                             : std::string()));
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
  std::size_t max_zero_size_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool skip_sized_blocks_;

  bool read_span(std::string_view& s, bool utf8, const char* what) {
    const std::size_t at = offset();
    std::int64_t len = 0;
    if (!read_long(len, what)) return false;
    if (len < 0) return fail(at, "negative length " + std::to_string(len) + " of " + what);
    if (static_cast<std::uint64_t>(len) > remaining()) {
      return fail(at, "length " + std::to_string(len) + " of " + what + " exceeds the " +
                          std::to_string(remaining()) + " remaining bytes");
    }
    s = std::string_view(p_, static_cast<std::size_t>(len));
    if (utf8) {
      std::size_t bad = find_invalid_utf8(s);
      if (bad != s.size()) return fail(offset() + bad, std::string("invalid UTF-8 in ") + what);
    }
    p_ += len;
    return true;
  }
};

}  // namespace avro
