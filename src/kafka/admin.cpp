#include "kafka/admin.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "kafka/consumer.h"
#include "kafka/handles.h"
#include "kafka/internal.h"
#include "kafka/producer.h"
#include "util/time_left.h"

namespace kafka {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  return static_cast<int>(util::ms_left(deadline, Clock::now()).count());
}

std::string seconds_text(std::chrono::milliseconds d) {
  return fmt::format("{:g}s", static_cast<double>(d.count()) / 1000.0);
}

}  // namespace

ClientRef::ClientRef(Producer& producer) : handle_(&producer.raw()) {}
ClientRef::ClientRef(Consumer& consumer) : handle_(&consumer.raw()) {}

int check_connectivity(ClientRef ref, const std::string& bootstrap,
                       std::chrono::milliseconds timeout, EventLog* events,
                       const std::function<bool()>& abort) {
  RdKafka::Handle& client = ref.handle();
  const auto deadline = Clock::now() + timeout;
  if (events) events->set_quiet_transport_errors(true);
  RdKafka::ErrorCode last = RdKafka::ERR__TIMED_OUT;
  // Short first attempts keep Ctrl-C responsive; longer later ones give a slow broker a chance.
  int slice_ms = 500;
  while (true) {
    const int slice = std::min(slice_ms, remaining_ms(deadline));
    slice_ms = std::min(slice_ms * 2, 4000);
    RdKafka::Metadata* raw = nullptr;
    last = client.metadata(false, nullptr, &raw, std::max(slice, 1));
    std::unique_ptr<RdKafka::Metadata> md(raw);
    if (last == RdKafka::ERR_NO_ERROR && md && !md->brokers()->empty()) {
      if (events) events->set_quiet_transport_errors(false);
      return static_cast<int>(md->brokers()->size());
    }
    if (remaining_ms(deadline) <= 0 || (abort && abort())) break;
    // A metadata call can fail fast (e.g. "all brokers down"); do not spin.
    if (last != RdKafka::ERR__TIMED_OUT) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  if (events) events->set_quiet_transport_errors(false);
  if (abort && abort()) {
    throw KafkaException(
        ERR__INTR, "interrupted while connecting to Kafka at " + bootstrap + ": nothing was done");
  }
  std::string why = events ? events->last_error() : std::string();
  if (why.empty()) why = RdKafka::err2str(last);
  throw KafkaException(ERR__TRANSPORT, "cannot reach Kafka at " + bootstrap + " within " +
                                           seconds_text(timeout) + ": " + why);
}

std::optional<int> partition_count(ClientRef ref, const std::string& topic,
                                   std::chrono::milliseconds timeout) {
  RdKafka::Handle& client = ref.handle();
  // All-topics metadata: asking for one topic by name would let the broker auto-create it.
  RdKafka::Metadata* raw = nullptr;
  const RdKafka::ErrorCode code =
      client.metadata(true, nullptr, &raw, static_cast<int>(timeout.count()));
  std::unique_ptr<RdKafka::Metadata> md(raw);
  if (code != RdKafka::ERR_NO_ERROR || !md) {
    throw KafkaException(code_of(code), "cannot fetch metadata for topic '" + topic +
                                            "': " + RdKafka::err2str(code));
  }
  for (const RdKafka::TopicMetadata* t : *md->topics()) {
    if (t->topic() != topic) continue;
    if (t->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART) return std::nullopt;
    if (t->err() != RdKafka::ERR_NO_ERROR && t->partitions()->empty()) return std::nullopt;
    return static_cast<int>(t->partitions()->size());
  }
  return std::nullopt;
}

std::optional<std::map<std::string, std::string>> topic_config(ClientRef ref,
                                                               const std::string& topic,
                                                               std::chrono::milliseconds timeout) {
  RdKafka::Handle& client = ref.handle();
  rd_kafka_t* rk = client.c_ptr();
  ConfigResourcePtr resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  AdminOptionsPtr options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS));
  char errstr[512];
  const int budget = std::max(static_cast<int>(timeout.count()), 1);
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), budget, errstr, sizeof errstr)) {
    throw KafkaException(ERR__INVALID_ARG, std::string("admin options: ") + errstr);
  }
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  rd_kafka_DescribeConfigs(rk, resources, 1, options.get(), queue.get());
  EventPtr event(rd_kafka_queue_poll(queue.get(), budget + 1000));
  const auto failed = [&](rd_kafka_resp_err_t err, const char* why) {
    return KafkaException(static_cast<ErrorCode>(err),
                          "cannot describe topic '" + topic + "': " + why);
  };
  if (!event) throw failed(RD_KAFKA_RESP_ERR__TIMED_OUT, "timed out");
  if (auto err = rd_kafka_event_error(event.get())) {
    throw failed(err, rd_kafka_event_error_string(event.get()));
  }
  size_t count = 0;
  const rd_kafka_ConfigResource_t** results = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(event.get()), &count);
  if (count != 1) throw failed(RD_KAFKA_RESP_ERR__BAD_MSG, "no result");
  if (auto err = rd_kafka_ConfigResource_error(results[0])) {
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return std::nullopt;
    const char* why = rd_kafka_ConfigResource_error_string(results[0]);
    throw failed(err, why ? why : rd_kafka_err2str(err));
  }
  std::map<std::string, std::string> config;
  size_t entries = 0;
  const rd_kafka_ConfigEntry_t** list = rd_kafka_ConfigResource_configs(results[0], &entries);
  for (size_t i = 0; i < entries; ++i) {
    const char* value = rd_kafka_ConfigEntry_value(list[i]);
    config.emplace(rd_kafka_ConfigEntry_name(list[i]), value ? value : "");
  }
  return config;
}

EnsureTopicResult ensure_topic(ClientRef ref, const TopicSpec& spec,
                               std::chrono::milliseconds timeout) {
  RdKafka::Handle& client = ref.handle();
  const auto deadline = Clock::now() + timeout;
  if (auto existing = partition_count(ref, spec.name, timeout)) return {false, *existing};

  char errstr[512];
  NewTopicPtr new_topic(rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions,
                                              spec.replication_factor, errstr, sizeof errstr));
  if (!new_topic) throw ConfigError("invalid topic '" + spec.name + "': " + errstr);
  for (const auto& [k, v] : spec.config) {
    if (rd_kafka_resp_err_t err =
            rd_kafka_NewTopic_set_config(new_topic.get(), k.c_str(), v.c_str())) {
      throw ConfigError("invalid topic config " + k + "=" + v + ": " + rd_kafka_err2str(err));
    }
  }

  rd_kafka_t* rk = client.c_ptr();
  AdminOptionsPtr options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  const int budget = std::max(remaining_ms(deadline), 1);
  if (rd_kafka_AdminOptions_set_operation_timeout(options.get(), budget, errstr, sizeof errstr) ||
      rd_kafka_AdminOptions_set_request_timeout(options.get(), budget, errstr, sizeof errstr)) {
    throw KafkaException(ERR__INVALID_ARG, std::string("admin options: ") + errstr);
  }
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_NewTopic_t* topics[] = {new_topic.get()};
  rd_kafka_CreateTopics(rk, topics, 1, options.get(), queue.get());

  // The request times out on its own after `budget`; the extra second only covers delivery of
  // that timeout event.
  EventPtr event(rd_kafka_queue_poll(queue.get(), budget + 1000));
  if (!event) {
    throw KafkaException(ERR__TIMED_OUT, "timed out creating topic '" + spec.name + "'");
  }
  if (rd_kafka_event_error(event.get())) {
    throw KafkaException(
        static_cast<ErrorCode>(rd_kafka_event_error(event.get())),
        "cannot create topic '" + spec.name + "': " + rd_kafka_event_error_string(event.get()));
  }
  bool created = true;
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      created = false;  // someone else won the race: fine
    } else if (err) {
      const char* msg = rd_kafka_topic_result_error_string(results[i]);
      throw KafkaException(
          static_cast<ErrorCode>(err),
          "cannot create topic '" + spec.name + "': " + (msg ? msg : rd_kafka_err2str(err)));
    }
  }

  // Creation is acknowledged by the controller before every broker knows the topic.
  while (true) {
    const std::chrono::milliseconds slice(std::max(remaining_ms(deadline), 1000));
    if (auto n = partition_count(ref, spec.name, slice)) {
      if (created) spdlog::info("Created topic {} with {} partition(s)", spec.name, *n);
      return {created, *n};
    }
    if (remaining_ms(deadline) <= 0) {
      throw KafkaException(ERR__TIMED_OUT,
                           "topic '" + spec.name + "' created but not visible in metadata yet");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace kafka
