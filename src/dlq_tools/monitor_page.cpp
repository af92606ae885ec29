#include "dlq_tools/monitor_page.h"

#include <spdlog/spdlog.h>

#include "dlq/render_json.h"
#include "kafka/config.h"
#include "util/errors.h"
#include "util/version.h"
#include "util/wall_clock.h"

namespace dlq_tools {
namespace {

constexpr std::size_t kRecent = 50;
constexpr auto kPublishEvery = std::chrono::milliseconds(250);

}  // namespace

MonitorPage::MonitorPage(const observe::ListenAddress& at,
                         const std::vector<std::string>& allow_hosts, std::string topic)
    : topic_(std::move(topic)) {
  publish(true);
  try {
    server_ = std::make_unique<http::Server>(at, allow_hosts, site_);
  } catch (const std::runtime_error& e) {
    throw util::UsageError(e.what());
  }
  spdlog::info("Serving the DLQ page on http://{}/ (--http)",
               observe::ListenAddress{at.host, server_->port()}.to_string());
}

void MonitorPage::add(const dlq::DlqRecord& record, std::uint64_t n, const dlq::Summary& summary) {
  summary_ = summary;
  recent_.push_back(dlq::dump_line(dlq::record_json(record, n, util::wall_ms())));
  if (recent_.size() > kRecent) recent_.pop_front();
}

void MonitorPage::publish(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now < next_publish_) return;
  next_publish_ = now + kPublishEvery;
  auto s = std::make_shared<observe::DlqSnapshot>();
  s->build = {util::kVersion, kafka::library_version()};
  s->topic = topic_;
  s->at_ms = util::wall_ms();
  s->uptime_seconds = std::chrono::duration<double>(now - started_).count();
  s->summary = summary_;
  s->recent.assign(recent_.begin(), recent_.end());
  site_.publish(std::move(s));
}

}  // namespace dlq_tools
