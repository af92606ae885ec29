#pragma once
// Why a record was dead-lettered. The names are part of the DLQ contract (header dlq.error.class).
#include <optional>
#include <string_view>

namespace pipeline {

enum class ErrorClass {
  deserialization,  // the value is not a valid Order (poison pill): dead-lettered at once
  validation,       // decoded, but the order is unacceptable: dead-lettered at once
  processing,       // the processing step failed permanently or ran out of attempts
};

std::string_view to_string(ErrorClass c);
std::optional<ErrorClass> parse_error_class(std::string_view s);

}  // namespace pipeline
