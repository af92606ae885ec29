#pragma once
// Typed error for decoding untrusted Avro bytes: where it went wrong and why.
#include <cstddef>
#include <string>

namespace avro {

struct DecodeError {
  std::size_t offset = 0;  // byte offset in the input where decoding failed
  std::string reason;      // e.g. "negative string length -3", "truncated float"

  std::string message() const { return reason + " at byte " + std::to_string(offset); }
};

}  // namespace avro
