#include "avro/framing.h"

namespace avro {
namespace {

std::uint8_t byte_at(std::string_view s, std::size_t i) {
  return static_cast<std::uint8_t>(s[i]);
}

}  // namespace

std::string_view to_string(Framing f) {
  switch (f) {
    case Framing::confluent:
      return "confluent";
    case Framing::single_object:
      return "single-object";
    case Framing::raw:
      break;
  }
  return "raw";
}

Framed detect_framing(std::string_view value) {
  Framed f;
  f.payload = value;
  if (value.size() >= kConfluentHeaderSize && byte_at(value, 0) == 0x00) {
    f.framing = Framing::confluent;
    for (std::size_t i = 1; i < kConfluentHeaderSize; ++i) {
      f.schema_id = (f.schema_id << 8) | byte_at(value, i);
    }
    f.payload = value.substr(kConfluentHeaderSize);
  } else if (value.size() >= kSingleObjectHeaderSize && byte_at(value, 0) == 0xC3 &&
             byte_at(value, 1) == 0x01) {
    f.framing = Framing::single_object;
    for (std::size_t i = kSingleObjectHeaderSize; i > 2; --i) {
      f.fingerprint = (f.fingerprint << 8) | byte_at(value, i - 1);
    }
    f.payload = value.substr(kSingleObjectHeaderSize);
  }
  return f;
}

void append_confluent_header(std::uint32_t schema_id, std::string& out) {
  // One append, not five push_backs: this runs once per produced record.
  const char header[kConfluentHeaderSize] = {
      '\0', static_cast<char>(schema_id >> 24), static_cast<char>((schema_id >> 16) & 0xFF),
      static_cast<char>((schema_id >> 8) & 0xFF), static_cast<char>(schema_id & 0xFF)};
  out.append(header, sizeof header);
}

void append_single_object_header(std::uint64_t fingerprint, std::string& out) {
  out.push_back(static_cast<char>(0xC3));
  out.push_back(static_cast<char>(0x01));
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((fingerprint >> (8 * i)) & 0xFF));
}

}  // namespace avro
