// Schema registry settings: URL, schema.registry.* properties, masking, subject names.
#include <gtest/gtest.h>

#include "registry/client.h"
#include "registry/options.h"
#include "registry/settings.h"
#include "util/errors.h"

using registry::SubjectStrategy;

TEST(RegistrySettings, SubjectNames) {
  EXPECT_EQ(registry::subject_name(SubjectStrategy::topic, "orders", "Order"), "orders-value");
  EXPECT_EQ(registry::subject_name(SubjectStrategy::record, "orders", "Order"), "Order");
  EXPECT_EQ(registry::subject_name(SubjectStrategy::topic_record, "orders", "Order"),
            "orders-Order");
  EXPECT_EQ(registry::parse_subject_strategy("topic-record"), SubjectStrategy::topic_record);
  EXPECT_THROW(registry::parse_subject_strategy("Topic"), std::invalid_argument);
}

TEST(RegistrySettings, UrlSplitsIntoOriginAndPath) {
  auto s = registry::parse_settings("http://127.0.0.1:8081/apis/ccompat/v7/", {});
  EXPECT_EQ(s.origin, "http://127.0.0.1:8081");
  EXPECT_EQ(s.path_prefix, "/apis/ccompat/v7");
  EXPECT_FALSE(s.tls());
  s = registry::parse_settings("https://sr.example.com", {});
  EXPECT_EQ(s.origin, "https://sr.example.com");
  EXPECT_EQ(s.path_prefix, "");
  EXPECT_TRUE(s.tls());
  for (const char* bad : {"ftp://x", "127.0.0.1:8081", "http://", "http:///path", ""}) {
    EXPECT_THROW(registry::parse_settings(bad, {}), std::invalid_argument) << bad;
  }
}

TEST(RegistrySettings, CredentialsAreMaskedWhereverTheyCameFrom) {
  auto s = registry::parse_settings("https://alice:s3cret@sr.example.com/v7", {});
  EXPECT_EQ(s.user, "alice");
  EXPECT_EQ(s.password, "s3cret");
  EXPECT_EQ(s.origin, "https://sr.example.com");
  EXPECT_EQ(registry::describe(s).find("s3cret"), std::string::npos) << registry::describe(s);
  s = registry::parse_settings("https://sr.example.com",
                               {{"schema.registry.basic.auth.user.info", "bob:hunter2"},
                                {"schema.registry.ssl.ca.location", "/etc/ca.pem"}});
  EXPECT_EQ(s.user, "bob");
  EXPECT_EQ(s.ca_location, "/etc/ca.pem");
  const auto text = registry::describe(s);
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("bob:******"), std::string::npos) << text;
}

TEST(RegistrySettings, KeyPasswordIsMaskedAndHostnameCheckFollowsConfluent) {
  auto s = registry::parse_settings("https://sr",
                                    {{"schema.registry.ssl.certificate.location", "/c.pem"},
                                     {"schema.registry.ssl.key.location", "/k.pem"},
                                     {"schema.registry.ssl.key.password", "pa55word"}});
  EXPECT_EQ(s.key_password, "pa55word");
  EXPECT_TRUE(s.verify_hostname);
  auto text = registry::describe(s);
  EXPECT_EQ(text.find("pa55word"), std::string::npos) << text;
  EXPECT_NE(text.find("key password ******"), std::string::npos) << text;
  // "none" and "" (as in Kafka's ssl.endpoint.identification.algorithm) skip the hostname only.
  for (const char* off : {"none", ""}) {
    s = registry::parse_settings("https://sr",
                                 {{"ssl.endpoint.identification.algorithm", std::string(off)}});
    EXPECT_FALSE(s.verify_hostname) << off;
    EXPECT_NE(registry::describe(s).find("hostname not verified"), std::string::npos);
  }
  EXPECT_THROW(registry::parse_settings("https://sr",
                                        {{"ssl.endpoint.identification.algorithm", "HTTPS-ish"}}),
               std::invalid_argument);
}

TEST(RegistrySettings, PropertiesAreChecked) {
  const std::string url = "https://sr";
  auto s = registry::parse_settings(url, {{"request.timeout.ms", "1500"},
                                          {"schema.registry.cache.capacity", "10"},
                                          {"schema.registry.cache.ttl.sec", "30"}});
  EXPECT_EQ(s.request_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(s.cache.known.capacity, 10u);
  EXPECT_EQ(s.cache.known.ttl, std::chrono::seconds(30));
  EXPECT_THROW(registry::parse_settings(url, {{"schema.registry.nope", "1"}}),
               std::invalid_argument);
  EXPECT_THROW(registry::parse_settings(url, {{"request.timeout.ms", "-1"}}),
               std::invalid_argument);
  EXPECT_THROW(registry::parse_settings(url, {{"basic.auth.user.info", "nocolon"}}),
               std::invalid_argument);
  EXPECT_THROW(registry::parse_settings(url, {{"ssl.certificate.location", "/c.pem"}}),
               std::invalid_argument);  // without its key
  EXPECT_THROW(registry::parse_settings("http://sr", {{"ssl.ca.location", "/ca.pem"}}),
               std::invalid_argument);  // TLS options on plain HTTP
}

TEST(RegistrySettings, OptionsBecomeUsageErrors) {
  registry::Options o;
  EXPECT_FALSE(registry::make_settings(o));
  o.properties = {"basic.auth.user.info=a:b"};
  EXPECT_THROW(registry::make_settings(o), util::UsageError);  // no URL
  o.url = "http://127.0.0.1:8081/apis/ccompat/v7";
  EXPECT_EQ(registry::make_settings(o)->user, "a");
  o.properties = {"novalue"};
  EXPECT_THROW(registry::make_settings(o), util::UsageError);
  o.properties = {"schema.registry.bogus=1"};
  EXPECT_THROW(registry::make_settings(o), util::UsageError);
}

TEST(RegistryClient, SubjectsArePercentEncoded) {
  EXPECT_EQ(registry::encode_segment("orders-value"), "orders-value");
  EXPECT_EQ(registry::encode_segment("a b/c?"), "a%20b%2Fc%3F");
}

// Nothing listens on port 1: the lookup is "unavailable" (retried), never "unknown", and a
// second lookup within the failure backoff does not even try.
TEST(RegistryClient, UnreachableRegistryIsUnavailable) {
  auto s = registry::parse_settings("http://127.0.0.1:1", {{"request.timeout.ms", "500"}});
  registry::Client c(s);
  auto r = c.by_id(1);
  ASSERT_TRUE(std::holds_alternative<orders::SchemaUnavailable>(r));
  EXPECT_NE(std::get<orders::SchemaUnavailable>(r).reason.find("unreachable"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<orders::SchemaUnavailable>(c.by_id(2)));
  try {
    c.register_schema("orders-value", "\"int\"");
    FAIL() << "no exception";
  } catch (const registry::RegistryError& e) {
    EXPECT_TRUE(e.unreachable());
  }
}
