#include "pipeline/processor.h"

#include <fmt/format.h>

#include <utility>

namespace pipeline {

std::string idempotency_key(const ProcessRequest& request) {
  return fmt::format("{}/{}/{}", request.topic, request.partition, request.offset);
}

void ImmediateProcessor::start(const ProcessRequest& request) {
  ready_.push_back({request.id, guarded([&] { return decide(request); })});
}

void ImmediateProcessor::poll(std::chrono::milliseconds /*max_wait*/, int /*wake_fd*/,
                              std::vector<ProcessCompletion>& out) {
  // Nothing is ever waited for: every started attempt is complete already.
  for (auto& c : ready_) out.push_back(std::move(c));
  ready_.clear();
}

}  // namespace pipeline
