"""Kafka plumbing for the benchmark harness (confluent-kafka from the project venv).

Topics and groups get unique names per harness run and are deleted at the end, so the bench can
share a broker with tests and other runs.
"""
from __future__ import annotations

import time
import uuid

from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


class Kafka:
    def __init__(self, bootstrap: str, run_id: str | None = None):
        self.bootstrap = bootstrap
        self.run_id = run_id or f"{time.strftime('%H%M%S')}-{uuid.uuid4().hex[:6]}"
        self.admin = AdminClient({"bootstrap.servers": bootstrap})
        self.topics: list[str] = []
        self.groups: list[str] = []
        self._seq = 0

    def check_reachable(self, timeout_s: float = 15) -> str | None:
        """None when the broker answers; otherwise why not."""
        try:
            md = self.admin.list_topics(timeout=timeout_s)
            return None if md.brokers else "no brokers in metadata"
        except KafkaException as e:
            return str(e)

    def _name(self, kind: str, purpose: str) -> str:
        self._seq += 1
        return f"bench-{self.run_id}-{purpose}-{kind}{self._seq}"

    def new_topic(self, purpose: str, partitions: int) -> str:
        name = self._name("t", purpose)
        futures = self.admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=1)], operation_timeout=30
        )
        for f in futures.values():
            f.result(timeout=60)
        self.topics.append(name)
        self._wait_leaders(name, partitions)
        return name

    def _wait_leaders(self, topic: str, partitions: int, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            md = self.admin.list_topics(topic=topic, timeout=10).topics.get(topic)
            if md and md.error is None and len(md.partitions) == partitions and all(
                p.leader >= 0 for p in md.partitions.values()
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"topic {topic}: partitions have no leader after {timeout_s}s")

    def new_group(self, purpose: str) -> str:
        name = self._name("g", purpose)
        self.groups.append(name)
        return name

    def adopt_topic(self, name: str) -> None:
        """A topic someone else created for this run (a DLQ): deleted at the end too."""
        self.topics.append(name)

    def message_count(self, topic: str) -> int:
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": self._name("g", "count")})
        try:
            md = c.list_topics(topic, timeout=10).topics[topic]
            total = 0
            for p in md.partitions:
                lo, hi = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                total += hi - lo
            return total
        finally:
            c.close()

    def sample_sizes(self, topic: str, max_messages: int, timeout_s: float = 30) -> dict:
        """Average key and value size of the first records of `topic` (all partitions)."""
        c = Consumer(
            {
                "bootstrap.servers": self.bootstrap,
                "group.id": self._name("g", "sample"),
                "enable.auto.commit": False,
            }
        )
        try:
            md = c.list_topics(topic, timeout=10).topics[topic]
            c.assign([TopicPartition(topic, p, 0) for p in md.partitions])  # from the start
            n = key_bytes = value_bytes = 0
            deadline = time.monotonic() + timeout_s
            while n < max_messages and time.monotonic() < deadline:
                for m in c.consume(num_messages=min(10000, max_messages - n), timeout=1.0):
                    if m.error():
                        continue
                    n += 1
                    key_bytes += len(m.key() or b"")
                    value_bytes += len(m.value() or b"")
            if n == 0:
                raise RuntimeError(f"no records could be read back from {topic}")
            return {"sampled": n, "avg_key_bytes": key_bytes / n, "avg_value_bytes": value_bytes / n}
        finally:
            c.close()

    def wait_group_assigned(self, group: str, topic: str, partitions: int, timeout_s: float) -> bool:
        """True once `group` is stable and its members own all partitions of `topic`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                desc = self.admin.describe_consumer_groups([group])[group].result(timeout=10)
                owned = {
                    tp.partition
                    for m in desc.members
                    if m.assignment is not None
                    for tp in m.assignment.topic_partitions
                    if tp.topic == topic
                }
                if str(desc.state).endswith("STABLE") and len(owned) == partitions:
                    return True
            except KafkaException:
                pass
            time.sleep(0.2)
        return False

    def cleanup(self) -> list[str]:
        """Deletes what this run created; returns problems (never raises)."""
        problems = []
        if self.groups:
            try:
                for g, f in self.admin.delete_consumer_groups(self.groups, request_timeout=15).items():
                    try:
                        f.result(timeout=30)
                    except Exception:  # groups that never committed do not exist: fine
                        pass
            except Exception as e:  # noqa: BLE001 - cleanup is best effort
                problems.append(f"deleting groups: {e}")
        if self.topics:
            try:
                for t, f in self.admin.delete_topics(self.topics, operation_timeout=30).items():
                    try:
                        f.result(timeout=60)
                    except Exception as e:  # noqa: BLE001
                        if "UNKNOWN_TOPIC" not in str(e):
                            problems.append(f"deleting topic {t}: {e}")
            except Exception as e:  # noqa: BLE001
                problems.append(f"deleting topics: {e}")
        return problems
