// The schema parser against hostile text (a registry answer is one): nesting checked before
// anything is built, objects with many keys in O(n log n), messages bounded and made without
// recursion.
#include <gtest/gtest.h>

#include <string>

#include "avro/json_bounds.h"
#include "avro/schema.h"

using avro::Schema;

namespace {

std::string message_of(const std::string& text) {
  try {
    Schema::parse(text);
  } catch (const avro::SchemaError& e) {
    return e.what();
  }
  return "(parsed)";
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST(AvroSchemaLimits, A100kDeepDocumentIsAClearErrorNotAStackOverflow) {
  // Objects without "type" used to be quoted whole (recursively) in the error message.
  const std::string objects = repeat(R"({"x":)", 100000) + "1" + repeat("}", 100000);
  EXPECT_NE(message_of(objects).find("nested deeper than"), std::string::npos);
  const std::string arrays = repeat("[", 100000) + repeat("]", 100000);
  EXPECT_NE(message_of(arrays).find("nested deeper than"), std::string::npos);
  // In a default value too.
  const std::string in_default = R"({"type":"record","name":"R","fields":[{"name":"a",)"
                                 R"("type":"int","default":)" +
                                 repeat("[", 100000) + repeat("]", 100000) + "}]}";
  EXPECT_NE(message_of(in_default).find("nested deeper than"), std::string::npos);
  // Unbalanced and inside strings: the scan skips strings and escapes.
  EXPECT_EQ(avro::json_nesting(R"(["[[[\"[[", {"a":[]}])", 100), 3);
  EXPECT_EQ(avro::json_nesting(repeat("[", 50), 10), 10);  // stops at stop_at
}

TEST(AvroSchemaLimits, ObjectsWithManyKeysParse) {
  // ordered_json looked each key up linearly: quadratic in the keys of one object.
  std::string wide = R"({"type":"int")";
  for (int i = 0; i < 200000; ++i) wide += ",\"k" + std::to_string(i) + "\":0";
  wide += "}";
  EXPECT_EQ(Schema::parse(wide).root().type, avro::Type::kInt);
  // A record of many fields with a record default of as many keys (a lookup per field).
  constexpr int kFields = 20000;
  std::string inner = R"({"type":"record","name":"I","fields":[)";
  std::string value = "{";
  for (int i = 0; i < kFields; ++i) {
    inner +=
        (i ? "," : "") + std::string(R"({"name":"f)") + std::to_string(i) + R"(","type":"int"})";
    value += (i ? "," : "") + std::string("\"f") + std::to_string(i) + "\":" + std::to_string(i);
  }
  inner += "]}";
  value += "}";
  const std::string text = R"({"type":"record","name":"R","fields":[{"name":"i","type":)" + inner +
                           R"(,"default":)" + value + "}]}";
  const auto s = Schema::parse(text);
  const auto& d = *s.root().fields[0].default_value;
  const auto& rec = std::get<avro::Record>(d.value());
  ASSERT_EQ(rec.fields.size(), static_cast<std::size_t>(kFields));
  EXPECT_EQ(std::get<std::int32_t>(rec.fields[kFields - 1].value()), kFields - 1);
}

TEST(AvroSchemaLimits, MessagesAreBounded) {
  const std::string big(1 << 20, 'n');
  for (const std::string& text :
       {R"({"name":")" + big + R"("})", R"("x)" + big + R"(")",
        R"({"type":"record","name":")" + big + R"(-","fields":[]})",
        R"({"type":"enum","name":"E","symbols":["A"],"default":")" + big + R"("})"}) {
    const auto m = message_of(text);
    EXPECT_NE(m, "(parsed)");
    EXPECT_LE(m.size(), 503u) << m.substr(0, 100);
  }
  EXPECT_EQ(avro::json_excerpt(nlohmann::json::parse(R"({"a":[1,2,{"b":"c"}],"d":null})"), 200),
            R"({"a":[1,2,{"b":"c"}],"d":null})");
  const auto cut = avro::json_excerpt(nlohmann::json::parse(R"([1,2,3,4,5,6,7,8,9,10,11])"), 8);
  EXPECT_EQ(cut.substr(0, 8), "[1,2,3,4");
  EXPECT_NE(cut.find("..."), std::string::npos);
}

TEST(AvroSchemaLimits, MayBeEmptyThroughALongChainOfRecords) {
  // X_i has a field of Y_i (defined inside it), Y_i one of X_{i-1}: each X_i is empty-able only
  // once Y_i is, which the old fixed-point loop learnt one pass per link.
  constexpr int kLinks = 3000;
  std::string text = R"([{"type":"record","name":"X0","fields":[]})";
  for (int i = 1; i <= kLinks; ++i) {
    const auto n = std::to_string(i);
    text += R"(,{"type":"record","name":"X)" + n +
            R"(","fields":[{"name":"f","type":{"type":"record","name":"Y)" + n +
            R"(","fields":[{"name":"g","type":"X)" + std::to_string(i - 1) + R"("}]}}]})";
  }
  text += "]";
  const auto s = Schema::parse(text);
  ASSERT_EQ(s.root().branches.size(), static_cast<std::size_t>(kLinks + 1));
  for (const auto* b : s.root().branches) EXPECT_TRUE(b->may_be_empty) << b->fullname;
}

TEST(AvroSchemaLimits, AMapDefaultComesOutInKeyOrder) {
  const auto s =
      Schema::parse(R"({"type":"record","name":"R","fields":[{"name":"m",)"
                    R"("type":{"type":"map","values":"int"},"default":{"b":1,"a":2}}]})");
  const auto& m = std::get<avro::Map>(s.root().fields[0].default_value->value());
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.entries[0].first, "a");
  EXPECT_EQ(m.entries[1].first, "b");
}
