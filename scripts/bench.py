#!/usr/bin/env python3
"""Benchmark harness for `./run bench [--quick]` (see docs/benchmarks.md, issue "Benchmarks").

Compares, on one broker and in one run, our `orders` binary against what a user would otherwise
use (Kafka's ProducerPerformance / ConsumerPerformance) and against the client library's own limit
(librdkafka's rdkafka_performance), plus end-to-end latency, the cost of blocking retries, codec
micro-benchmarks and peak RSS. Every figure is the median of --runs runs; ratios are computed run
by run (ours_i / theirs_i, rounds interleaved) and then their median is taken.

Every command is time-bounded, topics and groups are unique per run and deleted afterwards, and
no figure is asserted: the exit status is non-zero only when a tool failed or crashed.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_env  # noqa: E402
import bench_report  # noqa: E402
import bench_tools as tools  # noqa: E402
from bench_kafka import Kafka  # noqa: E402
from bench_proc import HAVE_GNU_TIME, Result, Running, capture, run, stop_all  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The producer settings all three producers get explicitly, so "same settings" holds by
# construction; they equal the defaults of `orders produce` (kafka::producer_defaults() in
# src/kafka/config.cpp). The librdkafka-only ones go to both librdkafka-based producers.
PRODUCER_PROPS = {
    "acks": "all",
    "enable.idempotence": "true",
    "compression.type": "snappy",
    "linger.ms": "5",
    "batch.size": "1048576",
}
LIBRDKAFKA_PROPS = {
    "batch.num.messages": "10000",
    "queue.buffering.max.messages": "500000",
    "message.timeout.ms": "30000",
}

# The paced producer of the end-to-end step: the same settings except linger.ms. At 10k msg/s a
# 5 ms linger alone would use up the 5 ms p99 budget; 1 ms keeps batching (fewer requests than 0,
# which measured worse on a busy broker) and is passed explicitly, like every other setting.
E2E_PRODUCER_PROPS = {**PRODUCER_PROPS, **LIBRDKAFKA_PROPS, "linger.ms": "1"}

SIZES = {
    "full": dict(runs=3, produce=1_000_000, sample=20_000, e2e_rate=10_000, e2e_seconds=30,
                 retry_records=20_000, retry_backoff="1s", retry_bound_s=60, micro_min_time=0.5,
                 micro_reps=3),
    "quick": dict(runs=1, produce=100_000, sample=5_000, e2e_rate=10_000, e2e_seconds=5,
                  retry_records=2_000, retry_backoff="100ms", retry_bound_s=15, micro_min_time=0.05,
                  micro_reps=1),
}
PARTITIONS = 3
RETRY_FAIL_RATE = 0.1
FALLBACK_RECORD_SIZE = 35  # only if our producer failed and no record could be measured

TOOLS = ("orders", "ProducerPerformance", "rdkafka_performance")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.mode = "quick" if args.quick else "full"
        self.size = dict(SIZES[self.mode])
        if args.runs:
            self.size["runs"] = args.runs
        if args.count:
            self.size["produce"] = args.count
        self.kafka = Kafka(args.bootstrap)
        self.errors: list[str] = []
        self.notes: list[str] = list(args.note)
        self.commands: dict[str, str] = {}
        self.out: dict = {}
        self.tmp = tempfile.mkdtemp(prefix="orders-bench-")
        self.record_size = None  # avg encoded Order (value) size, measured from our topic
        self.filled_topic = None  # a topic holding exactly size["produce"] of our orders
        self.rdkafka_perf = None

    # -------------------------------------------------------------------------------------------
    # helpers

    def timeout_for(self, records: int, slack_s: float = 60) -> float:
        # Generous bound (20k msg/s worst case): a hung tool ends the step, not the harness.
        return slack_s + records / 20_000

    def note_command(self, label: str, result: Result) -> None:
        self.commands.setdefault(label, result.command.replace(ROOT + "/", ""))

    def evaluate(self, label: str, result: Result, parse) -> dict:
        """One run's record: parsed metrics + wall, RSS; errors go to self.errors."""
        self.note_command(label, result)
        rec = {"ok": False, "wall_s": round(result.wall_s, 3), "peak_rss_mb": _round(result.peak_rss_mb)}
        why = result.failure()
        if why is None:
            try:
                rec.update(parse(result))
                rec["ok"] = True
                if rec.get("records") and result.wall_s > 0:  # whole process: startup, join, exit
                    rec["records_per_wall_sec"] = rec["records"] / result.wall_s
            except (tools.ToolError, KeyError, TypeError, ValueError) as e:
                why = f"output not understood: {e}"
        if why is not None:
            rec["error"] = why
            self.errors.append(f"{label}: {why}\n    $ {result.command}\n" + _indent(result.tail()))
            log(f"  {label}: FAILED ({why})")
        else:
            log(f"  {label}: " + _brief(rec))
        return rec

    def help_text(self, sub: str) -> str:
        return capture([self.args.orders, sub, "--help"], timeout_s=20)

    # -------------------------------------------------------------------------------------------
    # steps

    def step_codec(self) -> None:
        log("codec micro-benchmarks")
        s = self.size
        argv = [self.args.micro_bench, "--benchmark_format=json",
                f"--benchmark_min_time={s['micro_min_time']}"]
        if s["micro_reps"] > 1:
            argv += [f"--benchmark_repetitions={s['micro_reps']}", "--benchmark_report_aggregates_only=true"]
        r = run(argv, timeout_s=600)
        rec = self.evaluate("micro_bench", r, lambda res: {"benchmarks": tools.parse_micro_bench(res.stdout)})
        self.out["codec"] = rec

    def _produce_ours(self, topic: str, count: int, label: str = "orders produce") -> tuple[dict, Result]:
        r = run(tools.orders_produce_cmd(self.args.orders, topic, count, self.args.bootstrap,
                                         {**PRODUCER_PROPS, **LIBRDKAFKA_PROPS}),
                timeout_s=self.timeout_for(count))

        def parse(res: Result) -> dict:
            j = tools.parse_json_report(res.stdout)
            if j["produced"] != count or j.get("failed", 0):
                raise tools.ToolError(f"produced {j['produced']} of {count}, failed {j.get('failed')}")
            lat = j.get("latency_ms", {})
            return {"records": j["produced"], "msgs_per_sec": j["msgs_per_sec"],
                    "tool_mb_per_sec": j.get("mb_per_sec"), "seconds": j.get("seconds"),
                    "latency_ms": {k: lat.get(k) for k in ("avg", "p50", "p95", "p99", "max") if k in lat}}

        return self.evaluate(label, r, parse), r

    def ensure_record_size(self, topic: str) -> None:
        if self.record_size is not None:
            return
        sizes = self.kafka.sample_sizes(topic, self.size["sample"])
        self.record_size = sizes["avg_value_bytes"]
        self.out.setdefault("settings", {})["record"] = {k: _round(v) for k, v in sizes.items()}
        log(f"  average encoded Order: {self.record_size:.1f} bytes value, "
            f"{sizes['avg_key_bytes']:.1f} bytes key ({sizes['sampled']} sampled)")

    def _produce_rdkafka(self, topic: str, n: int, size: int, label: str) -> dict:
        lat_file = os.path.join(self.tmp, f"rdk-lat-{topic}.txt")
        r = run(tools.rdkafka_produce_cmd(self.rdkafka_perf, topic, n, size, self.args.bootstrap,
                                          {**PRODUCER_PROPS, **LIBRDKAFKA_PROPS}, lat_file),
                timeout_s=self.timeout_for(n))

        def parse(res: Result) -> dict:
            row = tools.parse_rdkafka_table(res.stdout)
            if int(row["dr"]) != n or row.get("dr_err", 0):
                raise tools.ToolError(f"delivered {int(row['dr'])} of {n}, errors {row.get('dr_err')}")
            rate = row["dr"] / (row["elapsed"] / 1000.0)
            return {"records": int(row["dr"]), "msgs_per_sec": rate, "mb_per_sec": rate * size / 1e6,
                    "latency_ms": tools.latency_file_ms(lat_file)}

        rec = self.evaluate(label, r, parse)
        _remove(lat_file)
        return rec

    def _add_mb(self, runs: list[dict]) -> None:
        for rec in runs:
            if rec["ok"] and self.record_size:
                rec["mb_per_sec"] = rec["msgs_per_sec"] * self.record_size / 1e6

    def step_producer(self) -> None:
        s, n = self.size, self.size["produce"]
        log(f"producer: {n} records x {s['runs']} rounds (orders, ProducerPerformance, rdkafka_performance)")
        runs = {t: [] for t in TOOLS}
        size = FALLBACK_RECORD_SIZE
        for i in range(s["runs"]):
            topic = self.kafka.new_topic("prod-orders", PARTITIONS)
            rec, _ = self._produce_ours(topic, n)
            runs["orders"].append(rec)
            if rec["ok"]:
                try:
                    self.ensure_record_size(topic)
                    if self.filled_topic is None:
                        self.filled_topic = topic
                except Exception as e:  # noqa: BLE001 - reported, the step goes on
                    self.errors.append(f"measuring the encoded Order size: {e}")
            size = round(self.record_size) if self.record_size else FALLBACK_RECORD_SIZE
            if self.record_size is None and i == 0:
                self.notes.append(f"record size could not be measured: the other tools used {size} bytes")

            topic = self.kafka.new_topic("prod-pp", PARTITIONS)
            r = run(tools.producer_performance_cmd(self.args.jars, topic, n, size, self.args.bootstrap,
                                                   PRODUCER_PROPS), timeout_s=self.timeout_for(n))
            runs["ProducerPerformance"].append(self.evaluate(
                "ProducerPerformance", r, lambda res: _with_mb(tools.parse_producer_performance(res.stdout), size)))

            topic = self.kafka.new_topic("prod-rdk", PARTITIONS)
            runs["rdkafka_performance"].append(self._produce_rdkafka(topic, n, size, "rdkafka_performance -P"))
        self._add_mb(runs["orders"])
        self.out["producer"] = {
            "records": n,
            "runs": runs,
            "median": {t: _median_record(runs[t]) for t in TOOLS},
            "ratios": {
                "orders/ProducerPerformance": _pair_ratios(runs["orders"], runs["ProducerPerformance"]),
                "orders/rdkafka_performance": _pair_ratios(runs["orders"], runs["rdkafka_performance"]),
            },
        }
        if self.mode == "full":
            self.out["producer_one_partition"] = self._producer_one_partition(n, size)

    def _producer_one_partition(self, n: int, size: int) -> dict:
        """Supplementary: ours vs rdkafka_performance on 1-partition topics. Our records are keyed
        (spread over all partitions), the tool's are not (sticky, one batch at a time): with one
        partition that difference is gone, which isolates the cost of keyed partitioning."""
        log(f"producer, 1 partition: {n} records x {self.size['runs']} rounds (orders, rdkafka_performance)")
        runs = {"orders": [], "rdkafka_performance": []}
        for _ in range(self.size["runs"]):
            rec, _ = self._produce_ours(self.kafka.new_topic("prod1-orders", 1), n, label="orders produce (1 partition)")
            runs["orders"].append(rec)
            runs["rdkafka_performance"].append(
                self._produce_rdkafka(self.kafka.new_topic("prod1-rdk", 1), n, size, "rdkafka_performance -P (1 partition)"))
        self._add_mb(runs["orders"])
        return {"records": n, "runs": runs, "median": {t: _median_record(v) for t, v in runs.items()},
                "ratios": {"orders/rdkafka_performance": _pair_ratios(runs["orders"], runs["rdkafka_performance"])}}

    def fill_topic(self, purpose: str, count: int) -> str | None:
        topic = self.kafka.new_topic(purpose, PARTITIONS)
        rec, _ = self._produce_ours(topic, count, label=f"orders produce (fill {purpose})")
        return topic if rec["ok"] else None

    def semantics_modes(self) -> tuple[list[tuple[str, list[str]]], list[str]]:
        """The consume modes to run (label, extra flags) and the skipped ones (with reasons)."""
        text = self.help_text("consume")
        wanted = ("at-least-once", "exactly-once")
        if "--semantics" not in text:
            return ([("at-least-once", [])],
                    ["exactly-once: skipped, `orders consume` has no --semantics flag yet "
                     "(its only mode, at-least-once, was measured)"])
        listed = [m for m in wanted if m in text]
        modes = [(m, ["--semantics", m]) for m in (listed or wanted)]
        skipped = [f"{m}: skipped, not among the modes `orders consume --help` lists"
                   for m in wanted if listed and m not in listed]
        return modes, skipped

    def step_consumer(self) -> None:
        s, n = self.size, self.size["produce"]
        topic = self.filled_topic or self.fill_topic("cons", n)
        if topic is None:
            self.errors.append("consumer: no pre-filled topic (orders produce failed)")
            return
        self.filled_topic = topic
        count = self.kafka.message_count(topic)
        modes, skipped = self.semantics_modes()
        labels = [f"orders ({m})" for m, _ in modes]
        log(f"consumer: {count} records x {s['runs']} rounds ({', '.join(labels)}, ConsumerPerformance, "
            "rdkafka_performance -C)")
        for sk in skipped:
            log(f"  {sk}")
        runs = {k: [] for k in labels + ["ConsumerPerformance", "rdkafka_performance"]}
        for i in range(s["runs"]):
            for (mode, extra), label in zip(modes, labels):
                dlq = f"{topic}-dlq-{i}-{mode}"
                self.kafka.adopt_topic(dlq)
                self.kafka.adopt_topic(tools.aggregates_topic(dlq))
                r = run(tools.orders_consume_cmd(self.args.orders, topic, self.kafka.new_group("cons"), dlq,
                                                 self.args.bootstrap, count, "5s", extra),
                        timeout_s=self.timeout_for(count))
                runs[label].append(self.evaluate(label, r, lambda res: _consume_metrics(res, count)))
            r = run(tools.consumer_performance_cmd(self.args.jars, topic, self.kafka.new_group("cons-cp"),
                                                   count, self.args.bootstrap), timeout_s=self.timeout_for(count))

            def parse_cp(res: Result) -> dict:
                m = tools.parse_consumer_performance(res.stdout)
                if m["records"] < count:
                    raise tools.ToolError(f"consumed {m['records']} of {count}")
                return m

            runs["ConsumerPerformance"].append(self.evaluate("ConsumerPerformance", r, parse_cp))
            r = run(tools.rdkafka_consume_cmd(self.rdkafka_perf, topic, self.kafka.new_group("cons-rdk"), count,
                                              self.args.bootstrap), timeout_s=self.timeout_for(count))

            def parse_rdk(res: Result) -> dict:
                row = tools.parse_rdkafka_table(res.stdout)
                if int(row["msgs"]) < count:
                    raise tools.ToolError(f"consumed {int(row['msgs'])} of {count}")
                return {"records": int(row["msgs"]), "msgs_per_sec": row["msgs"] / (row["elapsed"] / 1000.0)}

            runs["rdkafka_performance"].append(self.evaluate("rdkafka_performance -C", r, parse_rdk))
        ratios = {}
        for label in labels:
            ratios[f"{label}/ConsumerPerformance"] = _pair_ratios(runs[label], runs["ConsumerPerformance"])
            ratios[f"{label}/rdkafka_performance"] = _pair_ratios(runs[label], runs["rdkafka_performance"])
        self.out["consumer"] = {"records": count, "runs": runs, "skipped": skipped,
                                "median": {k: _median_record(v) for k, v in runs.items()}, "ratios": ratios}

    def step_e2e(self) -> None:
        """Produce at a fixed rate while `orders consume` runs, in each semantics mode (rounds
        interleave the modes); the consumer reports Kafka timestamp -> outcome decided."""
        s = self.size
        rate, secs = s["e2e_rate"], s["e2e_seconds"]
        total = rate * secs
        modes, _ = self.semantics_modes()
        log(f"end-to-end latency: {rate} msg/s for {secs}s x {s['runs']} rounds "
            f"({', '.join(m for m, _ in modes)}; producer linger.ms={E2E_PRODUCER_PROPS['linger.ms']})")
        produce_help = self.help_text("produce")
        pace = ["--rate", str(rate)] if "--rate" in produce_help else None
        runs = {m: [] for m, _ in modes}
        producer_runs = {m: [] for m, _ in modes}
        for i in range(s["runs"]):
            for mode, extra in modes:
                topic = self.kafka.new_topic("e2e", PARTITIONS)
                group = self.kafka.new_group("e2e")
                dlq = f"{topic}-dlq"
                self.kafka.adopt_topic(dlq)
                self.kafka.adopt_topic(tools.aggregates_topic(dlq))
                consumer = Running(tools.orders_consume_cmd(self.args.orders, topic, group, dlq, self.args.bootstrap,
                                                            total, "10s", extra))
                if not self.kafka.wait_group_assigned(group, topic, PARTITIONS, timeout_s=45):
                    self.notes.append(f"e2e round {i + 1} ({mode}): the consumer had not joined after 45 s; "
                                      "produced anyway")
                argv = tools.orders_produce_cmd(self.args.orders, topic, total, self.args.bootstrap,
                                                E2E_PRODUCER_PROPS)
                if pace:
                    argv = argv[:3] + argv[4:] + pace  # COUNT without DELAY, paced by --rate
                else:
                    argv[3] = f"{1.0 / rate:.6f}"
                pr = run(argv, timeout_s=secs * 3 + 60)
                producer_runs[mode].append(self.evaluate(f"orders produce (paced, {mode})", pr,
                                                         lambda res: _produce_metrics(res)))
                cr = consumer.finish(timeout_s=secs * 3 + 120)

                def parse(res: Result) -> dict:
                    j = tools.parse_json_report(res.stdout)
                    e2e = j.get("e2e_latency_ms")
                    out = {"consumed": j.get("consumed"), "processed": j.get("processed")}
                    if isinstance(e2e, dict) and e2e.get("count", 1):
                        out["e2e_latency_ms"] = {k: e2e.get(k) for k in ("p50", "p95", "p99", "p99.9", "max")
                                                 if k in e2e}
                    out["processing_latency_ms"] = j.get("processing_latency_ms")
                    return out

                runs[mode].append(self.evaluate(f"orders consume (e2e, {mode})", cr, parse))
        per_mode = {}
        for mode, _ in modes:
            have = [r for r in runs[mode] if r["ok"] and "e2e_latency_ms" in r]
            per_mode[mode] = {
                "runs": runs[mode], "producer_runs": producer_runs[mode],
                "median": _median_record(have) if have else None,
                "producer_median": _median_record(producer_runs[mode]),
                "consumer_rss_mb": _median([r.get("peak_rss_mb") for r in runs[mode] if r["ok"]]),
                "producer_rss_mb": _median([r.get("peak_rss_mb") for r in producer_runs[mode] if r["ok"]])}
        # The target is read in at-least-once mode (like the consumer throughput target), else the
        # only mode there is.
        main = per_mode.get("at-least-once") or next(iter(per_mode.values()))
        status = "ok" if main["median"] else "n/a (consumer does not report e2e latency yet)"
        if not main["median"] and any(r["ok"] for r in main["runs"]):
            self.notes.append("TODO e2e: `orders consume --json` has no `e2e_latency_ms` object yet; "
                              "the figure is n/a until it reports produce-timestamp -> processed latency")
        self.out["e2e"] = {"rate": rate, "seconds": secs, "status": status,
                           "target_mode": "at-least-once" if "at-least-once" in per_mode else modes[0][0],
                           "producer_props": E2E_PRODUCER_PROPS, "modes": per_mode,
                           **{k: main[k] for k in ("runs", "producer_runs", "median", "producer_median",
                                                   "consumer_rss_mb", "producer_rss_mb")}}

    def step_retry(self) -> None:
        s = self.size
        n, backoff, bound = s["retry_records"], s["retry_backoff"], s["retry_bound_s"]
        log(f"blocking-retry cost: {n} records, --fail-rate {RETRY_FAIL_RATE} --initial-backoff {backoff} "
            f"(bounded at {bound}s) x {s['runs']} rounds")
        topic = self.fill_topic("retry", n)
        if topic is None:
            self.errors.append("retry: could not fill the topic (orders produce failed)")
            return
        runs = {"none": [], "blocking": []}
        for i in range(s["runs"]):
            for kind, extra in (("none", []), ("blocking", ["--fail-rate", str(RETRY_FAIL_RATE),
                                                             "--initial-backoff", backoff, "--seed", str(i + 1)])):
                dlq = f"{topic}-dlq-{i}-{kind}"
                self.kafka.adopt_topic(dlq)
                self.kafka.adopt_topic(tools.aggregates_topic(dlq))
                proc = Running(tools.orders_consume_cmd(self.args.orders, topic, self.kafka.new_group("retry"), dlq,
                                                        self.args.bootstrap, n, "5s", extra))
                deadline = time.monotonic() + bound
                while not proc.poll() and time.monotonic() < deadline:
                    time.sleep(0.1)
                cut = not proc.poll()
                if cut:
                    proc.stop(grace_s=10)  # a bounded run: SIGTERM makes it report what it finished
                res = proc.finish(timeout_s=bound + 30)

                def parse(res: Result, cut=cut) -> dict:
                    j = tools.parse_json_report(res.stdout)
                    finished = (j.get("processed") or 0) + (j.get("dead_lettered") or 0)
                    return {"msgs_per_sec": j.get("msgs_per_sec"), "finished": finished,
                            "finished_per_wall_sec": finished / res.wall_s if res.wall_s else None,
                            "retries": j.get("retries"), "dead_lettered": j.get("dead_lettered"),
                            "stopped_at_bound": cut}

                runs[kind].append(self.evaluate(f"orders consume (retry: {kind})", res, parse))
        self.out["retry"] = {"records": n, "fail_rate": RETRY_FAIL_RATE, "initial_backoff": backoff,
                             "bound_s": bound, "partitions": PARTITIONS, "runs": runs,
                             "median": {k: _median_record(v) for k, v in runs.items()},
                             "ratio": _pair_ratios(runs["blocking"], runs["none"])}

    # -------------------------------------------------------------------------------------------

    def run_all(self) -> int:
        steps = [s.strip() for s in self.args.steps.split(",") if s.strip()]
        unknown = set(steps) - {"codec", "producer", "consumer", "e2e", "retry"}
        if unknown:
            log(f"unknown step(s): {', '.join(sorted(unknown))}")
            return 2
        started = time.time()
        load_start = bench_env.load_average()
        self.out["meta"] = {
            "mode": self.mode, "sizes": self.size, "partitions": PARTITIONS, "bootstrap": self.args.bootstrap,
            "generated_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": bench_env.machine(),
            "versions": bench_env.versions(ROOT, self.args.jars, os.path.dirname(self.args.orders),
                                           self.args.orders_rev),
            "load_average_start": load_start,
        }
        if not HAVE_GNU_TIME:
            self.notes.append("peak RSS not measured: GNU time (/usr/bin/time, Debian package `time`) is missing")
        self.out["settings"] = {"producer_props": PRODUCER_PROPS, "librdkafka_props": LIBRDKAFKA_PROPS}
        try:
            if any(st in steps for st in ("producer", "consumer", "e2e", "retry")):
                why = self.kafka.check_reachable()
                if why:
                    self.errors.append(f"Kafka at {self.args.bootstrap} does not answer: {why}")
                    steps = [st for st in steps if st == "codec"]
            if any(st in steps for st in ("producer", "consumer")):
                self.rdkafka_perf = tools.build_rdkafka_performance(ROOT, self.args.tools_dir)
            for st in ("codec", "producer", "consumer", "e2e", "retry"):
                if st in steps:
                    try:
                        getattr(self, f"step_{st}")()
                    except Exception as e:  # noqa: BLE001 - one broken step must not hide the others
                        self.errors.append(f"step {st}: {e}\n{_indent(traceback.format_exc(limit=3))}")
                        log(f"step {st} failed: {e}")
                    self.out["meta"][f"load_average_after_{st}"] = bench_env.load_average()
        finally:
            stop_all()
            shutil.rmtree(self.tmp, ignore_errors=True)
            problems = self.kafka.cleanup()
            self.notes += problems
        self.out["meta"]["duration_s"] = round(time.time() - started, 1)
        self.out["meta"]["load_average_end"] = bench_env.load_average()
        self.out["commands"] = self.commands
        self.out["notes"] = self.notes
        self.out["errors"] = self.errors
        self.out["targets"] = bench_report.targets(self.out)
        self.write()
        return 1 if self.errors else 0

    def write(self) -> None:
        for path in self.args.json_out:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            with open(path, "w") as f:
                json.dump(self.out, f, indent=2, sort_keys=False)
                f.write("\n")
            log(f"wrote {os.path.relpath(path, ROOT)}")
        md = bench_report.markdown(self.out, analysis=_read_text(os.path.join(ROOT, "bench", "ANALYSIS.md")))
        os.makedirs(os.path.dirname(os.path.abspath(self.args.md_out)), exist_ok=True)
        with open(self.args.md_out, "w") as f:
            f.write(md)
        log(f"wrote {os.path.relpath(self.args.md_out, ROOT)}")
        print(bench_report.summary(self.out))
        if self.errors:
            print(f"\n{len(self.errors)} failure(s):", file=sys.stderr)
            for e in self.errors:
                print(f"- {e}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# small pure helpers


def _round(x, nd=3):
    return None if x is None else round(x, nd)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _read_text(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _brief(rec: dict) -> str:
    parts = []
    if rec.get("msgs_per_sec") is not None:
        parts.append(f"{rec['msgs_per_sec']:,.0f} msg/s")
    lat = rec.get("latency_ms") or rec.get("e2e_latency_ms")
    if isinstance(lat, dict) and lat.get("p99") is not None:
        parts.append(f"p50 {lat.get('p50') or 0:.2f} ms, p99 {lat['p99']:.2f} ms")
    if rec.get("peak_rss_mb") is not None:
        parts.append(f"RSS {rec['peak_rss_mb']:.0f} MB")
    parts.append(f"{rec['wall_s']:.1f}s wall")
    return ", ".join(parts)


def _with_mb(metrics: dict, size: int) -> dict:
    metrics["mb_per_sec"] = metrics["msgs_per_sec"] * size / 1e6
    return metrics


def _produce_metrics(res: Result) -> dict:
    j = tools.parse_json_report(res.stdout)
    return {"records": j.get("produced"), "msgs_per_sec": j.get("msgs_per_sec"), "latency_ms": j.get("latency_ms")}


def _consume_metrics(res: Result, count: int) -> dict:
    j = tools.parse_json_report(res.stdout)
    if (j.get("consumed") or 0) < count:
        raise tools.ToolError(f"consumed {j.get('consumed')} of {count}")
    if j.get("dead_lettered"):
        raise tools.ToolError(f"{j['dead_lettered']} records dead-lettered in a no-failure run")
    return {"records": j.get("consumed"), "processed": j.get("processed"), "msgs_per_sec": j.get("msgs_per_sec"),
            "processing_latency_ms": j.get("processing_latency_ms")}


def _median(values):
    vals = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return statistics.median(vals) if vals else None


def _median_record(runs: list[dict]) -> dict | None:
    """Median of every numeric field (one level of nesting) over the successful runs."""
    ok = [r for r in runs if r.get("ok")]
    if not ok:
        return None
    out = {"runs": len(ok)}
    keys = {k for r in ok for k in r}
    for k in sorted(keys):
        vals = [r.get(k) for r in ok]
        if all(isinstance(v, dict) for v in vals if v is not None) and any(isinstance(v, dict) for v in vals):
            sub = {kk for v in vals if v for kk in v}
            out[k] = {kk: _median([(v or {}).get(kk) for v in vals]) for kk in sorted(sub)}
        elif any(isinstance(v, bool) for v in vals):
            out[k] = any(v is True for v in vals)  # e.g. "stopped at the bound" in any run
        else:
            m = _median(vals)
            if m is not None:
                out[k] = m
    return out


def _pair_ratios(ours: list[dict], theirs: list[dict], key: str = "msgs_per_sec") -> dict:
    per_run = []
    for a, b in zip(ours, theirs):
        if a.get("ok") and b.get("ok") and a.get(key) and b.get(key):
            per_run.append(a[key] / b[key])
    return {"per_run": [float(f"{r:.4g}") for r in per_run], "median": _median(per_run)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1 round, small sizes (about a minute)")
    p.add_argument("--orders", help="the orders binary (a Release build)")
    p.add_argument("--micro-bench", help="the micro_bench binary")
    p.add_argument("--jars", help="directory with the Kafka jars (kafka-tools)")
    p.add_argument("--tools-dir", help="where to build rdkafka_performance")
    p.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    p.add_argument("--runs", type=int, help="rounds per figure (default: 3, quick: 1)")
    p.add_argument("--count", type=int, help="records for the producer/consumer figures")
    p.add_argument("--steps", default="codec,producer,consumer,e2e,retry")
    p.add_argument("--orders-rev", help="git revision the binaries were built from (default: this checkout)")
    p.add_argument("--note", action="append", default=[], help="a note for the report (repeatable)")
    p.add_argument("--md-out", required=True)
    p.add_argument("--json-out", action="append", default=[], help="repeatable")
    p.add_argument("--render-from", metavar="JSON",
                   help="only re-render --md-out from a results file (e.g. after editing bench/ANALYSIS.md)")
    args = p.parse_args()
    if args.render_from:
        with open(args.render_from) as f:
            out = json.load(f)
        with open(args.md_out, "w") as f:
            f.write(bench_report.markdown(out, analysis=_read_text(os.path.join(ROOT, "bench", "ANALYSIS.md"))))
        return 0
    missing = [f"--{k.replace('_', '-')}" for k in ("orders", "micro_bench", "jars", "tools_dir") if not getattr(args, k)]
    if missing:
        p.error(f"required: {', '.join(missing)}")
    for path, what in ((args.orders, "orders binary"), (args.micro_bench, "micro_bench binary")):
        if not os.access(path, os.X_OK):
            print(f"error: {what} not found at {path}", file=sys.stderr)
            return 2

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    try:
        return Bench(args).run_all()
    except KeyboardInterrupt:
        stop_all()
        print("bench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
