#include "pipeline/window.h"

namespace pipeline {

std::string_view to_string(Ordering ordering) {
  switch (ordering) {
    case Ordering::key:
      return "key";
    case Ordering::partition:
      return "partition";
    case Ordering::none:
      return "none";
  }
  return "?";
}

std::optional<Ordering> parse_ordering(std::string_view text) {
  for (auto o : {Ordering::key, Ordering::partition, Ordering::none}) {
    if (text == to_string(o)) return o;
  }
  return std::nullopt;
}

bool want_pause(const WindowUsage& u, const WindowLimits& l, bool paused) {
  if (u.records >= l.records || u.bytes >= l.bytes || u.span >= l.span) return true;
  // Hysteresis: a resume costs librdkafka a fetch round trip; do not flap at the limit.
  if (paused) return u.records >= l.records / 2 || u.bytes >= l.bytes / 2 || u.span >= l.span / 2;
  return false;
}

}  // namespace pipeline
