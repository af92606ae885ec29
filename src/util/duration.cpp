#include "util/duration.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace util {
namespace {

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw std::invalid_argument(fmt::format(
      "invalid duration '{}': {} (expected a number with a unit: us, ms, s, m, h; e.g. 10ms, 1.5s, "
      "2m)",
      text, why));
}

std::int64_t unit_micros(std::string_view unit) {
  if (unit == "us") return 1;
  if (unit == "ms") return 1'000;
  if (unit == "s") return 1'000'000;
  if (unit == "m") return 60'000'000;
  if (unit == "h") return 3'600'000'000;
  return 0;
}

constexpr auto kMaxHours = std::chrono::duration_cast<std::chrono::hours>(kMaxDuration).count();

}  // namespace

Duration parse_duration(std::string_view text) {
  std::size_t i = 0;
  // Integer arithmetic on the digits keeps "1.5s" exact instead of going through a double.
  std::int64_t whole = 0;
  std::size_t whole_digits = 0;
  constexpr std::int64_t kMaxWhole = kMaxDuration.count() / 10;
  const std::string too_large = fmt::format("too large (at most {}h)", kMaxHours);
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    // Digits beyond the cap cannot be valid; stopping here keeps whole * 10 + digit in range.
    if (whole > kMaxWhole) fail(text, too_large);
    whole = whole * 10 + (text[i] - '0');
    ++i, ++whole_digits;
  }
  std::int64_t frac = 0, frac_scale = 1;
  std::size_t frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (frac_digits < 9) {  // sub-nanosecond digits cannot matter at microsecond resolution
        frac = frac * 10 + (text[i] - '0');
        frac_scale *= 10;
      }
      ++i, ++frac_digits;
    }
    if (frac_digits == 0) fail(text, "digits expected after '.'");
  }
  if (whole_digits == 0) {
    if (!text.empty() && text[0] == '-') fail(text, "must not be negative");
    fail(text, "no number");
  }
  std::string_view unit = text.substr(i);
  if (unit.empty()) {
    if (whole == 0 && frac == 0) return Duration::zero();
    fail(text, "missing unit");
  }
  std::int64_t per = unit_micros(unit);
  if (per == 0) fail(text, fmt::format("unknown unit '{}'", unit));
  if (whole > kMaxDuration.count() / per) fail(text, too_large);
  // Round the fractional part to the nearest microsecond (frac * per < 1e9 * 3.6e9 fits).
  const std::int64_t frac_us = (frac * per + frac_scale / 2) / frac_scale;
  const Duration d(whole * per + frac_us);
  if (d > kMaxDuration) fail(text, too_large);
  return d;
}

Duration from_seconds(double seconds) {
  constexpr double kMaxSeconds = static_cast<double>(kMaxDuration.count()) / 1e6;
  if (!(seconds > 0)) return Duration::zero();  // NaN too
  if (seconds >= kMaxSeconds) return kMaxDuration;
  return Duration(std::llround(seconds * 1e6));
}

std::string format_duration(Duration d) {
  auto us = d.count();
  if (us < 1'000) return fmt::format("{}us", us);
  if (us < 1'000'000) {
    if (us % 1'000 == 0) return fmt::format("{}ms", us / 1'000);
    return fmt::format("{:.1f}ms", static_cast<double>(us) / 1e3);
  }
  double s = static_cast<double>(us) / 1e6;
  // One decimal like the original ("Retrying in 1.0s"), more only when it would hide detail.
  if (us % 100'000 == 0) return fmt::format("{:.1f}s", s);
  return fmt::format("{:.3f}s", s);
}

}  // namespace util
