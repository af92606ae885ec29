// `orders dlq`: read the dead-letter topic, print each (filtered) record and a summary.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>

#include "dlq/dlq_record.h"
#include "dlq/render_json.h"
#include "dlq/render_text.h"
#include "dlq/summary.h"
#include "dlq_tools/dlq_tools.h"
#include "dlq_tools/monitor_page.h"
#include "dlq_tools/source.h"
#include "kafka/error.h"
#include "registry/framed_reader.h"
#include "util/errors.h"
#include "util/stop_signal.h"
#include "util/wall_clock.h"

namespace dlq_tools {
namespace {

constexpr auto kPollWait = std::chrono::milliseconds(200);
constexpr auto kFollowCommitInterval = std::chrono::seconds(5);
constexpr auto kCommitTimeout = std::chrono::seconds(10);

// librdkafka's C++ consumer insists on a group.id; an unused random one stores nothing on the
// broker because this consumer never subscribes or commits.
std::string throwaway_group() {
  std::random_device rd;
  return "orders-dlq-monitor-" + std::to_string(rd()) + std::to_string(rd());
}

void commit_positions(DlqSource& source) {
  if (auto e =
          source.consumer().commit_sync(source.positions(), util::stop_bounded(kCommitTimeout))) {
    spdlog::warn("could not commit the monitor's position: {}", e.message);
  }
}

}  // namespace

void run_monitor(const MonitorOptions& options, const kafka::Properties& consumer_props) {
  dlq::Filter filter;
  DlqSourceOptions from;
  util::as_usage([&] { filter = dlq::parse_filter(options.common.filter, util::wall_ms()); });
  from.consumer_props = consumer_props;
  from.topic = options.common.topic;
  from.follow = options.follow;
  from.use_group = options.group.has_value();
  from.consumer_props.set("group.id", options.group ? *options.group : throwaway_group());
  from.consumer_props.set("client.id", "orders-dlq");
  const std::string scope = dlq::describe_scope(options.common.topic, filter);

  util::install_stop_handlers();
  std::unique_ptr<MonitorPage> page;
  if (options.http)
    page = std::make_unique<MonitorPage>(*options.http, options.http_allow_hosts,
                                         options.common.topic);
  dlq::Summary summary;
  std::uint64_t n = 0;
  registry::FramedReader framed(options.common.registry);
  {
    DlqSource source(from);
    if (options.follow)
      spdlog::info("following {} (Ctrl-C prints the summary)", options.common.topic);
    auto last_commit = std::chrono::steady_clock::now();
    while (!util::stop_requested() && !source.finished()) {
      if (page) page->publish();
      auto raw = source.poll(kPollWait);
      if (from.use_group && options.follow &&
          std::chrono::steady_clock::now() - last_commit > kFollowCommitInterval) {
        commit_positions(source);
        last_commit = std::chrono::steady_clock::now();
      }
      if (!raw) continue;
      const auto record = dlq::to_dlq_record(std::move(*raw), &framed.reader());
      if (!filter.matches(record)) continue;
      ++n;
      summary.add(record);
      if (page) page->add(record, n, summary);
      if (options.summary_only) continue;
      const auto now = util::wall_ms();
      if (options.common.json) {
        std::cout << dlq::dump_line(dlq::record_json(record, n, now)) << '\n';
      } else {
        std::cout << dlq::render_record_text(record, n, now) << '\n';
      }
      if (options.follow) std::cout.flush();  // someone is watching
    }
    if (from.use_group) commit_positions(source);
  }
  const auto now = util::wall_ms();
  if (options.common.json) {
    auto j = dlq::summary_json(summary, options.common.topic, now);
    j["scope"] = scope;
    std::cout << dlq::dump_line(j) << '\n';
  } else {
    std::cout << dlq::render_summary_text(summary, scope, now);
  }
  std::cout.flush();
}

}  // namespace dlq_tools
