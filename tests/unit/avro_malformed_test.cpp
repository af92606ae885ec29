// Untrusted input: every malformed byte string is a typed DecodeError with an offset.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "avro/codec.h"
#include "avro/schema.h"
#include "test_hex.h"

using test_hex::from_hex;

namespace {

struct Case {
  const char* name;
  const char* schema;
  const char* hex;
  std::size_t offset;
  const char* reason_part;
};

const Case kCases[] = {
    {"empty input", R"("long")", "", 0, "truncated long"},
    {"unterminated varint", R"("long")", "ffff", 0, "truncated long"},
    {"11-byte varint", R"("long")", "8080808080808080808001", 0, "overflows 64 bits"},
    {"10th byte > 1", R"("long")", "ffffffffffffffffff02", 0, "overflows 64 bits"},
    {"6-byte int", R"("int")", "808080808001", 0, "overflows 32 bits"},
    {"int above 32 bits", R"("int")", "ffffffff1f", 0, "int overflows 32 bits"},
    {"bad boolean", R"("boolean")", "02", 0, "invalid boolean byte 2"},
    {"truncated float", R"("float")", "000000", 0, "truncated float"},
    {"truncated double", R"("double")", "00000000000000", 0, "truncated double"},
    {"negative string length", R"("string")", "03", 0, "negative length -2"},
    {"string longer than input", R"("string")", "0861", 0, "exceeds the 1 remaining"},
    {"huge bytes length", R"("bytes")", "feffffffffffffffff01", 0, "exceeds the 0 remaining"},
    {"invalid UTF-8", R"("string")", "066162ff", 3, "invalid UTF-8 in string"},
    {"UTF-16 surrogate", R"("string")", "06eda080", 1, "invalid UTF-8"},
    {"overlong slash", R"("string")", "04c0af", 1, "invalid UTF-8"},
    {"truncated fixed", R"({"type":"fixed","name":"F","size":4})", "616263", 0, "truncated fixed"},
    {"enum index too big", R"({"type":"enum","name":"E","symbols":["A","B"]})", "04", 0,
     "enum index 2 out of range"},
    {"negative enum index", R"({"type":"enum","name":"E","symbols":["A"]})", "01", 0,
     "enum index -1"},
    {"union index too big", R"(["null","int"])", "04", 0, "union index 2 out of range"},
    {"negative union index", R"(["null","int"])", "01", 0, "union index -1"},
    {"empty union", R"([])", "00", 0, "union index 0 out of range (0 branches)"},
    {"union value truncated", R"(["null","string"])", "02", 1, "truncated"},
    {"array count beyond input", R"({"type":"array","items":"int"})", "0a0202", 0,
     "block count 5 exceeds the 2 remaining"},
    {"huge array count", R"({"type":"array","items":"long"})", "feffffffffffffffff01", 0,
     "exceeds"},
    {"INT64_MIN block count", R"({"type":"array","items":"long"})", "ffffffffffffffffff01", 0,
     "block count out of range"},
    {"block size beyond input", R"({"type":"array","items":"long"})", "0164", 1,
     "block byte size 50 exceeds"},
    {"negative block size", R"({"type":"array","items":"long"})", "010100", 1,
     "block byte size -1"},
    {"block size mismatch", R"({"type":"array","items":"long"})", "0104020200", 3,
     "does not match"},
    {"unterminated array", R"({"type":"array","items":"int"})", "0202", 2, "truncated block count"},
    {"too many nulls", R"({"type":"array","items":"null"})", "feffffffffffffffff0100", 0,
     "limit for zero-size items"},
    {"too many empty records",
     R"({"type":"array","items":{"type":"record","name":"E","fields":[]}})", "80801000", 0,
     "limit for zero-size items"},
    {"map key invalid UTF-8", R"({"type":"map","values":"null"})", "0202ff00", 2,
     "invalid UTF-8 in map key"},
    {"map count beyond input", R"({"type":"map","values":"int"})", "0600", 0, "exceeds"},
    {"trailing bytes", R"("int")", "0200", 1, "1 trailing bytes"},
    {"trailing after record",
     R"({"type":"record","name":"R","fields":[{"name":"a","type":"string"}]})", "026161", 2,
     "1 trailing bytes"},
};

TEST(AvroMalformed, HexHelperRefusesOddLengthAndJunk) {
  EXPECT_EQ(from_hex("00fFa0"), std::string("\x00\xff\xa0", 3));
  EXPECT_THROW(from_hex("fff"), std::invalid_argument);
  EXPECT_THROW(from_hex("0g"), std::invalid_argument);
  EXPECT_THROW(from_hex("-1"), std::invalid_argument);
}

TEST(AvroMalformed, TableOfBadInputs) {
  for (const auto& c : kCases) {
    auto schema = avro::Schema::parse(c.schema);
    avro::Datum out;
    auto err = avro::decode(schema, from_hex(c.hex), out);
    ASSERT_TRUE(err) << c.name;
    EXPECT_EQ(err->offset, c.offset) << c.name << ": " << err->message();
    EXPECT_NE(err->reason.find(c.reason_part), std::string::npos) << c.name << ": " << err->reason;
  }
}

TEST(AvroMalformed, ZeroSizeItemsWithinLimitDecode) {
  auto schema = avro::Schema::parse(R"({"type":"array","items":"null"})");
  avro::Datum out;
  ASSERT_FALSE(avro::decode(schema, from_hex("e80700"), out));  // 500 nulls in 3 bytes
  EXPECT_EQ(out.as<avro::Array>().items.size(), 500u);
  avro::DecodeOptions tight;
  tight.max_zero_size_items = 100;
  EXPECT_TRUE(avro::decode(schema, from_hex("e80700"), out, tight));
}

TEST(AvroMalformed, DeepRecursionIsBounded) {
  auto schema = avro::Schema::parse(R"({"type":"record","name":"L","fields":[
      {"name":"next","type":["null","L"]}]})");
  // 100000 nested "present" branches: one byte each, far deeper than the limit.
  std::string bytes(100000, '\x02');
  bytes.push_back('\0');
  avro::Datum out;
  auto err = avro::decode(schema, bytes, out);
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("nesting deeper than"), std::string::npos) << err->reason;
  // Within the limit it decodes.
  ASSERT_FALSE(avro::decode(schema, std::string(100, '\x02') + '\0', out));
}

TEST(AvroMalformed, EveryTruncationOfAValidValueFails) {
  auto schema = avro::Schema::parse(R"({"type":"record","name":"R","fields":[
      {"name":"s","type":"string"},{"name":"a","type":{"type":"array","items":"double"}},
      {"name":"m","type":{"type":"map","values":["null","long"]}},
      {"name":"f","type":{"type":"fixed","name":"F","size":3}}]})");
  avro::Record r{{std::string("abc"), avro::Array{{1.0, 2.0}},
                  avro::Map{{{"k", avro::Union(1, std::int64_t{300})}}}, avro::Fixed{"xyz"}}};
  std::string bytes;
  ASSERT_FALSE(avro::encode(schema, r, bytes));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    avro::Datum out;
    EXPECT_TRUE(avro::decode(schema, std::string_view(bytes).substr(0, n), out)) << n;
  }
}

}  // namespace
