#pragma once
// Internal: the generic decoder's single-value step, shared with the schema resolver (which
// decodes writer-only fields and plain same-type values with it).
#include "avro/byte_reader.h"
#include "avro/datum.h"
#include "avro/schema.h"

namespace avro::detail {

// Reads one value of `node` at the reader's position; false (with the reader's error set) on
// bad input.
bool read_value(ByteReader& reader, const Node& node, Datum& out);

}  // namespace avro::detail
