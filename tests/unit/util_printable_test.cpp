#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "util/printable.h"

using util::printable;

namespace {

// Every code point printable() must never let through, as UTF-8.
std::string utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

// True if `s` holds a raw C0/C1 control, DEL, line separator or bidi control (decoded leniently:
// every byte sequence that a terminal might take for one).
bool has_raw_dangerous(const std::string& s) {
  for (char32_t cp = 0; cp < 0x2070; ++cp) {
    if (util::escaped_code_point(cp) && s.find(utf8(cp)) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST(UtilPrintable, KeepsOrdinaryTextIncludingNonAscii) {
  EXPECT_EQ(printable("ORD-1 Laptop"), "ORD-1 Laptop");
  EXPECT_EQ(printable("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x93\xa6"),
            "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x93\xa6");
  EXPECT_EQ(printable("a\\x1b"), "a\\x1b");  // a backslash is text, not an escape
  EXPECT_EQ(printable(""), "");
}

TEST(UtilPrintable, EscapesC0ControlsAndDel) {
  EXPECT_EQ(printable("\x1b[2J"), "\\x1b[2J");
  EXPECT_EQ(printable("a\nINFO - fake"), "a\\x0aINFO - fake");
  EXPECT_EQ(printable("a\rb\tc"), "a\\x0db\\x09c");
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(printable("\x7f"), "\\x7f");
}

TEST(UtilPrintable, EscapesC1ControlsAsCodePoints) {
  EXPECT_EQ(printable("\xc2\x9b"
                      "31m"),
            "\\u009b31m");                          // CSI
  EXPECT_EQ(printable("x\xc2\x85y"), "x\\u0085y");  // NEL: a newline to some terminals
  EXPECT_EQ(printable("\xc2\x80\xc2\x9f\xc2\xa0"), "\\u0080\\u009f\xc2\xa0");  // NBSP is text
}

TEST(UtilPrintable, EscapesBidiControlsAndLineSeparators) {
  EXPECT_EQ(printable("evil\xe2\x80\xaetxt.exe"), "evil\\u202etxt.exe");
  for (char32_t cp : {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
                      0x200E, 0x200F, 0x061C, 0x2028, 0x2029}) {
    EXPECT_EQ(printable(utf8(cp)), fmt::format("\\u{:04x}", static_cast<std::uint32_t>(cp)));
  }
  // Neighbours are ordinary text.
  EXPECT_EQ(printable(utf8(0x2065)), utf8(0x2065));
  EXPECT_EQ(printable(utf8(0x2030)), utf8(0x2030));
}

TEST(UtilPrintable, InvalidUtf8BecomesHexBytes) {
  EXPECT_EQ(printable("a\xff"
                      "b"),
            "a\\xffb");
  EXPECT_EQ(printable("\xc0\x80"), "\\xc0\\x80");                    // overlong NUL
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // surrogate
  EXPECT_EQ(printable("\xe2\x80"), "\\xe2\\x80");                    // truncated
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  // An overlong or truncated form of a bidi override is not let through either.
  EXPECT_FALSE(has_raw_dangerous(printable("\xe2\x80\xae\xe2\x80")));
}

TEST(UtilPrintable, RandomBytesComeOutSafeAndEscapingTwiceChangesNothing) {
  std::mt19937 rng(12);
  // Biased towards the interesting bytes: ESC, C1 lead/continuations, the bidi prefix.
  const std::string alphabet = "\x1b\n\x7f\xc2\x85\x9b\xe2\x80\x81\xaa\xae\xa6\xa9\xd8\x9c\xff a\\";
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    const int len = static_cast<int>(rng() % 24);
    for (int j = 0; j < len; ++j) {
      s += (rng() % 4 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    const std::string once = printable(s);
    ASSERT_FALSE(has_raw_dangerous(once)) << once;
    ASSERT_EQ(printable(once), once);
  }
}

TEST(UtilJsonLine, IsAsciiValidJsonAndRoundTrips) {
  const std::string hostile = "ORD-\x1b[31m\xe2\x80\xae\xc2\x9b\nx caf\xc3\xa9";
  const nlohmann::json j = {{"orderId", hostile}, {"n", 1}};
  const std::string line = util::json_line(j);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  for (unsigned char c : line) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << line;
  EXPECT_EQ(nlohmann::json::parse(line).at("orderId"), hostile);
  // Invalid UTF-8 does not throw.
  EXPECT_NO_THROW(util::json_line(nlohmann::json{{"v", std::string("\xff\xfe")}}));
}
