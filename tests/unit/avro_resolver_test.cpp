// Schema resolution: reading with a different reader schema.
#include <gtest/gtest.h>

#include <string>

#include "avro/codec.h"
#include "avro/resolver.h"
#include "avro/schema.h"

namespace {

using avro::Datum;
using avro::Schema;
using avro::SchemaResolution;

// Encodes `value` with `writer_json`, reads it back as `reader_json`.
Datum read_as(const char* writer_json, const Datum& value, const char* reader_json) {
  auto writer = Schema::parse(writer_json);
  std::string bytes;
  auto err = avro::encode(writer, value, bytes);
  EXPECT_FALSE(err) << err->message();
  SchemaResolution resolution(writer, Schema::parse(reader_json));
  Datum out;
  auto derr = resolution.decode(bytes, out);
  EXPECT_FALSE(derr) << derr->message();
  return out;
}

std::optional<avro::DecodeError> read_error(const char* writer_json, const Datum& value,
                                            const char* reader_json) {
  auto writer = Schema::parse(writer_json);
  std::string bytes;
  EXPECT_FALSE(avro::encode(writer, value, bytes));
  SchemaResolution resolution(writer, Schema::parse(reader_json));
  Datum out;
  return resolution.decode(bytes, out);
}

const char* kOrderV1 = R"({"type":"record","name":"Order","fields":[
    {"name":"orderId","type":"string"},{"name":"product","type":"string"},
    {"name":"price","type":"float"}]})";

TEST(AvroResolver, OrderEvolution) {
  // v2 reorders, widens price to double, drops product, adds fields with defaults.
  const char* v2 = R"({"type":"record","name":"Order","namespace":"shop","fields":[
      {"name":"price","type":"double"},
      {"name":"id","type":"string","aliases":["orderId"]},
      {"name":"currency","type":"string","default":"EUR"},
      {"name":"note","type":["null","string"],"default":null}]})";
  Datum out =
      read_as(kOrderV1, avro::Record{{std::string("ORD-1"), std::string("Mouse"), 2.5f}}, v2);
  const auto& f = out.as<avro::Record>().fields;
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0], Datum(2.5));
  EXPECT_EQ(f[1], Datum(std::string("ORD-1")));
  EXPECT_EQ(f[2], Datum(std::string("EUR")));
  EXPECT_EQ(f[3], Datum(avro::Union(0, avro::Null{})));
}

TEST(AvroResolver, SkipsWriterOnlyFieldsOfEveryShape) {
  const char* writer = R"({"type":"record","name":"R","fields":[
      {"name":"a","type":{"type":"array","items":"string"}},
      {"name":"m","type":{"type":"map","values":["null","double"]}},
      {"name":"keep","type":"long"},
      {"name":"f","type":{"type":"fixed","name":"F","size":2}}]})";
  avro::Record value{{avro::Array{{std::string("x"), std::string("yz")}},
                      avro::Map{{{"k", avro::Union(1, 1.0)}}}, std::int64_t{42},
                      avro::Fixed{"ab"}}};
  Datum out = read_as(writer, value,
                      R"({"type":"record","name":"R","fields":[{"name":"keep","type":"long"}]})");
  EXPECT_EQ(out, Datum(avro::Record{{std::int64_t{42}}}));
}

TEST(AvroResolver, Promotions) {
  EXPECT_EQ(read_as(R"("int")", std::int32_t{-7}, R"("long")"), Datum(std::int64_t{-7}));
  EXPECT_EQ(read_as(R"("int")", std::int32_t{3}, R"("float")"), Datum(3.0f));
  EXPECT_EQ(read_as(R"("int")", std::int32_t{3}, R"("double")"), Datum(3.0));
  EXPECT_EQ(read_as(R"("long")", std::int64_t{1} << 40, R"("double")"),
            Datum(static_cast<double>(std::int64_t{1} << 40)));
  EXPECT_EQ(read_as(R"("long")", std::int64_t{5}, R"("float")"), Datum(5.0f));
  EXPECT_EQ(read_as(R"("float")", 0.5f, R"("double")"), Datum(0.5));
  EXPECT_EQ(read_as(R"("string")", std::string("ab"), R"("bytes")"), Datum(avro::Bytes{"ab"}));
  EXPECT_EQ(read_as(R"("bytes")", avro::Bytes{"ab"}, R"("string")"), Datum(std::string("ab")));
  auto err = read_error(R"("bytes")", avro::Bytes{"\xff"}, R"("string")");
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("not UTF-8"), std::string::npos);
}

TEST(AvroResolver, EnumSymbolsMapByName) {
  const char* writer = R"({"type":"enum","name":"E","symbols":["A","B","C"]})";
  const char* reader = R"({"type":"enum","name":"E","symbols":["C","B","Z"],"default":"Z"})";
  EXPECT_EQ(read_as(writer, avro::EnumValue{0}, reader), Datum(avro::EnumValue{2}));  // A -> Z
  EXPECT_EQ(read_as(writer, avro::EnumValue{2}, reader), Datum(avro::EnumValue{0}));  // C
  const char* strict = R"({"type":"enum","name":"E","symbols":["B"]})";
  EXPECT_EQ(read_as(writer, avro::EnumValue{1}, strict), Datum(avro::EnumValue{0}));
  auto err = read_error(writer, avro::EnumValue{0}, strict);
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("symbol A is not in reader enum E"), std::string::npos);
}

TEST(AvroResolver, Unions) {
  // Writer union -> reader union: each branch finds its reader branch.
  const char* wu = R"(["null","int","string"])";
  const char* ru = R"(["string","long","null"])";
  EXPECT_EQ(read_as(wu, avro::Union(0, avro::Null{}), ru), Datum(avro::Union(2, avro::Null{})));
  EXPECT_EQ(read_as(wu, avro::Union(1, std::int32_t{9}), ru),
            Datum(avro::Union(1, std::int64_t{9})));
  EXPECT_EQ(read_as(wu, avro::Union(2, std::string("s")), ru),
            Datum(avro::Union(0, std::string("s"))));
  // Writer non-union -> reader union.
  EXPECT_EQ(read_as(R"("int")", std::int32_t{1}, R"(["null","double"])"),
            Datum(avro::Union(1, 1.0)));
  // Writer union -> reader non-union: fine for a matching branch, an error for the others.
  EXPECT_EQ(read_as(wu, avro::Union(1, std::int32_t{4}), R"("long")"), Datum(std::int64_t{4}));
  auto err = read_error(wu, avro::Union(2, std::string("s")), R"("long")");
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("schema mismatch"), std::string::npos) << err->reason;
}

TEST(AvroResolver, RecursiveTypes) {
  const char* writer = R"({"type":"record","name":"L","fields":[
      {"name":"v","type":"int"},{"name":"next","type":["null","L"]}]})";
  const char* reader = R"({"type":"record","name":"L","fields":[
      {"name":"next","type":["null","L"]},{"name":"v","type":"long"},
      {"name":"tag","type":"string","default":"t"}]})";
  Datum list =
      avro::Record{{std::int32_t{1},
                    avro::Union(1, avro::Record{{std::int32_t{2}, avro::Union(0, avro::Null{})}})}};
  Datum out = read_as(writer, list, reader);
  const auto& outer = out.as<avro::Record>().fields;
  EXPECT_EQ(outer[1], Datum(std::int64_t{1}));
  const auto& inner = outer[0].as<avro::Union>().value->as<avro::Record>().fields;
  EXPECT_EQ(inner[1], Datum(std::int64_t{2}));
  EXPECT_EQ(inner[2], Datum(std::string("t")));
}

TEST(AvroResolver, IncompatibleSchemasThrow) {
  struct Case {
    const char* writer;
    const char* reader;
    const char* message_part;
  };
  const Case cases[] = {
      {R"("string")", R"("int")", "writer string cannot be read as int"},
      {R"("long")", R"("int")", "cannot be read as int"},
      {R"("double")", R"("float")", "cannot be read as float"},
      {R"({"type":"record","name":"A","fields":[]})", R"({"type":"record","name":"B","fields":[]})",
       "does not match"},
      {kOrderV1, R"({"type":"record","name":"Order","fields":[{"name":"qty","type":"int"}]})",
       "reader field \"qty\" of Order is not written and has no default"},
      {R"({"type":"fixed","name":"F","size":2})", R"({"type":"fixed","name":"F","size":3})",
       "does not match"},
      {R"("int")", R"(["null","string"])", "matches no branch"},
      {R"({"type":"record","name":"R","fields":[{"name":"x","type":"string"}]})",
       R"({"type":"record","name":"R","fields":[{"name":"x","type":"int"}]})",
       "field \"x\": writer string cannot be read as int"},
  };
  for (const auto& c : cases) {
    try {
      SchemaResolution(Schema::parse(c.writer), Schema::parse(c.reader));
      ADD_FAILURE() << "resolved: " << c.writer << " -> " << c.reader;
    } catch (const avro::SchemaError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message_part), std::string::npos) << e.what();
    }
  }
}

TEST(AvroResolver, SameSchemaEqualsPlainDecode) {
  auto schema = Schema::parse(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":{"type":"array","items":{"type":"map","values":"int"}}},
      {"name":"u","type":["null",{"type":"enum","name":"E","symbols":["X","Y"]}]}]})");
  avro::Record value{
      {avro::Array{{avro::Map{{{"k", std::int32_t{1}}}}}}, avro::Union(1, avro::EnumValue{1})}};
  std::string bytes;
  ASSERT_FALSE(avro::encode(schema, value, bytes));
  Datum plain, resolved;
  ASSERT_FALSE(avro::decode(schema, bytes, plain));
  ASSERT_FALSE(SchemaResolution(schema, schema).decode(bytes, resolved));
  EXPECT_EQ(plain, resolved);
  // Malformed input is still a DecodeError through the resolver.
  EXPECT_TRUE(SchemaResolution(schema, schema).decode(bytes.substr(0, bytes.size() - 1), resolved));
  EXPECT_TRUE(SchemaResolution(schema, schema).decode(bytes + "x", resolved));
}

}  // namespace
