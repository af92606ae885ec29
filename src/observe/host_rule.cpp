#include "observe/host_rule.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

namespace observe {
namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
         c == ':';
}

// An IPv4 or IPv6 literal as 16 bytes (IPv4 mapped), or nullopt.
std::optional<std::array<unsigned char, 16>> ip_bytes(const std::string& text) {
  std::array<unsigned char, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool is_wildcard(const std::array<unsigned char, 16>& ip) {
  static constexpr std::array<unsigned char, 16> kAny6{};
  static constexpr std::array<unsigned char, 16> kAny4{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return ip == kAny6 || ip == kAny4;
}

bool is_loopback(const std::array<unsigned char, 16>& ip) {
  static constexpr std::array<unsigned char, 16> kLoop6{0, 0, 0, 0, 0, 0, 0, 0,
                                                        0, 0, 0, 0, 0, 0, 0, 1};
  const bool mapped = std::all_of(ip.begin(), ip.begin() + 10, [](auto b) { return b == 0; }) &&
                      ip[10] == 0xff && ip[11] == 0xff;
  return ip == kLoop6 || (mapped && ip[12] == 127);
}

// The host part of a Host header, normalized; empty when malformed.
std::string host_part(std::string_view header) {
  std::string_view host = header;
  std::string_view port;
  if (header.starts_with('[')) {
    const auto close = header.find(']');
    if (close == std::string_view::npos) return {};
    host = header.substr(1, close - 1);
    const std::string_view rest = header.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return {};
      port = rest.substr(1);
      if (port.empty()) return {};
    }
    if (host.find(':') == std::string_view::npos) return {};  // brackets are for IPv6 only
  } else if (const auto colon = header.find(':'); colon != std::string_view::npos) {
    host = header.substr(0, colon);
    port = header.substr(colon + 1);
    if (port.empty()) return {};
  }
  if (port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return {};
  }
  if (host.find(':') != std::string_view::npos && !header.starts_with('[')) return {};
  return normalize_host_name(host);
}

}  // namespace

std::string normalize_host_name(std::string_view name) {
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  if (out.size() > 1 && out.back() == '.') out.pop_back();
  if (out.empty() || out.size() > 253 || !std::all_of(out.begin(), out.end(), name_char)) return {};
  return out;
}

bool host_allowed(std::string_view host_header, const HostRule& rule) {
  const std::string host = host_part(host_header);
  if (host.empty()) return false;
  if (std::find(rule.names.begin(), rule.names.end(), host) != rule.names.end()) return true;
  const auto bound = ip_bytes(rule.bound_ip);
  const bool wildcard = bound && is_wildcard(*bound);
  if (const auto ip = ip_bytes(host)) {
    // An address cannot be rebound; where the server listens on every address, any of them is
    // a way to reach it.
    return bound && (wildcard || *ip == *bound);
  }
  if (host.find(':') != std::string::npos) return false;
  if (host == normalize_host_name(rule.bound) && !ip_bytes(rule.bound)) return true;
  // Browsers resolve localhost to loopback themselves (no DNS), so it cannot be rebound.
  return host == "localhost" && bound && (wildcard || is_loopback(*bound));
}

}  // namespace observe
