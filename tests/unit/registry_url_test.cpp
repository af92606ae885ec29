// The --schema-registry URL through libcurl's parser: credentials with any character (encoded),
// never printed, registered with the log scrubber; errors that mask what may be a password.
#include <gtest/gtest.h>

#include "registry/settings.h"
#include "registry/url.h"
#include "util/redact.h"

namespace {

std::string error_of(const std::string& url) {
  try {
    registry::parse_registry_url(url);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

class RegistryUrl : public testing::Test {
 protected:
  void SetUp() override { util::clear_secrets(); }
  void TearDown() override { util::clear_secrets(); }
};

}  // namespace

TEST_F(RegistryUrl, CredentialsWithSlashAtAndPercentArePercentDecoded) {
  // user "us@er/1", password "p/a@s%s:w"
  const auto u = registry::parse_registry_url(
      "https://us%40er%2F1:p%2Fa%40s%25s%3Aw@sr.example.com:8443/apis/ccompat/v7/");
  EXPECT_EQ(u.user, "us@er/1");
  EXPECT_EQ(u.password, "p/a@s%s:w");
  EXPECT_EQ(u.origin, "https://sr.example.com:8443");
  EXPECT_EQ(u.path, "/apis/ccompat/v7");
  // Registered in every spelling a message could quote.
  for (const char* secret : {"p/a@s%s:w", "p%2Fa%40s%25s%3Aw", "us@er/1:p/a@s%s:w"}) {
    EXPECT_EQ(util::scrub(std::string("x ") + secret + " y"), "x ****** y") << secret;
  }
}

TEST_F(RegistryUrl, AnUnencodedSlashInThePasswordIsAnErrorThatDoesNotQuoteIt) {
  // The old splitter cut at the first '/', took "KEY:pa" as host and port and printed the rest.
  const auto why = error_of("https://KEY:pa/ss@sr.example.com/v7");
  EXPECT_NE(why.find("not a valid URL"), std::string::npos) << why;
  EXPECT_NE(why.find("percent-encoded"), std::string::npos) << why;
  EXPECT_EQ(why.find("pa/ss"), std::string::npos) << why;
  EXPECT_EQ(why.find("KEY"), std::string::npos) << why;
  EXPECT_NE(why.find("https://******@sr.example.com/v7"), std::string::npos) << why;
  // And the candidate is registered, so no later message shows it either.
  EXPECT_EQ(util::scrub("KEY:pa/ss"), "******");
  EXPECT_EQ(util::scrub("pa/ss"), "******");
}

TEST_F(RegistryUrl, AnUnencodedAtIsAnErrorThatDoesNotQuoteThePassword) {
  const auto why = error_of("https://KEY:pa@ss@sr.example.com");
  EXPECT_NE(why.find("not a valid URL"), std::string::npos) << why;
  EXPECT_EQ(why.find("pa@ss"), std::string::npos) << why;
  EXPECT_EQ(why.find("KEY:"), std::string::npos) << why;
}

TEST_F(RegistryUrl, OriginPathPortAndIpv6) {
  auto u = registry::parse_registry_url("HTTP://[::1]:8081/a/b%20c//");
  EXPECT_EQ(u.origin, "http://[::1]:8081");
  EXPECT_EQ(u.path, "/a/b%20c");
  EXPECT_FALSE(u.user);
  u = registry::parse_registry_url("https://sr.example.com");
  EXPECT_EQ(u.origin, "https://sr.example.com");
  EXPECT_EQ(u.path, "");
}

TEST_F(RegistryUrl, WhatIsNotARegistryUrlIsRefused) {
  for (const char* bad :
       {"", "ftp://x", "127.0.0.1:8081", "http://", "http:///path", "http://h:99999", "http://h:0",
        "http://h/x?y=1", "http://h/#f", "http://a b/", "http://user@h", "http://:pw@h"}) {
    EXPECT_THROW(registry::parse_registry_url(bad), std::invalid_argument) << bad;
  }
}

TEST_F(RegistryUrl, MaskingNeverShowsWhatStandsBeforeTheLastAt) {
  EXPECT_EQ(registry::mask_userinfo("https://a:b@c@host/p"), "https://******@host/p");
  EXPECT_EQ(registry::mask_userinfo("https://host/p"), "https://host/p");
}

TEST_F(RegistryUrl, SettingsDescribeWithoutUserinfoAndFlagBasicAuthInClear) {
  auto s = registry::parse_settings("http://alice:s3cr%2Ft@127.0.0.1:8081/v7", {});
  EXPECT_EQ(s.password, "s3cr/t");
  EXPECT_TRUE(s.password_in_clear());
  const auto text = registry::describe(s);
  EXPECT_EQ(text, "http://127.0.0.1:8081/v7 (basic auth alice:******)");
  s = registry::parse_settings("https://127.0.0.1:8081/v7",
                               {{"basic.auth.user.info", "bob:x/y@z%w"}});
  EXPECT_EQ(s.user, "bob");
  EXPECT_EQ(s.password, "x/y@z%w");  // the property is taken as it is, not decoded
  EXPECT_FALSE(s.password_in_clear());
  EXPECT_EQ(util::scrub("bob:x/y@z%w"), "******");
  EXPECT_EQ(util::scrub("pw x/y@z%w"), "pw ******");
}

TEST_F(RegistryUrl, ABadPropertyAfterTheUserInfoDoesNotLeakIt) {
  try {
    registry::parse_settings(
        "https://sr", {{"basic.auth.user.info", "carol:hunter22"}, {"request.timeout.ms", "soon"}});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter22"), std::string::npos) << e.what();
  }
  EXPECT_EQ(util::scrub("hunter22"), "******");
}
