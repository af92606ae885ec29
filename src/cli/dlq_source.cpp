#include "cli/dlq_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "kafka/admin.h"
#include "kafka/error.h"
#include "util/stop_signal.h"

namespace cli {
namespace {

pipeline::SourceRecord to_source_record(RdKafka::Message& m) {
  pipeline::SourceRecord r;
  r.topic = m.topic_name();
  r.partition = m.partition();
  r.offset = m.offset();
  const auto ts = m.timestamp();
  r.timestamp_ms =
      ts.type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE ? -1 : ts.timestamp;
  if (m.key_pointer()) r.key.emplace(static_cast<const char*>(m.key_pointer()), m.key_len());
  if (m.payload()) r.value.emplace(static_cast<const char*>(m.payload()), m.len());
  if (RdKafka::Headers* headers = m.headers()) {
    for (const auto& h : headers->get_all()) {
      const char* v = static_cast<const char*>(h.value());
      r.headers.emplace_back(h.key(), v ? std::string(v, h.value_size()) : std::string());
    }
  }
  return r;
}

}  // namespace

DlqSource::DlqSource(DlqSourceOptions options) : options_(std::move(options)) {
  auto props = options_.consumer_props;
  // EOF events end a partition whose last offsets are transaction markers or aborted records,
  // which a read_committed consumer never returns.
  props.set("enable.partition.eof", "true");
  consumer_ = std::make_unique<kafka::Consumer>(props);
  auto& raw = consumer_->raw();
  const std::string bootstrap = props.get_or("bootstrap.servers", kafka::kDefaultBootstrap);
  kafka::check_connectivity(raw, bootstrap, options_.timeout, &consumer_->events(),
                            [] { return util::stop_requested(); });
  const auto count = kafka::partition_count(raw, options_.topic, options_.timeout);
  if (!count) {
    throw kafka::KafkaException(RdKafka::ERR_UNKNOWN_TOPIC_OR_PART,
                                "dead-letter topic '" + options_.topic + "' does not exist");
  }
  const auto n = static_cast<std::size_t>(*count);
  start_.assign(n, 0);
  end_.assign(n, 0);
  std::vector<kafka::TopicPartitionOffset> assignment;
  for (std::int32_t p = 0; p < *count; ++p) {
    std::int64_t low = 0, high = 0;
    const auto code = raw.query_watermark_offsets(options_.topic, p, &low, &high,
                                                  static_cast<int>(options_.timeout.count()));
    if (code != RdKafka::ERR_NO_ERROR) {
      throw kafka::KafkaException(code, "cannot read the end offsets of '" + options_.topic +
                                            "': " + RdKafka::err2str(code));
    }
    start_[static_cast<std::size_t>(p)] = low;
    end_[static_cast<std::size_t>(p)] = high;
    assignment.push_back({options_.topic, p, low});
  }
  if (options_.use_group) {
    for (const auto& c : consumer_->committed(assignment, options_.timeout)) {
      auto& s = start_[static_cast<std::size_t>(c.partition)];
      // A committed offset below the low watermark was deleted by retention: start at the low.
      if (c.offset >= 0) s = std::max(s, c.offset);
    }
  }
  next_ = start_;
  done_.assign(n, false);
  for (std::size_t p = 0; p < n; ++p) {
    assignment[p].offset = start_[p];
    done_[p] = !options_.follow && start_[p] >= end_[p];
  }
  kafka::OwnedPartitionList list(assignment);
  if (const auto code = raw.assign(list.get()); code != RdKafka::ERR_NO_ERROR) {
    throw kafka::KafkaException(
        code, "cannot assign '" + options_.topic + "': " + RdKafka::err2str(code));
  }
  spdlog::debug("reading {} partition(s) of {}, {} record(s) before the end snapshot", n,
                options_.topic, backlog());
  last_progress_ = std::chrono::steady_clock::now();
}

std::int64_t DlqSource::backlog() const {
  std::int64_t total = 0;
  for (std::size_t p = 0; p < end_.size(); ++p)
    total += std::max<std::int64_t>(0, end_[p] - start_[p]);
  return total;
}

bool DlqSource::finished() const {
  if (options_.follow) return false;
  return std::all_of(done_.begin(), done_.end(), [](bool d) { return d; });
}

void DlqSource::mark_done(std::int32_t partition) {
  if (options_.follow) return;
  if (partition >= 0 && static_cast<std::size_t>(partition) < done_.size()) {
    done_[static_cast<std::size_t>(partition)] = true;
  }
}

std::optional<pipeline::SourceRecord> DlqSource::poll(std::chrono::milliseconds wait) {
  auto msg = consumer_->consume(wait);
  const auto now = std::chrono::steady_clock::now();
  if (!msg) {
    if (!options_.follow && !finished() && now - last_progress_ > options_.timeout) {
      throw kafka::KafkaException(RdKafka::ERR__TIMED_OUT,
                                  "no progress reading '" + options_.topic + "' for " +
                                      std::to_string(options_.timeout.count() / 1000) + "s (" +
                                      consumer_->events().last_error() + ")");
    }
    return std::nullopt;
  }
  switch (msg->err()) {
    case RdKafka::ERR_NO_ERROR:
      break;
    case RdKafka::ERR__PARTITION_EOF:
      last_progress_ = now;
      mark_done(msg->partition());
      return std::nullopt;
    default: {
      const auto e = kafka::Error::from_code(msg->err(), msg->errstr());
      if (e.fatal || msg->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART ||
          msg->err() == RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED ||
          msg->err() == RdKafka::ERR_GROUP_AUTHORIZATION_FAILED) {
        throw kafka::KafkaException(e);
      }
      spdlog::warn("reading {}: {}", options_.topic, e.message);
      return std::nullopt;
    }
  }
  last_progress_ = now;
  const auto p = static_cast<std::size_t>(msg->partition());
  if (p < next_.size()) {
    next_[p] = msg->offset() + 1;
    if (next_[p] >= end_[p]) mark_done(msg->partition());
  }
  return to_source_record(*msg);
}

std::vector<kafka::TopicPartitionOffset> DlqSource::positions() const {
  std::vector<kafka::TopicPartitionOffset> out;
  for (std::size_t p = 0; p < next_.size(); ++p) {
    if (next_[p] != start_[p])
      out.push_back({options_.topic, static_cast<std::int32_t>(p), next_[p]});
  }
  return out;
}

}  // namespace cli
