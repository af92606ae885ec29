"""The `http` step: what `orders consume --http` costs while a scraper reads /metrics every second.

One consumer over a backlog (no failures), with and without `--http 127.0.0.1:PORT` plus a thread
that GETs /metrics and /api/state once a second, as Prometheus and an open dashboard would.
Variants alternate run by run, each on a fresh consumer group. Not in the default steps:
`--steps http` (target: throughput with --http within 5 % of without).
"""
from __future__ import annotations

import socket
import threading
import urllib.request

import bench_tools as tools
from bench_proc import run
from bench_util import four_digits, log, median, median_record, paired_ratios

VARIANTS = ("without --http", "with --http + 1 s scraper")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Scraper(threading.Thread):
    """GETs /metrics and /api/state every second until stopped; counts the pages it got."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port, self.pages, self.stop = port, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(1.0):
            for path in ("/metrics", "/api/state"):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as r:
                        r.read()
                        self.pages += 1
                except OSError:
                    pass  # not listening yet, or gone


def _metrics(res, count: int) -> dict:
    j = tools.parse_json_report(res.stdout)
    if j.get("processed") != count:
        raise tools.ToolError(f"processed {j.get('processed')} of {count}")
    return {"records": count, "msgs_per_sec": j["msgs_per_sec"]}


class HttpStep:
    def _http_run(self, topic: str, count: int, with_http: bool) -> dict:
        group = self.kafka.new_group("http")
        dlq = f"{group}-dlq"
        self.kafka.adopt_topic(dlq)
        self.kafka.adopt_topic(tools.aggregates_topic(dlq))
        extra = ["--stats-interval", "0", "-q"]
        scraper = None
        if with_http:
            port = _free_port()
            extra += ["--http", f"127.0.0.1:{port}"]
            scraper = _Scraper(port)
            scraper.start()
        try:
            r = run(tools.orders_consume_cmd(self.args.orders, topic, group, dlq, self.args.bootstrap, count,
                                             "5s", extra), timeout_s=self.timeout_for(count))
        finally:
            if scraper:
                scraper.stop.set()
                scraper.join(timeout=5)
        label = VARIANTS[1] if with_http else VARIANTS[0]
        rec = self.evaluate(f"orders consume ({label})", r, lambda res: _metrics(res, count))
        if scraper:
            rec["pages_scraped"] = scraper.pages
        return rec

    def step_http(self) -> None:
        n = self.size["produce"]
        topic = self.filled_topic or self.fill_topic("http", n)
        if topic is None:
            self.errors.append("http: no pre-filled topic (orders produce failed)")
            return
        self.filled_topic = topic
        count = self.kafka.message_count(topic)
        rounds = self.ratio_rounds()
        log(f"--http cost: {count} records x {rounds} rounds ({' vs '.join(VARIANTS)})")
        runs = {v: [] for v in VARIANTS}
        for i in range(rounds):
            order = (False, True) if i % 2 == 0 else (True, False)
            for with_http in order:
                runs[VARIANTS[1] if with_http else VARIANTS[0]].append(self._http_run(topic, count, with_http))
        ratios = paired_ratios(runs[VARIANTS[1]], runs[VARIANTS[0]], "msgs_per_sec")
        self.out["http"] = {"records": count, "rounds": rounds, "runs": runs,
                            "median": {k: median_record(v) for k, v in runs.items()},
                            "ratio": {"per_run": four_digits(ratios), "median": median(ratios)}}
