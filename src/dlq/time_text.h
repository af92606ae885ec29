#pragma once
// Wall-clock text for the DLQ tools: UTC timestamps in and out, and short ages ("5m12s").
// Times are milliseconds since the Unix epoch, as the dlq.* headers carry them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dlq {

// "2024-05-01T12:00:00.123Z".
std::string format_utc_ms(std::int64_t ms);

// Accepts YYYY-MM-DD, optionally followed by T or a space and HH:MM[:SS[.fraction]], optionally
// followed by Z or an offset (+HH:MM, -HHMM, +HH). No zone means UTC. nullopt if malformed.
std::optional<std::int64_t> parse_utc_ms(std::string_view text);

// Elapsed time, coarse and short: "850ms", "42s", "5m12s", "3h05m", "2d03h". Negative ages (a
// clock ahead of ours) print as "0ms".
std::string format_age(std::int64_t ms);
// now_ms - at_ms, saturated: `at_ms` comes from a record header and may be any int64.
std::int64_t age_ms(std::int64_t now_ms, std::int64_t at_ms);

// --since: a duration back from `now_ms` ("10m", "1.5h") or a timestamp (see parse_utc_ms).
// Throws std::invalid_argument naming both accepted forms.
std::int64_t parse_since(std::string_view text, std::int64_t now_ms);

}  // namespace dlq
