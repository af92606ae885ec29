#include "pipeline/dead_letter_resend.h"

namespace pipeline {

void FailedDeadLetters::failed(std::int32_t partition, std::int64_t offset, std::string error,
                               TimePoint at) {
  failures_[partition][offset] = {std::move(error), at};
}

std::optional<FailedDeadLetters::Failure> FailedDeadLetters::hold(std::int32_t partition,
                                                                  std::int64_t offset,
                                                                  std::chrono::microseconds delay,
                                                                  TimePoint now) {
  auto p = failures_.find(partition);
  if (p == failures_.end()) return std::nullopt;
  auto f = p->second.find(offset);
  if (f == p->second.end()) return std::nullopt;
  if (now < f->second.failed_at + delay) return f->second;
  p->second.erase(f);
  return std::nullopt;
}

}  // namespace pipeline
