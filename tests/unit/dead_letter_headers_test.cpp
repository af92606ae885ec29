#include <gtest/gtest.h>

#include "pipeline/dead_letter.h"

using pipeline::DeadLetter;
using pipeline::ErrorClass;
using pipeline::Headers;

namespace {

pipeline::SourceRecord sample_record() {
  pipeline::SourceRecord r;
  r.topic = "orders";
  r.partition = 3;
  r.offset = 12345;
  r.timestamp_ms = 1700000000123;
  r.key = "ORD-1";
  r.value = std::string("\x00\x01", 2);
  r.headers = {{"trace-id", "abc"}, {"empty", ""}};
  return r;
}

}  // namespace

TEST(DeadLetterHeaders, BuildKeepsOriginalsThenAppendsContext) {
  auto h = pipeline::dead_letter_headers(
      sample_record(), DeadLetter{ErrorClass::processing, "max retries exceeded: boom", 3},
      {"order-processors", "host-a", 1700000009999});
  Headers expected = {{"trace-id", "abc"},
                      {"empty", ""},
                      {"dlq.original.topic", "orders"},
                      {"dlq.original.partition", "3"},
                      {"dlq.original.offset", "12345"},
                      {"dlq.original.timestamp", "1700000000123"},
                      {"dlq.error.class", "processing"},
                      {"dlq.error.message", "max retries exceeded: boom"},
                      {"dlq.attempts", "3"},
                      {"dlq.failed.at", "1700000009999"},
                      {"dlq.consumer.group", "order-processors"},
                      {"dlq.host", "host-a"}};
  EXPECT_EQ(h, expected);
}

TEST(DeadLetterHeaders, ParseInvertsBuild) {
  auto rec = sample_record();
  auto h = pipeline::dead_letter_headers(rec, DeadLetter{ErrorClass::deserialization, "bad", 0},
                                         {"g", "h", 42});
  auto p = pipeline::parse_dead_letter_headers(h);
  ASSERT_TRUE(p.info) << p.error;
  EXPECT_EQ(p.info->original_topic, "orders");
  EXPECT_EQ(p.info->original_partition, 3);
  EXPECT_EQ(p.info->original_offset, 12345);
  EXPECT_EQ(p.info->original_timestamp_ms, 1700000000123);
  EXPECT_EQ(p.info->error_class, ErrorClass::deserialization);
  EXPECT_EQ(p.info->error_message, "bad");
  EXPECT_EQ(p.info->attempts, 0);
  EXPECT_EQ(p.info->failed_at_ms, 42);
  EXPECT_EQ(p.info->consumer_group, "g");
  EXPECT_EQ(p.info->host, "h");
  EXPECT_EQ(p.info->original_headers, rec.headers);
}

TEST(DeadLetterHeaders, SecondDeadLetteringWinsAndKeepsTheFirstAsOriginal) {
  auto rec = sample_record();
  auto first = pipeline::dead_letter_headers(rec, DeadLetter{ErrorClass::validation, "one", 0},
                                             {"g1", "h1", 1});
  rec.headers = first;
  rec.topic = "orders-replay";
  auto second = pipeline::dead_letter_headers(rec, DeadLetter{ErrorClass::processing, "two", 3},
                                              {"g2", "h2", 2});
  auto p = pipeline::parse_dead_letter_headers(second);
  ASSERT_TRUE(p.info) << p.error;
  EXPECT_EQ(p.info->original_topic, "orders-replay");
  EXPECT_EQ(p.info->error_message, "two");
  EXPECT_EQ(p.info->original_headers, first);
}

TEST(DeadLetterHeaders, ParseReportsMissingAndBadValues) {
  auto h = pipeline::dead_letter_headers(sample_record(), DeadLetter{}, {"g", "h", 1});
  auto missing = h;
  missing.erase(missing.begin() + 4);  // dlq.original.offset
  auto p = pipeline::parse_dead_letter_headers(missing);
  EXPECT_FALSE(p.info);
  EXPECT_NE(p.error.find("dlq.original.offset"), std::string::npos) << p.error;

  auto bad = h;
  bad[3].second = "3x";  // dlq.original.partition
  p = pipeline::parse_dead_letter_headers(bad);
  EXPECT_FALSE(p.info);
  EXPECT_NE(p.error.find("dlq.original.partition"), std::string::npos) << p.error;

  auto cls = h;
  cls[6].second = "cosmic-rays";
  EXPECT_FALSE(pipeline::parse_dead_letter_headers(cls).info);
  EXPECT_FALSE(pipeline::parse_dead_letter_headers({}).info);
}

TEST(DeadLetterHeaders, LongMessagesAreBoundedOnACharacterBoundary) {
  std::string msg(5000, 'a');
  msg[4095] = '\xc3';  // a two-byte sequence straddling the 4096-byte limit
  msg[4096] = '\xa9';
  auto h = pipeline::dead_letter_headers(sample_record(),
                                         DeadLetter{ErrorClass::processing, msg, 1}, {"g", "h", 1});
  auto p = pipeline::parse_dead_letter_headers(h);
  ASSERT_TRUE(p.info);
  EXPECT_EQ(p.info->error_message, std::string(4095, 'a') + "...");
}
