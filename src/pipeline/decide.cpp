#include "pipeline/decide.h"

#include <fmt/format.h>

#include <algorithm>

#include "pipeline/stable_hash.h"

namespace pipeline {

double jitter_roll(std::uint64_t seed, std::string_view order_id, int failed_attempt) {
  return unit_roll(fmt::format("{}:{}:{}:jitter", seed, order_id, failed_attempt));
}

ProcessResult decide_now(ImmediateProcessor& processor, const ProcessRequest& request) {
  return guarded([&] { return processor.decide(request); });
}

Outcome outcome_of(const ProcessResult& r, const orders::Order& order, int attempt, bool counts,
                   TimePoint now, const RetryPolicy& policy, std::uint64_t jitter_seed) {
  switch (r.kind) {
    case ProcessResult::Kind::ok:
      return Processed{order, attempt};
    case ProcessResult::Kind::permanent:
      return DeadLetter{ErrorClass::processing, r.error, attempt};
    case ProcessResult::Kind::transient:
      break;
  }
  if (counts && attempt >= policy.max_attempts) {
    return DeadLetter{ErrorClass::processing, "max retries exceeded: " + r.error, attempt};
  }
  const double u = policy.jitter > 0 ? jitter_roll(jitter_seed, order.order_id, attempt) : 0.5;
  auto wait = policy.backoff_after(attempt, u);
  if (r.retry_after) {
    const auto asked = std::chrono::duration_cast<std::chrono::microseconds>(*r.retry_after);
    wait = std::max(wait, std::min(asked, policy.max_backoff));
  }
  return RetryAt{now + wait, counts ? attempt + 1 : attempt, r.error};
}

}  // namespace pipeline
