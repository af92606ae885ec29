#include "registry/settings.h"

#include <fmt/format.h>

#include <charconv>
#include <stdexcept>

namespace registry {
namespace {

std::int64_t parse_positive(std::string_view key, const std::string& value, std::int64_t max) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n <= 0 || n > max) {
    throw std::invalid_argument(
        fmt::format("{}: expected a whole number from 1 to {}, got '{}'", key, max, value));
  }
  return n;
}

void set_user_info(Settings& s, std::string_view info, std::string_view what) {
  const auto colon = info.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    throw std::invalid_argument(fmt::format("{}: expected USER:PASSWORD", what));
  }
  s.user = std::string(info.substr(0, colon));
  s.password = std::string(info.substr(colon + 1));
}

// Splits scheme://[userinfo@]host[:port][/path] into origin, path and credentials.
void parse_url(Settings& s, std::string_view url) {
  const bool http = url.starts_with("http://");
  if (!http && !url.starts_with("https://")) {
    throw std::invalid_argument(fmt::format(
        "--schema-registry: expected an http:// or https:// URL, got '{}'", url.substr(0, 200)));
  }
  const std::size_t scheme_end = http ? 7 : 8;
  auto rest = url.substr(scheme_end);
  const auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    set_user_info(s, authority.substr(0, at), "--schema-registry URL credentials");
    authority = authority.substr(at + 1);
  }
  if (authority.empty() || authority.find_first_of(" ?#") != std::string_view::npos) {
    throw std::invalid_argument("--schema-registry: no host in the URL");
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  s.origin = std::string(url.substr(0, scheme_end)) + std::string(authority);
  s.path_prefix = std::string(path);
}

void apply(Settings& s, std::string key, const std::string& value) {
  if (key.starts_with("schema.registry.")) key.erase(0, 16);
  if (key == "basic.auth.user.info") {
    set_user_info(s, value, "schema.registry.basic.auth.user.info");
  } else if (key == "basic.auth.credentials.source") {
    if (value != "USER_INFO" && value != "URL") {
      throw std::invalid_argument(
          "schema.registry.basic.auth.credentials.source: USER_INFO or URL");
    }
  } else if (key == "ssl.ca.location") {
    s.ca_location = value;
  } else if (key == "ssl.certificate.location") {
    s.certificate_location = value;
  } else if (key == "ssl.key.location") {
    s.key_location = value;
  } else if (key == "ssl.key.password") {
    s.key_password = value;
  } else if (key == "ssl.endpoint.identification.algorithm") {
    if (value != "https" && value != "none" && !value.empty()) {
      throw std::invalid_argument(
          "schema.registry.ssl.endpoint.identification.algorithm: https, none or empty");
    }
    s.verify_hostname = value == "https";
  } else if (key == "request.timeout.ms") {
    s.request_timeout = std::chrono::milliseconds(parse_positive(key, value, 300000));
  } else if (key == "cache.capacity") {
    s.cache.capacity = static_cast<std::size_t>(parse_positive(key, value, 1000000));
  } else if (key == "cache.ttl.sec") {
    s.cache.ttl = std::chrono::seconds(parse_positive(key, value, 86400 * 365));
  } else {
    throw std::invalid_argument(fmt::format("unknown schema registry property '{}'", key));
  }
}

}  // namespace

std::string subject_name(SubjectStrategy s, std::string_view topic, std::string_view record) {
  switch (s) {
    case SubjectStrategy::record:
      return std::string(record);
    case SubjectStrategy::topic_record:
      return fmt::format("{}-{}", topic, record);
    case SubjectStrategy::topic:
      break;
  }
  return fmt::format("{}-value", topic);
}

SubjectStrategy parse_subject_strategy(std::string_view s) {
  if (s == "topic") return SubjectStrategy::topic;
  if (s == "record") return SubjectStrategy::record;
  if (s == "topic-record") return SubjectStrategy::topic_record;
  throw std::invalid_argument(
      fmt::format("--subject-strategy: expected topic, record or topic-record, got '{}'", s));
}

Settings parse_settings(std::string_view url,
                        const std::vector<std::pair<std::string, std::string>>& properties) {
  Settings s;
  parse_url(s, url);
  for (const auto& [k, v] : properties) apply(s, k, v);
  if (s.certificate_location.has_value() != s.key_location.has_value()) {
    throw std::invalid_argument(
        "schema.registry.ssl.certificate.location and schema.registry.ssl.key.location go "
        "together");
  }
  if (!s.tls() && (s.ca_location || s.certificate_location)) {
    throw std::invalid_argument("schema.registry.ssl.* options need an https:// registry URL");
  }
  return s;
}

std::string describe(const Settings& s) {
  std::string out = s.origin + s.path_prefix;
  if (s.user) out += fmt::format(" (basic auth {}:******)", *s.user);
  if (s.ca_location) out += fmt::format(" ca={}", *s.ca_location);
  if (s.certificate_location) out += fmt::format(" cert={}", *s.certificate_location);
  if (s.key_password) out += " (key password ******)";
  if (!s.verify_hostname) out += " (hostname not verified)";
  return out;
}

}  // namespace registry
