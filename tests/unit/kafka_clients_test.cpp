// The Kafka RAII edge without a broker: an unreachable address (127.0.0.1:1) makes every failure
// path deterministic and fast.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "kafka/admin.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"

namespace kafka {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Properties unreachable_producer(const std::string& timeout_ms) {
  Properties p = producer_defaults();
  p.set("bootstrap.servers", "127.0.0.1:1");
  p.set("message.timeout.ms", timeout_ms);
  p.set("linger.ms", "0");
  return p;
}

struct Seen {
  std::string topic, key;
  kafka::ErrorCode error;
  std::chrono::nanoseconds latency;
  std::string reason;
};

TEST(Producer, ContradictoryPropertiesAreAConfigError) {
  Properties p = producer_defaults();
  p.set("acks", "1");  // idempotence needs acks=all: only checked when the client is created
  EXPECT_THROW(Producer(p, nullptr), ConfigError);
  EXPECT_THROW(Producer({{"bogus.key", "1"}}, nullptr), ConfigError);
}

TEST(Producer, FailedDeliveriesReachTheHandlerWhichMayThrow) {
  std::vector<Seen> seen;
  Producer producer(unreachable_producer("200"), [&](const DeliveryReport& r) {
    seen.push_back(
        {std::string(r.topic), std::string(r.key), r.error, r.latency, std::string(r.reason)});
    throw std::runtime_error("handler bug");  // must not unwind through librdkafka
  });
  EXPECT_FALSE(producer.produce("unit-topic", "k1", "v1"));
  const Header headers[] = {{"h", "x"}};
  EXPECT_FALSE(producer.produce("unit-topic", "k2", "v2", headers));
  EXPECT_EQ(producer.flush(5s), 0);
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& s : seen) {
    EXPECT_EQ(s.topic, "unit-topic");
    EXPECT_EQ(s.error, kafka::ERR__MSG_TIMED_OUT);
    EXPECT_GE(s.latency, 150ms);  // measured from enqueue
    EXPECT_FALSE(s.reason.empty());
  }
  EXPECT_EQ(seen[0].key, "k1");
  EXPECT_EQ(seen[1].key, "k2");
  EXPECT_FALSE(producer.fatal_error());
}

TEST(Producer, FullQueueIsBackpressureNotLoss) {
  Properties p = unreachable_producer("100");
  p.set("queue.buffering.max.messages", "2");
  int reports = 0;
  Producer producer(p, [&](const DeliveryReport&) { ++reports; });
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(producer.produce("unit-topic", "k", "v")) << i;  // waits for room, never fails
  }
  EXPECT_EQ(producer.flush(5s), 0);
  EXPECT_EQ(reports, 4);
}

TEST(Producer, TransactionsWithoutTransactionalIdAreErrorsNotCrashes) {
  Producer producer(unreachable_producer("100"), nullptr);
  const Error e = producer.begin_transaction();
  EXPECT_TRUE(e);
  EXPECT_FALSE(e.message.empty());
}

TEST(Admin, UnreachableBrokerIsABoundedClearError) {
  Producer producer(unreachable_producer("100"), nullptr);
  const auto start = Clock::now();
  try {
    check_connectivity(producer, "127.0.0.1:1", 700ms, &producer.events());
    FAIL() << "expected KafkaException";
  } catch (const KafkaException& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("cannot reach Kafka at 127.0.0.1:1"), std::string::npos) << msg;
  }
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_THROW(partition_count(producer, "t", 300ms), KafkaException);
}

TEST(Admin, AbortEndsTheConnectivityWaitEarly) {
  Producer producer(unreachable_producer("100"), nullptr);
  const auto start = Clock::now();
  const auto abort = [] { return true; };
  EXPECT_THROW(check_connectivity(producer, "127.0.0.1:1", 30s, nullptr, abort), KafkaException);
  EXPECT_LT(Clock::now() - start, 5s);
}

TEST(Consumer, NeedsAGroupId) {
  Properties p = consumer_defaults();
  p.set("bootstrap.servers", "127.0.0.1:1");
  EXPECT_THROW(Consumer{p}, ConfigError);
}

TEST(Consumer, ConsumeTimesOutAndDestructorIsPrompt) {
  Properties p = consumer_defaults();
  p.set("bootstrap.servers", "127.0.0.1:1");
  p.set("group.id", "unit-group");
  const auto start = Clock::now();
  {
    Consumer consumer(p);
    consumer.subscribe({"unit-topic"});
    EXPECT_FALSE(consumer.consume(100ms));
    EXPECT_TRUE(consumer.assignment().empty());
    EXPECT_TRUE(consumer.group_metadata());
    EXPECT_FALSE(consumer.commit_sync({}, 100ms));  // nothing to commit is not an error
  }
  EXPECT_LT(Clock::now() - start, 10s);
}

TEST(Consumer, CommitSyncAndCloseAreBoundedWithoutABroker) {
  // commitSync() and close() of librdkafka wait as long as the coordinator is missing; ours give
  // up after their timeout.
  Properties p = consumer_defaults();
  p.set("bootstrap.servers", "127.0.0.1:1");
  p.set("group.id", "unit-group-bounded");
  Consumer consumer(p);
  consumer.subscribe({"unit-topic"});
  EXPECT_FALSE(consumer.consume(100ms));
  auto start = Clock::now();
  const Error commit = consumer.commit_sync({{"unit-topic", 0, 5}}, 500ms);
  EXPECT_TRUE(commit);
  EXPECT_LT(Clock::now() - start, 3s) << commit.message;
  start = Clock::now();
  consumer.close(500ms);
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_FALSE(consumer.close(500ms));  // idempotent
}

}  // namespace
}  // namespace kafka
