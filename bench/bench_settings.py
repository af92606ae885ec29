"""What the benchmark harness runs with: producer settings, sizes per mode, partitions."""
from __future__ import annotations

# The producer settings all three producers get explicitly, so "same settings" holds by
# construction; they equal the defaults of `orders produce` (kafka::producer_defaults() in
# src/kafka/config.cpp). The librdkafka-only ones go to both librdkafka-based producers.
PRODUCER_PROPS = {
    "acks": "all",
    "enable.idempotence": "true",
    "compression.type": "snappy",
    "linger.ms": "5",
    "batch.size": "1048576",
}
LIBRDKAFKA_PROPS = {
    "batch.num.messages": "10000",
    "queue.buffering.max.messages": "500000",
    "message.timeout.ms": "30000",
}

# The paced producer of the end-to-end step: the same settings except linger.ms. At 10k msg/s a
# 5 ms linger alone would use up the 5 ms p99 budget; 1 ms keeps batching (fewer requests than 0,
# which measured worse on a busy broker) and is passed explicitly, like every other setting.
E2E_PRODUCER_PROPS = {**PRODUCER_PROPS, **LIBRDKAFKA_PROPS, "linger.ms": "1"}

SIZES = {
    "full": dict(runs=3, produce=1_000_000, sample=20_000, e2e_rate=10_000, e2e_seconds=30,
                 retry_records=1_000_000, retry_backoff="1s", retry_bound_s=30, micro_min_time=0.5,
                 micro_reps=3, semantics_records=200_000, semantics_rate=5000, semantics_seconds=10),
    "quick": dict(runs=1, produce=100_000, sample=5_000, e2e_rate=10_000, e2e_seconds=5,
                  retry_records=20_000, retry_backoff="100ms", retry_bound_s=10, micro_min_time=0.05,
                  micro_reps=1, semantics_records=20_000, semantics_rate=2000, semantics_seconds=3),
}
PARTITIONS = 3
# Steps that report a ratio of two modes of our own binary (http, registry) run at least this many
# alternating rounds: single runs swing by ±25 % on two shared cores, and three rounds once showed
# a 0.81 ratio that seven did not confirm.
MIN_RATIO_ROUNDS = 7
RETRY_FAIL_RATE = 0.1
RETRY_MAX_ATTEMPTS = 3
RETRY_PARTITIONS = 6  # the target setting
FALLBACK_RECORD_SIZE = 35  # only if our producer failed and no record could be measured

TOOLS = ("orders", "ProducerPerformance", "rdkafka_performance")
