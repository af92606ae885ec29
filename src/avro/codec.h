#pragma once
// Generic Avro binary codec: any schema, any Datum.
#include <optional>
#include <string>
#include <string_view>

#include "avro/byte_reader.h"
#include "avro/datum.h"
#include "avro/error.h"
#include "avro/schema.h"

namespace avro {

// The datum did not match the schema; `path` locates it (e.g. ".items[3].price").
struct EncodeError {
  std::string path;
  std::string reason;

  std::string message() const { return (path.empty() ? "" : path + ": ") + reason; }
};

// Appends the binary encoding of `datum` to `out`. On error `out` keeps its original size.
// Strings must be valid UTF-8, so everything we write our own decoder accepts.
std::optional<EncodeError> encode(const Node& node, const Datum& datum, std::string& out);
inline std::optional<EncodeError> encode(const Schema& schema, const Datum& datum,
                                         std::string& out) {
  return encode(schema.root(), datum, out);
}

// Decodes exactly one value of `node` from `bytes` (trailing bytes are an error). Never throws
// for bad input; never allocates more than the input (or the options' limits) can justify.
std::optional<DecodeError> decode(const Node& node, std::string_view bytes, Datum& out,
                                  const DecodeOptions& options = {});
inline std::optional<DecodeError> decode(const Schema& schema, std::string_view bytes, Datum& out,
                                         const DecodeOptions& options = {}) {
  return decode(schema.root(), bytes, out, options);
}

}  // namespace avro
