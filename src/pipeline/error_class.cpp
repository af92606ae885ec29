#include "pipeline/error_class.h"

namespace pipeline {

std::string_view to_string(ErrorClass c) {
  switch (c) {
    case ErrorClass::deserialization:
      return "deserialization";
    case ErrorClass::validation:
      return "validation";
    case ErrorClass::processing:
      return "processing";
  }
  return "unknown";
}

std::optional<ErrorClass> parse_error_class(std::string_view s) {
  for (auto c : {ErrorClass::deserialization, ErrorClass::validation, ErrorClass::processing}) {
    if (to_string(c) == s) return c;
  }
  return std::nullopt;
}

}  // namespace pipeline
