"""`orders dlq` (monitor) and `orders dlq replay` against a real broker.

The dead letters are written here with confluent-kafka, carrying the dlq.* headers exactly as the
consumer writes them (README / src/pipeline/dead_letter.h), so these tests do not depend on the
consumer; every expected figure is computed here in Python from the records we wrote. The last
test runs the real pipeline end to end: consume (dead-letters) -> dlq replay -> consume again.
"""
import json
import random
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter

import pytest
from confluent_kafka import Producer

from helpers import PRODUCTS, cents, encode, f32, read_all, run_orders

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


@pytest.fixture
def dlq_setup(bootstrap, topic_factory):
    """A source topic (3 partitions) and a DLQ (2 partitions) holding 80 dead letters."""
    source = topic_factory("dlq-src", partitions=3)
    dlq = topic_factory("dlq", partitions=2)
    records = make_dead_letters(source)
    produce_dead_letters(bootstrap, dlq, records)
    return source, dlq, records


# --- monitor ---------------------------------------------------------------------------------


def test_monitor_json_summary_equals_independent_figures(orders_bin, bootstrap, dlq_setup):
    source, dlq, records = dlq_setup
    proc = run_orders(orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap, "--json", check=True)
    objs = json_lines(proc.stdout)
    *recs, summary = objs
    want = expected_summary(records)
    assert summary["type"] == "summary"
    assert [r["type"] for r in recs] == ["record"] * len(records)
    assert [r["n"] for r in recs] == list(range(1, len(records) + 1))
    assert summary["total"] == want["total"]
    assert summary["by_class"] == want["by_class"]
    assert summary["by_message"] == want["by_message"]
    assert summary["by_source_partition"] == {source: want["by_partition"]}
    assert summary["value_cents"] == want["value_cents"]
    assert summary["valued_orders"] == want["valued_orders"]
    assert summary["undecodable"] == want["undecodable"]
    assert summary["oldest_failure_ms"] == want["oldest"]
    assert summary["newest_failure_ms"] == want["newest"]

    by_id = {(r["dlq"]["partition"], r["dlq"]["offset"]): r for r in recs}
    assert len(by_id) == len(records)
    by_key = {r["key"]: r for r in recs}
    for want_rec in records:
        got = by_key[want_rec["key"].decode()]
        assert got["error_class"] == want_rec["class"]
        assert got["error_message"] == want_rec["message"]
        assert got["source"]["partition"] == want_rec["source_partition"]
        assert got["failed_at_ms"] == want_rec["failed_at"]
        if want_rec["order"] is None:  # poison pill: shown as hex
            assert got["order"] is None
            assert got["value_hex"] == want_rec["value"].hex()
            assert got["value_bytes"] == len(want_rec["value"])
        else:
            assert got["order"]["orderId"] == want_rec["order"]["orderId"]
            assert got["order"]["price"] == want_rec["order"]["price"]
            assert got["order"]["price_cents"] == value_cents(want_rec["order"])


def test_monitor_text_lines_and_summary(orders_bin, bootstrap, dlq_setup):
    _, dlq, records = dlq_setup
    proc = run_orders(orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap, check=True)
    out = proc.stdout
    want = expected_summary(records)
    lines = [l for l in out.splitlines() if l.startswith("DLQ Message #")]
    assert len(lines) == len(records)
    assert f"Total failed messages: {len(records)}" in out
    assert f"Total value of failed orders: {dollars(want['value_cents'])}" in out
    for cls, n in want["by_class"].items():
        assert f"  - {cls}: {n}\n" in out
    order = next(r for r in records if r["class"] == "processing")
    o = order["order"]
    assert any(
        l.startswith("DLQ Message #") and f"OrderID={o['orderId']}, Product={o['product']}, "
        f"Price={dollars(cents(o['price']))}, Error='{order['message']}', Class=processing" in l
        for l in lines), "\n".join(lines[:5])
    for pill in (r for r in records if r["class"] == "deserialization"):
        hexes = " ".join(f"{b:02x}" for b in pill["value"][:32])
        assert any(f"Value=<not an Order, {len(pill['value'])} bytes: {hexes}" in l for l in lines), hexes
    assert "Oldest failure: " in out and "Newest failure: " in out


def test_monitor_filters(orders_bin, bootstrap, dlq_setup):
    _, dlq, records = dlq_setup

    def summary(*args):
        proc = run_orders(orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap, "--json",
                          *args, check=True)
        *recs, s = json_lines(proc.stdout)
        assert len(recs) == s["total"]
        return s, recs

    s, _ = summary("--error-class", "validation")
    assert s["total"] == sum(r["class"] == "validation" for r in records)
    assert s["by_class"] == {"validation": s["total"]}

    s, _ = summary("--error-class", "validation,deserialization")
    assert s["total"] == sum(r["class"] != "processing" for r in records)

    recent = [r for r in records if r["failed_at"] >= NOW_MS - HOUR_MS]
    s, _ = summary("--since", "30m")
    assert s["total"] == len(recent)
    assert s["value_cents"] == expected_summary(recent)["value_cents"]

    s, _ = summary("--since", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW_MS / 1000 - 1800)))
    assert s["total"] == len(recent)

    target = next(r for r in records if r["class"] == "processing")
    s, recs = summary("--order-id", target["order"]["orderId"])
    assert s["total"] == 1 and recs[0]["order"]["orderId"] == target["order"]["orderId"]

    s, _ = summary("--error-class", "processing", "--since", "30m")
    assert s["total"] == sum(r["class"] == "processing" and r in recent for r in records)

    bad = run_orders(orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap, "--error-class", "nope")
    assert bad.returncode != 0 and "unknown error class" in bad.stderr
    bad = run_orders(orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap, "--since", "soon")
    assert bad.returncode != 0 and "--since" in bad.stderr


def test_monitor_group_tracks_progress(orders_bin, bootstrap, dlq_setup):
    source, dlq, records = dlq_setup
    group = f"mon-{uuid.uuid4().hex[:8]}"
    args = ("dlq", "--topic", dlq, "--bootstrap", bootstrap, "--json", "--summary-only")
    first = json_lines(run_orders(orders_bin, *args, "--group", group, check=True).stdout)[-1]
    assert first["total"] == len(records)
    again = json_lines(run_orders(orders_bin, *args, "--group", group, check=True).stdout)[-1]
    assert again["total"] == 0
    more = make_dead_letters(source, n_processing=5, n_validation=0, n_deser=0, seed=9, start=500)
    produce_dead_letters(bootstrap, dlq, more)
    third = json_lines(run_orders(orders_bin, *args, "--group", group, check=True).stdout)[-1]
    assert third["total"] == 5
    # Without a group every run sees everything.
    everything = json_lines(run_orders(orders_bin, *args, check=True).stdout)[-1]
    assert everything["total"] == len(records) + 5


def test_monitor_missing_topic_is_an_error(orders_bin, bootstrap):
    proc = run_orders(orders_bin, "dlq", "--topic", f"no-such-{uuid.uuid4().hex}", "--bootstrap", bootstrap)
    assert proc.returncode != 0
    assert "does not exist" in proc.stderr


def test_monitor_follow_prints_summary_on_sigterm(orders_bin, bootstrap, dlq_setup):
    source, dlq, records = dlq_setup
    proc = subprocess.Popen([orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap, "--follow",
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    seen = {"n": 0}
    all_seen = threading.Event()
    want = len(records) + 3

    def watch_stdout():
        for line in proc.stdout:
            lines.append(line)
            if json.loads(line)["type"] == "record":
                seen["n"] += 1
                if seen["n"] == want:
                    all_seen.set()

    watcher = threading.Thread(target=watch_stdout, daemon=True)
    watcher.start()
    try:
        time.sleep(1)
        more = make_dead_letters(source, n_processing=3, n_validation=0, n_deser=0, seed=4, start=900)
        produce_dead_letters(bootstrap, dlq, more)
        assert all_seen.wait(60), f"--follow showed {seen['n']} of {want} records"
        assert proc.poll() is None, "--follow must keep running"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        watcher.join(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, proc.stderr.read()
    summary = json.loads(lines[-1])
    assert summary["type"] == "summary" and summary["total"] == want


# --- replay ----------------------------------------------------------------------------------


def replay(orders_bin, bootstrap, dlq, *args, check=True):
    proc = run_orders(orders_bin, "dlq", "replay", "--topic", dlq, "--bootstrap", bootstrap, "--json",
                      *args, check=check)
    return proc, (json_lines(proc.stdout)[-1] if proc.stdout.strip() else None)


def header_dict(headers):
    return {k: (v.decode() if v is not None else None) for k, v in headers}


def test_replay_processing_failures_to_a_topic(orders_bin, bootstrap, topic_factory, dlq_setup):
    _, dlq, records = dlq_setup
    target = topic_factory("replayed", partitions=2)
    group = f"rp-{uuid.uuid4().hex[:8]}"
    _, report = replay(orders_bin, bootstrap, dlq, "--error-class", "processing", "--to", target,
                       "--group", group)
    selected = [r for r in records if r["class"] == "processing"]
    assert report["replayed"] == len(selected)
    assert report["replayed_by_class"] == {"processing": len(selected)}
    assert report["value_cents"] == sum(value_cents(r["order"]) for r in selected)
    assert report["not_selected"] == len(records) - len(selected)
    assert report["ok"] is True

    got = read_all(bootstrap, target)
    assert len(got) == len(selected)
    want_by_key = {r["key"]: r for r in selected}
    for g in got:
        w = want_by_key.pop(g["key"])
        assert g["value"] == w["value"]
        keys = [k for k, _ in g["headers"]]
        assert keys == ["trace-id", "dlq.replay.count", "dlq.replayed.at"]
        h = header_dict(g["headers"])
        assert h["trace-id"] == f"t-{w['i']}"
        assert h["dlq.replay.count"] == "1"
        assert abs(int(h["dlq.replayed.at"]) - time.time() * 1000) < 120_000
    assert not want_by_key

    # Same group again: nothing left to replay.
    _, again = replay(orders_bin, bootstrap, dlq, "--error-class", "processing", "--to", target,
                      "--group", group)
    assert again["replayed"] == 0 and again["read"] == 0
    assert len(read_all(bootstrap, target)) == len(selected)


def test_replay_default_goes_back_to_original_partitions_and_refuses_poison(
        orders_bin, bootstrap, dlq_setup):
    source, dlq, records = dlq_setup
    _, report = replay(orders_bin, bootstrap, dlq, "--group", f"rd-{uuid.uuid4().hex[:8]}")
    replayable = [r for r in records if r["class"] != "deserialization"]
    assert report["replayed"] == len(replayable)
    assert report["refused"] == len(records) - len(replayable)
    assert report["refused_by_class"] == {"deserialization": len(records) - len(replayable)}
    assert report["replayed_by_topic"] == {source: len(replayable)}
    got = read_all(bootstrap, source)
    assert len(got) == len(replayable)
    want_by_key = {r["key"]: r for r in replayable}
    for g in got:
        w = want_by_key.pop(g["key"])
        assert g["partition"] == w["source_partition"]
        assert g["value"] == w["value"]
    assert not want_by_key


def test_replay_deserialization_needs_force(orders_bin, bootstrap, topic_factory, dlq_setup):
    _, dlq, records = dlq_setup
    target = topic_factory("forced", partitions=1)
    group = f"rf-{uuid.uuid4().hex[:8]}"
    proc, _ = replay(orders_bin, bootstrap, dlq, "--error-class", "deserialization", "--to", target,
                     "--group", group, check=False)
    assert proc.returncode != 0
    assert "--force" in proc.stderr
    assert read_all(bootstrap, target) == []

    _, report = replay(orders_bin, bootstrap, dlq, "--error-class", "deserialization", "--to", target,
                       "--group", group, "--force")
    pills = [r for r in records if r["class"] == "deserialization"]
    assert report["replayed"] == len(pills)
    assert sorted(g["value"] for g in read_all(bootstrap, target)) == sorted(r["value"] for r in pills)


def test_replay_dry_run_and_limit(orders_bin, bootstrap, topic_factory, dlq_setup):
    _, dlq, records = dlq_setup
    target = topic_factory("limited", partitions=1)
    group = f"rl-{uuid.uuid4().hex[:8]}"
    selected = [r for r in records if r["class"] == "processing"]

    proc, report = replay(orders_bin, bootstrap, dlq, "--error-class", "processing", "--to", target,
                          "--group", group, "--dry-run")
    objs = json_lines(proc.stdout)
    assert report["dry_run"] is True and report["replayed"] == len(selected)
    assert sum(1 for o in objs if o["type"] == "record") == len(selected)
    assert all(o["replay_to"]["topic"] == target for o in objs if o["type"] == "record")
    assert read_all(bootstrap, target) == []

    _, first = replay(orders_bin, bootstrap, dlq, "--error-class", "processing", "--to", target,
                      "--group", group, "--limit", "7")
    assert first["replayed"] == 7 and first["limit_reached"] is True
    _, second = replay(orders_bin, bootstrap, dlq, "--error-class", "processing", "--to", target,
                       "--group", group, "--limit", "7")
    assert second["replayed"] == 7
    _, rest = replay(orders_bin, bootstrap, dlq, "--error-class", "processing", "--to", target,
                     "--group", group)
    assert rest["replayed"] == len(selected) - 14
    keys = [g["key"] for g in read_all(bootstrap, target)]
    assert sorted(keys) == sorted(r["key"] for r in selected)


def interrupted_then_rerun(orders_bin, bootstrap, topic_factory, sig):
    """Replays 400 records slowly, interrupts with `sig`, reruns: each exactly once in total."""
    source = topic_factory("int-src", partitions=3)
    dlq = topic_factory("int-dlq", partitions=2)
    target = topic_factory("int-target", partitions=2)
    records = make_dead_letters(source, n_processing=400, n_validation=0, n_deser=0, seed=3)
    produce_dead_letters(bootstrap, dlq, records)
    group = f"ri-{uuid.uuid4().hex[:8]}"
    args = [orders_bin, "dlq", "replay", "--topic", dlq, "--bootstrap", bootstrap, "--to", target,
            "--group", group, "--json"]
    proc = subprocess.Popen(args + ["--rate", "100", "--batch", "25"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    err_lines = []
    committed = threading.Event()

    def watch_stderr():
        for line in proc.stderr:
            err_lines.append(line)
            if "committed a batch" in line:
                committed.set()

    watcher = threading.Thread(target=watch_stderr, daemon=True)
    watcher.start()
    try:
        # Interrupt once some batches are in, with most of the ~4 s of work still ahead.
        assert committed.wait(60), "".join(err_lines)
        time.sleep(0.6)
        assert proc.poll() is None, "".join(err_lines)
        proc.send_signal(sig)
        out = proc.stdout.read()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    watcher.join(10)
    err = "".join(err_lines)
    first = json_lines(out)[-1] if out.strip() else None
    rerun = run_orders(orders_bin, *args[1:], check=True)
    second = json_lines(rerun.stdout)[-1]
    got = read_all(bootstrap, target)
    counts = Counter(g["key"] for g in got)
    assert len(got) == len(records), (len(got), first, second)
    assert set(counts.values()) == {1}
    assert set(counts) == {r["key"] for r in records}
    return first, second, proc.returncode, err


def test_replay_interrupted_by_sigterm_then_rerun_replays_each_record_once(
        orders_bin, bootstrap, topic_factory):
    first, second, rc, err = interrupted_then_rerun(orders_bin, bootstrap, topic_factory, signal.SIGTERM)
    assert rc == 0, err
    assert first["interrupted"] is True
    assert 0 < first["replayed"] < 400
    assert first["replayed"] + second["replayed"] == 400


def test_replay_killed_then_rerun_replays_each_record_once(orders_bin, bootstrap, topic_factory):
    # SIGKILL leaves a transaction open: the rerun aborts it (same transactional.id), so the
    # records of that batch are invisible to read_committed readers and replayed again.
    _, second, rc, _ = interrupted_then_rerun(orders_bin, bootstrap, topic_factory, signal.SIGKILL)
    assert rc == -signal.SIGKILL
    assert 0 < second["replayed"] < 400


# --- end to end: consume -> dlq -> replay -> consume ------------------------------------------


def consume_available(orders_bin):
    return subprocess.run([orders_bin, "consume", "--help"], capture_output=True).returncode == 0


def test_end_to_end_replayed_failures_are_processed(orders_bin, bootstrap, topic_factory):
    if not consume_available(orders_bin):
        pytest.skip("orders consume is not built")
    source = topic_factory("e2e-src", partitions=3)
    dlq = topic_factory("e2e-dlq", partitions=3)
    rng = random.Random(11)
    orders = [{"orderId": f"E2E-{i:04d}", "product": rng.choice(PRODUCTS),
               "price": f32(round(rng.uniform(1.0, 500.0), 2))} for i in range(300)]
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for o in orders:
        p.produce(source, key=o["orderId"].encode(), value=encode(o["orderId"], o["product"], o["price"]))
    p.produce(source, key=b"junk", value=b"\xff\xff\xff")  # one poison pill
    assert p.flush(30) == 0
    group = f"e2e-{uuid.uuid4().hex[:8]}"

    def consume(*extra, expect):
        proc = run_orders(orders_bin, "consume", "--topic", source, "--dlq-topic", dlq, "--group", group,
                          "--bootstrap", bootstrap, "--max-messages", expect, "--idle-exit", "5s",
                          "--json", "--quiet", *extra, timeout=180, check=True)
        return json.loads(proc.stdout)

    first = consume("--permanent-fail-rate", "0.2", "--seed", "5", expect=len(orders) + 1)
    failed = first["dead_lettered_by_class"].get("processing", 0)
    assert failed > 0 and first["processed"] + first["dead_lettered"] == len(orders) + 1

    mon = json_lines(run_orders(orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap, "--json",
                                check=True).stdout)
    *dead, summary = mon
    assert summary["total"] == first["dead_lettered"]
    assert summary["by_class"] == {k: v for k, v in first["dead_lettered_by_class"].items() if v}
    dead_ids = {d["order"]["orderId"] for d in dead if d["error_class"] == "processing"}
    by_id = {o["orderId"]: o for o in orders}
    failed_cents = sum(cents(by_id[i]["price"]) for i in dead_ids)
    assert summary["value_cents"] == failed_cents
    assert first["aggregate"]["revenue_cents"] + failed_cents == sum(cents(o["price"]) for o in orders)

    _, report = replay(orders_bin, bootstrap, dlq, "--error-class", "processing",
                       "--group", f"e2e-replay-{uuid.uuid4().hex[:8]}")
    assert report["replayed"] == failed and report["replayed_by_topic"] == {source: failed}

    second = consume(expect=failed)  # failures off: every replayed order is processed
    assert second["processed"] == failed and second["dead_lettered"] == 0
    assert second["aggregate"]["count"] == failed
    assert second["aggregate"]["revenue_cents"] == failed_cents
    total = first["aggregate"]["revenue_cents"] + second["aggregate"]["revenue_cents"]
    assert total == sum(cents(o["price"]) for o in orders)
