"""Helpers the integration tests share: order data as our binary writes it, an independent model
of the simulated processor and of the aggregate, reading topics back, running `orders`.

Tests import from here (fixtures come from conftest.py), never from each other.
"""
import io
import json
import os
import socket
import struct
import subprocess
import threading
import time
import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import fastavro
import pytest
from confluent_kafka import Consumer, KafkaError, TopicPartition

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "schemas", "order.avsc")) as _f:
    SCHEMA = fastavro.parse_schema(json.load(_f))
PRODUCTS = ["Laptop", "Mouse", "Keyboard", "Monitor", "Tablet", "Camera", "Headphones"]
M64 = (1 << 64) - 1


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def terminate(proc, grace=15):
    """SIGTERM, then SIGKILL after `grace` seconds: a helper process started by a test."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def run_orders(orders_bin, *args, timeout=120, check=False, **kw):
    """Runs the orders binary and returns the CompletedProcess (text mode)."""
    proc = subprocess.run(
        [orders_bin, *map(str, args)], capture_output=True, text=True, timeout=timeout, **kw
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"orders {args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


# --- orders ----------------------------------------------------------------------------------


def f32(x: float) -> float:
    """The float32 a value becomes on the wire, for exact comparisons."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def cents(price: float) -> int:
    """llround(double(price) * 100), the project's money rule: the product in double, then half
    away from zero."""
    return int(Decimal(price * 100.0).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def encode(order_id, product, price) -> bytes:
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, SCHEMA, {"orderId": order_id, "product": product, "price": price})
    return buf.getvalue()


def decode(value: bytes) -> dict:
    return fastavro.schemaless_reader(io.BytesIO(value), SCHEMA)


def make_orders(n, rng, prefix="ORD"):
    """n orders as records: key, orderId, product, price (a float32 value) and the encoded value."""
    orders = []
    for i in range(n):
        price = f32(round(rng.uniform(1.0, 2000.0), 2))
        orders.append({"key": f"{prefix}-{i:05d}", "orderId": f"{prefix}-{i:05d}",
                       "product": rng.choice(PRODUCTS), "price": price})
    for o in orders:
        o["value"] = encode(o["orderId"], o["product"], o["price"])
    return orders


# --- the simulated processor, re-implemented -------------------------------------------------


def make_undecodable(n, rng):
    """Values that are not a valid Order: a tombstone, truncations, trailing bytes, garbage,
    bad lengths, invalid UTF-8."""
    out = []
    for i in range(n):
        good = encode(f"BAD-{i}", "Laptop", 10.0)
        kind = i % 5
        if i == 0:
            value = None  # a tombstone: no value at all
        elif kind == 0:
            value = good[: rng.randrange(0, len(good) - 1)]  # truncated
        elif kind == 1:
            value = good + b"\x00"  # trailing byte
        elif kind == 2:
            value = b"\x01" + b"\xff" * 12  # negative length
        elif kind == 3:
            value = b"\x7e" + b"A" * 8  # length 63 beyond the end
        else:
            value = b"\x06\xc3\x28\xc3\x0cLaptop\x00\x00\x20\x41"  # invalid UTF-8 in orderId
        out.append({"key": f"undecodable-{i}", "value": value, "class": "deserialization"})
    return out


def make_invalid(n):
    """Well-formed Avro orders that validation must reject."""
    cases = [("INV-{}", "Laptop", -5.0), ("INV-{}", "Laptop", 0.0), ("INV-{}", "Laptop", float("nan")),
             ("INV-{}", "Laptop", float("inf")), ("", "Laptop", 10.0), ("INV-{}", "", 10.0),
             ("X" * 300 + "{}", "Laptop", 10.0), ("INV-{}", "P" * 2000, 10.0),
             ("INV-{}", "Laptop", 3e9), ("INV-{}", "Laptop", float("-inf"))]
    out = []
    for i in range(n):
        oid, product, price = cases[i % len(cases)]
        oid = oid.format(i) if "{}" in oid else oid
        out.append({"key": f"invalid-{i}", "value": encode(oid, product, price), "class": "validation"})
    return out


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & M64
    return h


def mix64(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def roll(seed: int, order_id: str, attempt: int) -> float:
    return (mix64(fnv1a64(f"{seed}:{order_id}:{attempt}".encode())) >> 11) / 2.0**53


def fate(order_id, seed, fail_rate, permanent_rate=0.0, max_attempts=3):
    """(outcome, attempts, retries, message): outcome is 'processed' or 'processing'."""
    for attempt in range(1, max_attempts + 1):
        u = roll(seed, order_id, attempt)
        if u < permanent_rate:
            return "processing", attempt, attempt - 1, "Simulated permanent failure"
        if u < permanent_rate + fail_rate:
            if attempt == max_attempts:
                return ("processing", attempt, attempt - 1,
                        "max retries exceeded: Simulated processing failure")
            continue
        return "processed", attempt, attempt - 1, None
    raise AssertionError("unreachable")


def expected_outcomes(orders, seed, fail_rate, max_attempts=3):
    processed, dead, retries = [], {}, 0
    for o in orders:
        outcome, attempts, r, message = fate(o["orderId"], seed, fail_rate, 0.0, max_attempts)
        retries += r
        if outcome == "processed":
            processed.append(o)
        else:
            dead[o["key"]] = {"class": "processing", "attempts": attempts, "message": message}
    return processed, dead, retries


# --- the aggregate, computed independently ----------------------------------------------------


def expected_aggregate(processed):
    by_product = defaultdict(lambda: {"count": 0, "revenue_cents": 0})
    for o in processed:
        by_product[o["product"]]["count"] += 1
        by_product[o["product"]]["revenue_cents"] += cents(o["price"])
    return {
        "count": len(processed),
        "revenue_cents": sum(cents(o["price"]) for o in processed),
        "min": min(o["price"] for o in processed),
        "max": max(o["price"] for o in processed),
        "by_product": dict(by_product),
    }


def assert_aggregate(actual, expected):
    assert actual["count"] == expected["count"]
    assert actual["revenue_cents"] == expected["revenue_cents"]
    assert actual["min"] == expected["min"]
    assert actual["max"] == expected["max"]
    got = {name: {"count": p["count"], "revenue_cents": p["revenue_cents"]}
           for name, p in actual["by_product"].items()}
    assert got == expected["by_product"]
    assert actual["avg"] == pytest.approx(expected["revenue_cents"] / 100.0 / expected["count"])


def merge_aggregates(a, b):
    by_product = defaultdict(lambda: {"count": 0, "revenue_cents": 0})
    for agg in (a, b):
        for name, p in agg["by_product"].items():
            by_product[name]["count"] += p["count"]
            by_product[name]["revenue_cents"] += p["revenue_cents"]
    mins = [x["min"] for x in (a, b) if x["min"] is not None]
    maxs = [x["max"] for x in (a, b) if x["max"] is not None]
    count = a["count"] + b["count"]
    cents_ = a["revenue_cents"] + b["revenue_cents"]
    return {"count": count, "revenue_cents": cents_, "min": min(mins), "max": max(maxs),
            "by_product": dict(by_product), "avg": cents_ / 100.0 / count}


# --- reading topics back (read_committed, fresh group each time) ------------------------------


def read_all(bootstrap, topic, timeout=30, isolation="read_committed"):
    """Every committed record of `topic` up to its current end, as dicts (key, value, headers,
    partition, offset); with isolation="read_uncommitted", those of aborted transactions too."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4().hex}",
                  "isolation.level": isolation, "enable.partition.eof": True,
                  "enable.auto.commit": False})
    try:
        parts = c.list_topics(topic, timeout=10).topics[topic].partitions
        c.assign([TopicPartition(topic, p, 0) for p in parts])
        pending = set(parts)
        out = []
        deadline = time.time() + timeout
        while pending and time.time() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    pending.discard(m.partition())
                    continue
                raise AssertionError(m.error())
            out.append({"key": m.key(), "value": m.value(), "headers": m.headers() or [],
                        "partition": m.partition(), "offset": m.offset()})
        assert not pending, f"could not read {topic} to its end"
        return out
    finally:
        c.close()


def read_to_end(bootstrap, topic, timeout=60):
    """Every record of `topic` (read_committed), read from the beginning until each partition's
    position reaches the end offset taken at the start (all writers are done by then)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4().hex}",
                         "enable.auto.commit": False, "isolation.level": "read_committed",
                         "enable.partition.eof": True})
    out = []
    try:
        parts = sorted(consumer.list_topics(topic, timeout=20).topics[topic].partitions)
        ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=20)[1]
                for p in parts}
        consumer.assign([TopicPartition(topic, p, 0) for p in parts])
        left = {p for p in parts if ends[p] > 0}
        deadline = time.time() + timeout
        while left:
            assert time.time() < deadline, (
                f"{topic}: partitions {sorted(left)} not read to {ends} in {timeout}s")
            msg = consumer.poll(0.2)
            if msg is not None:
                if msg.error() is None:
                    out.append(msg)
                elif msg.error().code() == KafkaError._PARTITION_EOF:
                    if msg.offset() >= ends[msg.partition()]:
                        left.discard(msg.partition())
                else:
                    raise AssertionError(f"reading {topic}: {msg.error()}")
            for tp in consumer.position([TopicPartition(topic, p) for p in list(left)]):
                if tp.offset >= ends[tp.partition]:
                    left.discard(tp.partition)
    finally:
        consumer.close()
    return out


def read_topic(bootstrap, topic, expect, timeout=30):
    """Reads a topic from the beginning until `expect` records arrived (then a short grace, to
    catch duplicates); returns the messages. For topics still being written."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4().hex}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "isolation.level": "read_committed"})
    consumer.subscribe([topic])
    out, deadline, grace_until = [], time.time() + timeout, None
    try:
        while time.time() < deadline:
            msg = consumer.poll(0.2)
            if msg is not None and msg.error() is None:
                out.append(msg)
            if len(out) >= expect:
                grace_until = grace_until or time.time() + 1.0
                if time.time() >= grace_until:
                    break
    finally:
        consumer.close()
    return out


# --- a background `orders` process -----------------------------------------------------------


class Running:
    """A background `orders` process whose stderr lines are collected as they arrive."""

    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self._cv = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stderr:
            with self._cv:
                self.lines.append(line)
                self._cv.notify_all()

    def wait_for(self, predicate, timeout=30):
        deadline = time.time() + timeout
        with self._cv:
            while not predicate(self.lines):
                left = deadline - time.time()
                assert left > 0 and self.proc.poll() is None, "".join(self.lines[-30:])
                self._cv.wait(min(left, 0.2))

    def finish(self, timeout=120):
        # Bounded: a process that does not exit is killed and the test fails with its log.
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise AssertionError(f"still running after {timeout}s (killed): {self.proc.args}\n"
                                 + "".join(self.lines[-40:]))
        out = self.proc.stdout.read()
        self._reader.join(timeout=5)
        return self.proc.returncode, out, "".join(self.lines)


def count_lines(text):
    return lambda lines: sum(text in line for line in lines)
