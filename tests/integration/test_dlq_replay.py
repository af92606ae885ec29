"""`orders dlq replay` against a real broker.

The dead letters are written with confluent-kafka (dead_letters.py), carrying the dlq.* headers
exactly as the consumer writes them (README / src/pipeline/dead_letter.h), so these tests do not
depend on the consumer; every expected figure is computed in Python from the records written.
The last test runs the real pipeline end to end: consume (dead-letters) -> dlq replay -> consume
again.
"""
import json
import random
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter

from confluent_kafka import Producer

from dead_letters import json_lines, make_dead_letters, produce_dead_letters, value_cents
from helpers import PRODUCTS, cents, encode, f32, read_all, run_orders


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
    _, report = replay(orders_bin, bootstrap, dlq, "--group", f"rd-{uuid.uuid4().hex[:8]}",
                       "--allow-topic", source)
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


def test_end_to_end_replayed_failures_are_processed(orders_bin, bootstrap, topic_factory):
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
                       "--group", f"e2e-replay-{uuid.uuid4().hex[:8]}", "--allow-topic", source)
    assert report["replayed"] == failed and report["replayed_by_topic"] == {source: failed}

    second = consume(expect=failed)  # failures off: every replayed order is processed
    assert second["processed"] == failed and second["dead_lettered"] == 0
    assert second["aggregate"]["count"] == failed
    assert second["aggregate"]["revenue_cents"] == failed_cents
    total = first["aggregate"]["revenue_cents"] + second["aggregate"]["revenue_cents"]
    assert total == sum(cents(o["price"]) for o in orders)
