// Schema parsing: names, references, logical types, defaults, and rejected schemas.
#include <gtest/gtest.h>

#include <string>

#include "avro/schema.h"

namespace {

using avro::LogicalType;
using avro::Schema;
using avro::Type;

TEST(AvroSchema, Primitives) {
  for (const char* name :
       {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}) {
    auto s = Schema::parse(std::string("\"") + name + "\"");
    EXPECT_EQ(avro::type_name(s.root().type), name);
    auto o = Schema::parse(std::string(R"({"type":")") + name + "\"}");
    EXPECT_EQ(avro::type_name(o.root().type), name);
  }
}

TEST(AvroSchema, NamespacesAndReferences) {
  auto s = Schema::parse(R"({
    "type": "record", "name": "A", "namespace": "n1",
    "fields": [
      {"name": "b", "type": {"type": "record", "name": "B", "fields": []}},
      {"name": "b2", "type": "B"},
      {"name": "b3", "type": "n1.B"},
      {"name": "c", "type": {"type": "enum", "name": "n2.C", "symbols": ["X"],
                             "aliases": ["OldC", "x.Y"]}},
      {"name": "d", "type": {"type": "fixed", "name": "D", "namespace": "", "size": 3}},
      {"name": "d2", "type": "D"},
      {"name": "self", "type": ["null", "A"]}
    ]})");
  const auto& r = s.root();
  EXPECT_EQ(r.fullname, "n1.A");
  EXPECT_EQ(r.fields[0].type->fullname, "n1.B");
  EXPECT_EQ(r.fields[1].type, r.fields[0].type);
  EXPECT_EQ(r.fields[2].type, r.fields[0].type);
  EXPECT_EQ(r.fields[3].type->fullname, "n2.C");
  EXPECT_EQ(r.fields[3].type->name, "C");
  EXPECT_EQ(r.fields[3].type->aliases, (std::vector<std::string>{"n2.OldC", "x.Y"}));
  EXPECT_EQ(r.fields[4].type->fullname, "D");
  EXPECT_EQ(r.fields[5].type, r.fields[4].type);  // found in the null namespace
  EXPECT_EQ(r.fields[6].type->branches[1], &r);
}

TEST(AvroSchema, LogicalTypes) {
  struct Case {
    const char* json;
    LogicalType expected;
  };
  const Case cases[] = {
      {R"({"type":"bytes","logicalType":"decimal","precision":10,"scale":2})",
       LogicalType::kDecimal},
      {R"({"type":"fixed","name":"f","size":4,"logicalType":"decimal","precision":9})",
       LogicalType::kDecimal},
      {R"({"type":"string","logicalType":"uuid"})", LogicalType::kUuid},
      {R"({"type":"int","logicalType":"date"})", LogicalType::kDate},
      {R"({"type":"int","logicalType":"time-millis"})", LogicalType::kTimeMillis},
      {R"({"type":"long","logicalType":"time-micros"})", LogicalType::kTimeMicros},
      {R"({"type":"long","logicalType":"timestamp-millis"})", LogicalType::kTimestampMillis},
      {R"({"type":"long","logicalType":"timestamp-micros"})", LogicalType::kTimestampMicros},
      {R"({"type":"fixed","name":"d","size":12,"logicalType":"duration"})", LogicalType::kDuration},
      // Invalid annotations fall back to the underlying type.
      {R"({"type":"fixed","name":"f","size":4,"logicalType":"decimal","precision":10})",
       LogicalType::kNone},  // 4 bytes hold at most 9 digits
      {R"({"type":"bytes","logicalType":"decimal","precision":2,"scale":3})", LogicalType::kNone},
      {R"({"type":"bytes","logicalType":"decimal"})", LogicalType::kNone},
      {R"({"type":"bytes","logicalType":"decimal","precision":0})", LogicalType::kNone},
      {R"({"type":"long","logicalType":"date"})", LogicalType::kNone},
      {R"({"type":"int","logicalType":"timestamp-millis"})", LogicalType::kNone},
      {R"({"type":"int","logicalType":"uuid"})", LogicalType::kNone},
      {R"({"type":"string","logicalType":"no-such-thing"})", LogicalType::kNone},
  };
  for (const auto& c : cases) {
    auto s = Schema::parse(c.json);
    EXPECT_EQ(s.root().logical, c.expected) << c.json;
  }
  auto d = Schema::parse(R"({"type":"bytes","logicalType":"decimal","precision":10,"scale":2})");
  EXPECT_EQ(d.root().precision, 10);
  EXPECT_EQ(d.root().scale, 2);
}

TEST(AvroSchema, DefaultsAreTyped) {
  auto s = Schema::parse(R"({"type":"record","name":"R","fields":[
      {"name":"i","type":"int","default":7},
      {"name":"b","type":"bytes","default":"\u00ff\u0000a"},
      {"name":"u","type":["null","string"],"default":null},
      {"name":"u2","type":["string","null"],"default":"x"},
      {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"B"},
      {"name":"a","type":{"type":"array","items":"long"},"default":[1,2]},
      {"name":"m","type":{"type":"map","values":"double"},"default":{"k":1.5}},
      {"name":"r","type":{"type":"record","name":"S","fields":[
          {"name":"x","type":"float","default":0.5}]},"default":{}}
    ]})");
  const auto& f = s.root().fields;
  EXPECT_EQ(*f[0].default_value, avro::Datum(std::int32_t{7}));
  EXPECT_EQ(*f[1].default_value, avro::Datum(avro::Bytes{std::string("\xff\0a", 3)}));
  EXPECT_EQ(*f[2].default_value, avro::Datum(avro::Union(0, avro::Null{})));
  EXPECT_EQ(*f[3].default_value, avro::Datum(avro::Union(0, std::string("x"))));
  EXPECT_EQ(*f[4].default_value, avro::Datum(avro::EnumValue{1}));
  EXPECT_EQ(f[5].default_value->as<avro::Array>().items.size(), 2u);
  EXPECT_EQ(f[6].default_value->as<avro::Map>().entries[0].first, "k");
  EXPECT_EQ(f[7].default_value->as<avro::Record>().fields[0], avro::Datum(0.5f));
}

TEST(AvroSchema, InvalidSchemasThrowWithMessage) {
  struct Case {
    const char* json;
    const char* message_part;
  };
  const Case cases[] = {
      {R"(not json)", "not valid JSON"},
      {R"("nosuchtype")", "unknown type name"},
      {R"(42)", "must be a string, object or array"},
      {R"({"name":"x"})", "without \"type\""},
      {R"({"type":"record","fields":[]})", "missing \"name\""},
      {R"({"type":"record","name":"R"})", "missing \"fields\""},
      {R"({"type":"record","name":"1R","fields":[]})", "invalid name"},
      {R"({"type":"record","name":"int","fields":[]})", "may not be called"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},)"
       R"({"name":"a","type":"int"}]})",
       "duplicate field"},
      {R"({"type":"record","name":"R","fields":[{"name":"a"}]})", "missing \"type\""},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]})",
       "invalid default"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":3000000000}]})",
       "invalid default"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"R2"}]})", "unknown type"},
      {R"(["int",{"type":"record","name":"R","fields":[]},"R"])", "twice"},
      {R"(["int","int"])", "twice"},
      {R"(["null",["int"]])", "union may not immediately contain a union"},
      {R"({"type":"enum","name":"E","symbols":["A","A"]})", "duplicate enum symbol"},
      {R"({"type":"enum","name":"E","symbols":["A-"]})", "invalid enum symbol"},
      {R"({"type":"enum","name":"E","symbols":["A"],"default":"B"})", "enum default"},
      {R"({"type":"fixed","name":"F","size":-1})", "invalid fixed size"},
      {R"({"type":"fixed","name":"F"})", "missing \"size\""},
      {R"({"type":"array"})", "missing \"items\""},
      {R"({"type":"map"})", "missing \"values\""},
      {R"([{"type":"fixed","name":"F","size":1},{"type":"fixed","name":"F","size":2}])", "twice"},
  };
  for (const auto& c : cases) {
    try {
      Schema::parse(c.json);
      ADD_FAILURE() << "accepted: " << c.json;
    } catch (const avro::SchemaError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message_part), std::string::npos)
          << c.json << " -> " << e.what();
    }
  }
}

TEST(AvroSchema, DeepNestingIsRejectedNotACrash) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += R"({"type":"array","items":)";
  deep += R"("int")";
  for (int i = 0; i < 5000; ++i) deep += "}";
  EXPECT_THROW(Schema::parse(deep), avro::SchemaError);
}

TEST(AvroSchema, MayBeEmpty) {
  auto s = Schema::parse(R"({"type":"record","name":"R","fields":[
      {"name":"n","type":"null"},
      {"name":"f","type":{"type":"fixed","name":"Z","size":0}},
      {"name":"e","type":{"type":"record","name":"E","fields":[]}}]})");
  EXPECT_TRUE(s.root().may_be_empty);
  auto t = Schema::parse(R"({"type":"record","name":"L","fields":[
      {"name":"next","type":["null","L"]}]})");
  EXPECT_FALSE(t.root().may_be_empty);  // the union index takes a byte
}

}  // namespace
