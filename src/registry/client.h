#pragma once
// The schema registry client: the Confluent-compatible REST API over libcurl. Every request is
// bounded as a whole: one deadline for connect, send and answer (request.timeout.ms), a size
// limit on the answer (max.response.bytes; an endless chunked body is cut there), no redirects,
// no proxy from the environment. The id → schema lookups of consumers go through
// orders::OrderReader's cache, so there is no request per record.
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "orders/order_reader.h"
#include "registry/answer.h"
#include "registry/settings.h"

namespace registry {

// A refused or failed request. `status` is the HTTP status (0: no answer at all), `code` the
// registry's error_code when it sent one; what() carries the registry's message.
class RegistryError : public std::runtime_error {
 public:
  // `refused`: no HTTP answer because TLS refused the peer (or the peer us): configuration.
  enum class Kind { answer_or_outage, refused };
  RegistryError(int status, int code, const std::string& message,
                Kind kind = Kind::answer_or_outage)
      : std::runtime_error(message), status_(status), code_(code), kind_(kind) {}
  int status() const { return status_; }
  int code() const { return code_; }
  bool incompatible() const { return status_ == 409; }
  bool tls_refused() const { return kind_ == Kind::refused; }
  bool unreachable() const {
    return kind_ != Kind::refused && (status_ == 0 || status_ >= 500 || status_ == 429);
  }

 private:
  int status_;
  int code_;
  Kind kind_;
};

class Client : public orders::SchemaSource {
 public:
  explicit Client(Settings settings);
  ~Client() override;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // POST /subjects/{subject}/versions: the schema's id (registering it if new). Throws
  // RegistryError; incompatible() when the subject's compatibility rule refuses it.
  std::uint32_t register_schema(std::string_view subject, std::string_view schema);
  // POST /subjects/{subject}: the id of an already registered schema. Throws RegistryError.
  std::uint32_t lookup_schema(std::string_view subject, std::string_view schema);
  // GET /schemas/types: whether a Confluent-compatible registry answers at the URL and accepts
  // our credentials and certificates. Throws RegistryError (unreachable() for an outage).
  void check();
  // GET /schemas/ids/{id}. Never throws: unknown (404) or unavailable (anything else).
  orders::SchemaLookup by_id(std::uint32_t id) override;

  const Settings& settings() const { return settings_; }

 private:
  // The answer, or throws RegistryError when there is none (unreachable, timed out, TLS).
  Answer perform(const std::string& path, const std::string* post_body);
  std::uint32_t id_from(const Answer& r, std::string_view what) const;
  RegistryError no_answer(int code) const;

  struct Http;  // the curl handle and what its callbacks fill
  Settings settings_;
  std::unique_ptr<Http> http_;
  std::chrono::steady_clock::time_point failing_until_{};
  std::string last_failure_;
};

// Percent-encodes a path segment (subject names may hold any character).
std::string encode_segment(std::string_view s);

}  // namespace registry
