#include "avro/json_datum.h"

#include <cmath>
#include <limits>

#include "avro/json_bounds.h"

namespace avro {

// What datum_to_json builds (document order kept). datum_from_json reads either kind: schema
// defaults come from nlohmann::json (std::map objects, O(log n) field lookups).
using Json = nlohmann::ordered_json;

namespace {

constexpr int kMaxJsonDepth = 512;

// Avro's JSON spelling of bytes: each byte is the code point of the same value (0..255).
std::string bytes_to_codepoints(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char b : bytes) {
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
    } else {
      out.push_back(static_cast<char>(0xC0 | (b >> 6)));
      out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
    }
  }
  return out;
}

// Inverse of bytes_to_codepoints; nullopt if a code point is above 255. The input is
// well-formed UTF-8 (nlohmann validates strings on parse).
std::optional<std::string> codepoints_to_bytes(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
      out.push_back(static_cast<char>(((c & 0x1F) << 6) | (s[++i] & 0x3F)));
    } else {
      return std::nullopt;
    }
  }
  return out;
}

Json float_to_json(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

template <class J>
std::optional<double> json_to_float(const J& j) {
  if (j.is_number()) return j.template get<double>();
  if (j.is_string()) {
    const auto& s = j.template get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity" || s == "+Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

template <class J>
std::optional<std::int64_t> json_to_integer(const J& j, std::int64_t lo, std::int64_t hi) {
  if (j.is_number_unsigned()) {
    auto u = j.template get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(hi)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (j.is_number_integer()) {
    auto v = j.template get<std::int64_t>();
    if (v < lo || v > hi) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

// The name a union branch is tagged with in the Avro JSON encoding.
std::string branch_tag(const Node& n) {
  return n.is_named() ? n.fullname : std::string(type_name(n.type));
}

template <class Json>
class FromJson {
 public:
  FromJson(JsonStyle style, std::string& error) : style_(style), error_(error) {}

  std::optional<Datum> convert(const Node& n, const Json& j, int depth) {
    if (depth > kMaxJsonDepth) return fail("JSON nested too deeply");
    switch (n.type) {
      case Type::kNull:
        if (j.is_null()) return Datum(Null{});
        return mismatch(n, j);
      case Type::kBoolean:
        if (j.is_boolean()) return Datum(j.template get<bool>());
        return mismatch(n, j);
      case Type::kInt:
        if (auto v = json_to_integer(j, INT32_MIN, INT32_MAX)) {
          return Datum(static_cast<std::int32_t>(*v));
        }
        return mismatch(n, j);
      case Type::kLong:
        if (auto v = json_to_integer(j, INT64_MIN, INT64_MAX)) return Datum(*v);
        return mismatch(n, j);
      case Type::kFloat:
        if (auto v = json_to_float(j)) return Datum(static_cast<float>(*v));
        return mismatch(n, j);
      case Type::kDouble:
        if (auto v = json_to_float(j)) return Datum(*v);
        return mismatch(n, j);
      case Type::kString:
        if (j.is_string()) return Datum(j.template get<std::string>());
        return mismatch(n, j);
      case Type::kBytes:
        if (j.is_string()) {
          if (auto b = codepoints_to_bytes(j.template get_ref<const std::string&>())) {
            return Datum(Bytes{std::move(*b)});
          }
        }
        return mismatch(n, j);
      case Type::kFixed:
        if (j.is_string()) {
          auto b = codepoints_to_bytes(j.template get_ref<const std::string&>());
          if (b && b->size() == n.size) return Datum(Fixed{std::move(*b)});
        }
        return mismatch(n, j);
      case Type::kEnum:
        if (j.is_string()) {
          for (std::size_t i = 0; i < n.symbols.size(); ++i) {
            if (n.symbols[i] == j.template get_ref<const std::string&>())
              return Datum(EnumValue{i});
          }
        }
        return mismatch(n, j);
      case Type::kRecord:
        return record(n, j, depth);
      case Type::kArray:
        return array(n, j, depth);
      case Type::kMap:
        return map(n, j, depth);
      case Type::kUnion:
        return style_ == JsonStyle::kDefault ? bare_union(n, j, depth) : tagged_union(n, j, depth);
    }
    return fail("unknown schema type");
  }

 private:
  std::optional<Datum> fail(std::string reason) {
    error_ = std::move(reason);
    return std::nullopt;
  }

  std::optional<Datum> mismatch(const Node& n, const Json& j) {
    const std::string text = json_excerpt(j, 60);  // bounded, whatever the value holds
    std::string name = n.is_named() ? n.fullname : std::string(type_name(n.type));
    return fail(text + " is not a valid " + name);
  }

  std::optional<Datum> record(const Node& n, const Json& j, int depth) {
    if (!j.is_object()) return mismatch(n, j);
    Record rec;
    rec.fields.reserve(n.fields.size());
    for (const auto& f : n.fields) {
      auto it = j.find(f.name);
      if (it == j.end()) {
        if (!f.default_value) return fail("field \"" + f.name + "\" of " + n.fullname + " missing");
        rec.fields.push_back(*f.default_value);
        continue;
      }
      auto v = convert(*f.type, *it, depth + 1);
      if (!v) return fail("field \"" + f.name + "\": " + error_);
      rec.fields.push_back(std::move(*v));
    }
    return Datum(std::move(rec));
  }

  std::optional<Datum> array(const Node& n, const Json& j, int depth) {
    if (!j.is_array()) return mismatch(n, j);
    Array arr;
    arr.items.reserve(j.size());
    for (const auto& item : j) {
      auto v = convert(*n.items, item, depth + 1);
      if (!v) return std::nullopt;
      arr.items.push_back(std::move(*v));
    }
    return Datum(std::move(arr));
  }

  std::optional<Datum> map(const Node& n, const Json& j, int depth) {
    if (!j.is_object()) return mismatch(n, j);
    Map m;
    m.entries.reserve(j.size());
    for (const auto& [key, value] : j.items()) {
      auto v = convert(*n.items, value, depth + 1);
      if (!v) return std::nullopt;
      m.entries.emplace_back(key, std::move(*v));
    }
    return Datum(std::move(m));
  }

  // Defaults: the first branch the value fits (the spec's "first branch" rule, relaxed as in
  // Avro 1.12 to any branch).
  std::optional<Datum> bare_union(const Node& n, const Json& j, int depth) {
    for (std::size_t i = 0; i < n.branches.size(); ++i) {
      if (auto v = convert(*n.branches[i], j, depth + 1)) return Datum(Union(i, std::move(*v)));
    }
    return mismatch(n, j);
  }

  std::optional<Datum> tagged_union(const Node& n, const Json& j, int depth) {
    if (j.is_null()) {
      for (std::size_t i = 0; i < n.branches.size(); ++i) {
        if (n.branches[i]->type == Type::kNull) return Datum(Union(i, Null{}));
      }
      return fail("null given for a union without null");
    }
    if (!j.is_object() || j.size() != 1) return fail("union value must be {\"type\": value}");
    const auto& tag = j.begin().key();
    for (std::size_t i = 0; i < n.branches.size(); ++i) {
      if (branch_tag(*n.branches[i]) != tag) continue;
      auto v = convert(*n.branches[i], j.begin().value(), depth + 1);
      if (!v) return std::nullopt;
      return Datum(Union(i, std::move(*v)));
    }
    return fail("union has no branch \"" + tag + "\"");
  }

  JsonStyle style_;
  std::string& error_;
};

struct ToJson {
  const Node& n;

  Json operator()(const Null&) const { return nullptr; }
  Json operator()(bool v) const { return v; }
  Json operator()(std::int32_t v) const { return v; }
  Json operator()(std::int64_t v) const { return v; }
  Json operator()(float v) const { return float_to_json(v); }
  Json operator()(double v) const { return float_to_json(v); }
  Json operator()(const Bytes& v) const { return bytes_to_codepoints(v.data); }
  Json operator()(const Fixed& v) const { return bytes_to_codepoints(v.data); }
  Json operator()(const std::string& v) const { return v; }
  Json operator()(const EnumValue& v) const {
    return v.index < n.symbols.size() ? Json(n.symbols[v.index]) : Json(nullptr);
  }
  Json operator()(const Record& v) const {
    Json out = Json::object();
    for (std::size_t i = 0; i < v.fields.size() && i < n.fields.size(); ++i) {
      out[n.fields[i].name] = datum_to_json(*n.fields[i].type, v.fields[i]);
    }
    return out;
  }
  Json operator()(const Array& v) const {
    Json out = Json::array();
    for (const auto& item : v.items) out.push_back(datum_to_json(*n.items, item));
    return out;
  }
  Json operator()(const Map& v) const {
    Json out = Json::object();
    for (const auto& [key, value] : v.entries) out[key] = datum_to_json(*n.items, value);
    return out;
  }
  Json operator()(const Union& v) const {
    if (v.branch >= n.branches.size()) return nullptr;
    const Node& b = *n.branches[v.branch];
    if (b.type == Type::kNull) return nullptr;
    Json out = Json::object();
    out[branch_tag(b)] = datum_to_json(b, *v.value);
    return out;
  }
};

}  // namespace

std::optional<Datum> datum_from_json(const Node& node, const nlohmann::ordered_json& json,
                                     JsonStyle style, std::string& error) {
  return FromJson<nlohmann::ordered_json>(style, error).convert(node, json, 0);
}

std::optional<Datum> datum_from_json(const Node& node, const nlohmann::json& json, JsonStyle style,
                                     std::string& error) {
  return FromJson<nlohmann::json>(style, error).convert(node, json, 0);
}

Json datum_to_json(const Node& node, const Datum& datum) {
  return std::visit(ToJson{node}, datum.value());
}

}  // namespace avro
