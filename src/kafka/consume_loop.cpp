#include "kafka/consume_loop.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "kafka/admin.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "pipeline/dead_letter.h"
#include "pipeline/dead_letter_outbox.h"
#include "stats/latency_histogram.h"
#include "util/duration.h"
#include "util/stop_signal.h"

namespace kafka {
namespace {

using pipeline::Clock;
using pipeline::TimePoint;
using namespace std::chrono_literals;

constexpr int kPollBatch = 500;            // records taken per loop turn before deciding
constexpr auto kMaxPollWait = 100ms;       // bounds the reaction time to a stop request
constexpr auto kAdminTimeout = 15s;
constexpr auto kConnectTimeout = 10s;
constexpr auto kRevokeFlush = 5s;          // waiting for dead-letter acks before a revoke commit
constexpr auto kStopFlush = 1s;            // the same on Ctrl-C: stop within 2 s
constexpr auto kFinalFlush = 10s;          // the same on a scripted exit (--max-messages/--idle)
constexpr auto kJoinGrace = 15s;           // --idle-exit does not count before partitions arrive

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string order_text(const orders::Order& o) {
  std::string price = fmt::format("{}", o.price);
  // Like Python's repr of a float: "10.0", not "10".
  if (price.find_first_of(".enai") == std::string::npos) price += ".0";
  return fmt::format("{{'orderId': '{}', 'product': '{}', 'price': {}}}", o.order_id, o.product,
                     price);
}

pipeline::SourceRecord to_record(const RdKafka::Message& msg) {
  pipeline::SourceRecord r;
  r.topic = msg.topic_name();
  r.partition = msg.partition();
  r.offset = msg.offset();
  const auto ts = msg.timestamp();
  r.timestamp_ms =
      ts.type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE ? -1 : ts.timestamp;
  if (msg.key_pointer()) {
    r.key.emplace(static_cast<const char*>(msg.key_pointer()), msg.key_len());
  }
  if (msg.payload()) r.value.emplace(static_cast<const char*>(msg.payload()), msg.len());
  if (const RdKafka::Headers* headers = const_cast<RdKafka::Message&>(msg).headers()) {
    for (const auto& h : headers->get_all()) {
      const char* v = static_cast<const char*>(h.value());
      r.headers.emplace_back(h.key(), v ? std::string(v, h.value_size()) : std::string());
    }
  }
  return r;
}

class ConsumeSession {
 public:
  ConsumeSession(const ConsumeOptions& options, pipeline::OrderProcessor& processor)
      : opt_(options), processor_(processor) {
    for (auto c : {pipeline::ErrorClass::deserialization, pipeline::ErrorClass::validation,
                   pipeline::ErrorClass::processing}) {
      metrics_.dead_lettered_by_class[std::string(pipeline::to_string(c))] = 0;
    }
  }

  ConsumeResult run();

 private:
  struct PartitionState {
    std::unique_ptr<pipeline::PartitionPipeline> pipeline;
    std::uint64_t epoch = 0;
    bool paused = false;
    bool halt_reported = false;
    std::optional<std::int64_t> committed;
  };

  void start();
  void poll_once();
  void take(std::unique_ptr<RdKafka::Message> msg);
  void advance();
  void apply(std::int32_t partition, const pipeline::Decision& d, TimePoint decided_at);
  void write_dead_letter(PartitionState& ps, std::int32_t partition, std::int64_t offset);
  void on_delivery(const DeliveryReport& report);
  void update_pauses();
  std::vector<TopicPartitionOffset> commit_candidates(bool all, const std::set<int>* only);
  void commit_async_due();
  Error commit_sync(const std::set<int>* only);
  void on_assigned(const std::vector<TopicPartitionOffset>& parts);
  void on_revoked(const std::vector<TopicPartitionOffset>& parts, bool lost);
  void flush_dead_letters(std::chrono::milliseconds budget);
  // Records or dead letters still in progress. A halted partition (its DLQ write keeps failing)
  // makes no progress on its own; --idle-exit does not wait for it.
  bool busy(bool count_halted = true) const;
  bool idle_for(std::chrono::microseconds idle) const;
  bool ensure_dlq_topic();
  void log_summary();
  std::chrono::milliseconds poll_timeout(TimePoint now) const;
  void finish_metrics();

  const ConsumeOptions& opt_;
  pipeline::OrderProcessor& processor_;
  stats::ConsumerMetrics metrics_;
  stats::LatencyHistogram latency_;
  std::map<std::int32_t, PartitionState> partitions_;
  std::uint64_t next_epoch_ = 1;
  pipeline::DeadLetterOutbox outbox_;
  std::optional<int> dlq_partitions_;
  std::string problem_;
  bool fatal_ = false;
  std::set<int> reported_errors_;

  std::optional<TimePoint> first_consumed_;
  TimePoint last_finished_{};
  const TimePoint started_ = Clock::now();
  TimePoint last_activity_ = Clock::now();
  TimePoint next_commit_ = Clock::now();
  TimePoint next_summary_ = Clock::now();

  // Declared last: destroyed first, while the state their callbacks touch still exists.
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<Consumer> consumer_;
};

bool ConsumeSession::busy(bool count_halted) const {
  if (outbox_.in_flight() > 0) return true;
  for (const auto& [p, ps] : partitions_) {
    if (!count_halted && ps.pipeline->halted()) continue;
    if (ps.pipeline->queued() > 0 || ps.pipeline->dead_letters_in_flight() > 0) return true;
  }
  return false;
}

bool ConsumeSession::idle_for(std::chrono::microseconds idle) const {
  const auto now = Clock::now();
  if (busy(false) || now - last_activity_ < idle) return false;
  // Joining the group takes a moment; without partitions yet, allow for it before calling it idle.
  return !partitions_.empty() || now - started_ >= std::max<Clock::duration>(idle, kJoinGrace);
}

std::chrono::milliseconds ConsumeSession::poll_timeout(TimePoint now) const {
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(kMaxPollWait);
  for (const auto& [p, ps] : partitions_) {
    if (auto t = ps.pipeline->next_wakeup()) {
      auto until = std::chrono::ceil<std::chrono::milliseconds>(*t - now);
      wait = std::clamp(until, 0ms, wait);
    }
  }
  return wait;
}

bool ConsumeSession::ensure_dlq_topic() {
  if (dlq_partitions_) return true;
  try {
    auto source = partition_count(producer_->raw(), opt_.topic, kAdminTimeout);
    if (!source) {
      spdlog::warn("Topic '{}' does not exist (yet); waiting for it", opt_.topic);
      return false;
    }
    auto r = ensure_topic(producer_->raw(), TopicSpec{opt_.dlq_topic, *source, -1, {}},
                          kAdminTimeout);
    dlq_partitions_ = std::max(1, r.partitions);
    if (!r.created) {
      spdlog::debug("DLQ topic {} has {} partition(s)", opt_.dlq_topic, *dlq_partitions_);
    }
    return true;
  } catch (const std::exception& e) {
    spdlog::error("Cannot prepare DLQ topic '{}': {}", opt_.dlq_topic, e.what());
    return false;
  }
}

void ConsumeSession::start() {
  Properties pprops = opt_.producer_props;
  for (auto [k, v] : {std::pair{"acks", "all"}, std::pair{"enable.idempotence", "true"}}) {
    const std::string* cur = pprops.find(k);
    if (cur && *cur != v && !(std::string(k) == "acks" && (*cur == "-1"))) {
      spdlog::warn("DLQ producer: ignoring {}={} (dead letters need {}={})", k, *cur, k, v);
    }
    pprops.set(k, v);
  }
  producer_ = std::make_unique<Producer>(
      pprops, [this](const DeliveryReport& r) { on_delivery(r); });

  check_connectivity(producer_->raw(), opt_.bootstrap, kConnectTimeout, &producer_->events(),
                     [] { return util::stop_requested(); });

  Properties cprops = opt_.consumer_props;
  cprops.set("group.id", opt_.group);
  RebalanceHooks hooks;
  hooks.on_assigned = [this](const auto& parts) { on_assigned(parts); };
  hooks.on_revoked = [this](const auto& parts, bool lost) { on_revoked(parts, lost); };
  consumer_ = std::make_unique<Consumer>(cprops, std::move(hooks));
  ensure_dlq_topic();
  consumer_->subscribe({opt_.topic});
  spdlog::info("🚀 Consumer started (group '{}'), listening for orders on '{}'...", opt_.group,
               opt_.topic);
}

void ConsumeSession::on_assigned(const std::vector<TopicPartitionOffset>& parts) {
  std::string list;
  for (const auto& tp : parts) {
    auto& ps = partitions_[tp.partition];
    ps = PartitionState{};
    ps.pipeline = std::make_unique<pipeline::PartitionPipeline>(processor_, opt_.pipeline);
    ps.epoch = next_epoch_++;
    list += (list.empty() ? "" : ",") + std::to_string(tp.partition);
  }
  last_activity_ = Clock::now();
  spdlog::info("Assigned partition(s) [{}] of '{}'", list, opt_.topic);
}

void ConsumeSession::on_revoked(const std::vector<TopicPartitionOffset>& parts, bool lost) {
  std::set<int> revoked;
  for (const auto& tp : parts) revoked.insert(tp.partition);
  if (!lost) {
    // Dead letters in flight hold their offsets back; give them a moment to be acknowledged so
    // the next owner does not write them again.
    flush_dead_letters(util::stop_requested() ? kStopFlush : kRevokeFlush);
    if (Error e = commit_sync(&revoked)) {
      spdlog::warn("Commit on revoke failed: {}", e.message);
    }
  } else {
    spdlog::warn("Partition assignment lost: not committing; another member owns them now");
  }
  std::string list;
  for (int p : revoked) {
    auto it = partitions_.find(p);
    if (it == partitions_.end()) continue;
    metrics_.unfinished +=
        it->second.pipeline->queued() + it->second.pipeline->dead_letters_in_flight();
    partitions_.erase(it);
    list += (list.empty() ? "" : ",") + std::to_string(p);
  }
  spdlog::info("Revoked partition(s) [{}] of '{}'", list, opt_.topic);
}

void ConsumeSession::flush_dead_letters(std::chrono::milliseconds budget) {
  const auto deadline = Clock::now() + budget;
  while (outbox_.in_flight() > 0 && Clock::now() < deadline) {
    producer_->poll(20ms);
  }
  producer_->poll(0ms);
}

void ConsumeSession::take(std::unique_ptr<RdKafka::Message> msg) {
  const auto err = msg->err();
  if (err == RdKafka::ERR__PARTITION_EOF) return;
  if (err != RdKafka::ERR_NO_ERROR) {
    if (err == RdKafka::ERR__FATAL) {
      fatal_ = true;
      problem_ = "fatal consumer error: " + msg->errstr();
      spdlog::error("{}", problem_);
      return;
    }
    // Say it once per kind; librdkafka keeps retrying on its own.
    if (reported_errors_.insert(static_cast<int>(err)).second) {
      spdlog::warn("Consumer: {}", msg->errstr());
    } else {
      spdlog::debug("Consumer: {}", msg->errstr());
    }
    return;
  }
  if (opt_.max_messages && metrics_.consumed >= *opt_.max_messages) return;  // not tracked
  auto it = partitions_.find(msg->partition());
  if (it == partitions_.end()) return;  // not (or no longer) ours
  const auto now = Clock::now();
  if (!it->second.pipeline->push(to_record(*msg), now)) return;  // redelivered after a resume
  ++metrics_.consumed;
  if (!first_consumed_) first_consumed_ = now;
  last_activity_ = now;
}

void ConsumeSession::apply(std::int32_t partition, const pipeline::Decision& d,
                           TimePoint decided_at) {
  const int max_attempts = opt_.pipeline.retry.max_attempts;
  if (opt_.verbose && d.attempt <= 1) {
    if (d.order) {
      spdlog::info("📨 Received order: {}", order_text(*d.order));
    } else {
      spdlog::info("📨 Received undecodable record at {}[{}]@{}", opt_.topic, partition, d.offset);
    }
  }
  if (const auto* p = std::get_if<pipeline::Processed>(&d.outcome)) {
    ++metrics_.processed;
    metrics_.aggregate.add(p->order);
    latency_.record(d.since_received);
    last_finished_ = Clock::now();
    if (opt_.verbose) {
      const auto& a = metrics_.aggregate;
      spdlog::info("✅ Successfully processed order: {} (${:.2f})", p->order.order_id,
                   static_cast<double>(p->order.price));
      spdlog::info("📊 Aggregation Update - Count: {}, Running Avg: {}, Min: {}, Max: {}",
                   a.count(), stats::format_dollars(a.avg()), stats::format_dollars(*a.min()),
                   stats::format_dollars(*a.max()));
    }
  } else if (const auto* r = std::get_if<pipeline::RetryAt>(&d.outcome)) {
    ++metrics_.retries;
    if (opt_.verbose) {
      spdlog::warn("⚠️  Processing failed for {} (attempt {}/{}): {}. Retrying in {}...",
                   d.order ? d.order->order_id : "?", d.attempt, max_attempts, r->error,
                   util::format_duration(std::chrono::duration_cast<std::chrono::microseconds>(
                       r->at - decided_at)));
    }
  } else if (const auto* dl = std::get_if<pipeline::DeadLetter>(&d.outcome)) {
    latency_.record(d.since_received);
    if (opt_.verbose) {
      spdlog::warn("💀 Dead-lettering {} from {}[{}]@{} ({}): {}",
                   d.order ? d.order->order_id : "record", opt_.topic, partition, d.offset,
                   pipeline::to_string(dl->error_class), dl->message);
    }
  }
}

void ConsumeSession::write_dead_letter(PartitionState& ps, std::int32_t partition,
                                       std::int64_t offset) {
  const auto& pending = ps.pipeline->dead_letter(offset);
  if (!ensure_dlq_topic()) {
    ++metrics_.dead_letter_write_failures;
    ps.pipeline->dead_letter_failed(offset, "DLQ topic not available", Clock::now());
    return;
  }
  const auto& rec = pending.record;
  auto headers = pipeline::dead_letter_headers(rec, pending.dead_letter,
                                               {opt_.group, opt_.host, wall_ms()});
  std::vector<Header> views;
  views.reserve(headers.size());
  for (const auto& [k, v] : headers) views.push_back({k, v});
  const std::string_view key = rec.key ? std::string_view(*rec.key) : std::string_view();
  const std::string_view value = rec.value ? std::string_view(*rec.value) : std::string_view();
  // The DLQ mirrors the source's partitioning, so a partition's dead letters stay in order.
  const std::int32_t dlq_partition = partition % *dlq_partitions_;
  Error e = producer_->produce(opt_.dlq_topic, key, value, views, dlq_partition);
  if (e) {
    ++metrics_.dead_letter_write_failures;
    spdlog::error("Cannot write dead letter for {}[{}]@{}: {}", opt_.topic, partition, offset,
                  e.message);
    ps.pipeline->dead_letter_failed(offset, e.message, Clock::now());
    return;
  }
  outbox_.sent(dlq_partition, pipeline::OutboxEntry{partition, offset, ps.epoch,
                                                    pending.dead_letter.error_class,
                                                    rec.key.value_or(std::string()), value.size()});
}

void ConsumeSession::on_delivery(const DeliveryReport& report) {
  auto entry = outbox_.reported(report.partition, report.key, report.value_size);
  if (!entry) {
    spdlog::error("Delivery report for an unknown dead letter ({}[{}]); ignored", report.topic,
                  report.partition);
    return;
  }
  auto it = partitions_.find(entry->source_partition);
  const bool current = it != partitions_.end() && it->second.epoch == entry->epoch;
  if (report.ok()) {
    ++metrics_.dead_lettered;
    ++metrics_.dead_lettered_by_class[std::string(pipeline::to_string(entry->error_class))];
    last_finished_ = Clock::now();
    if (current) it->second.pipeline->dead_letter_delivered(entry->source_offset);
    spdlog::debug("Dead letter for {}[{}]@{} stored at {}[{}]@{}", opt_.topic,
                  entry->source_partition, entry->source_offset, report.topic, report.partition,
                  report.offset);
    return;
  }
  ++metrics_.dead_letter_write_failures;
  spdlog::error("Dead letter for {}[{}]@{} was not written: {}", opt_.topic,
                entry->source_partition, entry->source_offset, report.reason);
  if (current) {
    it->second.pipeline->dead_letter_failed(entry->source_offset, std::string(report.reason),
                                            Clock::now());
  }
}

void ConsumeSession::advance() {
  for (auto& [partition, ps] : partitions_) {
    const auto now = Clock::now();
    auto step = ps.pipeline->run(now);
    for (const auto& d : step.decisions) apply(partition, d, now);
    for (auto offset : step.write_dead_letters) write_dead_letter(ps, partition, offset);
    if (!step.decisions.empty()) last_activity_ = Clock::now();
    if (ps.pipeline->halted() && !ps.halt_reported) {
      ps.halt_reported = true;
      spdlog::error(
          "Partition {}[{}] halted: a dead letter could not be written to '{}'; not advancing "
          "(nothing is committed past it) until it is, retrying every {}",
          opt_.topic, partition, opt_.dlq_topic,
          util::format_duration(opt_.pipeline.dead_letter_resend_delay));
    } else if (!ps.pipeline->halted() && ps.halt_reported) {
      ps.halt_reported = false;
      spdlog::info("Partition {}[{}] resumed: dead letter delivered", opt_.topic, partition);
    }
  }
}

void ConsumeSession::update_pauses() {
  std::vector<TopicPartitionOffset> pause, resume;
  for (auto& [partition, ps] : partitions_) {
    // Records behind a waiting head cannot be processed anyway; stop fetching them but keep
    // polling so the group keeps us.
    const bool want = ps.pipeline->waiting();
    if (want == ps.paused) continue;
    (want ? pause : resume).push_back({opt_.topic, partition, RdKafka::Topic::OFFSET_INVALID});
    ps.paused = want;
  }
  if (!pause.empty()) {
    if (Error e = consumer_->pause(pause)) spdlog::warn("pause failed: {}", e.message);
  }
  if (!resume.empty()) {
    if (Error e = consumer_->resume(resume)) spdlog::warn("resume failed: {}", e.message);
  }
}

std::vector<TopicPartitionOffset> ConsumeSession::commit_candidates(bool all,
                                                                    const std::set<int>* only) {
  std::vector<TopicPartitionOffset> out;
  for (auto& [partition, ps] : partitions_) {
    if (only && !only->count(partition)) continue;
    auto next = ps.pipeline->commit_offset();
    if (!next) continue;
    if (!all && ps.committed && *ps.committed >= *next) continue;
    out.push_back({opt_.topic, partition, *next});
    ps.committed = *next;
  }
  return out;
}

void ConsumeSession::commit_async_due() {
  const auto now = Clock::now();
  if (now < next_commit_) return;
  next_commit_ = now + opt_.commit_interval;
  auto offsets = commit_candidates(false, nullptr);
  if (offsets.empty()) return;
  if (Error e = consumer_->commit_async(offsets)) {
    spdlog::warn("Async commit failed: {}", e.message);
  }
}

Error ConsumeSession::commit_sync(const std::set<int>* only) {
  auto offsets = commit_candidates(true, only);
  if (offsets.empty()) return {};
  Error e = consumer_->commit_sync(offsets);
  if (!e) {
    for (const auto& tp : offsets) {
      spdlog::debug("Committed {}[{}] at {}", tp.topic, tp.partition, tp.offset);
    }
  }
  return e;
}

void ConsumeSession::log_summary() {
  if (opt_.stats_interval.count() <= 0) return;
  const auto now = Clock::now();
  if (now < next_summary_) return;
  next_summary_ = now + opt_.stats_interval;
  if (metrics_.consumed == 0) return;
  std::size_t waiting = 0;
  for (const auto& [p, ps] : partitions_) waiting += ps.pipeline->queued();
  const auto& a = metrics_.aggregate;
  spdlog::info(
      "📊 consumed {}, processed {}, dead-lettered {}, retries {}, waiting {}, DLQ in flight {} | "
      "orders {}, avg {}, min {}, max {}, revenue {}",
      metrics_.consumed, metrics_.processed, metrics_.dead_lettered, metrics_.retries, waiting,
      outbox_.in_flight(), a.count(), stats::format_dollars(a.avg()),
      a.min() ? stats::format_dollars(*a.min()) : "-",
      a.max() ? stats::format_dollars(*a.max()) : "-", stats::format_cents(a.revenue_cents()));
}

void ConsumeSession::poll_once() {
  const auto timeout = poll_timeout(Clock::now());
  for (int i = 0; i < kPollBatch && !fatal_; ++i) {
    auto msg = consumer_->consume(i == 0 ? timeout : 0ms);
    if (!msg) break;
    take(std::move(msg));
  }
  producer_->poll(0ms);
  advance();
  update_pauses();
  commit_async_due();
  log_summary();
}

void ConsumeSession::finish_metrics() {
  for (const auto& [p, ps] : partitions_) {
    metrics_.unfinished += ps.pipeline->queued() + ps.pipeline->dead_letters_in_flight();
  }
  if (first_consumed_ && last_finished_ > *first_consumed_) {
    metrics_.elapsed_seconds =
        std::chrono::duration<double>(last_finished_ - *first_consumed_).count();
  }
  metrics_.processing_latency = {stats::ns_to_ms(double(latency_.percentile_ns(50))),
                                 stats::ns_to_ms(double(latency_.percentile_ns(99))),
                                 stats::ns_to_ms(double(latency_.max_ns()))};
}

ConsumeResult ConsumeSession::run() {
  start();
  const char* why = "stop requested";
  while (true) {
    if (util::stop_requested()) break;
    if (fatal_ || producer_->events().fatal_seen() || consumer_->events().fatal_seen()) {
      why = "fatal error";
      if (problem_.empty()) {
        problem_ = "fatal Kafka client error: " + (producer_->events().fatal_seen()
                                                        ? producer_->events().last_error()
                                                        : consumer_->events().last_error());
      }
      break;
    }
    if (opt_.max_messages && metrics_.consumed >= *opt_.max_messages && !busy()) {
      why = "max messages reached";
      break;
    }
    if (opt_.idle_exit && idle_for(*opt_.idle_exit)) {
      why = "idle";
      break;
    }
    poll_once();
  }
  spdlog::info("Stopping ({})...", why);
  flush_dead_letters(util::stop_requested() ? kStopFlush : kFinalFlush);
  if (Error e = commit_sync(nullptr)) {
    problem_ = "final commit failed: " + e.message;
    spdlog::error("{}", problem_);
  }
  std::size_t undelivered = outbox_.in_flight();
  for (const auto& [p, ps] : partitions_) {
    if (ps.pipeline->halted()) ++undelivered;
  }
  consumer_->close();  // leaves the group; the revoke hook drops the partitions' state
  finish_metrics();
  if (undelivered > 0 && problem_.empty()) {
    problem_ = fmt::format("{} dead letter(s) not acknowledged by '{}'; their offsets were not "
                           "committed and will be consumed again",
                           undelivered, opt_.dlq_topic);
  }
  return {metrics_, problem_};
}

}  // namespace

ConsumeResult run_consume(const ConsumeOptions& options, pipeline::OrderProcessor& processor) {
  ConsumeSession session(options, processor);
  return session.run();
}

}  // namespace kafka
