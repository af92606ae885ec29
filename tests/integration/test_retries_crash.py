"""Non-blocking retries under crashes and stops: exactly-once with three SIGKILLs, SIGTERM with
retries pending, at-least-once with a SIGKILL (see test_retries.py for what each proves)."""
import json
import os
import random
import signal
import subprocess
import time
from collections import Counter, defaultdict

import pytest

from helpers import Running, assert_aggregate, expected_aggregate, fate
from retry_checks import (EventStream, PROCESSED, SEED, check_printed_keys, check_report_fields,
                          check_stats, committed_offsets, decode_order_id, expectations,
                          expected_finishable_before_retry, finishes, key_pool, keyed_records,
                          logs_on_failure, parse_events, produce_records, read_to_end, retry_cmd)
from scenario import PARTITIONS, Scenario, kill_moments

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
