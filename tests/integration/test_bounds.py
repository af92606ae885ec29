"""Bounds under hostile input (issue 12, items 2, 3, 4 and 12): many distinct products, a record
near the maximum message size, large records behind a retrying head, aborting commits.

Each test checks that the pipeline keeps flowing, that `orders stats` stays exact and that the
exit status tells whether everything finished was committed.
"""
import json
import os
import random
import signal
import subprocess
import time

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import (AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic,
                                   ResourceType)

from helpers import Running, cents, encode, f32, make_orders, read_all, run_orders

# Enough to push an unbounded checkpoint (3000 names of ~400 bytes: ~1.3 MB) past the 1 MB limit.
DISTINCT_PRODUCTS = int(os.environ.get("ORDERS_BOUNDS_PRODUCTS", "3000"))


def produce(bootstrap, topic, records, **conf):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                         "linger.ms": 5, **conf})
    for i, r in enumerate(records):
        producer.produce(topic, key=r["key"].encode(), value=r["value"], **r.get("extra", {}))
        if i % 200 == 0:
            producer.poll(0)
    assert producer.flush(60) == 0


def consume_args(orders_bin, bootstrap, topic, aggregates, semantics, *extra):
    return [orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic,
            "--group", f"g-{topic}", "--dlq-topic", f"{topic}-dlq", "--aggregates-topic",
            aggregates, "--semantics", semantics, "--stats-interval", "0", "--json",
            *map(str, extra)]


def stats(orders_bin, bootstrap, topic, aggregates):
    proc = run_orders(orders_bin, "stats", "--bootstrap", bootstrap, "--topic", topic,
                      "--aggregates-topic", aggregates, "--json", "--timeout", "20s")
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def assert_totals(aggregate, orders):
    assert aggregate["count"] == len(orders)
    assert aggregate["revenue_cents"] == sum(cents(o["price"]) for o in orders)
    assert aggregate["min"] == min(o["price"] for o in orders)
    assert aggregate["max"] == max(o["price"] for o in orders)
    named = sum(p["count"] for p in aggregate["by_product"].values())
    other = aggregate.get("other", {"count": 0, "revenue_cents": 0})
    assert named + other["count"] == len(orders)
    assert (sum(p["revenue_cents"] for p in aggregate["by_product"].values())
            + other["revenue_cents"]) == aggregate["revenue_cents"]


def distinct_product_orders(n, rng):
    orders = []
    for i in range(n):
        price = f32(round(rng.uniform(1.0, 2000.0), 2))
        product = f"P{i:05d}-" + "x" * 400
        orders.append({"key": f"ORD-{i:05d}", "orderId": f"ORD-{i:05d}", "product": product,
                       "price": price, "value": encode(f"ORD-{i:05d}", product, price)})
    return orders


def alter_topic(admin, topic, **configs):
    entries = [ConfigEntry(k.replace("_", "."), str(v), incremental_operation=AlterConfigOpType.SET)
               for k, v in configs.items()]
    for f in admin.incremental_alter_configs(
            [ConfigResource(ResourceType.TOPIC, topic, incremental_configs=entries)]).values():
        f.result(timeout=30)


# --- item 2: unbounded product cardinality ------------------------------------------------------


def test_many_distinct_products_keep_commits_flowing_and_totals_exact(
        bootstrap, orders_bin, topic_factory, semantics):
    rng = random.Random(12)
    topic = topic_factory("bounds-products", partitions=1)  # one checkpoint holds every name
    aggregates = topic_factory("bounds-products-agg", config={"cleanup.policy": "compact"})
    orders = distinct_product_orders(DISTINCT_PRODUCTS, rng)
    produce(bootstrap, topic, orders)

    proc = subprocess.run(
        consume_args(orders_bin, bootstrap, topic, aggregates, semantics,
                     "--max-messages", len(orders)),
        capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["processed"] == len(orders)
    assert report["consumed"] == len(orders)  # nothing taken twice: no commit was rolled back

    result = stats(orders_bin, bootstrap, topic, aggregates)
    assert result["errors"] == []
    aggregate = result["aggregate"]
    assert_totals(aggregate, orders)
    assert len(aggregate["by_product"]) <= 1000
    assert aggregate["other"]["count"] >= len(orders) - 1000
    text = run_orders(orders_bin, "stats", "--bootstrap", bootstrap, "--topic", topic,
                      "--aggregates-topic", aggregates, check=True).stdout
    assert "(other products)" in text
    # Every partition's checkpoint is at the end of its partition.
    assert sum(p["offset"] for p in result["partitions"]) == len(orders)


# --- item 12: --max-messages counts distinct records; rolled-back work is not success --------


def test_max_messages_counts_distinct_records_while_commits_abort(
        bootstrap, orders_bin, topic_factory, admin):
    rng = random.Random(1212)
    topic = topic_factory("bounds-maxmsg", partitions=3)
    # Every checkpoint is too large for this topic: each transaction aborts until it is raised.
    aggregates = topic_factory("bounds-maxmsg-agg",
                               config={"cleanup.policy": "compact", "max.message.bytes": "200"})
    orders = make_orders(300, rng)
    produce(bootstrap, topic, orders)
    limit = 200

    # Retries keep the run going (and its commits aborting) until the limit is raised.
    run = Running(consume_args(orders_bin, bootstrap, topic, aggregates, "exactly-once",
                               "--max-messages", limit, "--fail-rate", "0.5", "--max-attempts",
                               "4", "--initial-backoff", "2s", "--seed", "5"))
    time.sleep(6)
    alter_topic(admin, aggregates, max_message_bytes=1048588)
    out = run.proc.stdout.read()
    run.proc.wait(timeout=120)
    log = "".join(run.lines)
    assert run.proc.returncode == 0, log[-3000:]
    report = json.loads(out)
    assert report["transactions"]["aborted"] > 0, report
    # Committed work only: each of the first `limit` distinct records once.
    assert report["processed"] + report["dead_lettered"] == limit
    result = stats(orders_bin, bootstrap, topic, aggregates)
    assert result["aggregate"]["count"] == report["processed"]
    assert sum(p["offset"] for p in result["partitions"]) == limit


def test_a_run_whose_commits_never_succeed_does_not_exit_0(
        bootstrap, orders_bin, topic_factory, semantics):
    rng = random.Random(1213)
    topic = topic_factory("bounds-abort", partitions=2)
    aggregates = topic_factory("bounds-abort-agg",
                               config={"cleanup.policy": "compact", "max.message.bytes": "200"})
    produce(bootstrap, topic, make_orders(100, rng))

    run = Running(consume_args(orders_bin, bootstrap, topic, aggregates, semantics,
                               "--max-messages", 60))
    try:
        run.proc.wait(timeout=8)  # today: "max messages reached" after re-taking records, exit 0
    except subprocess.TimeoutExpired:
        run.proc.send_signal(signal.SIGTERM)
    out = run.proc.stdout.read()
    run.proc.wait(timeout=30)
    log = "".join(run.lines)
    assert run.proc.returncode != 0, log[-3000:]
    # Not a run that gave up before the work: it took the records and its commits failed.
    assert json.loads(out)["consumed"] >= 60, out
    assert "commit failed" in log or "not committed" in log, log[-3000:]
    result = stats(orders_bin, bootstrap, topic, aggregates)
    assert result["aggregate"]["count"] == 0


# --- item 3: a record near the maximum message size -------------------------------------------


@pytest.mark.parametrize("big", ["value", "key"])
def test_a_record_near_the_size_limit_is_dead_lettered_without_its_value(
        bootstrap, orders_bin, topic_factory, semantics, big):
    rng = random.Random(3)
    topic = topic_factory("bounds-big", partitions=1)
    aggregates = topic_factory("bounds-big-agg", config={"cleanup.policy": "compact"})
    before, after = make_orders(20, rng, "PRE"), make_orders(20, rng, "POST")
    # Undecodable, ~1 MB in its value, or in its key (then the key cannot be kept either).
    key = "BIG-1" if big == "value" else "K" * 999_900
    value = b"\xff" * (999_900 if big == "value" else 10)
    for part in (before, [{"key": key, "value": value}], after):  # the big one in its own batch
        produce(bootstrap, topic, part, **{"message.max.bytes": 2_000_000})

    proc = subprocess.run(
        consume_args(orders_bin, bootstrap, topic, aggregates, semantics, "--max-messages", 41),
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["processed"] == 40 and report["dead_lettered"] == 1
    assert "written without its value" in proc.stderr
    assert stats(orders_bin, bootstrap, topic, aggregates)["aggregate"]["count"] == 40

    dead = read_all(bootstrap, f"{topic}-dlq")
    assert len(dead) == 1
    record = dead[0]
    headers = {k: v.decode() for k, v in record["headers"]}
    assert not record["value"]
    assert headers["dlq.value.omitted"] == "true"
    assert headers["dlq.original.value.size"] == str(len(value))
    assert headers["dlq.original.topic"] == topic
    assert headers["dlq.original.offset"] == "20"
    if big == "value":
        assert record["key"] == b"BIG-1" and "dlq.key.omitted" not in headers
    else:
        assert record["key"] is None
        assert headers["dlq.key.omitted"] == "true" and headers["dlq.original.key.size"] == "999900"

    monitor = run_orders(orders_bin, "dlq", "--topic", f"{topic}-dlq", "--bootstrap", bootstrap)
    assert monitor.returncode == 0, monitor.stderr[-2000:]
    assert "Total failed messages: 1" in monitor.stdout, monitor.stdout[-2000:]
    assert "value omitted" in monitor.stdout + monitor.stderr
    if big == "key":
        assert "key omitted, 999900 bytes" in monitor.stdout, monitor.stdout[-2000:]
    replay = run_orders(orders_bin, "dlq", "replay", "--topic", f"{topic}-dlq", "--bootstrap",
                        bootstrap, "--force", "--group", f"r-{topic}")
    assert replay.returncode == 0, replay.stderr[-2000:]  # refused, listed: not a failure
    assert "value omitted" in replay.stderr, replay.stderr
    # Nothing was re-published in its place.
    assert len(read_all(bootstrap, topic)) == 41


def test_a_dlq_that_refuses_the_copy_as_too_large_gets_it_without_its_value(
        bootstrap, orders_bin, topic_factory, admin, semantics):
    rng = random.Random(33)
    topic = topic_factory("bounds-dlqsize", partitions=1)
    aggregates = topic_factory("bounds-dlqsize-agg", config={"cleanup.policy": "compact"})
    # The DLQ takes less than the consumer's producer sends: the broker refuses the full copy.
    dlq = f"{topic}-dlq"
    for f in admin.create_topics([NewTopic(dlq, num_partitions=1, replication_factor=1,
                                           config={"max.message.bytes": "3000"})]).values():
        f.result(timeout=30)
    orders = make_orders(10, rng)
    bad = {"key": "BAD-1", "value": b"\xff" + rng.randbytes(4999)}  # incompressible
    produce(bootstrap, topic, orders[:5] + [bad] + orders[5:])

    proc = subprocess.run(
        consume_args(orders_bin, bootstrap, topic, aggregates, semantics, "--max-messages", 11),
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["processed"] == 10 and report["dead_lettered"] == 1
    assert stats(orders_bin, bootstrap, topic, aggregates)["aggregate"]["count"] == 10
    dead = read_all(bootstrap, dlq)
    assert len(dead) == 1
    headers = {k: v.decode() for k, v in dead[0]["headers"]}
    assert not dead[0]["value"] and headers["dlq.value.omitted"] == "true"
    assert headers["dlq.original.value.size"] == "5000"


# --- item 4: memory bounded in bytes --------------------------------------------------------


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def peak_rss_behind_retrying_heads(bootstrap, orders_bin, topic, aggregates, partitions, large, *extra):
    """Each partition: one order whose every attempt fails (60 s backoff), then `large` invalid
    500 KB records that wait behind it (--ordering partition). Peak RSS over 15 s, and stderr."""
    rng = random.Random(4)
    records = []
    for p in range(partitions):
        head = make_orders(1, rng, f"HEAD{p}")
        records += [{**r, "extra": {"partition": p}} for r in head]
        records += [{"key": f"L-{p}-{i}", "value": b"\xff" * 500_000, "extra": {"partition": p}}
                    for i in range(large)]
    produce(bootstrap, topic, records)
    env = dict(os.environ)
    # ASan keeps freed memory in quarantine; keep it small so RSS shows what is held.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16"
    cmd = consume_args(orders_bin, bootstrap, topic, aggregates, "at-least-once",
                       "--ordering", "partition", "--fail-rate", "1", "--max-attempts", "100",
                       "--initial-backoff", "60s", *extra)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    deadline = time.time() + 15
    while time.time() < deadline and proc.poll() is None:
        peak = max(peak, rss_kib(proc.pid))
        time.sleep(0.1)
    assert proc.poll() is None, proc.communicate()[1][-3000:]
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    report = json.loads(out)
    print(f"peak RSS {peak} KiB, {report['consumed']} record(s) taken in")
    # The heads failed and the large records were really taken in behind them (a consumer that
    # read nothing would stay small too): at least 10 MB of them.
    assert report["processed"] == 0 and report["retries"] >= partitions, report
    assert report["consumed"] >= partitions + 20, report
    return peak, err


def test_large_records_behind_a_retrying_head_stay_within_the_byte_window(
        bootstrap, orders_bin, topic_factory, admin):
    topic = topic_factory("bounds-mem", partitions=1)
    aggregates = topic_factory("bounds-mem-agg", config={"cleanup.policy": "compact"})
    try:
        # 300 invalid 500 KB records (150 MB) wait behind the head.
        peak, _ = peak_rss_behind_retrying_heads(
            bootstrap, orders_bin, topic, aggregates, 1, 300,
            "--window-bytes", os.environ.get("ORDERS_BOUNDS_WINDOW", "16MiB"))
        # 16 MiB window + 32 MiB prefetch + the (ASan) binary: well below the 150 MB waiting.
        assert peak < 200 * 1024, f"peak RSS {peak} KiB"
    finally:
        admin.delete_topics([topic])


def test_all_partitions_together_stay_within_the_total_byte_window(
        bootstrap, orders_bin, topic_factory, admin):
    topic = topic_factory("bounds-total", partitions=4)
    aggregates = topic_factory("bounds-total-agg", config={"cleanup.policy": "compact"})
    try:
        # 4 x 75 records of 500 KB (150 MB): each partition's 37.5 MB fits its own 64 MiB
        # window, so only the bound on all of them together keeps the process small.
        peak, err = peak_rss_behind_retrying_heads(
            bootstrap, orders_bin, topic, aggregates, 4, 75, "--window-bytes", "64MiB",
            "--total-window-bytes", os.environ.get("ORDERS_BOUNDS_TOTAL", "16MiB"))
        assert "Pausing every partition" in err, err[-3000:]
        assert peak < 200 * 1024, f"peak RSS {peak} KiB"
    finally:
        admin.delete_topics([topic])
