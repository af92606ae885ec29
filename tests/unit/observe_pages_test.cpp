// The producer's and the DLQ monitor's pages from snapshots: no broker, no sockets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dlq/dlq_record.h"
#include "observe/dlq_site.h"
#include "observe/producer_site.h"

namespace {

using namespace std::chrono_literals;

TEST(ObserveProducerPage, CountersLatencyAndState) {
  observe::ProducerSnapshot s;
  s.topic = "orders";
  s.requested = 100;
  s.sent = 60;
  s.acknowledged = 55;
  s.failed = 1;
  s.delivery.record(4ms);
  s.history = {{1000, 0, 0}, {2000, 60, 55}};
  const std::string t = observe::render_producer_metrics(s);
  EXPECT_NE(t.find("orders_producer_records_sent_total 60\n"), std::string::npos) << t;
  EXPECT_NE(t.find("orders_producer_records_acknowledged_total 55\n"), std::string::npos);
  EXPECT_NE(t.find("orders_producer_records_failed_total 1\n"), std::string::npos);
  EXPECT_NE(t.find("orders_producer_delivery_latency_seconds_bucket{le=\"0.005\"} 1\n"),
            std::string::npos);
  const auto j = nlohmann::json::parse(observe::render_producer_state(s));
  EXPECT_EQ(j["counters"]["acknowledged"], 55);
  EXPECT_EQ(j["latency_ms"]["delivery"]["count"], 1);
  observe::ProducerSite site;
  EXPECT_EQ(site.get("/readyz").status, 200);
  EXPECT_NE(site.get("/").body.find("data-page=\"producer\""), std::string::npos);
}

TEST(ObserveDlqPage, SummaryByClassAndEscapedRecords) {
  observe::DlqSnapshot s;
  s.topic = "orders-dlq";
  s.summary.total = 3;
  s.summary.by_class = {{"processing", 2}, {"unknown", 1}};
  s.summary.by_message = {{"<script>alert(1)</script>", 2}};
  s.summary.value_cents = 1050;
  s.summary.oldest_failure_ms = 1000;
  s.recent = {R"({"type":"record","n":1,"error_message":"<b>x</b>"})"};
  const std::string t = observe::render_dlq_metrics(s);
  EXPECT_NE(t.find("orders_dlq_records_total{class=\"processing\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("orders_dlq_records_total{class=\"validation\"} 0\n"), std::string::npos);
  EXPECT_NE(t.find("orders_dlq_value_lost_dollars 10.5\n"), std::string::npos);
  EXPECT_NE(t.find("orders_dlq_oldest_failure_timestamp_seconds 1\n"), std::string::npos);
  EXPECT_EQ(t.find("newest_failure"), std::string::npos);  // unknown: no sample
  EXPECT_EQ(t.find("script"), std::string::npos);          // messages are not labels
  const std::string body = observe::render_dlq_state(s);
  EXPECT_EQ(body.find('<'), std::string::npos);
  const auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j["summary"]["by_message"]["<script>alert(1)</script>"], 2);
  EXPECT_EQ(j["recent"][0]["error_message"], "<b>x</b>");
}

}  // namespace
