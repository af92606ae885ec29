#pragma once
// Internal to the consume loop: how a batch of finished work becomes durable, chosen once at
// startup by --semantics (make_committer):
// - TransactionalCommitter (exactly-once): one Kafka transaction per batch holding its dead
//   letters, the partitions' checkpoints and the consumed offsets;
// - CheckpointCommitter (at-least-once): checkpoints by an idempotent producer, offsets
//   committed only up to acknowledged checkpoints.
// The session calls it wherever the two differ. Single-threaded, like the session.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "consume/options.h"
#include "consume/partition_state.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "pipeline/checkpoint.h"
#include "pipeline/commit_plan.h"
#include "pipeline/commit_schedule.h"
#include "pipeline/producer_recovery.h"

namespace consume::detail {

// What the session does after a committer call. The committer carries out its own steps (the
// transaction's, the checkpoints') and never calls back into the session for these.
struct Followup {
  // commit_batch: the batch was committed; before_dead_letter: the dead letter may be written.
  bool ok = true;
  // The transaction was aborted: restart every running partition, except `keep`, at its durable
  // checkpoint.
  bool rewind = false;
  std::set<int> keep;
  // The producer failed for good in `step` (fenced, or a broken idempotent/transactional
  // state): the session replaces it (exactly-once, on_producer_failure) or ends the run.
  struct ProducerFailure {
    std::string step;
    kafka::Error error;
  };
  std::optional<ProducerFailure> producer_failure;

  static Followup failed() {
    Followup f;
    f.ok = false;
    return f;
  }
};

// What a committer uses of its session.
class CommitHost {
 public:
  virtual const ConsumeOptions& options() const = 0;
  // The partitions, the commit schedule, the run's lifecycle (nothing is committed while it
  // cannot_commit()), the epochs (pipeline/consumer_core.h).
  virtual pipeline::ConsumerCore& core() = 0;
  virtual stats::ConsumerMetrics& metrics() = 0;
  virtual kafka::Producer& producer() = 0;
  virtual kafka::Consumer& consumer() = 0;  // replaced when the stall watchdog restarts it
  virtual std::size_t dead_letters_in_flight() const = 0;
  // A checkpoint write failed with `code`: the session checks the aggregates topic still exists.
  virtual void check_aggregates_topic(kafka::ErrorCode code) = 0;

 protected:
  ~CommitHost() = default;
};

class Committer {
 public:
  virtual ~Committer() = default;

  // Before the producer is created: the settings it needs for this way of committing.
  virtual void configure_producer(kafka::Properties& props) const = 0;
  // Once the producer reaches a broker. Throws KafkaException.
  virtual void start() = 0;

  // Commits the finished work of `only` (all partitions when null). Not ok when the batch could
  // not be committed (aborted, or fatal). `blocking` (revoke, shutdown): waits for every
  // acknowledgement the commit depends on.
  [[nodiscard]] virtual Followup commit_batch(const std::set<int>* only,
                                              std::chrono::milliseconds budget, bool blocking) = 0;
  // Offsets committed apart from a batch (at-least-once: up to the acknowledged checkpoints;
  // `sync` waits for the result).
  virtual kafka::Error commit_offsets(const std::set<int>* only, bool sync) = 0;
  // Once per loop turn, after the producer's delivery reports were served.
  [[nodiscard]] virtual Followup reports_served() = 0;
  // `lost` were taken away without a chance to commit; their state is still there.
  [[nodiscard]] virtual Followup partitions_lost(const std::set<int>& lost) = 0;
  // A partition restored: the group's committed offset for it.
  virtual void restored(std::int32_t partition, std::int64_t committed) = 0;
  // A partition's pipeline (re)starts at its durable checkpoint.
  virtual void pipeline_started(std::int32_t partition) = 0;
  // A revoked partition's state is dropped.
  virtual void forget(std::int32_t partition) = 0;

  // Before a dead letter is written; not ok: not now (the pipeline has been told).
  [[nodiscard]] virtual Followup before_dead_letter(PartitionState& ps, std::int32_t partition,
                                                    std::int64_t offset) = 0;
  // A dead letter was not written (refused, or reported as failed).
  virtual void dead_letter_failed(std::int32_t partition, std::int64_t offset,
                                  const std::string& error) = 0;
  virtual void on_checkpoint_report(const kafka::DeliveryReport& report) = 0;
  virtual std::size_t checkpoints_in_flight() const = 0;

  // Where a partition's finished work is counted until it enters the metrics.
  virtual Tally& tally(std::int32_t partition) = 0;
  // For the periodic summary: work counted but not in the metrics yet.
  virtual void add_pending_to(stats::ConsumerMetrics& m) const = 0;
  // At exit: what counts of the work not in the metrics yet.
  virtual void settle(stats::ConsumerMetrics& m) = 0;

  // The producer failed for good: whether the session replaces it (the decision counts against
  // the recovery limits). Without transactions the run ends.
  virtual pipeline::RecoveryDecision on_producer_failure(const kafka::Error&) { return {}; }
  // A new producer replaced the failed one (whose open transaction is rolled back): prepares it.
  virtual kafka::Error producer_replaced() { return {}; }

  // Empty without transactions.
  virtual const std::string& transactional_id() const = 0;
  // For the periodic summary (", transaction open"); empty without transactions.
  virtual std::string status() const = 0;
};

std::unique_ptr<Committer> make_committer(Semantics semantics, CommitHost& host);

// For the implementations.

// Commit candidates of the running partitions (all when `only` is null); each function is
// called with a partition and its state. `covered_progress`: for checkpoints, the pipeline
// progress the step already covers (nullptr: the step is no checkpoint).
template <class Finished, class Covered, class CoveredProgress = std::nullptr_t>
std::vector<pipeline::CommitCandidate> candidates(const Partitions& partitions,
                                                  const std::set<int>* only, Finished finished,
                                                  Covered covered,
                                                  CoveredProgress covered_progress = nullptr) {
  std::vector<pipeline::CommitCandidate> out;
  for (const auto& [p, ps] : partitions) {
    if (ps.restoring() || (only && !only->count(p))) continue;
    pipeline::CommitCandidate c{p, finished(p, ps), covered(p, ps)};
    if constexpr (!std::is_null_pointer_v<CoveredProgress>) {
      c.progress = ps.pipeline->progress();
      c.covered_progress = covered_progress(p, ps);
    }
    out.push_back(c);
  }
  return out;
}

// The checkpoint of a running partition at `offset`: its pipeline's aggregate and finished set,
// and the newest anchor below `offset`.
pipeline::Checkpoint checkpoint_at(const ConsumeOptions& opt, std::int32_t partition,
                                   std::int64_t offset, const PartitionState& ps);
kafka::Error produce_checkpoint(CommitHost& host, const pipeline::Checkpoint& c);
// The producer failed for good in `step`.
Followup producer_failure(std::string step, kafka::Error e);
// Serves delivery reports until nothing is `pending`, `budget` has passed or `give_up` says so.
// True when nothing is pending.
bool await_reports(kafka::Producer& producer, std::chrono::milliseconds budget,
                   const std::function<bool()>& pending, const std::function<bool()>& give_up);

}  // namespace consume::detail
