#include "pipeline/decide.h"

#include <fmt/format.h>

#include <exception>

#include "pipeline/stable_hash.h"

namespace pipeline {

double jitter_roll(std::uint64_t seed, std::string_view order_id, int failed_attempt) {
  return unit_roll(fmt::format("{}:{}:{}:jitter", seed, order_id, failed_attempt));
}

Outcome decide_attempt(const orders::Order& order, int attempt, TimePoint now,
                       OrderProcessor& processor, const RetryPolicy& policy,
                       std::uint64_t jitter_seed) {
  ProcessResult r;
  try {
    r = processor.process(order, attempt);
  } catch (const std::exception& e) {
    r = ProcessResult::transient(std::string("processor threw: ") + e.what());
  } catch (...) {
    r = ProcessResult::transient("processor threw a non-standard exception");
  }
  switch (r.kind) {
    case ProcessResult::Kind::ok:
      return Processed{order, attempt};
    case ProcessResult::Kind::permanent:
      return DeadLetter{ErrorClass::processing, r.error, attempt};
    case ProcessResult::Kind::transient:
      break;
  }
  if (attempt >= policy.max_attempts) {
    return DeadLetter{ErrorClass::processing, "max retries exceeded: " + r.error, attempt};
  }
  const double u = policy.jitter > 0 ? jitter_roll(jitter_seed, order.order_id, attempt) : 0.5;
  return RetryAt{now + policy.backoff_after(attempt, u), attempt + 1, r.error};
}

}  // namespace pipeline
