#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "dlq/time_text.h"

using dlq::format_age;
using dlq::format_utc_ms;
using dlq::parse_since;
using dlq::parse_utc_ms;

TEST(DlqTimeText, FormatsUtcMilliseconds) {
  EXPECT_EQ(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_ms(1'714'566'896'789), "2024-05-01T12:34:56.789Z");
  EXPECT_EQ(format_utc_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_utc_ms(951'782'400'000), "2000-02-29T00:00:00.000Z");
}

TEST(DlqTimeText, ParsesTimestampForms) {
  EXPECT_EQ(parse_utc_ms("2024-05-01"), 1'714'521'600'000);
  EXPECT_EQ(parse_utc_ms("2024-05-01T12:34:56.789Z"), 1'714'566'896'789);
  EXPECT_EQ(parse_utc_ms("2024-05-01 12:34:56.789"), 1'714'566'896'789);
  EXPECT_EQ(parse_utc_ms("2024-05-01T12:34"), 1'714'566'840'000);
  EXPECT_EQ(parse_utc_ms("2024-05-01T14:34:56.789+02:00"), 1'714'566'896'789);
  EXPECT_EQ(parse_utc_ms("2024-05-01T10:34:56.789-0200"), 1'714'566'896'789);
  EXPECT_EQ(parse_utc_ms("2024-05-01T12:34:56.7891234Z"), 1'714'566'896'789);
  EXPECT_EQ(parse_utc_ms("1969-12-31T23:59:59.999Z"), -1);
}

TEST(DlqTimeText, RoundTrips) {
  for (std::int64_t ms : {0LL, 1LL, 1'714'566'896'789LL, -86'400'001LL, 4'102'444'800'000LL}) {
    EXPECT_EQ(parse_utc_ms(format_utc_ms(ms)), ms) << ms;
  }
}

TEST(DlqTimeText, RejectsMalformedTimestamps) {
  for (const char* bad : {"", "2024", "2024-5-1", "2024-02-30", "2024-13-01", "2024-05-01T25:00",
                          "2024-05-01T12:60", "2024-05-01T12:00:00.", "2024-05-01Tx",
                          "2024-05-01T12:00:00Zjunk", "2024-05-01T12:00+2", "10m"}) {
    EXPECT_FALSE(parse_utc_ms(bad)) << bad;
  }
}

TEST(DlqTimeText, FormatsAges) {
  EXPECT_EQ(format_age(-5), "0ms");
  EXPECT_EQ(format_age(850), "850ms");
  EXPECT_EQ(format_age(42'000), "42s");
  EXPECT_EQ(format_age(312'000), "5m12s");
  EXPECT_EQ(format_age(3 * 3'600'000 + 5 * 60'000), "3h05m");
  EXPECT_EQ(format_age(2 * 86'400'000 + 3 * 3'600'000), "2d03h");
}

TEST(DlqTimeText, SinceTakesDurationOrTimestamp) {
  const std::int64_t now = 1'714'566'896'789;
  EXPECT_EQ(parse_since("10m", now), now - 600'000);
  EXPECT_EQ(parse_since("1.5s", now), now - 1'500);
  EXPECT_EQ(parse_since("0", now), now);
  EXPECT_EQ(parse_since("2024-05-01", now), 1'714'521'600'000);
  EXPECT_THROW(parse_since("yesterday", now), std::invalid_argument);
  EXPECT_THROW(parse_since("-5m", now), std::invalid_argument);
  EXPECT_THROW(parse_since("", now), std::invalid_argument);
}

TEST(DlqTimeText, ExtremeValuesAreDefined) {
  // A record's timestamp is whatever its producer sent: every int64 must format without UB.
  for (std::int64_t ms : {std::numeric_limits<std::int64_t>::min(),
                          std::numeric_limits<std::int64_t>::max(), std::int64_t{-1}}) {
    EXPECT_FALSE(format_utc_ms(ms).empty()) << ms;
  }
  EXPECT_EQ(format_utc_ms(-1), "1969-12-31T23:59:59.999Z");
  const std::int64_t now = 1'714'566'896'789;
  try {
    parse_since("2562048h", now);
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("at most 87600h"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_since("9223372036854775808us", now), std::invalid_argument);
}

TEST(DlqTimeText, AgeSaturatesForHostileHeaderTimes) {
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(dlq::age_ms(1'000, 400), 600);
  EXPECT_EQ(dlq::age_ms(1'000, kMin), kMax);
  EXPECT_EQ(dlq::age_ms(-2, kMax), kMin);
  EXPECT_EQ(format_age(dlq::age_ms(1'000, kMin)), "106751991167d07h");
}
