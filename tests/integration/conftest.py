"""Shared fixtures for integration tests against a real Kafka broker (shared functions: helpers.py).

`./run test` starts the broker (unless one answers already) and sets ORDERS_BIN and
KAFKA_BOOTSTRAP_SERVERS; the tests use confluent-kafka (PyPI) and fastavro as an
independent reader of what our C++ binary wrote.
"""
import os
import uuid

import pytest
import requests
from confluent_kafka.admin import AdminClient, NewTopic

from dead_letters import make_dead_letters, produce_dead_letters
from helpers import ROOT


def _is_loopback(server):
    host = server.strip().rsplit(":", 1)[0].strip("[]")
    return host == "localhost" or host == "::1" or host.startswith("127.")


def pytest_configure(config):
    """Tests create topics (and `orders` reads KAFKA_BOOTSTRAP_SERVERS itself): only on a broker of
    this machine, unless ORDERS_TEST_ALLOW_REMOTE=1 says another cluster is meant."""
    servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    if os.environ.get("ORDERS_TEST_ALLOW_REMOTE") == "1":
        return
    if not all(_is_loopback(s) for s in servers.split(",") if s.strip()):
        raise pytest.UsageError(
            f"KAFKA_BOOTSTRAP_SERVERS={servers} is not a local broker, and the tests create topics: "
            "unset it, or set ORDERS_TEST_ALLOW_REMOTE=1 to use that cluster on purpose")


@pytest.fixture(scope="session")
def bootstrap():
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")


@pytest.fixture(scope="session")
def orders_bin():
    path = os.environ.get("ORDERS_BIN", os.path.join(ROOT, "build", "release", "orders"))
    assert os.path.exists(path), f"orders binary not found at {path}: run ./run build"
    return path


@pytest.fixture(scope="session")
def registry_url():
    """The plain-HTTP schema registry `./run test` starts (ORDERS_SCHEMA_REGISTRY); the tests that
    need it skip, saying so, when none answers."""
    url = os.environ.get("ORDERS_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7")
    try:
        ok = requests.get(f"{url}/subjects", timeout=3).status_code == 200
    except requests.RequestException:
        ok = False
    if not ok:
        pytest.skip(f"no schema registry answering at {url} (./run registry start)")
    return url


@pytest.fixture(scope="session")
def admin(bootstrap):
    return AdminClient({"bootstrap.servers": bootstrap})


@pytest.fixture
def topic_factory(admin):
    """Creates uniquely named topics: create(partitions=1, config=None) -> name."""

    def create(prefix="t", partitions=1, replication=1, config=None):
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        fs = admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=replication, config=config or {})]
        )
        for f in fs.values():
            f.result(timeout=30)
        return name

    return create


@pytest.fixture
def dlq_setup(bootstrap, topic_factory):
    """A source topic (3 partitions) and a DLQ (2 partitions) holding 80 dead letters."""
    source = topic_factory("dlq-src", partitions=3)
    dlq = topic_factory("dlq", partitions=2)
    records = make_dead_letters(source)
    produce_dead_letters(bootstrap, dlq, records)
    return source, dlq, records


@pytest.fixture(params=["exactly-once", "at-least-once"])
def semantics(request):
    """Runs a test once per delivery mode of `orders consume`."""
    return request.param
