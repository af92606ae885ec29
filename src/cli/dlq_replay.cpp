// `orders dlq replay`: re-publish selected DLQ records, exactly once per replay group.
//
// Each batch of handled DLQ records is one Kafka transaction: the re-published records and the
// replay group's new DLQ offsets commit together or not at all. An interrupted or crashed run
// leaves an aborted (invisible to read_committed readers) or committed batch, never half of one,
// and the next run with the same group starts right after the last committed batch. The
// transactional.id is derived from the group, so a new run also fences off a stuck old one.
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "cli/dlq_flags.h"
#include "cli/dlq_source.h"
#include "cli/exit_status.h"
#include "dlq/dlq_record.h"
#include "dlq/render_json.h"
#include "dlq/render_text.h"
#include "dlq/replay_plan.h"
#include "dlq/replay_report.h"
#include "kafka/admin.h"
#include "kafka/error.h"
#include "kafka/producer.h"
#include "kafka/transaction.h"
#include "util/errors.h"
#include "util/stop_signal.h"
#include "util/wall_clock.h"

namespace cli {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr auto kPollWait = milliseconds(100);
constexpr auto kMaxTransactionAge = milliseconds(1000);
constexpr auto kClientTimeout = milliseconds(30'000);

std::string where(const dlq::DlqRecord& r) {
  return r.raw.topic + "[" + std::to_string(r.raw.partition) + "]@" + std::to_string(r.raw.offset);
}

std::string destination(const dlq::OutgoingRecord& out) {
  return out.partition ? out.topic + "[" + std::to_string(*out.partition) + "]" : out.topic;
}

std::string_view view(const std::optional<std::string>& s) {
  return s ? std::string_view(*s) : std::string_view();  // null data: a null key/value
}

class Replayer {
 public:
  Replayer(const DlqReplayFlags& flags, dlq::ReplayOptions options, DlqSourceOptions source,
           kafka::Properties producer_props)
      : flags_(flags),
        options_(std::move(options)),
        source_options_(std::move(source)),
        producer_props_(std::move(producer_props)) {
    info_.dlq_topic = flags.common.topic;
    info_.group = flags.group;
    info_.dry_run = flags.dry_run;
  }

  // Throws KafkaException/ConfigError when the clients cannot be set up.
  void run() {
    if (!flags_.dry_run) start_producer();
    source_ = std::make_unique<DlqSource>(source_options_);
    if (!flags_.dry_run) group_ = source_->consumer().group_metadata();
    spdlog::info("{}replaying from {} (group {}): up to {} record(s) to look at",
                 flags_.dry_run ? "dry run: " : "", flags_.common.topic, flags_.group,
                 source_->backlog());
    loop();
    commit();
  }

  const dlq::ReplayReport& report() const { return report_; }
  const dlq::ReplayRunInfo& info() const { return info_; }

 private:
  void start_producer() {
    producer_ =
        std::make_unique<kafka::Producer>(producer_props_, [this](const kafka::DeliveryReport& r) {
          if (!r.ok() && delivery_errors_.size() < 10) {
            delivery_errors_.push_back(std::string(r.topic) + ": " + std::string(r.reason));
          }
        });
    const std::string bootstrap =
        producer_props_.get_or("bootstrap.servers", kafka::kDefaultBootstrap);
    kafka::check_connectivity(producer_->raw(), bootstrap, kClientTimeout, &producer_->events(),
                              [] { return util::stop_requested(); });
    // Also aborts whatever a previous run with this transactional.id left open.
    if (auto e = producer_->init_transactions(kClientTimeout)) {
      throw kafka::KafkaException(
          kafka::Error::from_code(e.code, "cannot initialize transactions: " + e.message));
    }
    txn_ = std::make_unique<kafka::Transaction>(*producer_);
  }

  void loop() {
    const auto started = Clock::now();
    std::uint64_t n = 0;
    while (true) {
      if (util::stop_requested()) {
        info_.interrupted = true;
        return;
      }
      if (source_->finished()) return;
      if (txn_open() &&
          (pending_handled_ >= flags_.batch || Clock::now() - txn_started_ >= kMaxTransactionAge)) {
        if (!commit()) return;
      }
      auto raw = source_->poll(kPollWait);
      if (!raw) continue;
      const auto record = dlq::to_dlq_record(std::move(*raw));
      auto decision = dlq::plan_replay(record, options_, util::wall_ms());
      if (decision.verdict == dlq::Verdict::unreplayable) {
        report_.count(record, decision);  // a problem: the run stops before this record
        return;
      }
      if (decision.verdict == dlq::Verdict::replay) {
        if (!check_target(record, decision.record)) return;
        if (flags_.rate > 0) {
          const auto due =
              started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                            static_cast<double>(replayed_) / flags_.rate));
          // A long pause must not outlive the transaction timeout: commit what is done first.
          if (due - Clock::now() > kMaxTransactionAge && !commit()) return;
          if (due > Clock::now() &&
              util::wait_for_stop(std::chrono::duration_cast<milliseconds>(due - Clock::now()))) {
            info_.interrupted = true;
            return;
          }
          source_->touch();
        }
        ++n;
        if (!flags_.dry_run && !ensure_transaction()) return;
        if (flags_.dry_run) {
          show_planned(record, decision.record, n);
        } else if (!send(record, decision.record)) {
          return;
        }
        ++replayed_;
      } else if (decision.verdict == dlq::Verdict::refused) {
        spdlog::debug("refused {}: {}", where(record), decision.reason);
      }
      if (flags_.dry_run) {
        report_.count(record, decision);
      } else {
        if (!ensure_transaction()) return;
        pending_.count(record, decision);
        pending_offsets_[record.raw.partition] = record.raw.offset + 1;
        ++pending_handled_;
      }
      if (flags_.limit && replayed_ >= *flags_.limit) {
        info_.limit_reached = true;
        return;
      }
    }
  }

  // The target topic must exist (the broker might otherwise auto-create it with defaults); a
  // record's original partition is kept only if the target has it.
  bool check_target(const dlq::DlqRecord& record, dlq::OutgoingRecord& out) {
    auto it = partitions_.find(out.topic);
    if (it == partitions_.end()) {
      auto& handle = producer_ ? static_cast<RdKafka::Handle&>(producer_->raw())
                               : static_cast<RdKafka::Handle&>(source_->consumer().raw());
      it = partitions_.emplace(out.topic, kafka::partition_count(handle, out.topic, kClientTimeout))
               .first;
    }
    if (!it->second) {
      report_.problems.push_back(where(record) + ": target topic '" + out.topic +
                                 "' does not exist (create it, or choose another with --to)");
      return false;
    }
    if (out.partition && *out.partition >= *it->second) out.partition.reset();
    return true;
  }

  void show_planned(const dlq::DlqRecord& record, const dlq::OutgoingRecord& out, std::uint64_t n) {
    const auto now = util::wall_ms();
    if (flags_.common.json) {
      auto j = dlq::record_json(record, n, now);
      j["replay_to"] = {{"topic", out.topic},
                        {"partition", out.partition ? nlohmann::json(*out.partition) : nullptr}};
      std::cout << dlq::dump_line(j) << '\n';
    } else {
      std::cout << dlq::render_record_text(record, n, now) << " -> would replay to "
                << destination(out) << '\n';
    }
  }

  // Every handled record belongs to the open transaction, passed-over ones too: their offsets
  // commit with it.
  bool ensure_transaction() {
    if (txn_open()) return true;
    if (auto e = txn_->begin()) {
      report_.problems.push_back("cannot begin a transaction: " + e.message);
      return false;
    }
    txn_started_ = Clock::now();
    return true;
  }

  bool send(const dlq::DlqRecord& record, const dlq::OutgoingRecord& out) {
    std::vector<kafka::Header> headers;
    headers.reserve(out.headers.size());
    for (const auto& [k, v] : out.headers) headers.push_back({k, v});
    auto e = producer_->produce(out.topic, view(out.key), view(out.value), headers,
                                out.partition.value_or(RdKafka::Topic::PARTITION_UA));
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

  // Commits the open transaction, if any. Returns false when the batch had
  // to be aborted: its records count as not replayed and the run stops.
  bool commit() {
    if (!txn_open()) return true;
    std::vector<kafka::TopicPartitionOffset> offsets;
    for (const auto& [p, next] : pending_offsets_)
      offsets.push_back({flags_.common.topic, p, next});
    const kafka::Error e = txn_->commit(offsets, group_.get(), Clock::now() + kClientTimeout);
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

  void abort(const std::string& why) {
    if (txn_open()) {
      if (auto e = txn_->abort(Clock::now() + kClientTimeout)) {
        spdlog::error("abort after '{}' failed: {}", why, e.message);
      }
    }
    replayed_ -= pending_.replayed;
    clear_pending();
  }

  bool txn_open() const { return txn_ && txn_->open(); }

  void clear_pending() {
    pending_ = {};
    pending_offsets_.clear();
    pending_handled_ = 0;
    delivery_errors_.clear();
  }

  const DlqReplayFlags& flags_;
  const dlq::ReplayOptions options_;
  const DlqSourceOptions source_options_;
  const kafka::Properties producer_props_;

  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Transaction> txn_;  // after producer_: it refers to it
  std::unique_ptr<DlqSource> source_;
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> group_;
  std::map<std::string, std::optional<int>> partitions_;

  dlq::ReplayReport report_;   // committed batches only
  dlq::ReplayReport pending_;  // the open transaction
  std::map<std::int32_t, std::int64_t> pending_offsets_;
  std::uint32_t pending_handled_ = 0;
  std::uint64_t replayed_ = 0;  // committed + pending, for --limit and --rate
  Clock::time_point txn_started_;
  std::vector<std::string> delivery_errors_;
  dlq::ReplayRunInfo info_;
};

}  // namespace

int run_dlq_replay(const DlqReplayFlags& f) {
  use_dlq_logger(f.common);
  dlq::ReplayOptions options;
  DlqSourceOptions source;
  kafka::Properties producer_props;
  as_usage([&] {
    options.filter = build_filter(f.common, util::wall_ms());
    options.to = f.to;
    options.force = f.force;
    dlq::check_replay_options(options);
  });
  if (f.to && *f.to == f.common.topic) {
    throw util::UsageError("--to must not be the dead-letter topic being read");
  }
  source.consumer_props = resolve_kafka_properties(f.common.kafka, kafka::consumer_defaults());
  producer_props = resolve_kafka_properties(f.common.kafka, kafka::producer_defaults());
  source.topic = f.common.topic;
  source.use_group = true;
  source.consumer_props.set("group.id", f.group);
  source.consumer_props.set("client.id", "orders-dlq-replay");
  producer_props.set("transactional.id",
                     f.transactional_id.value_or("orders-dlq-replay." + f.group));
  producer_props.set("client.id", "orders-dlq-replay");

  util::install_stop_handlers();
  Replayer replayer(f, std::move(options), std::move(source), std::move(producer_props));
  replayer.run();
  const auto& report = replayer.report();
  if (f.common.json) {
    std::cout << dlq::dump_line(dlq::replay_json(report, replayer.info())) << '\n';
  } else {
    std::cout << dlq::render_replay_text(report, replayer.info());
  }
  std::cout.flush();
  for (const auto& p : report.problems) spdlog::error("not replayed: {}", p);
  return report.ok() ? 0 : 1;
}

}  // namespace cli
