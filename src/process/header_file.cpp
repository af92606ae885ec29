#include "process/header_file.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace process {
namespace {

constexpr std::size_t kMaxFileBytes = 64 * 1024;

// RFC 9110 token characters.
bool token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= '0' && u <= '9') return true;
  if ((u | 0x20) >= 'a' && (u | 0x20) <= 'z') return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Why the line is refused, or empty when it is fine. Never quotes the value.
std::string line_problem(std::string_view name, std::string_view value) {
  if (name.empty()) return "an empty header name";
  for (const char c : name) {
    if (!token_char(c)) return "a header name with a character not allowed in names";
  }
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) {
      return fmt::format("a control character (0x{:02x}) in the value of {}", u, name);
    }
  }
  if (reserved_header(name)) return fmt::format("{} is set by orders itself", name);
  return {};
}

}  // namespace

std::vector<Header> parse_header_lines(std::string_view text, std::string_view source) {
  std::vector<Header> out;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF files
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    const auto colon = line.find(':');
    std::string problem;
    if (colon == std::string_view::npos) {
      problem = "no ':' between a name and a value";
    } else {
      problem = line_problem(line.substr(0, colon), trim(line.substr(colon + 1)));
    }
    if (!problem.empty()) {
      throw std::invalid_argument(
          fmt::format("--process-header-file {}: line {}: {}", source, number, problem));
    }
    out.emplace_back(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
  }
  return out;
}

std::vector<Header> read_header_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::invalid_argument(
        fmt::format("--process-header-file {}: cannot read it: {}", path, std::strerror(errno)));
  }
  std::string text(kMaxFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes) {
    throw std::invalid_argument(
        fmt::format("--process-header-file {}: larger than {} bytes", path, kMaxFileBytes));
  }
  return parse_header_lines(text, path);
}

}  // namespace process
