#include "util/redact.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace util {
namespace {

std::mutex g_mu;
std::vector<std::string> g_secrets;  // longest first, so a secret's own parts never split it

void add_one(std::string_view s) {
  while (!s.empty() && (s.front() == '"' || s.front() == '\'')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '"' || s.back() == '\'' || s.back() == ';' || s.back() == ','))
    s.remove_suffix(1);
  if (s.size() < kMinScrubbed) return;
  if (std::find(g_secrets.begin(), g_secrets.end(), s) != g_secrets.end()) return;
  g_secrets.emplace_back(s);
}

bool is_separator(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';' || c == ',';
}

}  // namespace

void add_secret(std::string_view value) {
  std::lock_guard lock(g_mu);
  add_one(value);
  // JAAS, OAUTHBEARER configs and SASL extensions are lists of name=value; an error may quote
  // one of the values alone.
  std::size_t pos = 0;
  while (pos < value.size()) {
    while (pos < value.size() && is_separator(value[pos])) ++pos;
    std::size_t end = pos;
    while (end < value.size() && !is_separator(value[end])) ++end;
    const std::string_view token = value.substr(pos, end - pos);
    if (auto eq = token.find('='); eq != std::string_view::npos) add_one(token.substr(eq + 1));
    pos = end;
  }
  std::sort(g_secrets.begin(), g_secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string scrub_one(std::string_view text, std::string_view secret) {
  std::string out(text);
  if (secret.empty()) return out;
  std::size_t pos = 0;
  while ((pos = out.find(secret, pos)) != std::string::npos) {
    out.replace(pos, secret.size(), kMasked);
    pos += kMasked.size();
  }
  return out;
}

std::string scrub(std::string_view text) {
  std::lock_guard lock(g_mu);
  std::string out(text);
  for (const auto& secret : g_secrets) {
    if (out.find(secret) != std::string::npos) out = scrub_one(out, secret);
  }
  return out;
}

void clear_secrets() {
  std::lock_guard lock(g_mu);
  g_secrets.clear();
}

}  // namespace util
