#pragma once
// The Retry-After response header (RFC 9110 section 10.2.3): how long a service that answered
// 503 or 429 wants us to wait before asking again.
#include <chrono>
#include <optional>
#include <string_view>

namespace process {

// Waits longer than this are cut to it: a service asking for a week is taken as asking for a day
// (the consumer caps the wait with --max-backoff anyway).
inline constexpr std::chrono::milliseconds kMaxRetryAfter = std::chrono::hours(24);

// The wait a Retry-After value asks for, counted from `now` (the wall clock when the answer
// arrived). Accepts delta-seconds ("120") and an HTTP-date in any of its three forms:
// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and
// asctime ("Sun Nov  6 08:49:37 1994"). A date in the past is 0; anything above kMaxRetryAfter
// is kMaxRetryAfter. Malformed: nullopt (the header is ignored).
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// The instant an HTTP-date names, or nullopt when `text` is not one (surrounding blanks allowed).
// In seconds: a year up to 9999 fits, where system_clock's nanoseconds would overflow.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text);

}  // namespace process
