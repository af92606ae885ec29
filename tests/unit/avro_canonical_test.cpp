// Parsing Canonical Form and CRC-64-AVRO fingerprints.
#include <gtest/gtest.h>

#include <cstdint>

#include "avro/canonical.h"

namespace {

struct Vector {
  const char* input;
  const char* canonical;
  std::int64_t fingerprint;  // 0 = not given for this case
};

// Cases copied by hand from the Apache Avro project's shared test data,
// share/test/data/schema-tests.txt (cases 000..033; fingerprints as signed 64-bit values).
// Case 026 there has "default":"true" for a boolean field; we validate defaults, so it is true.
const Vector kSpecVectors[] = {
    {R"("null")", R"("null")", 7195948357588979594},
    {R"({"type":"null"})", R"("null")", 0},
    {R"("boolean")", R"("boolean")", -6970731678124411036},
    {R"("int")", R"("int")", 8247732601305521295},
    {R"({"type":"int"})", R"("int")", 0},
    {R"("long")", R"("long")", -3434872931120570953},
    {R"("float")", R"("float")", 5583340709985441680},
    {R"("double")", R"("double")", -8181574048448539266},
    {R"("bytes")", R"("bytes")", 5746618253357095269},
    {R"("string")", R"("string")", -8142146995180207161},
    {R"([  ])", R"([])", -1241056759729112623},
    {R"([ "int"  ])", R"(["int"])", -5232228896498058493},
    {R"([ "int" , {"type":"boolean"} ])", R"(["int","boolean"])", 5392556393470105090},
    {R"({"fields":[], "type":"record", "name":"foo"})",
     R"({"name":"foo","type":"record","fields":[]})", -4824392279771201922},
    {R"({"fields":[], "type":"record", "name":"foo", "namespace":"x.y"})",
     R"({"name":"x.y.foo","type":"record","fields":[]})", 5916914534497305771},
    {R"({"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"})",
     R"({"name":"a.b.foo","type":"record","fields":[]})", -4616218487480524110},
    {R"({"fields":[], "type":"record", "name":"foo", "doc":"Useful info"})",
     R"({"name":"foo","type":"record","fields":[]})", -4824392279771201922},
    {R"({"fields":[], "type":"record", "name":"foo", "aliases":["foo","bar"]})",
     R"({"name":"foo","type":"record","fields":[]})", -4824392279771201922},
    {R"({"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"})",
     R"({"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]})",
     7843277075252814651},
    {R"({ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":true},
                    {"order":"descending","name":"f2","doc":"Hello","type":"int"}],
          "type":"record", "name":"foo"})",
     R"({"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},)"
     R"({"name":"f2","type":"int"}]})",
     -4860222112080293046},
    {R"({"type":"enum", "name":"foo", "symbols":["A1"]})",
     R"({"name":"foo","type":"enum","symbols":["A1"]})", -6342190197741309591},
    {R"({"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar",)"
     R"( "symbols":["A1", "A2"]})",
     R"({"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]})", -4448647247586288245},
    {R"({"name":"foo","type":"fixed","size":15})", R"({"name":"foo","type":"fixed","size":15})",
     1756455273707447556},
    {R"({"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32})",
     R"({"name":"x.y.z.foo","type":"fixed","size":32})", -3064184465700546786},
    {R"({ "items":{"type":"null"}, "type":"array"})", R"({"type":"array","items":"null"})",
     -589620603366471059},
    {R"({ "values":"string", "type":"map"})", R"({"type":"map","values":"string"})",
     -8732877298790414990},
    {R"({"name":"PigValue","type":"record",
         "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]})",
     R"({"name":"PigValue","type":"record","fields":[)"
     R"({"name":"value","type":["null","int","long","PigValue"]}]})",
     -1759257747318642341},
};

TEST(AvroCanonical, SpecVectors) {
  for (const auto& v : kSpecVectors) {
    auto schema = avro::Schema::parse(v.input);
    EXPECT_EQ(avro::canonical_form(schema), v.canonical) << v.input;
    if (v.fingerprint != 0) {
      EXPECT_EQ(static_cast<std::int64_t>(avro::fingerprint64(schema)), v.fingerprint) << v.input;
    }
  }
}

// The spec's own example: CRC-64-AVRO of "int" is 0x7275d51a3f395c8f (also the basis of the
// single-object encoding header C3 01 8F 5C 39 3F 1A D5 75 72).
TEST(AvroCanonical, IntFingerprintHex) {
  EXPECT_EQ(avro::crc64_avro(R"("int")"), 0x7275d51a3f395c8fULL);
}

TEST(AvroCanonical, StripsLogicalTypesAndQualifiesNestedNames) {
  auto schema = avro::Schema::parse(R"({
    "type": "record", "name": "Outer", "namespace": "com.acme",
    "fields": [
      {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9,
                                  "scale": 2}},
      {"name": "day", "type": {"type": "int", "logicalType": "date"}},
      {"name": "inner", "type": {"type": "record", "name": "Inner",
                                 "fields": [{"name": "x", "type": "long"}]}},
      {"name": "again", "type": "Inner"},
      {"name": "other", "type": {"type": "fixed", "name": "org.F", "size": 2}}
    ]})");
  EXPECT_EQ(avro::canonical_form(schema),
            R"({"name":"com.acme.Outer","type":"record","fields":[)"
            R"({"name":"amount","type":"bytes"},{"name":"day","type":"int"},)"
            R"({"name":"inner","type":{"name":"com.acme.Inner","type":"record",)"
            R"("fields":[{"name":"x","type":"long"}]}},)"
            R"({"name":"again","type":"com.acme.Inner"},)"
            R"({"name":"other","type":{"name":"org.F","type":"fixed","size":2}}]})");
}

TEST(AvroCanonical, OrderSchema) {
  auto schema = avro::Schema::parse(R"({"type": "record", "name": "Order", "fields": [
      {"name": "orderId", "type": "string"}, {"name": "product", "type": "string"},
      {"name": "price", "type": "float"}]})");
  EXPECT_EQ(avro::canonical_form(schema),
            R"({"name":"Order","type":"record","fields":[{"name":"orderId","type":"string"},)"
            R"({"name":"product","type":"string"},{"name":"price","type":"float"}]})");
}

}  // namespace
