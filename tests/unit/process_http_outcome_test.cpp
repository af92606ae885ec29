#include <gtest/gtest.h>

#include <string>

#include "process/http_outcome.h"
#include "process/retry_after.h"

using namespace std::chrono_literals;
using pipeline::ProcessResult;
using process::HttpAnswer;
using process::NoAnswer;
using Kind = ProcessResult::Kind;

namespace {

// Sun, 06 Nov 1994 08:49:37 GMT
const std::chrono::system_clock::time_point kNow{std::chrono::seconds(784111777)};

ProcessResult answer(long status, std::string_view body = "",
                     std::optional<std::string> outcome = std::nullopt,
                     std::optional<std::string> retry_after = std::nullopt) {
  return process::classify_answer({status, outcome, retry_after, body, false}, kNow);
}

}  // namespace

TEST(ProcessStatusKind, ClassesOfStatus) {
  for (long s : {200L, 201L, 202L, 204L, 299L}) EXPECT_EQ(process::status_kind(s), Kind::ok) << s;
  for (long s : {408L, 425L, 429L, 500L, 502L, 503L, 504L, 599L}) {
    EXPECT_EQ(process::status_kind(s), Kind::transient) << s;
  }
  for (long s :
       {100L, 199L, 300L, 301L, 302L, 307L, 400L, 401L, 403L, 404L, 409L, 422L, 499L, 600L, 0L}) {
    EXPECT_EQ(process::status_kind(s), Kind::permanent) << s;
  }
}

TEST(ProcessClassify, OkCarriesNoError) {
  EXPECT_EQ(answer(200, "fine"), ProcessResult::success());
}

TEST(ProcessClassify, PermanentNamesStatusAndBody) {
  const auto r = answer(404, "no such order");
  EXPECT_EQ(r.kind, Kind::permanent);
  EXPECT_EQ(r.error, "HTTP 404: no such order");
  EXPECT_FALSE(r.retry_after);
  EXPECT_FALSE(r.no_answer);
}

TEST(ProcessClassify, RedirectIsPermanent) {
  EXPECT_EQ(answer(302).error, "HTTP 302");
}

TEST(ProcessClassify, BodyExcerptIsEscapedAndBounded) {
  const auto r = answer(400, std::string("bad\r\n\x1b[31m\xc3\xa9\0x", 14) + std::string(500, 'y'));
  EXPECT_EQ(r.error.substr(0, 42), "HTTP 400: bad\\x0d\\x0a\\x1b[31m\\xc3\\xa9\\x00x");
  EXPECT_LE(r.error.size(), 10 + process::kBodyExcerptBytes * 4 + 3);
  EXPECT_EQ(r.error.substr(r.error.size() - 3), "...");
  for (const char c : r.error) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
}

TEST(ProcessClassify, BodyCutByTheReaderSaysSo) {
  const auto r = process::classify_answer({500, {}, {}, "abc", true}, kNow);
  EXPECT_EQ(r.error, "HTTP 500: abc...");
}

TEST(ProcessClassify, TransientHonoursRetryAfter) {
  const auto r = answer(503, "busy", std::nullopt, "7");
  EXPECT_EQ(r.kind, Kind::transient);
  EXPECT_EQ(r.retry_after, 7000ms);
  EXPECT_FALSE(r.no_answer);
  EXPECT_EQ(answer(429, "", std::nullopt, "Sun, 06 Nov 1994 08:50:37 GMT").retry_after, 60000ms);
  EXPECT_FALSE(answer(503, "", std::nullopt, "soon").retry_after);  // malformed: ignored
}

TEST(ProcessClassify, RetryAfterOnlyOnTransient) {
  EXPECT_FALSE(answer(404, "", std::nullopt, "7").retry_after);
  EXPECT_FALSE(answer(200, "", std::nullopt, "7").retry_after);
}

TEST(ProcessClassify, OutcomeHeaderOverridesStatus) {
  EXPECT_EQ(answer(500, "", "processed"), ProcessResult::success());
  EXPECT_EQ(answer(200, "", " Retry ").kind, Kind::transient);
  EXPECT_EQ(answer(200, "", "retry").error, "HTTP 200 (Orders-Outcome: retry)");
  EXPECT_EQ(answer(503, "x", "DEAD-LETTER").error, "HTTP 503 (Orders-Outcome: dead-letter): x");
  EXPECT_EQ(answer(503, "x", "DEAD-LETTER").kind, Kind::permanent);
  EXPECT_EQ(answer(200, "", "retry", "3").retry_after, 3000ms);
}

TEST(ProcessClassify, UnknownOutcomeIsIgnored) {
  EXPECT_EQ(answer(503, "", "success").kind, Kind::transient);
  EXPECT_EQ(answer(404, "", "").kind, Kind::permanent);
  EXPECT_EQ(answer(200, "", "dead letter").kind, Kind::ok);
}

TEST(ProcessClassify, NoAnswerIsTransientAndUnanswered) {
  for (auto why : {NoAnswer::timeout, NoAnswer::refused, NoAnswer::reset, NoAnswer::resolve,
                   NoAnswer::tls, NoAnswer::other}) {
    const auto r = process::classify_no_answer(why, "Failed to connect\n");
    EXPECT_EQ(r.kind, Kind::transient);
    EXPECT_TRUE(r.no_answer);
    EXPECT_FALSE(r.retry_after);
    EXPECT_NE(r.error.find("Failed to connect\\x0a"), std::string::npos) << r.error;
  }
  EXPECT_EQ(process::classify_no_answer(NoAnswer::timeout, "").error,
            "no answer within the timeout");
}

TEST(ProcessRetryAfter, DeltaSeconds) {
  EXPECT_EQ(process::parse_retry_after("0", kNow), 0ms);
  EXPECT_EQ(process::parse_retry_after(" 120 ", kNow), 120000ms);
  EXPECT_EQ(process::parse_retry_after("99999999999999999999999", kNow), process::kMaxRetryAfter);
  EXPECT_EQ(process::parse_retry_after("86401", kNow), process::kMaxRetryAfter);
  for (const char* bad : {"", " ", "-1", "1.5", "12s", "+3", "1 2", "0x10"}) {
    EXPECT_FALSE(process::parse_retry_after(bad, kNow)) << bad;
  }
}

TEST(ProcessRetryAfter, HttpDateForms) {
  EXPECT_EQ(process::parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", kNow), 10000ms);
  EXPECT_EQ(process::parse_retry_after("Sunday, 06-Nov-94 08:49:47 GMT", kNow), 10000ms);
  EXPECT_EQ(process::parse_retry_after("Sun Nov  6 08:49:47 1994", kNow), 10000ms);
  EXPECT_EQ(process::parse_retry_after("Sun Nov 16 08:49:37 1994", kNow), process::kMaxRetryAfter);
  // In the past: at once.
  EXPECT_EQ(process::parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", kNow), 0ms);
  EXPECT_EQ(process::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kNow), 0ms);
  // Far ahead: no overflow, just the cap.
  EXPECT_EQ(process::parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", kNow),
            process::kMaxRetryAfter);
  // The clock's sub-second part counts: the wait is to the named second.
  EXPECT_EQ(process::parse_retry_after("Sun, 06 Nov 1994 08:49:38 GMT", kNow + 250ms), 750ms);
}

TEST(ProcessRetryAfter, MalformedDatesAreIgnored) {
  for (const char* bad : {"Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
                          "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                          "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:49 GMT",
                          "Sun, 06 Nov 1994 08:49:37 GMT x", "06 Nov 1994 08:49:37 GMT",
                          "Sun Nov  6 08:49:37", "Sunday, 06-Nov-1994 08:49:37 GMT", "Mon"}) {
    EXPECT_FALSE(process::parse_retry_after(bad, kNow)) << bad;
  }
}

TEST(ProcessRetryAfter, TwoDigitYears) {
  using namespace std::chrono;
  EXPECT_EQ(process::parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT"), sys_seconds{0s});
  EXPECT_EQ(process::parse_http_date("Saturday, 01-Jan-00 00:00:00 GMT"),
            sys_seconds{sys_days{year{2000} / 1 / 1}});
}

TEST(ProcessAsciiExcerpt, EscapesAndCuts) {
  EXPECT_EQ(process::ascii_excerpt("abc", 10), "abc");
  EXPECT_EQ(process::ascii_excerpt("abcdef", 3), "abc...");
  EXPECT_EQ(process::ascii_excerpt("\x7f\t", 10), "\\x7f\\x09");
  // A cut never splits a UTF-8 sequence: the whole character goes.
  EXPECT_EQ(process::ascii_excerpt("a\xc3\xa9", 2), "a...");
}
