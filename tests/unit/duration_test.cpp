#include "util/duration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace std::chrono_literals;
using util::Duration;
using util::format_duration;
using util::parse_duration;

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration("500us"), 500us);
  EXPECT_EQ(parse_duration("10ms"), 10ms);
  EXPECT_EQ(parse_duration("1s"), 1s);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("2m"), 120s);
  EXPECT_EQ(parse_duration("1h"), 3600s);
  EXPECT_EQ(parse_duration("0.25ms"), 250us);
  EXPECT_EQ(parse_duration("0"), 0us);
  EXPECT_EQ(parse_duration("0s"), 0us);
  EXPECT_EQ(parse_duration("30s"), 30s);
}

TEST(Duration, RoundsFractionsToMicroseconds) {
  EXPECT_EQ(parse_duration("0.0000004s"), 0us);
  EXPECT_EQ(parse_duration("0.0000006s"), 1us);
  EXPECT_EQ(parse_duration("1.123456789s"), 1123457us);
}

TEST(Duration, RejectsBadInput) {
  for (const char* bad : {"", "s", "10", "1.5", "-1s", "1.s", ".5s", "1x", "10 ms", "1s2", "ms10",
                          "1e3s", "99999999999999999999s", "9999999999999h", "abc"}) {
    EXPECT_THROW(parse_duration(bad), std::invalid_argument) << bad;
  }
}

TEST(Duration, ErrorNamesInputAndForms) {
  try {
    parse_duration("10");
    FAIL();
  } catch (const std::invalid_argument& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("'10'"), std::string::npos) << m;
    EXPECT_NE(m.find("missing unit"), std::string::npos) << m;
    EXPECT_NE(m.find("1.5s"), std::string::npos) << m;
  }
}

TEST(Duration, Formats) {
  EXPECT_EQ(format_duration(500us), "500us");
  EXPECT_EQ(format_duration(10ms), "10ms");
  EXPECT_EQ(format_duration(1500us), "1.5ms");
  EXPECT_EQ(format_duration(1s), "1.0s");
  EXPECT_EQ(format_duration(2500ms), "2.5s");
  EXPECT_EQ(format_duration(1234ms), "1.234s");
}

TEST(Duration, DigitsJustPastInt64AreRefusedNotOverflowed) {
  // The last digit pushes the value past INT64_MAX: it must be caught before the multiply-add.
  for (const char* big : {"9223372036854775807us", "9223372036854775808us", "9223372036854775809us",
                          "18446744073709551616us", "9223372036854775808.5s"}) {
    EXPECT_THROW(parse_duration(big), std::invalid_argument) << big;
  }
}

TEST(Duration, CappedSoThatAnyClockArithmeticStaysInRange) {
  EXPECT_EQ(util::kMaxDuration, std::chrono::hours(87600));
  EXPECT_EQ(parse_duration("87600h"), util::kMaxDuration);
  for (const char* big : {"87600.000001h", "87601h", "5256001m", "315360001s", "2562048h",
                          "9223372036854775us", "9223372036854775806us"}) {
    try {
      parse_duration(big);
      ADD_FAILURE() << big << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("at most 87600h"), std::string::npos) << e.what();
    }
  }
  // Even the cap converts to nanoseconds and lands on any clock without overflowing.
  const auto far = std::chrono::system_clock::now() + util::kMaxDuration;
  EXPECT_GT(far.time_since_epoch().count(), 0);
}

TEST(Duration, FromSecondsSaturates) {
  EXPECT_EQ(util::from_seconds(1.5), 1500ms);
  EXPECT_EQ(util::from_seconds(0), 0us);
  EXPECT_EQ(util::from_seconds(-3), 0us);
  EXPECT_EQ(util::from_seconds(std::nan("")), 0us);
  EXPECT_EQ(util::from_seconds(1e300), util::kMaxDuration);
  EXPECT_EQ(util::from_seconds(std::numeric_limits<double>::infinity()), util::kMaxDuration);
  EXPECT_EQ(util::from_seconds(315360000.0), util::kMaxDuration);
}
