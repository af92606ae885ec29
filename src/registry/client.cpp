// The only translation unit that includes httplib.h (a large header: kept out of the rest).
#include "registry/client.h"

#include <fmt/format.h>
#include <httplib.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "registry/tls.h"
#include "util/errors.h"

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
  std::unique_ptr<httplib::ClientImpl> client;
  httplib::SSLClient* tls = nullptr;  // the same object when https
};

namespace {

// "https://host:port" → host, port (IPv6 in brackets; default 443 / 80).
std::pair<std::string, int> host_port(std::string_view origin, bool tls) {
  std::string_view authority = origin.substr(origin.find("://") + 3);
  int port = tls ? 443 : 80;
  std::string_view host = authority;
  const auto colon = authority.rfind(':');
  const auto bracket = authority.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    const auto digits = authority.substr(colon + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port <= 0 || port > 65535) {
      throw std::invalid_argument(
          fmt::format("--schema-registry: bad port in '{}'", origin.substr(0, 200)));
    }
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return {std::string(host), port};
}

std::unique_ptr<httplib::SSLClient> make_tls_client(const Settings& s, const std::string& host,
                                                    int port) {
  std::unique_ptr<httplib::SSLClient> c;
  if (s.certificate_location) {
    // The client identity is loaded here (httplib cannot take a key password); the SSL_CTX
    // keeps its own references.
    const auto id =
        tls::load_client_identity(*s.certificate_location, *s.key_location, s.key_password);
    c = std::make_unique<httplib::SSLClient>(host, port, id.certificate.get(), id.key.get());
  } else {
    c = std::make_unique<httplib::SSLClient>(host, port);
  }
  if (!c->is_valid()) throw std::invalid_argument("cannot set up TLS for the schema registry");
  if (s.verify_hostname) {
    if (s.ca_location) c->set_ca_cert_path(*s.ca_location);
    c->enable_server_certificate_verification(true);  // chain and hostname, after the handshake
  } else {
    c->enable_server_certificate_verification(false);                 // no hostname check ...
    tls::verify_chain_in_handshake(c->ssl_context(), s.ca_location);  // ... but the chain
  }
  return c;
}

}  // namespace

Client::Client(Settings settings)
    : settings_(std::move(settings)), http_(std::make_unique<Http>()) {
  auto& c = http_->client;
  util::as_usage([&] {  // unreadable certificates or keys: exit 2
    const auto [host, port] = host_port(settings_.origin, settings_.tls());
    if (settings_.tls()) {
      auto tls_client = make_tls_client(settings_, host, port);
      http_->tls = tls_client.get();
      c = std::move(tls_client);
    } else {
      c = std::make_unique<httplib::ClientImpl>(host, port);
    }
  });
  const auto t = settings_.request_timeout;
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t);
  const auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(t - secs);
  c->set_connection_timeout(secs.count(), usecs.count());
  c->set_read_timeout(secs.count(), usecs.count());
  c->set_write_timeout(secs.count(), usecs.count());
  c->set_keep_alive(true);
  if (settings_.user) c->set_basic_auth(*settings_.user, settings_.password.value_or(""));
}

RegistryError Client::no_answer(const httplib::Result& res) const {
  const auto error = res.error();
  long chain = http_->tls ? tls::take_chain_error() : X509_V_OK;
  if (chain == X509_V_OK && http_->tls) chain = http_->tls->get_openssl_verify_result();
  std::string why = httplib::to_string(error);
  if (chain != X509_V_OK) {
    why += ": " + tls::verify_result_text(chain);
  } else if (error == httplib::Error::SSLServerVerification) {
    why += ": the certificate does not name this host";
  }
  // A certificate the registry or we cannot accept is a configuration problem, not an outage.
  if (chain != X509_V_OK || error == httplib::Error::SSLServerVerification ||
      error == httplib::Error::SSLLoadingCerts) {
    return RegistryError(
        0, 0, fmt::format("TLS refused the schema registry {}: {}", settings_.origin, why),
        RegistryError::Kind::refused);
  }
  return RegistryError(0, 0,
                       fmt::format("schema registry {} unreachable: {}", settings_.origin, why));
}

Client::~Client() = default;

Client::Response Client::post(const std::string& path, const std::string& body) {
  if (http_->tls) tls::take_chain_error();  // only this request's
  auto res = http_->client->Post(settings_.path_prefix + path, body, kContentType);
  if (!res) throw no_answer(res);
  return {res->status, res->body};
}

Client::Response Client::get(const std::string& path) {
  if (http_->tls) tls::take_chain_error();
  auto res = http_->client->Get(settings_.path_prefix + path);
  if (!res) throw no_answer(res);
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

void Client::check() {
  const Response r = get("/schemas/types");
  if (r.status == 200) return;
  auto [code, message] = error_of(r.status, r.body);
  if (r.status == 401 || r.status == 403) {
    message += " (credentials refused: schema.registry.basic.auth.user.info?)";
  } else if (r.status == 404) {
    message += " (no Confluent-compatible API under this URL; Apicurio's is .../apis/ccompat/v7)";
  }
  throw RegistryError(r.status, code, message);
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
