// `orders dlq replay`: check the options, set up the clients' properties, run the Replayer and
// print its report.
#include <spdlog/spdlog.h>

#include <iostream>

#include "dlq/render_json.h"
#include "dlq/replay_report.h"
#include "dlq_tools/dlq_tools.h"
#include "dlq_tools/replayer.h"
#include "util/errors.h"
#include "util/stop_signal.h"
#include "util/wall_clock.h"

namespace dlq_tools {

std::string default_transactional_id(const std::string& group, const std::string& dlq_topic) {
  return "orders-dlq-replay." + group + "." + dlq_topic;
}

bool run_replay(const ReplayOptions& options, const kafka::Properties& consumer_props,
                const kafka::Properties& producer_props) {
  dlq::ReplayOptions plan;
  util::as_usage([&] {
    plan.filter = dlq::parse_filter(options.common.filter, util::wall_ms());
    plan.to = options.to;
    plan.force = options.force;
    plan.skip_refused = options.skip_refused;
    plan.targets.allow = options.allow_topics;
    plan.targets.dlq_topic = options.common.topic;
    plan.targets.never_topics = {options.aggregates_topic};
    dlq::check_replay_options(plan);
  });
  DlqSourceOptions source;
  source.consumer_props = consumer_props;
  source.topic = options.common.topic;
  source.use_group = true;
  source.consumer_props.set("group.id", options.group);
  source.consumer_props.set("client.id", "orders-dlq-replay");
  kafka::Properties producer = producer_props;
  // One id per group and DLQ: replays of two DLQs with the same (default) group must not fence
  // each other off; two runs of the same replay must.
  producer.set("transactional.id", options.transactional_id.value_or(default_transactional_id(
                                       options.group, options.common.topic)));
  producer.set("client.id", "orders-dlq-replay");

  util::install_stop_handlers();
  Replayer replayer(options, std::move(plan), std::move(source), std::move(producer));
  replayer.run();
  const auto& report = replayer.report();
  if (options.common.json) {
    std::cout << dlq::dump_line(dlq::replay_json(report, replayer.info())) << '\n';
  } else {
    std::cout << dlq::render_replay_text(report, replayer.info());
  }
  std::cout.flush();
  for (const auto& p : report.problems) spdlog::error("not replayed: {}", p);
  return report.ok();
}

}  // namespace dlq_tools
