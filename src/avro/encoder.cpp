#include <fmt/format.h>

#include <cstring>

#include "avro/codec.h"
#include "avro/utf8.h"
#include "avro/varint.h"

namespace avro {

namespace {

const char* alternative_name(const Datum& d) {
  static const char* const kNames[] = {"null",   "boolean", "int",    "long",   "float",
                                       "double", "bytes",   "string", "record", "enum",
                                       "array",  "map",     "union",  "fixed"};
  return kNames[d.value().index()];
}

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}

  // Writes `d` as `n`; on mismatch fills error_ (path is built while unwinding).
  bool write(const Node& n, const Datum& d) {
    switch (n.type) {
      case Type::kNull:
        return expect<Null>(n, d);
      case Type::kBoolean:
        if (!expect<bool>(n, d)) return false;
        out_.push_back(d.as<bool>() ? '\1' : '\0');
        return true;
      case Type::kInt:
        if (!expect<std::int32_t>(n, d)) return false;
        append_long(out_, d.as<std::int32_t>());
        return true;
      case Type::kLong:
        if (!expect<std::int64_t>(n, d)) return false;
        append_long(out_, d.as<std::int64_t>());
        return true;
      case Type::kFloat: {
        if (!expect<float>(n, d)) return false;
        char buf[4];
        write_float_le(buf, d.as<float>());
        out_.append(buf, 4);
        return true;
      }
      case Type::kDouble: {
        if (!expect<double>(n, d)) return false;
        char buf[8];
        write_double_le(buf, d.as<double>());
        out_.append(buf, 8);
        return true;
      }
      case Type::kBytes:
        if (!expect<Bytes>(n, d)) return false;
        append_long(out_, static_cast<std::int64_t>(d.as<Bytes>().data.size()));
        out_ += d.as<Bytes>().data;
        return true;
      case Type::kString:
        if (!expect<std::string>(n, d)) return false;
        return write_string(d.as<std::string>());
      case Type::kFixed:
        if (!expect<Fixed>(n, d)) return false;
        if (d.as<Fixed>().data.size() != n.size) {
          return fail("fixed " + n.fullname + " needs " + std::to_string(n.size) + " bytes, got " +
                      std::to_string(d.as<Fixed>().data.size()));
        }
        out_ += d.as<Fixed>().data;
        return true;
      case Type::kEnum:
        if (!expect<EnumValue>(n, d)) return false;
        if (d.as<EnumValue>().index >= n.symbols.size()) {
          return fail("enum index " + std::to_string(d.as<EnumValue>().index) +
                      " out of range for " + n.fullname);
        }
        append_long(out_, static_cast<std::int64_t>(d.as<EnumValue>().index));
        return true;
      case Type::kRecord:
        return write_record(n, d);
      case Type::kArray:
        return write_array(n, d);
      case Type::kMap:
        return write_map(n, d);
      case Type::kUnion:
        return write_union(n, d);
    }
    return fail("unknown schema type");
  }

  std::optional<EncodeError> error;

 private:
  bool fail(std::string reason) {
    error = EncodeError{"", std::move(reason)};
    return false;
  }
  bool prefix(const std::string& segment) {
    error->path = segment + error->path;
    return false;
  }

  template <typename T>
  bool expect(const Node& n, const Datum& d) {
    if (d.is<T>()) return true;
    return fail(std::string("expected ") + std::string(type_name(n.type)) + ", got " +
                alternative_name(d));
  }

  bool write_string(const std::string& s) {
    if (std::size_t bad = find_invalid_utf8(s); bad != s.size()) {
      return fail("invalid UTF-8 at byte " + std::to_string(bad) + " of string");
    }
    append_long(out_, static_cast<std::int64_t>(s.size()));
    out_ += s;
    return true;
  }

  bool write_record(const Node& n, const Datum& d) {
    if (!expect<Record>(n, d)) return false;
    const auto& fields = d.as<Record>().fields;
    if (fields.size() != n.fields.size()) {
      return fail("record " + n.fullname + " has " + std::to_string(n.fields.size()) +
                  " fields, datum has " + std::to_string(fields.size()));
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (!write(*n.fields[i].type, fields[i])) return prefix("." + n.fields[i].name);
    }
    return true;
  }

  // Canonical block layout: one block with all items, then the 0 terminator.
  bool write_array(const Node& n, const Datum& d) {
    if (!expect<Array>(n, d)) return false;
    const auto& items = d.as<Array>().items;
    if (!items.empty()) append_long(out_, static_cast<std::int64_t>(items.size()));
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!write(*n.items, items[i])) return prefix(fmt::format("[{}]", i));
    }
    out_.push_back('\0');
    return true;
  }

  bool write_map(const Node& n, const Datum& d) {
    if (!expect<Map>(n, d)) return false;
    const auto& entries = d.as<Map>().entries;
    if (!entries.empty()) append_long(out_, static_cast<std::int64_t>(entries.size()));
    for (const auto& [key, value] : entries) {
      if (!write_string(key)) return prefix("{key}");
      if (!write(*n.items, value)) return prefix(fmt::format("[\"{}\"]", key));
    }
    out_.push_back('\0');
    return true;
  }

  bool write_union(const Node& n, const Datum& d) {
    if (!expect<Union>(n, d)) return false;
    const auto& u = d.as<Union>();
    if (u.branch >= n.branches.size()) {
      return fail("union branch " + std::to_string(u.branch) + " out of range (" +
                  std::to_string(n.branches.size()) + " branches)");
    }
    append_long(out_, static_cast<std::int64_t>(u.branch));
    if (!write(*n.branches[u.branch], *u.value)) {
      return prefix(fmt::format("<{}>", u.branch));
    }
    return true;
  }

  std::string& out_;
};

}  // namespace

std::optional<EncodeError> encode(const Node& node, const Datum& datum, std::string& out) {
  const std::size_t old = out.size();
  Encoder encoder(out);
  if (!encoder.write(node, datum)) {
    out.resize(old);
    return encoder.error;
  }
  return std::nullopt;
}

}  // namespace avro
