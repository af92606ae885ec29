// The Prometheus text writer and the --http address: pure, no sockets.
#include <gtest/gtest.h>

#include <stdexcept>

#include "observe/exposition.h"
#include "observe/listen_address.h"
#include "stats/latency_histogram.h"

namespace {

using namespace std::chrono_literals;
using observe::escape_label_value;
using observe::Exposition;
using observe::format_value;
using observe::parse_listen_address;

TEST(ObserveExposition, LabelValuesEscapeQuotesBackslashesNewlinesAndBadUtf8) {
  EXPECT_EQ(escape_label_value(R"(a"b\c)"), R"(a\"b\\c)");
  EXPECT_EQ(escape_label_value("line\nbreak"), "line\\nbreak");
  EXPECT_EQ(escape_label_value("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(escape_label_value("bad\xff"), "bad\xef\xbf\xbd");
}

TEST(ObserveExposition, ValuesAreExactIntegersOrShortestDoubles) {
  EXPECT_EQ(format_value(3), "3");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_value(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(format_value(0.0 / 0.0), "NaN");
}

TEST(ObserveExposition, FamiliesHaveHelpAndTypeBeforeTheirSamples) {
  Exposition out;
  out.counter("x_total", "Things\nseen", 7);
  out.family("y", "gauge", "Per topic");
  out.sample("y", {{"topic", "a\"b"}, {"partition", "0"}}, 1.5);
  EXPECT_EQ(out.text(),
            "# HELP x_total Things\\nseen\n# TYPE x_total counter\nx_total 7\n"
            "# HELP y Per topic\n# TYPE y gauge\ny{topic=\"a\\\"b\",partition=\"0\"} 1.5\n");
}

TEST(ObserveExposition, HistogramBucketsAreCumulativeInSeconds) {
  stats::LatencyHistogram h;
  h.record(50us);  // <= 0.0001
  h.record(2ms);   // <= 0.0025
  h.record(3s);    // <= 5
  h.record(500s);  // only +Inf
  Exposition out;
  out.histogram("lat_seconds", {{"k", "v"}}, h);
  const std::string& t = out.text();
  EXPECT_NE(t.find("lat_seconds_bucket{k=\"v\",le=\"0.0001\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("lat_seconds_bucket{k=\"v\",le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(t.find("lat_seconds_bucket{k=\"v\",le=\"0.0025\"} 2\n"), std::string::npos);
  EXPECT_NE(t.find("lat_seconds_bucket{k=\"v\",le=\"5\"} 3\n"), std::string::npos);
  EXPECT_NE(t.find("lat_seconds_bucket{k=\"v\",le=\"120\"} 3\n"), std::string::npos);
  EXPECT_NE(t.find("lat_seconds_bucket{k=\"v\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(t.find("lat_seconds_count{k=\"v\"} 4\n"), std::string::npos);
  EXPECT_NE(t.find("lat_seconds_sum{k=\"v\"} 503.00205\n"), std::string::npos) << t;
}

TEST(ObserveExposition, CumulativeCountsMatchARecountForEveryBound) {
  stats::LatencyHistogram h;
  std::vector<std::uint64_t> values;
  for (std::uint64_t v = 1; v < 5'000'000'000ULL; v = v * 3 + 7) {
    h.record_ns(v);
    values.push_back(v);
  }
  const std::vector<std::uint64_t> bounds = {0, 100, 1000, 123456, 1'000'000'000, 10'000'000'000};
  const auto got = h.cumulative_at(bounds);
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    std::uint64_t expected = 0;
    for (auto v : values) {
      expected += stats::LatencyHistogram::bucket_upper(stats::LatencyHistogram::bucket_index(v)) <=
                  bounds[i];
    }
    EXPECT_EQ(got[i], expected) << "bound " << bounds[i];
  }
}

TEST(ObserveListenAddress, ParsesHostAndPort) {
  auto a = parse_listen_address("127.0.0.1:9464");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 9464);
  auto v6 = parse_listen_address("[::1]:0");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 0);
  EXPECT_EQ(v6.to_string(), "[::1]:0");
  EXPECT_EQ(parse_listen_address("localhost:80").to_string(), "localhost:80");
}

TEST(ObserveListenAddress, RefusesWhatIsNotHostColonPort) {
  for (const char* bad : {"9464", ":9464", "host:", "host:x", "host:70000", "host:-1", "::1:80",
                          "a b:80", "h/x:1", ""}) {
    EXPECT_THROW(parse_listen_address(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
