#pragma once
// Human-friendly durations for flags: "500us", "10ms", "1s", "1.5s", "2m", "1h" (and a bare "0").
#include <chrono>
#include <string>
#include <string_view>

namespace util {

using Duration = std::chrono::microseconds;

// The longest duration accepted: 87600h (ten years). Far beyond any real timeout or window, and
// small enough that converting it to nanoseconds and adding it to any clock reading (since boot
// or since 1970) stays well inside int64.
inline constexpr Duration kMaxDuration = std::chrono::hours(87600);

// Parses a non-negative duration. Throws std::invalid_argument with a message naming the input
// and the accepted forms on anything else (missing unit, unknown unit, negative, above
// kMaxDuration, junk).
Duration parse_duration(std::string_view text);

// Seconds (a flag's double) as a Duration, saturating: NaN and negatives are 0, anything above
// kMaxDuration (inf too) is kMaxDuration. Rounds to the nearest microsecond.
Duration from_seconds(double seconds);

// Short display form for logs: "500us", "10ms", "1.0s", "2.5s", "90.0s".
std::string format_duration(Duration d);

}  // namespace util
