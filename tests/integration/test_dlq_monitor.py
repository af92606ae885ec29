"""`orders dlq` (the monitor) against a real broker.

The dead letters are written with confluent-kafka (dead_letters.py), carrying the dlq.* headers
exactly as the consumer writes them (README / src/pipeline/dead_letter.h), so these tests do not
depend on the consumer; every expected figure is computed in Python from the records written.
"""
import json
import signal
import subprocess
import threading
import time
import uuid

from dead_letters import (HOUR_MS, NOW_MS, dollars, expected_summary, json_lines, make_dead_letters,
                          produce_dead_letters, value_cents)
from helpers import cents, run_orders


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
