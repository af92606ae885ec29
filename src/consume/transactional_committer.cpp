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
      policy_(pipeline::ProducerRecoveryLimits{}, transaction_timeout(host.options())) {}

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

namespace {

pipeline::TxnStepError step_error(const Error& e, std::string step_name = {}) {
  return {e.message, kafka::ends_producer(e), false, std::move(step_name)};
}

}  // namespace

Followup TransactionalCommitter::react(const pipeline::TxnReaction& r, const Error& e) {
  using Kind = pipeline::TxnReaction::Kind;
  if (r.kind == Kind::abort) return abort(r.reason, nullptr);
  if (r.kind == Kind::producer_failed) {
    return producer_failure(r.reason,
                            Error{e.code, r.message, e.fatal, e.retriable, e.txn_requires_abort});
  }
  return Followup::failed();
}

Followup TransactionalCommitter::begin() {
  if (!txn_) return Followup::failed();  // the producer is being replaced
  const bool was_open = txn_->open();
  Error e = txn_->begin();
  if (!e) {
    policy_.begun(was_open, Clock::now());
    return {};
  }
  return react(policy_.failed(pipeline::TxnStep::begin, step_error(e)), e);
}

Followup TransactionalCommitter::before_dead_letter(PartitionState& ps, std::int32_t partition,
                                                    std::int64_t offset) {
  // A dead letter whose write failed in an aborted transaction waits out the resend delay
  // before it is offered again, like a failed write in at-least-once mode.
  if (auto held = failed_dead_letters_.hold(
          partition, offset, host_.options().pipeline.dead_letter_resend_delay, Clock::now())) {
    ps.pipeline->dead_letter_failed(offset, held->error, held->failed_at);
    return Followup::failed();
  }
  Followup f = begin();
  if (!f.ok) ps.pipeline->dead_letter_failed(offset, "no transaction", Clock::now());
  return f;
}

void TransactionalCommitter::dead_letter_failed(std::int32_t partition, std::int64_t offset,
                                                const std::string& error) {
  // The transaction cannot commit now; remember the failure across the rewind.
  policy_.dead_letter_failed(error);
  failed_dead_letters_.failed(partition, offset, error, Clock::now());
}

void TransactionalCommitter::on_checkpoint_report(const kafka::DeliveryReport& report) {
  // The transaction's outcome is what counts; a failed write makes it abortable anyway.
  if (!report.ok()) policy_.checkpoint_report_failed(open(), std::string(report.reason));
}

Followup TransactionalCommitter::reports_served() {
  if (!policy_.doomed()) return {};
  return react(policy_.abort_due(), {});
}

Followup TransactionalCommitter::partitions_lost(const std::set<int>& lost) {
  if (!open()) return {};
  return abort("partition assignment lost", &lost);
}

Followup TransactionalCommitter::commit_batch(const std::set<int>*,
                                              std::chrono::milliseconds budget, bool) {
  if (host_.core().run().cannot_commit() || !txn_) return Followup::failed();
  const auto started = Clock::now();
  // Every dead letter of the batch must be acknowledged before its offset is committed; one
  // still in flight would be committed in the DLQ while its source record is read again.
  const bool acknowledged = await_reports(
      host_.producer(), budget, [this] { return host_.dead_letters_in_flight() > 0; },
      [this] { return policy_.doomed(); });
  policy_.dead_letters_acknowledged(acknowledged);
  if (policy_.doomed()) return react(policy_.abort_due(), {});
  // Every partition, also on a revoke of some: the open transaction may hold any partition's
  // dead letters, and their offsets must commit with them.
  auto items = due_checkpoints();
  if (items.empty() && !open()) {
    host_.core().schedule().committed();
    return {};
  }
  if (Followup f = begin(); !f.ok) {
    if (f.producer_failure || host_.core().run().cannot_commit()) return f;
    return react(policy_.abort_due(), {});
  }
  if (Followup f = write_checkpoints(items); !f.ok) return f;
  const auto committing = Clock::now();
  if (Followup f = commit(items, started + budget); !f.ok) return f;
  committed(items, started, committing);
  return {};
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

Followup TransactionalCommitter::write_checkpoints(const std::vector<Item>& items) {
  for (const auto& item : items) {
    if (Error e = produce_checkpoint(host_, item.checkpoint)) {
      pipeline::TxnStepError err{e.message, e.fatal, false, {}};
      return react(policy_.failed(pipeline::TxnStep::write_checkpoint, err), e);
    }
  }
  return {};
}

Followup TransactionalCommitter::commit(const std::vector<Item>& items, TimePoint deadline) {
  std::vector<kafka::TopicPartitionOffset> offsets;
  for (const auto& item : items) {
    offsets.push_back({host_.options().topic, item.checkpoint.partition, item.checkpoint.offset});
  }
  kafka::GroupMetadata group;
  if (!offsets.empty()) group = host_.consumer().group_metadata();
  Error e = txn_->commit(offsets, group ? &group : nullptr, deadline);
  if (!e) {
    policy_.ended();
    return {};
  }
  auto err = step_error(e, txn_->failed_step());
  if (!err.ends_producer) {
    // A deleted aggregates topic shows only as a commit that times out (librdkafka keeps the
    // checkpoints queued); the run then ends without the abort, which would time out as well.
    if (!items.empty()) host_.check_aggregates_topic(e.code);
    if (host_.core().run().cannot_commit()) return Followup::failed();
    err.outcome_unknown = txn_->outcome_unknown();
  }
  return react(policy_.failed(pipeline::TxnStep::commit, err), e);
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

Followup TransactionalCommitter::abort(const std::string& reason, const std::set<int>* keep) {
  if (!txn_) return Followup::failed();  // the producer is being replaced
  spdlog::warn("Aborting the transaction ({}); rewinding to the last committed checkpoints",
               reason);
  // Reports served from here on (aborting purges the batch's messages and serves their
  // reports) belong to the aborted batch.
  host_.core().renew_epochs();
  if (Error e = txn_->abort(Clock::now() + util::stop_bounded(kAbortTimeout))) {
    return react(policy_.failed(pipeline::TxnStep::abort, step_error(e)), e);
  }
  policy_.ended();
  ++host_.metrics().transactions_aborted;
  host_.core().schedule().failed(Clock::now());
  Followup f = Followup::failed();
  f.rewind = true;
  if (keep) f.keep = *keep;
  return f;
}

pipeline::RecoveryDecision TransactionalCommitter::on_producer_failure(const Error& e) {
  return policy_.producer_failure(kafka::producer_fenced(e), Clock::now());
}

Error TransactionalCommitter::producer_replaced() {
  // The old producer's transaction is rolled back: its work is not counted and is redone.
  if (open() || policy_.began()) ++host_.metrics().transactions_aborted;
  txn_.reset();
  policy_.ended();
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
