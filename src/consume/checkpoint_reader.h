#pragma once
// Reads the compacted aggregates topic into a pipeline::CheckpointTable (latest value per key)
// and keeps up with it. read_committed: checkpoints of open or aborted transactions are never
// seen. Partitions are assigned directly from the beginning (no group, nothing committed).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kafka/config.h"
#include "kafka/consumer.h"
#include "kafka/topic_reader.h"
#include "pipeline/checkpoint_table.h"

namespace consume {

class CheckpointReader {
 public:
  // `consumer_props`: connection settings (bootstrap, security); the rest is set here.
  CheckpointReader(const kafka::Properties& consumer_props, std::string topic);
  ~CheckpointReader();
  CheckpointReader(const CheckpointReader&) = delete;
  CheckpointReader& operator=(const CheckpointReader&) = delete;

  // Waits until a broker answers (see kafka::check_connectivity); throws KafkaException.
  void connect(const std::string& bootstrap, std::chrono::milliseconds timeout,
               const std::function<bool()>& abort = {});
  // Reads every partition up to the end it has now (its last stable offset). Returns false if
  // the topic does not exist. Throws KafkaException when the end is not reached within `timeout`
  // or on a fatal client error; `abort` (optional) ends the wait early, returning true.
  bool catch_up(std::chrono::milliseconds timeout, const std::function<bool()>& abort = {});

  const pipeline::CheckpointTable& table() const { return table_; }
  std::uint64_t records_read() const { return records_read_; }
  const std::string& topic() const { return reader_.topic(); }

 private:
  std::unique_ptr<kafka::Consumer> consumer_;
  kafka::TopicReader reader_;  // keeps its positions between catch-ups
  pipeline::CheckpointTable table_;
  std::uint64_t records_read_ = 0;
};

}  // namespace consume
