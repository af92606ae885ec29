#include <gtest/gtest.h>

#include <cmath>

#include "dlq/printable.h"
#include "dlq/render_json.h"
#include "dlq/render_text.h"
#include "dlq/summary.h"
#include "dlq_test_records.h"

using dlq_test::Spec;
using pipeline::ErrorClass;

namespace {

constexpr std::int64_t kNow = 1'714'566'896'789 + 312'000;

std::vector<dlq::DlqRecord> mixed() {
  std::vector<dlq::DlqRecord> out;
  Spec a;  // processing, 799.99
  a.failed_at_ms -= 1000;
  out.push_back(dlq_test::record(a));
  Spec b;
  b.order = orders::Order{"ORD-2", "Mouse", 29.99f};
  b.source_partition = 2;
  out.push_back(dlq_test::record(b));
  Spec c;
  c.order = orders::Order{"ORD-3", "Tablet", -1.0f};  // no value: price is not money
  c.error_class = ErrorClass::validation;
  c.message = "invalid order: price must be > 0 (got -1)";
  c.attempts = 0;
  c.failed_at_ms += 7000;
  out.push_back(dlq_test::record(c));
  Spec d;
  d.raw_value = std::string("\x0a\xff\x00", 3);
  d.error_class = ErrorClass::deserialization;
  d.message = "invalid Avro Order: truncated";
  d.attempts = 0;
  d.source_partition = 2;
  out.push_back(dlq_test::record(d));
  return out;
}

dlq::Summary summarize(const std::vector<dlq::DlqRecord>& records) {
  dlq::Summary s;
  for (const auto& r : records) s.add(r);
  return s;
}

}  // namespace

TEST(DlqSummary, CountsEverything) {
  auto s = summarize(mixed());
  EXPECT_EQ(s.total, 4u);
  EXPECT_EQ(s.undecodable, 1u);
  EXPECT_EQ(s.unreadable_headers, 0u);
  EXPECT_EQ(s.by_class, (std::map<std::string, std::uint64_t>{
                            {"deserialization", 1}, {"processing", 2}, {"validation", 1}}));
  EXPECT_EQ(s.by_message.at("max retries exceeded: simulated failure"), 2u);
  EXPECT_EQ(s.by_message.size(), 3u);
  EXPECT_EQ((s.by_source_partition.at({"orders", 0})), 2u);
  EXPECT_EQ((s.by_source_partition.at({"orders", 2})), 2u);
  EXPECT_EQ(s.value_cents, 79999 + 2999);
  EXPECT_EQ(s.valued_orders, 2u);
  EXPECT_EQ(s.oldest_failure_ms, 1'714'566'896'789 - 1000);
  EXPECT_EQ(s.newest_failure_ms, 1'714'566'896'789 + 7000);
}

TEST(DlqSummary, ExactCentsOverManyOrders) {
  dlq::Summary s;
  std::int64_t expected = 0;
  for (int i = 0; i < 1000; ++i) {
    Spec sp;
    const float price = 0.01f * static_cast<float>(i % 97 + 1) + 10.0f;
    sp.order = orders::Order{"ORD-" + std::to_string(i), "P", price};
    expected += std::llround(static_cast<double>(price) * 100.0);
    s.add(dlq_test::record(sp));
  }
  EXPECT_EQ(s.value_cents, expected);
}

TEST(DlqSummary, UnreadableHeadersAreCountedApart) {
  auto src = dlq_test::source_record(Spec{});
  src.headers = {{"x", "y"}};
  dlq::Summary s;
  s.add(dlq::to_dlq_record(src));
  EXPECT_EQ(s.unreadable_headers, 1u);
  EXPECT_EQ(s.by_class.at("unknown"), 1u);
  EXPECT_EQ(s.by_message.at(dlq::kUnreadableHeadersMessage), 1u);
  EXPECT_TRUE(s.by_source_partition.empty());
  EXPECT_EQ(s.oldest_failure_ms, src.timestamp_ms);
}

TEST(DlqRenderText, RecordLineLikeTheOriginal) {
  auto records = mixed();
  EXPECT_EQ(dlq::render_record_text(records[1], 2, kNow),
            "DLQ Message #2: OrderID=ORD-2, Product=Mouse, Price=$29.99, "
            "Error='max retries exceeded: simulated failure', Class=processing, "
            "Source=orders[2]@0, Attempts=3, Age=5m12s");
}

TEST(DlqRenderText, PoisonPillAsHex) {
  auto line = dlq::render_record_text(mixed()[3], 4, kNow);
  EXPECT_NE(line.find("Value=<not an Order, 3 bytes: 0a ff 00>"), std::string::npos) << line;
  EXPECT_NE(line.find("Class=deserialization"), std::string::npos) << line;
}

TEST(DlqRenderText, EscapesControlCharactersAndBadBytes) {
  Spec s;
  s.message = "line1\nline2 \xff end";
  auto line = dlq::render_record_text(dlq_test::record(s), 1, kNow);
  EXPECT_NE(line.find("Error='line1\\x0aline2 \\xff end'"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(dlq::printable("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(DlqRenderText, HexPreviewIsBounded) {
  EXPECT_EQ(dlq::hex_preview(""), "0 bytes");
  EXPECT_EQ(dlq::hex_preview("A"), "1 byte: 41");
  EXPECT_EQ(dlq::hex_preview("ABCDE", 2), "5 bytes: 41 42 ...");
}

TEST(DlqRenderText, SummaryBlock) {
  auto text = dlq::render_summary_text(summarize(mixed()), "orders-dlq", kNow);
  for (const char* want :
       {"DEAD LETTER QUEUE SUMMARY: orders-dlq\n", "Total failed messages: 4\n",
        "  - processing: 2\n", "  - max retries exceeded: simulated failure: 2 occurrences\n",
        "  - invalid Avro Order: truncated: 1 occurrence\n", "  - orders[2]: 2\n",
        "Total value of failed orders: $829.98 (2 orders; 1 value not an Order)\n",
        "Oldest failure: 2024-05-01T12:34:55.789Z (5m13s ago)\n",
        "Newest failure: 2024-05-01T12:35:03.789Z (5m05s ago)\n"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n---\n" << text;
  }
}

TEST(DlqRenderText, FoldsRareMessages) {
  dlq::Summary s;
  for (int i = 0; i < 15; ++i) {
    Spec sp;
    sp.message = "error " + std::to_string(i);
    s.add(dlq_test::record(sp));
  }
  auto text = dlq::render_summary_text(s, "t", kNow);
  EXPECT_NE(text.find("  - (5 other messages): 5 occurrences\n"), std::string::npos) << text;
}

TEST(DlqRenderText, EmptySummary) {
  auto text = dlq::render_summary_text(dlq::Summary{}, "t", kNow);
  EXPECT_NE(text.find("Total failed messages: 0\n"), std::string::npos);
  EXPECT_NE(text.find("Total value of failed orders: $0.00"), std::string::npos);
  EXPECT_EQ(text.find("Oldest"), std::string::npos);
}

TEST(DlqRenderJson, RecordObject) {
  auto records = mixed();
  auto j = dlq::record_json(records[0], 1, kNow);
  EXPECT_EQ(j["type"], "record");
  EXPECT_EQ(j["order"]["orderId"], "ORD-1");
  EXPECT_EQ(j["order"]["price_cents"], 79999);
  EXPECT_EQ(j["order"]["price"].get<double>(), static_cast<double>(799.99f));
  EXPECT_EQ(j["error_class"], "processing");
  EXPECT_EQ(j["source"]["topic"], "orders");
  EXPECT_EQ(j["attempts"], 3);
  EXPECT_EQ(j["age_ms"], 313'000);

  auto pill = dlq::record_json(records[3], 4, kNow);
  EXPECT_TRUE(pill["order"].is_null());
  EXPECT_EQ(pill["value_hex"], "0aff00");
  EXPECT_EQ(pill["value_bytes"], 3);
  EXPECT_EQ(pill["value_preview"], "3 bytes: 0a ff 00");
}

TEST(DlqRenderJson, SummaryObject) {
  auto j = dlq::summary_json(summarize(mixed()), "orders-dlq", kNow);
  EXPECT_EQ(j["type"], "summary");
  EXPECT_EQ(j["total"], 4);
  EXPECT_EQ(j["by_class"]["processing"], 2);
  EXPECT_EQ(j["value_cents"], 82998);
  EXPECT_EQ(j["by_source_partition"]["orders"]["2"], 2);
  EXPECT_EQ(j["oldest_failure_ms"], 1'714'566'895'789);
}

TEST(DlqRenderJson, DumpSurvivesInvalidUtf8) {
  Spec s;
  s.message = "bad \xff\xfe bytes";
  auto line = dlq::dump_line(dlq::record_json(dlq_test::record(s), 1, kNow));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  nlohmann::json parsed;
  EXPECT_NO_THROW(parsed = nlohmann::json::parse(line));
  EXPECT_EQ(parsed["error_class"], "processing");
}
