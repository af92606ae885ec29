// The only translation unit that includes httplib.h (a large header: kept out of the rest).
#include "registry/client.h"

#include <fmt/format.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

namespace registry {
namespace {

constexpr const char* kContentType = "application/vnd.schemaregistry.v1+json";

// The registry's own message ({"error_code":..,"message":..}) or the start of the body.
std::pair<int, std::string> error_of(int status, const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) {
    const int code = j.value("error_code", 0);
    return {code, fmt::format("HTTP {} (error {}): {}", status, code,
                              j["message"].get<std::string>().substr(0, 1000))};
  }
  return {0, fmt::format("HTTP {}: {}", status, body.substr(0, 200))};
}

}  // namespace

std::string encode_segment(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

struct Client::Http {
  std::unique_ptr<httplib::Client> client;
};

Client::Client(Settings settings)
    : settings_(std::move(settings)), http_(std::make_unique<Http>()) {
  auto& c = http_->client;
  if (settings_.certificate_location) {
    c = std::make_unique<httplib::Client>(settings_.origin, *settings_.certificate_location,
                                          *settings_.key_location);
  } else {
    c = std::make_unique<httplib::Client>(settings_.origin);
  }
  const auto t = settings_.request_timeout;
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t);
  const auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(t - secs);
  c->set_connection_timeout(secs.count(), usecs.count());
  c->set_read_timeout(secs.count(), usecs.count());
  c->set_write_timeout(secs.count(), usecs.count());
  c->set_keep_alive(true);
  if (settings_.user) c->set_basic_auth(*settings_.user, settings_.password.value_or(""));
  if (settings_.tls()) {
    if (settings_.ca_location) c->set_ca_cert_path(*settings_.ca_location);
    c->enable_server_certificate_verification(settings_.verify_certificate);
  }
}

Client::~Client() = default;

Client::Response Client::post(const std::string& path, const std::string& body) {
  auto res = http_->client->Post(settings_.path_prefix + path, body, kContentType);
  if (!res) {
    throw RegistryError(0, 0,
                        fmt::format("schema registry {} unreachable: {}", settings_.origin,
                                    httplib::to_string(res.error())));
  }
  return {res->status, res->body};
}

Client::Response Client::get(const std::string& path) {
  auto res = http_->client->Get(settings_.path_prefix + path);
  if (!res) {
    throw RegistryError(0, 0,
                        fmt::format("schema registry {} unreachable: {}", settings_.origin,
                                    httplib::to_string(res.error())));
  }
  return {res->status, res->body};
}

std::uint32_t Client::id_from(const Response& r, std::string_view what) const {
  if (r.status != 200) {
    auto [code, message] = error_of(r.status, r.body);
    throw RegistryError(r.status, code, fmt::format("{}: {}", what, message));
  }
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("id") || !j["id"].is_number_unsigned() ||
      j["id"].get<std::uint64_t>() > 0xFFFFFFFFu) {
    throw RegistryError(
        r.status, 0,
        fmt::format("{}: no schema id in the registry's answer: {}", what, r.body.substr(0, 200)));
  }
  return j["id"].get<std::uint32_t>();
}

std::uint32_t Client::register_schema(std::string_view subject, std::string_view schema) {
  const std::string body = nlohmann::json{{"schema", schema}}.dump();
  // normalize=true: a schema spelled differently (whitespace, attribute order) is the same one.
  return id_from(post("/subjects/" + encode_segment(subject) + "/versions?normalize=true", body),
                 fmt::format("registering the schema under subject '{}'", subject));
}

std::uint32_t Client::lookup_schema(std::string_view subject, std::string_view schema) {
  const std::string body = nlohmann::json{{"schema", schema}}.dump();
  return id_from(post("/subjects/" + encode_segment(subject) + "?normalize=true", body),
                 fmt::format("looking up the schema under subject '{}'", subject));
}

orders::SchemaLookup Client::by_id(std::uint32_t id) {
  const auto now = std::chrono::steady_clock::now();
  if (now < failing_until_) return orders::SchemaUnavailable{last_failure_};
  try {
    const Response r = get(fmt::format("/schemas/ids/{}", id));
    if (r.status == 200) {
      const auto j = nlohmann::json::parse(r.body, nullptr, false);
      if (!j.is_object() || !j.contains("schema") || !j["schema"].is_string()) {
        return orders::SchemaUnknown{"no schema in the registry's answer"};
      }
      const std::string type = j.value("schemaType", "AVRO");
      if (type != "AVRO") return orders::SchemaUnknown{"a " + type + " schema, not Avro"};
      return orders::SchemaFound{j["schema"].get<std::string>()};
    }
    auto [code, message] = error_of(r.status, r.body);
    if (r.status == 404) return orders::SchemaUnknown{message};
    throw RegistryError(r.status, code, message);
  } catch (const std::exception& e) {
    // Down, slow, overloaded, refusing our credentials, or answering nonsense: none of it is
    // the record's fault.
    last_failure_ = e.what();
    failing_until_ = std::chrono::steady_clock::now() + settings_.failure_backoff;
    return orders::SchemaUnavailable{last_failure_};
  }
}

}  // namespace registry
