"""`orders produce` against a real broker, read back by an independent client (confluent-kafka +
fastavro): content, exactly-once presence, SIGINT flushing, bounded failure on a dead broker,
usage errors and the --json contract.
"""
import json
import os
import signal
import subprocess
import threading
import time
import uuid

import pytest
from confluent_kafka import Consumer, TopicPartition

from helpers import decode, f32, read_all, run_orders

JSON_KEYS = {"produced", "failed", "seconds", "msgs_per_sec", "mb_per_sec", "latency_ms", "topic",
             "first_order_id", "last_order_id"}
LATENCY_KEYS = {"avg", "p50", "p95", "p99", "max"}


def partitions_of(admin, topic):
    return sorted(admin.list_topics(topic, timeout=10).topics[topic].partitions)


def record_count(bootstrap, admin, topic):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"wm-{uuid.uuid4().hex[:8]}"})
    try:
        total = 0
        for p in partitions_of(admin, topic):
            lo, hi = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            total += hi - lo
        return total
    finally:
        c.close()


def produce_json(orders_bin, bootstrap, *args, timeout=300):
    proc = run_orders(orders_bin, "produce", *args, "--bootstrap", bootstrap, "--json",
                      timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), proc


def test_10000_orders_arrive_exactly_once_with_identical_content(orders_bin, bootstrap, admin,
                                                                   topic_factory, tmp_path):
    topic = topic_factory("produce", partitions=3)
    dump = tmp_path / "orders.jsonl"
    report, proc = produce_json(orders_bin, bootstrap, 10000, "--topic", topic, "--seed", 7,
                                "--dump-orders", dump)

    assert JSON_KEYS <= report.keys()
    assert LATENCY_KEYS <= report["latency_ms"].keys()
    assert report["produced"] == 10000 and report["failed"] == 0
    assert report["topic"] == topic
    lat = report["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    assert report["msgs_per_sec"] > 0 and report["mb_per_sec"] > 0 and report["seconds"] > 0

    expected = [json.loads(line) for line in dump.read_text().splitlines()]
    assert len(expected) == 10000
    ids = [o["orderId"] for o in expected]
    assert len(set(ids)) == 10000
    assert report["first_order_id"] == ids[0] and report["last_order_id"] == ids[-1]
    prefix = report["id_prefix"]
    assert ids[0] == f"{prefix}-00001" and ids[-1] == f"{prefix}-10000"

    records = read_all(bootstrap, topic, timeout=90)
    assert record_count(bootstrap, admin, topic) == 10000  # nothing duplicated, nothing extra
    got = {}
    for r in records:
        order = decode(r["value"])
        assert r["key"] == order["orderId"].encode()  # keyed by orderId
        assert order["orderId"] not in got, f"duplicate {order['orderId']}"
        got[order["orderId"]] = order
    assert len(got) == 10000
    for want in expected:
        have = got[want["orderId"]]
        assert have["product"] == want["product"]
        assert f32(have["price"]) == f32(want["price"])
    # Several partitions are used (keys hash over all three).
    assert len({r["partition"] for r in records}) == 3


def test_same_seed_same_orders(orders_bin, bootstrap, topic_factory, tmp_path):
    topic = topic_factory("produce-seed", partitions=1)
    dumps = []
    for seed in (11, 11, 12):
        dump = tmp_path / f"d{len(dumps)}.jsonl"
        produce_json(orders_bin, bootstrap, 50, "--topic", topic, "--seed", seed, "--id-prefix",
                     "ORD", "--dump-orders", dump)
        dumps.append(dump.read_text())
    assert dumps[0] == dumps[1]
    assert dumps[0] != dumps[2]
    first = json.loads(dumps[0].splitlines()[0])
    assert first["orderId"] == "ORD-00001"  # --id-prefix ORD: the original's ids


def test_runs_without_prefix_never_reuse_ids(orders_bin, bootstrap, topic_factory):
    topic = topic_factory("produce-ids", partitions=1)
    a, _ = produce_json(orders_bin, bootstrap, 3, "--topic", topic, "--seed", 1)
    b, _ = produce_json(orders_bin, bootstrap, 3, "--topic", topic, "--seed", 1)
    assert a["first_order_id"].startswith("ORD-") and a["first_order_id"].endswith("-00001")
    assert a["first_order_id"] != b["first_order_id"]
    c, _ = produce_json(orders_bin, bootstrap, 2, "--topic", topic, "--run-id", "RUN7")
    assert c["first_order_id"] == "ORD-RUN7-00001" and c["last_order_id"] == "ORD-RUN7-00002"


def test_creates_missing_topic_with_requested_partitions(orders_bin, bootstrap, admin):
    topic = f"produce-new-{uuid.uuid4().hex[:10]}"
    report, _ = produce_json(orders_bin, bootstrap, 20, "--topic", topic, "--partitions", 4)
    assert report["produced"] == 20
    assert len(partitions_of(admin, topic)) == 4
    admin.delete_topics([topic])


def test_sigint_mid_run_flushes_everything_reported(orders_bin, bootstrap, admin, topic_factory):
    topic = topic_factory("produce-sigint", partitions=3)
    proc = subprocess.Popen(
        [orders_bin, "produce", "2000000", "--rate", "50000", "--topic", topic, "--bootstrap",
         bootstrap, "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stderr_lines = []

    def drain():
        for line in proc.stderr:
            stderr_lines.append(line)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    deadline = time.time() + 30
    while not any("Producing" in line for line in stderr_lines) and time.time() < deadline:
        assert proc.poll() is None, "".join(stderr_lines)
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    stdout, _ = proc.communicate(timeout=90)
    reader.join(timeout=5)
    stderr = "".join(stderr_lines)

    assert proc.returncode == 0, stderr  # stopping early is not a failure; all were acknowledged
    report = json.loads(stdout)
    assert report["interrupted"] is True
    assert report["failed"] == 0
    assert 0 < report["produced"] < 2000000
    assert report["produced"] == report["generated"]
    # What was reported produced really is in Kafka, and nothing else.
    assert record_count(bootstrap, admin, topic) == report["produced"]


def test_unreachable_broker_fails_fast(orders_bin):
    start = time.time()
    proc = run_orders(orders_bin, "produce", 5, "--bootstrap", "127.0.0.1:1", "--topic",
                      "never-created", timeout=60)
    elapsed = time.time() - start
    assert proc.returncode != 0
    assert "cannot reach Kafka at 127.0.0.1:1" in proc.stderr
    assert elapsed < 30  # the default startup check is 10 s


@pytest.mark.parametrize("args, message", [
    (["--bogus"], "--bogus"),
    (["abc"], "COUNT"),
    (["--", "-5"], "must be >= 0"),
    (["5", "-1"], "must be >= 0"),
    (["5", "0.5", "--rate", "3"], "excludes"),
    (["--rate", "0"], "must be > 0"),
    (["--rate", "0/s"], "must be > 0"),
    (["--rate", "fast/s"], "--rate"),
    (["-X", "no.such.property=1"], "No such configuration property"),
    (["-X", "acks"], "key=value"),
    (["-X", "acks=1"], "acks"),  # contradicts idempotence: librdkafka's own message
    (["--topic", "bad topic"], "invalid topic name"),
    (["--config", "/nonexistent/client.properties"], "/nonexistent/client.properties"),
    (["--run-id", "a", "--id-prefix", "b"], "excludes"),
    (["-v", "-q"], "excludes"),
])
def test_bad_input_is_a_clear_error(orders_bin, args, message):
    proc = run_orders(orders_bin, "produce", *args, "--bootstrap", "127.0.0.1:1", timeout=30)
    assert proc.returncode == 2, proc.stderr  # the documented status for bad configuration
    assert message in proc.stderr + proc.stdout


@pytest.mark.parametrize("args", [["--flush-timeout", "1e300"], ["--connect-timeout", "1e300"],
                                  ["5", "1e300"], ["--flush-timeout", "315360001"]])
def test_absurd_seconds_are_a_usage_error(orders_bin, args):
    # Converting these to a clock duration would overflow: refused at parse time, exit 2.
    proc = run_orders(orders_bin, "produce", *args, "--bootstrap", "127.0.0.1:1", timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert "at most 315360000" in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr and "terminate called" not in proc.stderr


def test_rate_accepts_per_second_unit(orders_bin, bootstrap, topic_factory):
    topic = topic_factory("produce-rate", partitions=1)
    proc = run_orders(orders_bin, "produce", "20", "--rate", "400/s", "--topic", topic,
                      "--bootstrap", bootstrap, "--json", "-q", check=True)
    report = json.loads(proc.stdout)
    assert report["produced"] == 20
    assert report["seconds"] >= 19 / 400  # paced, not as fast as possible


def test_precedence_flag_beats_env_and_config_file(orders_bin, bootstrap, topic_factory,
                                                    tmp_path):
    topic = topic_factory("produce-prec", partitions=1)
    conf = tmp_path / "client.properties"
    conf.write_text("# unreachable on purpose\nbootstrap.servers=127.0.0.1:1\nlinger.ms=1\n")
    env = dict(os.environ, KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1")
    proc = run_orders(orders_bin, "produce", 5, "--topic", topic, "--config", conf,
                      "--bootstrap", bootstrap, "--json", env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["produced"] == 5
    # Without the flag, the environment beats the (unreachable) config file.
    env_only = dict(os.environ, KAFKA_BOOTSTRAP_SERVERS=bootstrap)
    proc = run_orders(orders_bin, "produce", 5, "--topic", topic, "--config", conf, "--json",
                      env=env_only, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["produced"] == 5


def test_verbose_lines_and_text_report(orders_bin, bootstrap, topic_factory):
    topic = topic_factory("produce-text", partitions=2)
    proc = run_orders(orders_bin, "produce", 3, "0.2", "--topic", topic, "--bootstrap", bootstrap,
                      "-v", "--id-prefix", "ORD", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "INFO - Produced order: {'orderId': 'ORD-00001', 'product': '" in proc.stderr
    assert proc.stderr.count("Produced order:") == 3
    assert proc.stderr.count(f"Message delivered to {topic} [") == 3
    assert "(latency: " in proc.stderr
    out = proc.stdout
    assert "PRODUCER METRICS" in out and "Messages produced: 3" in out
    assert "Messages failed: 0" in out and "Average latency:" in out
    seconds = float(out.split("Elapsed: ")[1].split("s")[0])
    assert seconds >= 0.35  # two 0.2 s gaps between three orders


def test_quiet_json_stdout_is_only_json(orders_bin, bootstrap, topic_factory):
    topic = topic_factory("produce-quiet", partitions=1)
    proc = run_orders(orders_bin, "produce", 4, "--topic", topic, "--bootstrap", bootstrap,
                      "--json", "-q", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    report = json.loads(proc.stdout)  # exactly one JSON document
    assert report["produced"] == 4


def test_rejected_orders_are_failures_with_reason_and_exit_status(orders_bin, bootstrap, admin,
                                                                   topic_factory):
    # The broker refuses every batch: the topic accepts no record this large.
    topic = topic_factory("produce-reject", partitions=1, config={"max.message.bytes": "10"})
    proc = run_orders(orders_bin, "produce", 30, "--topic", topic, "--bootstrap", bootstrap,
                      "--json", timeout=120)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["produced"] == 0 and report["failed"] == 30
    assert f"Message delivery failed for {report['first_order_id']} to {topic} [0]:" in proc.stderr
    assert "30 of 30 order(s) were not acknowledged" in proc.stderr
    assert record_count(bootstrap, admin, topic) == 0


def test_full_local_queue_is_backpressure_not_loss(orders_bin, bootstrap, admin, topic_factory):
    topic = topic_factory("produce-bp", partitions=2)
    report, _ = produce_json(orders_bin, bootstrap, 5000, "--topic", topic,
                             "-X", "queue.buffering.max.messages=10")
    assert report["produced"] == 5000 and report["failed"] == 0
    assert record_count(bootstrap, admin, topic) == 5000
