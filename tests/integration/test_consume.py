"""`orders consume` against a real broker: exact outcomes, DLQ contents, restart, SIGTERM, groups.

Every expectation is computed independently in Python (helpers.py): the orders are encoded with
fastavro, bad records are crafted here, and the simulated processor's fate is re-implemented from
its documented formula (FNV-1a 64 + splitmix64 finalizer over "<seed>:<orderId>:<attempt>").
"""
import json
import random
import signal
import subprocess
import time
from collections import Counter

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from helpers import (Running, assert_aggregate, count_lines, expected_aggregate, expected_outcomes,
                     fnv1a64, make_invalid, make_orders, make_undecodable, merge_aggregates,
                     read_topic, roll)


# --- the simulated processor's model (helpers.py) matches the C++ one -------------------------


def test_failure_function_matches_the_cpp_reference_values():
    # Same values as tests/unit/process_simulated_processor_test.cpp.
    assert fnv1a64(b"foobar") == 0x85944171F73967E8
    assert roll(7, "ORD-00001", 1) == 0.39597347604360655
    assert roll(7, "ORD-00001", 2) == 0.1857414671846176
    assert roll(0, "x", 1) == 0.7579619820190544


# --- data ------------------------------------------------------------------------------------


def produce_all(bootstrap, topic, records, partition_of=None):
    """Produces records (dict key/value), records each one's partition/offset/timestamp."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5})
    pending = {}

    def on_delivery(err, msg, rec):
        assert err is None, err
        rec["partition"], rec["offset"] = msg.partition(), msg.offset()
        rec["timestamp"] = msg.timestamp()[1]

    for i, rec in enumerate(records):
        kwargs = {}
        if partition_of is not None:
            kwargs["partition"] = partition_of(i, rec)
        producer.produce(topic, key=rec["key"].encode(), value=rec["value"],
                         headers=[("trace-id", f"t-{rec['key']}".encode())],
                         on_delivery=lambda err, msg, rec=rec: on_delivery(err, msg, rec), **kwargs)
        pending[rec["key"]] = rec
        if i % 1000 == 0:
            producer.poll(0)
    assert producer.flush(30) == 0
    return records


def consume_cmd(orders_bin, bootstrap, topic, group, dlq, *extra):
    return [orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic, "--group", group,
            "--dlq-topic", dlq, "--stats-interval", "0", "--json", *map(str, extra)]


# --- tests -----------------------------------------------------------------------------------


def test_pipeline_exact_outcome_and_dlq_contents(bootstrap, orders_bin, topic_factory):
    rng = random.Random(2024)
    seed, fail_rate = 7, 0.3
    topic = topic_factory("consume-pipe", partitions=3)
    dlq, group = f"{topic}-dlq", f"g-{topic}"
    orders = make_orders(2000, rng)
    bad = make_undecodable(20, rng) + make_invalid(20)
    records = orders + bad
    rng.shuffle(records)
    produce_all(bootstrap, topic, records)

    started = time.time()
    proc = subprocess.run(
        consume_cmd(orders_bin, bootstrap, topic, group, dlq, "--fail-rate", fail_rate,
                    "--initial-backoff", "10ms", "--seed", seed, "--max-messages", len(records)),
        capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)

    processed, dead, retries = expected_outcomes(orders, seed, fail_rate)
    for b in bad:
        dead[b["key"]] = {"class": b["class"], "attempts": 0, "message": None}
    assert report["consumed"] == len(records)
    assert report["processed"] == len(processed)
    assert report["dead_lettered"] == len(dead)
    assert report["processed"] + report["dead_lettered"] == len(records)
    assert report["retries"] == retries
    assert report["unfinished"] == 0
    assert report["dead_lettered_by_class"] == {
        "deserialization": 20, "validation": 20,
        "processing": sum(d["class"] == "processing" for d in dead.values())}
    assert report["success_rate"] == pytest.approx(len(processed) / len(records))
    assert report["msgs_per_sec"] > 0
    lat = report["processing_latency_ms"]
    assert 0 <= lat["p50"] <= lat["p99"] <= lat["max"]
    assert_aggregate(report["aggregate"], expected_aggregate(processed))

    # The DLQ: each expected record exactly once, bytes unchanged, headers complete and right.
    sent = {r["key"]: r for r in records}
    msgs = read_topic(bootstrap, dlq, len(dead))
    keys = [m.key().decode() for m in msgs]
    assert Counter(keys) == Counter(dead.keys())
    for m in msgs:
        key = m.key().decode()
        rec, want = sent[key], dead[key]
        assert m.value() == rec["value"]
        assert m.partition() == rec["partition"]  # the DLQ mirrors the source partitioning
        headers = {}
        for k, v in m.headers():
            headers[k] = v.decode()
        assert headers["trace-id"] == f"t-{key}"
        assert [k for k, _ in m.headers()][0] == "trace-id"  # original headers first
        assert headers["dlq.original.topic"] == topic
        assert int(headers["dlq.original.partition"]) == rec["partition"]
        assert int(headers["dlq.original.offset"]) == rec["offset"]
        assert int(headers["dlq.original.timestamp"]) == rec["timestamp"]
        assert headers["dlq.error.class"] == want["class"]
        assert int(headers["dlq.attempts"]) == want["attempts"]
        if want["message"]:
            assert headers["dlq.error.message"] == want["message"]
        assert headers["dlq.error.message"]
        assert started * 1000 - 5000 <= int(headers["dlq.failed.at"]) <= time.time() * 1000 + 5000
        assert headers["dlq.consumer.group"] == group
        assert headers["dlq.host"]

    # Everything was committed: the group's offsets are at the end of every partition.
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        committed = probe.committed([TopicPartition(topic, p) for p in range(3)], timeout=10)
        ends = [probe.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in range(3)]
    finally:
        probe.close()
    assert [tp.offset for tp in committed] == ends


def test_graceful_stop_then_restart_loses_nothing_and_counts_nothing_twice(
        bootstrap, orders_bin, topic_factory):
    rng = random.Random(99)
    seed, fail_rate = 11, 0.3
    topic = topic_factory("consume-restart", partitions=2)
    dlq, group = f"{topic}-dlq", f"g-{topic}"
    orders = make_orders(800, rng)
    produce_all(bootstrap, topic, orders)
    processed, dead, _ = expected_outcomes(orders, seed, fail_rate)
    args = ("--fail-rate", fail_rate, "--initial-backoff", "30ms", "--seed", seed)

    first = Running(consume_cmd(orders_bin, bootstrap, topic, group, dlq, "-v", *args))
    first.wait_for(lambda lines: count_lines("Successfully processed")(lines) >= 150)
    first.proc.send_signal(signal.SIGTERM)
    rc, out, err = first.finish(timeout=30)
    assert rc == 0, err[-3000:]
    one = json.loads(out)
    assert 0 < one["processed"] < len(processed), "the first run should stop in the middle"

    proc = subprocess.run(consume_cmd(orders_bin, bootstrap, topic, group, dlq, "--idle-exit", "2s",
                                      *args), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    two = json.loads(proc.stdout)

    assert one["processed"] + two["processed"] == len(processed), proc.stderr[-3000:]
    assert one["dead_lettered"] + two["dead_lettered"] == len(dead)
    assert_aggregate(merge_aggregates(one["aggregate"], two["aggregate"]),
                     expected_aggregate(processed))
    keys = [m.key().decode() for m in read_topic(bootstrap, dlq, len(dead))]
    assert Counter(keys) == Counter(dead.keys())


def test_sigterm_during_a_long_backoff_exits_fast_without_committing_it(
        bootstrap, orders_bin, topic_factory):
    topic = topic_factory("consume-sigterm", partitions=1)
    dlq, group = f"{topic}-dlq", f"g-{topic}"
    orders = make_orders(3, random.Random(5))
    produce_all(bootstrap, topic, orders)
    # Every attempt fails; attempt 2 is 5 s away.
    run = Running(consume_cmd(orders_bin, bootstrap, topic, group, dlq, "-v", "--fail-rate", "1",
                              "--initial-backoff", "5s"))
    run.wait_for(count_lines("Retrying in 5.0s"))
    t0 = time.monotonic()
    run.proc.send_signal(signal.SIGTERM)
    rc, out, err = run.finish(timeout=10)
    elapsed = time.monotonic() - t0
    assert rc == 0, err[-3000:]
    assert elapsed < 2.0, f"took {elapsed:.2f}s to stop"
    report = json.loads(out)
    assert report["processed"] == 0 and report["dead_lettered"] == 0
    assert report["consumed"] >= 1 and report["unfinished"] == report["consumed"]

    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        committed = probe.committed([TopicPartition(topic, 0)], timeout=10)
    finally:
        probe.close()
    # Offset 0 ("start at the first record") or nothing: never past the unfinished record.
    assert committed[0].offset <= 0, committed
    again = subprocess.run(consume_cmd(orders_bin, bootstrap, topic, group, dlq, "--idle-exit",
                                       "1s"), capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["processed"] == 3


def test_two_consumers_in_one_group_share_the_work(bootstrap, orders_bin, topic_factory):
    rng = random.Random(3)
    seed, fail_rate = 5, 0.1
    topic = topic_factory("consume-group", partitions=6)
    dlq, group = f"{topic}-dlq", f"g-{topic}"
    args = ("--fail-rate", fail_rate, "--initial-backoff", "10ms", "--seed", seed,
            "--idle-exit", "5s")
    a = Running(consume_cmd(orders_bin, bootstrap, topic, group, dlq, *args))
    a.wait_for(count_lines("Assigned partition"))
    b = Running(consume_cmd(orders_bin, bootstrap, topic, group, dlq, *args))
    b.wait_for(count_lines("Assigned partition"))
    a.wait_for(lambda lines: count_lines("Assigned partition")(lines) >= 2)  # after the rebalance

    orders = make_orders(1500, rng)
    produce_all(bootstrap, topic, orders, partition_of=lambda i, rec: i % 6)
    results = []
    for run in (a, b):
        rc, out, err = run.finish(timeout=120)
        assert rc == 0, err[-3000:]
        results.append(json.loads(out))
    processed, dead, _ = expected_outcomes(orders, seed, fail_rate)
    assert all(r["processed"] > 0 for r in results), results
    assert sum(r["processed"] for r in results) == len(processed)
    assert sum(r["dead_lettered"] for r in results) == len(dead)
    assert_aggregate(merge_aggregates(results[0]["aggregate"], results[1]["aggregate"]),
                     expected_aggregate(processed))
    keys = [m.key().decode() for m in read_topic(bootstrap, dlq, len(dead))]
    assert Counter(keys) == Counter(dead.keys())


def test_unwritable_dlq_halts_the_partition_and_commits_nothing_past_it(
        bootstrap, orders_bin, topic_factory, admin):
    from confluent_kafka.admin import (AlterConfigOpType, ConfigEntry, ConfigResource,
                                       ResourceType)
    topic = topic_factory("consume-dlqdown", partitions=1)
    dlq = topic_factory("consume-dlqdown-dlq", partitions=1, config={"max.message.bytes": "100"})
    group = f"g-{topic}"
    good = make_orders(3, random.Random(8))
    poison = {"key": "poison", "value": b"\xff" * 120}  # undecodable, and too big for that DLQ
    produce_all(bootstrap, topic, [good[0], poison, good[1], good[2]])

    proc = subprocess.run(consume_cmd(orders_bin, bootstrap, topic, group, dlq, "--idle-exit",
                                      "2s"), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "halted" in proc.stderr and "not acknowledged" in proc.stderr
    first = json.loads(proc.stdout)
    assert first["dead_lettered"] == 0 and first["dead_letter_write_failures"] >= 1
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        committed = probe.committed([TopicPartition(topic, 0)], timeout=10)
    finally:
        probe.close()
    assert committed[0].offset == 1, "the commit must stop at the undelivered dead letter"

    # Once the DLQ accepts it, a restart delivers the dead letter and moves on.
    resource = ConfigResource(ResourceType.TOPIC, dlq, incremental_configs=[
        ConfigEntry("max.message.bytes", "1048588",
                    incremental_operation=AlterConfigOpType.SET)])
    for f in admin.incremental_alter_configs([resource]).values():
        f.result(timeout=30)
    time.sleep(1)  # let the broker apply the new limit
    proc = subprocess.run(consume_cmd(orders_bin, bootstrap, topic, group, dlq, "--idle-exit",
                                      "2s"), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    second = json.loads(proc.stdout)
    assert second["dead_lettered"] == 1
    # The poison record again; the two orders after it were processed in the first run before the
    # halt and are named by its checkpoint as finished above the commit offset: skipped, not redone.
    assert second["consumed"] == 1 and second["skipped_on_restore"] == 2, second
    assert second["processed"] == 0 and first["processed"] == 3
    msgs = read_topic(bootstrap, dlq, 1)
    assert [m.value() for m in msgs] == [poison["value"]]
