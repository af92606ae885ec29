"""Non-blocking, key-ordered retries (`orders consume --ordering key|partition|none`).

What is proven here, against the real broker, with every expectation computed independently in
Python (records encoded here, their partition/offset taken from our own delivery reports, each
order's fate from the re-implemented deterministic failure function):

  - `--ordering key` (the default): under 30 % transient failures with repeated keys, the records
    of one (partition, key) finish - processed or dead-lettered - in offset order, null keys
    counting as one key; and a waiting record does not hold back other keys: some record finishes
    before an earlier-offset record of its partition with another key. The outcome (report,
    `orders stats`, DLQ) is exact, in both semantics.
  - `--ordering partition`: every partition's records finish in offset order (today's behaviour);
    `--ordering none`: nothing waits, a same-key record may overtake; outcome exact in both.
  - exactly-once with retries in flight and a consumer SIGKILLed three times: `orders stats` exact,
    the DLQ (read_committed, to its end offsets) holds every expected dead letter exactly once.
  - SIGTERM with retries pending (30 s backoff): exit 0 within 2 s, `pending_retries` is exactly
    the number of records that failed and wait; a second run at `--fail-rate 0` finishes the rest,
    skips exactly the records the first run finished above its committed offset, processes none
    twice; `orders stats` exact.
  - `--window-records N` / `--window-span N`: with every record on its own key and retries
    pending, a partition takes in at most N unfinished records / nothing more than N offsets
    above its commit offset; the text report has `Retry lateness:` and `Pending retries at exit:`.
  - at-least-once with retries in flight and one SIGKILL: nothing lost (every order processed at
    least once, every expected dead letter present at least once, nothing unexpected), and the
    checkpointed aggregate exact (docs/semantics.md, "Guarantees": exact in both modes).

The -v lines parsed here end with ` [<topic>[<partition>]@<offset> key <key>]` (key as text,
`(null)` when absent). A record is identified by (partition, offset), never by its orderId, so
undecodable and invalid records are checked the same way.

Environment: ORDERS_RETRY_SEED fixes the seed of the kill moments (printed on failure);
ORDERS_TEST_LOG_DIR keeps every consumer's stderr (see test_exactly_once.py).
"""
import contextlib
import io
import json
import os
import random
import re
import signal
import subprocess
import time
import uuid
from collections import Counter, defaultdict

import fastavro
import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from helpers import (SCHEMA, Running, assert_aggregate, expected_aggregate, fate, make_invalid,
                     make_orders, make_undecodable, run_orders)
from scenario import PARTITIONS, Scenario, kill_moments

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


# --- 1. per-key order, per-partition order ----------------------------------------------------

SEED = 23
ORDER_BACKOFF = "100ms"


def run_ordering_case(bootstrap, orders_bin, topic_factory, ordering, semantics, n_orders,
                      n_bad, fail_rate=0.3, data_seed=2026):
    """Produces a keyed backlog over 3 partitions, consumes it to the end with -v, checks the
    outcome exactly; returns (events, by_position, report, logs)."""
    partitions = 3
    topic = topic_factory(f"retry-{ordering}", partitions=partitions)
    by_position = produce_records(bootstrap, topic, keyed_records(
        random.Random(data_seed), n_orders, partitions, n_bad=n_bad))
    expect, processed = expectations(by_position, SEED, fail_rate)
    where = f"--ordering {ordering} --semantics {semantics}"

    proc = subprocess.run(
        retry_cmd(orders_bin, bootstrap, topic, "--ordering", ordering, "--semantics", semantics,
                  "--fail-rate", fail_rate, "--seed", SEED, "--initial-backoff", ORDER_BACKOFF,
                  "--max-attempts", 3, "-v", "--idle-exit", "3s"),
        capture_output=True, text=True, timeout=240)
    logs = {f"consumer ({where})": proc.stderr}
    with logs_on_failure(logs):
        assert proc.returncode == 0, f"{where}: exit {proc.returncode}"
        report = json.loads(proc.stdout)
        events = parse_events(proc.stderr.splitlines(), topic)
        check_each_record_once(events, expect, where)
        check_printed_keys(events, by_position, where)

        n = len(by_position)
        dead = [w for w in expect.values() if w["outcome"] == "dead"]
        assert report["consumed"] == n
        assert report["processed"] == len(processed)
        assert report["dead_lettered"] == len(dead)
        assert report["retries"] == sum(w["retries"] for w in expect.values())
        assert report["dead_lettered_by_class"] == dict(Counter(w["class"] for w in dead))
        assert report["unfinished"] == 0
        check_report_fields(report, where)
        assert report["ordering"] == ordering
        assert report["pending_retries"] == 0
        assert report["skipped_on_restore"] == 0  # nothing restored: a fresh group
        assert report["retry_lateness_ms"]["count"] == report["retries"], (
            f"{where}: every retry ran once, so each has a lateness: {report}")
        assert_aggregate(report["aggregate"], expected_aggregate(processed))

        check_stats(orders_bin, bootstrap, topic, processed, partitions, where)
        check_dlq(bootstrap, f"{topic}-dlq", topic, expect, by_position, where)
    return events, by_position, report, logs


def overtakes(events, by_position, same_key):
    """(earlier, later) pairs: `later` finished while `earlier`, a lower offset of its partition
    with the same key (same_key=True) or another key (False), had not finished yet."""
    found, done = [], defaultdict(set)
    for p, off, _, _ in finishes(events):
        key = by_position[(p, off)]["key"]
        for earlier in range(off):
            if (earlier not in done[p] and (p, earlier) in by_position
                    and (by_position[(p, earlier)]["key"] == key) == same_key):
                found.append(((p, earlier), (p, off)))
                break
        done[p].add(off)
    return found


@pytest.fixture(params=["exactly-once", "at-least-once"])
def semantics(request):
    return request.param


def test_ordering_key_keeps_per_key_order_and_does_not_block_the_partition(
        bootstrap, orders_bin, topic_factory, semantics):
    events, by_position, report, logs = run_ordering_case(
        bootstrap, orders_bin, topic_factory, "key", semantics, n_orders=3000, n_bad=30)
    where = f"--ordering key --semantics {semantics}"
    with logs_on_failure(logs):
        # Per (partition, key) - null keys are one key - the finishes come in offset order.
        last = {}
        for p, off, _, kind in finishes(events):
            group = (p, by_position[(p, off)]["key"])
            assert last.get(group, -1) < off, (
                f"{where}: {kind} {p}@{off} (key {printed(group[1])}) finished after "
                f"{p}@{last[group]} of the same key")
            last[group] = off
        assert any(k is None for _, k in last), "the data should include null keys"
        # And a waiting record did not hold back its partition: other keys went past it.
        passed = overtakes(events, by_position, same_key=False)
        assert passed, f"{where}: no record finished before an earlier record of another key"
        assert {p for (p, _), _ in passed} == {0, 1, 2}, (
            f"{where}: retries blocked some partition entirely: overtakes only in "
            f"{sorted({p for (p, _), _ in passed})}")
        assert report["retries"] > 0


def test_ordering_partition_keeps_per_partition_order(bootstrap, orders_bin, topic_factory):
    # Each failed attempt holds back the whole partition, so this backlog is small.
    events, by_position, _, logs = run_ordering_case(
        bootstrap, orders_bin, topic_factory, "partition", "exactly-once", n_orders=300, n_bad=5)
    with logs_on_failure(logs):
        last = {}
        for p, off, _, kind in finishes(events):
            assert last.get(p, -1) < off, (
                f"--ordering partition: {kind} {p}@{off} finished after {p}@{last[p]}")
            last[p] = off
        assert sorted(last) == [0, 1, 2]


def test_ordering_none_lets_a_waiting_record_be_overtaken_by_its_own_key(
        bootstrap, orders_bin, topic_factory):
    events, by_position, _, logs = run_ordering_case(
        bootstrap, orders_bin, topic_factory, "none", "exactly-once", n_orders=1000, n_bad=5)
    with logs_on_failure(logs):
        assert overtakes(events, by_position, same_key=True), (
            "--ordering none: no record finished before an earlier record of its own key")


# --- 2. exactly-once, retries in flight, consumer SIGKILLed three times -------------------------


class RetryScenario(Scenario):
    """test_exactly_once's Scenario with repeated keys (key affinity to partitions kept: order i
    goes to partition i % 6, and its key is one of that partition's keys), non-blocking retries
    with a long backoff, and a DLQ checked by orderId.

    A key's records are processed one after another, each failure adding its backoff: n_keys
    is chosen so that one key's chain of backoffs (n_orders / n_keys records, about
    fail_rate * backoff each) stays a few seconds."""

    def __init__(self, bootstrap, orders_bin, semantics, n_orders, n_keys, fail_rate, backoff,
                 extra=()):
        seed = os.environ.get("ORDERS_RETRY_SEED")
        super().__init__(bootstrap, orders_bin, semantics, n_orders=n_orders,
                         seed=int(seed) if seed is not None else None)
        self.fail_seed, self.fail_rate, self.backoff = 31, fail_rate, backoff
        self.extra = list(extra)
        keys, home = key_pool(n_keys, PARTITIONS)
        keys_of = defaultdict(list)
        for k in keys:
            keys_of[home[k]].append(k)
        krng = random.Random(77)
        for i, o in enumerate(self.orders):
            o["key"] = krng.choice(keys_of[i % PARTITIONS])
        self.processed, self.dead_ids = [], {}
        for o in self.orders:
            outcome, attempts, _, message = fate(o["orderId"], self.fail_seed, fail_rate)
            if outcome == "processed":
                self.processed.append(o)
            else:
                self.dead_ids[o["orderId"]] = (attempts, message)
        self.dead = None  # the base class's key-indexed view does not apply: keys repeat
        self.killed = []  # (name, lines) of every SIGKILLed consumer

    def consumer_cmd(self, name):
        cmd = [str(a) for a in super().consumer_cmd(name)]
        for flag, value in (("--fail-rate", self.fail_rate), ("--initial-backoff", self.backoff),
                            ("--seed", self.fail_seed)):
            cmd[cmd.index(flag) + 1] = str(value)
        return cmd + ["--ordering", "key", "--max-attempts", "3", *map(str, self.extra)]

    def kill_consumer(self, name):
        self.killed.append((name, self.consumers[name].lines))
        super().kill_consumer(name)

    def check_outcome(self, dlq_each_once):
        s = self.stats()
        try:
            assert_aggregate(s["aggregate"], expected_aggregate(self.processed))
        except AssertionError as e:
            raise AssertionError(f"aggregate differs ({e}): {self.context()}") from e
        _, ends = self.offsets()
        assert [(p["partition"], p["offset"]) for p in s["partitions"]] == list(
            enumerate(ends)), f"checkpoints {s['partitions']} vs ends {ends}: {self.context()}"
        assert s["errors"] == []

        counts, wrong = Counter(), []
        for m in read_to_end(self.bootstrap, self.dlq):
            order_id = decode_order_id(m.value())
            counts[order_id] += 1
            headers = {k: v.decode() for k, v in m.headers()}
            want = self.dead_ids.get(order_id)
            if want and (int(headers["dlq.attempts"]), headers["dlq.error.message"]) != want:
                wrong.append((order_id, headers, want))
        missing = set(self.dead_ids) - set(counts)
        unexpected = set(counts) - set(self.dead_ids)
        assert not missing and not unexpected, (
            f"DLQ missing {len(missing)} {sorted(missing)[:10]}, unexpected {len(unexpected)} "
            f"{sorted(unexpected)[:10]}: {self.context()}")
        assert not wrong, f"dead letters with wrong headers: {wrong[:3]}"
        duplicates = sum(n - 1 for n in counts.values())
        if dlq_each_once:
            assert duplicates == 0, (
                f"{duplicates} duplicate dead letter(s), e.g. "
                f"{[k for k, n in counts.items() if n > 1][:10]}: {self.context()}")
        return s, duplicates


@pytest.mark.slow
def test_exactly_once_retries_in_flight_consumer_sigkilled_three_times(bootstrap, orders_bin):
    # 600 keys: each repeats 50 times, and a key's chain of 500 ms backoffs stays ~3 s.
    s = RetryScenario(bootstrap, orders_bin, "exactly-once", n_orders=30000, n_keys=600,
                      fail_rate=0.1, backoff="500ms")
    produce_seconds = 15.0
    s.start_consumer("a")
    s.start_consumer("b")
    s.start_producing(seconds=produce_seconds)
    t0 = time.monotonic()
    for at in kill_moments(s.rng, 3, produce_seconds):
        time.sleep(max(0.0, t0 + at - time.monotonic()))
        s.check_alive()
        s.kill_consumer("a")
        s.start_consumer("a")
    s.wait_until_done(timeout=150)
    s.stop_consumers_cleanly()
    s.check_outcome(dlq_each_once=True)
    reports = {name: r for name, _, r, _ in s.finished}
    for name, r in reports.items():
        check_report_fields(r, f"consumer {name} after the kills")
    # The survivors restored partitions that had records finished above their committed offset
    # (with 10 % failures and 500 ms backoff there always are some) and skipped them.
    assert sum(r["partitions_restored"] for r in reports.values()) > 0
    assert sum(r["skipped_on_restore"] for r in reports.values()) > 0, (
        f"no record skipped on restore: {s.context()}")
    # Every partition was committed to its end before the SIGTERM: nothing waits at exit (the
    # report's pending_retries is "records waiting for a retry at exit").
    figures = {name: {k: r[k] for k in ("pending_retries", "unfinished", "retries",
                                        "partitions_restored", "skipped_on_restore")}
               for name, r in reports.items()}
    assert all(r["pending_retries"] == 0 for r in reports.values()), (
        f"retries pending at exit although every partition is committed to its end: {figures}")


# --- 3. SIGTERM with retries pending, then a run that finishes everything ------------------------


def test_sigterm_with_retries_pending_exits_fast_and_a_second_run_finishes_everything(
        bootstrap, orders_bin, topic_factory, semantics):
    partitions, fail_rate = 3, 0.2
    topic = topic_factory("retry-sigterm", partitions=partitions)
    by_position = produce_records(bootstrap, topic, keyed_records(
        random.Random(5), 900, partitions, n_keys=60))
    expect, _ = expectations(by_position, SEED, fail_rate)
    all_orders = list(by_position.values())
    where = f"--semantics {semantics}"
    # Windows far above this backlog: the count of records the first run can finish below
    # does not depend on the default bounds.
    common = ("--semantics", semantics, "--ordering", "key", "--seed", SEED, "--max-attempts", 3,
              "--window-records", 100000, "--window-span", 100000, "-v")
    logs = {}
    with logs_on_failure(logs):
        first = Running(retry_cmd(orders_bin, bootstrap, topic, *common, "--fail-rate", fail_rate,
                                  "--initial-backoff", "30s"))
        logs["first run"] = first.lines
        # Every key that meets a failure waits 30 s; all the other records finish. Wait until
        # every record that can finish has finished: the failures are then certainly pending.
        can_finish = expected_finishable_before_retry(by_position, expect)
        stream = EventStream(topic)
        first.wait_for(lambda lines: len(stream.update(lines).done) >= can_finish, timeout=30)
        t0 = time.monotonic()
        first.proc.send_signal(signal.SIGTERM)
        rc, out, err = first.finish(timeout=15)
        elapsed = time.monotonic() - t0
        assert rc == 0, f"{where}: first run exit {rc}"
        assert elapsed < 2.0, f"{where}: took {elapsed:.2f}s to stop with retries pending"
        one = json.loads(out)
        check_report_fields(one, where)
        stream.update(first.lines)
        check_printed_keys(stream.events, by_position, where)
        done_one, waiting = stream.done, stream.waiting()
        assert max(done_one.values()) == 1
        assert len(done_one) == can_finish, (
            f"{where}: {len(done_one)} finished, {can_finish} could (key order kept)")
        assert all(expect[pos]["retries"] == 0 for pos in done_one)
        assert waiting, "no retry pending at SIGTERM"
        failures = Counter((p, off) for kind, p, off, _, _ in stream.events if kind == "failed")
        assert set(failures.values()) == {1}, "a 30 s backoff leaves no time for attempt 2"
        assert one["pending_retries"] == len(waiting), (
            f"{where}: pending_retries {one['pending_retries']}, records waiting for a retry "
            f"{len(waiting)}")
        assert one["unfinished"] >= one["pending_retries"]
        assert one["processed"] == len(done_one)
        assert one["dead_lettered"] == 0
        assert one["retry_lateness_ms"]["count"] == 0, "no retry was due before SIGTERM"

        # Only the contiguous finished prefix is committed; the records finished above it are
        # stored with the checkpoint, and the second run skips exactly those.
        committed, ends = committed_offsets(bootstrap, f"g-{topic}", topic, partitions)
        above = 0
        for p in range(partitions):
            unfinished = [off for off in range(ends[p]) if (p, off) not in done_one]
            prefix = min(unfinished, default=ends[p])
            assert max(committed[p], 0) == prefix, (
                f"{where}: partition {p} committed at {committed[p]}, its first unfinished "
                f"record is at {prefix}")
            above += sum(1 for q, off in done_one if q == p and off >= prefix)
        assert above > 0, "the data should leave records finished above a waiting one"

        second = subprocess.run(retry_cmd(orders_bin, bootstrap, topic, *common, "--fail-rate",
                                          0, "--initial-backoff", "30s", "--idle-exit", "2s"),
                                capture_output=True, text=True, timeout=120)
        logs["second run"] = second.stderr
        assert second.returncode == 0, f"{where}: second run exit {second.returncode}"
        two = json.loads(second.stdout)
        check_report_fields(two, where)
        events_two = parse_events(second.stderr.splitlines(), topic)
        done_two = Counter((p, off) for p, off, _, _ in finishes(events_two))
        again = set(done_one) & set(done_two)
        assert not again, f"{where}: finished again in the second run: {sorted(again)[:10]}"
        assert max(done_two.values()) == 1
        never = set(by_position) - set(done_one) - set(done_two)
        assert not never, f"{where}: never finished: {sorted(never)[:10]}"
        assert all(kind == "processed" for *_, kind in finishes(events_two))
        assert two["skipped_on_restore"] == above, (
            f"{where}: skipped {two['skipped_on_restore']}, the first run finished {above} "
            f"records above its committed offsets {committed}")
        assert one["processed"] + two["processed"] == len(all_orders)
        assert two["dead_lettered"] == 0 and two["pending_retries"] == 0
        assert two["unfinished"] == 0
        assert_aggregate(two["aggregate"], expected_aggregate(
            [by_position[pos] for pos in done_two]))
        check_stats(orders_bin, bootstrap, topic, all_orders, partitions, where)
        assert read_to_end(bootstrap, f"{topic}-dlq") == [], "nothing should be dead-lettered"


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


def test_text_report_names_retry_lateness_and_pending_retries(
        bootstrap, orders_bin, topic_factory):
    topic = topic_factory("retry-text", partitions=1)
    records = keyed_records(random.Random(9), 5, 1, n_keys=5, null_share=0.0)
    for i, rec in enumerate(records):
        rec["key"] = f"distinct-{i}"  # five keys: none waits for another
    produce_records(bootstrap, topic, records)
    cmd = [a for a in retry_cmd(orders_bin, bootstrap, topic, "--ordering", "key", "-v",
                                "--fail-rate", 1, "--initial-backoff", "30s") if a != "--json"]
    run = Running(cmd)
    with logs_on_failure({"consumer": run.lines}):
        run.wait_for(lambda lines: sum(FAILED in line for line in lines) >= 5, timeout=60)
        run.proc.send_signal(signal.SIGTERM)
        rc, out, err = run.finish(timeout=15)
        assert rc == 0
        text = out + err
        shown = [l for l in text.splitlines() if l.startswith(("Retry", "Pending"))]
        assert re.search(r"^Pending retries at exit: 5$", text, re.M), shown
        assert re.search(r"^Retry lateness:", text, re.M), shown


@pytest.mark.parametrize("bound", ["records", "span"])
def test_a_partition_pauses_at_its_window_bound(bootstrap, orders_bin, topic_factory, bound):
    """Every record has its own key, so nothing waits for another record: only the window stops
    the partition from taking in the whole backlog while retries are pending (30 s backoff).
    records: every attempt fails, so every record taken in stays unfinished - at most N of them;
    span: 20 % fail, the commit offset stays at the first failure - nothing taken more than N
    offsets above it."""
    n, total = 50, 3000
    topic = topic_factory(f"retry-window-{bound}", partitions=1)
    records = keyed_records(random.Random(3), total, 1, null_share=0.0)
    for i, rec in enumerate(records):
        rec["key"] = f"own-{i}"
    by_position = produce_records(bootstrap, topic, records)
    fail_rate = 1.0 if bound == "records" else 0.2
    expect, _ = expectations(by_position, SEED, fail_rate)
    run = Running(retry_cmd(orders_bin, bootstrap, topic, f"--window-{bound}", n, "--fail-rate",
                            fail_rate, "--seed", SEED, "--initial-backoff", "30s", "-v"))
    stream = EventStream(topic)
    where = f"--window-{bound} {n}"
    with logs_on_failure({"consumer": run.lines}):
        # Each record taken in is decided at once (no key waits): wait for the window to fill,
        # then give the consumer time to take more if it would.
        run.wait_for(lambda lines: len(stream.update(lines).done) + len(stream.failed) >= n,
                     timeout=30)
        time.sleep(2.0)
        run.proc.send_signal(signal.SIGTERM)
        rc, out, _ = run.finish(timeout=15)
        assert rc == 0
        report = json.loads(out)
        stream.update(run.lines)
        taken = set(stream.done) | stream.failed
        highest = max(off for _, off in taken)
        assert report["consumed"] == len(taken) == highest + 1, "every record taken is decided"
        # A record finished iff its first attempt succeeds; the others failed once and wait.
        assert all((expect[pos]["retries"] == 0) == (pos in stream.done) for pos in taken)
        if bound == "records":
            assert report["unfinished"] == report["pending_retries"] == len(stream.failed)
            assert report["unfinished"] <= n, (
                f"{where}: {report['unfinished']} records taken in and not finished "
                f"(consumed {report['consumed']} of {total})")
        else:
            committed, _ = committed_offsets(bootstrap, f"g-{topic}", topic, 1)
            first_waiting = min(off for _, off in stream.waiting())
            assert max(committed[0], 0) == first_waiting
            assert highest - first_waiting <= n, (
                f"{where}: took offset {highest} with the commit offset at {first_waiting} "
                f"(span {highest - first_waiting}; consumed {report['consumed']} of {total})")


# --- 4. at-least-once, retries in flight, one SIGKILL --------------------------------------------


@pytest.mark.slow
def test_at_least_once_sigkill_with_retries_in_flight_loses_nothing(bootstrap, orders_bin,
                                                                     capsys):
    s = RetryScenario(bootstrap, orders_bin, "at-least-once", n_orders=6000, n_keys=120,
                      fail_rate=0.1, backoff="500ms", extra=["-v"])
    s.start_consumer("a")
    s.start_producing(seconds=6.0)

    # Kill it when some records finished and some failed once and wait for their retry.
    stream = EventStream(s.topic)
    s.consumers["a"].wait_for(
        lambda lines: len(stream.update(lines).done) >= 1500 and len(stream.waiting()) >= 5,
        timeout=60)
    s.kill_consumer("a")
    s.start_consumer("a")
    s.wait_until_done(timeout=120)
    survivor = s.consumers["a"]
    s.stop_consumers_cleanly()
    # What the docs promise for at-least-once (docs/semantics.md, "Guarantees"): processing at
    # least once, each dead record in the DLQ at least once, and the aggregate exact - a
    # checkpoint holds the aggregate with the offset it covers.
    stats_, duplicates = s.check_outcome(dlq_each_once=False)

    processed_ids = Counter()
    for lines in [lines for _, lines in s.killed] + [survivor.lines]:
        for line in lines:
            if PROCESSED in line:
                processed_ids[line.split(PROCESSED, 1)[1].split(" ", 1)[0]] += 1
    expected_ids = {o["orderId"] for o in s.processed}
    missing = expected_ids - set(processed_ids)
    assert not missing, f"never processed: {sorted(missing)[:10]}: {s.context()}"
    assert set(processed_ids) <= expected_ids, (
        f"processed although they fail: {sorted(set(processed_ids) - expected_ids)[:10]}")
    report = s.finished[0][2]
    check_report_fields(report, "at-least-once after the kill")
    assert report["semantics"] == "at-least-once" and report["pending_retries"] == 0
    with capsys.disabled():
        print(f"\nat-least-once retry crash: {duplicates} duplicate dead letter(s), "
              f"{sum(n - 1 for n in processed_ids.values())} order(s) processed twice, "
              f"skipped on restore {report['skipped_on_restore']}, "
              f"re-processed {report['reprocessed']}")
