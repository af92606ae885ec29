#pragma once
// The one rule set for driving a Kafka transaction to its end, shared by every transactional
// writer (the consumer's committer, `orders dlq replay`): retriable steps are repeated until a
// deadline, an error that needs an abort is aborted, a fatal or fencing error ends the producer.
#include <chrono>
#include <functional>
#include <vector>

#include "kafka/error.h"
#include "kafka/group_metadata.h"
#include "kafka/producer.h"
#include "kafka/topic_partition.h"

namespace kafka {

// Another producer with the same transactional.id took over: this one must stop. By code
// (librdkafka's transaction manager reports PRODUCER_FENCED and INVALID_PRODUCER_EPOCH as
// ERR__FENCED).
bool is_fencing(const Error& e);
// The same, for a producer failure as reported to the application: a fatal error seen through
// a failed delivery or the event log carries ERR__FATAL and says "fenced" only in its text.
bool producer_fenced(const Error& e);

// Whether a failed init_transactions is worth calling again (librdkafka resumes a timed-out
// one where it was).
bool init_transactions_again(const Error& e);
// init_transactions in slices of at most `slice` until it succeeds, fails for good, `budget`
// has passed or `stop` (when set) says so: the last error then.
Error init_transactions(Producer& producer, std::chrono::milliseconds budget,
                        std::chrono::milliseconds slice, const std::function<bool()>& stop = {});
// Nothing but a new producer helps: fatal, or fenced.
inline bool ends_producer(const Error& e) {
  return e.fatal || is_fencing(e);
}

class Transaction {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Transaction(Producer& producer) : producer_(producer) {}

  bool open() const { return open_; }
  // No-op when one is open already.
  Error begin();
  // Adds `offsets` (when any) to the open transaction and commits it, repeating retriable
  // steps until `deadline`. On an error the transaction is still open: abort it (unless the
  // error ends the producer).
  Error commit(const std::vector<TopicPartitionOffset>& offsets, const GroupMetadata* group,
               Clock::time_point deadline);
  // Aborts the open transaction (purging its undelivered messages), repeating retriable
  // attempts until `deadline`. Closed afterwards whatever the outcome.
  Error abort(Clock::time_point deadline);
  // The step of commit() that failed, for messages.
  const char* failed_step() const { return step_; }

 private:
  Producer& producer_;
  bool open_ = false;
  const char* step_ = "";
};

}  // namespace kafka
