// `orders dlq`: read the dead-letter topic, print each (filtered) record and a summary.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>

#include "cli/dlq_flags.h"
#include "cli/dlq_source.h"
#include "cli/exit_status.h"
#include "dlq/dlq_record.h"
#include "dlq/render_json.h"
#include "dlq/render_text.h"
#include "dlq/summary.h"
#include "kafka/error.h"
#include "util/stop_signal.h"
#include "util/wall_clock.h"

namespace cli {
namespace {

constexpr auto kPollWait = std::chrono::milliseconds(200);
constexpr auto kFollowCommitInterval = std::chrono::seconds(5);

// librdkafka's C++ consumer insists on a group.id; an unused random one stores nothing on the
// broker because this consumer never subscribes or commits.
std::string throwaway_group() {
  std::random_device rd;
  return "orders-dlq-monitor-" + std::to_string(rd()) + std::to_string(rd());
}

void commit_positions(DlqSource& source) {
  if (auto e = source.consumer().commit_sync(source.positions())) {
    spdlog::warn("could not commit the monitor's position: {}", e.message);
  }
}

}  // namespace

int run_dlq_monitor(const DlqMonitorFlags& f) {
  use_dlq_logger(f.common);
  dlq::Filter filter;
  DlqSourceOptions o;
  as_usage([&] { filter = build_filter(f.common, util::wall_ms()); });
  o.consumer_props = resolve_kafka_properties(f.common.kafka, kafka::consumer_defaults());
  o.topic = f.common.topic;
  o.follow = f.follow;
  o.use_group = f.group.has_value();
  o.consumer_props.set("group.id", f.group ? *f.group : throwaway_group());
  o.consumer_props.set("client.id", "orders-dlq");
  const std::string scope = describe_scope(f.common, filter);

  util::install_stop_handlers();
  dlq::Summary summary;
  std::uint64_t n = 0;
  {
    DlqSource source(o);
    if (f.follow) spdlog::info("following {} (Ctrl-C prints the summary)", f.common.topic);
    auto last_commit = std::chrono::steady_clock::now();
    while (!util::stop_requested() && !source.finished()) {
      auto raw = source.poll(kPollWait);
      if (o.use_group && f.follow &&
          std::chrono::steady_clock::now() - last_commit > kFollowCommitInterval) {
        commit_positions(source);
        last_commit = std::chrono::steady_clock::now();
      }
      if (!raw) continue;
      const auto record = dlq::to_dlq_record(std::move(*raw));
      if (!filter.matches(record)) continue;
      ++n;
      summary.add(record);
      if (f.summary_only) continue;
      const auto now = util::wall_ms();
      if (f.common.json) {
        std::cout << dlq::dump_line(dlq::record_json(record, n, now)) << '\n';
      } else {
        std::cout << dlq::render_record_text(record, n, now) << '\n';
      }
      if (f.follow) std::cout.flush();  // someone is watching
    }
    if (o.use_group) commit_positions(source);
  }
  const auto now = util::wall_ms();
  if (f.common.json) {
    auto j = dlq::summary_json(summary, f.common.topic, now);
    j["scope"] = scope;
    std::cout << dlq::dump_line(j) << '\n';
  } else {
    std::cout << dlq::render_summary_text(summary, scope, now);
  }
  std::cout.flush();
  return 0;
}

}  // namespace cli
