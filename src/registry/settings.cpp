#include "registry/settings.h"

#include <fmt/format.h>

#include <charconv>
#include <stdexcept>

#include "registry/url.h"
#include "util/redact.h"

namespace registry {
namespace {

constexpr std::int64_t kGiB = std::int64_t{1} << 30;

std::int64_t parse_whole(std::string_view key, const std::string& value, std::int64_t min,
                         std::int64_t max) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < min || n > max) {
    throw std::invalid_argument(
        fmt::format("schema.registry.{}: expected a whole number from {} "
                    "to {}, got '{}'",
                    key, min, max, value.substr(0, 100)));
  }
  return n;
}

std::int64_t parse_positive(std::string_view key, const std::string& value, std::int64_t max) {
  return parse_whole(key, value, 1, max);
}

void set_user_info(Settings& s, std::string_view info, std::string_view what) {
  util::add_secret(info);  // before anything can quote it
  const auto colon = info.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    throw std::invalid_argument(fmt::format("{}: expected USER:PASSWORD", what));
  }
  s.user = std::string(info.substr(0, colon));
  s.password = std::string(info.substr(colon + 1));
  util::add_secret(*s.password);
}

void set_url(Settings& s, std::string_view url) {
  auto parsed = parse_registry_url(url);
  s.origin = std::move(parsed.origin);
  s.path_prefix = std::move(parsed.path);
  s.user = std::move(parsed.user);
  s.password = std::move(parsed.password);
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
    util::add_secret(value);
    s.key_password = value;
  } else if (key == "ssl.endpoint.identification.algorithm") {
    if (value != "https" && value != "none" && !value.empty()) {
      throw std::invalid_argument(
          "schema.registry.ssl.endpoint.identification.algorithm: https, none or empty");
    }
    s.verify_hostname = value == "https";
  } else if (key == "request.timeout.ms") {
    s.request_timeout = std::chrono::milliseconds(parse_positive(key, value, 300000));
  } else if (key == "max.response.bytes") {
    s.max_response_bytes = static_cast<std::size_t>(parse_positive(key, value, kGiB));
  } else if (key == "max.schema.bytes") {
    s.max_schema_bytes = static_cast<std::size_t>(parse_positive(key, value, kGiB));
  } else if (key == "cache.capacity") {
    s.cache.known.capacity = static_cast<std::size_t>(parse_positive(key, value, 1000000));
  } else if (key == "cache.max.bytes") {
    s.cache.known.max_bytes = static_cast<std::size_t>(parse_positive(key, value, 64 * kGiB));
  } else if (key == "cache.ttl.sec") {
    s.cache.known.ttl = std::chrono::seconds(parse_positive(key, value, 86400 * 365));
  } else if (key == "missing.id.cache.ttl.sec") {
    s.cache.missing.ttl = std::chrono::seconds(parse_whole(key, value, 0, 86400));
  } else if (key == "missing.cache.size") {
    s.cache.missing.capacity = static_cast<std::size_t>(parse_positive(key, value, 1000000));
  } else if (key == "lookup.rate") {
    s.cache.lookups_per_second = static_cast<double>(parse_positive(key, value, 100000));
  } else if (key == "lookup.burst") {
    s.cache.lookup_burst = static_cast<double>(parse_positive(key, value, 100000));
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
  // Secrets first: a bad property's error may come before the URL's would have.
  for (const auto& [k, v] : properties) {
    if (k.ends_with("basic.auth.user.info") || k.ends_with("ssl.key.password")) {
      util::add_secret(v);
    }
  }
  set_url(s, url);
  for (const auto& [k, v] : properties) apply(s, k, v);
  if (s.certificate_location.has_value() != s.key_location.has_value()) {
    throw std::invalid_argument(
        "schema.registry.ssl.certificate.location and schema.registry.ssl.key.location go "
        "together");
  }
  if (!s.tls() && (s.ca_location || s.certificate_location)) {
    throw std::invalid_argument("schema.registry.ssl.* options need an https:// registry URL");
  }
  if (s.max_schema_bytes > s.max_response_bytes) {
    throw std::invalid_argument(
        "schema.registry.max.schema.bytes cannot exceed schema.registry.max.response.bytes (the "
        "schema comes inside the answer)");
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
