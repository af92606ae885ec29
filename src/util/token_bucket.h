#pragma once
// A token bucket on the caller's clock: `burst` tokens at the start, refilled at `per_second`,
// never more than `burst`. Pure (the caller passes the clock reading), so tests need no sleeping.
#include <chrono>

namespace util {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // per_second > 0, burst >= 1.
  TokenBucket(double per_second, double burst);

  // Takes one token if there is one at `now`.
  bool take(Clock::time_point now);
  // How long from `now` until a token is there (zero if one is).
  Clock::duration wait(Clock::time_point now);

 private:
  void refill(Clock::time_point now);

  double per_second_;
  double burst_;
  double tokens_;
  Clock::time_point last_{};
  bool started_ = false;
};

}  // namespace util
