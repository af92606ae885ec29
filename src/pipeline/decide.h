#pragma once
// One processing attempt's result, turned into an outcome:
//   ok                                  -> Processed
//   permanent error                     -> DeadLetter(processing, error), never retried
//   transient error, attempts left      -> RetryAt(now + backoff, attempt + 1), never before the
//                                          service's Retry-After (capped by the max backoff)
//   transient error, last attempt       -> DeadLetter(processing, "max retries exceeded: <error>")
//   transient error that does not count (the service is down: pipeline/circuit.h)
//                                       -> RetryAt(now + backoff, attempt): no attempt used up
#include <cstdint>

#include "orders/order.h"
#include "pipeline/outcome.h"
#include "pipeline/processor.h"
#include "pipeline/retry_policy.h"

namespace pipeline {

// The jitter draw for the wait after `failed_attempt`: unit_roll("<seed>:<orderId>:<n>:jitter").
double jitter_roll(std::uint64_t seed, std::string_view order_id, int failed_attempt);

// `counts`: whether a transient failure uses up the attempt.
Outcome outcome_of(const ProcessResult& r, const orders::Order& order, int attempt, bool counts,
                   TimePoint now, const RetryPolicy& policy, std::uint64_t jitter_seed);

// Calls an immediate processor's decide(); a thrown exception is a transient failure.
ProcessResult decide_now(ImmediateProcessor& processor, const ProcessRequest& request);

}  // namespace pipeline
