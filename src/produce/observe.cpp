// --http for `orders produce`: the send loop publishes a snapshot a few times a second (checked
// where it shows its progress, never per order); the server's threads read only that.
#include <spdlog/spdlog.h>

#include "produce/session.h"
#include "util/errors.h"
#include "util/version.h"
#include "util/wall_clock.h"

namespace produce {
namespace {

using namespace std::chrono_literals;

constexpr auto kPublishEvery = 250ms;
constexpr auto kHistoryEvery = 1s;
constexpr std::size_t kHistoryPoints = 300;

}  // namespace

void Session::start_http() {
  if (!o_.http) return;
  site_ = std::make_unique<observe::ProducerSite>();
  publish_state(Clock::now(), true);
  try {
    server_ = std::make_unique<http::Server>(*o_.http, o_.http_allow_hosts, *site_);
  } catch (const std::runtime_error& e) {
    throw util::UsageError(e.what());
  }
  spdlog::info("Serving metrics and a page on http://{}/ (--http)",
               observe::ListenAddress{o_.http->host, server_->port()}.to_string());
}

void Session::publish_state(Clock::time_point now, bool force) {
  if (!site_ || (!force && now < next_publish_)) return;
  next_publish_ = now + kPublishEvery;
  if (producer_) {
    if (auto text = producer_->events().take_stats()) {
      if (auto parsed = observe::parse_rdkafka_stats(*text, "producer")) client_stats_ = *parsed;
    }
  }
  auto s = std::make_shared<observe::ProducerSnapshot>();
  s->build = {util::kVersion, kafka::library_version()};
  s->topic = o_.topic;
  s->rate = o_.rate.value_or(0);
  s->at_ms = util::wall_ms();
  s->uptime_seconds =
      start_ == Clock::time_point{} ? 0 : std::chrono::duration<double>(now - start_).count();
  s->finished = finished_;
  s->requested = metrics_.requested;
  s->sent = metrics_.generated;
  s->acknowledged = metrics_.produced;
  s->failed = delivery_.delivery_failures + enqueue_failures_;
  s->bytes = metrics_.bytes;
  s->in_flight = producer_ ? static_cast<std::uint64_t>(std::max(0, producer_->outq_len())) : 0;
  s->delivery = metrics_.latency;
  if (force || now >= next_history_) {
    next_history_ = now + kHistoryEvery;
    history_.push_back({s->at_ms, s->sent, s->acknowledged});
    if (history_.size() > kHistoryPoints) history_.pop_front();
  }
  s->history.assign(history_.begin(), history_.end());
  if (!client_stats_.client.empty()) s->clients.push_back(client_stats_);
  site_->publish(std::move(s));
}

}  // namespace produce
