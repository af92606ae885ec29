#include "dlq/dlq_record.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "dlq_test_records.h"

using dlq_test::Spec;

TEST(DlqRecord, ReadsHeadersAndOrder) {
  Spec s;
  s.source_partition = 4;
  s.source_offset = 77;
  auto r = dlq_test::record(s);
  ASSERT_TRUE(r.info) << r.header_error;
  ASSERT_TRUE(r.order) << r.decode_error;
  EXPECT_EQ(r.order->order_id, "ORD-1");
  EXPECT_EQ(r.info->original_partition, 4);
  EXPECT_EQ(r.info->original_offset, 77);
  EXPECT_EQ(r.class_name(), "processing");
  EXPECT_EQ(r.failed_at_ms(), s.failed_at_ms);
  EXPECT_EQ(r.replay_count, 0);
  EXPECT_EQ(r.info->original_headers, s.original_headers);
}

TEST(DlqRecord, GarbageValueIsKeptWithTheReason) {
  Spec s;
  s.raw_value = std::string("\xff\x01\x02", 3);
  s.error_class = pipeline::ErrorClass::deserialization;
  auto r = dlq_test::record(s);
  EXPECT_FALSE(r.order);
  EXPECT_FALSE(r.decode_error.empty());
  EXPECT_EQ(r.class_name(), "deserialization");
  EXPECT_EQ(*r.raw.value, std::string("\xff\x01\x02", 3));
}

TEST(DlqRecord, NullValue) {
  Spec s;
  s.order.reset();
  auto r = dlq_test::record(s);
  EXPECT_FALSE(r.order);
  EXPECT_EQ(r.decode_error, "null value");
}

TEST(DlqRecord, MissingHeadersFallBackToTheDlqTimestamp) {
  auto src = dlq_test::source_record(Spec{});
  src.headers = {{"trace-id", "x"}, {"dlq.error.class", "processing"}};
  auto r = dlq::to_dlq_record(src);
  EXPECT_FALSE(r.info);
  EXPECT_NE(r.header_error.find("missing header"), std::string::npos);
  EXPECT_EQ(r.class_name(), "unknown");
  EXPECT_FALSE(r.error_class());
  EXPECT_EQ(r.failed_at_ms(), src.timestamp_ms);
}

TEST(DlqRecord, ReadsTheLastReplayCount) {
  Spec s;
  s.original_headers = {{"dlq.replay.count", "1"}, {"dlq.replay.count", "2"}};
  EXPECT_EQ(dlq_test::record(s).replay_count, 2);
  s.original_headers = {{"dlq.replay.count", "two"}};
  EXPECT_EQ(dlq_test::record(s).replay_count, 0);
  s.original_headers = {{"dlq.replay.count", "-3"}};
  EXPECT_EQ(dlq_test::record(s).replay_count, 0);
}

TEST(DlqRecord, OrderValueCountsOnlyRealMoney) {
  using orders::Order;
  EXPECT_EQ(dlq::order_value_cents(Order{"a", "b", 799.99f}), 79999);
  EXPECT_EQ(dlq::order_value_cents(Order{"a", "b", 0.25f}), 25);
  EXPECT_EQ(dlq::order_value_cents(Order{"a", "b", 0.0f}), std::nullopt);
  EXPECT_EQ(dlq::order_value_cents(Order{"a", "b", -3.0f}), std::nullopt);
  EXPECT_EQ(dlq::order_value_cents(Order{"a", "b", std::nanf("")}), std::nullopt);
  EXPECT_EQ(dlq::order_value_cents(Order{"a", "b", std::numeric_limits<float>::infinity()}),
            std::nullopt);
  EXPECT_EQ(dlq::order_value_cents(Order{"a", "b", 3e38f}), std::nullopt);
}
