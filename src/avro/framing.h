#pragma once
// How an Avro value on a Kafka record says which schema wrote it. Three framings are told apart
// by their first bytes:
//   confluent      0x00, then the schema id (4 bytes, big-endian), then the Avro binary
//                  (Confluent wire format; the id is the schema registry's)
//   single_object  0xC3 0x01, then the CRC-64-AVRO fingerprint of the writer schema's canonical
//                  form (8 bytes, little-endian), then the Avro binary (Avro spec,
//                  "Single-object encoding")
//   raw            anything else: schemaless Avro binary, as the original system writes it
// A raw Order never starts with 0xC3 0x01 (a negative string length); it may start with 0x00 (an
// empty orderId), which is why orders::OrderReader reads such values as raw when no registry is
// configured.
#include <cstdint>
#include <string>
#include <string_view>

namespace avro {

enum class Framing { raw, confluent, single_object };

std::string_view to_string(Framing f);  // "raw", "confluent", "single-object"

inline constexpr std::size_t kConfluentHeaderSize = 5;
inline constexpr std::size_t kSingleObjectHeaderSize = 10;

struct Framed {
  Framing framing = Framing::raw;
  std::uint32_t schema_id = 0;    // confluent only
  std::uint64_t fingerprint = 0;  // single_object only
  std::string_view payload;       // the Avro binary after the header (all of it when raw)
};

// Never fails: a value too short for its marker's header is taken as raw (and will not decode).
Framed detect_framing(std::string_view value);

// Append the header; the caller appends the Avro binary after it.
void append_confluent_header(std::uint32_t schema_id, std::string& out);
void append_single_object_header(std::uint64_t fingerprint, std::string& out);

}  // namespace avro
