#include "process/http_settings.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "process/http_outcome.h"

namespace process {
namespace {

std::optional<std::string> url_problem(const std::string& url) {
  std::string lower;
  for (const char c : url.substr(0, 8)) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::size_t rest = 0;
  if (lower.rfind("http://", 0) == 0) {
    rest = 7;
  } else if (lower.rfind("https://", 0) == 0) {
    rest = 8;
  } else {
    return fmt::format("--process '{}': not an http:// or https:// URL", ascii_excerpt(url, 200));
  }
  if (rest >= url.size() || url[rest] == '/' || url[rest] == ':' || url[rest] == '?') {
    return fmt::format("--process '{}': no host in the URL", ascii_excerpt(url, 200));
  }
  // USER:PASSWORD@ would be shown wherever the URL is; credentials belong in the header file.
  const auto authority = url.substr(rest, url.find_first_of("/?#", rest) - rest);
  if (authority.find('@') != std::string::npos) {
    return "--process: credentials in the URL are not accepted (they would be shown wherever the "
           "URL is); put them in --process-header-file, e.g. 'Authorization: Basic ...'";
  }
  for (const char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) {
      return fmt::format(
          "--process '{}': a blank, control or non-ASCII character in the URL "
          "(percent-encode it)",
          ascii_excerpt(url, 200));
    }
  }
  return std::nullopt;
}

std::optional<std::string> file_problem(const std::optional<std::string>& path, const char* flag) {
  if (!path) return std::nullopt;
  if (::access(path->c_str(), R_OK) != 0) {
    return fmt::format("{} {}: cannot read it: {}", flag, ascii_excerpt(*path, 200),
                       std::strerror(errno));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> settings_problem(const HttpSettings& s) {
  if (auto p = url_problem(s.url)) return p;
  if (s.timeout <= std::chrono::milliseconds(0)) return "--process-timeout must be positive";
  if (s.connect_timeout <= std::chrono::milliseconds(0)) {
    return "--process-connect-timeout must be positive";
  }
  if (s.cert_file.has_value() != s.key_file.has_value()) {
    return "--process-cert and --process-key go together (the client certificate and its key)";
  }
  if (s.max_body_bytes == 0) return "--process-max-body must be at least 1";
  if (s.max_connections < 1 || s.max_host_connections < 1) {
    return "the connection limits must be at least 1";
  }
  for (const auto& [path, flag] :
       {std::pair{&s.ca_file, "--process-ca"}, std::pair{&s.cert_file, "--process-cert"},
        std::pair{&s.key_file, "--process-key"},
        std::pair{&s.header_file, "--process-header-file"}}) {
    if (auto p = file_problem(*path, flag)) return p;
  }
  return std::nullopt;
}

}  // namespace process
