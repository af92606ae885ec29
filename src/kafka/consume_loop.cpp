// The consume loop: polling, per-partition decisions, dead letters, delivery reports, pauses,
// the run's end. Assignment/restore lives in consume_partitions.cpp, commits in
// consume_commit.cpp.
#include "kafka/consume_loop.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

#include "dlq/printable.h"
#include "kafka/admin.h"
#include "kafka/consume_session.h"
#include "pipeline/checkpoint.h"
#include "pipeline/dead_letter.h"
#include "pipeline/stall_watch.h"
#include "util/duration.h"
#include "util/stop_signal.h"

namespace kafka {

const char* to_string(Semantics s) {
  return s == Semantics::exactly_once ? "exactly-once" : "at-least-once";
}

namespace detail {
namespace {

using namespace std::chrono_literals;

constexpr int kPollBatch = 500;       // records taken per loop turn before deciding
constexpr auto kMaxPollWait = 100ms;  // bounds the reaction time to a stop request
constexpr auto kStallAfter = 15s;     // no record for this long while the log goes on
constexpr auto kStallCheckEvery = 5s;
constexpr auto kAdminTimeout = 15s;
constexpr auto kConnectTimeout = 10s;
constexpr auto kInitTransactions = 30s;
constexpr auto kStopBudget = 1500ms;  // committing on Ctrl-C: stop within 2 s
constexpr auto kFinalBudget = 30s;    // the same on a scripted exit (--max-messages/--idle)
constexpr auto kJoinGrace = 15s;      // --idle-exit does not count before partitions arrive

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
  // The C API: the C++ headers() builds (and frees) an empty Headers object for every record
  // without headers, ~8 % of the consume thread.
  rd_kafka_message_t* raw = const_cast<RdKafka::Message&>(msg).c_ptr();
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(raw, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0;; ++i) {
      const auto err = rd_kafka_header_get_all(headers, i, &name, &value, &size);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) break;
      const char* v = static_cast<const char*>(value);
      r.headers.emplace_back(name, v ? std::string(v, size) : std::string());
    }
  }
  return r;
}

stats::LatencySummary summarize(const stats::LatencyHistogram& h) {
  return {stats::ns_to_ms(double(h.percentile_ns(50))),
          stats::ns_to_ms(double(h.percentile_ns(99))), stats::ns_to_ms(double(h.max_ns()))};
}

}  // namespace

void Tally::add_to(stats::ConsumerMetrics& m) const {
  m.processed += processed;
  m.dead_lettered += dead_lettered;
  for (const auto& [cls, n] : dead_lettered_by_class) m.dead_lettered_by_class[cls] += n;
  m.aggregate.merge(aggregate);
}

ConsumeSession::ConsumeSession(const ConsumeOptions& options, pipeline::OrderProcessor& processor)
    : opt_(options), processor_(processor), schedule_(options.commit) {
  for (auto c : {pipeline::ErrorClass::deserialization, pipeline::ErrorClass::validation,
                 pipeline::ErrorClass::processing}) {
    metrics_.dead_lettered_by_class[std::string(pipeline::to_string(c))] = 0;
  }
  metrics_.semantics = to_string(opt_.semantics);
  metrics_.ordering = std::string(pipeline::to_string(opt_.pipeline.ordering));
  if (const char* p = std::getenv("ORDERS_TEST_STALL_PARTITION"); p && *p) {
    stall_test_partition_ = std::atoi(p);
  }
}

void ConsumeSession::set_fatal(std::string problem) {
  if (!fatal_) {
    fatal_ = true;
    problem_ = std::move(problem);  // logged by the caller with the report
  }
}

bool ConsumeSession::busy(bool count_halted) const {
  if (outbox_.in_flight() > 0 || checkpoint_count_in_flight_ > 0) return true;
  for (const auto& [p, ps] : partitions_) {
    if (ps.restoring) return true;
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
  auto until = [&](TimePoint t) {
    wait = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(t - now), 0ms, wait);
  };
  for (const auto& [p, ps] : partitions_) {
    if (ps.pipeline) {
      if (auto t = ps.pipeline->next_wakeup()) until(*t);
    }
  }
  if (auto t = schedule_.deadline()) until(*t);
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
    auto r =
        ensure_topic(producer_->raw(), TopicSpec{opt_.dlq_topic, *source, -1, {}}, kAdminTimeout);
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

void ConsumeSession::ensure_aggregates_topic() {
  // One partition: a few small records per batch, read in full on every assignment. Compaction
  // keeps one value per source partition; short segments let it run soon.
  TopicSpec spec{opt_.aggregates_topic,
                 1,
                 -1,
                 {{"cleanup.policy", "compact"},
                  {"segment.ms", "600000"},
                  {"min.cleanable.dirty.ratio", "0.1"}}};
  auto r = ensure_topic(producer_->raw(), spec, kAdminTimeout);
  if (r.created) spdlog::info("Created aggregates topic '{}' (compacted)", opt_.aggregates_topic);
}

void ConsumeSession::start() {
  Properties pprops = opt_.producer_props;
  for (auto [k, v] : {std::pair{"acks", "all"}, std::pair{"enable.idempotence", "true"}}) {
    const std::string* cur = pprops.find(k);
    if (cur && *cur != v && !(std::string(k) == "acks" && (*cur == "-1"))) {
      spdlog::warn("Producer: ignoring {}={} (dead letters and checkpoints need {}={})", k, *cur, k,
                   v);
    }
    pprops.set(k, v);
  }
  if (eos()) {
    pprops.set("transactional.id", opt_.transactional_id);
    // A transaction left open by a crashed process holds back read_committed readers until the
    // coordinator aborts it (or a process with the same transactional.id starts).
    if (!pprops.find("transaction.timeout.ms")) pprops.set("transaction.timeout.ms", "30000");
    // Back-to-back transactions meet CONCURRENT_TRANSACTIONS while the previous one's markers
    // are written; librdkafka retries after retry.backoff.ms (100 ms by default), the Java
    // client after 20 ms for this case. 100 ms stalls cost up to a third of the throughput.
    if (!pprops.find("retry.backoff.ms")) pprops.set("retry.backoff.ms", "20");
    const auto txn_timeout = std::stoll(pprops.get_or("transaction.timeout.ms", "30000"));
    if (std::stoll(pprops.get_or("message.timeout.ms", "300000")) > txn_timeout) {
      pprops.set("message.timeout.ms", std::to_string(txn_timeout));
    }
  } else {
    pprops.erase("transactional.id");
  }
  producer_ =
      std::make_unique<Producer>(pprops, [this](const DeliveryReport& r) { on_delivery(r); });

  check_connectivity(producer_->raw(), opt_.bootstrap, kConnectTimeout, &producer_->events(),
                     [] { return util::stop_requested(); });
  ensure_aggregates_topic();
  if (eos()) {
    // Fences an older process with the same transactional.id and aborts its open transaction.
    Error e = producer_->init_transactions(kInitTransactions);
    if (e)
      throw KafkaException(Error{e.code,
                                 "cannot initialize transactions (transactional.id '" +
                                     opt_.transactional_id + "'): " + e.message,
                                 e.fatal, e.retriable, e.txn_requires_abort});
  }

  Properties rprops = opt_.consumer_props;
  reader_ = std::make_unique<CheckpointReader>(rprops, opt_.aggregates_topic);

  const std::string* isolation = opt_.consumer_props.find("isolation.level");
  if (isolation && *isolation != "read_committed") {
    spdlog::warn("Consumer: ignoring isolation.level={} (only committed records are processed)",
                 *isolation);
  }
  consumer_ = make_consumer();
  ensure_dlq_topic();
  consumer_->subscribe({opt_.topic});
  spdlog::info("🚀 Consumer started (group '{}', {}{}), listening for orders on '{}'...", opt_.group,
               to_string(opt_.semantics),
               eos() ? ", transactional.id '" + opt_.transactional_id + "'" : std::string(),
               opt_.topic);
}

std::unique_ptr<Consumer> ConsumeSession::make_consumer() {
  Properties cprops = opt_.consumer_props;
  cprops.set("group.id", opt_.group);
  cprops.set("isolation.level", "read_committed");
  RebalanceHooks hooks;
  hooks.on_assigned = [this](const auto& parts) { on_assigned(parts); };
  hooks.on_revoked = [this](const auto& parts, bool lost) { on_revoked(parts, lost); };
  return std::make_unique<Consumer>(cprops, std::move(hooks));
}

void ConsumeSession::take(std::unique_ptr<RdKafka::Message> msg) {
  const auto err = msg->err();
  if (err == RdKafka::ERR__PARTITION_EOF) return;
  if (err != RdKafka::ERR_NO_ERROR) {
    if (err == RdKafka::ERR__FATAL) {
      set_fatal("fatal consumer error: " + msg->errstr());
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
  auto it = partitions_.find(msg->partition());
  if (it == partitions_.end()) return;  // not (or no longer) ours
  if (it->second.restoring) {
    // Held until its checkpoint is restored: kept when reading starts where librdkafka started
    // fetching, dropped when a seek moves it.
    it->second.held.push_back(std::move(msg));
    return;
  }
  accept(it->second, *msg);
}

void ConsumeSession::accept(PartitionState& ps, const RdKafka::Message& msg) {
  if (opt_.max_messages && metrics_.consumed >= *opt_.max_messages) return;  // not tracked
  const auto now = Clock::now();
  if (ps.durable_offset && msg.offset() < *ps.durable_offset) return;  // covered already
  const auto skipped = ps.pipeline->skipped();
  if (!ps.pipeline->push(to_record(msg), now)) {  // redelivered after a resume, or finished before
    metrics_.skipped_on_restore += ps.pipeline->skipped() - skipped;
    if (!ps.durable_offset) ps.durable_offset = msg.offset();
    return;
  }
  if (!ps.durable_offset) ps.durable_offset = msg.offset();  // where a rewind returns
  ++metrics_.consumed;
  ps.last_record_at = now;
  if (ps.reprocess_below && msg.offset() < *ps.reprocess_below) ++metrics_.reprocessed;
  if (!first_consumed_) first_consumed_ = now;
  last_activity_ = now;
}

void ConsumeSession::apply(std::int32_t partition, PartitionState& ps, const pipeline::Decision& d,
                           TimePoint decided_at) {
  const int max_attempts = opt_.pipeline.retry.max_attempts;
  if (d.lateness) retry_lateness_.record(*d.lateness);
  // Where the record is: partition, offset and key (escaped: untrusted bytes).
  auto where = [&] {
    return fmt::format(" [{}[{}]@{} key {}]", opt_.topic, partition, d.offset,
                       d.key ? dlq::printable(*d.key) : std::string("(null)"));
  };
  if (opt_.verbose && d.attempt <= 1) {
    if (d.order) {
      spdlog::info("📨 Received order: {}", order_text(*d.order));
    } else {
      spdlog::info("📨 Received undecodable record at {}[{}]@{}", opt_.topic, partition, d.offset);
    }
  }
  Tally& t = tally(ps);
  if (const auto* p = std::get_if<pipeline::Processed>(&d.outcome)) {
    ++t.processed;
    t.aggregate.add(p->order);
    latency_.record(d.since_received);
    metrics_.e2e_latency.record(d.timestamp_ms, decided_at);
    ps.uncommitted.emplace_back(d.offset, decided_at - d.since_received);
    schedule_.finished(1, decided_at);
    last_finished_ = decided_at;
    if (opt_.verbose) {
      const auto a = ps.pipeline->aggregate();
      spdlog::info("✅ Successfully processed order: {} (${:.2f}){}",
                   dlq::printable(p->order.order_id), static_cast<double>(p->order.price), where());
      spdlog::info("📊 Aggregation Update ({}[{}]) - Count: {}, Running Avg: {}, Min: {}, Max: {}",
                   opt_.topic, partition, a.count(), stats::format_dollars(a.avg()),
                   stats::format_dollars(*a.min()), stats::format_dollars(*a.max()));
    }
  } else if (const auto* r = std::get_if<pipeline::RetryAt>(&d.outcome)) {
    ++metrics_.retries;
    if (opt_.verbose) {
      spdlog::warn("⚠️  Processing failed for {} (attempt {}/{}): {}. Retrying in {}...{}",
                   d.order ? dlq::printable(d.order->order_id) : "?", d.attempt, max_attempts,
                   dlq::printable(r->error),
                   util::format_duration(
                       std::chrono::duration_cast<std::chrono::microseconds>(r->at - decided_at)),
                   where());
    }
  } else if (const auto* dl = std::get_if<pipeline::DeadLetter>(&d.outcome)) {
    latency_.record(d.since_received);
    metrics_.e2e_latency.record(d.timestamp_ms, decided_at);
    ps.uncommitted.emplace_back(d.offset, decided_at - d.since_received);
    schedule_.finished(1, decided_at);
    if (opt_.verbose) {
      spdlog::warn("💀 Dead-lettering {} ({}): {}{}",
                   d.order ? dlq::printable(d.order->order_id) : "record",
                   pipeline::to_string(dl->error_class), dlq::printable(dl->message), where());
    }
  }
}

void ConsumeSession::write_dead_letter(PartitionState& ps, std::int32_t partition,
                                       std::int64_t offset) {
  if (eos()) {
    // A dead letter whose write failed in an aborted transaction waits out the resend delay
    // before it is offered again, like a failed write in at-least-once mode.
    auto fp = failed_dead_letters_.find(partition);
    if (fp != failed_dead_letters_.end()) {
      auto f = fp->second.find(offset);
      if (f != fp->second.end()) {
        const auto resend_at = f->second.failed_at + opt_.pipeline.dead_letter_resend_delay;
        if (Clock::now() < resend_at) {
          ps.pipeline->dead_letter_failed(offset, f->second.error, f->second.failed_at);
          return;
        }
        fp->second.erase(f);
      }
    }
    if (!begin_transaction()) {
      ps.pipeline->dead_letter_failed(offset, "no transaction", Clock::now());
      return;
    }
  }
  const auto& pending = ps.pipeline->dead_letter(offset);
  if (!ensure_dlq_topic()) {
    ++metrics_.dead_letter_write_failures;
    ps.pipeline->dead_letter_failed(offset, "DLQ topic not available", Clock::now());
    return;
  }
  const auto& rec = pending.record;
  auto headers =
      pipeline::dead_letter_headers(rec, pending.dead_letter, {opt_.group, opt_.host, wall_ms()});
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
    if (e.fatal) producer_failed("writing a dead letter", e);
    if (eos()) {
      doomed_ = "dead letter not written: " + e.message;
      failed_dead_letters_[partition][offset] = {e.message, Clock::now()};
    }
    ps.pipeline->dead_letter_failed(offset, e.message, Clock::now());
    return;
  }
  outbox_.sent(dlq_partition,
               pipeline::OutboxEntry{partition, offset, ps.epoch, pending.dead_letter.error_class,
                                     rec.key.value_or(std::string()), value.size()});
}

void ConsumeSession::on_delivery(const DeliveryReport& report) {
  if (report.topic == opt_.aggregates_topic) {
    on_checkpoint_report(report);
  } else {
    on_dead_letter_report(report);
  }
}

void ConsumeSession::on_dead_letter_report(const DeliveryReport& report) {
  auto entry = outbox_.reported(report.partition, report.key, report.value_size);
  if (!entry) {
    spdlog::error("Delivery report for an unknown dead letter ({}[{}]); ignored", report.topic,
                  report.partition);
    return;
  }
  auto it = partitions_.find(entry->source_partition);
  const bool current =
      it != partitions_.end() && !it->second.restoring && it->second.epoch == entry->epoch;
  if (!current) {
    // Sent by a pipeline since rewound or revoked (an aborted transaction purges its messages).
    spdlog::debug("Dead letter for {}[{}]@{} belongs to an earlier assignment: {}", opt_.topic,
                  entry->source_partition, entry->source_offset,
                  report.ok() ? "delivered" : report.reason);
    return;
  }
  PartitionState& ps = it->second;
  if (report.ok()) {
    Tally& t = tally(ps);
    ++t.dead_lettered;
    ++t.dead_lettered_by_class[std::string(pipeline::to_string(entry->error_class))];
    last_finished_ = Clock::now();
    ps.pipeline->dead_letter_delivered(entry->source_offset);
    spdlog::debug("Dead letter for {}[{}]@{} stored at {}[{}]@{}", opt_.topic,
                  entry->source_partition, entry->source_offset, report.topic, report.partition,
                  report.offset);
    return;
  }
  ++metrics_.dead_letter_write_failures;
  spdlog::error("Dead letter for {}[{}]@{} was not written: {}", opt_.topic,
                entry->source_partition, entry->source_offset, report.reason);
  if (eos()) {
    // The transaction cannot commit now; remember the failure across the rewind.
    doomed_ = "dead letter not written: " + std::string(report.reason);
    failed_dead_letters_[entry->source_partition][entry->source_offset] = {
        std::string(report.reason), Clock::now()};
  }
  ps.pipeline->dead_letter_failed(entry->source_offset, std::string(report.reason), Clock::now());
}

void ConsumeSession::advance() {
  for (auto& [partition, ps] : partitions_) {
    if (ps.restoring) continue;
    const auto now = Clock::now();
    auto step = ps.pipeline->run(now);
    for (const auto& d : step.decisions) apply(partition, ps, d, now);
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
    // Records waiting for a retry (and those behind them) stay in the pipeline; polling goes on
    // so the group keeps us. Fetching stops only when the partition's window is full (a long
    // backoff, a halted partition): librdkafka 2.0 may take up to a second to fetch again after
    // a resume, which short backoffs should not pay.
    bool want = false;
    if (ps.restoring) {
      want = ps.restore_waiting || ps.held.size() >= opt_.pipeline.window.records;
    } else {
      want = pipeline::want_pause(ps.pipeline->usage(), opt_.pipeline.window, ps.paused);
    }
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

void ConsumeSession::check_stalls() {
  const auto now = Clock::now();
  if (now < next_stall_check_) return;
  next_stall_check_ = now + kStallCheckEvery;
  if (opt_.max_messages && metrics_.consumed >= *opt_.max_messages) return;  // takes no more
  bool restart = false;
  for (auto& [partition, ps] : partitions_) {
    // Records waiting for retries do not stop the fetch: only pauses and halts do.
    if (ps.restoring || ps.paused || ps.pipeline->halted()) continue;
    if (now - ps.last_record_at < kStallAfter) continue;
    // Under read_committed the end librdkafka reports is the last stable offset.
    std::int64_t low = 0, high = 0;
    const auto code =
        consumer_->raw().query_watermark_offsets(opt_.topic, partition, &low, &high, 2000);
    ps.last_record_at = now;  // checked: the next check of this partition is kStallAfter away
    if (code != RdKafka::ERR_NO_ERROR) continue;
    // Where it continues: after its last record, else its checkpoint, else the log's start
    // (when the reset position is the beginning; "latest" leaves it unknown).
    const auto last = ps.pipeline->last_offset();
    std::int64_t next = last ? *last + 1 : ps.durable_offset.value_or(-1);
    if (next < 0 && logical_start() == RdKafka::Topic::OFFSET_BEGINNING) next = low;
    // Seen with librdkafka 2.0 after a partition leader moved (3-node cluster, one node
    // killed): the partition's fetcher never resumes.
    switch (pipeline::on_stall_check(stall_marks_[partition], next, high)) {
      case pipeline::StallAction::none:
        break;
      case pipeline::StallAction::seek:
        // Records already taken are not taken twice.
        spdlog::warn(
            "Partition {}[{}]: no records for {} although the log ends at {} (next offset {}); "
            "restarting its fetch",
            opt_.topic, partition, util::format_duration(kStallAfter), high, next);
        if (Error e = consumer_->seek({opt_.topic, partition, next}, 5s)) {
          spdlog::warn("Partition {}[{}]: seek to {} failed: {}", opt_.topic, partition, next,
                       e.message);
        }
        break;
      case pipeline::StallAction::restart:
        spdlog::warn("Partition {}[{}]: still no records after a seek (log ends at {}, next {})",
                     opt_.topic, partition, high, next);
        restart = true;
        break;
    }
  }
  if (restart) restart_consumer();
}

void ConsumeSession::restart_consumer() {
  spdlog::warn(
      "Restarting the Kafka consumer: finished work is committed, every partition "
      "continues from its checkpoint");
  consumer_->close();  // the revoke hook commits what is finished and drops the partitions
  consumer_.reset();
  consumer_ = make_consumer();
  consumer_->subscribe({opt_.topic});
}

void ConsumeSession::log_summary() {
  if (opt_.stats_interval.count() <= 0) return;
  const auto now = Clock::now();
  if (now < next_summary_) return;
  next_summary_ = now + opt_.stats_interval;
  // Where each partition stands: what a stuck one waits for, and how far it is committed.
  std::string parts;
  for (const auto& [p, ps] : partitions_) {
    const char* state = ps.restoring ? (ps.restore_waiting ? "restore-wait" : "restoring")
                        : ps.pipeline->halted()     ? "halted"
                        : ps.pipeline->queued() > 0 ? "retrying"
                                                    : "ok";
    parts += fmt::format(" {}:{}@{}", p, state,
                         ps.durable_offset ? std::to_string(*ps.durable_offset) : "-");
  }
  spdlog::info("Partitions (state@committed):{}{}", parts.empty() ? " none" : parts,
               eos() ? fmt::format(", transaction {}", txn_open_ ? "open" : "none") : "");
  if (metrics_.consumed == 0) return;
  std::size_t waiting = 0;
  for (const auto& [p, ps] : partitions_) {
    if (ps.pipeline) waiting += ps.pipeline->queued();
  }
  // Committed work plus what is staged for the next commit.
  stats::ConsumerMetrics m = metrics_;
  for (const auto& [p, ps] : partitions_) ps.staged.add_to(m);
  direct_.add_to(m);
  const auto& a = m.aggregate;
  spdlog::info(
      "📊 consumed {}, processed {}, dead-lettered {}, retries {}, waiting {}, DLQ in flight {} | "
      "orders {}, avg {}, min {}, max {}, revenue {}",
      m.consumed, m.processed, m.dead_lettered, m.retries, waiting, outbox_.in_flight(), a.count(),
      stats::format_dollars(a.avg()), a.min() ? stats::format_dollars(*a.min()) : "-",
      a.max() ? stats::format_dollars(*a.max()) : "-", stats::format_cents(a.revenue_cents()));
}

void ConsumeSession::poll_once() {
  restore_partitions();
  const auto timeout = poll_timeout(Clock::now());
  for (int i = 0; i < kPollBatch && !fatal_; ++i) {
    auto msg = consumer_->consume(i == 0 ? timeout : 0ms);
    if (!msg) break;
    take(std::move(msg));
  }
  producer_->poll(0ms);
  if (eos() && !doomed_.empty()) abort_and_rewind(doomed_, nullptr);
  advance();
  update_pauses();
  check_stalls();
  if (schedule_.due(Clock::now())) commit_batch(nullptr, kFinalBudget, false);
  // at-least-once: offsets follow their checkpoints' acknowledgements (at most one async commit
  // per turn).
  if (!eos()) {
    if (Error e = commit_acked_offsets(nullptr, false)) {
      spdlog::warn("Async commit failed: {}", e.message);
    }
  }
  log_summary();
}

void ConsumeSession::finish_metrics() {
  for (const auto& [p, ps] : partitions_) {
    if (ps.pipeline) {
      metrics_.unfinished += ps.pipeline->queued() + ps.pipeline->dead_letters_in_flight();
      metrics_.pending_retries += ps.pipeline->retries_pending();
    }
  }
  direct_.add_to(metrics_);
  direct_ = {};
  // Until the work is durable: the last commit counts too.
  const TimePoint last = std::max(last_finished_, last_committed_);
  if (first_consumed_ && last > *first_consumed_) {
    metrics_.elapsed_seconds = std::chrono::duration<double>(last - *first_consumed_).count();
  }
  metrics_.processing_latency = summarize(latency_);
  metrics_.commit_latency = summarize(commit_latency_);
  metrics_.retry_lateness = summarize(retry_lateness_);
  metrics_.retry_lateness_count = retry_lateness_.count();
}

ConsumeResult ConsumeSession::run() {
  start();
  const char* why = "stop requested";
  while (true) {
    if (util::stop_requested()) break;
    if (fatal_ || producer_->events().fatal_seen() || consumer_->events().fatal_seen()) {
      why = "fatal error";
      if (problem_.empty() && producer_->events().fatal_seen()) {
        producer_failed("the producer",
                        Error{RdKafka::ERR__FATAL, producer_->events().last_error(), true});
      } else if (problem_.empty()) {
        problem_ = "fatal consumer error: " + consumer_->events().last_error();
      }
      fatal_ = true;
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
  if (!fatal_) {
    const auto budget = util::stop_requested() ? kStopBudget : kFinalBudget;
    if (!commit_batch(nullptr, budget, true) && problem_.empty()) {
      problem_ = "final commit failed: the last batch will be processed again by the next owner";
    }
    if (!eos()) {
      if (Error e = commit_acked_offsets(nullptr, true)) {
        problem_ = "final commit failed: " + e.message;
      }
    }
  }
  std::size_t undelivered = outbox_.in_flight();
  for (const auto& [p, ps] : partitions_) {
    if (ps.pipeline && ps.pipeline->halted()) ++undelivered;
  }
  consumer_->close();  // leaves the group; the revoke hook drops the partitions' state
  finish_metrics();
  if (undelivered > 0 && problem_.empty()) {
    problem_ = fmt::format(
        "{} dead letter(s) not acknowledged by '{}'; their offsets were not "
        "committed and will be consumed again",
        undelivered, opt_.dlq_topic);
  }
  return {metrics_, problem_};
}

}  // namespace detail

ConsumeResult run_consume(const ConsumeOptions& options, pipeline::OrderProcessor& processor) {
  detail::ConsumeSession session(options, processor);
  return session.run();
}

}  // namespace kafka
