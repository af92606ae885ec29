// The secret scrubber every log line goes through.
#include "util/redact.h"

#include <gtest/gtest.h>

namespace util {
namespace {

TEST(Redact, ScrubsWholeValuesAndTheirTokens) {
  clear_secrets();
  add_secret("principal=admin scope=hunter2secret");
  EXPECT_EQ(scrub("bad config: principal=admin scope=hunter2secret"), "bad config: ******");
  EXPECT_EQ(scrub("Unrecognized beginning at: scope=hunter2secret"),
            "Unrecognized beginning at: scope=******");
  EXPECT_EQ(scrub("value hunter2secret"), "value ******");
  EXPECT_EQ(scrub("nothing here"), "nothing here");
  clear_secrets();
  EXPECT_EQ(scrub("hunter2secret"), "hunter2secret");
}

TEST(Redact, ShortValuesAreNotScrubbedFromFreeText) {
  clear_secrets();
  add_secret("abc");
  EXPECT_EQ(scrub("abc abc"), "abc abc");
  clear_secrets();
}

TEST(Redact, QuotedJaasValues) {
  clear_secrets();
  add_secret(R"(x.PlainLoginModule required username="bob" password="p4ssw0rd!";)");
  EXPECT_EQ(scrub(R"(password="p4ssw0rd!")"), R"(password="******")");
  EXPECT_EQ(scrub("p4ssw0rd!"), "******");
  clear_secrets();
}

TEST(Redact, ScrubOneReplacesEveryOccurrence) {
  EXPECT_EQ(scrub_one(R"(Invalid value "s3" for "s3")", "s3"),
            R"(Invalid value "******" for "******")");
}

}  // namespace
}  // namespace util
