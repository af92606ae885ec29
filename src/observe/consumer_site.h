#pragma once
// `orders consume --http`: /metrics, /api/state, /healthz, /readyz and the dashboard at /.
#include "observe/consumer_render.h"
#include "observe/consumer_snapshot.h"
#include "observe/render_once.h"
#include "observe/site.h"

namespace observe {

class ConsumerSite : public Site {
 public:
  Response get(std::string_view path) const override;
  void publish(std::shared_ptr<const ConsumerSnapshot> s) { latest_.publish(std::move(s)); }

 private:
  Latest<ConsumerSnapshot> latest_;
  RenderOnce<ConsumerSnapshot> metrics_{render_consumer_metrics};
  RenderOnce<ConsumerSnapshot> state_{render_consumer_state};
};

}  // namespace observe
