// What a run reports: per-decision log lines and tallies, the periodic summary, the final
// metrics.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "consume/session.h"
#include "dlq/printable.h"
#include "util/duration.h"

namespace consume::detail {
namespace {

std::string order_text(const orders::Order& o) {
  std::string price = fmt::format("{}", o.price);
  // Like Python's repr of a float: "10.0", not "10".
  if (price.find_first_of(".enai") == std::string::npos) price += ".0";
  return fmt::format("{{'orderId': '{}', 'product': '{}', 'price': {}}}",
                     dlq::printable(o.order_id), dlq::printable(o.product), price);
}

// "Count: 20, Running Avg: $512.34, Min: $10.00, Max: $999.99" (never empty when called).
std::string running_text(const stats::Aggregate& a) {
  return fmt::format("Count: {}, Running Avg: {}, Min: {}, Max: {}", a.count(),
                     stats::format_dollars(a.avg()), stats::format_dollars(a.min().value_or(0)),
                     stats::format_dollars(a.max().value_or(0)));
}

stats::LatencySummary summarize(const stats::LatencyHistogram& h) {
  return {stats::ns_to_ms(double(h.percentile_ns(50))),
          stats::ns_to_ms(double(h.percentile_ns(99))), stats::ns_to_ms(double(h.max_ns()))};
}

// ", producer recoveries 1 (0 failed)" once there were some (rare, and worth noticing), else "".
std::string recoveries_text(const stats::ConsumerMetrics& m) {
  if (m.producer_recoveries + m.producer_recovery_failures == 0) return {};
  return fmt::format(", producer recoveries {} ({} failed)", m.producer_recoveries,
                     m.producer_recovery_failures);
}

}  // namespace

void Tally::add_to(stats::ConsumerMetrics& m) const {
  m.processed += processed;
  m.dead_lettered += dead_lettered;
  for (const auto& [cls, n] : dead_lettered_by_class) m.dead_lettered_by_class[cls] += n;
  m.aggregate.merge(aggregate);
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
  const auto* dead = std::get_if<pipeline::DeadLetter>(&d.outcome);
  if (opt_.verbose && d.attempt <= 1) {
    if (d.order) {
      spdlog::info("📨 Received order: {}", order_text(*d.order));
    } else if (dead) {
      // Decoded but refused by validation, or not decodable at all: say which.
      spdlog::info("📨 Received {} at {}[{}]@{}",
                   dead->error_class == pipeline::ErrorClass::validation ? "an invalid order"
                                                                         : "an undecodable record",
                   opt_.topic, partition, d.offset);
    }  // else it waits to be decoded (registry away): the retry line below says so
  }
  // Processed or dead-lettered: its latencies, and it waits for the next commit.
  auto finished = [&] {
    latency_.record(d.since_received);
    metrics_.e2e_latency.record(d.timestamp_ms, decided_at);
    ps.uncommitted.emplace_back(d.offset, decided_at - d.since_received);
    core_.schedule().finished(1, decided_at);
  };
  Tally& t = committer_->tally(partition);
  if (const auto* p = std::get_if<pipeline::Processed>(&d.outcome)) {
    ++t.processed;
    if (t.aggregate.max_products() != opt_.pipeline.max_products) {
      t.aggregate.set_max_products(opt_.pipeline.max_products);
    }
    t.aggregate.add(p->order);
    finished();
    last_finished_ = decided_at;
    if (opt_.verbose) {
      seen_.add(p->order);
      spdlog::info("✅ Successfully processed order: {} (${:.2f}){}",
                   dlq::printable(p->order.order_id), static_cast<double>(p->order.price), where());
      // The consumer's running total first (as the original printed it), then the partition's
      // own aggregate (restored from its checkpoint plus this run).
      spdlog::info("📊 Aggregation Update - {} | {}[{}]: {}", running_text(seen_), opt_.topic,
                   partition, running_text(ps.pipeline->aggregate()));
    }
  } else if (const auto* r = std::get_if<pipeline::RetryAt>(&d.outcome)) {
    ++metrics_.retries;
    const auto wait = util::format_duration(
        std::chrono::duration_cast<std::chrono::microseconds>(r->at - decided_at));
    if (opt_.verbose && !d.order) {
      // Not an attempt: the record cannot be decoded yet (its writer schema is unavailable).
      spdlog::warn("⏳ Record{}: {}. Trying again in {}...", where(), dlq::printable(r->error),
                   wait);
    } else if (opt_.verbose) {
      spdlog::warn("⚠️  Processing failed for {} (attempt {}/{}): {}. Retrying in {}...{}",
                   dlq::printable(d.order->order_id), d.attempt, max_attempts,
                   dlq::printable(r->error), wait, where());
    }
  } else if (const auto* dl = dead) {
    finished();
    note_dead_letter(partition, d, *dl);
    if (opt_.verbose) {
      spdlog::warn("💀 Dead-lettering {} ({}): {}{}",
                   d.order ? dlq::printable(d.order->order_id) : "record",
                   pipeline::to_string(dl->error_class), dlq::printable(dl->message), where());
    }
  }
}

void ConsumeSession::log_summary() {
  if (opt_.stats_interval.count() <= 0) return;
  const auto now = Clock::now();
  if (now < next_summary_) return;
  next_summary_ = now + opt_.stats_interval;
  // Where each partition stands: what a stuck one waits for, and how far it is committed.
  std::string parts;
  for (const auto& [p, ps] : core_.partitions()) {
    const char* state = ps.restoring()              ? pipeline::phase_name(ps.phase.get())
                        : ps.pipeline->halted()     ? "halted"
                        : ps.pipeline->queued() > 0 ? "retrying"
                                                    : "ok";
    parts += fmt::format(" {}:{}@{}", p, state,
                         ps.durable_offset ? std::to_string(*ps.durable_offset) : "-");
  }
  spdlog::info("Partitions (state@committed):{}{}", parts.empty() ? " none" : parts,
               committer_->status());
  if (metrics_.consumed == 0) return;
  std::size_t waiting = 0;
  for (const auto& [p, ps] : core_.partitions()) {
    if (ps.pipeline) waiting += ps.pipeline->queued();
  }
  // Committed work plus what is staged for the next commit.
  stats::ConsumerMetrics m = metrics_;
  committer_->add_pending_to(m);
  const auto& a = m.aggregate;
  spdlog::info(
      "📊 consumed {}, processed {}, dead-lettered {}, retries {}, waiting {}, DLQ in flight {}{} "
      "| orders {}, avg {}, min {}, max {}, revenue {}",
      m.consumed, m.processed, m.dead_lettered, m.retries, waiting, outbox_.in_flight(),
      recoveries_text(m), a.count(), stats::format_dollars(a.avg()),
      a.min() ? stats::format_dollars(*a.min()) : "-",
      a.max() ? stats::format_dollars(*a.max()) : "-", stats::format_cents(a.revenue_cents()));
}

void ConsumeSession::finish_metrics() {
  for (const auto& [p, ps] : core_.partitions()) {
    if (ps.pipeline) {
      metrics_.unfinished += ps.pipeline->queued() + ps.pipeline->dead_letters_in_flight();
      metrics_.pending_retries += ps.pipeline->retries_pending();
    }
  }
  committer_->settle(metrics_);
  // Until the work is durable: the last commit counts too.
  const TimePoint last = std::max(last_finished_, core_.last_committed());
  if (first_consumed_ && last > *first_consumed_) {
    metrics_.elapsed_seconds = std::chrono::duration<double>(last - *first_consumed_).count();
  }
  metrics_.processing_latency = summarize(latency_);
  metrics_.commit_latency = summarize(core_.commit_latency());
  metrics_.retry_lateness = summarize(retry_lateness_);
  metrics_.retry_lateness_count = retry_lateness_.count();
}

}  // namespace consume::detail
