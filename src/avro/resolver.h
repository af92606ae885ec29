#pragma once
// Schema resolution (Avro spec, "Schema Resolution"): read data written with one schema as
// another. Record fields match by name (or reader alias); writer-only fields are skipped;
// reader-only fields take their default. Promotions: int -> long/float/double,
// long -> float/double, float -> double, string <-> bytes. Enum symbols missing from the reader
// map to the reader enum's default. Unions resolve branch by branch.
#include <memory>
#include <optional>
#include <string_view>

#include "avro/byte_reader.h"
#include "avro/datum.h"
#include "avro/error.h"
#include "avro/schema.h"

namespace avro {

class SchemaResolution {
 public:
  // Throws SchemaError if no datum of `writer` can be read as `reader` (e.g. different
  // record names, a reader field without default that the writer lacks). Mismatches that
  // only some data reaches (one union branch, an enum symbol) become DecodeErrors instead.
  SchemaResolution(const Schema& writer, const Schema& reader);

  // Decodes one writer-encoded value into a datum shaped by the reader schema.
  std::optional<DecodeError> decode(std::string_view bytes, Datum& out,
                                    const DecodeOptions& options = {}) const;

  const Schema& writer() const { return writer_; }
  const Schema& reader() const { return reader_; }

  struct Plan;   // how one (writer node, reader node) pair is read; defined in resolver.cpp
  struct Plans;  // owns the plan graph

 private:
  Schema writer_;
  Schema reader_;
  std::shared_ptr<const Plans> plans_;
  const Plan* root_ = nullptr;
};

}  // namespace avro
