#include "avro/datum.h"

#include <cstring>

namespace avro {

// Written out rather than defaulted: clang 14 crashes instantiating a defaulted == over
// std::vector<Datum> while Datum's own == is being defined.
bool Record::operator==(const Record& other) const {
  return fields == other.fields;
}
bool Array::operator==(const Array& other) const {
  return items == other.items;
}
bool Map::operator==(const Map& other) const {
  return entries == other.entries;
}
bool Datum::operator==(const Datum& other) const {
  return value_ == other.value_;
}

Union::Union() : value(std::make_unique<Datum>()) {}
Union::Union(std::size_t b, Datum v) : branch(b), value(std::make_unique<Datum>(std::move(v))) {}
Union::Union(const Union& other)
    : branch(other.branch), value(std::make_unique<Datum>(*other.value)) {}
Union& Union::operator=(const Union& other) {
  if (this != &other) {
    branch = other.branch;
    value = std::make_unique<Datum>(*other.value);
  }
  return *this;
}
Union::~Union() = default;
bool Union::operator==(const Union& other) const {
  return branch == other.branch && *value == *other.value;
}

namespace {

template <typename F>
bool same_float_bits(F a, F b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

struct SameBits {
  const Datum::Value& other;

  bool operator()(float a) const { return same_float_bits(a, std::get<float>(other)); }
  bool operator()(double a) const { return same_float_bits(a, std::get<double>(other)); }
  bool operator()(const Record& a) const {
    const auto& b = std::get<Record>(other);
    if (a.fields.size() != b.fields.size()) return false;
    for (std::size_t i = 0; i < a.fields.size(); ++i) {
      if (!same_bits(a.fields[i], b.fields[i])) return false;
    }
    return true;
  }
  bool operator()(const Array& a) const {
    const auto& b = std::get<Array>(other);
    if (a.items.size() != b.items.size()) return false;
    for (std::size_t i = 0; i < a.items.size(); ++i) {
      if (!same_bits(a.items[i], b.items[i])) return false;
    }
    return true;
  }
  bool operator()(const Map& a) const {
    const auto& b = std::get<Map>(other);
    if (a.entries.size() != b.entries.size()) return false;
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
      if (a.entries[i].first != b.entries[i].first) return false;
      if (!same_bits(a.entries[i].second, b.entries[i].second)) return false;
    }
    return true;
  }
  bool operator()(const Union& a) const {
    const auto& b = std::get<Union>(other);
    return a.branch == b.branch && same_bits(*a.value, *b.value);
  }
  template <typename T>
  bool operator()(const T& a) const {
    return a == std::get<T>(other);
  }
};

}  // namespace

bool same_bits(const Datum& a, const Datum& b) {
  if (a.value().index() != b.value().index()) return false;
  return std::visit(SameBits{b.value()}, a.value());
}

}  // namespace avro
