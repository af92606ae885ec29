#include "dlq/time_text.h"

#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <limits>
#include <stdexcept>

#include "util/duration.h"

namespace dlq {
namespace {

// Reads exactly `n` digits at `pos`; advances `pos` on success.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// Floor division, so times before 1970 split into day and time of day correctly.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

std::string format_utc_ms(std::int64_t ms) {
  using namespace std::chrono;
  // A record's timestamp is whatever its producer sent; beyond four-digit years it is shown raw.
  constexpr std::int64_t kFirst = sys_days{year{0} / 1 / 1}.time_since_epoch().count();
  constexpr std::int64_t kEnd = sys_days{year{10000} / 1 / 1}.time_since_epoch().count();
  const std::int64_t day = floor_div(ms, 86'400'000);
  if (day < kFirst || day >= kEnd) return fmt::format("{}ms since 1970", ms);
  const std::int64_t in_day = ms - day * 86'400'000;
  const year_month_day ymd{sys_days{days{day}}};
  const std::int64_t h = in_day / 3'600'000, m = in_day / 60'000 % 60, s = in_day / 1000 % 60;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), h, m, s,
                     in_day % 1000);
}

std::optional<std::int64_t> parse_utc_ms(std::string_view s) {
  using namespace std::chrono;
  std::size_t p = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, p, 4, y) || !expect(s, p, '-') || !digits(s, p, 2, mo) || !expect(s, p, '-') ||
      !digits(s, p, 2, d)) {
    return std::nullopt;
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  std::int64_t frac_ms = 0;
  if (p < s.size() && (s[p] == 'T' || s[p] == 't' || s[p] == ' ')) {
    ++p;
    if (!digits(s, p, 2, h) || !expect(s, p, ':') || !digits(s, p, 2, mi)) return std::nullopt;
    if (p < s.size() && s[p] == ':') {
      ++p;
      if (!digits(s, p, 2, sec)) return std::nullopt;
      if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
        ++p;
        std::size_t n = 0;
        std::int64_t scale = 100;
        while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
          frac_ms += (s[p] - '0') * scale;  // digits past milliseconds add 0
          scale /= 10;
          ++p, ++n;
        }
        if (n == 0) return std::nullopt;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;  // 60: a leap second, taken as :59+1
  }
  std::int64_t offset_min = 0;
  if (p < s.size()) {
    if (s[p] == 'Z' || s[p] == 'z') {
      ++p;
    } else if (s[p] == '+' || s[p] == '-') {
      const int sign = s[p] == '-' ? -1 : 1;
      ++p;
      int oh = 0, om = 0;
      if (!digits(s, p, 2, oh)) return std::nullopt;
      if (p < s.size()) {
        expect(s, p, ':');
        if (!digits(s, p, 2, om)) return std::nullopt;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset_min = sign * (oh * 60 + om);
    }
  }
  if (p != s.size()) return std::nullopt;
  const std::int64_t days_since = sys_days{ymd}.time_since_epoch().count();
  return days_since * 86'400'000 + h * 3'600'000LL + mi * 60'000LL + sec * 1000LL + frac_ms -
         offset_min * 60'000;
}

std::string format_age(std::int64_t ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return fmt::format("{}ms", ms);
  const std::int64_t s = ms / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86'400) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
  return fmt::format("{}d{:02}h", s / 86'400, s / 3600 % 24);
}

std::int64_t age_ms(std::int64_t now_ms, std::int64_t at_ms) {
  std::int64_t age = 0;
  if (!__builtin_sub_overflow(now_ms, at_ms, &age)) return age;
  return at_ms < 0 ? std::numeric_limits<std::int64_t>::max()
                   : std::numeric_limits<std::int64_t>::min();
}

std::int64_t parse_since(std::string_view text, std::int64_t now_ms) {
  if (auto t = parse_utc_ms(text)) return *t;
  try {
    const auto d = util::parse_duration(text);
    return now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  } catch (const std::invalid_argument& e) {
    // A well-formed duration beyond the cap: its own message says what the limit is.
    if (std::string_view(e.what()).find("too large") != std::string_view::npos) {
      throw std::invalid_argument(fmt::format("invalid --since: {}", e.what()));
    }
    throw std::invalid_argument(fmt::format(
        "invalid --since '{}': expected a duration back from now (10m, 1.5h, 48h) or a UTC "
        "timestamp (2024-05-01, 2024-05-01T12:00:00Z, 2024-05-01 12:00:00+02:00)",
        text));
  }
}

}  // namespace dlq
