"""Dead-letter records as `orders consume` writes them (key, value, dlq.* headers), built here with
confluent-kafka so the DLQ tests do not depend on the consumer, and the figures expected of them.
"""
import json
import random
import time
from collections import Counter

from confluent_kafka import Producer

from helpers import PRODUCTS, cents, encode, f32

NOW_MS = int(time.time() * 1000)
HOUR_MS = 3_600_000


# --- data ------------------------------------------------------------------------------------


def value_cents(order):
    """What a failed order is worth: only prices that can be money (finite, 0 < p <= 1e9)."""
    p = order["price"]
    return cents(p) if p == p and 0 < p <= 1e9 else None


def dead_letter(i, cls, source_topic, rng, failed_at):
    """One dead-letter record as the consumer would write it: dict with key/value/headers/meta."""
    order = None
    if cls == "deserialization":
        value = bytes([0xFF, 0x01]) + bytes(rng.randrange(256) for _ in range(rng.randrange(3, 60)))
        key = f"bad-{i}".encode()
        message = "invalid Avro Order: negative string length -1 at byte 0"
    else:
        order = {"orderId": f"ORD-{i:05d}", "product": rng.choice(PRODUCTS),
                 "price": f32(round(rng.uniform(1.0, 2000.0), 2))}
        if cls == "validation":
            if i % 2:
                order["price"] = -1.0
                message = "invalid order: price must be > 0 (got -1)"
            else:
                order["product"] = ""
                message = "invalid order: product is empty"
        else:
            message = ("max retries exceeded: Simulated processing failure" if i % 3
                       else "Simulated permanent failure")
        value = encode(order["orderId"], order["product"], order["price"])
        key = order["orderId"].encode()
    source_partition = i % 3
    headers = [
        ("trace-id", f"t-{i}".encode()),
        ("dlq.original.topic", source_topic.encode()),
        ("dlq.original.partition", str(source_partition).encode()),
        ("dlq.original.offset", str(1000 + i).encode()),
        ("dlq.original.timestamp", str(failed_at - 5000).encode()),
        ("dlq.error.class", cls.encode()),
        ("dlq.error.message", message.encode()),
        ("dlq.attempts", (b"3" if cls == "processing" else b"0")),
        ("dlq.failed.at", str(failed_at).encode()),
        ("dlq.consumer.group", b"order-processors"),
        ("dlq.host", b"test-host"),
    ]
    return {"i": i, "class": cls, "key": key, "value": value, "headers": headers, "order": order,
            "message": message, "source_partition": source_partition, "failed_at": failed_at}


def make_dead_letters(source_topic, n_processing=60, n_validation=10, n_deser=10, seed=1, start=0):
    rng = random.Random(seed)
    classes = ["processing"] * n_processing + ["validation"] * n_validation + ["deserialization"] * n_deser
    rng.shuffle(classes)
    out = []
    for j, cls in enumerate(classes):
        i = start + j
        # A third failed two hours ago, the rest a minute ago: --since has something to split.
        failed_at = NOW_MS - 2 * HOUR_MS - i if i % 3 == 0 else NOW_MS - 60_000 - i
        out.append(dead_letter(i, cls, source_topic, rng, failed_at))
    return out


def produce_dead_letters(bootstrap, dlq_topic, records, partitions=2):
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for r in records:
        p.produce(dlq_topic, key=r["key"], value=r["value"], headers=r["headers"],
                  partition=r["i"] % partitions)
    assert p.flush(30) == 0


def json_lines(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def expected_summary(records):
    by_class = Counter(r["class"] for r in records)
    by_message = Counter(r["message"] for r in records)
    by_partition = Counter(r["source_partition"] for r in records)
    values = [value_cents(r["order"]) for r in records if r["order"] is not None]
    return {
        "total": len(records),
        "by_class": dict(by_class),
        "by_message": dict(by_message),
        "by_partition": {str(p): n for p, n in by_partition.items()},
        "value_cents": sum(v for v in values if v is not None),
        "valued_orders": sum(1 for v in values if v is not None),
        "undecodable": sum(1 for r in records if r["order"] is None),
        "oldest": min(r["failed_at"] for r in records),
        "newest": max(r["failed_at"] for r in records),
    }


def dollars(c):
    return f"${c // 100:,}.{c % 100:02d}"
