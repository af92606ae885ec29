#include "observe/exposition.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "avro/utf8.h"

namespace observe {

const std::vector<double>& latency_buckets_seconds() {
  static const std::vector<double> bounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                             0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5,
                                             5,      10,      30,     60,    120};
  return bounds;
}

namespace {

// Valid UTF-8 as is; each invalid sequence start becomes U+FFFD.
std::string valid_utf8(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    const std::size_t bad = avro::find_invalid_utf8(s);
    out.append(s.substr(0, bad));
    if (bad == s.size()) break;
    out += "\xEF\xBF\xBD";
    s.remove_prefix(bad + 1);
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  for (char c : valid_utf8(value)) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : valid_utf8(help)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    return fmt::format("{}", static_cast<long long>(value));
  }
  return fmt::format("{}", value);  // shortest round-trip form
}

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
}

void Exposition::start_sample(std::string_view name, const Labels& labels) {
  out_ += name;
  if (labels.empty()) return;
  out_ += '{';
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out_ += ',';
    out_ += fmt::format("{}=\"{}\"", labels[i].first, escape_label_value(labels[i].second));
  }
  out_ += '}';
}

void Exposition::sample(std::string_view name, const Labels& labels, double value) {
  start_sample(name, labels);
  out_ += ' ';
  out_ += format_value(value);
  out_ += '\n';
}

void Exposition::sample(std::string_view name, const Labels& labels, std::uint64_t value) {
  start_sample(name, labels);
  out_ += fmt::format(" {}\n", value);
}

void Exposition::counter(std::string_view name, std::string_view help, std::uint64_t value) {
  family(name, "counter", help);
  sample(name, {}, value);
}

void Exposition::gauge(std::string_view name, std::string_view help, double value) {
  family(name, "gauge", help);
  sample(name, {}, value);
}

void Exposition::histogram(std::string_view name, const Labels& labels,
                           const stats::LatencyHistogram& h) {
  const auto& bounds = latency_buckets_seconds();
  std::vector<std::uint64_t> bounds_ns;
  bounds_ns.reserve(bounds.size());
  for (double b : bounds) bounds_ns.push_back(static_cast<std::uint64_t>(std::llround(b * 1e9)));
  const auto counts = h.cumulative_at(bounds_ns);
  const std::string bucket = std::string(name) + "_bucket";
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    Labels l = labels;
    l.emplace_back("le", format_value(bounds[i]));
    sample(bucket, l, counts[i]);
  }
  Labels inf = labels;
  inf.emplace_back("le", "+Inf");
  sample(bucket, inf, h.count());
  sample(std::string(name) + "_sum", labels, static_cast<double>(h.sum_ns()) / 1e9);
  sample(std::string(name) + "_count", labels, h.count());
}

}  // namespace observe
