// A dead letter too large for the DLQ is written without its value, says so, and is never
// replayed empty.
#include <gtest/gtest.h>

#include "dlq/dlq_record.h"
#include "dlq/replay_plan.h"
#include "pipeline/dead_letter.h"

using pipeline::DeadLetter;
using pipeline::ErrorClass;

namespace {

pipeline::SourceRecord big_record(std::size_t value_bytes, std::size_t header_bytes = 3) {
  pipeline::SourceRecord r;
  r.topic = "orders";
  r.partition = 2;
  r.offset = 77;
  r.key = "ORD-9";
  r.value = std::string(value_bytes, '\xff');
  r.headers = {{"trace-id", std::string(header_bytes, 't')}};
  return r;
}

const DeadLetter kInvalid{ErrorClass::deserialization, "not an order", 0};
const pipeline::DeadLetterContext kContext{"g", "h", 1700000000000};

std::string header(const pipeline::Headers& h, std::string_view key) {
  for (const auto& [k, v] : h) {
    if (k == key) return v;
  }
  return "(absent)";
}

// The DLQ record as a reader sees it.
dlq::DlqRecord as_read(const pipeline::SourceRecord& original,
                       const pipeline::DeadLetterMessage& m) {
  pipeline::SourceRecord dlq;
  dlq.topic = "orders-dlq";
  if (!m.key_omitted) dlq.key = original.key;
  if (!m.value_omitted) dlq.value = original.value;
  dlq.headers = m.headers;
  return dlq::to_dlq_record(std::move(dlq));
}

}  // namespace

TEST(DeadLetterSize, AFittingRecordIsCopiedWhole) {
  const auto r = big_record(1000);
  const auto m = pipeline::dead_letter_message(r, kInvalid, kContext, 1'000'000);
  EXPECT_FALSE(m.value_omitted);
  EXPECT_EQ(m.headers, pipeline::dead_letter_headers(r, kInvalid, kContext));
}

TEST(DeadLetterSize, ARecordNearTheLimitIsWrittenWithoutItsValue) {
  const auto r = big_record(999'900);
  const auto m = pipeline::dead_letter_message(r, kInvalid, kContext, 1'000'000);
  ASSERT_TRUE(m.value_omitted);
  EXPECT_EQ(header(m.headers, "dlq.value.omitted"), "true");
  EXPECT_EQ(header(m.headers, "dlq.original.value.size"), "999900");
  EXPECT_EQ(header(m.headers, "dlq.original.offset"), "77");
  EXPECT_EQ(header(m.headers, "trace-id"), "ttt");  // small original headers stay
  EXPECT_LE(pipeline::dead_letter_size(r.key->size(), 0, m.headers), 1'000'000u);
}

TEST(DeadLetterSize, TheDlqRefusingTheCopyOmitsTheValueEvenBelowTheEstimate) {
  const auto m = pipeline::dead_letter_message(big_record(10), kInvalid, kContext, 1'000'000,
                                               /*omit_value=*/true);
  EXPECT_TRUE(m.value_omitted);
}

TEST(DeadLetterSize, HugeOriginalHeadersAreOmittedToo) {
  const auto r = big_record(10, 2'000'000);
  const auto m = pipeline::dead_letter_message(r, kInvalid, kContext, 1'000'000);
  ASSERT_TRUE(m.value_omitted);
  EXPECT_EQ(header(m.headers, "trace-id"), "(absent)");
  EXPECT_EQ(header(m.headers, "dlq.original.headers.omitted"), "true");
  EXPECT_LE(pipeline::dead_letter_size(r.key->size(), 0, m.headers), 1'000'000u);
}

TEST(DeadLetterSize, AKeyTooLargeOnItsOwnIsOmittedTooSoThePartitionNeverHalts) {
  auto r = big_record(10);
  r.key = std::string(999'900, 'K');
  const auto m = pipeline::dead_letter_message(r, kInvalid, kContext, 1'000'000);
  ASSERT_TRUE(m.value_omitted);
  ASSERT_TRUE(m.key_omitted);
  EXPECT_EQ(header(m.headers, "dlq.key.omitted"), "true");
  EXPECT_EQ(header(m.headers, "dlq.original.key.size"), "999900");
  EXPECT_LE(pipeline::dead_letter_size(0, 0, m.headers), 1'000'000u);
  const auto read = as_read(r, m);
  ASSERT_TRUE(read.info) << read.header_error;
  EXPECT_TRUE(read.info->key_omitted);
  EXPECT_EQ(read.info->original_key_size, 999'900);
  EXPECT_NE(read.decode_error.find("key omitted too, 999900 bytes"), std::string::npos)
      << read.decode_error;
  // A fitting key stays, and says nothing of omission.
  const auto kept =
      pipeline::dead_letter_message(big_record(999'900), kInvalid, kContext, 1'000'000);
  EXPECT_FALSE(kept.key_omitted);
  EXPECT_EQ(header(kept.headers, "dlq.key.omitted"), "(absent)");
}

TEST(DeadLetterSize, ReadersSeeTheOmissionNotAnEmptyOrder) {
  const auto r = big_record(999'900);
  const auto read = as_read(r, pipeline::dead_letter_message(r, kInvalid, kContext, 1'000'000));
  ASSERT_TRUE(read.info);
  EXPECT_TRUE(read.info->value_omitted);
  EXPECT_EQ(read.info->original_value_size, 999'900);
  // The markers are not taken for original headers.
  EXPECT_EQ(read.info->original_headers, (pipeline::Headers{{"trace-id", "ttt"}}));
  EXPECT_FALSE(read.order);
  EXPECT_NE(read.decode_error.find("value omitted (999900 bytes"), std::string::npos);
  EXPECT_NE(read.decode_error.find("orders[2]@77"), std::string::npos);
}

TEST(DeadLetterSize, ReplayRefusesARecordWithoutItsValueEvenWhenForced) {
  auto r = big_record(999'900);
  const auto read = as_read(r, pipeline::dead_letter_message(r, kInvalid, kContext, 1'000'000));
  dlq::ReplayOptions forced;
  forced.force = true;
  const auto d = dlq::plan_replay(read, forced, 1);
  EXPECT_EQ(d.verdict, dlq::Verdict::refused);
  EXPECT_NE(d.reason.find("value omitted"), std::string::npos);
  // Also when its other dlq.* headers are unreadable.
  pipeline::SourceRecord bare;
  bare.headers = {{"dlq.value.omitted", "true"}};
  const auto unreadable = dlq::to_dlq_record(bare);
  forced.to = "orders";
  EXPECT_EQ(dlq::plan_replay(unreadable, forced, 1).verdict, dlq::Verdict::refused);
}
