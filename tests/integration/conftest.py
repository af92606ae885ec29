"""Shared fixtures for integration tests against a real Kafka broker.

`./run test` starts the broker (unless one answers already) and sets ORDERS_BIN and
KAFKA_BOOTSTRAP_SERVERS; the tests use confluent-kafka (PyPI) and fastavro as an
independent reader of what our C++ binary wrote.
"""
import os
import subprocess
import uuid

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def bootstrap():
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")


@pytest.fixture(scope="session")
def orders_bin():
    path = os.environ.get("ORDERS_BIN", os.path.join(ROOT, "build", "release", "orders"))
    assert os.path.exists(path), f"orders binary not found at {path}: run ./run build"
    return path


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


def run_orders(orders_bin, *args, timeout=120, check=False, **kw):
    """Runs the orders binary and returns the CompletedProcess (text mode)."""
    proc = subprocess.run(
        [orders_bin, *map(str, args)], capture_output=True, text=True, timeout=timeout, **kw
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"orders {args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc
