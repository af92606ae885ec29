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
import json
import random
import re
import signal
import subprocess
import time
from collections import Counter, defaultdict

import pytest

from helpers import Running, assert_aggregate, expected_aggregate
from retry_checks import (EventStream, FAILED, ORDER_BACKOFF, SEED, check_dlq,
                          check_each_record_once, check_printed_keys, check_report_fields,
                          check_stats, committed_offsets, expectations, finishes, keyed_records,
                          logs_on_failure, parse_events, printed, produce_records, retry_cmd)

# --- 1. per-key order, per-partition order ----------------------------------------------------


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
