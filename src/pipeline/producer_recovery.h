#pragma once
// When the consumer's transactional producer failed for good (librdkafka leaves it unusable),
// whether to replace it in-process or end the run. librdkafka 2.0 also ends the producer when
// the coordinator aborted a transaction on its own (open longer than transaction.timeout.ms,
// e.g. across a broker outage) or when an abort follows a commit that timed out: nothing
// committed is lost, and a new producer with the same transactional.id continues. A genuine
// fencing (another live process took the transactional.id) must still end the run: it shows as
// a fencing error on a transaction younger than transaction.timeout.ms, and, if misjudged, as
// repeated failures, bounded by the number of recoveries allowed within a window.
#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include "pipeline/outcome.h"

namespace pipeline {

struct ProducerRecoveryLimits {
  int max_recoveries = 3;  // within `window`; one more failure ends the run
  Clock::duration window = std::chrono::minutes(10);
  // Doubled per recovery within the window (util::Backoff).
  Clock::duration first_backoff = std::chrono::seconds(1);
  Clock::duration max_backoff = std::chrono::seconds(10);
};

struct ProducerFailure {
  // The error says another producer with the same transactional.id took over (or the
  // coordinator bumped the epoch, which looks the same).
  bool fenced = false;
  // When the transaction that was open at the failure began; nullopt: none was open.
  std::optional<TimePoint> transaction_began;
};

struct RecoveryDecision {
  bool recover = false;
  Clock::duration backoff{};  // wait this long before the new producer (when recover)
  int attempt = 0;            // this recovery's number within the window (when recover)
  std::string reason;         // why not (when !recover)
};

class ProducerRecovery {
 public:
  ProducerRecovery(ProducerRecoveryLimits limits, Clock::duration transaction_timeout)
      : limits_(limits), transaction_timeout_(transaction_timeout) {}

  // A failure at `now` that leaves the producer unusable. A decision to recover counts.
  RecoveryDecision on_failure(const ProducerFailure& failure, TimePoint now);
  const ProducerRecoveryLimits& limits() const { return limits_; }

 private:
  ProducerRecoveryLimits limits_;
  Clock::duration transaction_timeout_;
  std::deque<TimePoint> recoveries_;  // within the window
};

}  // namespace pipeline
