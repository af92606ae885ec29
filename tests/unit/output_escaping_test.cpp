// Every text output that quotes an order id, a product or a header value escapes it
// (util::printable): the consume report, the DLQ monitor lines and summary, the replay report.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "dlq/render_json.h"
#include "dlq/render_text.h"
#include "dlq/replay_report.h"
#include "dlq/summary.h"
#include "dlq_test_records.h"
#include "stats/consumer_report.h"
#include "util/printable.h"

namespace {

// ESC, a fake log line, a C1 CSI and a right-to-left override.
const std::string kHostile =
    "X\x1b[2J\nINFO - fake\xc2\x9b\xe2\x80\xae"
    "gpj.exe";
const std::string kEscaped = "X\\x1b[2J\\x0aINFO - fake\\u009b\\u202egpj.exe";

void expect_clean(const std::string& text) {
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find("\nINFO - fake"), std::string::npos) << text;
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos) << text;
  EXPECT_EQ(text.find("\xe2\x80\xae"), std::string::npos) << text;
}

}  // namespace

TEST(OutputEscaping, ConsumeReportProducts) {
  stats::ConsumerMetrics m;
  m.aggregate.add(orders::Order{"ORD-1", kHostile, 10.0f});
  const auto text = stats::render_report(m);
  expect_clean(text);
  EXPECT_NE(text.find(kEscaped), std::string::npos) << text;
  expect_clean(stats::render_aggregate_block(m.aggregate));
  // JSON keeps the exact name, as \u escapes only.
  const auto line = util::json_line(stats::to_json(m));
  expect_clean(line);
  EXPECT_EQ(nlohmann::json::parse(line)["aggregate"]["by_product"].begin().key(), kHostile);
}

TEST(OutputEscaping, DlqMonitorRecordAndSummary) {
  dlq_test::Spec s;
  s.order = orders::Order{kHostile, kHostile, 10.0f};
  s.message = kHostile;
  const auto rec = dlq_test::record(s);
  const auto line = dlq::render_record_text(rec, 1, 0);
  expect_clean(line);
  EXPECT_NE(line.find("OrderID=" + kEscaped + ", Product=" + kEscaped), std::string::npos) << line;
  dlq::Summary summary;
  summary.add(rec);
  expect_clean(dlq::render_summary_text(summary, kHostile, 0));
  expect_clean(dlq::dump_line(dlq::record_json(rec, 1, 0)));
  expect_clean(dlq::dump_line(dlq::summary_json(summary, kHostile, 0)));
}

TEST(OutputEscaping, ReplayProblemsAndRefusals) {
  auto src = dlq_test::source_record(dlq_test::Spec{});
  for (auto& [k, v] : src.headers) {
    if (k == "dlq.original.partition") v = kHostile;
  }
  const auto rec = dlq::to_dlq_record(src);
  dlq::ReplayOptions o;
  o.targets.dlq_topic = "orders-dlq";
  dlq::ReplayReport r;
  r.count(rec, dlq::plan_replay(rec, o, 0));  // refused: unreadable headers, quoting the value
  o.force = true;
  r.count(rec, dlq::plan_replay(rec, o, 0));  // unreplayable: a problem, quoting it again
  ASSERT_EQ(r.refusals.size(), 1u);
  ASSERT_EQ(r.problems.size(), 1u);
  const auto text = dlq::render_replay_text(r, {"orders-dlq", "g", false, false, false});
  expect_clean(text);
  EXPECT_NE(text.find(kEscaped), std::string::npos) << text;
  expect_clean(dlq::dump_line(dlq::replay_json(r, {})));
}
