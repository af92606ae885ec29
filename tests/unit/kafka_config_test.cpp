// Config parsing, precedence and secret masking: no broker involved.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "kafka/config.h"
#include "kafka/error.h"
#include "util/redact.h"

namespace kafka {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/kafka_config_testXXXXXX";
    const int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    path_ = name;
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Properties, SetReplacesInPlaceAndKeepsOrder) {
  Properties p{{"a", "1"}, {"b", "2"}};
  p.set("a", "3");
  p.set("c", "4");
  ASSERT_EQ(p.entries().size(), 3u);
  EXPECT_EQ(p.entries()[0], (Properties::Entry{"a", "3"}));
  EXPECT_EQ(p.entries()[2], (Properties::Entry{"c", "4"}));
  EXPECT_EQ(p.get_or("b", "x"), "2");
  EXPECT_EQ(p.get_or("zz", "x"), "x");
  EXPECT_TRUE(p.erase("b"));
  EXPECT_FALSE(p.erase("b"));
  EXPECT_EQ(p.find("b"), nullptr);
}

TEST(Properties, LegacyBrokerListAliasIsOneKey) {
  Properties p;
  p.set("metadata.broker.list", "h1:1");
  p.set("bootstrap.servers", "h2:2");
  ASSERT_EQ(p.entries().size(), 1u);
  EXPECT_EQ(*p.find("bootstrap.servers"), "h2:2");
}

TEST(ParseProperties, JavaStyle) {
  const Properties p = parse_properties(
      "# comment\n"
      "! also a comment\n"
      "\n"
      "  acks = all  \n"
      "linger.ms:20\r\n"
      "sasl.jaas.config=a=b;c=d\n"
      "long.value=part1,\\\n"
      "    part2\n"
      "empty=\n",
      "f.properties");
  EXPECT_EQ(p.get_or("acks", ""), "all");
  EXPECT_EQ(p.get_or("linger.ms", ""), "20");
  EXPECT_EQ(p.get_or("sasl.jaas.config", ""), "a=b;c=d");  // only the first '=' separates
  EXPECT_EQ(p.get_or("long.value", ""), "part1,part2");
  ASSERT_NE(p.find("empty"), nullptr);
  EXPECT_EQ(*p.find("empty"), "");
  EXPECT_EQ(p.entries().size(), 5u);
}

TEST(ParseProperties, ErrorsNameFileAndLine) {
  try {
    parse_properties("acks=all\nhunter2\n", "client.properties");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("client.properties:2"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_properties("=value\n", "f"), ConfigError);
}

TEST(ParseProperties, WhitespaceAndColonSeparateLikeJava) {
  const Properties p = parse_properties(
      "sasl.password hunter2\n"
      "sasl.username: alice\n"
      "client.id\tmy client\n"
      "linger.ms = 20\n"
      "acks   :   all\n"
      "a.b==c\n",
      "f");
  EXPECT_EQ(p.get_or("sasl.password", ""), "hunter2");
  EXPECT_EQ(p.get_or("sasl.username", ""), "alice");
  EXPECT_EQ(p.get_or("client.id", ""), "my client");
  EXPECT_EQ(p.get_or("linger.ms", ""), "20");
  EXPECT_EQ(p.get_or("acks", ""), "all");
  EXPECT_EQ(p.get_or("a.b", ""), "=c");  // only one separator is taken
}

TEST(ParseProperties, JaasContinuationIsOneValue) {
  const Properties p = parse_properties(
      "sasl.jaas.config=org.example.PlainLoginModule required \\\n"
      "    username=\"u\" \\\n"
      "    password=\"s3cr3tJ\";\n"
      "even.backslashes=x\\\\\n"
      "next=1\n",
      "f");
  EXPECT_EQ(p.get_or("sasl.jaas.config", ""),
            "org.example.PlainLoginModule required username=\"u\" password=\"s3cr3tJ\";");
  EXPECT_EQ(p.get_or("even.backslashes", ""), "x\\\\");  // an escaped backslash ends the line
  EXPECT_EQ(p.get_or("next", ""), "1");
}

TEST(ParseAssignment, ErrorsNeverQuoteTheArgument) {
  try {
    parse_assignment("hunter2");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

TEST(ParseAssignment, KeyValue) {
  EXPECT_EQ(parse_assignment("acks=1"), (Properties::Entry{"acks", "1"}));
  EXPECT_EQ(parse_assignment("a=b=c"), (Properties::Entry{"a", "b=c"}));
  EXPECT_EQ(parse_assignment("k="), (Properties::Entry{"k", ""}));
  EXPECT_THROW(parse_assignment("acks"), ConfigError);
  EXPECT_THROW(parse_assignment("=1"), ConfigError);
}

TEST(Resolve, DefaultBootstrap) {
  const Properties p = resolve({});
  EXPECT_EQ(p.get_or("bootstrap.servers", ""), "127.0.0.1:9092");
}

TEST(Resolve, PrecedenceFlagOverXOverEnvOverFileOverDefaults) {
  TempFile file("bootstrap.servers=file:1\nlinger.ms=50\nacks=1\nclient.id=from-file\n");
  ConfigSources s;
  s.defaults = {{"acks", "all"}, {"linger.ms", "5"}, {"compression.type", "snappy"}};
  s.config_file = file.path();

  EXPECT_EQ(resolve(s).get_or("bootstrap.servers", ""), "file:1");
  s.bootstrap_env = "env:1";
  EXPECT_EQ(resolve(s).get_or("bootstrap.servers", ""), "env:1");
  s.overrides = {"bootstrap.servers=x:1", "linger.ms=7", "linger.ms=9"};
  EXPECT_EQ(resolve(s).get_or("bootstrap.servers", ""), "x:1");
  s.bootstrap_flag = "flag:1";
  const Properties p = resolve(s);
  EXPECT_EQ(p.get_or("bootstrap.servers", ""), "flag:1");
  EXPECT_EQ(p.get_or("linger.ms", ""), "9");              // last -X wins
  EXPECT_EQ(p.get_or("acks", ""), "1");                   // file beats defaults
  EXPECT_EQ(p.get_or("compression.type", ""), "snappy");  // untouched default
  EXPECT_EQ(p.get_or("client.id", ""), "from-file");
}

TEST(Resolve, EmptyEnvIsIgnoredEmptyFlagIsAnError) {
  ConfigSources s;
  s.bootstrap_env = "  ";
  EXPECT_EQ(resolve(s).get_or("bootstrap.servers", ""), "127.0.0.1:9092");
  s.bootstrap_flag = "";
  EXPECT_THROW(resolve(s), ConfigError);
}

TEST(Resolve, MissingConfigFileIsAConfigError) {
  ConfigSources s;
  s.config_file = "/nonexistent/dir/client.properties";
  EXPECT_THROW(resolve(s), ConfigError);
}

TEST(Masking, SecretKeys) {
  for (const char* k : {"sasl.password", "ssl.key.password", "ssl.keystore.password",
                        "sasl.oauthbearer.client.secret", "sasl.oauthbearer.config", "ssl.key.pem",
                        "SASL.PASSWORD", "sasl.jaas.config"}) {
    EXPECT_TRUE(is_secret_key(k)) << k;
  }
  for (const char* k :
       {"bootstrap.servers", "sasl.username", "sasl.mechanism", "acks", "ssl.certificate.pem",
        "ssl.ca.location", "socket.timeout.ms", "linger.ms", "client.id", "group.id",
        "security.protocol", "session.timeout.ms", "partition.assignment.strategy",
        "compression.type", "message.timeout.ms", "isolation.level", "transactional.id"}) {
    EXPECT_FALSE(is_secret_key(k)) << k;
  }
}

TEST(Masking, TyposAndRelativesOfSecretNamesAreSecret) {
  for (const char* k :
       {"sasl.pasword", "sasl.passwrod", "sasl.pssword", "sasl.jass.config", "sasl.jaas",
        "sasl.oauthbearer.extensions", "sasl.oauthbearer.client.id", "ssl.key.location",
        "ssl.keystore.location", "ssl_key", "api.token", "my.tokn", "client.credentials",
        "client.credentails", "app.secert", "SASL_PASSWD", "db.pwd", "ssl.private.key"}) {
    EXPECT_TRUE(is_secret_key(k)) << k;
  }
}

TEST(Masking, KnownPropertiesAreKnownWithoutAValue) {
  for (const char* k : {"bootstrap.servers", "metadata.broker.list", "group.id", "client.id",
                        "acks", "linger.ms", "message.timeout.ms", "transactional.id"}) {
    EXPECT_TRUE(is_known_property(k)) << k;
    EXPECT_FALSE(must_hide_value(k)) << k;
  }
  EXPECT_FALSE(is_known_property("sasl.pasword"));
  EXPECT_FALSE(is_known_property("no.such.property"));
}

TEST(Masking, DescribeHidesUnknownAndSecretLookingValues) {
  const Properties p{{"acks", "all"},
                     {"bootstrap.servers", "h:1"},
                     {"no.such.thing", "v4lue"},
                     {"sasl.pasword", "typo-secret"},
                     {"bad name\x1b", "x"}};
  EXPECT_EQ(describe(p),
            "acks=all, bootstrap.servers=h:1, no.such.thing=******, sasl.pasword=******, "
            "(unprintable name)=******");
}

TEST(Masking, ResolveRegistersHiddenValuesForScrubbing) {
  util::clear_secrets();
  TempFile file(
      "sasl.pasword typoSecret1\n"
      "sasl.jaas.config=org.example.PlainLoginModule required \\\n"
      "    password=\"jaasSecret2\";\n");
  ConfigSources s;
  s.config_file = file.path();
  s.overrides = {"sasl.oauthbearer.extensions=ext=extSecret3", "linger.ms=1234"};
  resolve(s);
  EXPECT_EQ(util::scrub("a typoSecret1 b"), "a ****** b");
  EXPECT_EQ(util::scrub("at: password=\"jaasSecret2\";"), "at: password=\"******\";");
  EXPECT_EQ(util::scrub("extSecret3"), "******");
  EXPECT_EQ(util::scrub("linger 1234"), "linger 1234");  // a known, plain property stays
  EXPECT_EQ(util::scrub("GroupCoordinator: 127.0.0.1:9092/1"),
            "GroupCoordinator: 127.0.0.1:9092/1");  // so does the default bootstrap
  util::clear_secrets();
}

TEST(Masking, DescribeHidesSecretValues) {
  const Properties p{
      {"sasl.username", "alice"}, {"sasl.password", "hunter2"}, {"ssl.key.password", "k3y"}};
  const std::string text = describe(p);
  EXPECT_EQ(text, "sasl.username=alice, sasl.password=******, ssl.key.password=******");
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
}

TEST(ForceReadCommitted, OverridesAnotherLevelAndSaysWhichItWas) {
  Properties asked{{"isolation.level", "read_uncommitted"}, {"acks", "all"}};
  EXPECT_EQ(force_read_committed(asked), std::optional<std::string>("read_uncommitted"));
  EXPECT_EQ(asked, (Properties{{"isolation.level", "read_committed"}, {"acks", "all"}}));

  Properties none{{"acks", "all"}};
  EXPECT_EQ(force_read_committed(none), std::nullopt);
  EXPECT_EQ(*none.find("isolation.level"), "read_committed");

  for (const char* same : {"read_committed", "READ_Committed"}) {
    Properties p{{"isolation.level", same}};
    EXPECT_EQ(force_read_committed(p), std::nullopt) << same;
    EXPECT_EQ(*p.find("isolation.level"), "read_committed");
  }
  Properties odd{{"isolation.level", "read_committed_please"}};
  EXPECT_EQ(force_read_committed(odd), std::optional<std::string>("read_committed_please"));
}

TEST(BuildConf, AcceptsDefaults) {
  Properties p = producer_defaults();
  p.merge(consumer_defaults());
  p.set("group.id", "g");
  EXPECT_NO_THROW(check_properties(p));
}

TEST(BuildConf, UnknownPropertyCarriesLibrdkafkaMessage) {
  try {
    check_properties({{"no.such.property", "1"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("no.such.property"), std::string::npos) << msg;
    EXPECT_NE(msg.find("No such configuration property"), std::string::npos) << msg;
  }
}

TEST(BuildConf, BadValueIsRejectedAndSecretNotEchoed) {
  EXPECT_THROW(check_properties({{"linger.ms", "soon"}}), ConfigError);
  EXPECT_THROW(check_properties({{"security.protocol", "carrier-pigeon"}}), ConfigError);
  try {
    check_properties({{"sasl.password", "ok"}, {"my.password", "hunter2"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
  }
}

TEST(BuildConf, NoRejectionQuotesAHiddenValue) {
  const std::vector<Properties> cases{
      {{"sasl.pasword", "hunter2"}},             // unknown (a typo)
      {{"sasl.oauthbearer.method", "hunter2"}},  // known, secret-looking, invalid
      {{"enable.sasl.oauthbearer.unsecure.jwt", "hunter2"}},
      {{"hunter2", "x"}},  // a name that may be a lost password
      {{"sasl.password\x1bhunter2", "y"}}};
  for (const auto& props : cases) {
    try {
      check_properties(props);
      ADD_FAILURE() << "expected ConfigError for " << props.entries()[0].first.size();
    } catch (const ConfigError& e) {
      const std::string msg = e.what();
      if (props.entries()[0].first != "hunter2") {
        EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
      }
    }
  }
}

TEST(Error, Classification) {
  EXPECT_FALSE(Error{});
  const Error timed_out = Error::from_code(kafka::ERR__MSG_TIMED_OUT);
  EXPECT_TRUE(timed_out);
  EXPECT_TRUE(timed_out.retriable);
  EXPECT_FALSE(timed_out.fatal);
  EXPECT_FALSE(timed_out.message.empty());
  const Error fatal = Error::from_code(kafka::ERR__FATAL, "boom");
  EXPECT_TRUE(fatal.fatal);
  EXPECT_EQ(fatal.message, "boom");
  EXPECT_FALSE(Error::from_code(kafka::ERR_MSG_SIZE_TOO_LARGE).retriable);
  EXPECT_FALSE(Error::from_owned(nullptr));
}

}  // namespace
}  // namespace kafka
