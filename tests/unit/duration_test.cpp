#include "util/duration.h"

#include <gtest/gtest.h>

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
