#pragma once
// How to reach a Confluent-compatible schema registry, from --schema-registry URL and the
// usual `schema.registry.*` properties (the names Confluent's clients use where they have one):
//   schema.registry.basic.auth.user.info      USER:PASSWORD (basic auth; also USER:PASS@ in the
//                                             URL, percent-encoded: / as %2F, @ as %40, % as %25)
//   schema.registry.basic.auth.credentials.source  USER_INFO or URL
//   schema.registry.ssl.ca.location           CA bundle to verify the registry's certificate
//   schema.registry.ssl.certificate.location  client certificate (mutual TLS), with ...
//   schema.registry.ssl.key.location          ... its private key (PEM)
//   schema.registry.ssl.key.password          the password of an encrypted private key
//   schema.registry.ssl.endpoint.identification.algorithm  https (default), or none or empty:
//                                             the certificate chain is still verified, the
//                                             hostname is not (as in Confluent's clients)
//   schema.registry.request.timeout.ms        the whole request: connect, send, answer (5000)
//   schema.registry.max.response.bytes        a bigger answer is refused (4 MiB)
//   schema.registry.max.schema.bytes          a bigger writer schema is refused (1 MiB)
//   schema.registry.cache.capacity            writer schemas kept (default 1000)
//   schema.registry.cache.max.bytes           their estimated size (default 64 MiB)
//   schema.registry.cache.ttl.sec             how long one is kept (default 600)
//   schema.registry.missing.id.cache.ttl.sec  how long an unknown id is remembered (default 5)
//   schema.registry.missing.cache.size        unknown ids remembered (default 1000)
//   schema.registry.lookup.rate               lookups of ids not cached, per second (10) ...
//   schema.registry.lookup.burst              ... after a first burst of this many (50)
// (`basic.auth.user.info` etc. without the prefix are accepted too.) Every password is
// registered with the log scrubber (util/redact.h) as it is parsed; describe() prints none.
#include <chrono>
#include <cstddef>
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
  std::string origin;       // scheme://host[:port], never with the URL's user or password
  std::string path_prefix;  // e.g. /apis/ccompat/v7 (no trailing slash), still percent-encoded
  std::optional<std::string> user;      // decoded
  std::optional<std::string> password;  // decoded; secret
  std::optional<std::string> ca_location;
  std::optional<std::string> certificate_location;
  std::optional<std::string> key_location;
  std::optional<std::string> key_password;  // secret
  bool verify_hostname = true;
  // One deadline for the whole request (connect, send, every read), not per read: a registry
  // that trickles its answer a byte at a time still ends within it.
  std::chrono::milliseconds request_timeout{5000};
  // After a failed request, requests fail at once for this long (a registry that is down is
  // not asked once per record).
  std::chrono::milliseconds failure_backoff{1000};
  std::size_t max_response_bytes = std::size_t{4} << 20;
  std::size_t max_schema_bytes = std::size_t{1} << 20;
  orders::SchemaLimits cache;

  bool tls() const { return origin.starts_with("https://"); }
  // Basic auth over plain http: the password crosses the network readable (warned at start).
  bool password_in_clear() const { return user.has_value() && !tls(); }
};

// Throws std::invalid_argument naming the bad URL (its user and password masked) or property.
Settings parse_settings(std::string_view url,
                        const std::vector<std::pair<std::string, std::string>>& properties);

// The base URL and options, passwords masked: safe to log.
std::string describe(const Settings& s);

}  // namespace registry
