// The send loop of a produce run: pace, generate, encode, enqueue; then a bounded flush and the
// final counts.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "avro/framing.h"
#include "orders/order_codec.h"
#include "produce/session.h"
#include "util/duration.h"
#include "util/stop_signal.h"
#include "util/time_left.h"

namespace produce {
namespace {

using std::chrono::milliseconds;

constexpr std::uint64_t kPollEvery = 1024;  // unpaced: serve delivery reports this often
constexpr auto kProgressInterval = milliseconds(500);
constexpr std::uint64_t kMaxLoggedFailures = 20;  // then failures are only counted

std::string describe_order(const orders::Order& o) {
  return fmt::format("{{'orderId': '{}', 'product': '{}', 'price': {:.2f}}}", o.order_id, o.product,
                     o.price);
}

std::string progress_text(const stats::ProduceMetrics& m, std::uint64_t failed, int in_flight,
                          double seconds) {
  const double pct =
      m.requested ? 100.0 * static_cast<double>(m.generated) / static_cast<double>(m.requested)
                  : 100.0;
  const double rate = seconds > 0 ? static_cast<double>(m.produced) / seconds : 0.0;
  return fmt::format("sent {}/{} ({:.1f}%)  acked {}  failed {}  in flight {}  {:.0f} msgs/s",
                     m.generated, m.requested, pct, m.produced, failed, in_flight, rate);
}

milliseconds flush_bound(const ProduceOptions& o, const kafka::Properties& props) {
  if (o.flush_timeout) {
    return std::chrono::duration_cast<milliseconds>(util::from_seconds(*o.flush_timeout));
  }
  // Long enough for every enqueued order to get a definitive answer (acked or timed out), so the
  // counts are exact; a second Ctrl-C still exits at once.
  long timeout_ms = 30000;
  try {
    timeout_ms = std::stol(props.get_or("message.timeout.ms", "30000"));
  } catch (...) {
  }
  return milliseconds(timeout_ms > 0 ? timeout_ms + 2000 : 60000);
}

}  // namespace

void on_delivery(DeliveryState& st, const kafka::DeliveryReport& r) {
  stats::ProduceMetrics& m = *st.metrics;
  if (r.ok()) {
    ++m.produced;
    m.bytes += r.key.size() + r.value_size;
    m.latency.record(r.latency);
    if (st.log_each) {
      spdlog::info("Message delivered to {} [{}] at offset {} (latency: {:.2f}ms)", r.topic,
                   r.partition, r.offset, static_cast<double>(r.latency.count()) / 1e6);
    }
    return;
  }
  ++st.delivery_failures;
  if (st.delivery_failures <= kMaxLoggedFailures) {
    spdlog::error("Message delivery failed for {} to {} [{}]: {}{}", r.key, r.topic, r.partition,
                  r.reason, r.possibly_persisted ? " (possibly persisted)" : "");
    if (st.delivery_failures == kMaxLoggedFailures) {
      spdlog::error("further delivery failures are counted but not logged");
    }
  }
}

void Session::show_progress(Clock::time_point now) {
  publish_state(now);
  if (!progress_.enabled() || now < next_progress_) return;
  next_progress_ = now + kProgressInterval;
  const std::chrono::duration<double> elapsed = now - start_;
  progress_.show(progress_text(metrics_, delivery_.delivery_failures + enqueue_failures_,
                               producer_->outq_len(), elapsed.count()));
}

void Session::wait_for_turn(std::uint64_t index) {
  for (auto now = Clock::now();; now = Clock::now()) {
    const auto wait = pacer_.wait_before(index, now);
    if (wait.count() <= 0 || util::stop_requested()) return;
    // Waiting *in* poll serves delivery reports promptly, like the original's per-order lines.
    const auto wait_ms = std::chrono::ceil<milliseconds>(wait);
    producer_->poll(std::min(wait_ms, milliseconds(100)));
    show_progress(Clock::now());
  }
}

bool Session::send_one(std::uint64_t index) {
  generator_.next(order_);
  value_.clear();
  if (schema_id_) avro::append_confluent_header(*schema_id_, value_);
  orders::encode_order(order_, value_);
  ++metrics_.generated;
  if (kafka::Error err = producer_->produce(o_.topic, order_.order_id, value_)) {
    ++enqueue_failures_;
    if (enqueue_failures_ <= kMaxLoggedFailures) {
      spdlog::error("cannot produce {}: {}", order_.order_id, err.message);
    }
    return !err.fatal;
  }
  if (!metrics_.first_order_id) metrics_.first_order_id = order_.order_id;
  if (delivery_.log_each) spdlog::info("Produced order: {}", describe_order(order_));
  if (dump_.is_open()) {
    dump_ << fmt::format("{{\"orderId\":\"{}\",\"product\":\"{}\",\"price\":{}}}\n",
                         order_.order_id, order_.product, order_.price);
  }
  if (pacer_.paced() || (index + 1) % kPollEvery == 0) {
    producer_->poll(milliseconds(0));
    show_progress(Clock::now());
  }
  return true;
}

stats::ProduceMetrics Session::run() {
  start_ = Clock::now();
  pacer_.start(start_);
  next_progress_ = start_ + kProgressInterval;
  for (std::uint64_t i = 0; i < metrics_.requested && !util::stop_requested(); ++i) {
    if (pacer_.paced()) {
      wait_for_turn(i);
      if (util::stop_requested()) break;
    }
    if (!send_one(i)) break;
  }
  if (metrics_.first_order_id) {
    metrics_.last_order_id = orders::format_order_id(prefix_, metrics_.generated);
  }
  metrics_.interrupted = util::stop_requested() && metrics_.generated < metrics_.requested;
  if (metrics_.interrupted) {
    progress_.clear();
    spdlog::warn("Interrupted: stopped after {} order(s); flushing what is in flight",
                 metrics_.generated);
  }
  flush();
  return finish();
}

// Bounded, so a dead broker cannot hold the process forever.
void Session::flush() {
  // Once stopped by a signal, what is left of the stop limit (util/stop_signal.h).
  const auto deadline = Clock::now() + util::stop_bounded(flush_bound(o_, props_));
  while (producer_->outq_len() > 0) {
    const auto now = Clock::now();
    if (now >= deadline) break;
    const auto left = util::ms_left(deadline, now);
    producer_->flush(std::min(left, milliseconds(250)));
    show_progress(Clock::now());
  }
  left_in_queue_ = producer_->outq_len();
}

stats::ProduceMetrics Session::finish() {
  const Clock::time_point end = Clock::now();
  progress_.clear();
  if (dump_.is_open()) dump_.flush();
  const std::uint64_t enqueued = metrics_.generated - enqueue_failures_;
  const std::uint64_t answered = metrics_.produced + delivery_.delivery_failures;
  metrics_.unacknowledged_at_exit = enqueued > answered ? enqueued - answered : 0;
  metrics_.failed =
      enqueue_failures_ + delivery_.delivery_failures + metrics_.unacknowledged_at_exit;
  metrics_.seconds = std::chrono::duration<double>(end - start_).count();
  if (left_in_queue_ > 0) {
    spdlog::error("{} order(s) still unacknowledged when the flush bound expired ({} in queue)",
                  metrics_.unacknowledged_at_exit, left_in_queue_);
  }
  if (kafka::Error fatal = producer_->fatal_error()) spdlog::error("{}", fatal.message);
  // The last order id is only meaningful if at least one was enqueued.
  if (!metrics_.first_order_id) metrics_.last_order_id.reset();
  finished_ = true;
  publish_state(end, true);
  return metrics_;
}

}  // namespace produce
