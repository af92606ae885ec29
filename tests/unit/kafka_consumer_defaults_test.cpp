#include <gtest/gtest.h>

#include "kafka/config.h"

namespace {

using kafka::ConfigSources;
using kafka::consumer_defaults;

// The prefetch bound is what keeps a 1M-record backlog under the RSS target; it must be a
// default, not a fixed setting.
TEST(ConsumerDefaults, BoundThePrefetchByCountAndBytes) {
  const auto p = consumer_defaults();
  ASSERT_NE(p.find("queued.min.messages"), nullptr);
  ASSERT_NE(p.find("queued.max.messages.kbytes"), nullptr);
  EXPECT_EQ(*p.find("queued.min.messages"), "50000");
  EXPECT_EQ(*p.find("queued.max.messages.kbytes"), "32768");
  ASSERT_NE(p.find("fetch.wait.max.ms"), nullptr);
  EXPECT_EQ(*p.find("fetch.wait.max.ms"), "100");
  EXPECT_NO_THROW(kafka::check_properties(p));
}

TEST(ConsumerDefaults, CommandLineOverridesThePrefetchBound) {
  ConfigSources s;
  s.defaults = consumer_defaults();
  s.overrides = {"queued.min.messages=200000", "queued.max.messages.kbytes=65536"};
  const auto p = kafka::resolve(s);
  EXPECT_EQ(*p.find("queued.min.messages"), "200000");
  EXPECT_EQ(*p.find("queued.max.messages.kbytes"), "65536");
}

}  // namespace
