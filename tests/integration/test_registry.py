"""`orders` with a real Schema Registry (Apicurio 3.0.9, Confluent-compatible API): Confluent
framing, schema evolution and compatibility, checked with confluent-kafka's own AvroSerializer /
AvroDeserializer as the independent other side.

`./run test` starts the registry (./run registry start) and sets ORDERS_SCHEMA_REGISTRY; without
a registry answering these tests skip, saying so.
"""
import io
import json
import os
import signal
import struct
import time
import uuid

import fastavro
import pytest
import requests
from confluent_kafka import Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from helpers import (ROOT, Running, assert_aggregate, count_lines, expected_aggregate, f32, read_all,
                     run_orders)

URL = os.environ.get("ORDERS_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7")
CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}


def schema_text(name):
    with open(os.path.join(ROOT, "schemas", name)) as f:
        return f.read()


@pytest.fixture(scope="module")
def registry(registry_url):
    return SchemaRegistryClient({"url": registry_url})


def produce_values(bootstrap, topic, values):
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for key, value in values:
        p.produce(topic, key=key.encode(), value=value)
    assert p.flush(30) == 0


def consume(orders_bin, bootstrap, topic, n, *extra, timeout=120):
    proc = run_orders(orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic,
                      "--group", f"g-{topic}", "--dlq-topic", f"{topic}-dlq",
                      "--stats-interval", "0", "--json", "--max-messages", n, *extra,
                      timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout), proc


def test_produced_records_are_read_by_the_confluent_deserializer(
        registry, bootstrap, orders_bin, topic_factory, tmp_path):
    topic = topic_factory("sr-produce", partitions=2)
    dump = tmp_path / "orders.jsonl"
    proc = run_orders(orders_bin, "produce", 300, 0, "--topic", topic, "--schema-registry", URL,
                      "--seed", 5, "--dump-orders", dump, "--json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    sent = {o["orderId"]: o for o in map(json.loads, dump.read_text().splitlines())}
    registered = registry.get_latest_version(f"{topic}-value")
    deser = AvroDeserializer(registry)
    got = {}
    for m in read_all(bootstrap, topic):
        v = m["value"]
        assert v[0] == 0 and struct.unpack(">I", v[1:5])[0] == registered.schema_id
        order = deser(v, SerializationContext(topic, MessageField.VALUE))
        got[order["orderId"]] = order
    assert set(got) == set(sent)
    for oid, o in got.items():
        assert o["product"] == sent[oid]["product"]
        assert o["price"] == f32(sent[oid]["price"])


def test_v1_v2_and_raw_records_are_consumed_with_exact_aggregates(
        registry, bootstrap, orders_bin, topic_factory):
    topic = topic_factory("sr-mixed", partitions=3)
    ctx = SerializationContext(topic, MessageField.VALUE)
    v1 = AvroSerializer(registry, schema_text("order.avsc"))
    v2 = AvroSerializer(registry, schema_text("order-v2.avsc"))
    raw_schema = fastavro.parse_schema(json.loads(schema_text("order.avsc")))
    orders, values = [], []
    for i in range(600):
        o = {"orderId": f"ORD-SR-{i:05d}", "product": ["Laptop", "Mouse", "Desk"][i % 3],
             "price": f32(1.25 + i * 0.5)}
        orders.append(o)
        if i % 3 == 0:
            value = v1(o, ctx)
        elif i % 3 == 1:
            value = v2({**o, "quantity": i, "currency": "EUR"}, ctx)
        else:
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, raw_schema, o)
            value = buf.getvalue()
        values.append((o["orderId"], value))
    # An id no registry has: a deserialization dead letter that says why.
    unknown = b"\x00" + struct.pack(">I", 2_000_000_000) + values[0][1][5:]
    values.append(("ORD-UNKNOWN", unknown))
    produce_values(bootstrap, topic, values)

    report, _ = consume(orders_bin, bootstrap, topic, len(values), "--schema-registry", URL)
    assert report["processed"] == len(orders)
    assert report["dead_lettered_by_class"]["deserialization"] == 1
    assert report["dead_lettered"] == 1
    assert_aggregate(report["aggregate"], expected_aggregate(orders))

    dead = read_all(bootstrap, f"{topic}-dlq")
    assert len(dead) == 1 and dead[0]["value"] == unknown  # bytes unchanged
    headers = {k: v.decode() for k, v in dead[0]["headers"]}
    assert "schema id 2000000000 unknown" in headers["dlq.error.message"]

    # The DLQ tools show the framing and the schema id.
    shown = run_orders(orders_bin, "dlq", "--bootstrap", bootstrap, "--topic", f"{topic}-dlq",
                       "--json", "--schema-registry", URL, timeout=60)
    assert shown.returncode == 0, shown.stderr[-2000:]
    lines = [json.loads(x) for x in shown.stdout.splitlines() if '"type":"record"' in x]
    assert lines and lines[0]["framing"] == "confluent"
    assert lines[0]["schema_id"] == 2_000_000_000
    text = run_orders(orders_bin, "dlq", "--bootstrap", bootstrap, "--topic", f"{topic}-dlq",
                      "--schema-registry", URL, timeout=60)
    assert "Framing=confluent id=2000000000" in text.stdout, text.stdout[-2000:]

    # Replay (forced: a deserialization dead letter) sends the bytes back unchanged.
    target = topic_factory("sr-replayed", partitions=3)
    replay = run_orders(orders_bin, "dlq", "replay", "--bootstrap", bootstrap, "--topic",
                        f"{topic}-dlq", "--group", f"r-{topic}", "--to", target, "--force",
                        "--schema-registry", URL, timeout=120)
    assert replay.returncode == 0, replay.stderr[-2000:]
    replayed = read_all(bootstrap, target)
    assert [m["value"] for m in replayed] == [unknown]


def single_object(schema, record):
    """Avro single-object encoding: C3 01, the writer schema's CRC-64-AVRO fingerprint, the Avro
    binary. fastavro gives the fingerprint as the hex of its 8 bytes in the spec's (little-endian)
    order, so they go into the header as they are; `orders` names it by its value (`{:016x}`),
    the same bytes read backwards."""
    canonical = fastavro.schema.to_parsing_canonical_form(schema)
    fingerprint = bytes.fromhex(fastavro.schema.fingerprint(canonical, "CRC-64-AVRO"))
    buf = io.BytesIO()
    buf.write(b"\xc3\x01" + fingerprint)
    fastavro.schemaless_writer(buf, schema, record)
    return buf.getvalue(), f"{int.from_bytes(fingerprint, 'little'):016x}"


def test_single_object_raw_and_confluent_records_are_consumed_with_exact_aggregates(
        registry, bootstrap, orders_bin, topic_factory):
    topic = topic_factory("sr-single", partitions=2)
    ctx = SerializationContext(topic, MessageField.VALUE)
    v1_schema = fastavro.parse_schema(json.loads(schema_text("order.avsc")))
    v2_schema = fastavro.parse_schema(json.loads(schema_text("order-v2.avsc")))
    confluent_v1 = AvroSerializer(registry, schema_text("order.avsc"))
    confluent_v2 = AvroSerializer(registry, schema_text("order-v2.avsc"))
    # An Order schema no registry has (an extra field): only its fingerprint reaches the reader.
    stranger = fastavro.parse_schema({
        "type": "record", "name": "Order", "fields": [
            *json.loads(schema_text("order.avsc"))["fields"], {"name": "note", "type": "string"}]})

    def order(i, product):
        return {"orderId": f"ORD-SO-{i:05d}", "product": product, "price": f32(0.75 + i * 0.25)}

    processed, records = [], []  # records: (partition, key, value)
    # Partition 0: single-object (writer = the reader schema, no registry lookup), raw, Confluent.
    for i in range(240):
        o = order(i, ["Laptop", "Mouse", "Desk"][i % 3])
        if i % 3 == 0:
            value, reader_fp = single_object(v1_schema, o)
        elif i % 3 == 1:
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, v1_schema, o)
            value = buf.getvalue()
        else:
            value = confluent_v1(o, ctx)
        processed.append(o)
        records.append((0, o["orderId"], value))
    # Partition 1, one key (so one at a time, in order): v2's fingerprint is known only once a
    # record framed with v2's registry id was read (order_reader.cpp): the first v2 single-object
    # record is a dead letter although the registry holds v2, the one after the Confluent v2
    # record is read. Then an Order whose writer schema nobody has.
    v2_early, v2_fp = single_object(v2_schema, {**order(1000, "Desk"), "quantity": 2,
                                                "currency": "EUR"})
    late = order(1002, "Laptop")
    v2_late, _ = single_object(v2_schema, {**late, "quantity": 3, "currency": "EUR"})
    unknown, unknown_fp = single_object(stranger, {**order(1003, "Mouse"), "note": "x"})
    confluent = order(1001, "Mouse")
    for value in (v2_early, confluent_v2({**confluent, "quantity": 1, "currency": "USD"}, ctx),
                  v2_late, unknown):
        records.append((1, "v2-sequence", value))
    processed += [confluent, late]
    assert reader_fp != v2_fp

    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for partition, key, value in records:
        p.produce(topic, key=key.encode(), value=value, partition=partition)
    assert p.flush(30) == 0

    report, _ = consume(orders_bin, bootstrap, topic, len(records), "--schema-registry", URL)
    assert report["processed"] == len(processed), report
    assert report["dead_lettered_by_class"]["deserialization"] == 2
    assert report["dead_lettered"] == 2
    assert_aggregate(report["aggregate"], expected_aggregate(processed))

    dead = read_all(bootstrap, f"{topic}-dlq")
    reasons = {m["value"]: dict(m["headers"])["dlq.error.message"].decode() for m in dead}
    assert set(reasons) == {v2_early, unknown}  # bytes unchanged
    for value, fp in ((v2_early, v2_fp), (unknown, unknown_fp)):
        assert f"single-object fingerprint {fp} is not a known writer schema" in reasons[value]
    shown = run_orders(orders_bin, "dlq", "--bootstrap", bootstrap, "--topic", f"{topic}-dlq",
                       "--json", timeout=60)
    assert shown.returncode == 0, shown.stderr[-2000:]
    lines = [json.loads(x) for x in shown.stdout.splitlines() if '"type":"record"' in x]
    assert {(x["framing"], x["fingerprint"]) for x in lines} == \
        {("single-object", v2_fp), ("single-object", unknown_fp)}


def test_incompatible_schema_is_refused_and_nothing_is_produced(
        registry, bootstrap, orders_bin, topic_factory):
    topic = topic_factory("sr-incompat", partitions=1)
    subject = f"{topic}-value"
    # The subject's history holds an Order whose price is a string: under BACKWARD our Order
    # (price float, no default) cannot read it.
    other = ('{"type":"record","name":"Order","fields":[{"name":"orderId","type":"string"},'
             '{"name":"price","type":"string"}]}')
    registry.register_schema(subject, Schema(other, "AVRO"))
    r = requests.put(f"{URL}/config/{subject}", data=json.dumps({"compatibility": "BACKWARD"}),
                     headers=CT, timeout=10)
    assert r.status_code == 200, r.text
    proc = run_orders(orders_bin, "produce", 5, 0, "--topic", topic, "--schema-registry", URL)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "refused the Order schema" in proc.stderr and "ncompatible" in proc.stderr
    assert read_all(bootstrap, topic) == []
    # The Python serializer is refused the same way.
    with pytest.raises(SchemaRegistryError):
        AvroSerializer(registry, schema_text("order.avsc"))(
            {"orderId": "x", "product": "y", "price": 1.0}, SerializationContext(topic, MessageField.VALUE))


def test_no_auto_register_needs_the_schema_there(registry, orders_bin, topic_factory):
    topic = topic_factory("sr-noreg", partitions=1)
    proc = run_orders(orders_bin, "produce", 3, 0, "--topic", topic, "--schema-registry", URL,
                      "--no-auto-register")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert f"looking up the schema under subject '{topic}-value': HTTP 404" in proc.stderr
    registry.register_schema(f"{topic}-value", Schema(schema_text("order.avsc"), "AVRO"))
    proc = run_orders(orders_bin, "produce", 3, 0, "--topic", topic, "--schema-registry", URL,
                      "--no-auto-register", "--subject-strategy", "topic", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["produced"] == 3


def test_registry_down_is_transient_never_a_dead_letter(
        registry, bootstrap, orders_bin, topic_factory):
    topic = topic_factory("sr-down", partitions=1)
    ctx = SerializationContext(topic, MessageField.VALUE)
    value = AvroSerializer(registry, schema_text("order.avsc"))(
        {"orderId": "ORD-DOWN-1", "product": "Mouse", "price": 2.5}, ctx)
    produce_values(bootstrap, topic, [("ORD-DOWN-1", value)])
    # Nothing listens on port 9: every lookup fails; the record waits, unfinished, not dead.
    run = Running([orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic,
                   "--group", f"g-{topic}", "--dlq-topic", f"{topic}-dlq", "--stats-interval", "0",
                   "--json", "-v", "--initial-backoff", "100ms", "--max-backoff", "500ms",
                   "--schema-registry", "http://127.0.0.1:9/apis/ccompat/v7"])
    run.wait_for(count_lines("registry unavailable"), timeout=60)
    time.sleep(3)
    run.proc.send_signal(signal.SIGTERM)
    rc, out, err = run.finish(timeout=60)
    assert rc in (0, 1, 130), err[-3000:]
    report = json.loads(out)
    assert report["dead_lettered"] == 0
    assert report["processed"] == 0
    assert report["retries"] >= 2
    # With the registry back, the same group reads it.
    report, _ = consume(orders_bin, bootstrap, topic, 1, "--schema-registry", URL)
    assert report["processed"] == 1 and report["dead_lettered"] == 0


def test_bad_registry_flags_are_usage_errors(orders_bin):
    for args, says in (
            (["--schema-registry", "ftp://x"], "expected an http:// or https:// URL"),
            (["--schema-registry", URL, "--schema-registry-property", "nope=1"],
             "unknown schema registry property 'nope'"),
            (["--schema-registry-property", "basic.auth.user.info=a:b"],
             "schema registry properties given without --schema-registry URL"),
            (["--schema-registry", URL, "--subject-strategy", "bogus"], "--subject-strategy")):
        proc = run_orders(orders_bin, "produce", 1, 0, "--topic", f"unused-{uuid.uuid4().hex[:6]}",
                          "--partitions", 0, *args, timeout=30)
        assert proc.returncode == 2, (args, proc.stderr)
        assert says in proc.stderr, (args, proc.stderr)
        assert "a:b" not in proc.stderr


def test_secrets_are_not_printed(registry, bootstrap, orders_bin, topic_factory):
    topic = topic_factory("sr-secret", partitions=1)
    proc = run_orders(orders_bin, "produce", 1, 0, "--topic", topic, "-v",
                      "--schema-registry", URL.replace("http://", "http://alice:Sup3rSecret@"),
                      timeout=60)
    # Apicurio ignores the credentials; what matters is that they are never printed.
    assert "Sup3rSecret" not in proc.stderr + proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    # ... by a run that did use the registry: the order is there, framed with the subject's id.
    registered = registry.get_latest_version(f"{topic}-value")
    assert f"Order schema is id {registered.schema_id} under subject {topic}-value" in proc.stderr
    [m] = read_all(bootstrap, topic)
    assert m["value"][0] == 0 and struct.unpack(">I", m["value"][1:5])[0] == registered.schema_id


def test_subject_strategies(registry, bootstrap, orders_bin, topic_factory):
    topic = topic_factory("sr-subj", partitions=1)
    for strategy, subject in (("record", "Order"), ("topic-record", f"{topic}-Order")):
        proc = run_orders(orders_bin, "produce", 1, 0, "--topic", topic, "--schema-registry", URL,
                          "--subject-strategy", strategy)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert subject in registry.get_subjects()
        # "Order" is there from earlier runs too: the record must carry the id this run used.
        ids = {registry.get_version(subject, v).schema_id for v in registry.get_versions(subject)}
        used = struct.unpack(">I", read_all(bootstrap, topic)[-1]["value"][1:5])[0]
        assert used in ids and f"Order schema is id {used} under subject {subject}" in proc.stderr


