// What `orders stats` prints: the text report, the --json object and the choice of group.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "pipeline/checkpoint.h"
#include "pipeline/checkpoint_table.h"
#include "stats/topic_report.h"
#include "util/errors.h"

namespace {

pipeline::Checkpoint sample(const std::string& group, std::int32_t partition, std::int64_t offset) {
  pipeline::Checkpoint c;
  c.topic = "orders";
  c.partition = partition;
  c.offset = offset;
  c.group = group;
  c.written_at_ms = 1700000000123;  // 2023-11-14 22:13:20 UTC
  c.aggregate.add({"A", "Laptop", 999.99f});
  return c;
}

pipeline::CheckpointTable table_of_two_groups() {
  pipeline::CheckpointTable t;
  t.apply("a/orders/0", pipeline::encode_checkpoint(sample("a", 0, 10)));
  t.apply("a/orders/1", pipeline::encode_checkpoint(sample("a", 1, 7)));
  t.apply("b/orders/0", pipeline::encode_checkpoint(sample("b", 0, 99)));
  t.apply("a/orders/2", std::string("{broken"));
  return t;
}

}  // namespace

TEST(TopicReport, UtcText) {
  EXPECT_EQ(stats::utc_text(1700000000123), "2023-11-14 22:13:20");
  EXPECT_EQ(stats::utc_text(0), "1970-01-01 00:00:00");
}

TEST(TopicReport, ChoosesTheOnlyGroupOrTheOneAskedFor) {
  pipeline::CheckpointTable one;
  one.apply("a/orders/0", pipeline::encode_checkpoint(sample("a", 0, 10)));
  EXPECT_EQ(stats::choose_group(one, "orders", "", "orders-aggregates"), "a");
  EXPECT_EQ(stats::choose_group(one, "absent", "", "orders-aggregates"), "");
  const auto two = table_of_two_groups();
  EXPECT_EQ(stats::choose_group(two, "orders", "b", "orders-aggregates"), "b");
  try {
    stats::choose_group(two, "orders", "", "orders-aggregates");
    FAIL() << "two groups without a choice";
  } catch (const util::UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "checkpoints of topic 'orders' in 'orders-aggregates' come from 2 consumer "
                 "groups (a, b): choose one with --group");
  }
}

TEST(TopicReport, JsonNamesTheSourceEveryPartitionAndTheErrors) {
  const auto totals = pipeline::merge_topic(table_of_two_groups(), "a", "orders");
  const auto j = stats::topic_report_json(totals, {"orders", "a", "orders-aggregates"});
  EXPECT_EQ(j.at("topic"), "orders");
  EXPECT_EQ(j.at("group"), "a");
  EXPECT_EQ(j.at("aggregates_topic"), "orders-aggregates");
  EXPECT_EQ(j.at("aggregate"), totals.aggregate.to_json());
  ASSERT_EQ(j.at("partitions").size(), 2u);
  const auto& p1 = j.at("partitions").at(1);
  EXPECT_EQ(p1.at("partition"), 1);
  EXPECT_EQ(p1.at("offset"), 7);
  EXPECT_EQ(p1.at("count"), 1);
  EXPECT_EQ(p1.at("revenue_cents"), 99999);
  EXPECT_EQ(p1.at("group"), "a");
  EXPECT_EQ(p1.at("written_at_ms"), 1700000000123);
  EXPECT_TRUE(p1.at("min").is_number());
  ASSERT_EQ(j.at("errors").size(), 1u);
  EXPECT_EQ(j.at("errors").at(0).get<std::string>().rfind("a/orders/2: ", 0), 0u);
  // Without checkpoints min and max are null.
  const auto empty = stats::topic_report_json({}, {"orders", "", "orders-aggregates"});
  EXPECT_TRUE(empty.at("partitions").empty());
  EXPECT_TRUE(empty.at("errors").empty());
}

TEST(TopicReport, TextShowsTheSourcePartitionsAndUnreadableCheckpoints) {
  const auto totals = pipeline::merge_topic(table_of_two_groups(), "a", "orders");
  const auto text = stats::render_topic_report(totals, {"orders", "a", "orders-aggregates"});
  EXPECT_NE(text.find("Source: topic 'orders', group 'a', checkpoints in 'orders-aggregates'\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("By partition:\n  orders[0]  offset         10  count       1  revenue"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("at 2023-11-14 22:13:20 UTC\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Unreadable checkpoint: a/orders/2: "), std::string::npos) << text;
  // Nothing checkpointed: no partition block.
  const auto none = stats::render_topic_report({}, {"orders", "", "orders-aggregates"});
  EXPECT_EQ(none.find("By partition:"), std::string::npos) << none;
}

TEST(TopicReport, TextEscapesNamesFromTheTopic) {
  const auto text = stats::render_topic_report({}, {"orders", "g\x1b[31m", "orders-aggregates"});
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
}
