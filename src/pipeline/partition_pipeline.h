#pragma once
// The per-partition state machine of the consumer, with an injected clock (`now` arguments).
//
// Records of one partition are handled strictly in offset order: while the head record waits
// for a retry, the records behind it wait too (the shell pauses the partition and keeps
// polling). Dead letters are handed to the shell to write; their offsets count as finished
// only once the write is acknowledged. If a write fails, the partition halts (nothing further
// is processed, nothing committed past it) and the dead letter is offered again later.
//
// It owns the partition's aggregate and offset tracker, so a checkpoint of (aggregate, commit
// offset) describes exactly the records before that offset: an order processed behind a dead
// letter that is not yet acknowledged is "pending" and joins the checkpoint aggregate only once
// the commit offset has moved past it. A restored checkpoint's aggregate is the starting value.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/classify.h"
#include "pipeline/fifo.h"
#include "pipeline/offset_tracker.h"
#include "pipeline/order_processor.h"
#include "pipeline/outcome.h"
#include "pipeline/retry_policy.h"
#include "pipeline/source_record.h"
#include "stats/aggregate.h"

namespace pipeline {

struct PipelineSettings {
  RetryPolicy retry;
  std::uint64_t jitter_seed = 0;
  DecodeFn decode = nullptr;  // required
  ValidationLimits limits;
  // How long a partition waits before offering a failed dead-letter write again.
  std::chrono::microseconds dead_letter_resend_delay = std::chrono::seconds(5);
};

// What happened to one record in one step (for the shell's logs and metrics).
struct Decision {
  std::int64_t offset = 0;
  std::optional<orders::Order> order;  // absent when the value could not be decoded
  int attempt = 0;                     // the attempt just made; 0 when rejected before processing
  Outcome outcome;
  std::chrono::microseconds since_received{0};  // consumed -> this decision
  std::int64_t timestamp_ms = -1;  // the record's Kafka timestamp (ms since epoch); -1: none
};

struct PendingDeadLetter {
  SourceRecord record;
  DeadLetter dead_letter;
  std::optional<TimePoint> resend_at;  // set after a failed write
  int writes = 0;                      // write attempts handed out so far
  std::string last_write_error;
};

class PartitionPipeline {
 public:
  // `base`: the aggregate of the records before the first one this pipeline will see (restored
  // from a checkpoint).
  PartitionPipeline(OrderProcessor& processor, const PipelineSettings& settings,
                    stats::Aggregate base = {})
      : processor_(processor), settings_(settings), settled_(std::move(base)) {}

  // Queues a consumed record. Returns false (ignored) for an offset not above those already
  // seen, which librdkafka may deliver again around pause/resume.
  bool push(SourceRecord record, TimePoint now);

  struct Step {
    std::vector<Decision> decisions;
    std::vector<std::int64_t> write_dead_letters;  // offsets whose dead letter the shell writes
  };
  // Advances as far as `now` allows.
  Step run(TimePoint now);

  // For an offset from Step::write_dead_letters, until it is delivered.
  const PendingDeadLetter& dead_letter(std::int64_t offset) const;
  void dead_letter_delivered(std::int64_t offset);
  void dead_letter_failed(std::int64_t offset, std::string error, TimePoint now);

  // A dead-letter write failed and is not yet delivered: the partition does not advance.
  bool halted() const;
  // Records are queued: the head waits for a retry (or the partition is halted).
  bool waiting() const { return !queue_.empty() || halted(); }
  // The earliest time run() has something to do, if anything is scheduled.
  std::optional<TimePoint> next_wakeup() const;
  std::size_t queued() const { return queue_.size(); }
  std::size_t dead_letters_in_flight() const { return dead_letters_.size(); }

  std::optional<std::int64_t> commit_offset() const { return offsets_.next_commit(); }
  // Everything processed so far (base included), pending orders too.
  stats::Aggregate aggregate() const;
  // The base plus exactly the orders below commit_offset(): what a checkpoint stores.
  const stats::Aggregate& checkpoint_aggregate() const { return settled_; }
  // The last offset taken in, if any.
  std::optional<std::int64_t> last_offset() const { return offsets_.last_tracked(); }

 private:
  struct Queued {
    SourceRecord record;
    TimePoint received;
    TimePoint due;
    std::optional<orders::Order> order;  // set once decoded and validated
    int next_attempt = 1;
  };

  void finish_dead_letter(Queued& q, DeadLetter dl, Step& step);
  // Moves pending orders below the commit offset into the checkpoint aggregate.
  void settle();

  OrderProcessor& processor_;
  PipelineSettings settings_;
  Fifo<Queued> queue_;
  std::map<std::int64_t, PendingDeadLetter> dead_letters_;
  std::size_t failed_writes_ = 0;  // dead letters whose last write failed
  OffsetTracker offsets_;
  stats::Aggregate settled_;
  std::deque<std::pair<std::int64_t, orders::Order>> pending_;  // processed, above the commit
};

}  // namespace pipeline
