#include "observe/listen_address.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace observe {
namespace {

// Names and IPv4/IPv6 literals; nothing that could smuggle a path, a scheme or a space.
bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == ':' || c == '_';
}

}  // namespace

std::string ListenAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

ListenAddress parse_listen_address(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("'" + std::string(text) + "': " + why +
                                 " (expected HOST:PORT, e.g. 127.0.0.1:9464)");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) throw bad("no port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    throw bad("an IPv6 address needs brackets");
  }
  if (host.empty()) throw bad("no host");
  if (!std::all_of(host.begin(), host.end(), host_char)) throw bad("bad character in the host");
  int value = -1;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 0 ||
      value > 65535) {
    throw bad("the port must be a number from 0 to 65535");
  }
  return {std::string(host), value};
}

}  // namespace observe
