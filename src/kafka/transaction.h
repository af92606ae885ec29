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
  // What may still be spent of `left` now: less once the application is stopping (e.g.
  // util::stop_bounded). Asked before every slice, so a stop shortens a call already running.
  using Limit = std::function<std::chrono::milliseconds(std::chrono::milliseconds left)>;
  // Each blocking call lasts at most this; librdkafka resumes a timed-out one where it was.
  static constexpr std::chrono::milliseconds kSlice{500};

  explicit Transaction(Producer& producer, Limit limit = {})
      : producer_(producer), limit_(std::move(limit)) {}

  bool open() const { return open_; }
  // No-op when one is open already.
  Error begin();
  // Adds `offsets` (when any) to the open transaction and commits it, repeating retriable
  // steps (a timed-out one is resumed) until `deadline` or the limit. On an error the transaction
  // is still open: abort it (unless the error ends the producer).
  Error commit(const std::vector<TopicPartitionOffset>& offsets, const GroupMetadata* group,
               Clock::time_point deadline);
  // Aborts the open transaction (purging its undelivered messages), resuming retriable
  // attempts until `deadline` or the limit. Closed afterwards whatever the outcome: one
  // left unfinished is aborted by the coordinator after transaction.timeout.ms, or by the next
  // init_transactions with the same transactional.id.
  Error abort(Clock::time_point deadline);
  // The step of commit() that failed, for messages.
  const char* failed_step() const { return step_; }
  // The last commit() ended with commit_transaction unanswered (timed out, retriable): the
  // coordinator may yet commit the transaction, so what it holds is neither committed nor lost.
  bool outcome_unknown() const { return outcome_unknown_; }

 private:
  // The deadline, brought forward to what the limit allows now.
  Clock::time_point limited(Clock::time_point deadline) const;
  template <class Call>
  Error resumed(Clock::time_point deadline, Call&& call);

  Producer& producer_;
  Limit limit_;
  bool open_ = false;
  bool outcome_unknown_ = false;
  const char* step_ = "";
};

}  // namespace kafka
