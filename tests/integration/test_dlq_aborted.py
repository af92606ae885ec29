"""Dead letters of aborted transactions (issue 19, item 5): in exactly-once mode the consumer
writes each dead letter inside its transaction; when that aborts, the record is processed again
and dead-lettered anew, so the aborted copy stays in the log beside its rewritten one. `orders dlq`
and `orders dlq replay` read committed records only, as consume does, and ignore a
`-X isolation.level=read_uncommitted` with a warning.

The DLQ here is written by confluent-kafka's transactional producer: committed batches with an
aborted one between them and another at the end of the log. Both isolation levels read it back,
to be sure of what is there.
"""
import uuid
from collections import Counter

from confluent_kafka import Producer

from dead_letters import json_lines, make_dead_letters
from helpers import read_all, run_orders

UNCOMMITTED = ["-X", "isolation.level=read_uncommitted"]
WARNING = "ignoring isolation.level=read_uncommitted (only committed dead letters are read)"


def write_in_transactions(bootstrap, dlq, batches, partitions=2):
    """Each (records, commit) batch in its own transaction, committed or aborted; an aborted
    batch is flushed first, so its records are in the log (behind an abort marker)."""
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": f"dl-{uuid.uuid4().hex}"})
    p.init_transactions(30)
    for records, commit in batches:
        p.begin_transaction()
        for r in records:
            p.produce(dlq, key=r["key"], value=r["value"], headers=r["headers"],
                      partition=r["i"] % partitions)
        assert p.flush(30) == 0
        if commit:
            p.commit_transaction(30)
        else:
            p.abort_transaction(30)


def keys(messages):
    return Counter(m["key"] for m in messages)


def test_dead_letters_of_aborted_transactions_are_neither_shown_nor_replayed(
        orders_bin, bootstrap, topic_factory):
    source = topic_factory("ab-src", partitions=3)
    dlq = topic_factory("ab-dlq", partitions=2)
    committed = make_dead_letters(source, n_processing=16, n_validation=4, n_deser=0, seed=21)
    # The same orders' first dead letters, in transactions that aborted: their key and value
    # are the committed copies' own, as a rewritten dead letter's would be.
    aborted = [dict(r, headers=r["headers"] + [("attempt", b"aborted")]) for r in committed[:12]]
    extra = make_dead_letters(source, n_processing=6, n_validation=0, n_deser=0, seed=22,
                              start=500)  # aborted and never rewritten
    write_in_transactions(bootstrap, dlq, [(committed[:10], True), (aborted + extra[:3], False),
                                           (committed[10:], True), (extra[3:], False)])
    # What the log holds: every record at read_uncommitted, the committed ones at read_committed.
    assert keys(read_all(bootstrap, dlq, isolation="read_uncommitted")) == keys(
        committed + aborted + extra)
    assert keys(read_all(bootstrap, dlq)) == keys(committed)
    want = Counter(r["key"].decode() for r in committed)

    # The monitor counts the committed dead letters only, with or without -X.
    for extra_args in ([], UNCOMMITTED):
        proc = run_orders(orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap, "--json",
                          *extra_args)
        assert proc.returncode == 0, proc.stderr[-3000:]
        *recs, summary = json_lines(proc.stdout)
        assert summary["type"] == "summary" and summary["total"] == len(committed), summary
        assert summary["by_class"] == {"processing": 16, "validation": 4}
        assert Counter(r["key"] for r in recs) == want
        assert (WARNING in proc.stderr) == bool(extra_args), proc.stderr[-3000:]

    # Replay, by default and asked for read_uncommitted: each committed dead letter once, in one
    # committed transaction of the replay; nothing of the aborted ones, at either level.
    for extra_args in ([], UNCOMMITTED):
        target = topic_factory("ab-to", partitions=2)
        proc = run_orders(orders_bin, "dlq", "replay", "--topic", dlq, "--bootstrap", bootstrap,
                          "--to", target, "--group", f"ab-{uuid.uuid4().hex[:8]}", "--json",
                          *extra_args)
        assert proc.returncode == 0, proc.stderr[-3000:]
        report = json_lines(proc.stdout)[-1]
        assert report["replayed"] == len(committed) and report["read"] == len(committed), report
        assert (WARNING in proc.stderr) == bool(extra_args), proc.stderr[-3000:]
        for isolation in ("read_committed", "read_uncommitted"):
            got = read_all(bootstrap, target, isolation=isolation)
            assert keys(got) == keys(committed), isolation
            assert all(("attempt", b"aborted") not in g["headers"] for g in got)
