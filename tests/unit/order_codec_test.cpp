#include "orders/order_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>

#include "avro/codec.h"
#include "avro/schema.h"
#include "test_hex.h"

using test_hex::from_hex;

namespace {

std::uint32_t float_bits(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

// Bytes produced by fastavro 1.13 schemaless_writer with schemas/order.avsc.
TEST(OrderCodec, MatchesFastavroBytes) {
  struct Case {
    orders::Order order;
    const char* hex;
  };
  const Case cases[] = {
      {{"ORD-00001", "Laptop", 999.99f}, "124f52442d30303030310c4c6170746f705cff7944"},
      {{"", "", 0.0f}, "000000000000"},
      {{"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", "x", -1.5f}, "12c3a9e282acf09f9880027800 00c0bf"},
  };
  for (const auto& c : cases) {
    std::string hex = c.hex;
    std::erase(hex, ' ');
    EXPECT_EQ(orders::encode_order(c.order), from_hex(hex)) << c.order.order_id;
    orders::Order back;
    auto err = orders::decode_order(from_hex(hex), back);
    ASSERT_FALSE(err) << err->message();
    EXPECT_EQ(back, c.order);
  }
}

TEST(OrderCodec, EncodeAppends) {
  std::string out = "prefix";
  orders::encode_order({"a", "b", 1.0f}, out);
  EXPECT_EQ(out, "prefix" + orders::encode_order({"a", "b", 1.0f}));
}

TEST(OrderCodec, LongStringsUseMultiByteLengths) {
  orders::Order o{std::string(64, 'a'), std::string(300, 'b'), 2.5f};
  std::string bytes = orders::encode_order(o);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x80);  // zigzag(64) = 128 -> 0x80 0x01
  EXPECT_EQ(static_cast<unsigned char>(bytes[1]), 0x01);
  orders::Order back;
  ASSERT_FALSE(orders::decode_order(bytes, back));
  EXPECT_EQ(back, o);
}

TEST(OrderCodec, ExtremeFloatsRoundTripBitExact) {
  const float values[] = {0.0f,
                          -0.0f,
                          std::numeric_limits<float>::min(),
                          std::numeric_limits<float>::denorm_min(),
                          std::numeric_limits<float>::max(),
                          -std::numeric_limits<float>::max(),
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN()};
  for (float f : values) {
    orders::Order back;
    ASSERT_FALSE(orders::decode_order(orders::encode_order({"id", "p", f}), back));
    EXPECT_EQ(float_bits(back.price), float_bits(f));
  }
}

TEST(OrderCodec, RandomOrdersRoundTrip) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> len(0, 200);
  std::uniform_int_distribution<int> ch(0x20, 0x7e);
  std::uniform_int_distribution<std::uint32_t> bits;
  for (int i = 0; i < 2000; ++i) {
    orders::Order o;
    for (int n = len(rng); n > 0; --n) o.order_id.push_back(static_cast<char>(ch(rng)));
    for (int n = len(rng); n > 0; --n) o.product.push_back(static_cast<char>(ch(rng)));
    std::uint32_t b = bits(rng);
    std::memcpy(&o.price, &b, sizeof b);
    orders::Order back;
    auto err = orders::decode_order(orders::encode_order(o), back);
    ASSERT_FALSE(err) << err->message();
    EXPECT_EQ(back.order_id, o.order_id);
    EXPECT_EQ(back.product, o.product);
    EXPECT_EQ(float_bits(back.price), float_bits(o.price));
  }
}

// Malformed inputs: every one is a DecodeError with the expected offset, never a crash.
TEST(OrderCodec, MalformedInputsAreTypedErrors) {
  struct Case {
    const char* name;
    std::string bytes;
    std::size_t offset;
    const char* reason_part;
  };
  const std::string good = orders::encode_order({"ab", "cd", 1.0f});
  const Case cases[] = {
      {"empty", "", 0, "truncated length of orderId"},
      {"negative length", from_hex("01"), 0, "negative length -1"},
      {"huge length", from_hex("feffffffffffffffff01"), 0, "exceeds"},
      {"length beyond input", from_hex("0a6162"), 0, "exceeds the 2 remaining"},
      {"unterminated varint", from_hex("8080"), 0, "truncated length"},
      {"11-byte varint", from_hex("8080808080808080808000"), 0, "varint too long"},
      {"10th byte overflow", from_hex("80808080808080808002"), 0, "varint too long"},
      {"missing product", from_hex("0261"), 2, "truncated length of product"},
      {"truncated float", good.substr(0, good.size() - 1), 6, "truncated float"},
      {"trailing byte", good + "x", 10, "1 trailing bytes"},
      {"invalid utf8 lead", from_hex("04ff61") + good.substr(3), 1, "invalid UTF-8 in orderId"},
      {"overlong nul", from_hex("0200") + from_hex("04c080") + good.substr(6), 3,
       "invalid UTF-8 in product"},
      {"surrogate", from_hex("06eda080") + good.substr(3), 1, "invalid UTF-8"},
      {"above U+10FFFF", from_hex("08f4908080") + good.substr(3), 1, "invalid UTF-8"},
      {"cut multibyte", from_hex("02e2") + good.substr(3), 1, "invalid UTF-8"},
  };
  for (const auto& c : cases) {
    orders::Order out;
    auto err = orders::decode_order(c.bytes, out);
    ASSERT_TRUE(err) << c.name;
    EXPECT_EQ(err->offset, c.offset) << c.name << ": " << err->message();
    EXPECT_NE(err->reason.find(c.reason_part), std::string::npos) << c.name << ": " << err->reason;
  }
}

TEST(OrderCodec, EveryTruncationFails) {
  const std::string good = orders::encode_order({"ORD-1", "Widget \xE2\x82\xAC", 3.25f});
  for (std::size_t n = 0; n < good.size(); ++n) {
    orders::Order out;
    EXPECT_TRUE(orders::decode_order(good.substr(0, n), out)) << n;
  }
}

avro::Schema order_schema() {
  std::ifstream in(std::string(ORDERS_SOURCE_DIR) + "/schemas/order.avsc");
  std::stringstream text;
  text << in.rdbuf();
  return avro::Schema::parse(text.str());
}

// Random UTF-8: ASCII, 2-, 3- and 4-byte sequences, and empty strings.
std::string random_utf8(std::mt19937& rng) {
  static const char* const kPieces[] = {
      "a",    "Z",   "0", "-", " ", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xE4\xB8\xAD",
      "\x7F", "\x01"};
  std::uniform_int_distribution<int> len(0, 80);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(kPieces) - 1);
  std::string s;
  for (int n = len(rng); n > 0; --n) s += kPieces[pick(rng)];
  return s;
}

TEST(OrderCodec, FastPathMatchesGenericCodec) {
  const auto schema = order_schema();
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::uint32_t> bits;
  for (int i = 0; i < 3000; ++i) {
    orders::Order o{random_utf8(rng), random_utf8(rng), 0.0f};
    std::uint32_t b = bits(rng);
    std::memcpy(&o.price, &b, sizeof b);
    avro::Datum generic = avro::Record{{o.order_id, o.product, o.price}};
    std::string generic_bytes;
    ASSERT_FALSE(avro::encode(schema, generic, generic_bytes));
    const std::string fast_bytes = orders::encode_order(o);
    ASSERT_EQ(fast_bytes, generic_bytes) << i;

    avro::Datum decoded;
    ASSERT_FALSE(avro::decode(schema, fast_bytes, decoded));
    EXPECT_TRUE(avro::same_bits(decoded, generic));
  }
}

// Both decoders agree on what is malformed.
TEST(OrderCodec, FastAndGenericRejectTheSameInputs) {
  const auto schema = order_schema();
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> len(0, 24);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes;
    for (int n = len(rng); n > 0; --n) bytes.push_back(static_cast<char>(byte(rng) & 0x87));
    orders::Order o;
    avro::Datum d;
    const bool fast_ok = !orders::decode_order(bytes, o);
    const bool generic_ok = !avro::decode(schema, bytes, d);
    ASSERT_EQ(fast_ok, generic_ok) << i;
    if (fast_ok) {
      ++accepted;
      EXPECT_EQ(d.as<avro::Record>().fields[0].as<std::string>(), o.order_id);
    }
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
