#include "dlq/printable.h"

#include <fmt/format.h>

namespace dlq {

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
