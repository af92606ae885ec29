"""A checkpoint that does not match its log is never trusted in silence (pipeline/log_check.h).

- the source topic deleted and recreated under its name, shorter than the checkpoint: refused
  (exit 1, naming the partition, the checkpoint and the log range, and the flag); with
  `--on-log-mismatch start-over` the new records are processed and `orders stats` is exact;
- recreated longer than the checkpoint: the checkpoint's anchor record differs, refused likewise
  (before, the first records of the new topic were skipped without a trace);
- records deleted from the log (DeleteRecords) before the group read them: counted and said,
  reading goes on at the log start, the rest is exact.
"""
import json
import random
import subprocess
import time

import pytest
from confluent_kafka import TopicPartition
from confluent_kafka.admin import NewTopic

from helpers import assert_aggregate, expected_aggregate, make_orders, run_orders

FLAG = "--on-log-mismatch start-over"


def produce(bootstrap, topic, orders):
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                         "linger.ms": 5})
    failures = []
    for o in orders:
        producer.produce(topic, key=o["key"].encode(), value=o["value"], partition=0,
                         on_delivery=lambda err, msg: err and failures.append(err))
    assert producer.flush(60) == 0 and not failures, failures[:3]


def consume(orders_bin, bootstrap, topic, semantics, *extra):
    cmd = [orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic, "--group",
           f"g-{topic}", "--dlq-topic", f"{topic}-dlq", "--aggregates-topic", f"{topic}-agg",
           "--semantics", semantics, "--fail-rate", "0", "--permanent-fail-rate", "0",
           "--stats-interval", "0", "--idle-exit", "2s", "--json", *map(str, extra)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def stats(orders_bin, bootstrap, topic):
    proc = run_orders(orders_bin, "stats", "--bootstrap", bootstrap, "--topic", topic,
                      "--aggregates-topic", f"{topic}-agg", "--group", f"g-{topic}", "--json",
                      timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def recreate(admin, topic):
    for f in admin.delete_topics([topic], operation_timeout=30).values():
        f.result(timeout=30)
    deadline = time.monotonic() + 60
    while True:  # the name is free once the deletion completed
        try:
            for f in admin.create_topics([NewTopic(topic, 1, 1)]).values():
                f.result(timeout=30)
            return
        except Exception:  # TopicExistsException while marked for deletion
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.parametrize("semantics", ["exactly-once", "at-least-once"])
@pytest.mark.parametrize("before,after", [(20, 5), (10, 25)], ids=["shorter", "longer"])
def test_a_recreated_topic_is_refused_then_started_over_on_request(
        bootstrap, orders_bin, topic_factory, admin, semantics, before, after):
    topic = topic_factory("logmis", partitions=1)
    old = make_orders(before, random.Random(1), prefix="OLD")
    produce(bootstrap, topic, old)
    first = consume(orders_bin, bootstrap, topic, semantics)
    assert first.returncode == 0, first.stderr[-3000:]
    assert json.loads(first.stdout)["processed"] == before

    recreate(admin, topic)
    new = make_orders(after, random.Random(2), prefix="NEW")
    produce(bootstrap, topic, new)

    t0 = time.monotonic()
    refused = consume(orders_bin, bootstrap, topic, semantics)
    assert refused.returncode == 1, refused.stderr[-3000:]
    assert time.monotonic() - t0 < 60
    err = refused.stderr
    assert f"partition {topic}[0] does not match" in err, err[-3000:]
    assert FLAG in err
    if before > after:  # the checkpoint lies beyond the new log's end
        assert f"offset {before}" in err and f"[0, {after})" in err, err[-3000:]
    else:  # within it: the anchor record tells the logs apart
        assert f"is not the one the checkpoint at offset {before} covered" in err, err[-3000:]
    report = json.loads(refused.stdout)
    assert report["processed"] == 0 and report["dead_lettered"] == 0, report
    # Nothing was checkpointed over the old state: the refusal holds until told otherwise.
    assert stats(orders_bin, bootstrap, topic)["aggregate"]["count"] == before

    over = consume(orders_bin, bootstrap, topic, semantics, "--on-log-mismatch", "start-over")
    assert over.returncode == 0, over.stderr[-3000:]
    report = json.loads(over.stdout)
    assert report["processed"] == after and report["partitions_started_over"] == 1, report
    assert "Starting it over now" in over.stderr
    assert_aggregate(stats(orders_bin, bootstrap, topic)["aggregate"], expected_aggregate(new))

    # The new checkpoint belongs to the new log: a plain rerun goes on without a word.
    more = make_orders(3, random.Random(3), prefix="MORE")
    produce(bootstrap, topic, more)
    again = consume(orders_bin, bootstrap, topic, semantics)
    assert again.returncode == 0, again.stderr[-3000:]
    report = json.loads(again.stdout)
    assert report["processed"] == 3 and report["partitions_started_over"] == 0, report
    assert_aggregate(stats(orders_bin, bootstrap, topic)["aggregate"],
                     expected_aggregate(new + more))


def test_records_deleted_before_they_were_read_are_counted_and_said(
        bootstrap, orders_bin, topic_factory, admin):
    topic = topic_factory("logdel", partitions=1)
    first_batch = make_orders(10, random.Random(4), prefix="A")
    produce(bootstrap, topic, first_batch)
    proc = consume(orders_bin, bootstrap, topic, "exactly-once")
    assert proc.returncode == 0, proc.stderr[-3000:]
    second_batch = make_orders(10, random.Random(5), prefix="B")
    produce(bootstrap, topic, second_batch)
    # The checkpoint is at 10; offsets 10..14 are deleted before the group reads them.
    lows = admin.delete_records([TopicPartition(topic, 0, 15)])
    for f in lows.values():
        f.result(timeout=30)
    proc = consume(orders_bin, bootstrap, topic, "exactly-once")
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["records_deleted_unread"] == 5, report
    assert "deleted from the log before they were read" in proc.stderr
    kept = second_batch[5:]
    assert report["processed"] == len(kept), report
    assert_aggregate(stats(orders_bin, bootstrap, topic)["aggregate"],
                     expected_aggregate(first_batch + kept))
