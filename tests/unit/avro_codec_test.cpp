// Generic codec: byte layouts, round trips, and the JSON mapping.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "avro/codec.h"
#include "avro/json_datum.h"
#include "avro/schema.h"

namespace {

using avro::Datum;
using avro::Schema;

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string encode_or_die(const Schema& s, const Datum& d) {
  std::string out;
  auto err = avro::encode(s, d, out);
  EXPECT_FALSE(err) << err->message();
  return out;
}

// Layouts straight from the spec's "Binary Encoding" section.
TEST(AvroCodec, SpecExamples) {
  auto lng = Schema::parse(R"("long")");
  EXPECT_EQ(hex(encode_or_die(lng, std::int64_t{0})), "00");
  EXPECT_EQ(hex(encode_or_die(lng, std::int64_t{-1})), "01");
  EXPECT_EQ(hex(encode_or_die(lng, std::int64_t{1})), "02");
  EXPECT_EQ(hex(encode_or_die(lng, std::int64_t{-64})), "7f");
  EXPECT_EQ(hex(encode_or_die(lng, std::int64_t{64})), "8001");
  EXPECT_EQ(hex(encode_or_die(lng, std::numeric_limits<std::int64_t>::min())),
            "ffffffffffffffffff01");
  EXPECT_EQ(hex(encode_or_die(Schema::parse(R"("string")"), std::string("foo"))), "06666f6f");
  // Spec: array of longs {3, 27} -> 04 06 36 00.
  auto arr = Schema::parse(R"({"type":"array","items":"long"})");
  EXPECT_EQ(hex(encode_or_die(arr, avro::Array{{std::int64_t{3}, std::int64_t{27}}})), "04063600");
  // Spec: union ["null","string"] with "a" -> 02 02 61; null -> 00.
  auto un = Schema::parse(R"(["null","string"])");
  EXPECT_EQ(hex(encode_or_die(un, avro::Union(1, std::string("a")))), "020261");
  EXPECT_EQ(hex(encode_or_die(un, avro::Union(0, avro::Null{}))), "00");
  // Spec: record {a: long 27, b: string "foo"} -> 36 06 66 6f 6f.
  auto rec = Schema::parse(R"({"type":"record","name":"test","fields":[
      {"name":"a","type":"long"},{"name":"b","type":"string"}]})");
  EXPECT_EQ(hex(encode_or_die(rec, avro::Record{{std::int64_t{27}, std::string("foo")}})),
            "3606666f6f");
  EXPECT_EQ(hex(encode_or_die(Schema::parse(R"("double")"), 1.0)), "000000000000f03f");
  EXPECT_EQ(hex(encode_or_die(Schema::parse(R"("boolean")"), true)), "01");
}

const char* kRichSchema = R"({
  "type": "record", "name": "Rich", "namespace": "test",
  "fields": [
    {"name": "n", "type": "null"},
    {"name": "b", "type": "boolean"},
    {"name": "i", "type": "int"},
    {"name": "l", "type": "long"},
    {"name": "f", "type": "float"},
    {"name": "d", "type": "double"},
    {"name": "by", "type": "bytes"},
    {"name": "s", "type": "string"},
    {"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
    {"name": "fx", "type": {"type": "fixed", "name": "Four", "size": 4}},
    {"name": "a", "type": {"type": "array", "items": "string"}},
    {"name": "m", "type": {"type": "map", "values": "long"}},
    {"name": "u", "type": ["null", "string", "Color"]},
    {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9,
                             "scale": 2}},
    {"name": "uuid", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "date", "type": {"type": "int", "logicalType": "date"}},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    {"name": "next", "type": ["null", "Rich"], "default": null}
  ]})";

Datum rich_value(int depth) {
  avro::Record r;
  r.fields = {avro::Null{},
              true,
              std::int32_t{-123456},
              std::int64_t{1} << 40,
              -2.5f,
              std::numeric_limits<double>::infinity(),
              avro::Bytes{std::string("\0\xff\x80", 3)},
              std::string("h\xC3\xA9llo"),
              avro::EnumValue{1},
              avro::Fixed{"abcd"},
              avro::Array{{std::string("x"), std::string("")}},
              avro::Map{{{"k1", std::int64_t{1}}, {"k0", std::int64_t{-1}}}},
              avro::Union(2, avro::EnumValue{0}),
              avro::Bytes{std::string("\x30\x39", 2)},  // 12345 unscaled -> 123.45
              std::string("123e4567-e89b-12d3-a456-426614174000"),
              std::int32_t{19000},
              std::int64_t{1700000000000000},
              depth > 0 ? avro::Union(1, rich_value(depth - 1)) : avro::Union(0, avro::Null{})};
  return r;
}

TEST(AvroCodec, RichRoundTrip) {
  auto s = Schema::parse(kRichSchema);
  Datum v = rich_value(3);
  std::string bytes = encode_or_die(s, v);
  Datum back;
  auto err = avro::decode(s, bytes, back);
  ASSERT_FALSE(err) << err->message();
  EXPECT_TRUE(avro::same_bits(back, v));
  EXPECT_EQ(encode_or_die(s, back), bytes);
}

TEST(AvroCodec, JsonRoundTrip) {
  auto s = Schema::parse(kRichSchema);
  Datum v = rich_value(1);
  auto json = avro::datum_to_json(s.root(), v);
  EXPECT_EQ(json["d"], "Infinity");
  EXPECT_EQ(json["u"], nlohmann::ordered_json::parse(R"({"test.Color":"RED"})"));
  EXPECT_EQ(json["m"].begin().key(), "k1");  // wire order kept
  std::string error;
  auto back = avro::datum_from_json(s.root(), json, avro::JsonStyle::kTagged, error);
  ASSERT_TRUE(back) << error;
  EXPECT_TRUE(avro::same_bits(*back, v));
}

TEST(AvroCodec, EncodeRejectsMismatchesWithPath) {
  auto s = Schema::parse(kRichSchema);
  Datum v = rich_value(1);
  auto& inner = v.as<avro::Record>().fields[17].as<avro::Union>().value->as<avro::Record>();
  inner.fields[2] = std::int64_t{5};  // long where int is expected
  std::string out = "keep";
  auto err = avro::encode(s, v, out);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->path, ".next<1>.i");
  EXPECT_EQ(err->reason, "expected int, got long");
  EXPECT_EQ(out, "keep");

  EXPECT_TRUE(avro::encode(Schema::parse(R"("string")"), std::string("\xff"), out));
  EXPECT_TRUE(avro::encode(Schema::parse(R"({"type":"fixed","name":"F","size":2})"),
                           avro::Fixed{"abc"}, out));
  EXPECT_TRUE(avro::encode(Schema::parse(R"(["null"])"), avro::Union(1, avro::Null{}), out));
  EXPECT_TRUE(avro::encode(Schema::parse(R"({"type":"enum","name":"E","symbols":["A"]})"),
                           avro::EnumValue{1}, out));
}

TEST(AvroCodec, AcceptsNonCanonicalBlocks) {
  auto arr = Schema::parse(R"({"type":"array","items":"long"})");
  Datum out;
  // Two blocks of one item, and a negative-count block with its byte size (spec feature).
  ASSERT_FALSE(avro::decode(arr, std::string("\x02\x06\x02\x36\x00", 5), out));
  EXPECT_EQ(out.as<avro::Array>().items.size(), 2u);
  ASSERT_FALSE(avro::decode(arr, std::string("\x03\x04\x06\x36\x00", 5), out));
  EXPECT_EQ(out.as<avro::Array>().items[1], Datum(std::int64_t{27}));
  // Non-minimal varint for 0: still the value 0.
  ASSERT_FALSE(avro::decode(Schema::parse(R"("int")"), std::string("\x80\x00", 2), out));
  EXPECT_EQ(out, Datum(std::int32_t{0}));
}

TEST(AvroCodec, ExtremeValues) {
  auto s = Schema::parse(R"({"type":"record","name":"X","fields":[
      {"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},
      {"name":"d","type":"double"}]})");
  for (auto sign : {1, -1}) {
    avro::Record r{{std::int32_t{sign > 0 ? INT32_MAX : INT32_MIN},
                    std::int64_t{sign > 0 ? INT64_MAX : INT64_MIN},
                    sign * std::numeric_limits<float>::denorm_min(),
                    std::numeric_limits<double>::quiet_NaN()}};
    std::string bytes = encode_or_die(s, r);
    Datum back;
    ASSERT_FALSE(avro::decode(s, bytes, back));
    EXPECT_TRUE(avro::same_bits(back, r));
  }
}

}  // namespace
