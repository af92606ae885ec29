// Dead letters: writing them (inside the open transaction, or by the idempotent producer) and
// their delivery reports.
#include <spdlog/spdlog.h>

#include "consume/session.h"
#include "pipeline/dead_letter.h"
#include "util/wall_clock.h"

namespace consume::detail {

void ConsumeSession::write_dead_letter(PartitionState& ps, std::int32_t partition,
                                       std::int64_t offset) {
  if (!follow(committer_->before_dead_letter(ps, partition, offset))) return;
  const auto& pending = ps.pipeline->dead_letter(offset);
  if (!ensure_dlq_topic()) {
    ++metrics_.dead_letter_write_failures;
    ps.pipeline->dead_letter_failed(offset, "DLQ topic not available", Clock::now());
    return;
  }
  const auto& rec = pending.record;
  const pipeline::DeadLetterContext context{opt_.group, opt_.host, util::wall_ms()};
  const auto source = std::pair{partition, offset};
  const std::string_view key = rec.key ? std::string_view(*rec.key) : std::string_view();
  // The DLQ mirrors the source's partitioning, so a partition's dead letters stay in order.
  const std::int32_t dlq_partition = partition % *dlq_partitions_;
  std::string_view value;
  std::string_view written_key;  // what the delivery report will show: the outbox matches on it
  auto produce = [&](bool omit) {
    const auto m =
        pipeline::dead_letter_message(rec, pending.dead_letter, context, dlq_max_bytes_, omit);
    value = rec.value && !m.value_omitted ? std::string_view(*rec.value) : std::string_view();
    if (m.value_omitted) {
      spdlog::warn(
          "Dead letter for {}[{}]@{} written without its value ({} bytes){}: too large for the "
          "DLQ; the original stays in {}",
          opt_.topic, partition, offset, rec.value ? rec.value->size() : 0,
          m.key_omitted ? fmt::format(" and without its key ({} bytes)", key.size()) : "",
          opt_.topic);
    }
    std::vector<kafka::Header> views;
    views.reserve(m.headers.size());
    for (const auto& [k, v] : m.headers) views.push_back({k, v});
    written_key = m.key_omitted ? std::string_view() : key;
    return producer_->produce(opt_.dlq_topic, written_key, value, views, dlq_partition);
  };
  const bool omitted = dlq_omit_value_.count(source) > 0;
  Error e = produce(omitted);
  // The local size check (message.max.bytes) counts differently than estimated: omit the value.
  if (e.code == kafka::ERR_MSG_SIZE_TOO_LARGE && !omitted) e = produce(true);
  if (e) {
    ++metrics_.dead_letter_write_failures;
    spdlog::error("Cannot write dead letter for {}[{}]@{}: {}", opt_.topic, partition, offset,
                  e.message);
    if (e.fatal) producer_failed("writing a dead letter", e);
    if (e.code == kafka::ERR__UNKNOWN_TOPIC || e.code == kafka::ERR_UNKNOWN_TOPIC_OR_PART) {
      dlq_partitions_.reset();  // gone: created again before the next dead letter
    }
    dead_letter_failed(ps, partition, offset, e.message);
    return;
  }
  outbox_.sent(dlq_partition,
               pipeline::OutboxEntry{partition, offset, ps.epoch, pending.dead_letter.error_class,
                                     std::string(written_key), value.size()});
}

void ConsumeSession::on_delivery(const DeliveryReport& report) {
  if (report.topic == opt_.aggregates_topic) {
    if (!report.ok()) check_aggregates_topic(report.error);
    committer_->on_checkpoint_report(report);
  } else {
    on_dead_letter_report(report);
  }
}

void ConsumeSession::on_dead_letter_report(const DeliveryReport& report) {
  auto entry = outbox_.reported(report.partition, report.key, report.value_size);
  if (!entry) {
    spdlog::error("Delivery report for an unknown dead letter ({}[{}]); ignored", report.topic,
                  report.partition);
    return;
  }
  if (!pipeline::report_is_current(core_.running_epoch(entry->source_partition), entry->epoch)) {
    // Sent by a pipeline since rewound or revoked (an aborted transaction purges its messages).
    spdlog::debug("Dead letter for {}[{}]@{} belongs to an earlier assignment: {}", opt_.topic,
                  entry->source_partition, entry->source_offset,
                  report.ok() ? "delivered" : report.reason);
    return;
  }
  PartitionState& ps = *core_.find(entry->source_partition);
  const auto source = std::pair{entry->source_partition, entry->source_offset};
  if (report.error == kafka::ERR_MSG_SIZE_TOO_LARGE) {
    // The DLQ topic takes less than the producer: the next write goes without the value.
    dlq_omit_value_.insert(source);
  }
  if (report.ok()) {
    dlq_omit_value_.erase(source);
    Tally& t = committer_->tally(entry->source_partition);
    ++t.dead_lettered;
    ++t.dead_lettered_by_class[std::string(pipeline::to_string(entry->error_class))];
    last_finished_ = Clock::now();
    ps.pipeline->dead_letter_delivered(entry->source_offset);
    // Its delivery may move the commit offset: a commit made while it was pending (its write
    // failed, the partition halted) stopped there, and no later record may come to trigger the
    // next one (at-least-once stayed uncommitted until shutdown).
    core_.schedule().finished(1, last_finished_);
    spdlog::debug("Dead letter for {}[{}]@{} stored at {}[{}]@{}", opt_.topic,
                  entry->source_partition, entry->source_offset, report.topic, report.partition,
                  report.offset);
    return;
  }
  ++metrics_.dead_letter_write_failures;
  spdlog::error("Dead letter for {}[{}]@{} was not written: {}", opt_.topic,
                entry->source_partition, entry->source_offset, report.reason);
  // A deleted DLQ is created again explicitly (the producer never auto-creates topics).
  if (report.error == kafka::ERR__UNKNOWN_TOPIC ||
      report.error == kafka::ERR_UNKNOWN_TOPIC_OR_PART) {
    dlq_partitions_.reset();
  }
  dead_letter_failed(ps, entry->source_partition, entry->source_offset, std::string(report.reason));
}

void ConsumeSession::dead_letter_failed(PartitionState& ps, std::int32_t partition,
                                        std::int64_t offset, const std::string& error) {
  committer_->dead_letter_failed(partition, offset, error);
  ps.pipeline->dead_letter_failed(offset, error, Clock::now());
}

}  // namespace consume::detail
