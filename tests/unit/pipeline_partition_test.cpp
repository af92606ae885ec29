// The decision core driven by a fake clock: ordering, retries, dead letters and commit offsets.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "pipeline/partition_pipeline.h"
#include "pipeline_test_support.h"

using namespace std::chrono_literals;
using orders::Order;
using pipeline::DeadLetter;
using pipeline::ErrorClass;
using pipeline::PartitionPipeline;
using pipeline::TimePoint;

namespace {

using pipeline_test::ScriptedProcessor;
using pipeline_test::text_decode;

class PartitionPipelineTest : public testing::Test {
 protected:
  static pipeline::PipelineSettings make_settings() {
    pipeline::PipelineSettings s;
    s.retry = pipeline::RetryPolicy{3, 100ms, 2.0, 1s, 0.0};
    s.decode = text_decode;
    s.dead_letter_resend_delay = 5s;
    return s;
  }
  static pipeline::SourceRecord record(std::int64_t offset, std::optional<std::string> value,
                                       std::optional<std::string> key = std::nullopt) {
    pipeline::SourceRecord r;
    r.topic = "orders";
    r.partition = 0;
    r.offset = offset;
    r.key = std::move(key);
    r.value = std::move(value);
    return r;
  }
  void push(std::int64_t offset, std::optional<std::string> value,
            std::optional<std::string> key = std::nullopt) {
    EXPECT_TRUE(p.push(record(offset, std::move(value), std::move(key)), now));
  }
  PartitionPipeline::Step run() { return p.run(now); }

  ScriptedProcessor proc;
  pipeline::PipelineSettings settings = make_settings();
  PartitionPipeline p{proc, settings};
  TimePoint now = TimePoint{} + 1000s;
};

}  // namespace

TEST_F(PartitionPipelineTest, ProcessesInOrderAndAggregates) {
  push(0, "A|Laptop|10");
  push(1, "B|Mouse|2.5");
  auto s = run();
  ASSERT_EQ(s.decisions.size(), 2u);
  EXPECT_EQ(std::get<pipeline::Processed>(s.decisions[0].outcome).order.order_id, "A");
  EXPECT_EQ(s.decisions[0].attempt, 1);
  EXPECT_TRUE(s.write_dead_letters.empty());
  EXPECT_EQ(p.aggregate().count(), 2u);
  EXPECT_EQ(p.aggregate().revenue_cents(), 1250);
  EXPECT_EQ(p.commit_offset(), 2);
  EXPECT_FALSE(p.waiting());
  EXPECT_FALSE(p.next_wakeup());
}

TEST_F(PartitionPipelineTest, HeadWaitingForRetryBlocksLaterRecords) {
  proc.transient_failures["A"] = 2;  // succeeds on attempt 3
  push(0, "A|Laptop|10");
  push(1, "B|Mouse|1");
  auto s = run();
  ASSERT_EQ(s.decisions.size(), 1u);
  auto retry = std::get<pipeline::RetryAt>(s.decisions[0].outcome);
  EXPECT_EQ(retry.at, now + 100ms);
  EXPECT_EQ(retry.attempt, 2);
  EXPECT_EQ(retry.error, "db timeout");
  EXPECT_TRUE(p.waiting());
  EXPECT_EQ(p.next_wakeup(), now + 100ms);
  EXPECT_EQ(p.commit_offset(), 0);

  now += 99ms;  // not yet due: nothing happens, B still waits behind A
  EXPECT_TRUE(run().decisions.empty());
  now += 1ms;
  s = run();
  ASSERT_EQ(s.decisions.size(), 1u);
  EXPECT_EQ(std::get<pipeline::RetryAt>(s.decisions[0].outcome).at, now + 200ms);
  now += 200ms;
  s = run();
  ASSERT_EQ(s.decisions.size(), 2u);
  EXPECT_EQ(std::get<pipeline::Processed>(s.decisions[0].outcome).attempts, 3);
  EXPECT_EQ(s.decisions[0].since_received, 300ms);
  EXPECT_EQ(std::get<pipeline::Processed>(s.decisions[1].outcome).order.order_id, "B");
  EXPECT_EQ(p.commit_offset(), 2);
  std::vector<std::pair<std::string, int>> calls = {{"A", 1}, {"A", 2}, {"A", 3}, {"B", 1}};
  EXPECT_EQ(proc.calls, calls);
}

TEST_F(PartitionPipelineTest, MaxAttemptsExceededDeadLettersAndCommitsAfterAck) {
  proc.transient_failures["A"] = 99;
  push(0, "A|Laptop|10");
  push(1, "B|Mouse|1");
  run();
  now += 100ms;
  run();
  now += 200ms;
  auto s = run();
  ASSERT_EQ(s.decisions.size(), 2u);
  auto dl = std::get<DeadLetter>(s.decisions[0].outcome);
  EXPECT_EQ(dl.error_class, ErrorClass::processing);
  EXPECT_EQ(dl.message, "max retries exceeded: db timeout");
  EXPECT_EQ(dl.attempts, 3);
  ASSERT_EQ(s.write_dead_letters, std::vector<std::int64_t>{0});
  EXPECT_EQ(p.dead_letter(0).record.value, "A|Laptop|10");
  // B is processed, but the commit cannot pass A until the DLQ write is acknowledged.
  EXPECT_EQ(p.commit_offset(), 0);
  EXPECT_EQ(p.dead_letters_in_flight(), 1u);
  p.dead_letter_delivered(0);
  EXPECT_EQ(p.commit_offset(), 2);
  EXPECT_EQ(p.aggregate().count(), 1u);
}

TEST_F(PartitionPipelineTest, PoisonPillsAndInvalidOrdersNeverBlockOrRetry) {
  push(0, "garbage");
  push(1, "C||5");
  push(2, std::nullopt);
  push(3, "PERM-1|Pen|1");
  push(4, "D|Pen|1");
  auto s = run();
  ASSERT_EQ(s.decisions.size(), 5u);
  EXPECT_EQ(std::get<DeadLetter>(s.decisions[0].outcome).error_class, ErrorClass::deserialization);
  EXPECT_FALSE(s.decisions[0].order);
  EXPECT_EQ(s.decisions[0].attempt, 0);
  EXPECT_EQ(std::get<DeadLetter>(s.decisions[1].outcome).error_class, ErrorClass::validation);
  EXPECT_EQ(std::get<DeadLetter>(s.decisions[2].outcome).error_class, ErrorClass::deserialization);
  auto perm = std::get<DeadLetter>(s.decisions[3].outcome);
  EXPECT_EQ(perm.error_class, ErrorClass::processing);
  EXPECT_EQ(perm.message, "no such customer");
  EXPECT_EQ(perm.attempts, 1);
  EXPECT_TRUE(std::holds_alternative<pipeline::Processed>(s.decisions[4].outcome));
  EXPECT_EQ(s.write_dead_letters, (std::vector<std::int64_t>{0, 1, 2, 3}));
  for (auto o : {3, 1, 0, 2}) p.dead_letter_delivered(o);
  EXPECT_EQ(p.commit_offset(), 5);
}

TEST_F(PartitionPipelineTest, FailedDeadLetterWriteHaltsThePartitionUntilDelivered) {
  push(0, "garbage");
  push(1, "A|Pen|1");
  auto s = run();
  ASSERT_EQ(s.write_dead_letters.size(), 1u);
  p.dead_letter_failed(0, "Broker: Topic authorization failed", now);
  EXPECT_TRUE(p.halted());
  EXPECT_EQ(p.dead_letter(0).last_write_error, "Broker: Topic authorization failed");
  push(2, "B|Pen|1");
  EXPECT_TRUE(run().decisions.empty());  // halted: B is not processed
  EXPECT_EQ(p.commit_offset(), 0);
  EXPECT_EQ(p.next_wakeup(), now + 5s);
  now += 5s;
  s = run();
  EXPECT_TRUE(s.decisions.empty());
  EXPECT_EQ(s.write_dead_letters, std::vector<std::int64_t>{0});  // offered again
  EXPECT_EQ(p.dead_letter(0).writes, 2);
  p.dead_letter_delivered(0);
  EXPECT_FALSE(p.halted());
  s = run();
  ASSERT_EQ(s.decisions.size(), 1u);  // B, now that the partition moves again
  EXPECT_EQ(p.commit_offset(), 3);
}

TEST_F(PartitionPipelineTest, IgnoresRedeliveredOffsets) {
  push(5, "A|Pen|1");
  pipeline::SourceRecord again;
  again.offset = 5;
  again.value = "A|Pen|1";
  EXPECT_FALSE(p.push(again, now));
  again.offset = 4;
  EXPECT_FALSE(p.push(again, now));
  EXPECT_EQ(run().decisions.size(), 1u);
  EXPECT_EQ(p.aggregate().count(), 1u);
}

TEST_F(PartitionPipelineTest, JitterIsDeterministic) {
  settings.retry.jitter = 0.5;
  settings.jitter_seed = 11;
  PartitionPipeline a{proc, settings}, b{proc, settings};
  proc.transient_failures["A"] = 1;
  pipeline::SourceRecord r;
  r.value = "A|Pen|1";
  a.push(r, now);
  b.push(r, now);
  auto ra = std::get<pipeline::RetryAt>(a.run(now).decisions[0].outcome);
  auto rb = std::get<pipeline::RetryAt>(b.run(now).decisions[0].outcome);
  EXPECT_EQ(ra.at, rb.at);
  EXPECT_GE(ra.at, now + 50ms);
  EXPECT_LE(ra.at, now + 150ms);
}

TEST_F(PartitionPipelineTest, CheckpointHoldsTheCommitOffsetTheFinishedAboveAndEveryOrder) {
  push(0, "garbage");     // dead letter, not yet acknowledged
  push(1, "A|Pen|1.25");  // processed, but above the commit offset
  push(2, "B|Pen|2");
  run();
  EXPECT_EQ(p.commit_offset(), 0);
  EXPECT_EQ(p.finished_above(), (pipeline::FinishedSet{0, 2, {}}));
  EXPECT_EQ(p.aggregate().count(), 2u);  // 1 and 2, both named by finished_above
  const auto before = p.progress();
  p.dead_letter_delivered(0);
  EXPECT_EQ(p.progress(), before + 1);
  EXPECT_EQ(p.commit_offset(), 3);
  EXPECT_TRUE(p.finished_above().empty());
  EXPECT_EQ(p.aggregate().revenue_cents(), 325);
}

TEST_F(PartitionPipelineTest, StartsFromARestoredAggregate) {
  stats::Aggregate base;
  base.add(Order{"OLD", "Pen", 4.0f});
  PartitionPipeline restored{proc, settings, base};
  pipeline::SourceRecord r;
  r.offset = 40;
  r.value = "A|Pen|1";
  ASSERT_TRUE(restored.push(r, now));
  restored.run(now);
  EXPECT_EQ(restored.commit_offset(), 41);
  EXPECT_EQ(restored.aggregate().count(), 2u);
  EXPECT_EQ(restored.aggregate().revenue_cents(), 500);
  EXPECT_EQ(restored.last_offset(), 40);
}

// A decoder that cannot decide yet (schema registry down) makes the record wait, however long,
// and never dead-letters it; later records of other keys go on.
TEST_F(PartitionPipelineTest, DecodeLaterWaitsAndIsNeverDeadLettered) {
  bool registry_up = false;
  settings.value_decoder = [&](std::string_view bytes, Order& out) {
    orders::ReadResult r;
    if (bytes.starts_with("REG:") && !registry_up) {
      r.kind = orders::ReadResult::Kind::later;
      r.reason = "connection refused";
      return r;
    }
    if (bytes.starts_with("REG:")) bytes.remove_prefix(4);
    if (text_decode(bytes, out)) r.kind = orders::ReadResult::Kind::failed;
    return r;
  };
  PartitionPipeline q{proc, settings};
  ASSERT_TRUE(q.push(record(0, "REG:A|Laptop|10", "k1"), now));
  ASSERT_TRUE(q.push(record(1, "B|Mouse|2", "k2"), now));
  auto s = q.run(now);
  ASSERT_EQ(s.decisions.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<pipeline::RetryAt>(s.decisions[0].outcome));
  EXPECT_TRUE(std::holds_alternative<pipeline::Processed>(s.decisions[1].outcome));
  EXPECT_EQ(q.retries_pending(), 1u);
  // Far more waits than max_attempts: still waiting, no dead letter.
  for (int i = 0; i < 20; ++i) {
    now += 2s;
    s = q.run(now);
    EXPECT_TRUE(s.write_dead_letters.empty());
  }
  EXPECT_EQ(q.commit_offset(), 0);
  registry_up = true;
  now += 2s;
  s = q.run(now);
  ASSERT_EQ(s.decisions.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<pipeline::Processed>(s.decisions[0].outcome));
  EXPECT_EQ(q.commit_offset(), 2);
  EXPECT_EQ(q.aggregate().count(), 2u);
}
