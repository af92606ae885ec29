#include "kafka/config.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "kafka/internal.h"
#include "util/redact.h"

namespace kafka {
namespace {

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// librdkafka accepts the legacy alias; keep one spelling so precedence works on a single key.
std::string canonical_key(std::string_view key) {
  if (key == "metadata.broker.list") return "bootstrap.servers";
  return std::string(key);
}

bool ends_with_odd_backslashes(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && line[line.size() - 1 - n] == '\\') ++n;
  return n % 2 == 1;
}

// Java properties: the key ends at the first '=', ':' or whitespace; then whitespace, at most one
// '=' or ':', whitespace again, and the rest is the value ("sasl.password hunter2" is valid).
// The line itself is never quoted in an error: it may be a password that lost its key.
Properties::Entry split_logical_line(std::string_view logical, std::string_view origin,
                                     std::size_t line_no) {
  const std::string where = std::string(origin) + ":" + std::to_string(line_no);
  const std::size_t key_end = logical.find_first_of("=: \t\f");
  if (key_end == 0) throw ConfigError(where + ": empty property name");
  std::string_view rest;
  bool separated = false;
  if (key_end != std::string_view::npos) {
    rest = logical.substr(key_end);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t' || rest.front() == '\f')) {
      rest.remove_prefix(1);
      separated = true;
    }
    if (!rest.empty() && (rest.front() == '=' || rest.front() == ':')) {
      rest.remove_prefix(1);
      separated = true;
    }
  }
  if (!separated) {
    throw ConfigError(where + ": expected 'key=value' or 'key value' (the line is not shown: " +
                      "it may hold a secret)");
  }
  return {std::string(logical.substr(0, key_end)), std::string(trim(rest))};
}

// librdkafka quotes the value in its message ('Invalid value "x" for ...'): keep it only for a
// known, non-secret property, and never print a name that does not look like one.
ConfigError rejected_property(const std::string& key, const std::string& value,
                              RdKafka::Conf::ConfResult result, const std::string& errstr) {
  const std::string name =
      looks_like_property_name(key) ? key : std::string("with an unprintable name");
  if (result == RdKafka::Conf::CONF_UNKNOWN) {
    return ConfigError("unknown Kafka property " + name +
                       " (its value is not shown): No such configuration property");
  }
  if (!is_secret_key(key)) {
    return ConfigError("invalid Kafka property " + name + "=" + value + ": " + errstr);
  }
  return ConfigError("invalid value for Kafka property " + name + " (not shown: it may be a " +
                     "secret): " + util::scrub_one(errstr, value));
}

template <class Callback>
void install(RdKafka::Conf& conf, std::string_view client, RdKafka::EventCb* events,
             const char* name, Callback* callback) {
  std::string errstr;
  if (conf.set("event_cb", events, errstr) != RdKafka::Conf::CONF_OK ||
      conf.set(name, callback, errstr) != RdKafka::Conf::CONF_OK) {
    throw KafkaException(ERR__INVALID_ARG,
                         "cannot install " + std::string(client) + " callbacks: " + errstr);
  }
}

}  // namespace

Properties::Properties(std::initializer_list<Entry> entries) {
  for (const auto& [k, v] : entries) set(k, v);
}

void Properties::set(std::string key, std::string value) {
  key = canonical_key(key);
  for (auto& entry : entries_) {
    if (entry.first == key) {
      entry.second = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
}

bool Properties::erase(std::string_view key) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& e) { return e.first == key; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

const std::string* Properties::find(std::string_view key) const {
  for (const auto& entry : entries_) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

std::string Properties::get_or(std::string_view key, std::string_view fallback) const {
  const std::string* v = find(key);
  return v ? *v : std::string(fallback);
}

void Properties::merge(const Properties& over) {
  for (const auto& [k, v] : over.entries()) set(k, v);
}

Properties parse_properties(std::string_view text, std::string_view origin) {
  Properties props;
  std::size_t line_no = 0;
  std::string pending;  // a logical line being assembled from backslash continuations
  std::size_t pending_start = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = trim(raw);
    if (pending.empty()) {
      if (line.empty() || line.front() == '#' || line.front() == '!') continue;
      pending_start = line_no;
    }
    const bool continues = ends_with_odd_backslashes(line);
    if (continues) line.remove_suffix(1);
    pending.append(line);
    if (continues && pos <= text.size()) continue;
    auto [key, value] = split_logical_line(pending, origin, pending_start);
    props.set(std::move(key), std::move(value));
    pending.clear();
  }
  return props;
}

Properties load_properties_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read config file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError("error reading config file '" + path + "'");
  return parse_properties(text.str(), path);
}

Properties::Entry parse_assignment(std::string_view assignment) {
  // The argument is never quoted: "-X hunter2" is more likely a password than a property.
  std::size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    throw ConfigError("expected -X key=value (the argument is not shown: it may hold a secret)");
  }
  std::string_view key = trim(assignment.substr(0, eq));
  if (key.empty()) throw ConfigError("expected -X key=value, got an empty key");
  return {canonical_key(key), std::string(assignment.substr(eq + 1))};
}

bool is_known_property(std::string_view key) {
  // Conf::get() says "unknown" for a known string property that has no value yet: ask set()
  // instead, with an empty value (refused as invalid by many, but never "unknown" for a known
  // name), on a scratch config.
  std::unique_ptr<RdKafka::Conf> scratch(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string errstr;
  return scratch->set(std::string(key), "", errstr) != RdKafka::Conf::CONF_UNKNOWN;
}

bool must_hide_value(std::string_view key) {
  return is_secret_key(key) || !is_known_property(key);
}

std::string describe(const Properties& props) {
  std::string out;
  for (const auto& [k, v] : props.entries()) {
    if (!out.empty()) out += ", ";
    out += looks_like_property_name(k) ? k : std::string("(unprintable name)");
    out += '=';
    out += must_hide_value(k) ? "******" : v;
  }
  return out;
}

Properties resolve(const ConfigSources& sources) {
  Properties props;
  props.set("bootstrap.servers", kDefaultBootstrap);
  props.merge(sources.defaults);
  if (sources.config_file) props.merge(load_properties_file(*sources.config_file));
  if (sources.bootstrap_env && !trim(*sources.bootstrap_env).empty()) {
    props.set("bootstrap.servers", std::string(trim(*sources.bootstrap_env)));
  }
  for (const auto& assignment : sources.overrides) {
    auto [k, v] = parse_assignment(assignment);
    props.set(std::move(k), std::move(v));
  }
  if (sources.bootstrap_flag) {
    if (trim(*sources.bootstrap_flag).empty()) throw ConfigError("--bootstrap must not be empty");
    props.set("bootstrap.servers", std::string(trim(*sources.bootstrap_flag)));
  }
  for (const auto& [k, v] : props.entries()) {
    if (must_hide_value(k)) util::add_secret(v);
  }
  return props;
}

Properties producer_defaults() {
  return {
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"compression.type", "snappy"},
      // A few ms of lingering lets batches fill at high rates and costs little at low rates.
      {"linger.ms", "5"},
      {"batch.num.messages", "10000"},
      {"batch.size", "1048576"},
      {"queue.buffering.max.messages", "500000"},
      // Bounds how long an unreachable broker can hold an order before it is reported failed.
      {"message.timeout.ms", "30000"},
  };
}

Properties consumer_defaults() {
  return {
      // Eager assignors: incremental (cooperative) rebalancing has sharp edges in librdkafka 2.0.
      {"partition.assignment.strategy", "range,roundrobin"},
      {"isolation.level", "read_committed"},
      {"enable.auto.commit", "false"},
      {"auto.offset.reset", "earliest"},
      // Prefetch bound: ~50k small orders keep a 1M-record backlog under ~70 MB of RSS (100k:
      // ~80 MB, 300k: ~140 MB), and are plenty once the stopped fetcher is woken as soon as the
      // queue runs half empty (Consumer::consume). The byte bound guards against large records.
      {"queued.min.messages", "50000"},
      {"queued.max.messages.kbytes", "32768"},
      // How long the broker holds a fetch open at the log's end (librdkafka: 500). Records are
      // answered at once either way; this bounds how long another request on the connection
      // (the fetcher wake-up, offset queries) waits behind it, and so the consumer's shutdown.
      {"fetch.wait.max.ms", "100"},
  };
}

std::optional<std::string> force_read_committed(Properties& props) {
  std::optional<std::string> other;
  if (const std::string* level = props.find("isolation.level")) {
    constexpr std::string_view kCommitted = "read_committed";
    const bool same = std::equal(
        level->begin(), level->end(), kCommitted.begin(), kCommitted.end(),
        [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); });
    if (!same) other = *level;
  }
  props.set("isolation.level", "read_committed");
  return other;
}

void check_properties(const Properties& props) {
  build_conf(props);
}

std::string library_version() {
  return RdKafka::version_str();
}

std::unique_ptr<RdKafka::Conf> build_conf(const Properties& props) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string errstr;
  for (const auto& [k, v] : props.entries()) {
    const auto result = conf->set(k, v, errstr);
    if (result != RdKafka::Conf::CONF_OK) throw rejected_property(k, v, result, errstr);
  }
  return conf;
}

void install_callbacks(RdKafka::Conf& conf, std::string_view client, RdKafka::EventCb* events,
                       RdKafka::DeliveryReportCb* delivery) {
  install(conf, client, events, "dr_cb", delivery);
}

void install_callbacks(RdKafka::Conf& conf, std::string_view client, RdKafka::EventCb* events,
                       RdKafka::RebalanceCb* rebalance) {
  install(conf, client, events, "rebalance_cb", rebalance);
}

}  // namespace kafka
