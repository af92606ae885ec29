#pragma once
// Exactly-once: a dead letter whose write failed made its transaction abort. After the rewind
// the pipeline offers it again at once; it is held until the resend delay has passed, as a
// failed write is in at-least-once mode (where the pipeline keeps the delay itself).
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "pipeline/outcome.h"

namespace pipeline {

class FailedDeadLetters {
 public:
  struct Failure {
    std::string error;
    TimePoint failed_at;
  };

  void failed(std::int32_t partition, std::int64_t offset, std::string error, TimePoint at);
  // The failure to report again while the resend delay runs; nullopt: send it now (the failure
  // is forgotten).
  std::optional<Failure> hold(std::int32_t partition, std::int64_t offset,
                              std::chrono::microseconds delay, TimePoint now);
  void forget(std::int32_t partition) { failures_.erase(partition); }

 private:
  std::map<std::int32_t, std::map<std::int64_t, Failure>> failures_;
};

}  // namespace pipeline
