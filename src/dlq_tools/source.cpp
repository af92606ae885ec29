#include "dlq_tools/source.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "kafka/admin.h"
#include "kafka/error.h"
#include "util/stop_signal.h"

namespace dlq_tools {

DlqSource::DlqSource(DlqSourceOptions options) : options_(std::move(options)) {
  auto props = options_.consumer_props;
  // Like orders consume: a dead letter written in a transaction that aborted was never one (its
  // record was processed again and dead-lettered anew, or not), and read_uncommitted cannot tell
  // such records from committed ones. So no flag or -X shows them.
  if (const auto level = kafka::force_read_committed(props)) {
    spdlog::warn("ignoring isolation.level={} (only committed dead letters are read)", *level);
  }
  // EOF events end a partition whose last offsets are transaction markers or aborted records,
  // which a read_committed consumer never returns.
  props.set("enable.partition.eof", "true");
  consumer_ = std::make_unique<kafka::Consumer>(props);
  reader_ = std::make_unique<kafka::TopicReader>(*consumer_, options_.topic);
  const std::string bootstrap = props.get_or("bootstrap.servers", kafka::kDefaultBootstrap);
  kafka::check_connectivity(*consumer_, bootstrap, options_.timeout, &consumer_->events(),
                            [] { return util::stop_requested(); });
  if (!reader_->snapshot(options_.timeout, [] { return util::stop_requested(); })) {
    throw kafka::KafkaException(kafka::ERR_UNKNOWN_TOPIC_OR_PART,
                                "dead-letter topic '" + options_.topic + "' does not exist");
  }
  if (options_.use_group) {
    std::vector<kafka::TopicPartitionOffset> parts;
    for (std::int32_t p = 0; p < partition_count(); ++p) parts.push_back({options_.topic, p, -1});
    for (const auto& c : consumer_->committed(parts, options_.timeout)) {
      // A committed offset below the low watermark was deleted by retention: start at the low.
      if (c.offset >= 0) reader_->start_at_least(c.partition, c.offset);
    }
  }
  reader_->assign(true, options_.follow);
  spdlog::debug("reading {} partition(s) of {}, {} record(s) before the end snapshot",
                partition_count(), options_.topic, backlog());
  last_progress_ = std::chrono::steady_clock::now();
}

std::int64_t DlqSource::backlog() const {
  std::int64_t total = 0;
  const auto& start = reader_->start();
  const auto& end = reader_->end();
  for (std::size_t p = 0; p < end.size(); ++p)
    total += std::max<std::int64_t>(0, end[p] - start[p]);
  return total;
}

std::optional<pipeline::SourceRecord> DlqSource::poll(std::chrono::milliseconds wait) {
  auto polled = reader_->poll(wait);
  const auto now = std::chrono::steady_clock::now();
  if (polled.progressed) {
    last_progress_ = now;
  } else if (!options_.follow && !finished() && now - last_progress_ > options_.timeout) {
    throw kafka::KafkaException(kafka::ERR__TIMED_OUT,
                                "no progress reading '" + options_.topic + "' for " +
                                    std::to_string(options_.timeout.count() / 1000) + "s (" +
                                    consumer_->events().last_error() + ")");
  }
  return std::move(polled.record);
}

std::vector<kafka::TopicPartitionOffset> DlqSource::positions() const {
  std::vector<kafka::TopicPartitionOffset> out;
  const auto& start = reader_->start();
  const auto& next = reader_->next();
  for (std::size_t p = 0; p < next.size(); ++p) {
    if (next[p] != start[p]) out.push_back({options_.topic, static_cast<std::int32_t>(p), next[p]});
  }
  return out;
}

}  // namespace dlq_tools
