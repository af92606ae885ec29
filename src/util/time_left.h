#pragma once
// What is left of a deadline, computed one way wherever a bounded wait is sliced (polls,
// flushes, transaction calls, admin requests, pauses): never negative, so a deadline already
// past means no time left, never a negative timeout (which librdkafka reads as "wait forever").
#include <algorithm>
#include <chrono>
#include <type_traits>

namespace util {

// deadline - now, or zero once the deadline has passed.
template <class Clock, class D1, class D2>
constexpr auto time_left(std::chrono::time_point<Clock, D1> deadline,
                         std::chrono::time_point<Clock, D2> now) {
  using D = std::common_type_t<D1, D2>;
  return std::max<D>(deadline - now, D::zero());
}

// time_left in whole milliseconds, rounded down (a wait this long never ends past the deadline):
// the unit of librdkafka's timeouts.
template <class Clock, class D1, class D2>
constexpr std::chrono::milliseconds ms_left(std::chrono::time_point<Clock, D1> deadline,
                                            std::chrono::time_point<Clock, D2> now) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time_left(deadline, now));
}

}  // namespace util
