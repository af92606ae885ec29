#include "registry/url.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <memory>
#include <stdexcept>

#include "util/bounded_text.h"
#include "util/redact.h"

namespace registry {
namespace {

struct UrlFree {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using Url = std::unique_ptr<CURLU, UrlFree>;

// One part, or nullopt when the URL has none.
std::optional<std::string> part(CURLU* u, CURLUPart which, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(u, which, &text, flags) != CURLUE_OK || !text) return std::nullopt;
  std::string out(text);
  curl_free(text);
  return out;
}

std::string_view userinfo_of(std::string_view url) {
  const auto start = url.find("://");
  const auto at = url.rfind('@');
  if (start == std::string_view::npos || at == std::string_view::npos || at < start + 3) return {};
  return url.substr(start + 3, at - start - 3);
}

// Before parsing: whatever the URL turns out to mean, what stands before its last '@' may be a
// password, and a parse error must not be the way it reaches a log.
void register_candidate(std::string_view url) {
  const auto info = userinfo_of(url);
  if (info.empty()) return;
  util::add_secret(info);
  if (const auto colon = info.find(':'); colon != std::string_view::npos) {
    util::add_secret(info.substr(colon + 1));
  }
}

[[noreturn]] void refuse(std::string_view url, const std::string& why) {
  std::string hint;
  if (!userinfo_of(url).empty()) {
    hint =
        "; a user name or password in the URL must be percent-encoded (/ as %2F, @ as %40, "
        "% as %25, : as %3A), or given as schema.registry.basic.auth.user.info";
  }
  throw std::invalid_argument(fmt::format("--schema-registry: {} in '{}'{}", why,
                                          util::bounded_text(mask_userinfo(url), 300), hint));
}

}  // namespace

std::string mask_userinfo(std::string_view url) {
  const auto info = userinfo_of(url);
  if (info.empty()) return std::string(url);
  const auto start = static_cast<std::size_t>(info.data() - url.data());
  return fmt::format("{}{}{}", url.substr(0, start), util::kMasked,
                     url.substr(start + info.size()));
}

RegistryUrl parse_registry_url(std::string_view url) {
  register_candidate(url);
  std::string scheme_part(url.substr(0, 8));  // schemes are case-insensitive
  for (char& c : scheme_part) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!scheme_part.starts_with("http://") && !scheme_part.starts_with("https://")) {
    refuse(url, "expected an http:// or https:// URL");
  }
  // curl takes "http:///x" as host "x"; a registry URL spells its host.
  if (url.substr(url.find("://") + 3).starts_with('/')) refuse(url, "no host");
  Url u(curl_url());
  if (!u) throw std::runtime_error("out of memory parsing the --schema-registry URL");
  const std::string text(url);
  if (const auto rc = curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0); rc != CURLUE_OK) {
    refuse(url, fmt::format("not a valid URL ({})", curl_url_strerror(rc)));
  }
  RegistryUrl out;
  out.user = part(u.get(), CURLUPART_USER, CURLU_URLDECODE);
  out.password = part(u.get(), CURLUPART_PASSWORD, CURLU_URLDECODE);
  if (out.password) {
    util::add_secret(*out.password);
    if (auto raw = part(u.get(), CURLUPART_PASSWORD)) util::add_secret(*raw);
    util::add_secret(out.user.value_or("") + ":" + *out.password);
  }
  if (out.user && out.user->empty()) refuse(url, "an empty user name");
  if (out.user && !out.password) refuse(url, "a user name without ':PASSWORD'");
  if (part(u.get(), CURLUPART_QUERY)) refuse(url, "a query (?...)");
  if (part(u.get(), CURLUPART_FRAGMENT)) refuse(url, "a fragment (#...)");
  const auto scheme = part(u.get(), CURLUPART_SCHEME).value_or("");
  auto host = part(u.get(), CURLUPART_HOST).value_or("");
  if (host.empty()) refuse(url, "no host");
  if (auto zone = part(u.get(), CURLUPART_ZONEID); zone && host.ends_with(']')) {
    host.insert(host.size() - 1, "%25" + *zone);  // an IPv6 link-local address's interface
  }
  const auto port = part(u.get(), CURLUPART_PORT);
  if (port && *port == "0") refuse(url, "port 0");
  out.origin = scheme + "://" + host + (port ? ":" + *port : "");
  out.path = part(u.get(), CURLUPART_PATH).value_or("");
  while (out.path.ends_with('/')) out.path.pop_back();
  return out;
}

}  // namespace registry
