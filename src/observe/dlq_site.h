#pragma once
// `orders dlq --follow --http`: the DLQ page (recent dead letters with their dlq.* headers,
// counts by class and by message, value lost, oldest and newest) and its metrics.
#include <cstdint>
#include <string>
#include <vector>

#include "dlq/summary.h"
#include "observe/consumer_snapshot.h"
#include "observe/render_once.h"
#include "observe/site.h"

namespace observe {

struct DlqSnapshot {
  BuildInfo build;
  std::string topic;
  std::int64_t at_ms = 0;
  double uptime_seconds = 0;
  dlq::Summary summary;
  // dlq::record_json of the most recent records, newest last (rendered once, when read).
  std::vector<std::string> recent;
};

std::string render_dlq_metrics(const DlqSnapshot& s);
std::string render_dlq_state(const DlqSnapshot& s);

class DlqSite : public Site {
 public:
  Response get(std::string_view path) const override;
  void publish(std::shared_ptr<const DlqSnapshot> s) { latest_.publish(std::move(s)); }

 private:
  Latest<DlqSnapshot> latest_;
  RenderOnce<DlqSnapshot> metrics_{render_dlq_metrics};
  RenderOnce<DlqSnapshot> state_{render_dlq_state};
};

}  // namespace observe
