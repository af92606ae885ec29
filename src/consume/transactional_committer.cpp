// Exactly-once: a Kafka transaction per batch; abort and rewind on abortable errors.
#include "consume/transactional_committer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "kafka/error.h"
#include "util/stop_signal.h"

namespace consume::detail {
namespace {

using kafka::Error;
using namespace std::chrono_literals;

constexpr auto kInitTransactions = 30s;
constexpr auto kAbortTimeout = 30s;
constexpr auto kInitSlice = 500ms;  // a stop request is noticed between slices

std::chrono::milliseconds transaction_timeout(const ConsumeOptions& opt) {
  try {
    return std::chrono::milliseconds(
        std::stoll(opt.producer_props.get_or("transaction.timeout.ms", "30000")));
  } catch (const std::exception&) {
    return 30s;  // librdkafka refuses the value when the producer is created
  }
}

}  // namespace

TransactionalCommitter::TransactionalCommitter(CommitHost& host)
    : host_(host),
      recovery_(pipeline::ProducerRecoveryLimits{}, transaction_timeout(host.options())) {}

void TransactionalCommitter::configure_producer(kafka::Properties& props) const {
  props.set("transactional.id", transactional_id());
  // A transaction left open by a crashed process holds back read_committed readers until the
  // coordinator aborts it (or a process with the same transactional.id starts).
  if (!props.find("transaction.timeout.ms")) props.set("transaction.timeout.ms", "30000");
  // Back-to-back transactions meet CONCURRENT_TRANSACTIONS while the previous one's markers
  // are written; librdkafka retries after retry.backoff.ms (100 ms by default), the Java
  // client after 20 ms for this case. 100 ms stalls cost up to a third of the throughput.
  if (!props.find("retry.backoff.ms")) props.set("retry.backoff.ms", "20");
  const auto txn_timeout = std::stoll(props.get_or("transaction.timeout.ms", "30000"));
  if (std::stoll(props.get_or("message.timeout.ms", "300000")) > txn_timeout) {
    props.set("message.timeout.ms", std::to_string(txn_timeout));
  }
}

void TransactionalCommitter::start() {
  // Fences an older process with the same transactional.id and aborts its open transaction.
  if (Error e = kafka::init_transactions(host_.producer(), kInitTransactions, kInitSlice)) {
    throw kafka::KafkaException(Error{e.code,
                                      "cannot initialize transactions (transactional.id '" +
                                          transactional_id() + "'): " + e.message,
                                      e.fatal, e.retriable, e.txn_requires_abort});
  }
  txn_ = std::make_unique<kafka::Transaction>(host_.producer(), util::stop_bounded);
}

const std::string& TransactionalCommitter::transactional_id() const {
  return host_.options().transactional_id;
}

std::string TransactionalCommitter::status() const {
  return fmt::format(", transaction {}", open() ? "open" : "none");
}

void TransactionalCommitter::add_pending_to(stats::ConsumerMetrics& m) const {
  for (const auto& [p, t] : staged_) t.add_to(m);
}

void TransactionalCommitter::forget(std::int32_t partition) {
  failed_dead_letters_.forget(partition);
  staged_.erase(partition);
}

bool TransactionalCommitter::begin() {
  if (!txn_) return false;  // the producer is being replaced
  const bool was_open = txn_->open();
  Error e = txn_->begin();
  if (!e) {
    if (!was_open) txn_began_ = Clock::now();
    return true;
  }
  if (kafka::ends_producer(e)) {
    host_.producer_failed("begin_transaction", e);
  } else {
    doomed_ = "cannot begin a transaction: " + e.message;
  }
  return false;
}

bool TransactionalCommitter::before_dead_letter(PartitionState& ps, std::int32_t partition,
                                                std::int64_t offset) {
  // A dead letter whose write failed in an aborted transaction waits out the resend delay
  // before it is offered again, like a failed write in at-least-once mode.
  if (auto held = failed_dead_letters_.hold(
          partition, offset, host_.options().pipeline.dead_letter_resend_delay, Clock::now())) {
    ps.pipeline->dead_letter_failed(offset, held->error, held->failed_at);
    return false;
  }
  if (!begin()) {
    ps.pipeline->dead_letter_failed(offset, "no transaction", Clock::now());
    return false;
  }
  return true;
}

void TransactionalCommitter::dead_letter_failed(std::int32_t partition, std::int64_t offset,
                                                const std::string& error) {
  // The transaction cannot commit now; remember the failure across the rewind.
  doomed_ = "dead letter not written: " + error;
  failed_dead_letters_.failed(partition, offset, error, Clock::now());
}

void TransactionalCommitter::on_checkpoint_report(const kafka::DeliveryReport& report) {
  // The transaction's outcome is what counts; a failed write makes it abortable anyway.
  if (!report.ok() && open() && doomed_.empty()) {
    doomed_ = "checkpoint not written: " + std::string(report.reason);
  }
}

void TransactionalCommitter::reports_served() {
  if (!doomed_.empty()) abort_and_rewind(doomed_, nullptr);
}

void TransactionalCommitter::partitions_lost(const std::set<int>& lost) {
  if (open()) abort_and_rewind("partition assignment lost", &lost);
}

bool TransactionalCommitter::commit_batch(const std::set<int>*, std::chrono::milliseconds budget,
                                          bool) {
  if (host_.core().run().cannot_commit() || !txn_) return false;
  const auto started = Clock::now();
  // Every dead letter of the batch must be acknowledged before its offset is committed; one
  // still in flight would be committed in the DLQ while its source record is read again.
  const bool acknowledged = await_reports(
      host_.producer(), budget, [this] { return host_.dead_letters_in_flight() > 0; },
      [this] { return !doomed_.empty(); });
  if (!acknowledged && doomed_.empty()) doomed_ = "dead letters not acknowledged in time";
  if (!doomed_.empty()) {
    abort_and_rewind(doomed_, nullptr);
    return false;
  }
  // Every partition, also on a revoke of some: the open transaction may hold any partition's
  // dead letters, and their offsets must commit with them.
  auto items = due_checkpoints();
  if (items.empty() && !open()) {
    host_.core().schedule().committed();
    return true;
  }
  if (!begin()) {
    if (!host_.core().run().cannot_commit()) abort_and_rewind(doomed_, nullptr);
    return false;
  }
  if (!write_checkpoints(items)) return false;
  const auto committing = Clock::now();
  if (!commit(items, started + budget)) return false;
  committed(items, started, committing);
  return true;
}

std::vector<TransactionalCommitter::Item> TransactionalCommitter::due_checkpoints() const {
  const Partitions& partitions = host_.core().partitions();
  const auto plan = pipeline::plan_commit(candidates(
      partitions, nullptr,
      [](auto, const PartitionState& ps) { return ps.pipeline->commit_offset(); },
      [](auto, const PartitionState& ps) { return ps.durable_offset; },
      [](auto, const PartitionState& ps) { return ps.durable_progress; }));
  std::vector<Item> items;
  for (const auto& c : plan) {
    const auto& ps = partitions.at(c.partition);
    items.push_back(
        {checkpoint_at(host_.options(), c.partition, c.offset, ps), ps.pipeline->progress()});
  }
  return items;
}

bool TransactionalCommitter::write_checkpoints(const std::vector<Item>& items) {
  for (const auto& item : items) {
    if (Error e = produce_checkpoint(host_, item.checkpoint)) {
      if (e.fatal) {
        host_.producer_failed("writing a checkpoint", e);
      } else {
        abort_and_rewind("checkpoint not written: " + e.message, nullptr);
      }
      return false;
    }
  }
  return true;
}

bool TransactionalCommitter::commit(const std::vector<Item>& items, TimePoint deadline) {
  std::vector<kafka::TopicPartitionOffset> offsets;
  for (const auto& item : items) {
    offsets.push_back({host_.options().topic, item.checkpoint.partition, item.checkpoint.offset});
  }
  kafka::GroupMetadata group;
  if (!offsets.empty()) group = host_.consumer().group_metadata();
  Error e = txn_->commit(offsets, group ? &group : nullptr, deadline);
  if (!e) {
    txn_began_.reset();
    return true;
  }
  if (kafka::ends_producer(e)) {
    host_.producer_failed(txn_->failed_step(), e);
    return false;
  }
  // A deleted aggregates topic shows only as a commit that times out (librdkafka keeps the
  // checkpoints queued); the run then ends without the abort, which would time out as well.
  if (!items.empty()) host_.check_aggregates_topic(e.code);
  if (host_.core().run().cannot_commit()) return false;
  if (txn_->outcome_unknown()) {
    // The coordinator may still commit it (a broker that was frozen answers later), so the
    // partitions must not rewind to what this process last saw committed: a new producer
    // (its init_transactions settles the transaction either way) and a restore from the
    // broker instead. librdkafka 2.0 also refuses or blocks an abort after a timed-out commit.
    host_.producer_failed("commit_transaction", Error{e.code, "outcome unknown: " + e.message,
                                                      e.fatal, e.retriable, e.txn_requires_abort});
    return false;
  }
  abort_and_rewind(fmt::format("{} failed: {}", txn_->failed_step(), e.message), nullptr);
  return false;
}

void TransactionalCommitter::committed(std::vector<Item>& items, TimePoint started,
                                       TimePoint committing) {
  auto& metrics = host_.metrics();
  ++metrics.transactions_committed;
  metrics.checkpoints_written += items.size();
  const auto now = Clock::now();
  for (auto& [c, progress] : items) {
    PartitionState& ps = host_.core().partitions().at(c.partition);
    ps.made_durable(c.offset, std::move(c.aggregate), std::move(c.finished), progress);
    host_.core().commit_covered(ps, now);
  }
  add_pending_to(metrics);
  staged_.clear();
  host_.core().schedule().committed();
  if (!items.empty()) host_.core().committed_at(now);
  spdlog::debug("Transaction committed: {} checkpoint(s), {} ms ({} ms in commit_transaction)",
                items.size(),
                std::chrono::duration_cast<std::chrono::milliseconds>(now - started).count(),
                std::chrono::duration_cast<std::chrono::milliseconds>(now - committing).count());
}

void TransactionalCommitter::abort_and_rewind(const std::string& reason,
                                              const std::set<int>* skip) {
  if (!txn_) return;  // the producer is being replaced
  spdlog::warn("Aborting the transaction ({}); rewinding to the last committed checkpoints",
               reason);
  // Reports served from here on (aborting purges the batch's messages and serves their
  // reports) belong to the aborted batch.
  host_.core().renew_epochs();
  if (Error e = txn_->abort(Clock::now() + util::stop_bounded(kAbortTimeout))) {
    host_.producer_failed("abort_transaction", e);
    return;
  }
  doomed_.clear();
  txn_began_.reset();
  ++host_.metrics().transactions_aborted;
  host_.rewind_all(skip);
  host_.core().schedule().failed(Clock::now());
}

pipeline::RecoveryDecision TransactionalCommitter::on_producer_failure(const Error& e) {
  return recovery_.on_failure(
      {.fenced = kafka::producer_fenced(e), .transaction_began = txn_began_}, Clock::now());
}

Error TransactionalCommitter::producer_replaced() {
  // The old producer's transaction is rolled back: its work is not counted and is redone.
  if (open() || txn_began_) ++host_.metrics().transactions_aborted;
  txn_.reset();
  txn_began_.reset();
  doomed_.clear();
  staged_.clear();
  host_.core().schedule().failed(Clock::now());
  if (Error e = kafka::init_transactions(host_.producer(), kInitTransactions, kInitSlice,
                                         [] { return util::stop_requested(); })) {
    return e;
  }
  txn_ = std::make_unique<kafka::Transaction>(host_.producer(), util::stop_bounded);
  return {};
}

}  // namespace consume::detail
