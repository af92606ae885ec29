#pragma once
// One processing attempt of a valid order, turned into an outcome:
//   ok                                  -> Processed
//   permanent error                     -> DeadLetter(processing, error), never retried
//   transient error, attempts left      -> RetryAt(now + backoff, attempt + 1)
//   transient error, last attempt       -> DeadLetter(processing, "max retries exceeded: <error>")
#include <cstdint>

#include "orders/order.h"
#include "pipeline/order_processor.h"
#include "pipeline/outcome.h"
#include "pipeline/retry_policy.h"

namespace pipeline {

// The jitter draw for the wait after `failed_attempt`: unit_roll("<seed>:<orderId>:<n>:jitter").
double jitter_roll(std::uint64_t seed, std::string_view order_id, int failed_attempt);

Outcome decide_attempt(const orders::Order& order, int attempt, TimePoint now,
                       OrderProcessor& processor, const RetryPolicy& policy,
                       std::uint64_t jitter_seed);

}  // namespace pipeline
