#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "owned_request.h"
#include "process/header_file.h"
#include "process/http_request.h"

using process::Header;

namespace {

OwnedRequest request() {
  OwnedRequest r;
  r.id = 9;
  r.order = {"ORD-1", "Widget", 19.99f};
  r.topic = "orders";
  r.partition = 3;
  r.offset = 42;
  r.attempt = 2;
  return r;
}

}  // namespace

TEST(ProcessRequestBody, IsTheOrderAsJson) {
  EXPECT_EQ(process::request_body({"ORD-1", "Widget", 19.99f}),
            R"({"orderId":"ORD-1","product":"Widget","price":19.99})");
  EXPECT_EQ(process::request_body({"", "", 0.0f}), R"({"orderId":"","product":"","price":0})");
}

TEST(ProcessRequestBody, PriceRoundTripsTheFloat) {
  for (float f : {19.99f, 0.1f, 1e-30f, 3.4028235e38f, -2.5f, 16777217.0f, 1.0f / 3.0f}) {
    const auto j = nlohmann::json::parse(process::request_body({"a", "b", f}));
    EXPECT_EQ(static_cast<float>(j["price"].get<double>()), f) << f;
  }
  EXPECT_EQ(process::request_body({"a", "b", std::numeric_limits<float>::quiet_NaN()}),
            R"({"orderId":"a","product":"b","price":null})");
  EXPECT_TRUE(nlohmann::json::parse(process::request_body(
      {"a", "b", std::numeric_limits<float>::infinity()}))["price"]
                  .is_null());
}

TEST(ProcessRequestBody, HostileTextStaysValidJson) {
  const std::string id = std::string("q\"\\\n\x01\0\x7f", 7) + "\xc3\xa9";
  const std::string bad_utf8 = "x\xff\xc3(\xed\xa0\x80";
  const auto body = process::request_body({id, bad_utf8, 1.0f});
  const auto j = nlohmann::json::parse(body);  // throws if invalid
  EXPECT_EQ(j["orderId"], id);
  EXPECT_EQ(j["product"].get<std::string>().substr(0, 1), "x");
  EXPECT_NE(j["product"].get<std::string>().find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
}

TEST(ProcessRequestHeaders, NamesAndOrder) {
  auto r = request();
  r.key = "customer-7";
  r.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  const std::vector<Header> want = {
      {"Content-Type", "application/json"},
      {"Idempotency-Key", "orders/3/42"},
      {"Orders-Key", "customer-7"},
      {"Orders-Topic", "orders"},
      {"Orders-Partition", "3"},
      {"Orders-Offset", "42"},
      {"Orders-Attempt", "2"},
      {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}};
  EXPECT_EQ(process::request_headers(r.view()), want);
}

TEST(ProcessRequestHeaders, AbsentKeyAndTraceparentAreNotSent) {
  for (const auto& [name, value] : process::request_headers(request().view())) {
    EXPECT_NE(name, "Orders-Key");
    EXPECT_NE(name, "traceparent");
  }
  auto r = request();
  r.key = "";
  EXPECT_EQ(process::request_headers(r.view())[2], (Header{"Orders-Key", ""}));
}

TEST(ProcessRequestHeaders, ValuesAreHeaderSafe) {
  EXPECT_EQ(process::header_safe("a b"), "a b");
  EXPECT_EQ(process::header_safe(std::string("k\r\nX-Evil: 1\0%\x7f\xc3\xa9", 17)),
            "k%0D%0AX-Evil: 1%00%25%7F%C3%A9");
  auto r = request();
  r.key = "line\r\nbreak";
  r.topic = "t\n";
  const auto h = process::request_headers(r.view());
  EXPECT_EQ(h[2].second, "line%0D%0Abreak");
  EXPECT_EQ(h[3].second, "t%0A");
}

TEST(ProcessReservedHeaders, OwnNamesAreReserved) {
  for (const char* n : {"content-type", "Idempotency-Key", "ORDERS-ATTEMPT", "Orders-Anything",
                        "Traceparent", "Host", "content-length", "Transfer-Encoding"}) {
    EXPECT_TRUE(process::reserved_header(n)) << n;
  }
  for (const char* n : {"Authorization", "X-Orders", "Orders", "Accept"}) {
    EXPECT_FALSE(process::reserved_header(n)) << n;
  }
}

TEST(ProcessHeaderFile, ParsesNamesValuesCommentsBlanks) {
  const auto h = process::parse_header_lines(
      "# secrets\n\nAuthorization: Bearer abc.def\r\n  \nX-Tenant:eu-1  \n  # indented comment\n"
      "X-Empty:\nX-Tab: a\tb",
      "f");
  const std::vector<Header> want = {{"Authorization", "Bearer abc.def"},
                                    {"X-Tenant", "eu-1"},
                                    {"X-Empty", ""},
                                    {"X-Tab", "a\tb"}};
  EXPECT_EQ(h, want);
  EXPECT_TRUE(process::parse_header_lines("", "f").empty());
}

namespace {

std::string header_file_error(std::string_view text) {
  try {
    process::parse_header_lines(text, "/etc/h");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST(ProcessHeaderFile, RefusalsNameTheLineNeverTheValue) {
  const std::string secret = "s3cr3t-T0KEN";
  const struct {
    std::string text;
    std::string want;
  } cases[] = {
      {"X-A: 1\nAuthorization " + secret, "line 2: no ':'"},
      {": " + secret, "line 1: an empty header name"},
      {"Bad Name: " + secret, "line 1: a header name with a character not allowed"},
      {"X\x01: " + secret, "line 1: a header name with a character not allowed"},
      {"Authorization: " + secret + "\rX: 1", "line 1: a control character (0x0d)"},
      {std::string("\n\nAuthorization: ") + secret + std::string("\0", 1) + "x",
       "line 3: a control character (0x00) in the value of Authorization"},
      {"Idempotency-Key: " + secret, "line 1: Idempotency-Key is set by orders itself"},
      {"orders-attempt: " + secret, "line 1: orders-attempt is set by orders itself"},
      {"Content-Type: " + secret, "set by orders itself"},
  };
  for (const auto& c : cases) {
    const auto e = header_file_error(c.text);
    EXPECT_NE(e.find("--process-header-file /etc/h: "), std::string::npos) << e;
    EXPECT_NE(e.find(c.want), std::string::npos) << e;
    EXPECT_EQ(e.find(secret), std::string::npos) << e;
    EXPECT_EQ(e.find("T0KEN"), std::string::npos) << e;
  }
}

TEST(ProcessHeaderFile, UnreadableFileIsAClearError) {
  try {
    process::read_header_file("/nonexistent/headers");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/headers: cannot read it"),
              std::string::npos);
  }
}
