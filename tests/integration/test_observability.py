"""`--http` (issue 13): /metrics checked by promtool and scraped by a real Prometheus server whose
counters equal the --json report; the dashboard loaded in headless Chromium during a paced run;
the producer's and the DLQ monitor's pages; the example alert rules checked by promtool."""
import json
import os
import random
import re
import signal
import socket
import subprocess
import tempfile
import time

from confluent_kafka import Producer

from helpers import ROOT, make_orders, make_undecodable, run_orders
from observability import (ARTIFACTS, Prometheus, chromium, free_port, get,
                           promtool_check_metrics, tool, wait_for)


def produce_records(bootstrap, topic, records):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for rec in records:
        producer.produce(topic, key=rec["key"].encode(), value=rec["value"])
        producer.poll(0)
    assert producer.flush(30) == 0


def start_consumer(orders_bin, bootstrap, topic, port, *extra):
    """The consumer with --http; its output goes to files (-v output would fill a pipe)."""
    out = tempfile.TemporaryFile("w+")
    err = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(
        [orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic, "--group",
         f"g-{topic}", "--dlq-topic", f"{topic}-dlq", "--aggregates-topic", f"{topic}-agg",
         "--stats-interval", "0", "--json", "--http", f"127.0.0.1:{port}", *map(str, extra)],
        stdout=out, stderr=err, text=True)
    proc.out, proc.err = out, err
    return proc


def stop(proc, timeout=60):
    """SIGTERM, then (report, stderr text)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=timeout)
    proc.out.seek(0)
    proc.err.seek(0)
    out, err = proc.out.read(), proc.err.read()
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out), err


def test_prometheus_scrapes_the_consumer_and_its_counters_equal_the_report(
        bootstrap, orders_bin, topic_factory):
    rng = random.Random(13)
    topic = topic_factory("obs-prom", partitions=3)
    records = make_orders(300, rng) + make_undecodable(10, rng)
    produce_records(bootstrap, topic, records)
    port = free_port()
    consumer = start_consumer(orders_bin, bootstrap, topic, port, "--fail-rate", 0.2,
                              "--initial-backoff", "10ms", "--seed", 5, "-v")
    prom = Prometheus(f"127.0.0.1:{port}")
    try:
        wait_for(lambda: get(f"http://127.0.0.1:{port}/readyz")[0] == 200, 60, "/readyz 200")
        status, text = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert promtool_check_metrics(text) == ""
        assert 'kafka_consumergroup_lag{consumergroup="g-' in text
        # Declared from the start (0 until a failed transactional producer is replaced): an alert
        # on increase() needs the series before the first recovery.
        for outcome in ("replaced", "failed"):
            assert f'orders_consumer_producer_recoveries_total{{outcome="{outcome}"}} 0\n' in text

        def finished():
            v = prom.value("orders_consumer_records_processed_total + "
                           "scalar(sum(orders_consumer_dead_letters_total))")
            return v == len(records)
        wait_for(lambda: prom.value('up{job="orders"}') == 1, 60, "Prometheus: up == 1")
        wait_for(finished, 90, "Prometheus to see every record committed")
        # librdkafka's statistics arrive every 5 s.
        wait_for(lambda: prom.query("orders_rdkafka_broker_rtt_avg_seconds"), 30,
                 "librdkafka statistics in Prometheus")
        time.sleep(2)  # a scrape or two of the settled figures
        # Every partition caught up (its series go stale once the consumer has left).
        lags = prom.query("kafka_consumergroup_lag")
        assert len(lags) == 3 and all(v == 0 for v in lags.values()), lags
        report, err = stop(consumer)
        assert "📊 Aggregation Update - Count: " in err

        assert prom.value("orders_consumer_records_consumed_total") == report["consumed"]
        assert prom.value("orders_consumer_records_processed_total") == report["processed"]
        assert prom.value("orders_consumer_retries_total") == report["retries"]
        by_class = prom.query("orders_consumer_dead_letters_total")
        assert {dict(k)["class"]: v for k, v in by_class.items()} == \
            report["dead_lettered_by_class"]
        assert prom.value("orders_consumer_aggregate_orders") == report["aggregate"]["count"]
        assert prom.value("orders_consumer_aggregate_revenue_dollars") == \
            report["aggregate"]["revenue_cents"] / 100
        assert prom.value("orders_consumer_checkpoints_written_total") == \
            report["checkpoints_written"]
        assert prom.value('orders_consumer_transactions_total{outcome="committed"}') == \
            report["transactions"]["committed"]
        assert prom.value('orders_consumer_producer_recoveries_total{outcome="replaced"}') == \
            report["producer_recoveries"] == 0
        assert prom.value('orders_consumer_producer_recoveries_total{outcome="failed"}') == \
            report["producer_recovery_failures"] == 0
        assert prom.value("orders_consumer_processing_duration_seconds_count") == \
            report["processed"] + report["dead_lettered"]
    finally:
        if consumer.poll() is None:
            consumer.kill()
            consumer.wait()
        prom.close()


def test_dashboard_in_headless_chromium_shows_live_figures_and_a_chart(
        bootstrap, orders_bin, topic_factory):
    topic = topic_factory("obs-ui", partitions=2)
    # Dead letters whose key and value are markup: shown as text, never as elements.
    evil = [{"key": f'<img src=x onerror="document.title=\'pwned{i}\'">', "value": b"\x00\xff"}
            for i in range(3)]
    produce_records(bootstrap, topic, evil)
    port = free_port()
    consumer = start_consumer(orders_bin, bootstrap, topic, port)
    producer = None
    try:
        wait_for(lambda: get(f"http://127.0.0.1:{port}/readyz")[0] == 200, 60, "/readyz 200")
        producer = subprocess.Popen(
            [orders_bin, "produce", "400", "--rate", "40", "--topic", topic, "--bootstrap",
             bootstrap, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def consumed():
            status, body = get(f"http://127.0.0.1:{port}/api/state")
            return status == 200 and json.loads(body)["counters"]["consumed"] > 40
        wait_for(consumed, 60, "the paced run to be under way")
        url = f"http://127.0.0.1:{port}/"
        dom = chromium(url, "--dump-dom")
        assert producer.poll() is None, "the dashboard was loaded during the paced run"
        figure = re.search(r'id="figure-consumed">([\d,]+)<', dom)
        assert figure and int(figure.group(1).replace(",", "")) > 40, dom[:3000]
        points = re.search(r'id="throughput-chart"[^>]*data-points="(\d+)"', dom)
        assert points and int(points.group(1)) >= 1, dom[:3000]
        assert re.search(r"<td[^>]*>" + re.escape(topic) + r"\[0\]</td>", dom)
        assert '<span id="status" class="badge ok">ready</span>' in dom
        # The markup in the keys is text in the dead-letters table.
        assert "&lt;img src=x onerror=" in dom
        assert "<img" not in dom and "pwned" not in re.search(r"<title>(.*?)</title>", dom).group(1)
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, "dashboard.png")
        if os.path.exists(shot):
            os.remove(shot)
        chromium(url, f"--screenshot={shot}", "--window-size=1400,1500", "--hide-scrollbars")
        assert os.path.getsize(shot) > 10_000
    finally:
        if producer is not None:
            producer.kill()
            producer.communicate()
        stop(consumer)


def test_producer_page_and_metrics_during_a_paced_run(bootstrap, orders_bin, topic_factory):
    topic = topic_factory("obs-prod", partitions=1)
    port = free_port()
    producer = subprocess.Popen(
        [orders_bin, "produce", "60", "--rate", "20", "--topic", topic, "--bootstrap", bootstrap,
         "--json", "--http", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def acked():
            status, body = get(f"http://127.0.0.1:{port}/api/state")
            return status == 200 and json.loads(body)["counters"]["acknowledged"] >= 5
        wait_for(acked, 60, "acknowledged orders on /api/state")
        status, text = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert promtool_check_metrics(text) == ""
        assert "orders_producer_delivery_latency_seconds_bucket" in text
        assert get(f"http://127.0.0.1:{port}/")[0] == 200
        assert get(f"http://127.0.0.1:{port}/healthz") == (200, "ok\n")
        out, err = producer.communicate(timeout=60)
        assert producer.returncode == 0, err[-2000:]
        assert json.loads(out)["produced"] == 60
    finally:
        if producer.poll() is None:
            producer.kill()
            producer.communicate()


def test_dlq_follow_page_counts_what_the_dlq_holds(dlq_setup, bootstrap, orders_bin):
    source, dlq, records = dlq_setup
    port = free_port()
    monitor = subprocess.Popen(
        [orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap, "--follow", "--json",
         "--http", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        def all_read():
            status, body = get(f"http://127.0.0.1:{port}/api/state")
            return status == 200 and json.loads(body)["summary"]["total"] == len(records) and body
        state = json.loads(wait_for(all_read, 60, "the DLQ page to count every record"))
        assert state["recent"] and state["recent"][-1]["type"] == "record"
        assert sum(state["summary"]["by_class"].values()) == len(records)
        status, text = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and promtool_check_metrics(text) == ""
        total = sum(int(v) for v in re.findall(r'^orders_dlq_records_total\{[^}]*\} (\d+)$', text,
                                                re.M))
        assert total == len(records)
        dom = chromium(f"http://127.0.0.1:{port}/", "--dump-dom")
        assert re.search(r'id="figure-total">' + str(len(records)) + "<", dom), dom[:3000]
    finally:
        monitor.send_signal(signal.SIGINT)
        monitor.communicate(timeout=60)


def test_http_flag_refuses_bad_addresses_and_busy_ports(orders_bin):
    bad = run_orders(orders_bin, "consume", "--http", "9464")
    assert bad.returncode == 2 and "HOST:PORT" in bad.stderr
    follow = run_orders(orders_bin, "dlq", "--http", "127.0.0.1:0")
    assert follow.returncode == 2 and "--follow" in follow.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_orders(orders_bin, "produce", "1", "--http", f"127.0.0.1:{port}",
                          "--bootstrap", "127.0.0.1:1", "--connect-timeout", "1")
    assert proc.returncode == 2 and "cannot listen on 127.0.0.1:" in proc.stderr


def test_example_alert_rules_and_scrape_config_pass_promtool():
    rules = os.path.join(ROOT, "docs", "prometheus", "alerts.yml")
    proc = subprocess.run([tool("promtool"), "check", "rules", rules], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    config = os.path.join(ROOT, "docs", "prometheus", "prometheus.yml")
    proc = subprocess.run([tool("promtool"), "check", "config", config], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
