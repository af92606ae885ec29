#include "process/http_processor.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <mutex>
#include <stdexcept>

#include "process/header_file.h"
#include "process/http_outcome.h"
#include "util/redact.h"

namespace process {

using pipeline::ProcessCompletion;
using pipeline::ProcessResult;

namespace {

// Headers are not the answer, but an endless stream of them must end too.
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
// Finished transfers kept for reuse beyond this are freed: a burst does not pin its memory.
constexpr std::size_t kMaxFreeTransfers = 256;

CURLM* multi_of(void* p) {
  return static_cast<CURLM*>(p);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

template <class T>
void set(CURL* c, CURLoption option, T value) {
  if (curl_easy_setopt(c, option, value) != CURLE_OK) {
    throw std::invalid_argument(fmt::format(
        "libcurl refused an option of the --process client ({})", static_cast<int>(option)));
  }
}

NoAnswer no_answer_kind(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return NoAnswer::timeout;
    case CURLE_COULDNT_CONNECT:
      return NoAnswer::refused;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return NoAnswer::resolve;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return NoAnswer::reset;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return NoAnswer::tls;
    default:
      return NoAnswer::other;
  }
}

}  // namespace

struct HttpProcessor::Transfer {
  CURL* easy = nullptr;
  std::uint64_t id = 0;
  std::string request_body;  // CURLOPT_POSTFIELDS points into it
  curl_slist* headers = nullptr;
  std::size_t max_body = 0;
  std::string body;
  bool body_cut = false;
  std::optional<std::string> retry_after;
  std::optional<std::string> outcome;
  std::size_t header_bytes = 0;
  bool headers_too_big = false;
  char error[CURL_ERROR_SIZE] = {};

  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() {
    curl_slist_free_all(headers);
    if (easy) curl_easy_cleanup(easy);
  }

  void reset_answer() {
    body.clear();
    body_cut = false;
    retry_after.reset();
    outcome.reset();
    header_bytes = 0;
    headers_too_big = false;
    error[0] = '\0';
  }

  // Keeps the first max_body bytes; returning less than given ends the transfer, so a longer
  // body is neither read nor kept (its status still decides).
  static std::size_t on_body(char* data, std::size_t, std::size_t n, void* self) noexcept {
    auto* t = static_cast<Transfer*>(self);
    try {
      const std::size_t room = t->max_body - t->body.size();
      t->body.append(data, std::min(n, room));
      if (n <= room) return n;
      t->body_cut = true;
      return 0;
    } catch (...) {  // no exception crosses libcurl
      return 0;
    }
  }

  static std::size_t on_header(char* data, std::size_t, std::size_t n, void* self) noexcept {
    auto* t = static_cast<Transfer*>(self);
    try {
      t->header_bytes += n;
      if (t->header_bytes > kMaxHeaderBytes) {
        t->headers_too_big = true;
        return 0;
      }
      const std::string_view line(data, n);
      if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a 1xx): forget the last one's
        t->retry_after.reset();
        t->outcome.reset();
        return n;
      }
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) return n;
      const auto name = line.substr(0, colon);
      const auto value = std::string(trim(line.substr(colon + 1)));
      if (iequals(name, "Retry-After")) t->retry_after = value;
      if (iequals(name, kOutcomeHeader)) t->outcome = value;
      return n;
    } catch (...) {
      return 0;
    }
  }
};

HttpProcessor::HttpProcessor(HttpSettings settings) : settings_(std::move(settings)) {
  if (auto problem = settings_problem(settings_)) throw std::invalid_argument(*problem);
  if (settings_.header_file) extra_headers_ = read_header_file(*settings_.header_file);
  for (const auto& h : extra_headers_) util::add_secret(h.second);
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  multi_ = curl_multi_init();
  if (!multi_) throw std::runtime_error("cannot set up the --process client (libcurl)");
  curl_multi_setopt(multi_of(multi_), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(multi_of(multi_), CURLMOPT_MAX_TOTAL_CONNECTIONS, settings_.max_connections);
  curl_multi_setopt(multi_of(multi_), CURLMOPT_MAX_HOST_CONNECTIONS,
                    settings_.max_host_connections);
  curl_multi_setopt(multi_of(multi_), CURLMOPT_MAXCONNECTS, settings_.max_connections);
  try {
    free_.push_back(take_transfer());  // a refused option is an error now, not at the first record
  } catch (...) {
    curl_multi_cleanup(multi_of(multi_));
    throw;
  }
}

HttpProcessor::~HttpProcessor() {
  for (auto& [id, t] : active_) curl_multi_remove_handle(multi_of(multi_), t->easy);
  active_.clear();
  free_.clear();
  curl_multi_cleanup(multi_of(multi_));
}

std::unique_ptr<HttpProcessor::Transfer> HttpProcessor::take_transfer() {
  if (!free_.empty()) {
    auto t = std::move(free_.back());
    free_.pop_back();
    return t;
  }
  auto t = std::make_unique<Transfer>();
  t->easy = curl_easy_init();
  if (!t->easy) throw std::runtime_error("libcurl could not make a handle");
  t->max_body = settings_.max_body_bytes;
  CURL* c = t->easy;
  set(c, CURLOPT_PRIVATE, t.get());
  set(c, CURLOPT_NOSIGNAL, 1L);
  set(c, CURLOPT_ERRORBUFFER, t->error);
  set(c, CURLOPT_URL, settings_.url.c_str());
  set(c, CURLOPT_POST, 1L);
  set(c, CURLOPT_PROTOCOLS_STR, "http,https");
  set(c, CURLOPT_FOLLOWLOCATION, 0L);  // a 3xx is an answer (permanent), not a detour
  set(c, CURLOPT_PROXY, "");           // not from the environment: the service is asked directly
  set(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  set(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.connect_timeout.count()));
  set(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  set(c, CURLOPT_TCP_KEEPALIVE, 1L);
  set(c, CURLOPT_USERAGENT, "orders");
  set(c, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  set(c, CURLOPT_WRITEDATA, t.get());
  set(c, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  set(c, CURLOPT_HEADERDATA, t.get());
  set(c, CURLOPT_SSL_VERIFYPEER, 1L);
  set(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (settings_.ca_file) {
    set(c, CURLOPT_CAINFO, settings_.ca_file->c_str());
    set(c, CURLOPT_CAPATH, static_cast<const char*>(nullptr));  // that CA only
  }
  if (settings_.cert_file) {
    set(c, CURLOPT_SSLCERT, settings_.cert_file->c_str());
    set(c, CURLOPT_SSLCERTTYPE, "PEM");
    set(c, CURLOPT_SSLKEY, settings_.key_file->c_str());
    set(c, CURLOPT_SSLKEYTYPE, "PEM");
  }
  return t;
}

void HttpProcessor::release(std::unique_ptr<Transfer> t) {
  curl_slist_free_all(t->headers);
  t->headers = nullptr;
  t->request_body.clear();
  t->reset_answer();
  if (free_.size() < kMaxFreeTransfers) free_.push_back(std::move(t));
}

void HttpProcessor::start(const pipeline::ProcessRequest& request) {
  try {
    auto t = take_transfer();
    t->id = request.id;
    t->reset_answer();
    t->request_body = request_body(request.order);
    auto append = [&t](const std::string& line) {
      curl_slist* l = curl_slist_append(t->headers, line.c_str());
      if (!l) throw std::bad_alloc();
      t->headers = l;
    };
    // "Name;" is libcurl's spelling of a header with an empty value ("Name:" would remove it).
    for (const auto& [name, value] : request_headers(request)) {
      append(value.empty() ? name + ";" : name + ": " + value);
    }
    for (const auto& [name, value] : extra_headers_) {
      append(value.empty() ? name + ";" : name + ": " + value);
    }
    append("Expect:");  // no 100-continue round trip
    set(t->easy, CURLOPT_POSTFIELDS, t->request_body.c_str());
    set(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->request_body.size()));
    set(t->easy, CURLOPT_HTTPHEADER, t->headers);
    CURL* easy = t->easy;
    const auto [it, fresh] = active_.emplace(request.id, std::move(t));
    if (!fresh) throw std::invalid_argument("an attempt with this id is in flight already");
    if (const CURLMcode mc = curl_multi_add_handle(multi_of(multi_), easy); mc != CURLM_OK) {
      auto back = std::move(it->second);
      active_.erase(it);
      release(std::move(back));
      throw std::runtime_error(curl_multi_strerror(mc));
    }
  } catch (const std::exception& e) {
    ready_.push_back({request.id, ProcessResult::transient(
                                      std::string("cannot start the request: ") + e.what())});
  }
}

ProcessResult HttpProcessor::finish(Transfer& t, int curl_code) {
  const auto rc = static_cast<CURLcode>(curl_code);
  long status = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
  if (t.headers_too_big) {
    return ProcessResult::transient(
        fmt::format("HTTP {}: response headers larger than {} bytes", status, kMaxHeaderBytes));
  }
  if (status > 0 && (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && t.body_cut))) {
    return classify_answer({status, t.outcome, t.retry_after, t.body, t.body_cut},
                           std::chrono::system_clock::now());
  }
  const std::string detail = t.error[0] ? t.error : curl_easy_strerror(rc);
  return classify_no_answer(no_answer_kind(rc), detail);
}

std::size_t HttpProcessor::collect(std::vector<ProcessCompletion>& out) {
  int running = 0;
  curl_multi_perform(multi_of(multi_), &running);
  std::size_t got = 0;
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(multi_of(multi_), &left)) {
    if (m->msg != CURLMSG_DONE) continue;
    CURL* easy = m->easy_handle;
    const CURLcode rc = m->data.result;  // m is invalid once the handle is removed
    Transfer* t = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &t);
    curl_multi_remove_handle(multi_of(multi_), easy);
    auto it = active_.find(t->id);
    if (it == active_.end()) continue;
    out.push_back({t->id, finish(*t, rc)});
    auto done = std::move(it->second);
    active_.erase(it);
    release(std::move(done));
    ++got;
  }
  return got;
}

void HttpProcessor::poll(std::chrono::milliseconds max_wait, int wake_fd,
                         std::vector<ProcessCompletion>& out) {
  std::size_t got = ready_.size();
  for (auto& c : ready_) out.push_back(std::move(c));
  ready_.clear();
  if (active_.empty()) return;
  got += collect(out);
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  while (got == 0 && !active_.empty()) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0)) return;
    curl_waitfd wake{wake_fd, CURL_WAIT_POLLIN, 0};
    curl_multi_poll(multi_of(multi_), wake_fd >= 0 ? &wake : nullptr, wake_fd >= 0 ? 1u : 0u,
                    static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30)), nullptr);
    got += collect(out);
    if (wake_fd >= 0 && wake.revents != 0) return;  // records arrived: the caller has work
  }
}

void HttpProcessor::cancel(std::uint64_t id) {
  auto it = active_.find(id);
  if (it == active_.end()) return;
  curl_multi_remove_handle(multi_of(multi_), it->second->easy);
  auto t = std::move(it->second);
  active_.erase(it);
  release(std::move(t));
}

}  // namespace process
