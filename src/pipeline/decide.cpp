#include "pipeline/decide.h"

#include <fmt/format.h>

#include "pipeline/stable_hash.h"

namespace pipeline {

double jitter_roll(std::uint64_t seed, std::string_view order_id, int failed_attempt) {
  return unit_roll(fmt::format("{}:{}:{}:jitter", seed, order_id, failed_attempt));
}

Outcome decide_attempt(const orders::Order& order, int attempt, TimePoint now,
                       OrderProcessor& processor, const RetryPolicy& policy,
                       std::uint64_t jitter_seed) {
  const ProcessResult r = guarded([&] { return processor.process(order, attempt); });
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
