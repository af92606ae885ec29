// Skipping writer-only values (schema resolution): the decoder's checks, in the same order and
// with the same errors, but nothing is built, so a field the reader drops costs no memory.
#include <cstdint>
#include <limits>

#include "avro/decoder_internal.h"

namespace avro::detail {
namespace {

// Nodes min_encoded_size looks at before settling for a cruder bound: a schema that reuses one
// record type in many fields of many records must not make a block header cost its full tree.
constexpr int kMinSizeVisits = 32;
constexpr std::size_t kSizeCap = std::numeric_limits<std::size_t>::max() / 4;

std::size_t min_size(const Node& n, int& visits) {
  switch (n.type) {
    case Type::kNull:
      return 0;
    case Type::kFloat:
      return 4;
    case Type::kDouble:
      return 8;
    case Type::kFixed:
      return std::min(n.size, kSizeCap);
    case Type::kRecord: {
      std::size_t sum = 0;
      for (const auto& f : n.fields) {
        if (--visits < 0 || sum >= kSizeCap) break;
        sum += min_size(*f.type, visits);
      }
      // A lower bound still; a record that can hold bytes holds at least one.
      return std::min(std::max(sum, std::size_t{n.may_be_empty ? 0u : 1u}), kSizeCap);
    }
    default:  // boolean, int, long, bytes, string, enum: a byte or more; array, map, union: a
              // count or an index of a byte or more
      return 1;
  }
}

class Skipper {
 public:
  explicit Skipper(ByteReader& r) : r_(r) {}

  bool skip(const Node& n) {
    switch (n.type) {
      case Type::kNull:
        return r_.charge_zero_size();
      case Type::kBoolean: {
        bool v = false;
        return r_.read_bool(v);
      }
      case Type::kInt: {
        std::int32_t v = 0;
        return r_.read_int(v, "int");
      }
      case Type::kLong: {
        std::int64_t v = 0;
        return r_.read_long(v, "long");
      }
      case Type::kFloat:
        return r_.skip_scalar(4, "truncated float");
      case Type::kDouble:
        return r_.skip_scalar(8, "truncated double");
      case Type::kBytes:
        return r_.skip_bytes(false, "bytes");
      case Type::kString:
        return r_.skip_bytes(true, "string");
      case Type::kFixed:
        if (n.size == 0 && !r_.charge_zero_size()) return false;
        return r_.skip_fixed(n.size);
      case Type::kEnum: {
        std::size_t index = 0;
        return read_enum_index(r_, n, index);
      }
      case Type::kRecord:
        return record(n);
      case Type::kArray:
        return blocks(n, false);
      case Type::kMap:
        return blocks(n, true);
      case Type::kUnion:
        return union_value(n);
    }
    return r_.fail(r_.offset(), "unknown schema type");
  }

 private:
  bool record(const Node& n) {
    if (!r_.enter()) return false;
    if (n.fields.empty() && !r_.charge_zero_size()) return false;
    for (const auto& f : n.fields) {
      if (!skip(*f.type)) return false;
    }
    r_.leave();
    return true;
  }

  // Arrays and maps: a block with a byte size is stepped over whole (unless the options ask for
  // item-by-item checks); any other block item by item.
  bool blocks(const Node& n, bool map) {
    if (!r_.enter()) return false;
    const std::size_t min_item = (map ? 1 : 0) + min_encoded_size(*n.items);
    while (true) {
      std::int64_t count = 0;
      std::size_t block_end = 0;
      if (!r_.read_block_header(count, block_end, min_item)) return false;
      if (count == 0) break;
      if (block_end != 0 && r_.skip_sized_blocks()) {
        if (!skip_block(count, block_end, min_item)) return false;
        continue;
      }
      for (std::int64_t i = 0; i < count; ++i) {
        if (map && !r_.skip_bytes(true, "map key")) return false;
        if (!skip(*n.items)) return false;
      }
      if (!r_.check_block_end(block_end)) return false;
    }
    r_.leave();
    return true;
  }

  // Items that always encode to nothing (min_item 0) make an empty block, and still count
  // against the zero-size budget, as decoding them would.
  bool skip_block(std::int64_t count, std::size_t block_end, std::size_t min_item) {
    if (min_item == 0) {
      if (!r_.check_block_end(block_end)) return false;
      return r_.charge_zero_size(static_cast<std::size_t>(count));
    }
    r_.skip_to(block_end);
    return true;
  }

  bool union_value(const Node& n) {
    std::size_t branch = 0;
    if (!read_union_index(r_, n.branches.size(), branch)) return false;
    if (!r_.enter()) return false;
    if (!skip(*n.branches[branch])) return false;
    r_.leave();
    return true;
  }

  ByteReader& r_;
};

}  // namespace

std::size_t min_encoded_size(const Node& node) {
  int visits = kMinSizeVisits;
  return min_size(node, visits);
}

bool skip_value(ByteReader& reader, const Node& node) {
  return Skipper(reader).skip(node);
}

}  // namespace avro::detail
