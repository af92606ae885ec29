// Starting a run: the producer (transactional or idempotent), the topics it writes, the group
// consumer; and the stall watchdog, which may start a new consumer.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "consume/aggregates_topic.h"
#include "consume/session.h"
#include "kafka/admin.h"
#include "pipeline/stall_watch.h"
#include "util/duration.h"
#include "util/stop_signal.h"
#include "util/time_left.h"

namespace consume::detail {
namespace {

using kafka::check_connectivity;
using kafka::Consumer;
using kafka::ensure_topic;
using kafka::partition_count;
using kafka::Producer;
using kafka::Properties;
using kafka::RebalanceHooks;
using kafka::TopicSpec;

using namespace std::chrono_literals;

constexpr auto kAdminTimeout = 15s;
constexpr auto kConnectTimeout = 10s;
constexpr auto kMetadataTimeout = 5s;

}  // namespace

bool ConsumeSession::ensure_dlq_topic() {
  if (dlq_partitions_) return true;
  try {
    auto source = partition_count(*producer_, opt_.topic, kAdminTimeout);
    if (!source) {
      spdlog::warn("Topic '{}' does not exist (yet); waiting for it", opt_.topic);
      return false;
    }
    auto r = ensure_topic(*producer_, TopicSpec{opt_.dlq_topic, *source, -1, {}}, kAdminTimeout);
    dlq_partitions_ = std::max(1, r.partitions);
    if (!r.created) {
      spdlog::debug("DLQ topic {} has {} partition(s)", opt_.dlq_topic, *dlq_partitions_);
    }
    return true;
  } catch (const std::exception& e) {
    spdlog::error("Cannot prepare DLQ topic '{}': {}", opt_.dlq_topic, e.what());
    return false;
  }
}

void ConsumeSession::ensure_aggregates_topic() {
  // One partition: a few small records per batch, read in full on every assignment. Compaction
  // keeps one value per key (group and source partition).
  const auto config = aggregates_topic_config();
  TopicSpec spec{opt_.aggregates_topic, 1, -1, {config.begin(), config.end()}};
  auto r = ensure_topic(*producer_, spec, kAdminTimeout);
  if (r.created) spdlog::info("Created aggregates topic '{}' (compacted)", opt_.aggregates_topic);
  std::optional<std::map<std::string, std::string>> actual;
  try {
    // Just created (by this process or another): a broker of a cluster may not know it for a
    // moment (seen on 3 nodes: "does not exist" 23 ms after the creation). Asked again briefly.
    actual = kafka::topic_config(*producer_, opt_.aggregates_topic, kAdminTimeout);
    for (int i = 0; i < 20 && !actual && !util::stop_requested(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      actual = kafka::topic_config(*producer_, opt_.aggregates_topic, kAdminTimeout);
    }
  } catch (const kafka::KafkaException& e) {
    // E.g. no DescribeConfigs permission: nothing is known to be wrong.
    spdlog::warn("Cannot check the configuration of aggregates topic '{}': {}",
                 opt_.aggregates_topic, e.what());
    return;
  }
  if (!actual) throw kafka::KafkaException(kafka::ERR_UNKNOWN_TOPIC_OR_PART, aggregates_gone());
  if (auto problem = aggregates_topic_problem(*actual)) {
    throw kafka::ConfigError("aggregates topic '" + opt_.aggregates_topic +
                             "' cannot hold checkpoints: " + *problem +
                             ". Make it compacted (kafka-configs --alter --entity-type topics "
                             "--entity-name " +
                             opt_.aggregates_topic +
                             " --add-config cleanup.policy=compact) or name another "
                             "--aggregates-topic");
  }
}

std::string ConsumeSession::aggregates_gone() const {
  return "aggregates topic '" + opt_.aggregates_topic +
         "' does not exist (deleted while running?): the group's checkpoints are gone; it is not "
         "re-created behind the operator's back. Restarting creates it again (compacted) and "
         "starts every partition at its committed offset with an empty aggregate";
}

void ConsumeSession::check_aggregates_topic(kafka::ErrorCode code) {
  // Only errors that may mean the topic is gone are worth a metadata request: unknown topic or
  // partition, and timeouts (a transaction's checkpoints for a deleted topic are never sent).
  switch (code) {
    case kafka::ERR__UNKNOWN_TOPIC:
    case kafka::ERR_UNKNOWN_TOPIC_OR_PART:
    case kafka::ERR__UNKNOWN_PARTITION:
    case kafka::ERR__TIMED_OUT:
    case kafka::ERR__MSG_TIMED_OUT:
      break;
    default:
      return;
  }
  // A batch's failed checkpoints are reported together: one metadata request answers them all.
  if (core_.run().failed() || Clock::now() < next_topic_check_) return;
  next_topic_check_ = Clock::now() + 1s;
  try {
    if (!partition_count(*producer_, opt_.aggregates_topic, kMetadataTimeout)) {
      set_fatal(aggregates_gone());
    }
  } catch (const std::exception& e) {
    spdlog::debug("Aggregates topic check: {}", e.what());
  }
}

void ConsumeSession::start() {
  start_http();  // first: /healthz answers while the clients connect
  Properties pprops = opt_.producer_props;
  // A deleted aggregates (or DLQ) topic must not come back with the broker's defaults
  // (uncompacted, other partitions): topics are created explicitly, or the run stops.
  for (auto [k, v] : {std::pair{"acks", "all"}, std::pair{"enable.idempotence", "true"},
                      std::pair{"allow.auto.create.topics", "false"}}) {
    const std::string* cur = pprops.find(k);
    if (cur && *cur != v && !(std::string(k) == "acks" && (*cur == "-1"))) {
      spdlog::warn("Producer: ignoring {}={} (dead letters and checkpoints need {}={})", k, *cur, k,
                   v);
    }
    pprops.set(k, v);
  }
  committer_->configure_producer(pprops);
  producer_props_ = pprops;
  producer_ = make_producer();

  check_connectivity(*producer_, opt_.bootstrap, kConnectTimeout, &producer_->events(),
                     [] { return util::stop_requested(); });
  ensure_aggregates_topic();
  committer_->start();

  Properties rprops = opt_.consumer_props;
  reader_ = std::make_unique<CheckpointReader>(rprops, opt_.aggregates_topic);

  const std::string* isolation = opt_.consumer_props.find("isolation.level");
  if (isolation && *isolation != "read_committed") {
    spdlog::warn("Consumer: ignoring isolation.level={} (only committed records are processed)",
                 *isolation);
  }
  consumer_ = make_consumer();
  ensure_dlq_topic();
  consumer_->subscribe({opt_.topic});
  spdlog::info("🚀 Consumer started (group '{}', {}{}), listening for orders on '{}'...", opt_.group,
               to_string(opt_.semantics),
               committer_->transactional_id().empty()
                   ? std::string()
                   : ", transactional.id '" + committer_->transactional_id() + "'",
               opt_.topic);
}

std::unique_ptr<Producer> ConsumeSession::make_producer() {
  return std::make_unique<Producer>(producer_props_,
                                    [this](const DeliveryReport& r) { on_delivery(r); });
}

void ConsumeSession::recover_producer() {
  const auto pending = *core_.run().recovery();
  while (Clock::now() < pending.due) {
    if (util::stop_requested()) return;  // the run ends (run())
    std::this_thread::sleep_for(std::clamp(
        std::chrono::ceil<std::chrono::milliseconds>(util::time_left(pending.due, Clock::now())),
        1ms, 100ms));
  }
  core_.run().on(pipeline::run_event::RecoveryStarted{});
  spdlog::warn(
      "Recovering from a failed transactional producer ({}; attempt {}): replacing it (same "
      "transactional.id '{}'); its uncommitted transaction is dropped and every partition "
      "continues from its last committed checkpoint",
      pending.failure, pending.attempt, committer_->transactional_id());
  // Its messages belong to the rolled-back transaction (invisible to read_committed readers):
  // dropped, not waited for. Their reports, if served, belong to the past.
  core_.renew_epochs();
  producer_->purge();
  producer_->poll(0ms);
  outbox_.clear();  // dead letters in flight are written again when their records are reprocessed
  producer_.reset();
  producer_ = make_producer();
  restore_all();
  if (Error e = committer_->producer_replaced()) {
    ++metrics_.producer_recovery_failures;
    producer_failed("init_transactions", e);  // the next attempt, or the end of the run
    return;
  }
  ++metrics_.producer_recoveries;
  spdlog::info("Transactional producer replaced; partitions restore their committed checkpoints");
}

std::unique_ptr<Consumer> ConsumeSession::make_consumer() {
  Properties cprops = opt_.consumer_props;
  cprops.set("group.id", opt_.group);
  cprops.set("isolation.level", "read_committed");
  RebalanceHooks hooks;
  hooks.on_assigned = [this](const auto& parts) { on_assigned(parts); };
  hooks.on_revoked = [this](const auto& parts, bool lost) { on_revoked(parts, lost); };
  return std::make_unique<Consumer>(cprops, std::move(hooks));
}

void ConsumeSession::check_stalls() {
  bool restart = false;
  for (const auto& candidate : core_.stall_candidates(Clock::now())) {
    const auto partition = candidate.partition;
    // Under read_committed the end librdkafka reports is the last stable offset.
    kafka::Consumer::Watermarks w;
    if (consumer_->query_watermarks(opt_.topic, partition, 2000ms, w)) continue;
    // Seen with librdkafka 2.0 after a partition leader moved (3-node cluster, one node
    // killed): the partition's fetcher never resumes.
    const auto step =
        core_.stall_checked(candidate, w.low, w.high, logical_start() == kafka::kOffsetBeginning);
    switch (step.action) {
      case pipeline::StallAction::none:
        break;
      case pipeline::StallAction::seek:
        // Records already taken are not taken twice.
        spdlog::warn(
            "Partition {}[{}]: no records for {} although the log ends at {} (next offset {}); "
            "restarting its fetch",
            opt_.topic, partition, util::format_duration(pipeline::ConsumerCore::kStallAfter),
            w.high, step.next);
        if (Error e = consumer_->seek({opt_.topic, partition, step.next}, 5s)) {
          spdlog::warn("Partition {}[{}]: seek to {} failed: {}", opt_.topic, partition, step.next,
                       e.message);
        }
        break;
      case pipeline::StallAction::restart:
        spdlog::warn("Partition {}[{}]: still no records after a seek (log ends at {}, next {})",
                     opt_.topic, partition, w.high, step.next);
        restart = true;
        break;
    }
  }
  if (restart) restart_consumer();
}

void ConsumeSession::restart_consumer() {
  spdlog::warn(
      "Restarting the Kafka consumer: finished work is committed, every partition "
      "continues from its checkpoint");
  // The revoke hook commits what is finished and drops the partitions.
  if (Error e = consumer_->close(util::stop_bounded(util::kFinalBudget))) {
    spdlog::warn("Closing the stalled consumer: {}", e.message);
  }
  consumer_.reset();
  consumer_ = make_consumer();
  consumer_->subscribe({opt_.topic});
}

}  // namespace consume::detail
