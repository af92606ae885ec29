#include "observe/consumer_site.h"

#include "observe/consumer_render.h"
#include "observe/exposition.h"

namespace observe {

Response ConsumerSite::get(std::string_view path) const {
  Response r;
  if (serve_common(path, "consumer.html", r)) return r;
  const auto s = latest_.get();
  if (path == "/metrics") {
    r = page(kExpositionContentType, metrics_.get(s));
  } else if (path == "/api/state") {
    r = page("application/json", state_.get(s));
  } else if (path == "/readyz") {
    r = s->ready ? text(200, "ready\n")
                 : text(503, s->stopping ? "stopping\n"
                                         : "not ready: partitions not assigned "
                                           "and restored yet\n");
  } else {
    r = not_found();
  }
  return r;
}

}  // namespace observe
