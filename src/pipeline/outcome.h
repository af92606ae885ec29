#pragma once
// The result of looking at one record once: plain data, decided by pure code, applied by the
// consumer loop. Exactly one of: processed, retry later, or dead-letter.
#include <chrono>
#include <string>
#include <variant>

#include "orders/order.h"
#include "pipeline/error_class.h"

namespace pipeline {

// Retry timing runs on a monotonic clock; tests inject their own time points.
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

struct Processed {
  orders::Order order;
  int attempts = 1;  // the attempt that succeeded
  bool operator==(const Processed&) const = default;
};

struct RetryAt {
  TimePoint at;       // when the next attempt is due
  int attempt = 2;    // the number of that next attempt
  std::string error;  // why the previous attempt failed
  bool operator==(const RetryAt&) const = default;
};

struct DeadLetter {
  ErrorClass error_class = ErrorClass::processing;
  std::string message;
  int attempts = 0;  // processing attempts made: 0 for deserialization/validation failures
  bool operator==(const DeadLetter&) const = default;
};

using Outcome = std::variant<Processed, RetryAt, DeadLetter>;

}  // namespace pipeline
