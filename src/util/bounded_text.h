#pragma once
// Text that cannot grow without bound: an error message quoting what a registry or a record said
// is cached and copied into dead-letter headers, so it is cut to a known size.
#include <cstddef>
#include <string>
#include <string_view>

namespace util {

// `text` if it has at most `max` bytes; else its first bytes up to `max` (never splitting a
// UTF-8 sequence) followed by "...".
inline std::string bounded_text(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  // Back off continuation bytes (10xxxxxx) so the cut lands on the start of a sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  out += "...";
  return out;
}

}  // namespace util
