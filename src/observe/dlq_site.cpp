#include "observe/dlq_site.h"

#include <nlohmann/json.hpp>

#include "dlq/render_json.h"
#include "observe/exposition.h"
#include "observe/json_text.h"

namespace observe {

std::string render_dlq_metrics(const DlqSnapshot& s) {
  const dlq::Summary& m = s.summary;
  Exposition out;
  out.family("orders_build_info", "gauge", "Version of orders and librdkafka; always 1");
  out.sample("orders_build_info",
             {{"version", s.build.version}, {"librdkafka", s.build.librdkafka}}, 1.0);
  out.family("orders_dlq_records_total", "counter",
             "Dead letters read (matching the filter), by error class");
  for (const char* cls : {"deserialization", "validation", "processing", "unknown"}) {
    auto it = m.by_class.find(cls);
    out.sample("orders_dlq_records_total", {{"class", cls}},
               it == m.by_class.end() ? std::uint64_t{0} : it->second);
  }
  out.counter("orders_dlq_undecodable_records_total", "Dead letters whose value is not an order",
              m.undecodable);
  out.gauge("orders_dlq_value_lost_dollars",
            "Value of the failed orders read (exact cents / 100; plausible prices only)",
            static_cast<double>(m.value_cents) / 100.0);
  if (m.oldest_failure_ms) {
    out.gauge("orders_dlq_oldest_failure_timestamp_seconds", "When the oldest dead letter failed",
              static_cast<double>(*m.oldest_failure_ms) / 1000.0);
  }
  if (m.newest_failure_ms) {
    out.gauge("orders_dlq_newest_failure_timestamp_seconds", "When the newest dead letter failed",
              static_cast<double>(*m.newest_failure_ms) / 1000.0);
  }
  return out.take();
}

std::string render_dlq_state(const DlqSnapshot& s) {
  nlohmann::json recent = nlohmann::json::array();
  for (const auto& r : s.recent) recent.push_back(nlohmann::json::parse(r, nullptr, false));
  const nlohmann::json j = {{"kind", "dlq"},
                            {"version", s.build.version},
                            {"topic", s.topic},
                            {"at_ms", s.at_ms},
                            {"uptime_seconds", s.uptime_seconds},
                            {"summary", dlq::summary_json(s.summary, s.topic, s.at_ms)},
                            {"recent", std::move(recent)}};
  return dump_json(j);
}

Response DlqSite::get(std::string_view path) const {
  Response r;
  if (serve_common(path, "dlq.html", r)) return r;
  const auto s = latest_.get();
  if (path == "/metrics") {
    r = page(kExpositionContentType, metrics_.get(s));
  } else if (path == "/api/state") {
    r = page("application/json", state_.get(s));
  } else if (path == "/readyz") {
    r = text(200, "following\n");
  } else {
    r = not_found();
  }
  return r;
}

}  // namespace observe
