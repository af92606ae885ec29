#pragma once
// A generic Avro value. The alternative held mirrors the schema type one to one (int vs long,
// bytes vs string vs fixed), so encoding can check a datum against its schema. Logical types
// keep their underlying representation (date = int days, decimal = two's-complement bytes, ...).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace avro {

class Datum;

struct Null {
  bool operator==(const Null&) const = default;
};
struct Bytes {  // raw bytes (Avro "bytes")
  std::string data;
  bool operator==(const Bytes&) const = default;
};
struct Fixed {  // exactly schema.size bytes
  std::string data;
  bool operator==(const Fixed&) const = default;
};
struct EnumValue {  // index into the schema's symbols
  std::size_t index = 0;
  bool operator==(const EnumValue&) const = default;
};
struct Record {  // field values in schema order
  std::vector<Datum> fields;
  bool operator==(const Record&) const;
};
struct Array {
  std::vector<Datum> items;
  bool operator==(const Array&) const;
};
struct Map {  // entries in wire order; keeps duplicates so decode -> encode is byte-exact
  std::vector<std::pair<std::string, Datum>> entries;
  bool operator==(const Map&) const;
};
struct Union {  // the branch taken and its value
  Union();
  Union(std::size_t branch, Datum value);
  Union(const Union& other);
  Union(Union&&) noexcept = default;
  Union& operator=(const Union& other);
  Union& operator=(Union&&) noexcept = default;
  ~Union();

  std::size_t branch = 0;
  std::unique_ptr<Datum> value;  // never null
  bool operator==(const Union&) const;
};

class Datum {
 public:
  using Value = std::variant<Null, bool, std::int32_t, std::int64_t, float, double, Bytes,
                             std::string, Record, EnumValue, Array, Map, Union, Fixed>;

  Datum() = default;
  template <typename T>
  requires std::is_constructible_v<Value, T&&> &&
      (!std::is_same_v<std::decay_t<T>, Datum>)Datum(T&& v)
      : value_(std::forward<T>(v)) {}  // NOLINT(google-explicit-constructor)

  const Value& value() const { return value_; }
  Value& value() { return value_; }

  template <typename T>
  bool is() const {
    return std::holds_alternative<T>(value_);
  }
  template <typename T>
  const T& as() const {
    return std::get<T>(value_);
  }
  template <typename T>
  T& as() {
    return std::get<T>(value_);
  }

  // Structural equality; NaN != NaN like the underlying floats.
  bool operator==(const Datum& other) const;

 private:
  Value value_;
};

// Equality that compares floats and doubles by bit pattern (NaN payloads, -0.0 vs 0.0).
bool same_bits(const Datum& a, const Datum& b);

}  // namespace avro
