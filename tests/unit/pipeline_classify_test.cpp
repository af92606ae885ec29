#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "orders/order_codec.h"
#include "pipeline/classify.h"

using orders::Order;
using pipeline::DeadLetter;
using pipeline::ErrorClass;

namespace {

// A stand-in byte format "orderId|product|price" so the table does not depend on Avro.
std::optional<avro::DecodeError> text_decode(std::string_view bytes, Order& out) {
  auto a = bytes.find('|');
  auto b = bytes.find('|', a == std::string_view::npos ? a : a + 1);
  if (a == std::string_view::npos || b == std::string_view::npos) {
    return avro::DecodeError{0, "no separators"};
  }
  out.order_id = std::string(bytes.substr(0, a));
  out.product = std::string(bytes.substr(a + 1, b - a - 1));
  out.price = std::strtof(std::string(bytes.substr(b + 1)).c_str(), nullptr);
  return std::nullopt;
}

}  // namespace

struct ClassifyCase {
  const char* name;
  std::optional<std::string> value;
  std::optional<ErrorClass> expected;  // nullopt: a valid order
  const char* message_part;
};

class ClassifyTable : public testing::TestWithParam<ClassifyCase> {};

TEST_P(ClassifyTable, Classifies) {
  const auto& c = GetParam();
  auto r = pipeline::classify(c.value, text_decode);
  if (!c.expected) {
    ASSERT_TRUE(std::holds_alternative<Order>(r)) << std::get<DeadLetter>(r).message;
    return;
  }
  ASSERT_TRUE(std::holds_alternative<DeadLetter>(r));
  const auto& dl = std::get<DeadLetter>(r);
  EXPECT_EQ(dl.error_class, *c.expected);
  EXPECT_EQ(dl.attempts, 0);
  EXPECT_NE(dl.message.find(c.message_part), std::string::npos) << dl.message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ClassifyTable,
    testing::Values(
        ClassifyCase{"valid", "ORD-1|Laptop|799.99", std::nullopt, ""},
        ClassifyCase{"tiny_price", "ORD-1|Pen|0.01", std::nullopt, ""},
        ClassifyCase{"tombstone", std::nullopt, ErrorClass::deserialization, "tombstone"},
        ClassifyCase{"garbage", "not an order", ErrorClass::deserialization, "no separators"},
        ClassifyCase{"zero_price", "ORD-1|Pen|0", ErrorClass::validation, "price must be > 0"},
        ClassifyCase{"negative_price", "ORD-1|Pen|-5", ErrorClass::validation, "> 0"},
        ClassifyCase{"nan_price", "ORD-1|Pen|nan", ErrorClass::validation, "not finite"},
        ClassifyCase{"inf_price", "ORD-1|Pen|inf", ErrorClass::validation, "not finite"},
        ClassifyCase{"huge_price", "ORD-1|Pen|2e9", ErrorClass::validation, "too large"},
        ClassifyCase{"empty_id", "|Pen|1", ErrorClass::validation, "orderId is empty"},
        ClassifyCase{"empty_product", "ORD-1||1", ErrorClass::validation, "product is empty"},
        ClassifyCase{"long_id", std::string(257, 'x') + "|Pen|1", ErrorClass::validation,
                     "orderId too long"},
        ClassifyCase{"long_product", "ORD-1|" + std::string(1025, 'p') + "|1",
                     ErrorClass::validation, "product too long"}),
    [](const testing::TestParamInfo<ClassifyCase>& info) { return std::string(info.param.name); });

TEST(Classify, LimitsAreInclusive) {
  Order o{std::string(256, 'i'), std::string(1024, 'p'), 1e9f};
  EXPECT_FALSE(pipeline::validate_order(o));
}

TEST(Classify, RealCodecRoundTripAndPoisonPill) {
  Order o{"ORD-00001", "Laptop", 799.99f};
  std::string bytes = orders::encode_order(o);
  orders::Order probe;
  // A codec that cannot read its own output is a failure, not a reason to skip.
  const auto err = orders::decode_order(bytes, probe);
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(probe, o);
  auto ok = pipeline::classify(bytes, orders::decode_order);
  ASSERT_TRUE(std::holds_alternative<Order>(ok));
  EXPECT_EQ(std::get<Order>(ok), o);
  auto bad = pipeline::classify(std::string("\x01\x02garbage"), orders::decode_order);
  ASSERT_TRUE(std::holds_alternative<DeadLetter>(bad));
  EXPECT_EQ(std::get<DeadLetter>(bad).error_class, ErrorClass::deserialization);
  auto invalid =
      pipeline::classify(orders::encode_order(Order{"ORD-2", "Pen", -1.0f}), orders::decode_order);
  ASSERT_TRUE(std::holds_alternative<DeadLetter>(invalid));
  EXPECT_EQ(std::get<DeadLetter>(invalid).error_class, ErrorClass::validation);
}
