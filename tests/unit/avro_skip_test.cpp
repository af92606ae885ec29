// Writer-only values (schema resolution) are skipped: stepped over with the decoder's checks,
// never built. Block counts are bounded by the bytes that can hold their items, and values that
// encode to nothing by a budget.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "avro/codec.h"
#include "avro/decoder_internal.h"
#include "avro/resolver.h"
#include "avro/schema.h"
#include "avro/varint.h"
#include "avro_skip_samples.h"
#include "test_hex.h"

namespace {

using avro::Datum;
using avro::Schema;
using avro::SchemaResolution;
using skip_samples::sized_block;
using test_hex::from_hex;

std::string encode(const Schema& schema, const Datum& value) {
  std::string bytes;
  auto err = avro::encode(schema, value, bytes);
  EXPECT_FALSE(err) << err->message();
  return bytes;
}

// A writer of {drop: <type>, keep: long}, read as {keep: long}: `drop` is skipped.
struct DropOne {
  explicit DropOne(const std::string& type)
      : writer(Schema::parse(R"({"type":"record","name":"W","fields":[{"name":"drop","type":)" +
                             type + R"(},{"name":"keep","type":"long"}]})")),
        resolution(writer, Schema::parse(R"({"type":"record","name":"W","fields":[
            {"name":"keep","type":"long"}]})")) {}

  std::optional<avro::DecodeError> skip(const std::string& bytes, Datum& out,
                                        const avro::DecodeOptions& o = {}) const {
    return resolution.decode(bytes, out, o);
  }
  std::optional<avro::DecodeError> plain(const std::string& bytes,
                                         const avro::DecodeOptions& o = {}) const {
    Datum out;
    return avro::decode(writer, bytes, out, o);
  }

  Schema writer;
  SchemaResolution resolution;
};

std::string long_bytes(std::int64_t v) {
  std::string out;
  avro::append_long(out, v);
  return out;
}

avro::DecodeOptions strict() {
  avro::DecodeOptions o;
  o.skip_sized_blocks = false;
  return o;
}

TEST(AvroSkip, LargeWriterOnlyFieldsAreSkipped) {
  const auto writer = Schema::parse(skip_samples::kWriter);
  const auto bytes = encode(writer, skip_samples::writer_value(1 << 20, 10000));
  SchemaResolution resolution(writer, Schema::parse(skip_samples::kReader));
  Datum out;
  auto err = resolution.decode(bytes, out);
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(out, Datum(avro::Record{{skip_samples::kKept}}));
}

TEST(AvroSkip, SkipRefusesExactlyWhatDecodeRefuses) {
  // Every truncation and many one-byte changes of a valid value: the resolver (item by item)
  // and the plain decoder agree on acceptance, on the error and on the kept value.
  const auto writer = Schema::parse(skip_samples::kWriter);
  const auto valid = encode(writer, skip_samples::writer_value(5, 3));
  SchemaResolution resolution(writer, Schema::parse(skip_samples::kReader));
  std::size_t refused = 0;
  auto compare = [&](const std::string& bytes, const std::string& what) {
    Datum plain, resolved;
    auto plain_err = avro::decode(writer, bytes, plain, strict());
    auto skip_err = resolution.decode(bytes, resolved, strict());
    ASSERT_EQ(plain_err.has_value(), skip_err.has_value()) << what;
    if (plain_err) {
      ++refused;
      EXPECT_EQ(plain_err->offset, skip_err->offset) << what;
      EXPECT_EQ(plain_err->reason, skip_err->reason) << what;
    } else {
      EXPECT_EQ(resolved, Datum(avro::Record{{plain.as<avro::Record>().fields[2]}})) << what;
    }
  };
  for (std::size_t n = 0; n < valid.size(); ++n)
    compare(valid.substr(0, n), "cut " + std::to_string(n));
  for (std::size_t i = 0; i < valid.size(); ++i) {
    for (unsigned char b : {0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0xc0, 0xff}) {
      std::string bytes = valid;
      bytes[i] = static_cast<char>(b);
      compare(bytes, "byte " + std::to_string(i) + " = " + std::to_string(b));
    }
  }
  EXPECT_GT(refused, valid.size());  // the mutations did reach the skipped fields' checks
}

TEST(AvroSkip, MalformedWriterOnlyValuesAreErrors) {
  struct Case {
    const char* type;
    const char* hex;  // the dropped value, then keep = 1 ("02")
    const char* reason_part;
  };
  const Case cases[] = {
      {R"("string")", "04ff0002", "invalid UTF-8 in string"},
      {R"("string")", "0a6102", "exceeds the 2 remaining bytes"},
      {R"("bytes")", "0302", "negative length"},
      {R"("boolean")", "0702", "invalid boolean byte 7"},
      {R"("int")", "ffffffff1f02", "int overflows 32 bits"},
      {R"("double")", "0102", "truncated double"},
      {R"({"type":"enum","name":"E","symbols":["A"]})", "0202", "enum index 1 out of range"},
      {R"(["null","int"])", "0602", "union index 3 out of range"},
      {R"({"type":"fixed","name":"F","size":4})", "616202", "truncated fixed"},
      {R"({"type":"map","values":"int"})", "0202ff020002", "invalid UTF-8 in map key"},
      {R"({"type":"array","items":"long"})", "0a02", "block count 5 exceeds"},
  };
  for (const auto& c : cases) {
    DropOne drop(c.type);
    Datum out;
    auto err = drop.skip(from_hex(c.hex), out);
    ASSERT_TRUE(err) << c.type << " " << c.hex;
    EXPECT_NE(err->reason.find(c.reason_part), std::string::npos) << c.type << ": " << err->reason;
    EXPECT_EQ(drop.plain(from_hex(c.hex))->message(), err->message()) << c.type;
    EXPECT_EQ(drop.skip(from_hex(c.hex), out, strict())->message(), err->message()) << c.type;
  }
}

TEST(AvroSkip, SizedBlocksAreSteppedOverWhole) {
  DropOne drop(R"({"type":"array","items":"string"})");
  const std::string good = sized_block(2, from_hex("027804797a")) + long_bytes(7);
  Datum out;
  ASSERT_FALSE(drop.skip(good, out));
  EXPECT_EQ(out, Datum(avro::Record{{std::int64_t{7}}}));
  ASSERT_FALSE(drop.skip(good, out, strict()));
  // Inside a block skipped whole nothing is looked at; item by item, the bad string is refused
  // as decoding refuses it.
  const std::string bad_inside = sized_block(2, from_hex("027804ff7a")) + long_bytes(7);
  ASSERT_FALSE(drop.skip(bad_inside, out));
  auto err = drop.skip(bad_inside, out, strict());
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message(), drop.plain(bad_inside)->message());
  // A block whose items do not fill its byte size: only item by item can tell.
  const std::string short_items = sized_block(1, from_hex("0078")) + long_bytes(7);
  ASSERT_FALSE(drop.skip(short_items, out));
  err = drop.skip(short_items, out, strict());
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("does not match its items"), std::string::npos) << err->reason;
  // The block's frame is still checked: its size against the input, its count against its size.
  err = drop.skip(from_hex("03140278"), out);
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("block byte size 10 exceeds"), std::string::npos) << err->reason;
  err = drop.skip(sized_block(5, from_hex("0278")) + long_bytes(7), out);
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("block count 5 exceeds the 2 bytes of its block"), std::string::npos)
      << err->reason;
}

TEST(AvroSkip, SizedBlocksOfZeroSizeItemsAreEmptyAndCounted) {
  DropOne drop(R"({"type":"array","items":"null"})");
  Datum out;
  ASSERT_FALSE(drop.skip(sized_block(1000, "") + long_bytes(1), out));
  auto err = drop.skip(sized_block(3, "ab") + long_bytes(1), out);  // nulls take no bytes
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("does not match"), std::string::npos) << err->reason;
  avro::DecodeOptions tight;
  tight.max_zero_size_items = 1500;
  std::string two_blocks = sized_block(1000, "");
  two_blocks.pop_back();  // no end of blocks yet
  err = drop.skip(two_blocks + sized_block(1000, "") + long_bytes(1), out, tight);
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("limit for zero-size items"), std::string::npos) << err->reason;
}

TEST(AvroSkip, HugeDeclaredCountsFailFast) {
  const char* types[] = {
      R"({"type":"array","items":"long"})",
      R"({"type":"map","values":"string"})",
      R"({"type":"array","items":{"type":"record","name":"P","fields":[
          {"name":"x","type":"double"},{"name":"y","type":"double"}]}})",
      R"({"type":"array","items":"null"})",
      R"({"type":"array","items":{"type":"record","name":"E","fields":[]}})",
  };
  for (const char* type : types) {
    const auto array = Schema::parse(type);
    for (std::int64_t count : {std::int64_t{1} << 31, std::int64_t{1} << 62}) {
      for (std::int64_t sign : {1, -1}) {  // plain count, or the block-size form
        std::string bytes = long_bytes(sign * count);
        if (sign < 0) bytes += long_bytes(4);
        bytes += from_hex("02020202");
        Datum out;
        auto err = avro::decode(array, bytes, out);
        ASSERT_TRUE(err) << type;
        EXPECT_EQ(err->offset, 0u) << type << ": " << err->message();
        EXPECT_NE(err->reason.find("block count " + std::to_string(count) + " exceeds"),
                  std::string::npos)
            << err->reason;
        DropOne drop(type);
        auto skip_err = drop.skip(bytes + "\x02", out);
        ASSERT_TRUE(skip_err) << type;
        EXPECT_EQ(skip_err->offset, 0u);
        EXPECT_NE(skip_err->reason.find("block count " + std::to_string(count) + " exceeds"),
                  std::string::npos)
            << skip_err->reason;
      }
    }
  }
}

TEST(AvroSkip, CountsAreBoundedByTheMinimumItemSize) {
  // 100 points of 16 bytes each cannot be in 500 bytes: refused at the header.
  const auto points = Schema::parse(R"({"type":"array","items":{"type":"record","name":"P",
      "fields":[{"name":"x","type":"double"},{"name":"y","type":"double"}]}})");
  Datum out;
  auto err = avro::decode(points, long_bytes(100) + std::string(500, '\0'), out);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->offset, 0u);
  EXPECT_NE(err->reason.find("block count 100 exceeds the 500 remaining bytes for items of at "
                             "least 16 bytes"),
            std::string::npos)
      << err->reason;
  // 31 fit (496 bytes) and decode; a map entry is its key's length byte and more.
  ASSERT_FALSE(avro::decode(points, long_bytes(31) + std::string(496, '\0') + '\0', out));
  EXPECT_EQ(out.as<avro::Array>().items.size(), 31u);
  const auto map = Schema::parse(R"({"type":"map","values":"double"})");
  err = avro::decode(map, long_bytes(10) + std::string(89, '\0'), out);
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("items of at least 9 bytes"), std::string::npos) << err->reason;
}

TEST(AvroSkip, ValuesThatEncodeToNothingAreBounded) {
  // A record of 100 nulls takes no bytes; 1000 of them would be 101000 datums from 3 bytes.
  std::string record = R"({"type":"record","name":"N","fields":[)";
  for (int i = 0; i < 100; ++i)
    record +=
        (i ? "," : "") + std::string(R"({"name":"n)") + std::to_string(i) + R"(","type":"null"})";
  record += "]}";
  const std::string type = R"({"type":"array","items":)" + record + "}";
  const auto array = Schema::parse(type);
  DropOne drop(type);
  Datum out;
  const std::string too_many = long_bytes(1000) + '\0';
  auto err = avro::decode(array, too_many, out);
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("more than 65536 values that encode to no bytes"), std::string::npos)
      << err->reason;
  auto skip_err = drop.skip(too_many + long_bytes(1), out);
  ASSERT_TRUE(skip_err);
  EXPECT_EQ(skip_err->message(), err->message());
  // Within the budget they decode and skip.
  ASSERT_FALSE(avro::decode(array, long_bytes(600) + '\0', out));
  EXPECT_EQ(out.as<avro::Array>().items.size(), 600u);
  ASSERT_FALSE(drop.skip(long_bytes(600) + '\0' + long_bytes(1), out));
  // 2^62 nulls: refused at the header, whether decoded or skipped.
  DropOne nulls(R"({"type":"array","items":"null"})");
  err = nulls.skip(long_bytes(std::int64_t{1} << 62) + '\0' + long_bytes(1), out);
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("limit for zero-size items"), std::string::npos) << err->reason;
  // Nulls outside arrays count too.
  avro::DecodeOptions tight;
  tight.max_zero_size_items = 2;
  EXPECT_TRUE(avro::decode(Schema::parse(record), "", out, tight));
}

TEST(AvroSkip, ManyOneItemBlocks) {
  // 50000 blocks of one item each: the items vector grows geometrically, not per block.
  std::string bytes;
  for (int i = 0; i < 50000; ++i) bytes += from_hex("0202");
  bytes.push_back('\0');
  Datum out;
  ASSERT_FALSE(avro::decode(Schema::parse(R"({"type":"array","items":"int"})"), bytes, out));
  EXPECT_EQ(out.as<avro::Array>().items.size(), 50000u);
  DropOne drop(R"({"type":"array","items":"int"})");
  ASSERT_FALSE(drop.skip(bytes + long_bytes(3), out));
  EXPECT_EQ(out, Datum(avro::Record{{std::int64_t{3}}}));
}

TEST(AvroSkip, DeepWriterOnlyValuesAreBounded) {
  DropOne drop(R"({"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]})");
  Datum out;
  auto err = drop.skip(std::string(100000, '\x02') + '\0' + long_bytes(1), out);
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("nesting deeper than 256"), std::string::npos) << err->reason;
  ASSERT_FALSE(drop.skip(std::string(100, '\x02') + '\0' + long_bytes(1), out));
}

std::size_t min_size(const std::string& json) {
  return avro::detail::min_encoded_size(Schema::parse(json).root());
}

TEST(AvroSkip, MinimumEncodedSizes) {
  EXPECT_EQ(min_size(R"("null")"), 0u);
  EXPECT_EQ(min_size(R"("boolean")"), 1u);
  EXPECT_EQ(min_size(R"("long")"), 1u);
  EXPECT_EQ(min_size(R"("float")"), 4u);
  EXPECT_EQ(min_size(R"("double")"), 8u);
  EXPECT_EQ(min_size(R"("string")"), 1u);
  EXPECT_EQ(min_size(R"({"type":"fixed","name":"F","size":5})"), 5u);
  EXPECT_EQ(min_size(R"({"type":"fixed","name":"F","size":0})"), 0u);
  EXPECT_EQ(min_size(R"(["double","null"])"), 1u);
  EXPECT_EQ(min_size(R"({"type":"array","items":"double"})"), 1u);
  EXPECT_EQ(min_size(R"({"type":"record","name":"E","fields":[]})"), 0u);
  EXPECT_EQ(min_size(R"({"type":"record","name":"R","fields":[{"name":"a","type":"null"},
      {"name":"b","type":{"type":"record","name":"S","fields":[{"name":"x","type":"double"},
      {"name":"f","type":{"type":"fixed","name":"F","size":3}}]}},{"name":"c","type":"int"}]})"),
            12u);
  // One record type reused in every field of every level: 20^6 paths, a bounded look.
  std::string schema = R"({"type":"record","name":"R0","fields":[)";
  for (int f = 0; f < 20; ++f)
    schema +=
        (f ? "," : "") + std::string(R"({"name":"f)") + std::to_string(f) + R"(","type":"double"})";
  schema += "]}";
  for (int level = 1; level <= 6; ++level) {
    std::string next = R"({"type":"record","name":"R)" + std::to_string(level) + R"(","fields":[)";
    for (int f = 0; f < 20; ++f) {
      next += (f ? "," : "") + std::string(R"({"name":"f)") + std::to_string(f) + R"(","type":)" +
              (f == 0 ? schema : "\"R" + std::to_string(level - 1) + "\"") + "}";
    }
    schema = next + "]}";
  }
  const std::size_t wide = min_size(schema);
  EXPECT_GE(wide, 20u * 8);  // a lower bound, found without walking the 20^6 paths
}

}  // namespace
