#pragma once
// `orders produce` as a function: generate orders, write them to Kafka as Avro keyed by orderId,
// flush (bounded), and return the counts, latency and throughput.
#include "kafka/config.h"
#include "produce/options.h"
#include "stats/produce_report.h"

namespace produce {

// Throws util::UsageError or kafka::ConfigError for a bad setting, util::Interrupted when stopped
// before producing, std::exception when Kafka cannot be reached. Once producing has started it
// returns; metrics.failed says how many orders were not acknowledged.
stats::ProduceMetrics run_produce(const ProduceOptions& options, const kafka::Properties& props);

}  // namespace produce
