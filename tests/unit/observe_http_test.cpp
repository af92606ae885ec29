// The --http server's pure policies: the Host rule (DNS rebinding), the page rendered once per
// snapshot, and which slow connections are closed. No sockets.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "observe/connection_reaper.h"
#include "observe/consumer_site.h"
#include "observe/host_rule.h"
#include "observe/render_once.h"

namespace {

using namespace std::chrono_literals;
using observe::host_allowed;
using observe::HostRule;

TEST(ObserveHostRule, LoopbackAcceptsItsAddressAndLocalhostOnly) {
  const HostRule r{"127.0.0.1", "127.0.0.1", {}};
  EXPECT_TRUE(host_allowed("127.0.0.1", r));
  EXPECT_TRUE(host_allowed("127.0.0.1:9464", r));
  EXPECT_TRUE(host_allowed("127.0.0.1:1", r));  // a port forward may change the port
  EXPECT_TRUE(host_allowed("localhost:9464", r));
  EXPECT_TRUE(host_allowed("LocalHost.:9464", r));
  // A name that resolves here is exactly what a rebinding attack uses.
  EXPECT_FALSE(host_allowed("evil.example:9464", r));
  EXPECT_FALSE(host_allowed("127.0.0.1.nip.io:9464", r));
  EXPECT_FALSE(host_allowed("localhost.evil.example", r));
  EXPECT_FALSE(host_allowed("127.0.0.2:9464", r));  // not the bound address
  EXPECT_FALSE(host_allowed("[::1]:9464", r));
}

TEST(ObserveHostRule, MalformedHostsAreRefused) {
  const HostRule r{"127.0.0.1", "127.0.0.1", {}};
  for (const char* bad : {"", ":9464", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:123456",
                          "127.0.0.1:80:80", "[127.0.0.1]", "::1", "[::1", "[::1]x",
                          "[::1]:", "local host", "localhost/", "localhost\r", "user@localhost"}) {
    EXPECT_FALSE(host_allowed(bad, r)) << bad;
  }
}

TEST(ObserveHostRule, Ipv6LoopbackInBrackets) {
  const HostRule r{"::1", "::1", {}};
  EXPECT_TRUE(host_allowed("[::1]:9464", r));
  EXPECT_TRUE(host_allowed("[::1]", r));
  EXPECT_TRUE(host_allowed("[0:0:0:0:0:0:0:1]:9464", r));
  EXPECT_TRUE(host_allowed("localhost:9464", r));
  EXPECT_FALSE(host_allowed("127.0.0.1:9464", r));
}

TEST(ObserveHostRule, WildcardAcceptsAnyAddressButNoForeignName) {
  const HostRule r{"0.0.0.0", "0.0.0.0", {}};
  EXPECT_TRUE(host_allowed("10.1.2.3:9464", r));
  EXPECT_TRUE(host_allowed("[fe80::1]:9464", r));
  EXPECT_TRUE(host_allowed("localhost:9464", r));
  EXPECT_FALSE(host_allowed("metrics.example:9464", r));
}

TEST(ObserveHostRule, ConfiguredNamesAndTheBoundName) {
  HostRule r{"10.0.0.5", "10.0.0.5", {observe::normalize_host_name("Metrics.Example.")}};
  EXPECT_TRUE(host_allowed("metrics.example:9464", r));
  EXPECT_TRUE(host_allowed("METRICS.example", r));
  EXPECT_TRUE(host_allowed("10.0.0.5:9464", r));
  EXPECT_FALSE(host_allowed("localhost:9464", r));  // not listening on loopback
  EXPECT_FALSE(host_allowed("other.example", r));
  const HostRule named{"localhost", "127.0.0.1", {}};  // --http localhost:9464
  EXPECT_TRUE(host_allowed("localhost:9464", named));
  EXPECT_TRUE(host_allowed("127.0.0.1:9464", named));
  const HostRule box{"box.lan", "192.168.1.9", {}};
  EXPECT_TRUE(host_allowed("box.lan:9464", box));
  EXPECT_FALSE(host_allowed("box.lan.evil.example:9464", box));
}

TEST(ObserveHostRule, NormalizeRejectsWhatIsNoHostName) {
  EXPECT_EQ(observe::normalize_host_name("Example.ORG."), "example.org");
  EXPECT_EQ(observe::normalize_host_name(""), "");
  EXPECT_EQ(observe::normalize_host_name("a b"), "");
  EXPECT_EQ(observe::normalize_host_name("a/b"), "");
  EXPECT_EQ(observe::normalize_host_name(std::string(300, 'a')), "");
}

TEST(ObserveRenderOnce, OneRenderPerSnapshotHoweverManyRequests) {
  int renders = 0;
  observe::RenderOnce<int> page([&](const int& v) {
    ++renders;
    return std::to_string(v);
  });
  auto a = std::make_shared<const int>(1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(*page.get(a), "1");
  EXPECT_EQ(renders, 1);
  auto b = std::make_shared<const int>(2);
  EXPECT_EQ(*page.get(b), "2");
  EXPECT_EQ(*page.get(b), "2");
  EXPECT_EQ(renders, 2);
  EXPECT_EQ(page.renders(), 2u);
}

TEST(ObserveRenderOnce, ConcurrentRequestsShareOneRender) {
  std::atomic<int> renders = 0;
  observe::RenderOnce<int> page([&](const int& v) {
    ++renders;
    std::this_thread::sleep_for(5ms);
    return std::to_string(v);
  });
  auto s = std::make_shared<const int>(7);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 20; ++j) EXPECT_EQ(*page.get(s), "7");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(renders.load(), 1);
}

TEST(ObserveRenderOnce, TheSitesServeOneBodyPerSnapshot) {
  observe::ConsumerSite site;
  site.publish(std::make_shared<const observe::ConsumerSnapshot>());
  for (const char* path : {"/metrics", "/api/state"}) {
    const auto first = site.get(path);
    ASSERT_TRUE(first.owner) << path;
    EXPECT_EQ(site.get(path).owner, first.owner) << path;  // the same bytes, not rendered again
    site.publish(std::make_shared<const observe::ConsumerSnapshot>());
    EXPECT_NE(site.get(path).owner, first.owner) << path;
    EXPECT_EQ(site.get(path).body, first.body) << path;  // same figures, rendered anew
  }
}

using Reaper = observe::ConnectionReaper;

TEST(ObserveConnectionReaper, OldestWaitingConnectionsMakeRoomForNewOnes) {
  Reaper r(3, 10s);
  const Reaper::Clock::time_point t0{};
  EXPECT_TRUE(r.opened(10, t0).empty());
  EXPECT_TRUE(r.opened(11, t0 + 1s).empty());
  EXPECT_TRUE(r.opened(12, t0 + 2s).empty());
  EXPECT_EQ(r.opened(13, t0 + 3s), std::vector<int>{10});  // three waiting at most
  r.request_started(13);                                   // its headers are in
  // Answered connections are never closed to make room, nor counted as waiting.
  EXPECT_TRUE(r.opened(14, t0 + 4s).empty());
  r.closed(10);
  EXPECT_EQ(r.opened(15, t0 + 5s), std::vector<int>{11});
  EXPECT_EQ(r.opened(16, t0 + 6s), std::vector<int>{12});  // 11 is closing: not counted twice
  EXPECT_EQ(r.tracked(), 6u);                              // 11 and 12 (closing), 13, 14, 15, 16
}

TEST(ObserveConnectionReaper, EveryRequestHasADeadline) {
  Reaper r(32, 10s);
  const Reaper::Clock::time_point t0{};
  r.opened(1, t0);  // trickles its headers
  r.opened(2, t0);
  r.request_started(2);  // a slow reader of its answer
  r.opened(3, t0);
  r.request_started(3);
  r.request_done(3, t0 + 8s);  // keep-alive: its next request has its own deadline
  EXPECT_TRUE(r.opened(4, t0 + 10s).empty());
  EXPECT_EQ(r.opened(5, t0 + 11s), (std::vector<int>{1, 2}));
  EXPECT_TRUE(r.opened(6, t0 + 12s).empty());  // already closing: not twice
  EXPECT_EQ(r.opened(7, t0 + 19s), std::vector<int>{3});
}

TEST(ObserveConnectionReaper, ASocketNumberReusedAfterCloseIsANewConnection) {
  Reaper r(1, 10s);
  const Reaper::Clock::time_point t0{};
  r.opened(5, t0);
  EXPECT_EQ(r.opened(6, t0 + 1s), std::vector<int>{5});
  r.closed(5);
  EXPECT_EQ(r.opened(5, t0 + 2s), std::vector<int>{6});
  r.request_started(5);
  r.closed(6);
  EXPECT_TRUE(r.opened(6, t0 + 3s).empty());
}

}  // namespace
