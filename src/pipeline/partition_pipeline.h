#pragma once
// The per-partition state machine of the consumer, with an injected clock (`now` arguments).
//
// Processing is asynchronous: an attempt is started (Processor::start) and its completion comes
// back later (complete()), so many records may be in flight at once, completing out of order —
// at most one per key under Ordering::key, one per partition under Ordering::partition, any
// under Ordering::none; an AttemptGate (the consumer's --max-in-flight and outage gate) may
// refuse to start one now. An ImmediateProcessor decides in place: nothing is ever in flight.
//
// A record that fails transiently waits for its retry without holding back the partition: with
// Ordering::key only later records with the same key wait behind it (Ordering::partition: every
// later record; Ordering::none: none). Everything else goes on being decoded, processed and
// dead-lettered, so records finish out of offset order. Dead letters are handed to the shell to
// write; their offsets count as finished only once the write is acknowledged. If a write fails,
// the partition halts (nothing further is processed, nothing committed past it) and the dead
// letter is offered again later.
//
// What a checkpoint stores is (commit offset c, the records finished above c, the aggregate of
// every processed record): exactly what a restart needs to skip, not redo, finished work. A
// pipeline restored from such a checkpoint skips the records of its FinishedSet.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pipeline/classify.h"
#include "pipeline/fifo.h"
#include "pipeline/finished_set.h"
#include "pipeline/offset_tracker.h"
#include "pipeline/outcome.h"
#include "pipeline/processor.h"
#include "pipeline/retry_policy.h"
#include "pipeline/source_record.h"
#include "pipeline/window.h"
#include "stats/aggregate.h"

namespace pipeline {

struct PipelineSettings {
  RetryPolicy retry;
  std::uint64_t jitter_seed = 0;
  DecodeFn decode = nullptr;  // required unless value_decoder is set
  // Framing-aware decoding (schema registry); when set it replaces `decode`. A value it cannot
  // decode yet waits (backoff from `retry`, never dead-lettered for it) and is tried again.
  ValueDecoder value_decoder;
  ValidationLimits limits;
  // How long a partition waits before offering a failed dead-letter write again.
  std::chrono::microseconds dead_letter_resend_delay = std::chrono::seconds(5);
  Ordering ordering = Ordering::key;
  WindowLimits window;
  // Products the aggregate names; the rest are counted as "other" (stats/aggregate.h).
  std::size_t max_products = stats::kDefaultMaxProducts;
};

// What happened to one record in one step (for the shell's logs and metrics).
struct Decision {
  std::int64_t offset = 0;
  std::optional<std::string> key;      // the record's key
  std::optional<orders::Order> order;  // absent when the value could not be decoded
  int attempt = 0;                     // the attempt just made; 0 when rejected before processing
  Outcome outcome;
  std::chrono::microseconds since_received{0};  // consumed -> this decision
  std::int64_t timestamp_ms = -1;  // the record's Kafka timestamp (ms since epoch); -1: none
  // For a retry (attempt > 1): how long after its due time it ran (never negative).
  std::optional<std::chrono::microseconds> lateness;
};

struct PendingDeadLetter {
  SourceRecord record;
  DeadLetter dead_letter;
  std::optional<TimePoint> resend_at;  // set after a failed write
  int writes = 0;                      // write attempts handed out so far
  std::string last_write_error;
};

// Whether an attempt may start now (the consumer's bound on attempts in flight, its outage
// gate). Asked only for asynchronous processors, before each start.
class AttemptGate {
 public:
  // The attempt's id (unique in the run), or nullopt: not now (the record waits, first in line).
  virtual std::optional<std::uint64_t> begin(std::int64_t offset, int attempt) = 0;

 protected:
  ~AttemptGate() = default;
};

class PartitionPipeline {
 public:
  // `base`: the aggregate of every record finished before this pipeline starts (restored from a
  // checkpoint); `finished`: the records above the restart offset finished already (skipped).
  PartitionPipeline(Processor& processor, const PipelineSettings& settings,
                    stats::Aggregate base = {}, FinishedSet finished = {})
      : processor_(processor),
        settings_(settings),
        aggregate_(std::move(base)),
        restored_(std::move(finished)) {
    aggregate_.set_max_products(settings_.max_products);
  }

  // Takes a consumed record in. Returns false (and ignores it) for an offset not above those
  // already seen, which librdkafka may deliver again around pause/resume, and for a record the
  // restored FinishedSet names (finished before the restart: skipped, see skipped()).
  bool push(SourceRecord record, TimePoint now);

  struct Step {
    std::vector<Decision> decisions;
    std::vector<std::int64_t> write_dead_letters;  // offsets whose dead letter the shell writes
  };
  // Advances as far as `now` (and `gate`, when set) allows: decides what it can, starts the
  // attempts it may.
  Step run(TimePoint now, AttemptGate* gate = nullptr);
  // An attempt started by run() completed. `counts`: whether a transient failure uses up the
  // attempt (not while the service is down). A completion that names no attempt in flight (a
  // stale one) is ignored.
  Step complete(std::int64_t offset, int attempt, const ProcessResult& result, bool counts,
                TimePoint now);
  // Attempts started and not completed.
  std::size_t in_flight() const { return in_flight_; }
  // The last run() stopped because the gate refused an attempt: what waits is not due until
  // the gate opens (next_wakeup() leaves it out).
  bool gated() const { return gated_; }

  // For an offset from Step::write_dead_letters, until it is delivered.
  const PendingDeadLetter& dead_letter(std::int64_t offset) const;
  void dead_letter_delivered(std::int64_t offset);
  void dead_letter_failed(std::int64_t offset, std::string error, TimePoint now);

  // A dead-letter write failed and is not yet delivered: the partition does not advance.
  bool halted() const { return failed_writes_ > 0; }
  // Records are taken in and not decided yet (waiting for a retry or behind one), or halted.
  bool waiting() const { return queued() > 0 || halted(); }
  // The earliest time run() has something to do, if anything is scheduled.
  std::optional<TimePoint> next_wakeup() const;
  std::size_t queued() const { return fresh_.size() + parked_.size(); }
  std::size_t dead_letters_in_flight() const { return dead_letters_.size(); }
  // Records whose last attempt failed and whose next one is not made yet.
  std::size_t retries_pending() const;
  // Records skipped because the restored FinishedSet names them.
  std::uint64_t skipped() const { return skipped_; }
  // Counts every record finished (processed, dead letter acknowledged, skipped): a checkpoint is
  // worth writing whenever it moved, even when the commit offset did not.
  std::uint64_t progress() const { return finished_; }
  WindowUsage usage() const { return {offsets_.unfinished(), bytes_, offsets_.span()}; }

  // Both also count the restored FinishedSet beyond the last record read again since the
  // restart: until those records arrive (and are skipped), it alone knows they are finished.
  std::optional<std::int64_t> commit_offset() const;
  FinishedSet finished_above() const;
  // The base plus every order processed: what a checkpoint stores next to commit_offset() and
  // finished_above().
  const stats::Aggregate& aggregate() const { return aggregate_; }
  // The last offset taken in, if any.
  std::optional<std::int64_t> last_offset() const { return offsets_.last_tracked(); }

 private:
  struct Held {
    SourceRecord record;
    TimePoint received;
    TimePoint due;
    std::optional<orders::Order> order;  // set once decoded and validated
    int next_attempt = 1;
    int decode_waits = 0;                               // times the decoder said "not now"
    std::uint64_t started = 0;                          // the attempt in flight (its id); 0: none
    std::optional<std::chrono::microseconds> lateness;  // of the attempt in flight
  };
  enum class Tried { finished, waiting, in_flight, refused };
  // Offsets of the held records of one key, in order: only the front one may run.
  using Lane = std::deque<std::int64_t>;
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  // Makes one attempt: finished (processed, or handed out as a dead letter), waiting for a retry
  // (h.due / h.next_attempt updated), in flight, or refused by the gate (nothing changed).
  Tried attempt(Held& h, TimePoint now, Step& step, AttemptGate* gate);
  // Applies an attempt's outcome; true when the record finished.
  bool settle(Held& h, Outcome outcome, TimePoint now, Step& step);
  bool dead_letter(Held& h, Decision d, DeadLetter dl, Step& step);
  ProcessRequest request(const Held& h, std::uint64_t id) const;
  // The lane of a held record, and its key when the lane is the key's own (to erase it).
  struct LaneRef {
    Lane* lane = nullptr;
    std::optional<std::string> key;
  };
  LaneRef lane_ref(const Held& h);
  // A parked record finished: the next of its lane (if any) is due.
  void finished_parked(std::map<std::int64_t, Held>::iterator it, const LaneRef& ref);
  std::variant<orders::Order, DeadLetter, DecodeLater> classify_held(const Held& h) const;
  void park(Held h, bool runnable);
  // The lane a record belongs to (null: Ordering::none); `create` adds a missing one.
  Lane* lane_of(const SourceRecord& r, bool create);
  void release_lane(const SourceRecord& r);

  Processor& processor_;
  PipelineSettings settings_;
  stats::Aggregate aggregate_;
  FinishedSet restored_;
  Fifo<Held> fresh_;                                  // taken in, not looked at yet
  std::map<std::int64_t, Held> parked_;               // waiting for a retry or behind one
  std::set<std::pair<TimePoint, std::int64_t>> due_;  // parked records free to run, by due time
  std::unordered_map<std::string, Lane, KeyHash, std::equal_to<>> lanes_;
  Lane unkeyed_lane_;  // Ordering::partition: every record; Ordering::key: records without key
  std::map<std::int64_t, PendingDeadLetter> dead_letters_;
  std::size_t failed_writes_ = 0;  // dead letters whose last write failed
  OffsetTracker offsets_;
  std::size_t bytes_ = 0;  // keys and values of the records held
  std::uint64_t finished_ = 0;
  std::uint64_t skipped_ = 0;
  std::size_t in_flight_ = 0;
  std::uint64_t next_id_ = 1;  // attempt ids when no gate hands them out
  bool gated_ = false;
};

}  // namespace pipeline
