#include "registry/options.h"

#include <fstream>
#include <sstream>

#include "util/errors.h"

namespace registry {
namespace {

std::pair<std::string, std::string> split_assignment(const std::string& a, const std::string& at) {
  const auto eq = a.find('=');
  if (eq == std::string::npos || eq == 0) {
    // Not quoted: a mistyped `basic.auth.user.info:USER:PASSWORD` is a password.
    throw util::UsageError(at + ": expected KEY=VALUE (no '=' in it)");
  }
  auto trim = [](std::string s) {
    const auto b = s.find_first_not_of(" \t\r");
    const auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  return {trim(a.substr(0, eq)), trim(a.substr(eq + 1))};
}

// KEY=VALUE lines; blank lines and `#` comments skipped.
std::vector<std::pair<std::string, std::string>> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw util::UsageError("cannot read --schema-registry-config file '" + path + "'");
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#' || line[b] == '!') continue;
    out.push_back(split_assignment(line.substr(b), path + ":" + std::to_string(n)));
  }
  return out;
}

}  // namespace

std::optional<Settings> make_settings(const Options& o) {
  if (!o.url) {
    if (!o.properties.empty() || o.config_file) {
      throw util::UsageError("schema registry properties given without --schema-registry URL");
    }
    return std::nullopt;
  }
  std::vector<std::pair<std::string, std::string>> props;
  if (o.config_file) props = read_file(*o.config_file);
  for (const auto& a : o.properties) {
    props.push_back(split_assignment(a, "--schema-registry-property"));
  }
  std::optional<Settings> s;
  util::as_usage([&] { s = parse_settings(*o.url, props); });
  return s;
}

}  // namespace registry
