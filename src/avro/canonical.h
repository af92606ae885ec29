#pragma once
// Parsing Canonical Form (Avro spec, "Schema Resolution" > "Parsing Canonical Form"): the
// schema reduced to what matters for reading data, in one normalized spelling.
#include <cstdint>
#include <string>

#include "avro/schema.h"

namespace avro {

std::string canonical_form(const Schema& schema);

// CRC-64-AVRO (Rabin) fingerprint of arbitrary bytes, as defined by the spec.
std::uint64_t crc64_avro(std::string_view bytes);

// The fingerprint of the schema's Parsing Canonical Form.
inline std::uint64_t fingerprint64(const Schema& schema) {
  return crc64_avro(canonical_form(schema));
}

}  // namespace avro
