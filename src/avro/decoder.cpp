#include <limits>

#include "avro/byte_reader.h"
#include "avro/codec.h"
#include "avro/decoder_internal.h"

namespace avro {

namespace {

class Decoder {
 public:
  explicit Decoder(ByteReader& r) : r_(r) {}

  bool read(const Node& n, Datum& out) {
    switch (n.type) {
      case Type::kNull:
        out = Null{};
        return r_.charge_zero_size();
      case Type::kBoolean:
        return read_as<bool>(out, [&](bool& v) { return r_.read_bool(v); });
      case Type::kInt:
        return read_as<std::int32_t>(out, [&](std::int32_t& v) { return r_.read_int(v, "int"); });
      case Type::kLong:
        return read_as<std::int64_t>(out, [&](std::int64_t& v) { return r_.read_long(v, "long"); });
      case Type::kFloat:
        return read_as<float>(out, [&](float& v) { return r_.read_float(v); });
      case Type::kDouble:
        return read_as<double>(out, [&](double& v) { return r_.read_double(v); });
      case Type::kBytes:
        return read_as<Bytes>(out, [&](Bytes& v) { return r_.read_bytes(v.data, false, "bytes"); });
      case Type::kString:
        return read_as<std::string>(
            out, [&](std::string& v) { return r_.read_bytes(v, true, "string"); });
      case Type::kFixed:
        if (n.size == 0 && !r_.charge_zero_size()) return false;
        return read_as<Fixed>(out, [&](Fixed& v) { return r_.read_fixed(v.data, n.size); });
      case Type::kEnum:
        return read_enum(n, out);
      case Type::kRecord:
        return read_record(n, out);
      case Type::kArray:
        return read_array(n, out);
      case Type::kMap:
        return read_map(n, out);
      case Type::kUnion:
        return read_union(n, out);
    }
    return r_.fail(r_.offset(), "unknown schema type");
  }

 private:
  template <typename T, typename F>
  bool read_as(Datum& out, F&& f) {
    T v{};
    if (!f(v)) return false;
    out = std::move(v);
    return true;
  }

  bool read_enum(const Node& n, Datum& out) {
    std::size_t index = 0;
    if (!detail::read_enum_index(r_, n, index)) return false;
    out = EnumValue{index};
    return true;
  }

  bool read_record(const Node& n, Datum& out) {
    if (!r_.enter()) return false;
    if (n.fields.empty() && !r_.charge_zero_size()) return false;
    Record rec;
    rec.fields.resize(n.fields.size());
    for (std::size_t i = 0; i < n.fields.size(); ++i) {
      if (!read(*n.fields[i].type, rec.fields[i])) return false;
    }
    r_.leave();
    out = std::move(rec);
    return true;
  }

  bool read_array(const Node& n, Datum& out) {
    if (!r_.enter()) return false;
    Array arr;
    const std::size_t min_item = detail::min_encoded_size(*n.items);
    while (true) {
      std::int64_t count = 0;
      std::size_t block_end = 0;
      if (!r_.read_block_header(count, block_end, min_item)) return false;
      if (count == 0) break;
      detail::reserve_block(arr.items, count);
      for (std::int64_t i = 0; i < count; ++i) {
        arr.items.emplace_back();
        if (!read(*n.items, arr.items.back())) return false;
      }
      if (!r_.check_block_end(block_end)) return false;
    }
    r_.leave();
    out = std::move(arr);
    return true;
  }

  bool read_map(const Node& n, Datum& out) {
    if (!r_.enter()) return false;
    Map map;
    // Every entry starts with a key length byte, so counts are bounded by the input.
    const std::size_t min_entry = 1 + detail::min_encoded_size(*n.items);
    while (true) {
      std::int64_t count = 0;
      std::size_t block_end = 0;
      if (!r_.read_block_header(count, block_end, min_entry)) return false;
      if (count == 0) break;
      detail::reserve_block(map.entries, count);
      for (std::int64_t i = 0; i < count; ++i) {
        map.entries.emplace_back();
        if (!r_.read_bytes(map.entries.back().first, true, "map key")) return false;
        if (!read(*n.items, map.entries.back().second)) return false;
      }
      if (!r_.check_block_end(block_end)) return false;
    }
    r_.leave();
    out = std::move(map);
    return true;
  }

  bool read_union(const Node& n, Datum& out) {
    std::size_t branch = 0;
    if (!detail::read_union_index(r_, n.branches.size(), branch)) return false;
    if (!r_.enter()) return false;
    Union u;
    u.branch = branch;
    if (!read(*n.branches[branch], *u.value)) return false;
    r_.leave();
    out = std::move(u);
    return true;
  }

  ByteReader& r_;
};

}  // namespace

namespace detail {

bool read_value(ByteReader& reader, const Node& node, Datum& out) {
  return Decoder(reader).read(node, out);
}

}  // namespace detail

std::optional<DecodeError> decode(const Node& node, std::string_view bytes, Datum& out,
                                  const DecodeOptions& options) {
  ByteReader reader(bytes, options);
  Decoder decoder(reader);
  if (decoder.read(node, out)) reader.finish();
  return reader.error();
}

}  // namespace avro
