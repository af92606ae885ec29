#pragma once
// Internal: the generic decoder's single-value step, shared with the schema resolver (which
// decodes plain same-type values with it), the skipper for writer-only values, and the checks
// both do on every index and block.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "avro/byte_reader.h"
#include "avro/datum.h"
#include "avro/schema.h"

namespace avro::detail {

// Reads one value of `node` at the reader's position; false (with the reader's error set) on
// bad input.
bool read_value(ByteReader& reader, const Node& node, Datum& out);

// Advances over one value of `node` without building it (no allocation), refusing what
// read_value refuses (except inside blocks skipped whole, see DecodeOptions).
bool skip_value(ByteReader& reader, const Node& node);

// A lower bound of the bytes any value of `node` encodes to: 0 only for types that always
// encode to nothing (Node::may_be_empty). Bounds block counts by the input length.
std::size_t min_encoded_size(const Node& node);

inline bool read_enum_index(ByteReader& r, const Node& n, std::size_t& index) {
  const std::size_t at = r.offset();
  std::int32_t i = 0;
  if (!r.read_int(i, "enum index")) return false;
  if (i < 0 || static_cast<std::size_t>(i) >= n.symbols.size()) {
    return r.fail(at, "enum index " + std::to_string(i) + " out of range for " + n.fullname + " (" +
                          std::to_string(n.symbols.size()) + " symbols)");
  }
  index = static_cast<std::size_t>(i);
  return true;
}

inline bool read_union_index(ByteReader& r, std::size_t branches, std::size_t& index) {
  const std::size_t at = r.offset();
  std::int32_t i = 0;
  if (!r.read_int(i, "union index")) return false;
  if (i < 0 || static_cast<std::size_t>(i) >= branches) {
    return r.fail(at, "union index " + std::to_string(i) + " out of range (" +
                          std::to_string(branches) + " branches)");
  }
  index = static_cast<std::size_t>(i);
  return true;
}

// Room for a block of `count` more items (already bounded by read_block_header), growing at
// least geometrically: an array written as many one-item blocks must not reallocate per block.
template <typename Items>
void reserve_block(Items& items, std::int64_t count) {
  const std::size_t wanted = items.size() + static_cast<std::size_t>(count);
  if (wanted > items.capacity()) items.reserve(std::max(wanted, 2 * items.capacity()));
}

}  // namespace avro::detail
