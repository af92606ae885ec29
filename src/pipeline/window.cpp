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

}  // namespace pipeline
