#pragma once
// Internal to the schema resolver: the plan graph (how each (writer node, reader node) pair is
// read), built once per SchemaResolution by resolver_plan.cpp and walked by resolver.cpp.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "avro/resolver.h"

namespace avro {

struct SchemaResolution::Plan {
  enum class Kind {
    kError,    // incompatible: fails when data reaches it
    kSame,     // identical primitive: decode as is
    kPromote,  // numeric widening or string <-> bytes
    kRecord,
    kEnum,
    kFixed,
    kArray,
    kMap,
    kWriterUnion,  // writer is a union: one plan per writer branch
    kReaderUnion,  // writer is not, reader is: read into one reader branch
  };
  struct FieldStep {
    std::size_t writer_index;
    const Plan* plan = nullptr;  // nullptr: writer-only field, decoded and dropped
    std::size_t reader_index = 0;
  };

  Kind kind = Kind::kError;
  const Node* writer = nullptr;
  const Node* reader = nullptr;
  std::string error;

  std::vector<FieldStep> fields;                               // record, writer order
  std::vector<std::pair<std::size_t, const Datum*>> defaults;  // record: reader-only fields
  std::vector<std::optional<std::size_t>> symbol_map;          // enum: writer -> reader index
  const Plan* items = nullptr;                                 // array items / map values
  std::vector<const Plan*> branches;                           // writer union
  std::size_t reader_branch = 0;                               // reader union
  const Plan* inner = nullptr;                                 // reader union
  bool fatal = false;  // every datum reaching this plan fails (checked at construction)
};

struct SchemaResolution::Plans {
  std::map<std::pair<const Node*, const Node*>, std::unique_ptr<Plan>> by_pair;
};

// Builds the plan of reading `writer` as `reader` into `plans`. Throws SchemaError when no datum
// of the writer schema can be read as the reader schema.
const SchemaResolution::Plan* build_plan(SchemaResolution::Plans& plans, const Node& writer,
                                         const Node& reader);

}  // namespace avro
