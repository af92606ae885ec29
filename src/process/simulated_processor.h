#pragma once
// A processor whose failures are decided deterministically from (seed, orderId, attempt), so a
// redelivered order meets the same fate and a test can compute every outcome independently:
//   u = unit_roll("<seed>:<orderId>:<attempt>")      (seed in decimal; see stable_hash.h)
//   u < permanent_fail_rate                  -> permanent failure
//   u < permanent_fail_rate + fail_rate      -> transient failure
//   otherwise                                -> success
#include <cstdint>
#include <string_view>

#include "pipeline/processor.h"

// Processors: implementations of pipeline::Processor, the business step the pipeline calls.
namespace process {

inline constexpr std::string_view kSimulatedTransientError = "Simulated processing failure";
inline constexpr std::string_view kSimulatedPermanentError = "Simulated permanent failure";

double simulated_roll(std::uint64_t seed, std::string_view order_id, int attempt);

pipeline::ProcessResult simulated_result(std::uint64_t seed, std::string_view order_id, int attempt,
                                         double fail_rate, double permanent_fail_rate);

class SimulatedProcessor final : public pipeline::ImmediateProcessor {
 public:
  SimulatedProcessor(std::uint64_t seed, double fail_rate, double permanent_fail_rate)
      : seed_(seed), fail_rate_(fail_rate), permanent_fail_rate_(permanent_fail_rate) {}
  pipeline::ProcessResult decide(const pipeline::ProcessRequest& request) override;

 private:
  std::uint64_t seed_;
  double fail_rate_;
  double permanent_fail_rate_;
};

}  // namespace process
