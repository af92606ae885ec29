#pragma once
// When the consumer next reads what its restoring partitions start from (the group's committed
// offsets and the aggregates topic): at once when partitions are assigned or must restore again,
// otherwise every kRetry while any is still restoring (a checkpoint that lags the committed
// offset, a read that failed, a seek librdkafka refused), never once the run has failed. Pure;
// consume/assignment.cpp does the reading.
#include <chrono>

#include "pipeline/outcome.h"

namespace pipeline {

class RestoreSchedule {
 public:
  static constexpr std::chrono::milliseconds kRetry{200};

  // Partitions were assigned, or every partition restores again (a producer replacement).
  void wanted(TimePoint now) { next_ = now; }
  // Whether to attempt now; an attempt schedules the next one kRetry later.
  bool attempt(bool any_restoring, bool run_failed, TimePoint now) {
    if (!any_restoring || run_failed || now < next_) return false;
    next_ = now + kRetry;
    return true;
  }

 private:
  TimePoint next_{};
};

}  // namespace pipeline
