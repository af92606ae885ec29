"""`orders consume --json` reports end-to-end latency from each record's Kafka timestamp to its
decided outcome (processed or dead-lettered)."""
import json
import time

from confluent_kafka import Producer

from helpers import run_orders

HOUR_MS = 3_600_000


def test_e2e_latency_counts_every_decided_record_from_its_kafka_timestamp(
        bootstrap, orders_bin, topic_factory):
    topic = topic_factory("e2e", partitions=1)
    run_orders(orders_bin, "produce", 200, 0, "--topic", topic, "--bootstrap", bootstrap, "-q",
               check=True)
    # Two undecodable records stamped an hour ago: dead-lettered, and their latency shows the
    # timestamp is the record's own, not the time it was fetched.
    p = Producer({"bootstrap.servers": bootstrap})
    stamp = int(time.time() * 1000) - HOUR_MS
    for i in range(2):
        p.produce(topic, key=f"bad-{i}", value=b"\xff not avro", timestamp=stamp)
    assert p.flush(30) == 0

    out = run_orders(orders_bin, "consume", "--topic", topic, "--group", f"g-{topic}",
                     "--dlq-topic", f"{topic}-dlq", "--aggregates-topic", f"{topic}-agg",
                     "--bootstrap", bootstrap, "--max-messages", 202, "--idle-exit", "10s",
                     "--json", "-q", timeout=180, check=True)
    report = json.loads(out.stdout)
    assert report["processed"] == 200 and report["dead_lettered"] == 2
    e2e = report["e2e_latency_ms"]
    assert e2e["count"] == 202
    assert 0 <= e2e["p50"] <= e2e["p95"] <= e2e["p99"] <= e2e["p99.9"] <= e2e["max"]
    assert HOUR_MS - 5_000 <= e2e["max"] <= HOUR_MS + 600_000  # the two old records
    assert e2e["p50"] < HOUR_MS  # the fresh orders
