"""The schema registry over TLS and with basic auth, for real: Apicurio serving HTTPS with a certificate from a
throwaway CA (made with the openssl CLI), and a TLS terminator requiring client certificates in
front of the shared plain registry, for mutual TLS with a password-protected key.

Needs the Apicurio jar that `./run registry start` unpacks (.cache/registry) and the registry that
`./run test` starts; without them these tests skip, saying so.
"""
import json
import urllib.parse
import uuid

import pytest

from helpers import assert_aggregate, expected_aggregate, f32, read_all, run_orders
from tls_support import BasicAuthProxy, ClientCertRelay, HttpsRegistry, make_pki, registry_jar

KEY_PASSWORD = f"k3y-{uuid.uuid4().hex[:10]}"


def props(**kv):
    out = []
    for k, v in kv.items():
        out += ["--schema-registry-property", f"schema.registry.{k.replace('_', '.')}={v}"]
    return out


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), KEY_PASSWORD)


@pytest.fixture(scope="module")
def https_registry(pki, tmp_path_factory):
    jar = registry_jar()
    if not jar:
        pytest.skip("no Apicurio jar in .cache/registry (./run registry start fetches it)")
    reg = HttpsRegistry(jar, pki / "apicurio.pem", pki / "apicurio.key",
                        tmp_path_factory.mktemp("https-registry") / "registry.log")
    try:
        reg.wait_ready()
        yield reg
    finally:
        reg.stop()


@pytest.fixture(scope="module")
def relay(pki, registry_url):
    u = urllib.parse.urlsplit(registry_url)
    r = ClientCertRelay(pki / "relay.pem", pki / "relay.key", pki / "ca.pem", (u.hostname, u.port))
    yield r, f"https://127.0.0.1:{r.port}{u.path}"
    r.stop()


def produce(orders_bin, topic, n, url, extra, tmp_path):
    dump = tmp_path / f"{uuid.uuid4().hex}.jsonl"
    proc = run_orders(orders_bin, "produce", n, 0, "--topic", topic, "--schema-registry", url,
                      "--dump-orders", dump, *extra, timeout=60)
    # Prices as the Avro float on the wire, which the aggregates are made of.
    sent = [{**o, "price": f32(o["price"])} for o in map(json.loads, dump.read_text().splitlines())] \
        if dump.exists() else []
    return proc, sent


def consume(orders_bin, bootstrap, topic, n, url, extra):
    return run_orders(orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic,
                      "--group", f"g-{uuid.uuid4().hex[:8]}", "--dlq-topic", f"{topic}-dlq",
                      "--stats-interval", "0", "--json", "--max-messages", n, "--idle-exit", "20s",
                      "--schema-registry", url, *extra, timeout=90)


def test_the_registry_certificate_and_hostname_are_verified(
        https_registry, pki, bootstrap, orders_bin, topic_factory, tmp_path):
    topic = topic_factory("sr-tls", partitions=2)
    url = https_registry.url
    refused = [
        ({}, "unable to get local issuer certificate"),  # our CA is not the system's
        ({"ssl_ca_location": pki / "ca.pem"}, "does not name this host"),  # registry.example only
        ({"ssl_endpoint_identification_algorithm": "none"}, "unable to get local issuer certificate"),
    ]
    for kv, why in refused:
        proc, _ = produce(orders_bin, topic, 5, url, props(**kv), tmp_path)
        assert proc.returncode == 2, (kv, proc.stderr[-2000:])
        assert "TLS refused" in proc.stderr and why in proc.stderr, (kv, proc.stderr[-2000:])
    assert read_all(bootstrap, topic) == []

    # Confluent's "none" skips the hostname only: with the CA, the chain still verifies.
    trusted = props(ssl_ca_location=pki / "ca.pem", ssl_endpoint_identification_algorithm="none")
    proc, sent = produce(orders_bin, topic, 50, url, trusted, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "hostname not verified" in proc.stderr
    assert all(m["value"][0] == 0 for m in read_all(bootstrap, topic))  # Confluent-framed

    # A consumer that cannot trust the registry refuses to start (nothing would be readable).
    bad = consume(orders_bin, bootstrap, topic, 50, url, [])
    assert bad.returncode == 2 and "TLS refused" in bad.stderr, bad.stderr[-2000:]
    good = consume(orders_bin, bootstrap, topic, 50, url, trusted)
    assert good.returncode == 0, good.stderr[-2000:]
    report = json.loads(good.stdout)
    assert report["processed"] == 50 and report["dead_lettered"] == 0
    assert_aggregate(report["aggregate"], expected_aggregate(sent))


def test_mutual_tls_with_a_password_protected_key(relay, pki, bootstrap, orders_bin, topic_factory,
                                                  tmp_path):
    server, url = relay
    topic = topic_factory("sr-mtls", partitions=1)
    identity = dict(ssl_ca_location=pki / "ca.pem", ssl_certificate_location=pki / "client.pem",
                    ssl_key_location=pki / "client.key")
    outputs = []

    proc, sent = produce(orders_bin, topic, 40, url, props(**identity, ssl_key_password=KEY_PASSWORD),
                         tmp_path)
    outputs.append(proc.stdout + proc.stderr)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "key password ******" in proc.stderr  # the registry's description masks it

    wrong = f"wrong-{uuid.uuid4().hex[:8]}"
    proc, _ = produce(orders_bin, topic, 5, url, props(**identity, ssl_key_password=wrong), tmp_path)
    outputs.append(proc.stdout + proc.stderr)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "wrong schema.registry.ssl.key.password?" in proc.stderr
    assert wrong not in proc.stdout + proc.stderr

    proc, _ = produce(orders_bin, topic, 5, url, props(**identity), tmp_path)  # encrypted, no password
    assert proc.returncode == 2 and "set schema.registry.ssl.key.password" in proc.stderr, proc.stderr

    before = server.refused
    proc, _ = produce(orders_bin, topic, 5, url, props(ssl_ca_location=pki / "ca.pem"), tmp_path)
    assert proc.returncode != 0, proc.stderr[-2000:]  # the terminator wants a client certificate
    assert server.refused > before

    got = consume(orders_bin, bootstrap, topic, 40, url,
                  props(**identity, ssl_key_password=KEY_PASSWORD))
    outputs.append(got.stdout + got.stderr)
    assert got.returncode == 0, got.stderr[-2000:]
    report = json.loads(got.stdout)
    assert report["processed"] == 40 and report["dead_lettered"] == 0
    assert_aggregate(report["aggregate"], expected_aggregate(sent))
    assert len(read_all(bootstrap, topic)) == 40
    for text in outputs:
        assert KEY_PASSWORD not in text


def test_a_url_without_the_compatible_api_is_refused_at_start(bootstrap, orders_bin, topic_factory,
                                                              registry_url):
    u = urllib.parse.urlsplit(registry_url)
    topic = topic_factory("sr-badurl", partitions=1)
    # Apicurio's root answers 404 for every Confluent path: without the check at start, every
    # framed record would be dead-lettered as an unknown schema id.
    proc = consume(orders_bin, bootstrap, topic, 1, f"{u.scheme}://{u.netloc}", [])
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "no Confluent-compatible API under this URL" in proc.stderr


def test_basic_auth_credentials_are_sent_and_a_refusal_stops_the_start(
        bootstrap, orders_bin, topic_factory, tmp_path, registry_url):
    u = urllib.parse.urlsplit(registry_url)
    secret = f"pw-{uuid.uuid4().hex[:10]}"
    proxy = BasicAuthProxy(f"{u.scheme}://{u.netloc}", "orders", secret)
    try:
        url = f"http://127.0.0.1:{proxy.port}{u.path}"
        topic = topic_factory("sr-auth", partitions=1)
        creds = props(basic_auth_user_info=f"orders:{secret}")
        proc, sent = produce(orders_bin, topic, 20, url, creds, tmp_path)
        assert proc.returncode == 0, proc.stderr[-2000:]
        texts = [proc.stdout + proc.stderr]
        for bad in (props(basic_auth_user_info="orders:wrong-password"), []):
            refused = proxy.refused
            got = consume(orders_bin, bootstrap, topic, 20, url, bad)
            texts.append(got.stdout + got.stderr)
            assert got.returncode == 2, got.stderr[-2000:]
            assert "credentials refused" in got.stderr and proxy.refused > refused
        # Credentials in the URL work the same way, and are masked too.
        got = consume(orders_bin, bootstrap, topic, 20, f"http://orders:{secret}@127.0.0.1:{proxy.port}{u.path}",
                      [])
        texts.append(got.stdout + got.stderr)
        assert got.returncode == 0, got.stderr[-2000:]
        report = json.loads(got.stdout)
        assert report["processed"] == 20
        assert_aggregate(report["aggregate"], expected_aggregate(sent))
        for text in texts:
            assert secret not in text
    finally:
        proxy.stop()
