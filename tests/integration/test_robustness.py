"""Robustness tier: the broker frozen, killed, and the DLQ unwritable, under produce and consume.

In the spirit of modern-cpp-kafka's robustness tests. Each case streams orders into a 6-partition
topic while two `orders consume` processes share it in one group (tests/integration/scenario.py),
breaks something in the middle and repairs it, then checks that nothing acknowledged is lost:
every produced (and acknowledged) order is processed or dead-lettered as the semantics promise
(the DLQ holds each expected dead letter once with exactly-once, at least once with
at-least-once), and `orders stats` equals the aggregate computed independently here.

These stop, freeze and kill the broker, so they run only when the broker is ours
(ORDERS_KAFKA_MANAGED=1, set by `./run test` when it started it), in their own phase
(marker `robustness`; `./run test` excludes it from the plain integration phase).

Environment (besides test_exactly_once.py's):
  ORDERS_ROBUSTNESS_ORDERS   orders per case (default 20000)
"""
import os
import re
import signal
import subprocess
import time

import pytest
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource,
                                   NewTopic, ResourceType)

from scenario import KAFKA_CONTROL, PARTITIONS, Scenario, kafka_control

N_ORDERS = int(os.environ.get("ORDERS_ROBUSTNESS_ORDERS", "20000"))
PRODUCE_SECONDS = 20.0
FAIL_RATE = 0.2  # 0.8 % dead letters after three attempts: the DLQ is written throughout

@pytest.fixture(autouse=True)
def no_consumer_left(monkeypatch):
    """A failed case must not leave its consumers running (against a broker about to stop)."""
    started = []
    real_init = Scenario.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr(Scenario, "__init__", init)
    yield
    for s in started:
        for run in s.consumers.values():
            if run.proc.poll() is None:
                run.proc.kill()
                run.proc.wait(timeout=10)


pytestmark = [
    pytest.mark.robustness,
    pytest.mark.skipif(os.environ.get("ORDERS_KAFKA_MANAGED") != "1",
                       reason="stops, freezes and kills the broker: only when `./run test` "
                              "manages it (ORDERS_KAFKA_MANAGED=1)"),
]


def broker_pid():
    """The pid of the single local broker, as `run kafka status` reports it."""
    proc = subprocess.run([*KAFKA_CONTROL, "status"], capture_output=True, text=True, timeout=30)
    m = re.search(r"node 1: running \(pid (\d+)", proc.stdout)
    assert m, f"no running local broker: {proc.stdout}{proc.stderr}"
    return int(m.group(1))


def scenario(bootstrap, orders_bin, semantics, n_orders=N_ORDERS):
    s = Scenario(bootstrap, orders_bin, semantics, n_orders=n_orders, fail_rate=FAIL_RATE)
    # A consumer must survive the outage on its own: no restarts by the test.
    s.start_consumer("a")
    s.start_consumer("b")
    return s


RECOVERED = "Recovering from a failed transactional producer"
# Longer than the transaction.timeout.ms the consumer sets (30 s): the coordinator aborts the
# transaction left open across the freeze, and librdkafka 2.0.2 fails the producer for good.
FREEZE_SECONDS = 35


def finish(s, dlq_each_once, timeout=240):
    """Until every order is produced and committed; then the outcome checks."""
    s.wait_until_done(timeout)  # check_alive on each turn: a consumer that exits fails the test
    runs = dict(s.consumers)
    s.stop_consumers_cleanly()  # keeps each log (with ORDERS_TEST_LOG_DIR)
    # Every attempt logs RECOVERED once and counts in the --json report as replaced or failed.
    recoveries = {name: sum(RECOVERED in line for line in run.lines)
                  for name, run in runs.items()}
    for name, _, report, _ in s.finished:
        counted = report.get("producer_recoveries", 0) + report.get("producer_recovery_failures", 0)
        assert counted == recoveries[name], (name, recoveries, report)
    s.check_outcome(dlq_each_once=dlq_each_once)
    if any(recoveries.values()):
        print(f"\n{s.topic}: producer recoveries {recoveries}")
    return recoveries


@pytest.mark.slow
def test_broker_frozen_mid_run_loses_nothing(bootstrap, orders_bin):
    """Frozen longer than transaction.timeout.ms: the exactly-once consumers replace their
    transactional producer in-process and go on."""
    s = scenario(bootstrap, orders_bin, "exactly-once")
    s.start_producing(seconds=PRODUCE_SECONDS)
    time.sleep(PRODUCE_SECONDS / 3)
    s.check_alive()
    pid = broker_pid()
    os.kill(pid, signal.SIGSTOP)
    s.note("broker frozen (SIGSTOP)")
    try:
        time.sleep(FREEZE_SECONDS)
    finally:
        os.kill(pid, signal.SIGCONT)
    s.note("broker resumed (SIGCONT)")
    finish(s, dlq_each_once=True)


@pytest.mark.parametrize("semantics", ["exactly-once", "at-least-once"])
def test_broker_killed_and_restarted_mid_run_loses_nothing(bootstrap, orders_bin, semantics):
    s = scenario(bootstrap, orders_bin, semantics)
    s.start_producing(seconds=PRODUCE_SECONDS)
    time.sleep(PRODUCE_SECONDS / 3)
    s.check_alive()
    kafka_control("kill", "--node", "1")
    s.note("broker killed (SIGKILL)")
    time.sleep(3)
    kafka_control("start")
    s.note("broker started")
    finish(s, dlq_each_once=semantics == "exactly-once")


def set_topic_config(bootstrap, topic, key, value):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resource = ConfigResource(ResourceType.TOPIC, topic, incremental_configs=[
        ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)])
    for f in admin.incremental_alter_configs([resource]).values():
        f.result(timeout=30)


@pytest.mark.parametrize("semantics", ["exactly-once", "at-least-once"])
def test_dlq_unwritable_for_a_while_loses_nothing(bootstrap, orders_bin, semantics):
    s = Scenario(bootstrap, orders_bin, semantics, n_orders=N_ORDERS // 2, fail_rate=0.4)
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(s.dlq, num_partitions=PARTITIONS,
                                           replication_factor=1)]).values():
        f.result(timeout=30)
    # Every dead letter (the order plus its dlq.* headers) is too large until restored. (With one
    # replica, min.insync.replicas=2 did not block acks=all writes on the local Kafka 4.1.)
    set_topic_config(bootstrap, s.dlq, "max.message.bytes", "100")
    s.note("DLQ unwritable (max.message.bytes=100)")
    s.start_consumer("a")
    s.start_consumer("b")
    s.start_producing(seconds=PRODUCE_SECONDS / 2)
    time.sleep(12)
    s.check_alive()
    set_topic_config(bootstrap, s.dlq, "max.message.bytes", "1048588")
    s.note("DLQ writable again")
    finish(s, dlq_each_once=semantics == "exactly-once")
    # The outage was real: dead letters were refused meanwhile.
    assert sum(r["dead_letter_write_failures"] for _, _, r, _ in s.finished) > 0, s.finished
