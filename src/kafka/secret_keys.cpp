// Which property names hold secrets. Exact names are not enough: a typo ("sasl.pasword") is an
// unknown property whose value is still a password, so names are also matched by the markers
// they contain and by closeness to the usual words.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/config.h"

namespace kafka {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Substrings that make a name secret-looking wherever they occur.
constexpr std::array<std::string_view, 10> kMarkers{"pass", "pwd", "secret",  "token",     "cred",
                                                    "jaas", "key", "private", "extension", "auth"};
// Whole name segments a typo away from these are secret-looking too.
constexpr std::array<std::string_view, 8> kWords{
    "password", "passwd", "secret", "token", "credential", "credentials", "jaas", "extensions"};

// Levenshtein distance where swapping two neighbours also counts as one edit ("secert").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], before[j - 2] + 1);
      }
    }
    before.swap(prev);
    prev.swap(cur);
  }
  return prev[b.size()];
}

bool near_secret_word(std::string_view segment) {
  if (segment.size() < 4) return false;
  for (std::string_view word : kWords) {
    const std::size_t allowed = word.size() <= 6 ? 1 : 2;
    const std::size_t gap =
        segment.size() > word.size() ? segment.size() - word.size() : word.size() - segment.size();
    if (gap <= allowed && edit_distance(segment, word) <= allowed) return true;
  }
  return false;
}

}  // namespace

bool is_secret_key(std::string_view key) {
  const std::string k = lower(key);
  for (std::string_view marker : kMarkers) {
    if (k.find(marker) != std::string::npos) return true;
  }
  // OAUTHBEARER's unsecured-JWT config embeds the principal and claims.
  if (k == "sasl.oauthbearer.config") return true;
  std::size_t pos = 0;
  while (pos < k.size()) {
    std::size_t end = pos;
    while (end < k.size() && std::isalnum(static_cast<unsigned char>(k[end])) != 0) ++end;
    if (near_secret_word(std::string_view(k).substr(pos, end - pos))) return true;
    pos = end + 1;
  }
  return false;
}

bool looks_like_property_name(std::string_view key) {
  if (key.empty() || key.size() > 100) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace kafka
