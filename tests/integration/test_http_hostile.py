"""`--http` against hostile clients (issue 19): slow clients (more than the connection limit), a
chunked body flood, a header flood, thousands of ranges, foreign and missing Host headers, against
a running consumer, producer and DLQ monitor; the process's memory stays bounded, /healthz answers
throughout, and a run that ends by itself exits at once while slow clients hold connections."""
import json
import random
import signal
import subprocess
import tempfile
import time

from confluent_kafka import Producer

from helpers import free_port, make_orders, run_orders
from hostile_http import SlowClients, chunked_flood, get, request, rss_mb
from observability import wait_for

# Liveness bounds, not benchmarks: far above what a healthy server needs on a loaded machine.
HEALTHZ_SECONDS = 2.0
EXIT_SECONDS = 20.0
RSS_GROWTH_MB = 64


def produce_orders(bootstrap, topic, n, seed):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for rec in make_orders(n, random.Random(seed), prefix=f"H{seed}"):
        producer.produce(topic, key=rec["key"].encode(), value=rec["value"])
    assert producer.flush(30) == 0


def healthz_ok(port):
    status, _, body, seconds = get(port, "/healthz", timeout=HEALTHZ_SECONDS + 3)
    assert (status, body) == (200, b"ok\n"), (status, body)
    assert seconds < HEALTHZ_SECONDS, f"/healthz took {seconds:.2f}s"
    return seconds


def check_host_rule(port, allowed=()):
    """Foreign, missing and repeated Host headers are refused; the bound address, localhost
    (loopback) and the --http-allow-host names are served."""
    for host in (f"127.0.0.1:{port}", "127.0.0.1", f"localhost:{port}", *allowed):
        status, _, _, _ = get(port, "/api/state", host=host)
        assert status == 200, host
    for host in (f"evil.example:{port}", f"127.0.0.1.nip.io:{port}", f"[::1]:{port}",
                 f"127.0.0.2:{port}", "127.0.0.1:x"):
        status, headers, body, _ = get(port, "/api/state", host=host)
        assert status == 421, (host, status)
        assert b"counters" not in body and b"{" not in body
        assert headers.get("x-content-type-options") == "nosniff"
    assert get(port, "/api/state", host="")[0] == 400
    assert get(port, "/api/state", host="", version="HTTP/1.0")[0] == 400
    twice = get(port, "/api/state", extra="Host: evil.example\r\n")
    assert twice[0] == 400


def check_slow_clients_then_healthz(port, n=80):
    slow = SlowClients(port, n)
    time.sleep(1)
    times = [healthz_ok(port) for _ in range(3)]
    alive = slow.alive()
    # Some were closed to make room; the rest still hold their connection.
    assert alive >= 16, alive
    return slow, times


def test_consumer_survives_hostile_clients_and_exits_at_once(bootstrap, orders_bin, topic_factory):
    topic = topic_factory("http-hostile", partitions=2)
    produce_orders(bootstrap, topic, 100, 1)
    port = free_port()
    out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    consumer = subprocess.Popen(
        [orders_bin, "consume", "--bootstrap", bootstrap, "--topic", topic, "--group",
         f"g-{topic}", "--dlq-topic", f"{topic}-dlq", "--aggregates-topic", f"{topic}-agg",
         "--stats-interval", "0", "--json", "--max-messages", "150", "--http",
         f"127.0.0.1:{port}"], stdout=out, stderr=err, text=True)
    slow = None
    try:
        def consumed_all():
            status, _, body, _ = get(port, "/api/state")
            return status == 200 and json.loads(body)["counters"]["consumed"] == 100
        wait_for(consumed_all, 60, "the first 100 records consumed")
        normal = get(port, "/api/state")
        base = rss_mb(consumer.pid)

        check_host_rule(port)
        # Thousands of ranges: one full 200 answer, never a part per range.
        ranges = ",".join(f"{i}-{i}" for i in range(2000))
        status, headers, body, _ = get(port, "/api/state", extra=f"Range: bytes={ranges}\r\n")
        assert status == 200 and headers["content-type"] == "application/json"
        assert "content-range" not in headers and len(body) == len(normal[2])
        # A header line of 1 MiB, and 20,000 headers: refused at the per-connection memory limit.
        for flood in ("X-Big: " + "a" * (1 << 20) + "\r\n",
                      "".join(f"X-{i}: v\r\n" for i in range(20000))):
            status, _, _, _ = get(port, "/api/state", extra=flood)
            assert status in (0, 400, 413, 414, 431), status
        # A chunked body: answered 405 from the headers, the body never read into memory.
        for path in ("/api/state", "/metrics", "/"):
            status, headers, sent = chunked_flood(port, path)
            assert status == 405 and headers.get("allow") == "GET, HEAD", (path, status)
        status, headers, _, _ = get(port, "/metrics", method="POST",
                                    extra="Content-Length: 1000000000000\r\n")
        assert status == 405
        assert get(port, "/metrics", method="HEAD")[0] == 200
        healthz_ok(port)
        slow, _ = check_slow_clients_then_healthz(port)
        grown = rss_mb(consumer.pid) - base
        assert grown < RSS_GROWTH_MB, f"RSS grew by {grown:.0f} MiB"
        status, _, body, _ = get(port, "/metrics")
        assert status == 200 and b"orders_consumer_records_consumed_total 100" in body

        # The run ends by itself (--max-messages) while the slow clients hold connections.
        assert slow.alive() >= 16
        produce_orders(bootstrap, topic, 50, 2)
        started = time.monotonic()
        consumer.wait(timeout=EXIT_SECONDS + 30)
        took = time.monotonic() - started
        assert took < EXIT_SECONDS, f"exit took {took:.1f}s"
        out.seek(0)
        err.seek(0)
        assert consumer.returncode == 0, err.read()[-3000:]
        assert json.loads(out.read())["consumed"] == 150
    finally:
        if slow:
            slow.close()
        if consumer.poll() is None:
            consumer.kill()
            consumer.wait()


def test_producer_page_refuses_foreign_hosts_and_exits_with_slow_clients(
        bootstrap, orders_bin, topic_factory):
    topic = topic_factory("http-hostile-prod", partitions=1)
    port = free_port()
    producer = subprocess.Popen(
        [orders_bin, "produce", "40", "--rate", "10", "--topic", topic, "--bootstrap", bootstrap,
         "--json", "--http", f"127.0.0.1:{port}", "--http-allow-host", "Metrics.Example",
         "--http-allow-host", "orders.internal"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    slow = None
    try:
        wait_for(lambda: get(port, "/healthz")[0] == 200, 30, "the producer's /healthz")
        check_host_rule(port, allowed=(f"metrics.example:{port}", "ORDERS.internal."))
        slow, _ = check_slow_clients_then_healthz(port)
        out, err = producer.communicate(timeout=60)
        assert producer.returncode == 0, err[-2000:]
        assert json.loads(out)["produced"] == 40
    finally:
        if slow:
            slow.close()
        if producer.poll() is None:
            producer.kill()
            producer.communicate()


def test_dlq_monitor_page_refuses_foreign_hosts_and_stops_with_slow_clients(
        bootstrap, orders_bin, topic_factory):
    dlq = topic_factory("http-hostile-dlq", partitions=1)
    port = free_port()
    monitor = subprocess.Popen(
        [orders_bin, "dlq", "--topic", dlq, "--bootstrap", bootstrap, "--follow", "--json",
         "--http", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    slow = None
    try:
        wait_for(lambda: get(port, "/healthz")[0] == 200, 30, "the DLQ monitor's /healthz")
        check_host_rule(port)
        slow, _ = check_slow_clients_then_healthz(port)
        assert request(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout=2)[0] == 200
        monitor.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, err = monitor.communicate(timeout=EXIT_SECONDS + 30)
        took = time.monotonic() - started
        assert took < EXIT_SECONDS, f"stopping took {took:.1f}s"
        assert monitor.returncode == 0, err[-2000:]
    finally:
        if slow:
            slow.close()
        if monitor.poll() is None:
            monitor.kill()
            monitor.communicate()


def test_http_allow_host_needs_http_and_a_host_name(orders_bin):
    alone = run_orders(orders_bin, "consume", "--http-allow-host", "metrics.example")
    assert alone.returncode == 2 and "--http" in alone.stderr
    bad = run_orders(orders_bin, "produce", "1", "--http", "127.0.0.1:0", "--http-allow-host",
                     "evil.example:80/x")
    assert bad.returncode == 2 and "not a host name" in bad.stderr
