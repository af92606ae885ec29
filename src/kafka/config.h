#pragma once
// Client configuration: an ordered key→value map assembled from several sources, validated by
// librdkafka itself, and printable with secrets masked.
//
// Precedence, lowest to highest:
//   role defaults (producer_defaults() / consumer_defaults())
//   < --config FILE (java-properties style)
//   < env KAFKA_BOOTSTRAP_SERVERS (bootstrap.servers only)
//   < -X key=value (in command-line order, last one wins)
//   < --bootstrap HOST:PORT[,...]
// With none of them, bootstrap.servers is 127.0.0.1:9092.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/error.h"

namespace kafka {

inline constexpr const char* kDefaultBootstrap = "127.0.0.1:9092";
inline constexpr const char* kBootstrapEnv = "KAFKA_BOOTSTRAP_SERVERS";

class Properties {
 public:
  using Entry = std::pair<std::string, std::string>;

  Properties() = default;
  Properties(std::initializer_list<Entry> entries);

  // Replaces an existing key in place (its first position is kept), else appends.
  void set(std::string key, std::string value);
  bool erase(std::string_view key);
  const std::string* find(std::string_view key) const;
  std::string get_or(std::string_view key, std::string_view fallback) const;
  // Every entry of `over` wins over ours.
  void merge(const Properties& over);

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  bool operator==(const Properties&) const = default;

 private:
  std::vector<Entry> entries_;
};

// Parses java-properties text: `key=value`, `key: value` or `key value` per line, `#`/`!`
// comments, blank lines, surrounding whitespace trimmed, an odd number of trailing backslashes
// continues the value on the next line (other escapes are kept as written). `origin` (a file name)
// prefixes error messages, which name the line but never quote it. Throws ConfigError.
Properties parse_properties(std::string_view text, std::string_view origin);
Properties load_properties_file(const std::string& path);
// Parses one `key=value` assignment (the -X flag). Throws ConfigError.
Properties::Entry parse_assignment(std::string_view assignment);

// True for names whose values must never be logged: any name containing pass, pwd, secret, token,
// cred, jaas, key, private, extension or auth, or a segment a typo away from password, secret,
// token, credential(s), jaas or extensions (kafka/secret_keys.cpp).
bool is_secret_key(std::string_view key);
// True for a property librdkafka knows (global or topic level).
bool is_known_property(std::string_view key);
// A value is shown only for a known, non-secret-looking name.
bool must_hide_value(std::string_view key);
// Letters, digits, '.', '_', '-': a name that is safe to quote in an error.
bool looks_like_property_name(std::string_view key);
// `key=value` lines joined by ", ", hidden values (must_hide_value) replaced by "******".
std::string describe(const Properties& props);

struct ConfigSources {
  Properties defaults;
  std::optional<std::string> config_file;     // --config
  std::vector<std::string> overrides;         // -X, in order
  std::optional<std::string> bootstrap_flag;  // --bootstrap
  std::optional<std::string> bootstrap_env;   // value of KAFKA_BOOTSTRAP_SERVERS, if set
};

// Applies the precedence documented above. Reads the config file; throws ConfigError. Registers
// every hidden value (must_hide_value) with util::add_secret, so no log line can show it.
Properties resolve(const ConfigSources& sources);

// Sensible, documented defaults per client role.
Properties producer_defaults();
Properties consumer_defaults();

// Sets isolation.level=read_committed, the only level our readers use (records of aborted
// transactions are not data). Returns the other level the properties asked for, to be warned
// about; nothing when they asked for none or for read_committed (in any letter case).
std::optional<std::string> force_read_committed(Properties& props);

// Checks the properties as librdkafka would (unknown key, bad value): throws ConfigError carrying
// librdkafka's own message, without the value unless the key is known and not secret-looking.
void check_properties(const Properties& props);

// The version of librdkafka in use, e.g. "2.0.2".
std::string library_version();

}  // namespace kafka
