"""`orders` against a registry that misbehaves (hostile_registry.py, a real HTTP server this test
starts): an answer trickled a byte at a time, a huge one, a chunked one that never ends, a
100k-deep one, schemas too large or not Avro, random unknown ids; and basic-auth credentials
holding '/', '@' and '%'. Each gives a bounded, clear outcome (an error at start, a dead letter
that says why, or a record that waits), never a crash, a hang or unbounded memory, and no
password is ever printed.
"""
import json
import random
import signal
import struct
import urllib.parse
import uuid

from confluent_kafka import Producer

import hostile_registry as hr
from helpers import Running, encode, read_all, run_orders

TIMEOUT_MS = 1500  # schema.registry.request.timeout.ms for these tests


def framed(schema_id, order_id):
    return b"\x00" + struct.pack(">I", schema_id) + encode(order_id, "Desk", 12.5)


def produce_framed(bootstrap, topic, records):
    """records: (partition, key, value)."""
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for partition, key, value in records:
        p.produce(topic, key=key.encode(), value=value, partition=partition)
    assert p.flush(30) == 0


def registry_props(*extra):
    out = ["--schema-registry-property", f"request.timeout.ms={TIMEOUT_MS}"]
    for e in extra:
        out += ["--schema-registry-property", e]
    return out


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def test_hostile_answers_by_id_end_in_dead_letters_or_waits_never_a_hang(
        bootstrap, orders_bin, topic_factory):
    server = hr.HostileRegistry()
    try:
        topic = topic_factory("sr-hostile", partitions=2)
        refused = {  # id -> what its dead letter must say
            hr.HUGE: "larger than schema.registry.max.response.bytes",
            hr.ENDLESS: "larger than schema.registry.max.response.bytes",
            hr.DEEP_SCHEMA: "nested deeper than",
            hr.DEEP_ANSWER: "nested deeper than 64",
            hr.BIG_SCHEMA: "larger than schema.registry.max.schema.bytes",
            hr.NOT_AVRO: "a PROTOBUF schema, not Avro",
            4242: "unknown to the registry",
        }
        records = [(0, f"good-{i}", framed(hr.GOOD, f"ORD-G{i}")) for i in range(3)]
        records += [(0, f"bad-{n}", framed(n, f"ORD-B{n}")) for n in refused]
        slow = framed(hr.SLOW, "ORD-SLOW")
        records.append((1, "slow", slow))  # its own partition: it waits, the rest go on
        produce_framed(bootstrap, topic, records)

        run = Running([orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic,
                       "--group", f"g-{topic}", "--dlq-topic", f"{topic}-dlq", "--stats-interval", "0",
                       "--json", "-v", "--ordering", "none", "--initial-backoff", "200ms",
                       "--max-backoff", "1s", "--schema-registry", server.url, *registry_props()])
        run.wait_for(lambda lines: sum("Dead-lettering" in x for x in lines) >= len(refused)
                     and sum("no complete answer within" in x for x in lines) >= 2, timeout=120)
        rss = peak_rss_mib(run.proc.pid)
        run.proc.send_signal(signal.SIGTERM)
        rc, out, err = run.finish(timeout=60)
        print(f"peak RSS of the consumer (ASan build in CI): {rss:.0f} MiB")
        assert rc in (0, 1, 130), err[-3000:]
        report = json.loads(out)
        assert report["processed"] == 3, report
        assert report["dead_lettered"] == len(refused), report
        assert report["dead_lettered_by_class"]["deserialization"] == len(refused)
        # The slow id was never a dead letter: it waited (each try ended by the one deadline).
        assert f"schema.registry.request.timeout.ms ({TIMEOUT_MS} ms)" in err
        reasons = {}
        for m in read_all(bootstrap, f"{topic}-dlq"):
            assert m["value"] != slow
            reasons[struct.unpack(">I", m["value"][1:5])[0]] = \
                dict(m["headers"])["dlq.error.message"].decode()
        assert set(reasons) == set(refused)
        for n, why in refused.items():
            assert why in reasons[n], (n, reasons[n])
            assert len(reasons[n]) <= 600, (n, len(reasons[n]))
        # Memory: the 64 MiB and the endless answers were cut at 4 MiB, the deep ones never built.
        assert rss < 1024, rss
        # Each lookup of a known-bad id happened once (cached), not once per record or retry.
        # The 64 MiB and endless answers may also end at the deadline on a loaded machine (the
        # record then waits and asks again, as for an outage), so they may be asked a few times.
        for n in refused:
            asked = server.count(f"/schemas/ids/{n}")
            assert asked == 1 or (n in (hr.HUGE, hr.ENDLESS) and asked <= 4), (n, server.requests)
    finally:
        server.stop()


def test_a_hostile_registry_at_start_is_a_bounded_clear_error(orders_bin, bootstrap):
    topic = f"unused-{uuid.uuid4().hex[:8]}"
    for mode, status, why in (("slow", 1, "no complete answer within"),
                              ("huge", 2, "no schema id in the registry's answer"),
                              ("endless", 2, "no schema id in the registry's answer")):
        server = hr.HostileRegistry(register_mode=mode)
        try:
            # produce registers its schema before it connects to Kafka.
            proc = run_orders(orders_bin, "produce", 1, 0, "--topic", topic, "--partitions", 0,
                              "--schema-registry", server.url, *registry_props(), timeout=60)
            assert proc.returncode == status, (mode, proc.stderr[-2000:])
            assert why in proc.stderr, (mode, proc.stderr[-2000:])
        finally:
            server.stop()
    for mode in ("huge", "endless"):
        server = hr.HostileRegistry(types_mode=mode)
        try:
            proc = run_orders(orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic,
                              "--group", "g-unused", "--schema-registry", server.url,
                              *registry_props(), timeout=60)
            assert proc.returncode == 2, (mode, proc.stderr[-2000:])
            assert "larger than schema.registry.max.response.bytes" in proc.stderr, proc.stderr[-2000:]
        finally:
            server.stop()


def test_random_unknown_ids_are_rate_limited_and_each_asked_once(bootstrap, orders_bin, topic_factory):
    server = hr.HostileRegistry()
    try:
        topic = topic_factory("sr-random-ids", partitions=1)
        ids = random.Random(7).sample(range(1000, 2_000_000_000), 120)
        produce_framed(bootstrap, topic, [(0, f"k{i}", framed(n, f"ORD-R{i}")) for i, n in enumerate(ids)])
        proc = run_orders(orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic,
                          "--group", f"g-{topic}", "--dlq-topic", f"{topic}-dlq", "--stats-interval", "0",
                          "--json", "-v", "--ordering", "none", "--initial-backoff", "100ms",
                          "--max-backoff", "500ms", "--max-messages", len(ids), "--idle-exit", "30s",
                          "--schema-registry", server.url,
                          *registry_props("lookup.rate=20", "lookup.burst=10"), timeout=180)
        assert proc.returncode == 0, proc.stderr[-3000:]
        report = json.loads(proc.stdout)
        assert report["dead_lettered"] == len(ids), report
        # Records over the rate waited ("later"), then were asked: none was dead-lettered for it.
        assert "not looked up yet" in proc.stderr
        for m in read_all(bootstrap, f"{topic}-dlq"):
            assert "unknown to the registry" in dict(m["headers"])["dlq.error.message"].decode()
        lookups = [t for t, _, path in server.requests if path.startswith("/schemas/ids/")]
        assert len(lookups) == len(ids)  # each id once
        # Never more than the burst plus a second's worth in any second (slower is fine).
        for i, t in enumerate(lookups):
            assert sum(1 for u in lookups[i:] if u - t < 1.0) <= 10 + 20 + 2
    finally:
        server.stop()


USER = "us@er/1"
PASSWORD = f"p/a@s%s:{uuid.uuid4().hex[:8]}"


def encoded(s):
    return urllib.parse.quote(s, safe="")


def test_credentials_with_slash_at_and_percent_work_and_are_never_printed(
        bootstrap, orders_bin, topic_factory):
    server = hr.HostileRegistry(auth=(USER, PASSWORD))
    try:
        topic = topic_factory("sr-creds", partitions=1)
        base = f"127.0.0.1:{server.port}/apis/ccompat/v7"
        url = f"http://{encoded(USER)}:{encoded(PASSWORD)}@{base}"
        secrets = [PASSWORD, encoded(PASSWORD), PASSWORD.split(":")[1]]
        texts = []
        for verbosity in ("-v", "-vv"):
            proc = run_orders(orders_bin, "produce", 3, 0, "--topic", topic, verbosity,
                              "--schema-registry", url, *registry_props(), timeout=90)
            texts.append(proc.stdout + proc.stderr)
            assert proc.returncode == 0, proc.stderr[-2000:]
            assert proc.stderr.count("basic auth over plain http") == 1, proc.stderr[-2000:]
        # The property form takes the text as it is (split at the first ':').
        proc = run_orders(orders_bin, "produce", 2, 0, "--topic", topic, "-vv",
                          "--schema-registry", f"http://{base}",
                          *registry_props(f"basic.auth.user.info={USER}:{PASSWORD}"), timeout=90)
        texts.append(proc.stdout + proc.stderr)
        assert proc.returncode == 0, proc.stderr[-2000:]
        # Read back through the same registry (the records are framed with its id 1).
        got = run_orders(orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic, "-vv",
                         "--group", f"g-{topic}", "--dlq-topic", f"{topic}-dlq", "--stats-interval", "0",
                         "--json", "--max-messages", 5, "--idle-exit", "20s", "--schema-registry", url,
                         *registry_props(), timeout=120)
        texts.append(got.stdout + got.stderr)
        assert got.returncode == 0, got.stderr[-2000:]
        assert json.loads(got.stdout)["processed"] == 5
        # Unencoded, the URL is not valid: refused at once, naming neither user nor password.
        for raw in (f"http://{USER}:{PASSWORD}@{base}", f"http://KEY:{PASSWORD.replace('@', '/')}@{base}"):
            proc = run_orders(orders_bin, "produce", 1, 0, "--topic", topic, "-vv", "--partitions", 0,
                              "--schema-registry", raw, timeout=30)
            texts.append(proc.stdout + proc.stderr)
            assert proc.returncode == 2, proc.stderr[-2000:]
            assert "percent-encoded" in proc.stderr, proc.stderr[-2000:]
        # Wrong password: refused at start.
        refused = server.refused
        proc = run_orders(orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic, "-vv",
                          "--group", f"g2-{topic}", "--schema-registry",
                          f"http://{encoded(USER)}:{encoded(PASSWORD + 'x')}@{base}", timeout=60)
        texts.append(proc.stdout + proc.stderr)
        assert proc.returncode == 2 and "credentials refused" in proc.stderr, proc.stderr[-2000:]
        assert server.refused > refused
        for text in texts:
            for secret in secrets:
                assert secret not in text, secret
    finally:
        server.stop()
