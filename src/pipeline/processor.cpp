#include "pipeline/processor.h"

#include <exception>
#include <utility>

namespace pipeline {

void ImmediateProcessor::start(ProcessRequest request) {
  ProcessResult result;
  try {
    result = decide(request);
  } catch (const std::exception& e) {
    // The contract says decide() does not throw; one that does is a processing failure, not the
    // end of the consumer.
    result = ProcessResult::transient(std::string("processor threw: ") + e.what());
  } catch (...) {
    result = ProcessResult::transient("processor threw");
  }
  ready_.push_back({request.id, std::move(result)});
}

void ImmediateProcessor::poll(std::chrono::milliseconds /*max_wait*/, int /*wake_fd*/,
                              std::vector<ProcessCompletion>& out) {
  // Nothing is ever waited for: every started attempt is complete already.
  for (auto& c : ready_) out.push_back(std::move(c));
  ready_.clear();
}

}  // namespace pipeline
