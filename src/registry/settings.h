#pragma once
// How to reach a Confluent-compatible schema registry, from --schema-registry URL and the
// usual `schema.registry.*` properties (the names Confluent's clients use):
//   schema.registry.basic.auth.user.info      USER:PASSWORD (basic auth; also USER:PASS@ in URL)
//   schema.registry.basic.auth.credentials.source  USER_INFO or URL
//   schema.registry.ssl.ca.location           CA bundle to verify the registry's certificate
//   schema.registry.ssl.certificate.location  client certificate (mutual TLS), with ...
//   schema.registry.ssl.key.location          ... its private key (PEM)
//   schema.registry.ssl.key.password          the password of an encrypted private key
//   schema.registry.ssl.endpoint.identification.algorithm  https (default), or none or empty:
//                                             the certificate chain is still verified, the
//                                             hostname is not (as in Confluent's clients)
//   schema.registry.request.timeout.ms        per request (default 5000; connect: the same)
//   schema.registry.cache.capacity            writer schemas kept (default 1000)
//   schema.registry.cache.ttl.sec             how long one is kept (default 600)
// (`basic.auth.user.info` etc. without the prefix are accepted too.) Secrets are masked in
// everything describe() prints.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orders/schema_cache.h"

namespace registry {

enum class SubjectStrategy { topic, record, topic_record };

// `<topic>-value`, `<record full name>`, `<topic>-<record full name>`.
std::string subject_name(SubjectStrategy s, std::string_view topic, std::string_view record);
// "topic" | "record" | "topic-record"; throws std::invalid_argument otherwise.
SubjectStrategy parse_subject_strategy(std::string_view s);

struct Settings {
  std::string origin;       // scheme://host:port
  std::string path_prefix;  // e.g. /apis/ccompat/v7 (no trailing slash)
  std::optional<std::string> user;
  std::optional<std::string> password;
  std::optional<std::string> ca_location;
  std::optional<std::string> certificate_location;
  std::optional<std::string> key_location;
  std::optional<std::string> key_password;  // secret
  bool verify_hostname = true;
  std::chrono::milliseconds request_timeout{5000};
  // After a failed request, requests fail at once for this long (a registry that is down is
  // not asked once per record).
  std::chrono::milliseconds failure_backoff{1000};
  orders::CacheLimits cache;

  bool tls() const { return origin.starts_with("https://"); }
};

// Throws std::invalid_argument naming the bad URL or property.
Settings parse_settings(std::string_view url,
                        const std::vector<std::pair<std::string, std::string>>& properties);

// The base URL and options, passwords masked: safe to log.
std::string describe(const Settings& s);

}  // namespace registry
