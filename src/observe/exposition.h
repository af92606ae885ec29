#pragma once
// Writing the Prometheus text exposition format (version 0.0.4): metric families with their HELP
// and TYPE lines, samples with escaped labels, histograms from stats::LatencyHistogram. Pure: the
// renderers build a page from a snapshot with it, and the unit tests read the page back.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stats/latency_histogram.h"

namespace observe {

using Labels = std::vector<std::pair<std::string, std::string>>;

// The Content-Type of the page.
inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

// Bucket bounds in seconds for latencies from 100 µs to 2 minutes.
const std::vector<double>& latency_buckets_seconds();

// A label value as the format wants it: backslash, double quote and newline escaped, invalid
// UTF-8 replaced by U+FFFD (label values are UTF-8; the bytes may come from anywhere).
std::string escape_label_value(std::string_view value);
// A HELP text: backslash and newline escaped.
std::string escape_help(std::string_view help);
// A sample value: integers exactly, others with round-trip precision; +Inf, -Inf, NaN.
std::string format_value(double value);

class Exposition {
 public:
  // Starts a family: its HELP and TYPE ("counter", "gauge", "histogram"). Every sample of a
  // family follows its start, before the next family starts.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  void sample(std::string_view name, const Labels& labels, std::uint64_t value);

  // A family with one unlabelled sample.
  void counter(std::string_view name, std::string_view help, std::uint64_t value);
  void gauge(std::string_view name, std::string_view help, double value);

  // The _bucket, _sum and _count samples of one histogram series (its family started already),
  // nanoseconds converted to seconds.
  void histogram(std::string_view name, const Labels& labels, const stats::LatencyHistogram& h);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void start_sample(std::string_view name, const Labels& labels);
  std::string out_;
};

}  // namespace observe
