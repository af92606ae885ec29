#include "pipeline/producer_recovery.h"

#include <fmt/format.h>

#include "util/backoff.h"

namespace pipeline {
namespace {

long long ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

RecoveryDecision ProducerRecovery::on_failure(const ProducerFailure& failure, TimePoint now) {
  // The coordinator aborts (and fences) only a transaction older than transaction.timeout.ms;
  // a fencing of a younger one, or with none open, is another process that took over.
  if (failure.fenced) {
    if (!failure.transaction_began) {
      return {.reason = "fenced with no transaction open: another process took over"};
    }
    const auto age = now - *failure.transaction_began;
    if (age < transaction_timeout_) {
      return {.reason = fmt::format(
                  "fenced on a transaction open for {} ms, less than transaction.timeout.ms "
                  "({} ms): another process took over, not the coordinator's timeout",
                  ms(age), ms(transaction_timeout_))};
    }
  }
  while (!recoveries_.empty() && now - recoveries_.front() >= limits_.window) {
    recoveries_.pop_front();
  }
  const int done = static_cast<int>(recoveries_.size());
  if (done >= limits_.max_recoveries) {
    return {.reason = fmt::format("the producer was recreated {} time(s) within {} s already", done,
                                  ms(limits_.window) / 1000)};
  }
  recoveries_.push_back(now);
  RecoveryDecision d;
  d.recover = true;
  d.backoff =
      util::Backoff<Clock::duration>{limits_.first_backoff, limits_.max_backoff}.delay(done);
  d.attempt = done + 1;
  return d;
}

}  // namespace pipeline
