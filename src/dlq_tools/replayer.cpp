#include "dlq_tools/replayer.h"

#include <spdlog/spdlog.h>

#include <iostream>
#include <string_view>

#include "dlq/render_json.h"
#include "dlq/render_text.h"
#include "kafka/admin.h"
#include "kafka/error.h"
#include "util/duration.h"
#include "util/printable.h"
#include "util/stop_signal.h"
#include "util/time_left.h"
#include "util/wall_clock.h"

namespace dlq_tools {
namespace {

using std::chrono::milliseconds;

constexpr auto kPollWait = milliseconds(100);
constexpr auto kMaxTransactionAge = milliseconds(1000);
constexpr auto kClientTimeout = milliseconds(30'000);
constexpr auto kInitSlice = milliseconds(500);

std::string where(const dlq::DlqRecord& r) {
  return r.raw.topic + "[" + std::to_string(r.raw.partition) + "]@" + std::to_string(r.raw.offset);
}

std::string destination(const dlq::OutgoingRecord& out) {
  return out.partition ? out.topic + "[" + std::to_string(*out.partition) + "]" : out.topic;
}

std::string_view view(const std::optional<std::string>& s) {
  return s ? std::string_view(*s) : std::string_view();  // null data: a null key/value
}

}  // namespace

Replayer::Replayer(const ReplayOptions& options, dlq::ReplayOptions plan, DlqSourceOptions source,
                   kafka::Properties producer_props)
    : options_(options),
      plan_(std::move(plan)),
      source_options_(std::move(source)),
      producer_props_(std::move(producer_props)) {
  info_.dlq_topic = options.common.topic;
  info_.group = options.group;
  info_.dry_run = options.dry_run;
  framed_ = std::make_unique<registry::FramedReader>(options.common.registry);
}

void Replayer::run() {
  if (!options_.dry_run) start_producer();
  source_ = std::make_unique<DlqSource>(source_options_);
  if (!options_.dry_run) group_ = source_->consumer().group_metadata();
  spdlog::info("{}replaying from {} (group {}): up to {} record(s) to look at",
               options_.dry_run ? "dry run: " : "", options_.common.topic, options_.group,
               source_->backlog());
  loop();
  commit();
}

void Replayer::start_producer() {
  producer_ =
      std::make_unique<kafka::Producer>(producer_props_, [this](const kafka::DeliveryReport& r) {
        if (!r.ok() && delivery_errors_.size() < 10) {
          delivery_errors_.push_back(std::string(r.topic) + ": " + std::string(r.reason));
        }
      });
  const std::string bootstrap =
      producer_props_.get_or("bootstrap.servers", kafka::kDefaultBootstrap);
  kafka::check_connectivity(*producer_, bootstrap, kClientTimeout, &producer_->events(),
                            [] { return util::stop_requested(); });
  // Also aborts whatever a previous run with this transactional.id left open.
  if (auto e = kafka::init_transactions(*producer_, kClientTimeout, kInitSlice)) {
    throw kafka::KafkaException(
        kafka::Error::from_code(e.code, "cannot initialize transactions: " + e.message));
  }
  txn_ = std::make_unique<kafka::Transaction>(*producer_, util::stop_bounded);
}

void Replayer::loop() {
  const auto started = Clock::now();
  std::uint64_t n = 0;
  while (true) {
    if (util::stop_requested()) {
      info_.interrupted = true;
      return;
    }
    if (source_->finished()) return;
    if (txn_open() &&
        (pending_handled_ >= options_.batch || Clock::now() - txn_started_ >= kMaxTransactionAge)) {
      if (!commit()) return;
    }
    auto raw = source_->poll(kPollWait);
    if (!raw) continue;
    const auto record = dlq::to_dlq_record(std::move(*raw), &framed_->reader());
    auto decision = dlq::plan_replay(record, plan_, util::wall_ms());
    if (decision.verdict == dlq::Verdict::replay && !check_target(record, decision)) return;
    if (decision.verdict == dlq::Verdict::unreplayable) {
      report_.count(record, decision);  // a problem: the run stops before this record
      return;
    }
    if (decision.verdict == dlq::Verdict::replay) {
      if (options_.rate > 0 && !pace(started)) return;
      ++n;
      if (!options_.dry_run && !ensure_transaction()) return;
      if (options_.dry_run) {
        show_planned(record, decision.record, n);
      } else if (!send(record, decision.record)) {
        return;
      }
      ++replayed_;
    } else if (decision.verdict == dlq::Verdict::refused) {
      spdlog::warn("refused {}: {}", where(record), decision.reason);
    }
    if (options_.dry_run) {
      report_.count(record, decision);
    } else {
      if (!ensure_transaction()) return;
      pending_.count(record, decision);
      pending_offsets_[record.raw.partition] = record.raw.offset + 1;
      ++pending_handled_;
    }
    if (options_.limit && replayed_ >= *options_.limit) {
      info_.limit_reached = true;
      return;
    }
  }
}

bool Replayer::pace(Clock::time_point started) {
  // Saturating: a tiny --rate (1e-300/s) must not overflow the clock arithmetic.
  const auto due = started + std::chrono::duration_cast<Clock::duration>(util::from_seconds(
                                 static_cast<double>(replayed_) / options_.rate));
  // A long pause must not outlive the transaction timeout: commit what is done first.
  if (due - Clock::now() > kMaxTransactionAge && !commit()) return false;
  if (due > Clock::now() && util::wait_for_stop(util::ms_left(due, Clock::now()))) {
    info_.interrupted = true;
    return false;
  }
  source_->touch();
  return true;
}

// The target topic must exist (the broker might otherwise auto-create it with defaults), and a
// record going back to its original partition must name one the topic has. False: the target
// does not exist, a problem that stops the run.
bool Replayer::check_target(const dlq::DlqRecord& record, dlq::ReplayDecision& decision) {
  dlq::OutgoingRecord& out = decision.record;
  auto it = partitions_.find(out.topic);
  if (it == partitions_.end()) {
    const kafka::ClientRef handle =
        producer_ ? kafka::ClientRef(*producer_) : kafka::ClientRef(source_->consumer());
    it = partitions_.emplace(out.topic, kafka::partition_count(handle, out.topic, kClientTimeout))
             .first;
  }
  if (!it->second) {
    report_.problems.push_back(where(record) + ": target topic '" + out.topic +
                               "' does not exist (create it, or choose another with --to)");
    return false;
  }
  if (out.partition) {
    if (auto why = dlq::partition_refusal(*out.partition, *it->second, out.topic)) {
      dlq::refuse_target(decision, std::move(*why), plan_);
    }
  }
  return true;
}

void Replayer::show_planned(const dlq::DlqRecord& record, const dlq::OutgoingRecord& out,
                            std::uint64_t n) {
  const auto now = util::wall_ms();
  if (options_.common.json) {
    auto j = dlq::record_json(record, n, now);
    j["replay_to"] = {{"topic", out.topic},
                      {"partition", out.partition ? nlohmann::json(*out.partition) : nullptr}};
    std::cout << dlq::dump_line(j) << '\n';
  } else {
    std::cout << dlq::render_record_text(record, n, now) << " -> would replay to "
              << util::printable(destination(out)) << '\n';
  }
}

// Every handled record belongs to the open transaction, passed-over ones too: their offsets
// commit with it.
bool Replayer::ensure_transaction() {
  if (txn_open()) return true;
  if (auto e = txn_->begin()) {
    report_.problems.push_back("cannot begin a transaction: " + e.message);
    return false;
  }
  txn_started_ = Clock::now();
  return true;
}

bool Replayer::send(const dlq::DlqRecord& record, const dlq::OutgoingRecord& out) {
  std::vector<kafka::Header> headers;
  headers.reserve(out.headers.size());
  for (const auto& [k, v] : out.headers) headers.push_back({k, v});
  auto e = producer_->produce(out.topic, view(out.key), view(out.value), headers,
                              out.partition.value_or(kafka::kPartitionUnassigned));
  if (e) {
    report_.problems.push_back(where(record) + ": cannot send to " + destination(out) + ": " +
                               e.message);
    abort("send failed");
    return false;
  }
  spdlog::debug("replaying {} -> {}", where(record), destination(out));
  producer_->poll(milliseconds(0));
  return true;
}

// Commits the open transaction, if any. Returns false when the batch had to be aborted: its
// records count as not replayed and the run stops.
bool Replayer::commit() {
  if (!txn_open()) return true;
  std::vector<kafka::TopicPartitionOffset> offsets;
  for (const auto& [p, next] : pending_offsets_)
    offsets.push_back({options_.common.topic, p, next});
  const kafka::Error e = txn_->commit(offsets, group_ ? &group_ : nullptr,
                                      Clock::now() + util::stop_bounded(kClientTimeout));
  if (e) {
    std::string why = e.message;
    if (!delivery_errors_.empty()) why += " (delivery: " + delivery_errors_.front() + ")";
    report_.problems.push_back("batch of " + std::to_string(pending_handled_) +
                               " DLQ record(s) not replayed, rerun to retry: " + why);
    abort(why);
    return false;
  }
  spdlog::info("committed a batch: {} replayed, {} passed over", pending_.replayed,
               pending_.not_selected + pending_.refused);
  report_.merge(pending_);
  clear_pending();
  return true;
}

void Replayer::abort(const std::string& why) {
  if (txn_open()) {
    if (auto e = txn_->abort(Clock::now() + util::stop_bounded(kClientTimeout))) {
      spdlog::error("abort after '{}' failed: {}", why, e.message);
    }
  }
  replayed_ -= pending_.replayed;
  clear_pending();
}

void Replayer::clear_pending() {
  pending_ = {};
  pending_offsets_.clear();
  pending_handled_ = 0;
  delivery_errors_.clear();
}

}  // namespace dlq_tools
