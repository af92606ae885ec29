#include "registry/client.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "registry/tls.h"
#include "util/errors.h"

namespace registry {
namespace {

constexpr const char* kContentType = "Content-Type: application/vnd.schemaregistry.v1+json";
constexpr const char* kAccept =
    "Accept: application/vnd.schemaregistry.v1+json, application/json;q=0.9";
// Headers are not the answer, but an endless stream of them must end too.
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
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
  CURL* curl = nullptr;
  curl_slist* get_headers = nullptr;
  curl_slist* post_headers = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  std::size_t max_body = 0;
  std::string body;
  std::size_t header_bytes = 0;
  bool truncated = false;

  ~Http() {
    curl_slist_free_all(get_headers);
    curl_slist_free_all(post_headers);
    if (curl) curl_easy_cleanup(curl);
  }

  // Returning less than given makes curl end the transfer (CURLE_WRITE_ERROR).
  static std::size_t on_body(char* data, std::size_t, std::size_t n, void* self) {
    auto* h = static_cast<Http*>(self);
    if (h->body.size() + n > h->max_body) {
      h->body.append(data, h->max_body - h->body.size());
      h->truncated = true;
      return 0;
    }
    h->body.append(data, n);
    return n;
  }
  static std::size_t on_header(char*, std::size_t, std::size_t n, void* self) {
    auto* h = static_cast<Http*>(self);
    h->header_bytes += n;
    return h->header_bytes > kMaxHeaderBytes ? 0 : n;
  }
};

namespace {

template <class T>
void set(CURL* c, CURLoption option, T value) {
  if (curl_easy_setopt(c, option, value) != CURLE_OK) {
    throw std::invalid_argument(fmt::format(
        "libcurl refused an option of the schema registry client ({})", static_cast<int>(option)));
  }
}

void set_tls(CURL* c, const Settings& s) {
  set(c, CURLOPT_SSL_VERIFYPEER, 1L);  // the chain, always
  // "none" / "": the chain is verified, the name in the certificate is not (Confluent's switch).
  set(c, CURLOPT_SSL_VERIFYHOST, s.verify_hostname ? 2L : 0L);
  if (s.ca_location) {
    set(c, CURLOPT_CAINFO, s.ca_location->c_str());
    set(c, CURLOPT_CAPATH, static_cast<const char*>(nullptr));  // that CA only
  }
  if (s.certificate_location) {
    // Read here first for errors that name the file and the reason (exit 2 at start); curl
    // reads the same files for the handshake.
    tls::load_client_identity(*s.certificate_location, *s.key_location, s.key_password);
    set(c, CURLOPT_SSLCERT, s.certificate_location->c_str());
    set(c, CURLOPT_SSLCERTTYPE, "PEM");
    set(c, CURLOPT_SSLKEY, s.key_location->c_str());
    set(c, CURLOPT_SSLKEYTYPE, "PEM");
    if (s.key_password) set(c, CURLOPT_KEYPASSWD, s.key_password->c_str());
  }
}

void warn_password_in_clear(const Settings& s) {
  if (!s.password_in_clear()) return;
  static std::once_flag once;
  std::call_once(once, [&] {
    spdlog::warn(
        "schema registry {}: basic auth over plain http sends the password readable to anyone "
        "on the way; use https://",
        describe(s));
  });
}

}  // namespace

Client::Client(Settings settings)
    : settings_(std::move(settings)), http_(std::make_unique<Http>()) {
  global_init();
  warn_password_in_clear(settings_);
  auto& h = *http_;
  h.curl = curl_easy_init();
  if (!h.curl) throw std::runtime_error("cannot set up the schema registry client (libcurl)");
  h.max_body = settings_.max_response_bytes;
  CURL* c = h.curl;
  util::as_usage([&] {  // unreadable certificates or keys: exit 2
    set(c, CURLOPT_NOSIGNAL, 1L);
    set(c, CURLOPT_ERRORBUFFER, h.error);
    set(c, CURLOPT_PROTOCOLS_STR, "http,https");
    set(c, CURLOPT_FOLLOWLOCATION, 0L);
    set(c, CURLOPT_PROXY, "");  // not from the environment: the registry is asked directly
    set(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.request_timeout.count()));
    set(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.request_timeout.count()));
    // A Content-Length above the limit is refused before the body; without one, on_body cuts.
    set(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(settings_.max_response_bytes));
    set(c, CURLOPT_WRITEFUNCTION, &Http::on_body);
    set(c, CURLOPT_WRITEDATA, &h);
    set(c, CURLOPT_HEADERFUNCTION, &Http::on_header);
    set(c, CURLOPT_HEADERDATA, &h);
    set(c, CURLOPT_USERAGENT, "orders");
    if (settings_.user) {
      set(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      set(c, CURLOPT_USERNAME, settings_.user->c_str());
      set(c, CURLOPT_PASSWORD, settings_.password ? settings_.password->c_str() : "");
    }
    if (settings_.tls()) set_tls(c, settings_);
  });
  h.get_headers = curl_slist_append(nullptr, kAccept);
  h.post_headers = curl_slist_append(curl_slist_append(nullptr, kAccept), kContentType);
  h.post_headers = curl_slist_append(h.post_headers, "Expect:");  // no 100-continue round trip
}

Client::~Client() = default;

RegistryError Client::no_answer(int code) const {
  const auto rc = static_cast<CURLcode>(code);
  std::string why = http_->error[0] ? http_->error : curl_easy_strerror(rc);
  long verify = X509_V_OK;
  curl_easy_getinfo(http_->curl, CURLINFO_SSL_VERIFYRESULT, &verify);
  // A certificate the registry or we cannot accept is a configuration problem, not an outage.
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
      rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_CRL_BADFILE ||
      rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
    // libcurl checks the name itself after OpenSSL accepted the chain, and then reports only
    // "unspecified" as the verify result: its own words say which check failed.
    const bool wrong_name = verify == X509_V_ERR_HOSTNAME_MISMATCH ||
                            why.find("does not match target host") != std::string::npos ||
                            why.find("subject name matches target host") != std::string::npos;
    if (wrong_name || (verify == X509_V_OK && rc == CURLE_PEER_FAILED_VERIFICATION)) {
      why += ": the certificate does not name this host";
    } else if (verify != X509_V_OK) {
      const auto text = tls::verify_result_text(verify);
      if (why.find(text) == std::string::npos) why += ": " + text;
    }
    return RegistryError(
        0, 0, fmt::format("TLS refused the schema registry {}: {}", settings_.origin, why),
        RegistryError::Kind::refused);
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    why = fmt::format("no complete answer within schema.registry.request.timeout.ms ({} ms): {}",
                      settings_.request_timeout.count(), why);
  }
  return RegistryError(0, 0,
                       fmt::format("schema registry {} unreachable: {}", settings_.origin, why));
}

Answer Client::perform(const std::string& path, const std::string* post_body) {
  auto& h = *http_;
  h.body.clear();
  h.header_bytes = 0;
  h.truncated = false;
  h.error[0] = '\0';
  const std::string url = settings_.origin + settings_.path_prefix + path;
  curl_easy_setopt(h.curl, CURLOPT_URL, url.c_str());
  if (post_body) {
    curl_easy_setopt(h.curl, CURLOPT_POST, 1L);
    curl_easy_setopt(h.curl, CURLOPT_POSTFIELDS, post_body->c_str());
    curl_easy_setopt(h.curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(post_body->size()));
    curl_easy_setopt(h.curl, CURLOPT_HTTPHEADER, h.post_headers);
  } else {
    curl_easy_setopt(h.curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h.curl, CURLOPT_HTTPHEADER, h.get_headers);
  }
  const CURLcode rc = curl_easy_perform(h.curl);
  long status = 0;
  curl_easy_getinfo(h.curl, CURLINFO_RESPONSE_CODE, &status);
  const bool too_big = h.truncated || rc == CURLE_FILESIZE_EXCEEDED;
  if (rc != CURLE_OK && !(too_big && status > 0)) throw no_answer(rc);
  return {static_cast<int>(status), std::move(h.body), too_big};
}

std::uint32_t Client::id_from(const Answer& r, std::string_view what) const {
  if (r.status != 200) {
    auto [code, message] = error_of(r);
    throw RegistryError(r.status, code, fmt::format("{}: {}", what, message));
  }
  if (auto id = id_of(r)) return *id;
  throw RegistryError(
      r.status, 0,
      fmt::format("{}: no schema id in the registry's answer: {}", what, error_of(r).second));
}

std::uint32_t Client::register_schema(std::string_view subject, std::string_view schema) {
  const std::string body = nlohmann::json{{"schema", schema}}.dump();
  // normalize=true: a schema spelled differently (whitespace, attribute order) is the same one.
  return id_from(
      perform("/subjects/" + encode_segment(subject) + "/versions?normalize=true", &body),
      fmt::format("registering the schema under subject '{}'", subject));
}

std::uint32_t Client::lookup_schema(std::string_view subject, std::string_view schema) {
  const std::string body = nlohmann::json{{"schema", schema}}.dump();
  return id_from(perform("/subjects/" + encode_segment(subject) + "?normalize=true", &body),
                 fmt::format("looking up the schema under subject '{}'", subject));
}

void Client::check() {
  const Answer r = perform("/schemas/types", nullptr);
  if (r.status == 200 && !r.truncated) return;
  auto [code, message] = error_of(r);
  if (r.status == 401 || r.status == 403) {
    message += " (credentials refused: schema.registry.basic.auth.user.info?)";
  } else if (r.status == 404) {
    message += " (no Confluent-compatible API under this URL; Apicurio's is .../apis/ccompat/v7)";
  } else if (r.truncated) {
    message += fmt::format(" (an answer larger than schema.registry.max.response.bytes, {})",
                           settings_.max_response_bytes);
  }
  throw RegistryError(r.status, code, message);
}

orders::SchemaLookup Client::by_id(std::uint32_t id) {
  const auto now = std::chrono::steady_clock::now();
  if (now < failing_until_) return orders::SchemaUnavailable{last_failure_};
  try {
    auto answer = schema_answer(perform(fmt::format("/schemas/ids/{}", id), nullptr),
                                settings_.max_schema_bytes, settings_.max_response_bytes);
    if (auto* down = std::get_if<orders::SchemaUnavailable>(&answer)) {
      throw RegistryError(0, 0, down->reason);
    }
    return answer;
  } catch (const std::exception& e) {
    // Down, slow, overloaded, refusing our credentials: none of it is the record's fault.
    last_failure_ = e.what();
    failing_until_ = std::chrono::steady_clock::now() + settings_.failure_backoff;
    return orders::SchemaUnavailable{last_failure_};
  }
}

}  // namespace registry
