// Where a replay may write (dlq/replay_target.h), and what the replay makes of hostile dlq.*
// numbers: each is a clear per-record refusal or problem, never undefined behaviour.
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "dlq/replay_plan.h"
#include "dlq/replay_report.h"
#include "dlq/replay_target.h"
#include "dlq_test_records.h"

using dlq::Verdict;
using dlq_test::Spec;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

dlq::ReplayOptions options_for(std::string dlq_topic = "orders-dlq") {
  dlq::ReplayOptions o;
  o.targets.dlq_topic = std::move(dlq_topic);
  o.targets.never_topics = {"orders-aggregates"};
  return o;
}

dlq::DlqRecord aimed_at(const std::string& topic) {
  Spec s;
  s.source_topic = topic;
  return dlq_test::record(s);
}

dlq::DlqRecord with_header(const std::string& key, const std::string& value) {
  auto src = dlq_test::source_record(Spec{});
  for (auto& [k, v] : src.headers) {
    if (k == key) v = value;
  }
  return dlq::to_dlq_record(src);
}

}  // namespace

TEST(DlqReplayTarget, GlobMatch) {
  EXPECT_TRUE(dlq::glob_match("orders", "orders"));
  EXPECT_FALSE(dlq::glob_match("orders", "orders2"));
  EXPECT_TRUE(dlq::glob_match("orders.*", "orders.eu"));
  EXPECT_FALSE(dlq::glob_match("orders.*", "orders"));
  EXPECT_TRUE(dlq::glob_match("*", "anything"));
  EXPECT_TRUE(dlq::glob_match("o?ders-*-v*", "orders-eu-v2"));
  EXPECT_TRUE(dlq::glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(dlq::glob_match("a*b*c", "axxbyy"));
  EXPECT_FALSE(dlq::glob_match("", "x"));
  EXPECT_TRUE(dlq::glob_match("**", ""));
}

TEST(DlqReplayTarget, DefaultAllowsTheTopicTheDlqIsNamedAfter) {
  EXPECT_EQ(dlq::default_allowed("orders-dlq"), std::vector<std::string>{"orders"});
  EXPECT_EQ(dlq::default_allowed("payments.eu-dlq"), std::vector<std::string>{"payments.eu"});
  EXPECT_TRUE(dlq::default_allowed("dead-letters").empty());
  EXPECT_TRUE(dlq::default_allowed("-dlq").empty());

  auto o = options_for();
  EXPECT_EQ(dlq::plan_replay(aimed_at("orders"), o, kNow).verdict, Verdict::replay);
  auto d = dlq::plan_replay(aimed_at("payments"), o, kNow);
  EXPECT_EQ(d.verdict, Verdict::unreplayable);
  EXPECT_NE(d.reason.find("'payments' is not allowed (allowed: orders, the default"),
            std::string::npos)
      << d.reason;
  EXPECT_NE(d.reason.find("stopped here"), std::string::npos) << d.reason;

  // A DLQ not named <topic>-dlq allows nothing until the operator says what.
  auto other = options_for("dead-letters");
  d = dlq::plan_replay(aimed_at("orders"), other, kNow);
  EXPECT_EQ(d.verdict, Verdict::unreplayable);
  EXPECT_NE(d.reason.find("none by default"), std::string::npos) << d.reason;
}

TEST(DlqReplayTarget, AllowPatternsReplaceTheDefault) {
  auto o = options_for();
  o.targets.allow = {"payments", "orders.*"};
  EXPECT_EQ(dlq::plan_replay(aimed_at("payments"), o, kNow).verdict, Verdict::replay);
  EXPECT_EQ(dlq::plan_replay(aimed_at("orders.eu"), o, kNow).verdict, Verdict::replay);
  EXPECT_EQ(dlq::plan_replay(aimed_at("orders"), o, kNow).verdict, Verdict::unreplayable);
}

TEST(DlqReplayTarget, InternalDlqAndAggregatesAreNeverTargetsEvenIfAPatternMatches) {
  auto o = options_for();
  o.targets.allow = {"*"};
  for (const std::string topic : {"__consumer_offsets", "__transaction_state", "_schemas",
                                  "orders-dlq", "orders-aggregates"}) {
    auto d = dlq::plan_replay(aimed_at(topic), o, kNow);
    EXPECT_EQ(d.verdict, Verdict::unreplayable) << topic;
    EXPECT_NE(d.reason.find("target topic '" + topic + "' is"), std::string::npos) << d.reason;
  }
  EXPECT_EQ(dlq::plan_replay(aimed_at("orders-eu"), o, kNow).verdict, Verdict::replay);
}

TEST(DlqReplayTarget, SkipRefusedPassesOverWithTheReason) {
  auto o = options_for();
  o.skip_refused = true;
  auto rec = aimed_at("__consumer_offsets");
  auto d = dlq::plan_replay(rec, o, kNow);
  EXPECT_EQ(d.verdict, Verdict::refused);
  dlq::ReplayReport r;
  r.count(rec, d);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.refused, 1u);
  ASSERT_EQ(r.refusals.size(), 1u);
  EXPECT_EQ(r.refusals[0],
            "orders-dlq[0]@0: target topic '__consumer_offsets' is an internal topic (its name "
            "starts with '_')");
  auto text = dlq::render_replay_text(r, {"orders-dlq", "g", false, false, false});
  EXPECT_NE(text.find("  REFUSED orders-dlq[0]@0: target topic '__consumer_offsets'"),
            std::string::npos)
      << text;
  EXPECT_EQ(dlq::replay_json(r, {})["refusals"].size(), 1u);
}

TEST(DlqReplayTarget, WithoutSkipTheRefusalIsAProblemThatStopsTheRun) {
  auto rec = aimed_at("orders-aggregates");
  auto d = dlq::plan_replay(rec, options_for(), kNow);
  dlq::ReplayReport r;
  r.count(rec, d);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.refused, 0u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("'orders-aggregates' is the aggregates topic"), std::string::npos);
}

TEST(DlqReplayTarget, ToIsTheOperatorsChoiceButNeverANeverTarget) {
  auto o = options_for();
  o.to = "payments";  // not in the allow list: --to is explicit
  EXPECT_NO_THROW(dlq::check_replay_options(o));
  EXPECT_EQ(dlq::plan_replay(aimed_at("__consumer_offsets"), o, kNow).verdict, Verdict::replay);
  for (const std::string bad : {"__consumer_offsets", "orders-dlq", "orders-aggregates"}) {
    o.to = bad;
    EXPECT_THROW(dlq::check_replay_options(o), std::invalid_argument) << bad;
  }
}

TEST(DlqReplayTarget, AllowPatternsAreChecked) {
  auto o = options_for();
  o.targets.allow = {"orders*"};
  EXPECT_NO_THROW(dlq::check_replay_options(o));
  for (const std::string bad : {"", "orders/x", "a b", "\x1b[2J"}) {
    o.targets.allow = {bad};
    EXPECT_THROW(dlq::check_replay_options(o), std::invalid_argument) << bad;
  }
}

TEST(DlqReplayTarget, PartitionOutOfRange) {
  EXPECT_EQ(dlq::partition_refusal(2, 3, "orders"), std::nullopt);
  EXPECT_EQ(dlq::partition_refusal(3, 3, "orders"),
            "dlq.original.partition 3 is out of range: 'orders' has 3 partitions");
  EXPECT_TRUE(dlq::partition_refusal(-1, 3, "orders"));
  EXPECT_TRUE(dlq::partition_refusal(std::numeric_limits<std::int32_t>::max(), 1, "orders"));

  auto o = options_for();
  dlq::ReplayDecision d = dlq::plan_replay(aimed_at("orders"), o, kNow);
  dlq::refuse_target(d, "why", o);
  EXPECT_EQ(d.verdict, Verdict::unreplayable);
  o.skip_refused = true;
  d = dlq::plan_replay(aimed_at("orders"), o, kNow);
  dlq::refuse_target(d, "why", o);
  EXPECT_EQ(d.verdict, Verdict::refused);
  EXPECT_EQ(d.reason, "why");
}

TEST(DlqReplayNumbers, NegativeOrOverflowingPositionsMakeTheHeadersUnreadable) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"dlq.original.partition", "-1"},
           {"dlq.original.partition", "-2147483649"},
           {"dlq.original.partition", "2147483648"},
           {"dlq.original.offset", "-5"},
           {"dlq.original.offset", "9223372036854775808"},
           {"dlq.failed.at", "99999999999999999999"},
           {"dlq.failed.at", "-9223372036854775809"},
           {"dlq.attempts", "-3"},
           {"dlq.attempts", "4294967296"}}) {
    auto rec = with_header(key, value);
    ASSERT_FALSE(rec.info) << key << "=" << value;
    EXPECT_NE(rec.header_error.find("bad value for " + key), std::string::npos) << rec.header_error;
    auto o = options_for();
    auto d = dlq::plan_replay(rec, o, kNow);
    EXPECT_EQ(d.verdict, Verdict::refused) << key;
    EXPECT_NE(d.reason.find(key), std::string::npos) << d.reason;
  }
}

TEST(DlqReplayNumbers, ExtremeButValidTimesDoNotOverflow) {
  for (const std::string at : {"9223372036854775807", "-9223372036854775808"}) {
    auto rec = with_header("dlq.failed.at", at);
    ASSERT_TRUE(rec.info);
    auto o = options_for();
    o.filter.since_ms = 0;
    EXPECT_NO_THROW(dlq::plan_replay(rec, o, kNow));
  }
}

TEST(DlqReplayNumbers, ReplayCountSaturatesAndBadCountsAreRefused) {
  Spec s;
  s.original_headers = {{"dlq.replay.count", "9223372036854775807"}};
  auto rec = dlq_test::record(s);
  EXPECT_EQ(rec.replay_count, std::numeric_limits<std::int64_t>::max());
  auto d = dlq::plan_replay(rec, options_for(), kNow);
  ASSERT_EQ(d.verdict, Verdict::replay);
  EXPECT_EQ(d.record.headers[0],
            (std::pair<std::string, std::string>{"dlq.replay.count", "9223372036854775807"}));

  s.original_headers = {{"dlq.replay.count", "2147483647"}};
  d = dlq::plan_replay(dlq_test::record(s), options_for(), kNow);
  EXPECT_EQ(d.record.headers[0],
            (std::pair<std::string, std::string>{"dlq.replay.count", "2147483648"}));

  for (const std::string bad : {"9223372036854775808", "-1", "two", ""}) {
    s.original_headers = {{"dlq.replay.count", bad}};
    rec = dlq_test::record(s);
    EXPECT_EQ(rec.replay_count, 0) << bad;
    EXPECT_NE(rec.replay_count_error.find("bad value for dlq.replay.count"), std::string::npos);
    auto o = options_for();
    d = dlq::plan_replay(rec, o, kNow);
    EXPECT_EQ(d.verdict, Verdict::refused) << bad;
    EXPECT_NE(d.reason.find("dlq.replay.count"), std::string::npos) << d.reason;
    o.force = true;  // forced: counted afresh
    d = dlq::plan_replay(rec, o, kNow);
    ASSERT_EQ(d.verdict, Verdict::replay);
    EXPECT_EQ(d.record.headers[0], (std::pair<std::string, std::string>{"dlq.replay.count", "1"}));
  }
}

TEST(DlqReplayNumbers, HugeHeaderValuesAreQuotedBounded) {
  auto rec = with_header("dlq.original.partition", std::string(100000, '9'));
  ASSERT_FALSE(rec.info);
  EXPECT_LT(rec.header_error.size(), 200u) << rec.header_error;
  EXPECT_NE(rec.header_error.find("..."), std::string::npos);
}
