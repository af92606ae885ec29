#pragma once
// Human-friendly durations for flags: "500us", "10ms", "1s", "1.5s", "2m", "1h" (and a bare "0").
#include <chrono>
#include <string>
#include <string_view>

namespace util {

using Duration = std::chrono::microseconds;

// Parses a non-negative duration. Throws std::invalid_argument with a message naming the input
// and the accepted forms on anything else (missing unit, unknown unit, negative, overflow, junk).
Duration parse_duration(std::string_view text);

// Short display form for logs: "500us", "10ms", "1.0s", "2.5s", "90.0s".
std::string format_duration(Duration d);

}  // namespace util
