#pragma once
// The consumer's pages from a snapshot: the Prometheus exposition (/metrics) and the JSON state
// the dashboard polls (/api/state, documented in docs/observability.md). Pure functions.
#include <string>

#include "observe/consumer_snapshot.h"

namespace observe {

std::string render_consumer_metrics(const ConsumerSnapshot& s);
// Compact JSON; untrusted text (keys, order ids, reasons, product names) is escaped: control
// bytes and invalid UTF-8 as \xNN, then JSON-escaped.
std::string render_consumer_state(const ConsumerSnapshot& s);

}  // namespace observe
