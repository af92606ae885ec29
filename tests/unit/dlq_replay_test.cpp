#include <gtest/gtest.h>

#include <stdexcept>

#include "dlq/replay_plan.h"
#include "dlq/replay_report.h"
#include "dlq_test_records.h"

using dlq::Verdict;
using dlq_test::Spec;
using pipeline::ErrorClass;

namespace {
constexpr std::int64_t kNow = 1'800'000'000'000;

// Replaying orders-dlq: its records may go back to "orders" (dlq::default_allowed).
dlq::ReplayOptions defaults() {
  dlq::ReplayOptions o;
  o.targets.dlq_topic = "orders-dlq";
  return o;
}
}  // namespace

TEST(DlqReplayPlan, ReplaysToTheOriginalTopicAndPartition) {
  Spec s;
  s.source_topic = "orders-x";
  s.source_partition = 5;
  auto rec = dlq_test::record(s);
  auto o = defaults();
  o.targets.allow = {"orders-x"};
  auto d = dlq::plan_replay(rec, o, kNow);
  ASSERT_EQ(d.verdict, Verdict::replay);
  EXPECT_EQ(d.record.topic, "orders-x");
  EXPECT_EQ(d.record.partition, 5);
  EXPECT_EQ(d.record.key, rec.raw.key);
  EXPECT_EQ(d.record.value, rec.raw.value);
  pipeline::Headers expected = {
      {"trace-id", "t-1"}, {"dlq.replay.count", "1"}, {"dlq.replayed.at", "1800000000000"}};
  EXPECT_EQ(d.record.headers, expected);
}

TEST(DlqReplayPlan, ToOverridesTopicAndLetsThePartitionerChoose) {
  auto o = defaults();
  o.to = "elsewhere";
  auto d = dlq::plan_replay(dlq_test::record(Spec{}), o, kNow);
  ASSERT_EQ(d.verdict, Verdict::replay);
  EXPECT_EQ(d.record.topic, "elsewhere");
  EXPECT_EQ(d.record.partition, std::nullopt);
}

TEST(DlqReplayPlan, SecondReplayIncrementsAndDropsOldMarkers) {
  Spec s;
  s.original_headers = {{"trace-id", "t-1"}, {"dlq.replay.count", "1"}, {"dlq.replayed.at", "5"}};
  auto d = dlq::plan_replay(dlq_test::record(s), defaults(), kNow);
  pipeline::Headers expected = {
      {"trace-id", "t-1"}, {"dlq.replay.count", "2"}, {"dlq.replayed.at", "1800000000000"}};
  EXPECT_EQ(d.record.headers, expected);
}

TEST(DlqReplayPlan, FilterDecidesSelection) {
  auto o = defaults();
  o.filter.classes = {ErrorClass::validation};
  EXPECT_EQ(dlq::plan_replay(dlq_test::record(Spec{}), o, kNow).verdict, Verdict::not_selected);
}

TEST(DlqReplayPlan, DeserializationRefusedUnlessForced) {
  Spec s;
  s.error_class = ErrorClass::deserialization;
  s.raw_value = "junk";
  auto rec = dlq_test::record(s);
  auto o = defaults();
  auto d = dlq::plan_replay(rec, o, kNow);
  EXPECT_EQ(d.verdict, Verdict::refused);
  EXPECT_FALSE(d.reason.empty());
  o.force = true;
  d = dlq::plan_replay(rec, o, kNow);
  ASSERT_EQ(d.verdict, Verdict::replay);
  EXPECT_EQ(d.record.value, std::optional<std::string>("junk"));
}

TEST(DlqReplayPlan, UnreadableHeaders) {
  auto src = dlq_test::source_record(Spec{});
  src.headers = {{"trace-id", "t"}, {"dlq.replay.count", "4"}};
  auto rec = dlq::to_dlq_record(src);
  auto o = defaults();
  EXPECT_EQ(dlq::plan_replay(rec, o, kNow).verdict, Verdict::refused);
  o.force = true;
  EXPECT_EQ(dlq::plan_replay(rec, o, kNow).verdict, Verdict::unreplayable);
  o.to = "target";
  auto d = dlq::plan_replay(rec, o, kNow);
  ASSERT_EQ(d.verdict, Verdict::replay);
  pipeline::Headers expected = {
      {"trace-id", "t"}, {"dlq.replay.count", "5"}, {"dlq.replayed.at", "1800000000000"}};
  EXPECT_EQ(d.record.headers, expected);
}

TEST(DlqReplayPlan, OptionChecks) {
  auto o = defaults();
  EXPECT_NO_THROW(dlq::check_replay_options(o));
  o.filter.classes = {ErrorClass::deserialization};
  EXPECT_THROW(dlq::check_replay_options(o), std::invalid_argument);
  o.force = true;
  EXPECT_NO_THROW(dlq::check_replay_options(o));
  o.to = "";
  EXPECT_THROW(dlq::check_replay_options(o), std::invalid_argument);
}

TEST(DlqReplayReport, CountsAndMerges) {
  auto o = defaults();
  dlq::ReplayReport a, b;
  auto rec = dlq_test::record(Spec{});
  a.count(rec, dlq::plan_replay(rec, o, kNow));
  Spec ds;
  ds.error_class = ErrorClass::deserialization;
  ds.raw_value = "x";
  auto pill = dlq_test::record(ds);
  b.count(pill, dlq::plan_replay(pill, o, kNow));
  o.filter.classes = {ErrorClass::validation};
  b.count(rec, dlq::plan_replay(rec, o, kNow));
  a.merge(b);
  EXPECT_EQ(a.read, 3u);
  EXPECT_EQ(a.replayed, 1u);
  EXPECT_EQ(a.refused, 1u);
  EXPECT_EQ(a.not_selected, 1u);
  EXPECT_EQ(a.replayed_by_class.at("processing"), 1u);
  EXPECT_EQ(a.refused_by_class.at("deserialization"), 1u);
  EXPECT_EQ(a.replayed_by_topic.at("orders"), 1u);
  EXPECT_EQ(a.replayed_value_cents, 79999);
  EXPECT_TRUE(a.ok());

  auto j = dlq::replay_json(a, {"orders-dlq", "g", false, false, false});
  EXPECT_EQ(j["replayed"], 1);
  EXPECT_EQ(j["value_cents"], 79999);
  EXPECT_EQ(j["ok"], true);
  auto text = dlq::render_replay_text(a, {"orders-dlq", "g", false, false, false});
  EXPECT_NE(text.find("Replayed: 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Value of replayed orders: $799.99\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Refused: 1"), std::string::npos) << text;
}

TEST(DlqReplayReport, UnreplayableIsAProblem) {
  auto src = dlq_test::source_record(Spec{});
  src.headers.clear();
  auto rec = dlq::to_dlq_record(src);
  auto o = defaults();
  o.force = true;
  dlq::ReplayReport r;
  r.count(rec, dlq::plan_replay(rec, o, kNow));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.replayed, 0u);
  auto text = dlq::render_replay_text(r, {"orders-dlq", "g", false, false, false});
  EXPECT_NE(text.find("NOT REPLAYED: orders-dlq[0]@0"), std::string::npos) << text;
}
