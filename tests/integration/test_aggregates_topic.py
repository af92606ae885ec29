"""The aggregates (checkpoint) topic's assumptions, enforced: compacted, never re-created behind
the consumer's back, and shared by consumer groups without mixing their checkpoints.

- an existing topic that is not compacted is refused at startup: exit 2 and the reason;
- two groups consuming the same topic at the same time, checkpointing to the same aggregates
  topic: `orders stats --group` is exact for each; without --group, stats asks for one;
- a checkpoint under the older key ("<topic>/<partition>", no group) is still restored;
- the topic deleted mid-run: the consumer stops saying so, and the topic is not re-created by a
  producer's auto-create (with the broker's defaults: not compacted).
"""
import json
import random
import subprocess
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import ConfigResource, ResourceType

from helpers import (Running, assert_aggregate, expected_aggregate, expected_outcomes, make_orders,
                     run_orders)


def produce(bootstrap, topic, orders, partitions):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                         "linger.ms": 5})
    failures = []
    for i, o in enumerate(orders):
        producer.produce(topic, key=o["key"].encode(), value=o["value"], partition=i % partitions,
                         on_delivery=lambda err, msg: err and failures.append(err))
    assert producer.flush(60) == 0 and not failures, failures[:3]


def consume_cmd(orders_bin, bootstrap, topic, group, aggregates, *extra):
    return [orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic, "--group", group,
            "--dlq-topic", f"{topic}-dlq", "--aggregates-topic", aggregates,
            "--stats-interval", "0", "--json", *map(str, extra)]


def stats(orders_bin, bootstrap, topic, aggregates, *extra):
    return run_orders(orders_bin, "stats", "--bootstrap", bootstrap, "--topic", topic,
                      "--aggregates-topic", aggregates, "--json", *extra, timeout=60)


def topic_config(admin, topic):
    res = ConfigResource(ResourceType.TOPIC, topic)
    return {k: v.value for k, v in admin.describe_configs([res])[res].result(timeout=30).items()}


def topic_exists(admin, topic):
    return topic in admin.list_topics(timeout=30).topics


def test_an_uncompacted_aggregates_topic_is_refused_at_startup(bootstrap, orders_bin, topic_factory):
    topic = topic_factory("aggtop-src")
    for config, says in [({"cleanup.policy": "delete"}, "cleanup.policy is 'delete', not compact"),
                         ({"cleanup.policy": "compact,delete", "retention.ms": "3600000"},
                          "retention.ms=3600000")]:
        aggregates = topic_factory("aggtop-agg", config=config)
        t0 = time.monotonic()
        proc = subprocess.run(consume_cmd(orders_bin, bootstrap, topic, f"g-{topic}", aggregates,
                                          "--idle-exit", "30s"),
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr[-3000:]
        assert time.monotonic() - t0 < 20, "not a fast failure"
        assert f"aggregates topic '{aggregates}' cannot hold checkpoints" in proc.stderr
        assert says in proc.stderr, proc.stderr[-3000:]
        assert "cleanup.policy=compact" in proc.stderr  # the fix


def test_two_groups_on_one_topic_keep_their_own_exact_aggregate(bootstrap, orders_bin,
                                                                 topic_factory):
    topic = topic_factory("aggtop-two", partitions=3)
    aggregates = f"{topic}-agg"
    orders = make_orders(6000, random.Random(31), prefix="TG")
    seed = {"g1": 5, "g2": 6}  # different failure draws: different aggregates per group
    runs = {g: Running(consume_cmd(orders_bin, bootstrap, topic, f"{g}-{topic}", aggregates,
                                   "--fail-rate", 0.3, "--initial-backoff", "1ms", "--seed",
                                   seed[g], "--commit-interval", "20ms", "--idle-exit", "4s"))
            for g in seed}
    for run in runs.values():
        run.wait_for(lambda lines: any("Consumer started" in line for line in lines), timeout=60)
    # Both groups run and checkpoint while the orders arrive.
    for start in range(0, len(orders), 1000):
        produce(bootstrap, topic, orders[start:start + 1000], 3)
        time.sleep(0.3)
    for g, run in runs.items():
        rc, _, err = run.finish(timeout=120)
        assert rc == 0, err[-3000:]
    for g in seed:
        processed, _, _ = expected_outcomes(orders, seed[g], 0.3)
        proc = stats(orders_bin, bootstrap, topic, aggregates, "--group", f"{g}-{topic}")
        assert proc.returncode == 0, proc.stderr[-3000:]
        got = json.loads(proc.stdout)
        assert got["group"] == f"{g}-{topic}" and got["errors"] == []
        assert_aggregate(got["aggregate"], expected_aggregate(processed))
        assert sorted(p["partition"] for p in got["partitions"]) == [0, 1, 2]
    # Their totals never add up: without --group, stats asks which.
    proc = stats(orders_bin, bootstrap, topic, aggregates)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "come from 2 consumer groups" in proc.stderr and "--group" in proc.stderr


def read_checkpoints(bootstrap, aggregates):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "probe", "enable.auto.commit": False,
                  "isolation.level": "read_committed", "enable.partition.eof": True})
    c.assign([TopicPartition(aggregates, 0, 0)])
    out = {}
    try:
        while True:
            m = c.poll(10)
            assert m is not None, "aggregates topic not read to its end"
            if m.error():
                break
            out[m.key().decode()] = m.value()
    finally:
        c.close()
    return out


def test_a_checkpoint_under_the_older_key_is_restored(bootstrap, orders_bin, topic_factory):
    topic = topic_factory("aggtop-old")
    aggregates, group = f"{topic}-agg", f"g-{topic}"
    orders = make_orders(1000, random.Random(32), prefix="OK")
    produce(bootstrap, topic, orders[:600], 1)
    cmd = consume_cmd(orders_bin, bootstrap, topic, group, aggregates, "--idle-exit", "2s")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # As an older build would have left it: the same checkpoint under "<topic>/0", and no new key.
    new_key = f"{group}/{topic}/0"
    value = read_checkpoints(bootstrap, aggregates)[new_key]
    p = Producer({"bootstrap.servers": bootstrap})
    p.produce(aggregates, key=f"{topic}/0".encode(), value=value)
    p.produce(aggregates, key=new_key.encode(), value=None)
    assert p.flush(30) == 0
    produce(bootstrap, topic, orders[600:], 1)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "restored checkpoint at offset 600" in proc.stderr, proc.stderr[-3000:]
    assert json.loads(proc.stdout)["processed"] == 400
    got = json.loads(stats(orders_bin, bootstrap, topic, aggregates).stdout)
    assert_aggregate(got["aggregate"], expected_aggregate(orders))
    # The group's own key is written again and wins from now on.
    assert new_key in read_checkpoints(bootstrap, aggregates)


def test_aggregates_topic_deleted_mid_run_is_not_recreated(bootstrap, orders_bin, topic_factory,
                                                           admin, semantics):
    topic = topic_factory("aggtop-del", partitions=2)
    aggregates, group = f"{topic}-agg", f"g-{topic}"
    orders = make_orders(400, random.Random(33), prefix="DEL")
    produce(bootstrap, topic, orders[:200], 2)
    run = Running(consume_cmd(orders_bin, bootstrap, topic, group, aggregates, "--semantics",
                              semantics, "--idle-exit", "120s", "-v"))
    run.wait_for(lambda lines: sum("Successfully processed" in line for line in lines) >= 200, timeout=60)
    time.sleep(1)  # committed
    for f in admin.delete_topics([aggregates]).values():
        f.result(timeout=30)
    time.sleep(2)
    produce(bootstrap, topic, orders[200:], 2)
    rc, out, err = run.finish(timeout=90)
    assert rc == 1, err[-3000:]
    assert f"aggregates topic '{aggregates}' does not exist" in err, err[-3000:]
    # Not re-created with the broker's defaults (deleting, uncompacted) by anyone meanwhile.
    assert not topic_exists(admin, aggregates)
    # The next run creates it compacted, and nothing acknowledged is lost: the orders after the
    # last commit are processed (their checkpoints being gone, the aggregate starts empty).
    proc = subprocess.run(consume_cmd(orders_bin, bootstrap, topic, group, aggregates,
                                      "--semantics", semantics, "--idle-exit", "2s"),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert topic_config(admin, aggregates)["cleanup.policy"] == "compact"
    assert "no checkpoint: starting at the committed offset" in proc.stderr, proc.stderr[-3000:]
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        parts = [TopicPartition(topic, p) for p in range(2)]
        committed = [tp.offset for tp in probe.committed(parts, timeout=20)]
        ends = [probe.get_watermark_offsets(tp, timeout=20)[1] for tp in parts]
    finally:
        probe.close()
    assert committed == ends == [200, 200]
    first, second = json.loads(out), json.loads(proc.stdout)
    assert first["processed"] + second["processed"] >= len(orders)
