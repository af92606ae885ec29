// The consumer's /metrics, /api/state and routes, rendered from a snapshot: no broker, no sockets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "observe/consumer_render.h"
#include "observe/consumer_site.h"
#include "observe/rdkafka_stats.h"
#include "orders/order.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using observe::ConsumerSnapshot;

std::shared_ptr<ConsumerSnapshot> sample_snapshot() {
  auto s = std::make_shared<ConsumerSnapshot>();
  s->build = {"0.1.0", "2.0.2"};
  s->topic = "orders";
  s->group = "order-processors";
  s->ready = true;
  s->totals.consumed = 12;
  s->totals.processed = 9;
  s->totals.dead_lettered = 2;
  s->totals.dead_lettered_by_class = {{"deserialization", 1}, {"processing", 1}, {"validation", 0}};
  s->totals.retries = 4;
  s->totals.transactions_committed = 3;
  s->totals.producer_recoveries = 2;
  s->totals.producer_recovery_failures = 1;
  s->totals.aggregate.add(orders::Order{"o-1", "Laptop", 10.5f});
  s->totals.aggregate.add(orders::Order{"o-2", "<b>Mouse</b>", 4.25f});
  s->processing.record(3ms);
  s->partitions.push_back({.partition = 0, .state = "running", .committed = 40, .log_end = 45});
  s->partitions.push_back({.partition = 1, .state = "restoring", .paused = true});
  s->recent_dead_letters.push_back({.at_ms = 1000,
                                    .partition = 1,
                                    .offset = 7,
                                    .key = "k\xff",
                                    .order_id = "</script><img src=x onerror=alert(1)>",
                                    .error_class = "processing",
                                    .reason = "boom \"quoted\"\n\x01",
                                    .attempts = 3});
  s->history = {{1000, 0, 0}, {2000, 12, 11}};
  return s;
}

TEST(ObserveConsumerMetrics, CountersMatchTheReportAndLagIsPerPartition) {
  const std::string t = observe::render_consumer_metrics(*sample_snapshot());
  EXPECT_NE(t.find("orders_consumer_records_consumed_total 12\n"), std::string::npos) << t;
  EXPECT_NE(t.find("orders_consumer_records_processed_total 9\n"), std::string::npos);
  EXPECT_NE(t.find("orders_consumer_dead_letters_total{class=\"processing\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("orders_consumer_retries_total 4\n"), std::string::npos);
  EXPECT_NE(t.find("orders_consumer_transactions_total{outcome=\"committed\"} 3\n"),
            std::string::npos);
  EXPECT_NE(t.find("# TYPE orders_consumer_producer_recoveries_total counter\n"),
            std::string::npos);
  EXPECT_NE(t.find("orders_consumer_producer_recoveries_total{outcome=\"replaced\"} 2\n"),
            std::string::npos);
  EXPECT_NE(t.find("orders_consumer_producer_recoveries_total{outcome=\"failed\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("kafka_consumergroup_lag{consumergroup=\"order-processors\",topic=\"orders\","
                   "partition=\"0\"} 5\n"),
            std::string::npos);
  // Partition 1 has no committed offset yet: no lag sample rather than a made-up one.
  EXPECT_EQ(t.find("partition=\"1\"} "), std::string::npos);
  EXPECT_NE(t.find("orders_consumer_partitions_assigned 2\n"), std::string::npos);
  EXPECT_NE(t.find("orders_consumer_partitions_paused 1\n"), std::string::npos);
  EXPECT_NE(t.find("orders_consumer_aggregate_orders 2\n"), std::string::npos);
  EXPECT_NE(t.find("orders_consumer_aggregate_revenue_dollars 14.75\n"), std::string::npos);
  EXPECT_NE(t.find("orders_consumer_processing_duration_seconds_count 1\n"), std::string::npos);
  EXPECT_NE(t.find("orders_build_info{version=\"0.1.0\",librdkafka=\"2.0.2\"} 1\n"),
            std::string::npos);
  // Untrusted text (order ids, reasons, products) never becomes a label.
  EXPECT_EQ(t.find("onerror"), std::string::npos);
  EXPECT_EQ(t.find("Mouse"), std::string::npos);
}

TEST(ObserveConsumerMetrics, EveryFamilyIsDeclaredOnceBeforeItsSamples) {
  const std::string t = observe::render_consumer_metrics(*sample_snapshot());
  std::set<std::string> declared;
  std::istringstream in(t);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(declared.insert(name).second) << "declared twice: " << name;
    } else if (line[0] != '#') {
      std::string name = line.substr(0, line.find_first_of("{ "));
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s = suffix;
        if (!declared.count(name) && name.size() > s.size() &&
            name.compare(name.size() - s.size(), s.size(), s) == 0) {
          name.erase(name.size() - s.size());
        }
      }
      EXPECT_TRUE(declared.count(name)) << "sample before its TYPE: " << line;
    }
  }
}

TEST(ObserveConsumerState, UntrustedTextIsEscapedAndStillReadable) {
  const std::string body = observe::render_consumer_state(*sample_snapshot());
  // Nothing in the body can open a tag, even if a browser sniffed it as HTML.
  EXPECT_EQ(body.find('<'), std::string::npos);
  EXPECT_EQ(body.find('>'), std::string::npos);
  const json j = json::parse(body);  // valid JSON although the key was not UTF-8
  const auto& d = j["dead_letters"][0];
  EXPECT_EQ(d["order_id"], "</script><img src=x onerror=alert(1)>");
  EXPECT_EQ(d["key"], "k\\xff");
  EXPECT_EQ(d["reason"], "boom \"quoted\"\\x0a\\x01");
  EXPECT_EQ(j["aggregate"]["by_product"].count("<b>Mouse</b>"), 1u);
  EXPECT_EQ(j["counters"]["processed"], 9);
  EXPECT_EQ(j["counters"]["producer_recoveries"], 2);
  EXPECT_EQ(j["counters"]["producer_recovery_failures"], 1);
  EXPECT_EQ(j["partitions"][0]["lag"], 5);
  EXPECT_TRUE(j["partitions"][1]["lag"].is_null());
  EXPECT_EQ(j["history"][1][1], 12);
  EXPECT_EQ(j["latency_ms"]["processing"]["count"], 1);
}

TEST(ObserveConsumerSite, RoutesReadinessAndAssets) {
  observe::ConsumerSite site;
  EXPECT_EQ(site.get("/healthz").status, 200);
  EXPECT_EQ(site.get("/readyz").status, 503);  // nothing published yet
  EXPECT_EQ(site.get("/nope").status, 404);
  EXPECT_EQ(site.get("/static/../etc/passwd").status, 404);
  auto s = sample_snapshot();
  site.publish(s);
  EXPECT_EQ(site.get("/readyz").status, 200);
  auto stopping = std::make_shared<ConsumerSnapshot>(*s);
  stopping->ready = false;
  stopping->stopping = true;
  site.publish(stopping);
  auto r = site.get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "stopping\n");
  auto page = site.get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("throughput-chart"), std::string::npos);
  // Self-contained: no resource from anywhere but this server.
  for (const char* asset : {"/", "/static/app.js", "/static/app.css"}) {
    const auto r = site.get(asset);  // holds what its body points into
    const std::string_view body = r.body;
    EXPECT_FALSE(body.empty()) << asset;
    EXPECT_EQ(body.find("http://"), std::string::npos) << asset;
    EXPECT_EQ(body.find("https://"), std::string::npos) << asset;
  }
  EXPECT_EQ(site.get("/metrics").content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(site.get("/api/state").content_type, "application/json");
}

TEST(ObserveRdkafkaStats, ParsesBrokersAndQueuesLeniently) {
  const char* doc = R"({"name":"rdkafka#consumer-1","replyq":3,"msg_cnt":5,"msg_size":500,
    "tx":10,"rx":9,
    "brokers":{"127.0.0.1:9092/bootstrap":{"name":"127.0.0.1:9092/bootstrap","nodeid":-1},
               "127.0.0.1:9092/1":{"name":"127.0.0.1:9092/1","nodeid":1,"state":"UP",
                 "outbuf_cnt":2,"waitresp_cnt":1,"rtt":{"avg":1500,"p99":4000}}},
    "topics":{"orders":{"partitions":{"0":{"fetchq_cnt":7},"-1":{"fetchq_cnt":0}}}}})";
  auto s = observe::parse_rdkafka_stats(doc, "consumer");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->replyq_events, 3u);
  EXPECT_EQ(s->queued_messages, 5u);
  EXPECT_EQ(s->fetchq_messages, 7u);
  ASSERT_EQ(s->brokers.size(), 1u);
  EXPECT_EQ(s->brokers[0].name, "127.0.0.1:9092/1");
  EXPECT_DOUBLE_EQ(s->brokers[0].rtt_avg_seconds, 0.0015);
  EXPECT_DOUBLE_EQ(s->brokers[0].rtt_p99_seconds, 0.004);
  EXPECT_FALSE(observe::parse_rdkafka_stats("not json", "x"));
  EXPECT_FALSE(observe::parse_rdkafka_stats("[1]", "x"));
  auto odd = observe::parse_rdkafka_stats(R"({"replyq":"x","brokers":[1]})", "x");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->replyq_events, 0u);
  observe::Exposition out;
  observe::write_rdkafka_metrics(out, {*s});
  EXPECT_NE(out.text().find("orders_rdkafka_broker_rtt_avg_seconds{client=\"consumer\","
                            "broker=\"127.0.0.1:9092/1\"} 0.0015\n"),
            std::string::npos)
      << out.text();
}

}  // namespace
