#include "process/simulated_processor.h"

#include <fmt/format.h>

#include <iterator>

#include "pipeline/stable_hash.h"

namespace process {

using pipeline::ProcessResult;

double simulated_roll(std::uint64_t seed, std::string_view order_id, int attempt) {
  // The same bytes as fmt::format("{}:{}:{}", ...), built in an inline buffer: no allocation.
  fmt::memory_buffer key;
  fmt::format_to(std::back_inserter(key), "{}:{}:{}", seed, order_id, attempt);
  return pipeline::unit_roll(std::string_view(key.data(), key.size()));
}

ProcessResult simulated_result(std::uint64_t seed, std::string_view order_id, int attempt,
                               double fail_rate, double permanent_fail_rate) {
  // The roll is in [0, 1): with both rates at 0 (or below) it cannot fail, so skip it.
  if (fail_rate <= 0 && permanent_fail_rate <= 0) return ProcessResult::success();
  const double u = simulated_roll(seed, order_id, attempt);
  if (u < permanent_fail_rate) {
    return ProcessResult::permanent(std::string(kSimulatedPermanentError));
  }
  if (u < permanent_fail_rate + fail_rate) {
    return ProcessResult::transient(std::string(kSimulatedTransientError));
  }
  return ProcessResult::success();
}

ProcessResult SimulatedProcessor::decide(const pipeline::ProcessRequest& request) {
  return simulated_result(seed_, request.order.order_id, request.attempt, fail_rate_,
                          permanent_fail_rate_);
}

}  // namespace process
