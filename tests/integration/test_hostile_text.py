"""Terminal and log injection (issue 12, item 7): order ids, products and dlq.* header values are
whatever a producer chose. Orders carrying ESC sequences, a newline with a forged log line, C1
controls and bidi overrides go through consume (-v and the report), stats, the DLQ monitor and
replay; no output may carry one of those characters raw, and the JSON outputs stay valid JSON with
the exact text.
"""
import json
import random
import subprocess
import uuid

from confluent_kafka import Producer

from dead_letters import dead_letter, produce_dead_letters
from helpers import encode, f32, read_all

FORGED = "INFO - forged line"
HOSTILE = [
    "ESC-\x1b[2J\x1b]0;title\x07",
    f"NL-x\n{FORGED}",
    "C1-\u009b31m\u0085",
    "BIDI-\u202egpj.exe\u2066\u2069\u200f",
    "LS-\u2028\u2029",
]
# Raw characters no output may contain (a newline only as a line end, checked apart).
DANGEROUS = ({chr(c) for c in range(0x20) if c != 0x0A} | {chr(c) for c in range(0x7F, 0xA0)}
             | {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)}
             | {"\u200e", "\u200f", "\u061c", "\u2028", "\u2029"})


def run_raw(orders_bin, *args, timeout=180):
    """Runs orders and returns (status, stdout, stderr) decoded without loss of any byte."""
    proc = subprocess.run([orders_bin, *map(str, args)], capture_output=True, timeout=timeout)
    return proc.returncode, proc.stdout.decode("utf-8", "surrogateescape"), \
        proc.stderr.decode("utf-8", "surrogateescape")


def assert_clean(what, text):
    bad = sorted({f"U+{ord(c):04X}" for c in text if c in DANGEROUS})
    assert not bad, f"{what}: raw {bad} in\n{text[:3000]}"
    forged = [line for line in text.splitlines() if line.startswith(FORGED)]
    assert not forged, f"{what}: forged log line {forged}"


def test_hostile_order_ids_and_products_are_escaped_everywhere(orders_bin, bootstrap, topic_factory):
    source = topic_factory("hx-src", partitions=2)
    dlq = topic_factory("hx-dlq", partitions=1)
    aggregates = f"{source}-agg"
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    n = 0
    for i, text in enumerate(HOSTILE):
        for order_id, product, price in ((f"OK-{i}-{text}", f"P-{text}", 10.5),
                                         (f"BAD-{i}-{text}", f"P-{text}", -1.0)):  # validation
            p.produce(source, key=order_id.encode(), value=encode(order_id, product, f32(price)))
            n += 1
    assert p.flush(30) == 0
    common = ["--topic", source, "--dlq-topic", dlq, "--bootstrap", bootstrap,
              "--max-messages", n, "--idle-exit", "10s"]

    rc, out, err = run_raw(orders_bin, "consume", "--group", f"hx-{uuid.uuid4().hex[:8]}", "-v",
                           "--aggregates-topic", aggregates, *common)
    assert rc == 0, err
    assert_clean("consume -v stderr", err)
    assert_clean("consume report", out)
    assert "\\x1b[2J" in err and "\\u202egpj.exe" in err and "\\x0aINFO - forged" in err
    assert "P-BIDI-\\u202egpj.exe" in out  # the report's per-product table

    rc, out, err = run_raw(orders_bin, "consume", "--group", f"hx-{uuid.uuid4().hex[:8]}", "--json",
                           "--aggregates-topic", f"{aggregates}-2", *common)
    assert rc == 0, err
    assert_clean("consume --json", out + err)
    report = json.loads(out)
    assert set(report["aggregate"]["by_product"]) == {f"P-{t}" for t in HOSTILE}

    stats = ["stats", "--topic", source, "--aggregates-topic", aggregates, "--bootstrap", bootstrap]
    rc, out, err = run_raw(orders_bin, *stats)
    assert rc == 0, err
    assert_clean("stats", out + err)
    assert "P-ESC-\\x1b[2J" in out
    rc, out, err = run_raw(orders_bin, *stats, "--json")
    assert rc == 0, err
    assert_clean("stats --json", out + err)
    assert set(json.loads(out)["aggregate"]["by_product"]) == {f"P-{t}" for t in HOSTILE}

    # Both consume runs dead-lettered the invalid orders: the monitor shows them, escaped.
    rc, out, err = run_raw(orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap)
    assert rc == 0, err
    assert_clean("dlq monitor", out + err)
    assert "OrderID=BAD-1-NL-x\\x0aINFO - forged line" in out
    rc, out, err = run_raw(orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap, "--json")
    assert rc == 0, err
    assert_clean("dlq monitor --json", out + err)
    ids = {json.loads(line)["order"]["orderId"] for line in out.splitlines()[:-1]}
    assert ids == {f"BAD-{i}-{t}" for i, t in enumerate(HOSTILE)}


def test_hostile_header_values_in_replay_problems_are_escaped(orders_bin, bootstrap, topic_factory):
    source = topic_factory("hr-src", partitions=1)
    dlq = topic_factory("hr-dlq", partitions=1)
    rng = random.Random(4)
    records = []
    for i, text in enumerate(HOSTILE):
        r = dead_letter(i, "validation", source, rng, 1_700_000_000_000)
        r["headers"] = [(k, (text.encode() if k in ("dlq.original.partition", "dlq.error.message")
                             else v)) for k, v in r["headers"]]
        records.append(r)
    produce_dead_letters(bootstrap, dlq, records, partitions=1)
    for extra in ([], ["--json"], ["--dry-run"], ["--force", "--to", source]):
        rc, out, err = run_raw(orders_bin, "dlq", "replay", "--topic", dlq, "--bootstrap", bootstrap,
                               "--group", f"hr-{uuid.uuid4().hex[:8]}", *extra)
        assert rc == 0, (extra, err)
        assert_clean(f"replay {extra}", out + err)
        if "--json" in extra:
            report = json.loads(out.splitlines()[-1])
            assert report["refused"] == len(HOSTILE)
            assert any(f"'{HOSTILE[1][:20]}" in r for r in report["refusals"]), report["refusals"]
        elif "--force" not in extra:
            assert "bad value for dlq.original.partition: 'NL-x\\x0aINFO - forged line'" in out
        else:  # forced to a named topic: each one re-published, its hostile headers dropped
            assert f"Replayed: {len(HOSTILE)}\n" in out, out
            assert sorted(m["key"] for m in read_all(bootstrap, source)) == sorted(
                r["key"] for r in records)
