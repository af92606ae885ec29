// Aggregate checkpoints: key and value encoding, and the latest-per-key table a reader builds.
#include "pipeline/checkpoint.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "pipeline/checkpoint_table.h"

using pipeline::Checkpoint;
using pipeline::CheckpointError;
using pipeline::CheckpointTable;

namespace {

Checkpoint sample(std::int32_t partition = 3, std::int64_t offset = 1200) {
  Checkpoint c;
  c.topic = "orders";
  c.partition = partition;
  c.offset = offset;
  c.group = "order-processors";
  c.written_at_ms = 1700000000123;
  c.aggregate.add({"A", "Laptop", 999.99f});
  c.aggregate.add({"B", "Mouse", 0.1f});
  return c;
}

}  // namespace

TEST(CheckpointKey, NamesTheGroupAndRoundTrips) {
  EXPECT_EQ(pipeline::checkpoint_key("order-processors", "orders", 3), "order-processors/orders/3");
  auto k = pipeline::parse_checkpoint_key("g1/my.topic-1/12");
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, (pipeline::CheckpointKey{"g1", "my.topic-1", 12}));
  // A group id may hold '/' (topic names cannot): the last two split the key.
  for (const std::string group : {"a/b", "/lead", "trail/", "x//y", "ünï code", "0"}) {
    const auto back = pipeline::parse_checkpoint_key(pipeline::checkpoint_key(group, "orders", 7));
    ASSERT_TRUE(back) << group;
    EXPECT_EQ(*back, (pipeline::CheckpointKey{group, "orders", 7})) << group;
  }
}

TEST(CheckpointKey, TheOlderFormWithoutAGroupStillParses) {
  EXPECT_EQ(pipeline::legacy_checkpoint_key("orders", 3), "orders/3");
  auto k = pipeline::parse_checkpoint_key("my.topic-1/12");
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, (pipeline::CheckpointKey{"", "my.topic-1", 12}));
}

TEST(CheckpointKey, RejectsAnythingElse) {
  for (const char* bad : {"", "orders", "orders/", "/3", "orders/-1", "orders/x", "orders/03",
                          "orders/3x", "orders/99999999999", "g//3", "/orders/3", "g/orders/",
                          "g/orders/03", "g/orders/-1", "//3", "g/orders/3/"}) {
    EXPECT_FALSE(pipeline::parse_checkpoint_key(bad)) << bad;
  }
}

TEST(CheckpointValue, RoundTripsExactly) {
  const Checkpoint c = sample();
  const std::string text = pipeline::encode_checkpoint(c);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j.at("version"), 1);
  EXPECT_EQ(j.at("offset"), 1200);
  EXPECT_EQ(j.at("aggregate").at("count"), 2);
  EXPECT_EQ(pipeline::decode_checkpoint(text), c);
}

TEST(CheckpointValue, RecordsFinishedAboveTheOffsetRoundTripAsVersion2) {
  Checkpoint c = sample();
  c.finished = {1200, 1210, {1203, 1204, 1209}};
  const std::string text = pipeline::encode_checkpoint(c);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j.at("version"), 2);
  EXPECT_EQ(j.at("finished_above").at("through"), 1210);
  EXPECT_EQ(j.at("finished_above").at("unfinished"), nlohmann::json::parse("[3, 1, 5]"));
  const Checkpoint back = pipeline::decode_checkpoint(text);
  EXPECT_EQ(back, c);
  EXPECT_TRUE(back.finished.contains(1201));
  EXPECT_FALSE(back.finished.contains(1203));
  EXPECT_TRUE(back.finished.contains(1210));
  EXPECT_FALSE(back.finished.contains(1211));
}

TEST(CheckpointValue, RejectsAFinishedSetThatDoesNotFitItsOffset) {
  Checkpoint c = sample();
  c.finished = {1200, 1205, {1201}};
  const auto j = nlohmann::json::parse(pipeline::encode_checkpoint(c));
  for (const char* bad :
       {R"({"through": 1200, "unfinished": []})", R"({"through": 1205, "unfinished": [0]})",
        R"({"through": 1205, "unfinished": [5]})", R"({"through": 1205, "unfinished": [1, -1]})",
        R"({"through": 1202, "unfinished": [1, 1]})", R"({"through": 1205, "unfinished": "x"})"}) {
    auto copy = j;
    copy["finished_above"] = nlohmann::json::parse(bad);
    EXPECT_THROW(pipeline::decode_checkpoint(copy.dump()), CheckpointError) << bad;
  }
}

TEST(CheckpointValue, EmptyAggregateRoundTrips) {
  Checkpoint c = sample();
  c.aggregate = {};
  EXPECT_EQ(pipeline::decode_checkpoint(pipeline::encode_checkpoint(c)), c);
}

TEST(CheckpointValue, RejectsMalformedValuesWithAReason) {
  auto j = nlohmann::json::parse(pipeline::encode_checkpoint(sample()));
  auto mutated = [&](auto&& change) {
    auto copy = j;
    change(copy);
    return copy.dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not JSON"},
      {"[1,2]", "not a JSON object"},
      {mutated([](auto& x) { x["version"] = 4; }), "version 4 is not supported"},
      {mutated([](auto& x) { x.erase("offset"); }), "malformed"},
      {mutated([](auto& x) { x["offset"] = -1; }), "negative"},
      {mutated([](auto& x) { x["partition"] = "3"; }), "malformed"},
      {mutated([](auto& x) { x["aggregate"]["count"] = 5; }), "add up"},
  };
  for (const auto& [text, why] : cases) {
    try {
      pipeline::decode_checkpoint(text);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const CheckpointError& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  }
}

TEST(CheckpointTable, LaterRecordsWinAndTombstonesRemove) {
  CheckpointTable t;
  t.apply("order-processors/orders/0", pipeline::encode_checkpoint(sample(0, 10)));
  t.apply("order-processors/orders/0", pipeline::encode_checkpoint(sample(0, 20)));
  t.apply("order-processors/orders/1", pipeline::encode_checkpoint(sample(1, 5)));
  t.apply("order-processors/other/0", pipeline::encode_checkpoint([] {
            auto c = sample(0, 7);
            c.topic = "other";
            return c;
          }()));
  ASSERT_NE(t.find("order-processors", "orders", 0), nullptr);
  EXPECT_EQ(t.find("order-processors", "orders", 0)->checkpoint->offset, 20);
  EXPECT_EQ(t.for_topic("order-processors", "orders").size(), 2u);
  t.apply("order-processors/orders/1", std::nullopt);
  EXPECT_EQ(t.find("order-processors", "orders", 1), nullptr);
  EXPECT_EQ(t.for_topic("order-processors", "orders").size(), 1u);
  EXPECT_EQ(t.size(), 2u);
}

TEST(CheckpointTable, AnUnreadableLatestValueIsAnErrorNotAFallback) {
  CheckpointTable t;
  t.apply("order-processors/orders/0", pipeline::encode_checkpoint(sample(0, 10)));
  t.apply("order-processors/orders/0", std::string("{broken"));
  const auto* e = t.find("order-processors", "orders", 0);
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->checkpoint);
  EXPECT_NE(e->error.find("not JSON"), std::string::npos);
  // A value filed under the wrong key is not trusted either.
  t.apply("order-processors/orders/1", pipeline::encode_checkpoint(sample(2, 10)));
  EXPECT_EQ(t.find("order-processors", "orders", 1)->error, "value describes orders/2");
  t.apply("garbage-key", std::string("x"));
  EXPECT_EQ(t.foreign_keys(), std::vector<std::string>{"garbage-key"});
}

TEST(CheckpointTable, MergesATopicsPartitions) {
  CheckpointTable t;
  auto a = sample(0, 10);
  auto b = sample(1, 10);
  b.aggregate = {};
  b.aggregate.add({"C", "Laptop", 5.0f});
  t.apply("order-processors/orders/0", pipeline::encode_checkpoint(a));
  t.apply("order-processors/orders/1", pipeline::encode_checkpoint(b));
  t.apply("order-processors/orders/2", std::string("nope"));
  const auto totals = pipeline::merge_topic(t, "order-processors", "orders");
  stats::Aggregate want = a.aggregate;
  want.merge(b.aggregate);
  EXPECT_EQ(totals.aggregate, want);
  ASSERT_EQ(totals.partitions.size(), 2u);
  EXPECT_EQ(totals.partitions[1].partition, 1);
  ASSERT_EQ(totals.errors.size(), 1u);
  EXPECT_EQ(totals.errors[0].rfind("order-processors/orders/2: ", 0), 0u);
  EXPECT_TRUE(pipeline::merge_topic(t, "order-processors", "absent").partitions.empty());
}

namespace {

std::string value_of(const std::string& group, std::int32_t partition, std::int64_t offset) {
  auto c = sample(partition, offset);
  c.group = group;
  return pipeline::encode_checkpoint(c);
}

}  // namespace

TEST(CheckpointTable, TwoGroupsOnOneTopicKeepTheirOwnCheckpoints) {
  CheckpointTable t;
  t.apply("a/orders/0", value_of("a", 0, 10));
  t.apply("b/orders/0", value_of("b", 0, 99));
  t.apply("a/orders/0", value_of("a", 0, 11));
  EXPECT_EQ(t.find("a", "orders", 0)->checkpoint->offset, 11);
  EXPECT_EQ(t.find("b", "orders", 0)->checkpoint->offset, 99);
  EXPECT_EQ(t.find("c", "orders", 0), nullptr);
  EXPECT_EQ(t.groups("orders"), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(pipeline::merge_topic(t, "b", "orders").partitions.at(0).offset, 99);
  // A value filed under another group's key is not trusted.
  t.apply("c/orders/1", value_of("a", 1, 5));
  EXPECT_EQ(t.find("c", "orders", 1)->error, "value describes consumer group 'a'");
}

TEST(CheckpointTable, AnOlderKeyCountsForItsGroupUntilTheGroupWritesItsOwn) {
  CheckpointTable t;
  t.apply("orders/0", value_of("a", 0, 10));
  t.apply("orders/1", value_of("a", 1, 20));
  t.apply("orders/2", value_of("", 2, 30));  // no group named: any group's
  // The older key's group takes it; another group does not.
  EXPECT_EQ(t.find("a", "orders", 0)->checkpoint->offset, 10);
  EXPECT_EQ(t.find("b", "orders", 0), nullptr);
  EXPECT_EQ(t.find("b", "orders", 2)->checkpoint->offset, 30);
  EXPECT_EQ(t.groups("orders"), (std::set<std::string>{"a"}));
  // The group's own key wins from then on, also when it is behind (written before the older
  // key was read: e.g. an older build took the partition over meanwhile).
  t.apply("a/orders/0", value_of("a", 0, 5));
  EXPECT_EQ(t.find("a", "orders", 0)->checkpoint->offset, 5);
  const auto totals = pipeline::merge_topic(t, "a", "orders");
  ASSERT_EQ(totals.partitions.size(), 3u);
  EXPECT_EQ(totals.partitions[0].offset, 5);
  EXPECT_EQ(totals.partitions[1].offset, 20);
  EXPECT_EQ(totals.partitions[2].offset, 30);
  // An unreadable older key may be the group's: reported, not skipped.
  t.apply("orders/3", std::string("{broken"));
  ASSERT_NE(t.find("b", "orders", 3), nullptr);
  EXPECT_EQ(pipeline::merge_topic(t, "b", "orders").errors.at(0).rfind("orders/3: ", 0), 0u);
}
