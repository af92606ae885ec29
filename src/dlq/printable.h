#pragma once
// Making untrusted bytes safe to show on a terminal: escaped text (util::printable, the one
// escaping function of every output path) and hex previews.
#include <cstddef>
#include <string>
#include <string_view>

#include "util/printable.h"

namespace dlq {

using util::printable;

// "7 bytes: 0a ff 00 12 34 56 78"; after `max_bytes` bytes the preview ends with " ...".
std::string hex_preview(std::string_view bytes, std::size_t max_bytes = 32);

}  // namespace dlq
