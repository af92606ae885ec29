// process::HttpProcessor against a real service (tests/support/order_service.py, python3).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <set>

#include "owned_request.h"
#include "process/http_processor.h"
#include "process_service.h"

using namespace std::chrono_literals;
using pipeline::ProcessCompletion;
using pipeline::ProcessRequest;
using pipeline::ProcessResult;
using Kind = ProcessResult::Kind;
using Clock = std::chrono::steady_clock;

namespace {

OwnedRequest order_request(std::uint64_t id, const std::string& order_id, int attempt = 1) {
  OwnedRequest r;
  r.id = id;
  r.order = {order_id, "Widget", 19.99f};
  r.topic = "orders";
  r.partition = 2;
  r.offset = static_cast<std::int64_t>(100 + id);
  r.attempt = attempt;
  return r;
}

// Polls until `n` completions arrived (or a 10 s hang guard).
std::vector<ProcessCompletion> wait_for(process::HttpProcessor& p, std::size_t n) {
  std::vector<ProcessCompletion> out;
  const auto deadline = Clock::now() + 10s;
  while (out.size() < n && Clock::now() < deadline) p.poll(200ms, -1, out);
  return out;
}

ProcessResult one(process::HttpProcessor& p, const OwnedRequest& r) {
  const auto id = r.id;
  p.start(r.view());
  const auto done = wait_for(p, 1);
  EXPECT_EQ(done.size(), 1u);
  if (done.empty()) return ProcessResult::permanent("no completion");
  EXPECT_EQ(done[0].id, id);
  EXPECT_EQ(p.in_flight(), 0u);
  return done[0].result;
}

// The value of header `name` in a /_requests entry ("" when absent).
std::string header(const nlohmann::json& entry, const std::string& name) {
  for (const auto& h : entry["headers"]) {
    if (h[0].get<std::string>() == name) return h[1].get<std::string>();
  }
  return "";
}

bool has_header(const nlohmann::json& entry, const std::string& name) {
  for (const auto& h : entry["headers"]) {
    if (h[0].get<std::string>() == name) return true;
  }
  return false;
}

std::string imf_date(std::chrono::system_clock::time_point t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

class HttpProcessorTest : public ::testing::Test {
 protected:
  process::HttpSettings settings() const {
    process::HttpSettings s;
    s.url = service_.url();
    s.timeout = 5s;
    s.connect_timeout = 2s;
    return s;
  }
  void script(const std::string& order_id, nlohmann::json steps) {
    service_.control({{"scripts", {{order_id, std::move(steps)}}}});
  }

  process_test::OrderService service_;
};

}  // namespace

TEST_F(HttpProcessorTest, SuccessPostsTheOrderWithItsHeaders) {
  process::HttpProcessor p(settings());
  EXPECT_EQ(one(p, order_request(1, "ORD-1")), ProcessResult::success());
  const auto seen = service_.requests();
  ASSERT_EQ(seen.size(), 1u);
  const auto& r = seen[0];
  EXPECT_EQ(r["method"], "POST");
  EXPECT_EQ(r["path"], "/orders");
  EXPECT_EQ(r["order"],
            (nlohmann::json{{"orderId", "ORD-1"}, {"product", "Widget"}, {"price", 19.99}}));
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  EXPECT_EQ(header(r, "Idempotency-Key"), "orders/2/101");
  EXPECT_EQ(header(r, "Orders-Topic"), "orders");
  EXPECT_EQ(header(r, "Orders-Partition"), "2");
  EXPECT_EQ(header(r, "Orders-Offset"), "101");
  EXPECT_EQ(header(r, "Orders-Attempt"), "1");
  EXPECT_FALSE(has_header(r, "Orders-Key"));
  EXPECT_FALSE(has_header(r, "traceparent"));
  EXPECT_FALSE(has_header(r, "Expect"));
}

TEST_F(HttpProcessorTest, RetryAfterSecondsAndDate) {
  script("A", {{{"status", 503}, {"retry_after", "3"}, {"body", "busy"}}});
  script("B",
         {{{"status", 503}, {"retry_after", imf_date(std::chrono::system_clock::now() + 30s)}}});
  process::HttpProcessor p(settings());
  const auto a = one(p, order_request(1, "A"));
  EXPECT_EQ(a.kind, Kind::transient);
  EXPECT_EQ(a.error, "HTTP 503: busy");
  EXPECT_EQ(a.retry_after, 3000ms);
  EXPECT_FALSE(a.no_answer);
  const auto b = one(p, order_request(2, "B"));
  ASSERT_TRUE(b.retry_after);
  EXPECT_GE(*b.retry_after, 25s);
  EXPECT_LE(*b.retry_after, 31s);
}

TEST_F(HttpProcessorTest, TooManyRequestsIsTransient) {
  script("A", {{{"status", 429}}});
  process::HttpProcessor p(settings());
  const auto r = one(p, order_request(1, "A"));
  EXPECT_EQ(r.kind, Kind::transient);
  EXPECT_FALSE(r.retry_after);
}

TEST_F(HttpProcessorTest, NotFoundIsPermanentWithAnEscapedBoundedExcerpt) {
  script("A", {{{"status", 404}, {"body", "no\u001b[2J order\n" + std::string(1000, 'z')}}});
  process::HttpProcessor p(settings());
  const auto r = one(p, order_request(1, "A"));
  EXPECT_EQ(r.kind, Kind::permanent);
  EXPECT_EQ(r.error.rfind("HTTP 404: no\\x1b[2J order\\x0azzzz", 0), 0u) << r.error;
  EXPECT_LE(r.error.size(), 10 + 200 * 4 + 3);
}

TEST_F(HttpProcessorTest, RedirectIsNotFollowed) {
  script("A", {{{"status", 302}, {"headers", {{"Location", "/elsewhere"}}}}});
  process::HttpProcessor p(settings());
  const auto r = one(p, order_request(1, "A"));
  EXPECT_EQ(r.kind, Kind::permanent);
  EXPECT_EQ(r.error, "HTTP 302");
  EXPECT_EQ(service_.requests().size(), 1u);
}

TEST_F(HttpProcessorTest, OutcomeHeaderOverridesTheStatus) {
  script("A", {{{"status", 200}, {"outcome", "Dead-Letter"}, {"body", "bad sku"}}});
  script("B", {{{"status", 503}, {"outcome", "processed"}}});
  script("C", {{{"status", 200}, {"outcome", "retry"}, {"retry_after", "2"}}});
  process::HttpProcessor p(settings());
  const auto a = one(p, order_request(1, "A"));
  EXPECT_EQ(a.kind, Kind::permanent);
  EXPECT_EQ(a.error, "HTTP 200 (Orders-Outcome: dead-letter): bad sku");
  EXPECT_EQ(one(p, order_request(2, "B")), ProcessResult::success());
  const auto c = one(p, order_request(3, "C"));
  EXPECT_EQ(c.kind, Kind::transient);
  EXPECT_EQ(c.retry_after, 2000ms);
}

TEST_F(HttpProcessorTest, NothingListeningIsANoAnswer) {
  auto s = settings();
  s.url = "http://127.0.0.1:" + std::to_string(process_test::unused_port()) + "/orders";
  process::HttpProcessor p(s);
  const auto r = one(p, order_request(1, "A"));
  EXPECT_EQ(r.kind, Kind::transient);
  EXPECT_TRUE(r.no_answer);
  EXPECT_EQ(r.error.rfind("could not connect", 0), 0u) << r.error;
}

TEST_F(HttpProcessorTest, ClosedWithoutAnswerIsANoAnswer) {
  service_.control({{"mode", "down"}});
  process::HttpProcessor p(settings());
  const auto r = one(p, order_request(1, "A"));
  EXPECT_EQ(r.kind, Kind::transient);
  EXPECT_TRUE(r.no_answer);
}

TEST_F(HttpProcessorTest, TimeoutIsANoAnswerWithinTheBound) {
  script("A", {{{"delay_ms", 3000}}});
  auto s = settings();
  s.timeout = 300ms;
  process::HttpProcessor p(s);
  const auto t0 = Clock::now();
  const auto r = one(p, order_request(1, "A"));
  EXPECT_LT(Clock::now() - t0, 2500ms);  // a hang guard, not a performance figure
  EXPECT_EQ(r.kind, Kind::transient);
  EXPECT_TRUE(r.no_answer);
  EXPECT_EQ(r.error.rfind("no answer within the timeout", 0), 0u) << r.error;
}

TEST_F(HttpProcessorTest, ManyInFlightCompleteOutOfOrder) {
  constexpr int kCount = 50;
  nlohmann::json scripts = nlohmann::json::object();
  for (int i = 0; i < kCount; ++i) {
    scripts["O" + std::to_string(i)] = {{{"delay_ms", (kCount - i) * 20}}};
  }
  service_.control({{"scripts", scripts}});
  process::HttpProcessor p(settings());
  for (int i = 0; i < kCount; ++i) p.start(order_request(i, "O" + std::to_string(i)).view());
  EXPECT_EQ(p.in_flight(), static_cast<std::size_t>(kCount));
  const auto done = wait_for(p, kCount);
  ASSERT_EQ(done.size(), static_cast<std::size_t>(kCount));
  std::set<std::uint64_t> ids;
  for (const auto& c : done) {
    EXPECT_EQ(c.result, ProcessResult::success()) << c.result.error;
    ids.insert(c.id);
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(p.in_flight(), 0u);
  EXPECT_GT(done.front().id, done.back().id);  // the last started waited least
}

TEST_F(HttpProcessorTest, CancelledAttemptNeverCompletes) {
  script("slow", {{{"delay_ms", 1500}}});
  process::HttpProcessor p(settings());
  p.start(order_request(1, "slow").view());
  std::vector<ProcessCompletion> early;
  p.poll(50ms, -1, early);
  EXPECT_TRUE(early.empty());
  p.cancel(1);
  p.cancel(77);  // unknown: nothing happens
  EXPECT_EQ(p.in_flight(), 0u);
  EXPECT_EQ(one(p, order_request(2, "fast")), ProcessResult::success());
  std::vector<ProcessCompletion> out;
  const auto t0 = Clock::now();
  while (Clock::now() - t0 < 1800ms) p.poll(100ms, -1, out);
  EXPECT_TRUE(out.empty());
}

TEST_F(HttpProcessorTest, HeadersAcrossAttemptsKeysAndExtraHeaders) {
  char path[] = "/tmp/process_headers_XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "# test\nAuthorization: Bearer t0ken\nX-Tenant: eu-1\n";
  script("A", {{{"status", 503}}});
  auto s = settings();
  s.header_file = path;
  process::HttpProcessor p(s);
  auto first = order_request(5, "A", 1);
  first.key = "cust\r\nX-Injected: 1";
  first.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  auto second = first;
  second.id = 6;
  second.attempt = 2;
  EXPECT_EQ(one(p, first).kind, Kind::transient);
  EXPECT_EQ(one(p, second), ProcessResult::success());
  ::unlink(path);
  const auto seen = service_.requests();
  ASSERT_EQ(seen.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(header(seen[i], "Idempotency-Key"), "orders/2/105");
    EXPECT_EQ(header(seen[i], "Orders-Attempt"), std::to_string(i + 1));
    EXPECT_EQ(header(seen[i], "Orders-Key"), "cust%0D%0AX-Injected: 1");
    EXPECT_FALSE(has_header(seen[i], "X-Injected"));
    EXPECT_EQ(header(seen[i], "traceparent"), *first.traceparent);
    EXPECT_EQ(header(seen[i], "Authorization"), "Bearer t0ken");
    EXPECT_EQ(header(seen[i], "X-Tenant"), "eu-1");
  }
  // Kept alive: the second attempt came over the first's connection.
  EXPECT_EQ(seen[0]["peer"], seen[1]["peer"]);
}

TEST_F(HttpProcessorTest, BodyLongerThanTheBoundIsCut) {
  script("A", {{{"status", 500}, {"body_bytes", 200000}}});
  script("B", {{{"status", 200}, {"body_bytes", 200000}}});
  auto s = settings();
  s.max_body_bytes = 1000;
  process::HttpProcessor p(s);
  const auto a = one(p, order_request(1, "A"));
  EXPECT_EQ(a.kind, Kind::transient);
  EXPECT_FALSE(a.no_answer);
  EXPECT_EQ(a.error, "HTTP 500: " + std::string(200, 'x') + "...");
  EXPECT_EQ(one(p, order_request(2, "B")), ProcessResult::success());
}

TEST_F(HttpProcessorTest, WakeFdEndsTheWaitEarly) {
  script("slow", {{{"delay_ms", 3000}}});
  process::HttpProcessor p(settings());
  p.start(order_request(1, "slow").view());
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ASSERT_EQ(::write(pipe_fds[1], "x", 1), 1);
  std::vector<ProcessCompletion> out;
  const auto t0 = Clock::now();
  p.poll(10s, pipe_fds[0], out);
  EXPECT_LT(Clock::now() - t0, 2s);  // hang guard: without the wake it would wait 3 s
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(p.in_flight(), 1u);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST_F(HttpProcessorTest, PollWithNothingInFlightReturnsAtOnce) {
  process::HttpProcessor p(settings());
  std::vector<ProcessCompletion> out;
  const auto t0 = Clock::now();
  p.poll(10s, -1, out);
  EXPECT_LT(Clock::now() - t0, 2s);
  EXPECT_TRUE(out.empty());
}

TEST_F(HttpProcessorTest, DestructorWithTransfersInFlight) {
  script("slow", {{{"delay_ms", 2000}}});
  auto p = std::make_unique<process::HttpProcessor>(settings());
  for (int i = 0; i < 5; ++i) p->start(order_request(i, "slow").view());
  std::vector<ProcessCompletion> out;
  p->poll(100ms, -1, out);
  p.reset();  // ASan: nothing leaks, nothing is used after free
}

// A throwaway self-signed certificate for 127.0.0.1 (openssl's command line).
class HttpProcessorTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/process_tls_XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
        dir_ + "/key.pem -out " + dir_ + "/cert.pem 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    service_ = std::make_unique<process_test::OrderService>(
        std::vector<std::string>{"--tls-cert", dir_ + "/cert.pem", "--tls-key", dir_ + "/key.pem"});
  }
  void TearDown() override {
    service_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }
  process::HttpSettings settings() const {
    process::HttpSettings s;
    s.url = "https://127.0.0.1:" + std::to_string(service_->port()) + "/orders";
    s.timeout = 5s;
    return s;
  }

  std::string dir_;
  std::unique_ptr<process_test::OrderService> service_;
};

TEST_F(HttpProcessorTlsTest, VerifiedWithTheGivenCa) {
  auto s = settings();
  s.ca_file = dir_ + "/cert.pem";
  process::HttpProcessor p(s);
  EXPECT_EQ(one(p, order_request(1, "A")), ProcessResult::success());
  EXPECT_EQ(one(p, order_request(2, "B")), ProcessResult::success());
}

TEST_F(HttpProcessorTlsTest, UnknownCertificateIsANoAnswer) {
  process::HttpProcessor p(settings());  // the system's CAs do not know it
  const auto r = one(p, order_request(1, "A"));
  EXPECT_EQ(r.kind, Kind::transient);
  EXPECT_TRUE(r.no_answer);
  EXPECT_EQ(r.error.rfind("TLS failed", 0), 0u) << r.error;
}

TEST(HttpProcessorSettings, BadSettingsAreClearErrors) {
  const auto message = [](process::HttpSettings s) -> std::string {
    try {
      process::HttpProcessor p(std::move(s));
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  process::HttpSettings s;
  s.url = "ftp://example.com/";
  EXPECT_NE(message(s).find("not an http:// or https:// URL"), std::string::npos);
  s.url = "http://";
  EXPECT_NE(message(s).find("no host"), std::string::npos);
  s.url = "https://user:pw@example.com/";
  EXPECT_EQ(message(s).find("pw@"), std::string::npos);
  EXPECT_NE(message(s).find("credentials in the URL"), std::string::npos);
  s.url = "http://127.0.0.1:1/";
  s.ca_file = "/nonexistent/ca.pem";
  EXPECT_NE(message(s).find("--process-ca /nonexistent/ca.pem: cannot read it"), std::string::npos);
  s.ca_file.reset();
  s.cert_file = "/etc/hostname";
  EXPECT_NE(message(s).find("go together"), std::string::npos);
  s.cert_file.reset();
  s.timeout = 0ms;
  EXPECT_NE(message(s).find("--process-timeout must be positive"), std::string::npos);
}
