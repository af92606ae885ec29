#pragma once
// `orders consume --http`: /metrics, /api/state, /healthz, /readyz and the dashboard at /.
#include "observe/consumer_snapshot.h"
#include "observe/site.h"

namespace observe {

class ConsumerSite : public Site {
 public:
  Response get(std::string_view path) const override;
  void publish(std::shared_ptr<const ConsumerSnapshot> s) { latest_.publish(std::move(s)); }

 private:
  Latest<ConsumerSnapshot> latest_;
};

}  // namespace observe
