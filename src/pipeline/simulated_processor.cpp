#include "pipeline/simulated_processor.h"

#include <fmt/format.h>

#include "pipeline/stable_hash.h"

namespace pipeline {

double simulated_roll(std::uint64_t seed, std::string_view order_id, int attempt) {
  return unit_roll(fmt::format("{}:{}:{}", seed, order_id, attempt));
}

ProcessResult simulated_result(std::uint64_t seed, std::string_view order_id, int attempt,
                               double fail_rate, double permanent_fail_rate) {
  const double u = simulated_roll(seed, order_id, attempt);
  if (u < permanent_fail_rate) {
    return ProcessResult::permanent(std::string(kSimulatedPermanentError));
  }
  if (u < permanent_fail_rate + fail_rate) {
    return ProcessResult::transient(std::string(kSimulatedTransientError));
  }
  return ProcessResult::success();
}

ProcessResult SimulatedProcessor::process(const orders::Order& order, int attempt) {
  return simulated_result(seed_, order.order_id, attempt, fail_rate_, permanent_fail_rate_);
}

}  // namespace pipeline
