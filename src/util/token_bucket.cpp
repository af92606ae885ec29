#include "util/token_bucket.h"

#include <algorithm>

namespace util {

TokenBucket::TokenBucket(double per_second, double burst)
    : per_second_(std::max(per_second, 1e-9)), burst_(std::max(burst, 1.0)), tokens_(burst_) {}

void TokenBucket::refill(Clock::time_point now) {
  if (!started_) {
    started_ = true;
    last_ = now;
    return;
  }
  if (now <= last_) return;  // a clock that stood still (or a caller's older reading)
  const std::chrono::duration<double> elapsed = now - last_;
  tokens_ = std::min(burst_, tokens_ + elapsed.count() * per_second_);
  last_ = now;
}

bool TokenBucket::take(Clock::time_point now) {
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

TokenBucket::Clock::duration TokenBucket::wait(Clock::time_point now) {
  refill(now);
  if (tokens_ >= 1.0) return Clock::duration::zero();
  const std::chrono::duration<double> seconds((1.0 - tokens_) / per_second_);
  return std::chrono::ceil<Clock::duration>(seconds);
}

}  // namespace util
