#include "dlq/printable.h"

#include <fmt/format.h>

#include "avro/utf8.h"

namespace dlq {

std::string printable(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    const std::size_t bad = avro::find_invalid_utf8(bytes);
    for (std::size_t i = 0; i < bad; ++i) {
      const auto c = static_cast<unsigned char>(bytes[i]);
      if (c < 0x20 || c == 0x7f) {
        out += fmt::format("\\x{:02x}", c);
      } else {
        out += bytes[i];
      }
    }
    if (bad == bytes.size()) break;
    out += fmt::format("\\x{:02x}", static_cast<unsigned char>(bytes[bad]));
    bytes.remove_prefix(bad + 1);
  }
  return out;
}

std::string hex_preview(std::string_view bytes, std::size_t max_bytes) {
  std::string out = fmt::format("{} byte{}", bytes.size(), bytes.size() == 1 ? "" : "s");
  if (bytes.empty()) return out;
  out += ':';
  const std::size_t n = std::min(bytes.size(), max_bytes);
  for (std::size_t i = 0; i < n; ++i) {
    out += fmt::format(" {:02x}", static_cast<unsigned char>(bytes[i]));
  }
  if (n < bytes.size()) out += " ...";
  return out;
}

}  // namespace dlq
