#include "process/http_request.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

namespace process {
namespace {

std::string json_string(const std::string& s) {
  // replace: invalid UTF-8 becomes U+FFFD, so the body is always valid JSON.
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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

}  // namespace

std::string request_body(const orders::Order& order) {
  // fmt prints a float in the shortest form that reads back as the same float ("19.99", not
  // the double 19.989999771118164).
  const std::string price = std::isfinite(order.price) ? fmt::format("{}", order.price) : "null";
  return fmt::format(R"({{"orderId":{},"product":{},"price":{}}})", json_string(order.order_id),
                     json_string(order.product), price);
}

std::string header_safe(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || c == '%') {
      out += fmt::format("%{:02X}", u);
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<Header> request_headers(const pipeline::ProcessRequest& r) {
  std::vector<Header> h;
  h.reserve(8);
  h.emplace_back("Content-Type", "application/json");
  h.emplace_back(kIdempotencyKeyHeader, header_safe(pipeline::idempotency_key(r)));
  if (r.key) h.emplace_back(kKeyHeader, header_safe(*r.key));
  h.emplace_back(kTopicHeader, header_safe(r.topic));
  h.emplace_back(kPartitionHeader, std::to_string(r.partition));
  h.emplace_back(kOffsetHeader, std::to_string(r.offset));
  h.emplace_back(kAttemptHeader, std::to_string(r.attempt));
  if (r.traceparent) h.emplace_back(kTraceparentHeader, header_safe(*r.traceparent));
  return h;
}

bool reserved_header(std::string_view name) {
  for (const std::string_view n :
       {std::string_view("Content-Type"), std::string_view("Content-Length"),
        std::string_view("Host"), std::string_view("Transfer-Encoding"), kIdempotencyKeyHeader,
        kTraceparentHeader}) {
    if (iequals(name, n)) return true;
  }
  return name.size() >= 7 && iequals(name.substr(0, 7), "Orders-");
}

}  // namespace process
