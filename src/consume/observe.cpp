// --http for `orders consume`: the server is started first thing, and the loop publishes an
// immutable snapshot of the run a few times a second (never per record). The HTTP threads
// render only from that snapshot (src/observe), so nothing on the record path takes a lock.
#include <spdlog/spdlog.h>

#include "consume/session.h"
#include "util/errors.h"
#include "util/version.h"
#include "util/wall_clock.h"

namespace consume::detail {
namespace {

using namespace std::chrono_literals;

constexpr auto kPublishEvery = 250ms;
constexpr auto kHistoryEvery = 1s;
constexpr std::size_t kHistoryPoints = 300;     // five minutes of the throughput chart
constexpr std::size_t kRecentDeadLetters = 20;  // on the dashboard

const char* state_of(const PartitionState& ps) {
  if (ps.restoring()) return pipeline::phase_name(ps.phase.get());
  if (ps.pipeline->halted()) return "halted";
  if (ps.pipeline->retries_pending() > 0) return "retrying";
  return "running";
}

}  // namespace

void ConsumeSession::start_http() {
  if (!opt_.http) return;
  site_ = std::make_unique<observe::ConsumerSite>();
  publish_state(true);
  try {
    server_ = std::make_unique<http::Server>(*opt_.http, opt_.http_allow_hosts, *site_);
  } catch (const std::runtime_error& e) {
    throw util::UsageError(e.what());
  }
  spdlog::info("Serving metrics and the dashboard on http://{}/ (--http)",
               observe::ListenAddress{opt_.http->host, server_->port()}.to_string());
}

void ConsumeSession::note_dead_letter(std::int32_t partition, const pipeline::Decision& d,
                                      const pipeline::DeadLetter& dl) {
  if (!site_) return;
  recent_dead_letters_.push_back({.at_ms = util::wall_ms(),
                                  .partition = partition,
                                  .offset = d.offset,
                                  .key = d.key.value_or(""),
                                  .order_id = d.order ? d.order->order_id : "",
                                  .error_class = std::string(pipeline::to_string(dl.error_class)),
                                  .reason = dl.message,
                                  .attempts = d.attempt});
  if (recent_dead_letters_.size() > kRecentDeadLetters) recent_dead_letters_.pop_front();
}

observe::PartitionView ConsumeSession::partition_view(std::int32_t partition,
                                                      const PartitionState& ps) {
  observe::PartitionView v;
  v.partition = partition;
  v.state = state_of(ps);
  v.paused = core_.flow().paused(partition);
  v.committed = ps.durable_offset;
  // librdkafka's cached figures (from fetch responses): no request. Under read_committed the
  // end it reports is the last stable offset.
  if (consumer_) {
    if (auto w = consumer_->cached_watermarks(opt_.topic, partition); w && w->high >= 0) {
      v.log_end = w->high;
    }
  }
  if (ps.pipeline) {
    v.in_flight = ps.pipeline->queued() + ps.pipeline->dead_letters_in_flight();
    v.retries_waiting = ps.pipeline->retries_pending();
    v.aggregate_count = ps.pipeline->aggregate().count();
  }
  return v;
}

void ConsumeSession::take_client_stats() {
  auto take = [&](kafka::EventLog& events, const char* client, std::size_t slot) {
    auto text = events.take_stats();
    if (!text) return;
    if (auto parsed = observe::parse_rdkafka_stats(*text, client)) {
      if (client_stats_.size() <= slot) client_stats_.resize(slot + 1);
      client_stats_[slot] = std::move(*parsed);
    }
  };
  if (consumer_) take(consumer_->events(), "consumer", 0);
  if (producer_) take(producer_->events(), "producer", 1);
}

void ConsumeSession::publish_state(bool force) {
  if (!site_) return;
  const auto now = Clock::now();
  if (!force && now < next_publish_) return;
  next_publish_ = now + kPublishEvery;
  take_client_stats();
  auto s = std::make_shared<observe::ConsumerSnapshot>();
  s->build = {util::kVersion, kafka::library_version()};
  s->topic = opt_.topic;
  s->group = opt_.group;
  s->dlq_topic = opt_.dlq_topic;
  s->at_ms = util::wall_ms();
  s->uptime_seconds = std::chrono::duration<double>(now - core_.started()).count();
  s->stopping = core_.run().stopping();
  s->ready = !core_.run().stopping() && !core_.partitions().empty();
  s->totals = metrics_;
  stats::ConsumerMetrics decided = metrics_;
  if (committer_) committer_->add_pending_to(decided);
  s->decided_processed = decided.processed;
  s->decided_dead_lettered = decided.dead_lettered;
  s->dead_letters_in_flight = outbox_.in_flight();
  for (const auto& [p, ps] : core_.partitions()) {
    if (ps.restoring()) s->ready = false;
    s->partitions.push_back(partition_view(p, ps));
    s->in_flight += s->partitions.back().in_flight;
    s->retries_waiting += s->partitions.back().retries_waiting;
  }
  s->processing = latency_;
  s->commit = core_.commit_latency();
  s->retry_lateness = retry_lateness_;
  s->recent_dead_letters.assign(recent_dead_letters_.begin(), recent_dead_letters_.end());
  if (force || now >= next_history_) {
    next_history_ = now + kHistoryEvery;
    history_.push_back({s->at_ms, metrics_.consumed, decided.processed + decided.dead_lettered});
    if (history_.size() > kHistoryPoints) history_.pop_front();
  }
  s->history.assign(history_.begin(), history_.end());
  for (const auto& c : client_stats_) {
    if (!c.client.empty()) s->clients.push_back(c);
  }
  site_->publish(std::move(s));
}

}  // namespace consume::detail
