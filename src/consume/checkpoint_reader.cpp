#include "consume/checkpoint_reader.h"

#include <spdlog/spdlog.h>

#include "kafka/admin.h"

namespace consume {
namespace {

kafka::Properties reader_props(const kafka::Properties& base) {
  kafka::Properties p = base;
  // Never used for commits or a subscription: partitions are assigned from the beginning.
  p.set("group.id", "orders-checkpoint-reader");
  p.set("enable.auto.commit", "false");
  p.set("isolation.level", "read_committed");
  // The end of a partition is its last stable offset; the EOF event also covers trailing
  // transaction markers, which a reader never receives as records.
  p.set("enable.partition.eof", "true");
  p.set("auto.offset.reset", "earliest");
  // Only assigned while catching up: the empty fetch that signals the end should come back fast.
  p.set("fetch.wait.max.ms", "10");
  p.erase("group.instance.id");
  return p;
}

}  // namespace

CheckpointReader::CheckpointReader(const kafka::Properties& consumer_props, std::string topic)
    : consumer_(std::make_unique<kafka::Consumer>(reader_props(consumer_props))),
      reader_(*consumer_, std::move(topic), spdlog::level::debug) {}

CheckpointReader::~CheckpointReader() = default;

void CheckpointReader::connect(const std::string& bootstrap, std::chrono::milliseconds timeout,
                               const std::function<bool()>& abort) {
  kafka::check_connectivity(*consumer_, bootstrap, timeout, &consumer_->events(), abort);
}

bool CheckpointReader::catch_up(std::chrono::milliseconds timeout,
                                const std::function<bool()>& abort) {
  const auto deadline = kafka::TopicReader::Clock::now() + timeout;
  if (!reader_.snapshot(timeout, abort)) return false;
  // Assigned only while catching up: no fetching in between.
  if (!reader_.assign(false, false)) return true;
  struct Unassign {
    kafka::TopicReader& r;
    ~Unassign() { r.unassign(); }
  } unassign{reader_};
  const auto outcome = reader_.read_to_end(deadline, abort, [&](kafka::Record&& r) {
    ++records_read_;
    table_.apply(r.key ? std::string_view(*r.key) : std::string_view(), r.value);
  });
  if (outcome == kafka::TopicReader::Outcome::timed_out) {
    throw kafka::KafkaException(kafka::ERR__TIMED_OUT,
                                "could not read the aggregates topic '" + reader_.topic() +
                                    "' to its end in " + std::to_string(timeout.count() / 1000) +
                                    "s (" + consumer_->events().last_error() + ")");
  }
  return true;
}

}  // namespace consume
