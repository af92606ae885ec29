#pragma once
// Parsed Avro schema: an immutable tree (a graph, for recursive named types) of Nodes owned by
// a shared store. Schema is a cheap-to-copy handle; Node pointers stay valid while any handle
// to the same store lives.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "avro/datum.h"

namespace avro {

// Thrown for invalid schema JSON and for incompatible writer/reader schemas.
class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Type {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

// Logical types annotate an underlying type; an invalid annotation is dropped (per spec).
enum class LogicalType {
  kNone,
  kDecimal,               // bytes or fixed; precision/scale
  kUuid,                  // string (or fixed 16)
  kDate,                  // int: days since 1970-01-01
  kTimeMillis,            // int
  kTimeMicros,            // long
  kTimestampMillis,       // long
  kTimestampMicros,       // long
  kLocalTimestampMillis,  // long
  kLocalTimestampMicros,  // long
  kDuration,              // fixed 12
};

std::string_view type_name(Type t);
std::string_view logical_type_name(LogicalType t);

struct Node;

struct Field {
  std::string name;
  const Node* type = nullptr;
  std::vector<std::string> aliases;
  std::optional<Datum> default_value;  // parsed from the JSON "default", already typed
};

struct Node {
  Type type = Type::kNull;
  LogicalType logical = LogicalType::kNone;
  int precision = 0;  // decimal
  int scale = 0;      // decimal

  // Named types (record, enum, fixed).
  std::string name;                  // unqualified
  std::string fullname;              // namespace.name
  std::vector<std::string> aliases;  // full names

  std::vector<Field> fields;                // record
  std::vector<std::string> symbols;         // enum
  std::optional<std::size_t> enum_default;  // enum: index of "default" symbol
  const Node* items = nullptr;              // array items, map values
  std::vector<const Node*> branches;        // union
  std::size_t size = 0;                     // fixed

  // True if a value of this type can encode to zero bytes (null, fixed(0), records of such).
  // The decoder uses it to bound array/map counts that the input length cannot bound.
  bool may_be_empty = false;

  bool is_named() const {
    return type == Type::kRecord || type == Type::kEnum || type == Type::kFixed;
  }
};

class Schema {
 public:
  // Parses schema JSON text; throws SchemaError with a message naming the problem.
  static Schema parse(std::string_view json_text);

  const Node& root() const { return *root_; }

  struct Store;  // owns every Node; defined in schema.cpp

 private:
  Schema(std::shared_ptr<const Store> store, const Node* root)
      : store_(std::move(store)), root_(root) {}
  friend class SchemaBuilder;

  std::shared_ptr<const Store> store_;
  const Node* root_;
};

}  // namespace avro
