"""The crash-scenario harness shared by the exactly-once and retry tests: one topic with its DLQ
and aggregates topic, a background producer, named consumers that can be killed and restarted,
and the final checks (orders stats exact, DLQ each once or at least once).

Environment: see test_exactly_once.py.
"""
import json
import os
import random
import shlex
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from helpers import (ROOT, Running, assert_aggregate, expected_aggregate, expected_outcomes,
                     make_orders, read_to_end, run_orders)

N_ORDERS = int(os.environ.get("ORDERS_EOS_ORDERS", "100000"))
PARTITIONS = 6
FAIL_SEED, FAIL_RATE = 17, 0.05
PRODUCE_SECONDS = 30.0  # the orders arrive over this long, so kills land mid-stream
KAFKA_CONTROL = shlex.split(os.environ.get("ORDERS_KAFKA_CONTROL", f"{ROOT}/run kafka"))
THREE_NODES = os.environ.get("ORDERS_THREE_NODES_BOOTSTRAP")
LOG_DIR = os.environ.get("ORDERS_TEST_LOG_DIR")
EXTRA_CONSUMER_ARGS = shlex.split(os.environ.get("ORDERS_TEST_CONSUMER_ARGS", ""))


def kafka_control(*args, timeout=180):
    proc = subprocess.run([*KAFKA_CONTROL, *args], capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{KAFKA_CONTROL} {args}: {proc.stdout}{proc.stderr}"


class Scenario:
    """One topic, its DLQ and aggregates topic, a background producer and named consumers."""

    def __init__(self, bootstrap, orders_bin, semantics, replication=1, n_orders=N_ORDERS,
                 seed=None, fail_rate=FAIL_RATE):
        self.bootstrap, self.orders_bin, self.semantics = bootstrap, orders_bin, semantics
        self.seed = seed if seed is not None else int(os.environ.get(
            "ORDERS_EOS_SEED", random.randrange(1 << 30)))
        self.rng = random.Random(self.seed)
        self.topic = f"eos-{semantics[:3]}-{uuid.uuid4().hex[:10]}"
        self.dlq, self.aggregates, self.group = (f"{self.topic}-dlq", f"{self.topic}-agg",
                                                 f"g-{self.topic}")
        config = {"min.insync.replicas": "2"} if replication >= 3 else {}
        admin = AdminClient({"bootstrap.servers": bootstrap})
        for f in admin.create_topics([NewTopic(self.topic, num_partitions=PARTITIONS,
                                               replication_factor=replication,
                                               config=config)]).values():
            f.result(timeout=60)
        self.orders = make_orders(n_orders, random.Random(2024), prefix="EO")
        self.fail_rate = fail_rate
        self.processed, self.dead, _ = expected_outcomes(self.orders, FAIL_SEED, fail_rate)
        self.consumers = {}
        self.finished = []  # (name, returncode, report or None, stderr tail)
        self.log = []
        self._producer_error = None
        self._producer = None

    def note(self, text):
        self.log.append(f"{time.monotonic():.1f} {text}")

    def context(self):
        tails = []
        for name, run in self.consumers.items():
            self.keep_log(name, run.lines)
            # Warnings and errors tell what a stuck consumer waits for; the last lines, where.
            notable = [line for line in run.lines if " WARNING " in line or " ERROR " in line]
            tails.append(f"--- consumer {name}: warnings/errors (last 30) ---\n"
                         + "".join(notable[-30:])
                         + f"--- consumer {name}: last 15 lines ---\n" + "".join(run.lines[-15:]))
        return f"seed {self.seed}; events: {self.log}\n" + "\n".join(tails)

    # --- orders in ------------------------------------------------------------------------

    def start_producing(self, seconds=PRODUCE_SECONDS):
        def run():
            try:
                producer = Producer({"bootstrap.servers": self.bootstrap,
                                     "enable.idempotence": True, "linger.ms": 5,
                                     "message.timeout.ms": 300000,
                                     # Broker outages are expected here; failures are asserted.
                                     "log_level": 2})
                failures = []
                chunk = 500
                pause = seconds / max(1, len(self.orders) / chunk)
                for start in range(0, len(self.orders), chunk):
                    for i in range(start, min(start + chunk, len(self.orders))):
                        o = self.orders[i]
                        producer.produce(self.topic, key=o["key"].encode(), value=o["value"],
                                         partition=i % PARTITIONS,
                                         on_delivery=lambda err, msg: err and failures.append(err))
                    producer.poll(0)
                    time.sleep(pause)
                left = producer.flush(300)
                assert left == 0 and not failures, f"{left} undelivered, errors {failures[:3]}"
            except BaseException as e:  # reported by wait_until_done
                self._producer_error = e

        self._producer = threading.Thread(target=run, daemon=True)
        self._producer.start()

    # --- consumers -------------------------------------------------------------------------

    def consumer_cmd(self, name):
        return [self.orders_bin, "consume", "--bootstrap", self.bootstrap, "--topic", self.topic,
                "--group", self.group, "--dlq-topic", self.dlq, "--aggregates-topic",
                self.aggregates, "--semantics", self.semantics, "--fail-rate", self.fail_rate,
                "--initial-backoff", "1ms", "--seed", FAIL_SEED, "--stats-interval", "5s",
                "--json",
                # The same transactional.id on restart: the new process fences the killed one
                # and aborts its open transaction at once.
                "--transactional-id", f"{self.group}-{name}",
                # A killed member leaves the group after 6 s instead of 45 s.
                "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1000",
                *EXTRA_CONSUMER_ARGS]

    def start_consumer(self, name, extra=()):
        self.consumers[name] = Running([str(a) for a in [*self.consumer_cmd(name), *extra]])
        self.note(f"started {name}")

    def kill_consumer(self, name):
        run = self.consumers.pop(name)
        run.proc.send_signal(signal.SIGKILL)
        run.proc.wait(timeout=30)
        self.note(f"killed {name}")
        self.keep_log(name, run.lines)

    def keep_log(self, name, lines):
        if LOG_DIR:
            os.makedirs(LOG_DIR, exist_ok=True)
            path = os.path.join(LOG_DIR, f"{self.topic}-{name}-{time.monotonic():.0f}.log")
            with open(path, "w") as f:
                f.writelines(lines)

    def check_alive(self):
        for name, run in self.consumers.items():
            rc = run.proc.poll()
            assert rc is None, (f"consumer {name} exited with {rc}:\n"
                                f"{''.join(run.lines[-40:])}\n{self.context()}")

    def stop_consumers(self):
        for run in self.consumers.values():
            run.proc.send_signal(signal.SIGTERM)
        for name, run in list(self.consumers.items()):
            rc, out, err = run.finish(timeout=60)
            report = json.loads(out) if out.strip() else None
            self.finished.append((name, rc, report, err[-4000:]))
            self.keep_log(name, run.lines)
            self.note(f"stopped {name}: rc {rc}")
        self.consumers.clear()

    def stop_consumers_cleanly(self):
        """SIGTERM every consumer; each must exit 0."""
        self.stop_consumers()
        for name, rc, _, err in self.finished:
            assert rc == 0, f"{name} exited {rc}: {err}\n{self.context()}"

    # --- progress ----------------------------------------------------------------------------

    def offsets(self):
        """(committed, end) per partition of the consumer group."""
        probe = Consumer({"bootstrap.servers": self.bootstrap, "group.id": self.group,
                          "isolation.level": "read_committed"})
        try:
            parts = [TopicPartition(self.topic, p) for p in range(PARTITIONS)]
            committed = [tp.offset for tp in probe.committed(parts, timeout=20)]
            ends = [probe.get_watermark_offsets(tp, timeout=20)[1] for tp in parts]
        finally:
            probe.close()
        return committed, ends

    def wait_until_done(self, timeout=300):
        """Until every order is produced and the group committed the end of every partition."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            if self._producer_error:
                raise AssertionError(f"producer failed: {self._producer_error}")
            produced = self._producer is not None and not self._producer.is_alive()
            if produced:
                try:
                    committed, ends = self.offsets()
                    if sum(ends) == len(self.orders) and committed == ends:
                        return
                except Exception as e:  # the broker may be coming back
                    self.note(f"progress check failed: {e}")
            assert time.monotonic() < deadline, (
                f"not done in {timeout}s (committed/end {self.offsets()}): {self.context()}")
            time.sleep(1.0)

    # --- outcome -----------------------------------------------------------------------------

    def stats(self):
        proc = run_orders(self.orders_bin, "stats", "--bootstrap", self.bootstrap, "--topic",
                          self.topic, "--group", self.group, "--aggregates-topic",
                          self.aggregates, "--json",
                          timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads(proc.stdout)

    def check_outcome(self, dlq_each_once):
        stats = self.stats()
        expected = expected_aggregate(self.processed)
        try:
            assert_aggregate(stats["aggregate"], expected)
        except AssertionError as e:
            raise AssertionError(f"aggregate differs ({e}): {self.context()}") from e
        _, ends = self.offsets()
        assert [(p["partition"], p["offset"]) for p in stats["partitions"]] == list(
            enumerate(ends))
        assert stats["errors"] == []

        # To the end offsets, not "N records and a short grace": a late duplicate must count.
        keys = [m.key().decode() for m in read_to_end(self.bootstrap, self.dlq)]
        counts = Counter(keys)
        assert set(counts) == set(self.dead), (
            f"DLQ missing {set(self.dead) - set(counts)}, unexpected {set(counts) - set(self.dead)}"
            f": {self.context()}")
        duplicates = sum(n - 1 for n in counts.values())
        if dlq_each_once:
            assert duplicates == 0, f"{duplicates} duplicate dead letter(s): {self.context()}"
        return stats, duplicates


def kill_moments(rng, kills, seconds):
    """One random moment in each of `kills` equal windows of the production time."""
    window = seconds / kills
    return [i * window + rng.uniform(0.5, window - 0.5) for i in range(kills)]
