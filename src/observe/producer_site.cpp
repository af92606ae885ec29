#include "observe/producer_site.h"

#include <nlohmann/json.hpp>

#include "observe/exposition.h"
#include "observe/json_text.h"
#include "stats/e2e_latency.h"

namespace observe {

std::string render_producer_metrics(const ProducerSnapshot& s) {
  Exposition out;
  out.family("orders_build_info", "gauge", "Version of orders and librdkafka; always 1");
  out.sample("orders_build_info",
             {{"version", s.build.version}, {"librdkafka", s.build.librdkafka}}, 1.0);
  out.counter("orders_producer_records_sent_total", "Orders handed to the Kafka client", s.sent);
  out.counter("orders_producer_records_acknowledged_total", "Orders acknowledged by the broker",
              s.acknowledged);
  out.counter("orders_producer_records_failed_total",
              "Orders that failed: delivery errors and refused enqueues", s.failed);
  out.counter("orders_producer_acknowledged_bytes_total",
              "Key and value bytes of the acknowledged orders", s.bytes);
  out.gauge("orders_producer_records_requested", "Orders this run was asked to produce",
            static_cast<double>(s.requested));
  out.gauge("orders_producer_records_in_flight", "Orders in the client's queue, not answered yet",
            static_cast<double>(s.in_flight));
  out.gauge("orders_producer_target_rate", "The --rate asked for, orders per second (0: unpaced)",
            s.rate);
  out.family("orders_producer_delivery_latency_seconds", "histogram",
             "Enqueue to acknowledgement, per acknowledged order");
  out.histogram("orders_producer_delivery_latency_seconds", {}, s.delivery);
  write_rdkafka_metrics(out, s.clients);
  return out.take();
}

std::string render_producer_state(const ProducerSnapshot& s) {
  nlohmann::json history = nlohmann::json::array();
  for (const auto& h : s.history) history.push_back({h.at_ms, h.consumed, h.finished});
  const nlohmann::json j = {{"kind", "producer"},
                            {"version", s.build.version},
                            {"topic", s.topic},
                            {"rate", s.rate},
                            {"at_ms", s.at_ms},
                            {"uptime_seconds", s.uptime_seconds},
                            {"finished", s.finished},
                            {"counters",
                             {{"requested", s.requested},
                              {"sent", s.sent},
                              {"acknowledged", s.acknowledged},
                              {"failed", s.failed},
                              {"bytes", s.bytes}}},
                            {"in_flight", s.in_flight},
                            {"latency_ms", {{"delivery", to_json(stats::percentiles(s.delivery))}}},
                            {"history", std::move(history)}};
  return dump_json(j);
}

Response ProducerSite::get(std::string_view path) const {
  Response r;
  if (serve_common(path, "producer.html", r)) return r;
  const auto s = latest_.get();
  if (path == "/metrics") {
    r = page(kExpositionContentType, metrics_.get(s));
  } else if (path == "/api/state") {
    r = page("application/json", state_.get(s));
  } else if (path == "/readyz") {
    r = s->finished ? text(503, "finished\n") : text(200, "producing\n");
  } else {
    r = not_found();
  }
  return r;
}

}  // namespace observe
