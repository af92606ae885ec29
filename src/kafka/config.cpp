#include "kafka/config.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace kafka {
namespace {

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// librdkafka accepts the legacy alias; keep one spelling so precedence works on a single key.
std::string canonical_key(std::string_view key) {
  if (key == "metadata.broker.list") return "bootstrap.servers";
  return std::string(key);
}

template <class Callback>
void install(RdKafka::Conf& conf, std::string_view client, RdKafka::EventCb* events,
             const char* name, Callback* callback) {
  std::string errstr;
  if (conf.set("event_cb", events, errstr) != RdKafka::Conf::CONF_OK ||
      conf.set(name, callback, errstr) != RdKafka::Conf::CONF_OK) {
    throw KafkaException(RdKafka::ERR__INVALID_ARG,
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
    bool continues = !line.empty() && line.back() == '\\';
    if (continues) line.remove_suffix(1);
    pending.append(line);
    if (continues && pos <= text.size()) continue;

    std::string_view logical = pending;
    std::size_t sep = logical.find_first_of("=:");
    if (sep == std::string_view::npos) {
      throw ConfigError(std::string(origin) + ":" + std::to_string(pending_start) +
                        ": expected key=value, got '" + std::string(logical) + "'");
    }
    std::string_view key = trim(logical.substr(0, sep));
    std::string_view value = trim(logical.substr(sep + 1));
    if (key.empty()) {
      throw ConfigError(std::string(origin) + ":" + std::to_string(pending_start) +
                        ": empty property name");
    }
    props.set(std::string(key), std::string(value));
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
  std::size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    throw ConfigError("expected -X key=value, got '" + std::string(assignment) + "'");
  }
  std::string_view key = trim(assignment.substr(0, eq));
  if (key.empty()) {
    throw ConfigError("expected -X key=value, got '" + std::string(assignment) + "'");
  }
  return {canonical_key(key), std::string(assignment.substr(eq + 1))};
}

bool is_secret_key(std::string_view key) {
  const std::string k = lower(key);
  for (const char* marker : {"password", "secret", "jaas", "credential"}) {
    if (k.find(marker) != std::string::npos) return true;
  }
  // Private keys given inline, and OAUTHBEARER configs that embed client credentials.
  return k == "ssl.key.pem" || k == "ssl_key" || k == "sasl.oauthbearer.config";
}

std::string describe(const Properties& props) {
  std::string out;
  for (const auto& [k, v] : props.entries()) {
    if (!out.empty()) out += ", ";
    out += k;
    out += '=';
    out += is_secret_key(k) ? "******" : v;
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

std::unique_ptr<RdKafka::Conf> build_conf(const Properties& props) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string errstr;
  for (const auto& [k, v] : props.entries()) {
    if (conf->set(k, v, errstr) != RdKafka::Conf::CONF_OK) {
      throw ConfigError("invalid Kafka property " + k + "=" + (is_secret_key(k) ? "******" : v) +
                        ": " + errstr);
    }
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
