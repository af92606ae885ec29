// The aggregates topic's configuration: what is refused and why.
#include "consume/aggregates_topic.h"

#include <gtest/gtest.h>

using consume::aggregates_topic_problem;

namespace {

std::map<std::string, std::string> broker_defaults(std::string policy) {
  return {{"cleanup.policy", std::move(policy)},
          {"retention.ms", "604800000"},
          {"retention.bytes", "-1"},
          {"segment.ms", "604800000"}};
}

}  // namespace

TEST(AggregatesTopic, TheConfigItIsCreatedWithIsAccepted) {
  auto config = broker_defaults("delete");
  for (const auto& [k, v] : consume::aggregates_topic_config()) config[k] = v;
  EXPECT_EQ(aggregates_topic_problem(config), std::nullopt);
}

TEST(AggregatesTopic, ADeletingPolicyIsRefusedWithTheReason) {
  for (const char* policy : {"delete", "", "Compact", "compacted"}) {
    const auto problem = aggregates_topic_problem(broker_defaults(policy));
    ASSERT_TRUE(problem) << policy;
    EXPECT_NE(problem->find("not compact"), std::string::npos) << *problem;
    EXPECT_NE(problem->find(std::string("'") + policy + "'"), std::string::npos) << *problem;
  }
}

TEST(AggregatesTopic, CompactAndDeleteOnlyWithoutRetention) {
  for (const char* policy : {"compact,delete", "delete,compact", " compact , delete "}) {
    const auto problem = aggregates_topic_problem(broker_defaults(policy));
    ASSERT_TRUE(problem) << policy;
    EXPECT_NE(problem->find("retention.ms=604800000"), std::string::npos) << *problem;
    auto forever = broker_defaults(policy);
    forever["retention.ms"] = "-1";
    EXPECT_EQ(aggregates_topic_problem(forever), std::nullopt) << policy;
    forever["retention.bytes"] = "1048576";
    ASSERT_TRUE(aggregates_topic_problem(forever)) << policy;
    EXPECT_NE(aggregates_topic_problem(forever)->find("retention.bytes=1048576"),
              std::string::npos);
  }
  // Compaction alone ignores retention.
  EXPECT_EQ(aggregates_topic_problem(broker_defaults("compact")), std::nullopt);
}

TEST(AggregatesTopic, WhatTheBrokerDidNotReportIsNotHeldAgainstIt) {
  EXPECT_EQ(aggregates_topic_problem({}), std::nullopt);
  EXPECT_EQ(aggregates_topic_problem({{"cleanup.policy", "compact,delete"}}), std::nullopt);
}
