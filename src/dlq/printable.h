#pragma once
// Making untrusted bytes safe to show: on a terminal (escaped text, hex previews).
#include <cstddef>
#include <string>
#include <string_view>

namespace dlq {

// Valid UTF-8 stays as is, except control characters; those and invalid bytes become \xNN.
std::string printable(std::string_view bytes);

// "7 bytes: 0a ff 00 12 34 56 78"; after `max_bytes` bytes the preview ends with " ...".
std::string hex_preview(std::string_view bytes, std::size_t max_bytes = 32);

}  // namespace dlq
