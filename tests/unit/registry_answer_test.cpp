// What the registry's answers mean (registry/answer.h): bounded, whatever the body holds.
#include <gtest/gtest.h>

#include "registry/answer.h"

using registry::Answer;

namespace {

constexpr std::size_t kSchemaMax = 1000;
constexpr std::size_t kResponseMax = 4000;

orders::SchemaLookup lookup(int status, std::string body, bool truncated = false) {
  return registry::schema_answer(Answer{status, std::move(body), truncated}, kSchemaMax,
                                 kResponseMax);
}

template <class T>
std::string reason(const orders::SchemaLookup& l) {
  const auto* r = std::get_if<T>(&l);
  return r ? r->reason : "(another kind)";
}

}  // namespace

TEST(RegistryAnswer, FoundUnknownUnavailable) {
  auto l = lookup(200, R"({"schema":"\"int\"","schemaType":"AVRO","references":[{"a":[1]}]})");
  ASSERT_TRUE(std::holds_alternative<orders::SchemaFound>(l));
  EXPECT_EQ(std::get<orders::SchemaFound>(l).text, "\"int\"");
  EXPECT_EQ(std::get<orders::SchemaFound>(lookup(200, R"({"schema":"\"long\""})")).text,
            "\"long\"");
  EXPECT_NE(reason<orders::SchemaUnknown>(
                lookup(404, R"({"error_code":40403,"message":"Schema not found"})"))
                .find("HTTP 404 (error 40403): Schema not found"),
            std::string::npos);
  EXPECT_NE(reason<orders::SchemaUnavailable>(lookup(503, "<html>busy</html>"))
                .find("HTTP 503: <html>busy</html>"),
            std::string::npos);
}

TEST(RegistryAnswer, UnusableAnswersAreRefusedWithTheReason) {
  EXPECT_NE(reason<orders::SchemaRefused>(lookup(200, R"({"schema":"x","schemaType":"PROTOBUF"})"))
                .find("a PROTOBUF schema, not Avro"),
            std::string::npos);
  EXPECT_NE(
      reason<orders::SchemaRefused>(lookup(200, R"({"schema":{"type":"int"}})")).find("no schema"),
      std::string::npos);
  EXPECT_NE(reason<orders::SchemaRefused>(lookup(200, "[1,2]")).find("not a JSON object"),
            std::string::npos);
  EXPECT_NE(reason<orders::SchemaRefused>(lookup(200, "{\"schema\":")).find("not a JSON object"),
            std::string::npos);
  const std::string big = R"({"schema":")" + std::string(kSchemaMax + 1, 'a') + R"("})";
  EXPECT_NE(reason<orders::SchemaRefused>(lookup(200, big))
                .find("larger than schema.registry.max.schema.bytes (1000)"),
            std::string::npos);
  EXPECT_NE(reason<orders::SchemaRefused>(lookup(200, R"({"schema":"aaa)", true))
                .find("larger than schema.registry.max.response.bytes (4000 bytes)"),
            std::string::npos);
}

TEST(RegistryAnswer, DeepAnswersAreRefusedWithoutRecursion) {
  std::string deep = R"({"schema":"\"int\"","x":)";
  for (int i = 0; i < 100000; ++i) deep += '[';
  for (int i = 0; i < 100000; ++i) deep += ']';
  deep += '}';
  EXPECT_NE(reason<orders::SchemaRefused>(lookup(200, deep)).find("nested deeper than 64"),
            std::string::npos);
  // An error body as deep: the start of it, bounded.
  const auto [code, message] = registry::error_of(Answer{500, deep, false});
  EXPECT_EQ(code, 0);
  EXPECT_LE(message.size(), 220u);
}

TEST(RegistryAnswer, MessagesAndIdsAreBounded) {
  const std::string long_message =
      R"({"error_code":50001,"message":")" + std::string(100000, 'm') + R"("})";
  const auto [code, message] = registry::error_of(Answer{500, long_message, false});
  EXPECT_EQ(code, 50001);
  EXPECT_LE(message.size(), 1100u);
  EXPECT_EQ(registry::id_of(Answer{200, R"({"id":42})", false}), 42u);
  EXPECT_FALSE(registry::id_of(Answer{200, R"({"id":4294967296})", false}));
  EXPECT_FALSE(registry::id_of(Answer{200, R"({"id":-1})", false}));
  EXPECT_FALSE(registry::id_of(Answer{200, R"({"id":"42"})", false}));
  EXPECT_FALSE(registry::id_of(Answer{200, R"({"id":42})", true}));         // cut: not trusted
  EXPECT_FALSE(registry::id_of(Answer{200, R"({"x":{"id":42}})", false}));  // top level only
}
