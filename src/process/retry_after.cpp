#include "process/retry_after.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace process {
namespace {

using std::chrono::system_clock;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A tiny cursor over the date text: each step consumes exactly what it expects or fails.
struct Cursor {
  std::string_view s;

  bool literal(std::string_view lit) {
    if (s.substr(0, lit.size()) != lit) return false;
    s.remove_prefix(lit.size());
    return true;
  }
  // Exactly `digits` decimal digits (a leading blank allowed when `blank_pad`, as asctime's day).
  std::optional<int> number(std::size_t digits, bool blank_pad = false) {
    if (s.size() < digits) return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const char c = s[i];
      if (blank_pad && i == 0 && c == ' ') continue;
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    s.remove_prefix(digits);
    return v;
  }
  std::optional<int> month() {
    static constexpr std::array<std::string_view, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
      if (literal(kMonths[i])) return static_cast<int>(i) + 1;
    }
    return std::nullopt;
  }
  // A day name: letters up to the next ',' or ' ' (its spelling is not checked: the date is).
  bool day_name() {
    std::size_t n = 0;
    while (n < s.size() && std::isalpha(static_cast<unsigned char>(s[n]))) ++n;
    if (n < 3) return false;
    s.remove_prefix(n);
    return true;
  }
};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

bool time_of_day(Cursor& c, Fields& f) {
  auto h = c.number(2);
  if (!h || !c.literal(":")) return false;
  auto m = c.number(2);
  if (!m || !c.literal(":")) return false;
  auto sec = c.number(2);
  if (!sec) return false;
  f.hour = *h, f.minute = *m, f.second = *sec;
  return true;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
bool imf_fixdate(Cursor c, Fields& f) {
  if (!c.day_name() || !c.literal(", ")) return false;
  auto d = c.number(2);
  if (!d || !c.literal(" ")) return false;
  auto mo = c.month();
  if (!mo || !c.literal(" ")) return false;
  auto y = c.number(4);
  if (!y || !c.literal(" ") || !time_of_day(c, f) || !c.literal(" GMT") || !c.s.empty()) {
    return false;
  }
  f.year = *y, f.month = *mo, f.day = *d;
  return true;
}

// "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year more than 50 years ahead is in the past
// century (RFC 9110 section 5.6.7), taken here as: 70..99 -> 19xx, 00..69 -> 20xx.
bool rfc850(Cursor c, Fields& f) {
  if (!c.day_name() || !c.literal(", ")) return false;
  auto d = c.number(2);
  if (!d || !c.literal("-")) return false;
  auto mo = c.month();
  if (!mo || !c.literal("-")) return false;
  auto y = c.number(2);
  if (!y || !c.literal(" ") || !time_of_day(c, f) || !c.literal(" GMT") || !c.s.empty()) {
    return false;
  }
  f.year = *y + (*y >= 70 ? 1900 : 2000), f.month = *mo, f.day = *d;
  return true;
}

// "Sun Nov  6 08:49:37 1994"
bool asctime_date(Cursor c, Fields& f) {
  if (!c.day_name() || !c.literal(" ")) return false;
  auto mo = c.month();
  if (!mo || !c.literal(" ")) return false;
  auto d = c.number(2, true);
  if (!d || !c.literal(" ") || !time_of_day(c, f) || !c.literal(" ")) return false;
  auto y = c.number(4);
  if (!y || !c.s.empty()) return false;
  f.year = *y, f.month = *mo, f.day = *d;
  return true;
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  const Cursor c{trim(text)};
  Fields f;
  if (!imf_fixdate(c, f) && !rfc850(c, f) && !asctime_date(c, f)) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{f.year}, month{static_cast<unsigned>(f.month)},
                           day{static_cast<unsigned>(f.day)}};
  // 60 seconds: a leap second as written; its instant is the next minute's first.
  if (!ymd.ok() || f.hour > 23 || f.minute > 59 || f.second > 60) return std::nullopt;
  return sys_seconds{sys_days{ymd}} + hours{f.hour} + minutes{f.minute} + seconds{f.second};
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           system_clock::time_point now) {
  using std::chrono::milliseconds;
  const std::string_view v = trim(value);
  if (v.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(v.front()))) {
    // delta-seconds: digits only; saturates instead of overflowing.
    std::uint64_t seconds = 0;
    for (const char c : v) {
      if (c < '0' || c > '9') return std::nullopt;
      seconds = std::min<std::uint64_t>(seconds * 10 + static_cast<unsigned>(c - '0'),
                                        24ULL * 3600 * 1000);
    }
    return std::min(milliseconds(static_cast<std::int64_t>(seconds) * 1000), kMaxRetryAfter);
  }
  const auto when = parse_http_date(v);
  if (!when) return std::nullopt;
  // In milliseconds since the epoch on both sides: no nanosecond overflow for far dates.
  const auto wait = std::chrono::time_point_cast<milliseconds>(*when).time_since_epoch() -
                    std::chrono::floor<milliseconds>(now.time_since_epoch());
  if (wait <= milliseconds(0)) return milliseconds(0);
  return std::min(wait, kMaxRetryAfter);
}

}  // namespace process
