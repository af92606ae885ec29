"""Where `orders dlq replay` may write (issue 12, item 1).

The dlq.* headers name the target; whoever can write to the DLQ can forge them. A replay writes
only to allowed topics (--allow-topic patterns, default: the DLQ's name without -dlq, or --to),
never to internal topics, the DLQ or the aggregates topic; it stops at the first refused record
(exit 1, nothing after it committed) unless --skip-refused, which passes over and lists them.
"""
import subprocess
import uuid
from collections import Counter

from confluent_kafka.admin import NewTopic

from dead_letters import json_lines, make_dead_letters, produce_dead_letters
from helpers import read_all, run_orders


def replay(orders_bin, bootstrap, dlq, *args):
    proc = run_orders(orders_bin, "dlq", "replay", "--topic", dlq, "--bootstrap", bootstrap, "--json",
                      *args)
    return proc, (json_lines(proc.stdout)[-1] if proc.stdout.strip() else None)


def forged(record, **headers):
    """A copy of a dead-letter record with some dlq.* header values replaced."""
    out = dict(record)
    out["headers"] = [(k, headers[k].encode() if k in headers else v) for k, v in record["headers"]]
    return out


def create(admin, name, partitions):
    for f in admin.create_topics([NewTopic(name, num_partitions=partitions,
                                           replication_factor=1)]).values():
        f.result(timeout=30)
    return name


def test_forged_targets_stop_the_replay_until_skipped(orders_bin, bootstrap, admin, topic_factory):
    source = topic_factory("tg-src", partitions=3)
    dlq = create(admin, f"{source}-dlq", 1)  # named <source>-dlq: the default allows `source`
    aggregates = topic_factory("tg-agg", partitions=1)
    other = topic_factory("tg-other", partitions=1)
    good = make_dead_letters(source, n_processing=12, n_validation=0, n_deser=0, seed=8)
    bad = [
        forged(good[0], **{"dlq.original.topic": aggregates}),
        forged(good[1], **{"dlq.original.topic": "__consumer_offsets"}),
        forged(good[2], **{"dlq.original.topic": other}),
        forged(good[3], **{"dlq.original.topic": dlq}),
        forged(good[4], **{"dlq.original.partition": "99"}),
    ]
    records = good[:4] + [bad[0]] + good[4:8] + bad[1:] + good[8:]
    for i, r in enumerate(records):
        r["i"] = i
    produce_dead_letters(bootstrap, dlq, records, partitions=1)
    group = f"tg-{uuid.uuid4().hex[:8]}"
    args = ["--group", group, "--aggregates-topic", aggregates]

    # Default: stops at the forged record, commits what came before it, exit 1.
    proc, first = replay(orders_bin, bootstrap, dlq, *args)
    assert proc.returncode == 1, proc.stderr
    assert first["replayed"] == 4 and first["ok"] is False
    assert f"{dlq}[0]@4: target topic '{aggregates}' is the aggregates topic" in first["problems"][0]
    assert "stopped here" in first["problems"][0]
    # Run again: it stops at the same record, nothing replayed twice.
    proc, again = replay(orders_bin, bootstrap, dlq, *args)
    assert proc.returncode == 1 and again["replayed"] == 0 and again["read"] == 1

    # --skip-refused: each refused record passed over and listed with its reason.
    proc, rest = replay(orders_bin, bootstrap, dlq, *args, "--skip-refused")
    assert proc.returncode == 0, proc.stderr
    assert rest["replayed"] == len(good) - 4 and rest["refused"] == len(bad) and rest["ok"] is True
    reasons = "\n".join(rest["refusals"])
    assert f"'{aggregates}' is the aggregates topic" in reasons
    assert "'__consumer_offsets' is an internal topic" in reasons
    assert f"target topic '{other}' is not allowed (allowed: {source}, the default" in reasons
    assert f"'{dlq}' is the dead-letter topic being read" in reasons
    assert f"dlq.original.partition 99 is out of range: '{source}' has 3 partitions" in reasons
    assert proc.stderr.count("WARNING - refused") == len(bad)

    # Each good record landed once, in its original partition; nothing reached the forged targets.
    got = read_all(bootstrap, source)
    assert Counter(g["key"] for g in got) == Counter(r["key"] for r in good)
    assert read_all(bootstrap, aggregates) == [] and read_all(bootstrap, other) == []


def test_allow_topic_patterns_and_to(orders_bin, bootstrap, topic_factory):
    source = topic_factory("tp-src", partitions=3)
    dlq = topic_factory("tp-dlq", partitions=2)  # not named <source>-dlq: nothing allowed by default
    records = make_dead_letters(source, n_processing=20, n_validation=0, n_deser=0, seed=9)
    produce_dead_letters(bootstrap, dlq, records)

    proc, report = replay(orders_bin, bootstrap, dlq, "--group", f"tp-{uuid.uuid4().hex[:8]}")
    assert proc.returncode == 1 and report["replayed"] == 0
    assert "none by default" in report["problems"][0]

    proc, report = replay(orders_bin, bootstrap, dlq, "--group", f"tp-{uuid.uuid4().hex[:8]}",
                          "--allow-topic", "tp-src-*")
    assert proc.returncode == 0, proc.stderr
    assert report["replayed"] == len(records)

    # --to never writes to the aggregates topic or an internal one: a usage error up front.
    for bad, why in (("orders-aggregates", "is the aggregates topic"),
                     ("__consumer_offsets", "is an internal topic"),
                     (dlq, "is the dead-letter topic being read")):
        proc, _ = replay(orders_bin, bootstrap, dlq, "--to", bad)
        assert proc.returncode == 2, (bad, proc.stderr)
        assert f"--to refused: '{bad}' {why}" in proc.stderr, proc.stderr
    proc, _ = replay(orders_bin, bootstrap, dlq, "--allow-topic", "bad/pattern")
    assert proc.returncode == 2 and "--allow-topic" in proc.stderr


def test_hostile_numbers_in_headers_are_per_record_refusals(orders_bin, bootstrap, admin,
                                                           topic_factory):
    source = topic_factory("tn-src", partitions=3)
    dlq = create(admin, f"{source}-dlq", 1)
    good = make_dead_letters(source, n_processing=8, n_validation=0, n_deser=0, seed=10)
    hostile = [
        forged(good[0], **{"dlq.original.partition": "-1"}),
        forged(good[1], **{"dlq.original.partition": "2147483648"}),
        forged(good[2], **{"dlq.failed.at": "99999999999999999999"}),
        forged(good[3], **{"dlq.original.offset": "-7"}),
    ]
    hostile.append(dict(good[4], headers=good[4]["headers"] + [("dlq.replay.count",
                                                                b"9223372036854775808")]))
    saturating = dict(good[5], headers=good[5]["headers"] + [("dlq.replay.count",
                                                              b"9223372036854775807")])
    records = hostile + [saturating] + good[6:]
    for i, r in enumerate(records):
        r["i"] = i
    produce_dead_letters(bootstrap, dlq, records, partitions=1)
    proc, report = replay(orders_bin, bootstrap, dlq, "--group", f"tn-{uuid.uuid4().hex[:8]}")
    assert proc.returncode == 0, proc.stderr
    assert report["refused"] == len(hostile)
    reasons = "\n".join(report["refusals"])
    for header in ("dlq.original.partition: '-1'", "dlq.original.partition: '2147483648'",
                   "dlq.failed.at: '99999999999999999999'", "dlq.original.offset: '-7'",
                   "dlq.replay.count: '9223372036854775808'"):
        assert f"bad value for {header}" in reasons, reasons
    got = read_all(bootstrap, source)
    assert sorted(g["key"] for g in got) == sorted(r["key"] for r in [saturating] + good[6:])
    counts = {g["key"]: dict(g["headers"])["dlq.replay.count"] for g in got}
    assert counts[saturating["key"]] == b"9223372036854775807"


def test_two_replays_of_different_dlqs_with_default_options_do_not_fence(orders_bin, bootstrap,
                                                                         admin, topic_factory):
    runs = []
    for name in ("fa", "fb"):
        source = topic_factory(f"{name}-src", partitions=3)
        dlq = create(admin, f"{source}-dlq", 2)
        records = make_dead_letters(source, n_processing=300, n_validation=0, n_deser=0, seed=12)
        produce_dead_letters(bootstrap, dlq, records)
        runs.append((source, dlq, records))
    # Default group and transactional.id; paced so that the two overlap for a few seconds.
    procs = [subprocess.Popen([orders_bin, "dlq", "replay", "--topic", dlq, "--bootstrap", bootstrap,
                               "--json", "--rate", "100", "--batch", "20"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _, dlq, _ in runs]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert json_lines(out)[-1]["replayed"] == 300
    for source, _, records in runs:
        got = read_all(bootstrap, source)
        assert Counter(g["key"] for g in got) == Counter(r["key"] for r in records)
