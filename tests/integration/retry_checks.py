"""Shared by test_retries.py and test_retries_crash.py: parsing the `-v` lines, the keyed test
records and their expected fates, Kafka reads, and the checks of an exact outcome."""
import contextlib
import io
import json
import re
from collections import Counter

import fastavro
from confluent_kafka import Consumer, Producer, TopicPartition

from helpers import (SCHEMA, assert_aggregate, expected_aggregate, fate, make_invalid, make_orders,
                     make_undecodable, read_to_end, run_orders)

# --- -v lines --------------------------------------------------------------------------------

# " [orders-x[2]@17 key k5]" at the very end of a line.
SUFFIX = re.compile(r" \[(?P<topic>[^\s\[\]]+)\[(?P<partition>\d+)\]@(?P<offset>\d+)"
                    r" key (?P<key>[^\]]*)\]$")
PROCESSED = "✅ Successfully processed order: "
FAILED = "⚠️  Processing failed for "
DEAD = "💀 Dead-lettering "


def parse_events(lines, topic):
    """The -v lines of `topic` as (kind, partition, offset, printed_key, line) in log order;
    kind is 'processed', 'failed' or 'dead'. A marker line without the suffix is an error."""
    events = []
    for line in lines:
        line = line.rstrip("\n")
        for marker, kind in ((PROCESSED, "processed"), (FAILED, "failed"), (DEAD, "dead")):
            if marker in line:
                m = SUFFIX.search(line)
                assert m, f"no ' [<topic>[<partition>]@<offset> key <key>]' suffix: {line!r}"
                if m["topic"] == topic:
                    events.append((kind, int(m["partition"]), int(m["offset"]), m["key"], line))
                break
    return events


class EventStream:
    """parse_events over a growing list of lines (Running.lines), parsing each line once: for
    wait_for predicates, which run on every new line."""

    def __init__(self, topic):
        self.topic, self.seen, self.events = topic, 0, []
        self.done, self.failed = Counter(), set()

    def update(self, lines):
        new = parse_events(lines[self.seen:], self.topic)
        self.seen = len(lines)
        for kind, p, off, _, _ in new:
            if kind == "failed":
                self.failed.add((p, off))
            else:
                self.done[(p, off)] += 1
        self.events += new
        return self

    def waiting(self):
        """Records that failed an attempt and have not finished."""
        return self.failed - set(self.done)


def finishes(events):
    """(partition, offset, printed_key, kind) of every processed/dead event, in log order."""
    return [(p, off, key, kind) for kind, p, off, key, _ in events if kind != "failed"]


def printed(key):
    return "(null)" if key is None else key


# --- data ------------------------------------------------------------------------------------


def key_pool(n_keys, partitions):
    """Keys k00..k<n-1>; key i lives on partition i % partitions (like a keyed partitioner)."""
    keys = [f"k{i:02d}" for i in range(n_keys)]
    return keys, {k: i % partitions for i, k in enumerate(keys)}


def keyed_records(rng, n_orders, partitions, n_keys=40, null_share=0.03, n_bad=0, prefix="RT"):
    """Orders with unique orderIds and keys drawn from a small pool (each key repeats), some
    with a null key, plus n_bad undecodable and n_bad invalid records keyed from the same pool;
    shuffled. Every record gets 'partition' (its key's partition; null keys spread)."""
    keys, home = key_pool(n_keys, partitions)
    records = []
    for o in make_orders(n_orders, rng, prefix=prefix):
        records.append(dict(o, kind="order"))
    for b in make_undecodable(n_bad, rng) + make_invalid(n_bad):
        records.append(dict(b, kind=b["class"]))
    rng.shuffle(records)
    for i, rec in enumerate(records):
        if rng.random() < null_share:
            rec["key"], rec["partition"] = None, i % partitions
        else:
            rec["key"] = rng.choice(keys)
            rec["partition"] = home[rec["key"]]
    return records


def produce_records(bootstrap, topic, records):
    """Produces each record to its 'partition' (key may be None); notes its offset/timestamp."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                         "linger.ms": 5})
    errors = []

    def on_delivery(err, msg, rec):
        if err is not None:
            errors.append(err)
            return
        rec["offset"], rec["timestamp"] = msg.offset(), msg.timestamp()[1]

    for i, rec in enumerate(records):
        key = None if rec["key"] is None else rec["key"].encode()
        producer.produce(topic, key=key, value=rec["value"], partition=rec["partition"],
                         on_delivery=lambda err, msg, rec=rec: on_delivery(err, msg, rec))
        if i % 1000 == 0:
            producer.poll(0)
    assert producer.flush(60) == 0 and not errors, errors[:3]
    return {(r["partition"], r["offset"]): r for r in records}


def expectations(by_position, seed, fail_rate, max_attempts=3):
    """For every (partition, offset): its expected outcome. Returns (expect, processed orders)."""
    expect, processed = {}, []
    for pos, rec in by_position.items():
        if rec["kind"] != "order":
            expect[pos] = {"outcome": "dead", "class": rec["kind"], "retries": 0, "attempts": 0}
            continue
        outcome, attempts, retries, message = fate(rec["orderId"], seed, fail_rate, 0.0,
                                                   max_attempts)
        if outcome == "processed":
            processed.append(rec)
            expect[pos] = {"outcome": "processed", "retries": retries}
        else:
            expect[pos] = {"outcome": "dead", "class": "processing", "retries": retries,
                           "attempts": attempts, "message": message}
    return expect, processed


def decode_order_id(value):
    return fastavro.schemaless_reader(io.BytesIO(value), SCHEMA)["orderId"]


# --- Kafka helpers ---------------------------------------------------------------------------


def committed_offsets(bootstrap, group, topic, partitions):
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                      "isolation.level": "read_committed"})
    try:
        tps = probe.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=20)
        ends = [probe.get_watermark_offsets(TopicPartition(topic, p), timeout=20)[1]
                for p in range(partitions)]
    finally:
        probe.close()
    return [tp.offset for tp in tps], ends


def stats(orders_bin, bootstrap, topic, aggregates):
    proc = run_orders(orders_bin, "stats", "--bootstrap", bootstrap, "--topic", topic,
                      "--aggregates-topic", aggregates, "--json", timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def retry_cmd(orders_bin, bootstrap, topic, *extra):
    """`orders consume` on `topic` with its own group, DLQ and aggregates topic."""
    return [orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic,
            "--group", f"g-{topic}", "--dlq-topic", f"{topic}-dlq",
            "--aggregates-topic", f"{topic}-agg", "--stats-interval", "0", "--json",
            *map(str, extra)]


@contextlib.contextmanager
def logs_on_failure(logs):
    """Re-raises an AssertionError with the tail of every log in `logs` (name -> lines), which
    may still be filled in while the block runs."""
    try:
        yield
    except AssertionError as e:
        tails = []
        for name, lines in logs.items():
            text = lines if isinstance(lines, str) else "".join(lines)
            notable = [l for l in text.splitlines(True)
                       if (" WARNING " in l or " ERROR " in l) and FAILED not in l and DEAD not in l]
            tails.append(f"--- {name}: warnings/errors (last 20) ---\n" + "".join(notable[-20:])
                         + f"--- {name}: last 40 lines ---\n"
                         + "".join(text.splitlines(True)[-40:]))
        raise AssertionError(f"{e}\n" + "\n".join(tails)) from e


def check_report_fields(report, where):
    for field in ("retry_lateness_ms", "pending_retries", "skipped_on_restore"):
        assert field in report, f"{where}: no '{field}' in the --json report: {report}"
    lat = report["retry_lateness_ms"]
    assert set(lat) >= {"count", "p50", "p99", "max"}, lat
    if lat["count"] > 0:
        assert 0 <= lat["p50"] <= lat["p99"] <= lat["max"], lat


def check_each_record_once(events, expect, where):
    """In one complete run: each record finished exactly once, as expected, after exactly its
    expected number of failed attempts; the printed key is the record's key."""
    finished = Counter((p, off) for p, off, _, _ in finishes(events))
    twice = {pos: n for pos, n in finished.items() if n > 1}
    assert not twice, f"{where}: finished more than once: {sorted(twice.items())[:10]}"
    missing = set(expect) - set(finished)
    assert not missing, f"{where}: {len(missing)} never finished, e.g. {sorted(missing)[:10]}"
    unknown = set(finished) - set(expect)
    assert not unknown, f"{where}: finished records never produced: {sorted(unknown)[:10]}"
    failed = Counter((p, off) for kind, p, off, _, _ in events if kind == "failed")
    for kind, p, off, _, line in events:
        if kind != "failed":
            want = expect[(p, off)]
            assert kind == want["outcome"], f"{where}: {line!r}, expected {want}"
            assert failed[(p, off)] == want["retries"], (
                f"{where}: {failed[(p, off)]} failed attempts logged for {p}@{off}, "
                f"expected {want}: {line!r}")


def check_printed_keys(events, by_position, where):
    for _, p, off, key, line in events:
        want = printed(by_position[(p, off)]["key"])
        assert key == want, f"{where}: key {key!r} printed, the record's key is {want!r}: {line!r}"


def check_dlq(bootstrap, dlq, topic, expect, by_position, where, each_once=True):
    """The DLQ (read_committed, to its end) holds exactly the expected dead letters (each once,
    or at least once), bytes unchanged, with the expected class, attempts and message."""
    msgs = read_to_end(bootstrap, dlq)
    got = Counter()
    for m in msgs:
        headers = {k: v.decode() for k, v in m.headers()}
        assert headers["dlq.original.topic"] == topic
        pos = (int(headers["dlq.original.partition"]), int(headers["dlq.original.offset"]))
        got[pos] += 1
        want = expect.get(pos)
        assert want is not None and want["outcome"] == "dead", (
            f"{where}: unexpected dead letter of {pos}: {headers}, expected {want}")
        rec = by_position[pos]
        assert m.value() == rec["value"], f"{where}: value of {pos} changed"
        assert m.key() == (None if rec["key"] is None else rec["key"].encode()), pos
        assert headers["dlq.error.class"] == want["class"], (pos, headers, want)
        assert int(headers["dlq.attempts"]) == want["attempts"], (pos, headers, want)
        if want.get("message"):
            assert headers["dlq.error.message"] == want["message"], (pos, headers, want)
    dead = {pos for pos, w in expect.items() if w["outcome"] == "dead"}
    missing = dead - set(got)
    assert not missing, f"{where}: {len(missing)} dead letter(s) missing, e.g. {sorted(missing)[:10]}"
    duplicates = {pos: n for pos, n in got.items() if n > 1}
    if each_once:
        assert not duplicates, f"{where}: duplicate dead letters {sorted(duplicates.items())[:10]}"
    return sum(n - 1 for n in got.values())


def check_stats(orders_bin, bootstrap, topic, processed, partitions, where):
    s = stats(orders_bin, bootstrap, topic, f"{topic}-agg")
    try:
        assert_aggregate(s["aggregate"], expected_aggregate(processed))
    except AssertionError as e:
        raise AssertionError(f"{where}: `orders stats` aggregate differs: {e}") from e
    _, ends = committed_offsets(bootstrap, f"g-{topic}", topic, partitions)
    assert [(p["partition"], p["offset"]) for p in s["partitions"]] == list(enumerate(ends)), (
        f"{where}: checkpoints do not cover every partition to its end {ends}: {s['partitions']}")
    assert s["errors"] == [], s["errors"]
    return s


SEED = 23
ORDER_BACKOFF = "100ms"

def expected_finishable_before_retry(by_position, expect):
    """How many records finish before any retry is due: in each (partition, key), the records
    before the first one whose first attempt fails."""
    blocked, n = set(), 0
    for (p, off) in sorted(by_position):
        group = (p, by_position[(p, off)]["key"])
        if group in blocked:
            continue
        if expect[(p, off)]["retries"] > 0:
            blocked.add(group)
        else:
            n += 1
    return n
