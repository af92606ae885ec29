#!/usr/bin/env python3
"""Benchmark harness for `./run bench [--quick]` (see docs/benchmarks.md, issue "Benchmarks").

Compares, on one broker and in one run, our `orders` binary against what a user would otherwise
use (Kafka's ProducerPerformance / ConsumerPerformance) and against the client library's own limit
(librdkafka's rdkafka_performance), plus end-to-end latency, the cost of blocking retries, codec
micro-benchmarks and peak RSS; on request (`--steps semantics`) the cost of exactly-once against
at-least-once, and (`--steps http`) the cost of `--http` with a scraper. Every figure is the
median of --runs runs; ratios are computed run
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
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_env  # noqa: E402
import bench_markdown  # noqa: E402
import bench_report  # noqa: E402
import bench_tools as tools  # noqa: E402
from bench_consumer import ConsumerSteps  # noqa: E402
from bench_http import HttpStep  # noqa: E402
from bench_kafka import Kafka  # noqa: E402
from bench_proc import HAVE_GNU_TIME, Result, stop_all  # noqa: E402
from bench_producer import ProducerSteps  # noqa: E402
from bench_registry import RegistryStep  # noqa: E402
from bench_semantics import SemanticsStep  # noqa: E402
from bench_settings import (LIBRDKAFKA_PROPS, MIN_RATIO_ROUNDS, PARTITIONS, PRODUCER_PROPS,  # noqa: E402
                            SIZES)
from bench_util import brief, indent, log, read_text, rounded  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPS = bench_markdown.STEPS
DEFAULT_STEPS = "codec,producer,consumer,e2e,retry,http,registry"


class Bench(ProducerSteps, ConsumerSteps, SemanticsStep, HttpStep, RegistryStep):
    """The harness: shared state and bookkeeping here, one step_<name> method per step (mixins)."""

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

    def ratio_rounds(self) -> int:
        """Rounds for a ratio of two modes of our binary (see MIN_RATIO_ROUNDS)."""
        runs = self.size["runs"]
        return runs if self.mode == "quick" else max(runs, MIN_RATIO_ROUNDS)

    def timeout_for(self, records: int, slack_s: float = 60) -> float:
        # Generous bound (20k msg/s worst case): a hung tool ends the step, not the harness.
        return slack_s + records / 20_000

    def note_command(self, label: str, result: Result) -> None:
        self.commands.setdefault(label, result.command.replace(ROOT + "/", ""))

    def evaluate(self, label: str, result: Result, parse) -> dict:
        """One run's record: parsed metrics + wall, RSS; errors go to self.errors."""
        self.note_command(label, result)
        rec = {"ok": False, "wall_s": round(result.wall_s, 3), "peak_rss_mb": rounded(result.peak_rss_mb),
               "cpu_s": rounded(result.cpu_s)}
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
            self.errors.append(f"{label}: {why}\n    $ {result.command}\n" + indent(result.tail()))
            log(f"  {label}: FAILED ({why})")
        else:
            log(f"  {label}: " + brief(rec))
        return rec

    def run_all(self) -> int:
        steps = [s.strip() for s in self.args.steps.split(",") if s.strip()]
        unknown = set(steps) - set(STEPS)
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
            if any(st != "codec" for st in steps):
                why = self.kafka.check_reachable()
                if why:
                    self.errors.append(f"Kafka at {self.args.bootstrap} does not answer: {why}")
                    steps = [st for st in steps if st == "codec"]
            if any(st in steps for st in ("producer", "consumer")):
                self.rdkafka_perf = tools.build_rdkafka_performance(ROOT, self.args.tools_dir)
            for st in STEPS:
                if st in steps:
                    try:
                        getattr(self, f"step_{st}")()
                    except Exception as e:  # noqa: BLE001 - one broken step must not hide the others
                        self.errors.append(f"step {st}: {e}\n{indent(traceback.format_exc(limit=3))}")
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

    def merged(self) -> dict:
        """--merge-into: the earlier full results with the steps of this run replaced, so one step
        can be re-measured without re-running the others; meta.updates says which and when."""
        with open(self.args.merge_into) as f:
            base = json.load(f)
        ran = [st for st in STEPS if st in self.out]
        for st in ran:
            base[st] = self.out[st]
        meta = self.out["meta"]
        base.setdefault("meta", {}).setdefault("updates", []).append(
            {"steps": ran, "generated_at": meta.get("generated_at"), "versions": meta.get("versions"),
             "load_average_start": meta.get("load_average_start"), "duration_s": meta.get("duration_s")})
        base["meta"]["sizes"] = {**base["meta"].get("sizes", {}),
                                 **{k: v for k, v in meta.get("sizes", {}).items() if k.startswith(tuple(ran))}}
        # The re-run steps' earlier commands go (their labels name the step, e.g. "(retry: key)").
        kept = {k: v for k, v in base.get("commands", {}).items() if not any(st in k for st in ran)}
        base["commands"] = {**kept, **self.out["commands"]}
        base["errors"] = self.out["errors"]
        base["targets"] = bench_report.targets(base)
        return base

    def write(self) -> None:
        if self.args.merge_into:
            self.out = self.merged()
        for path in self.args.json_out:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            with open(path, "w") as f:
                json.dump(self.out, f, indent=2, sort_keys=False)
                f.write("\n")
            log(f"wrote {os.path.relpath(path, ROOT)}")
        md = bench_markdown.markdown(self.out, analysis=read_text(os.path.join(ROOT, "bench", "ANALYSIS.md")))
        os.makedirs(os.path.dirname(os.path.abspath(self.args.md_out)), exist_ok=True)
        with open(self.args.md_out, "w") as f:
            f.write(md)
        log(f"wrote {os.path.relpath(self.args.md_out, ROOT)}")
        print(bench_report.summary(self.out))
        if self.errors:
            print(f"\n{len(self.errors)} failure(s):", file=sys.stderr)
            for e in self.errors:
                print(f"- {e}", file=sys.stderr)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1 round, small sizes (about a minute)")
    p.add_argument("--orders", help="the orders binary (a Release build)")
    p.add_argument("--micro-bench", help="the micro_bench binary")
    p.add_argument("--jars", help="directory with the Kafka jars (kafka-tools)")
    p.add_argument("--tools-dir", help="where to build rdkafka_performance")
    p.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    p.add_argument("--schema-registry", default=os.environ.get(
        "ORDERS_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7"),
                   help="registry URL for the registry step")
    p.add_argument("--runs", type=int, help="rounds per figure (default: 3, quick: 1)")
    p.add_argument("--count", type=int, help="records for the producer/consumer figures")
    p.add_argument("--steps", default=DEFAULT_STEPS,
                   help=f"comma list of {', '.join(STEPS)} (default: {DEFAULT_STEPS})")
    p.add_argument("--consume-arg", action="append", default=[],
                   help="semantics step: an extra argument for every `orders consume` (repeatable), "
                        "e.g. --consume-arg=--commit-records=10000")
    p.add_argument("--orders-rev", help="git revision the binaries were built from (default: this checkout)")
    p.add_argument("--note", action="append", default=[], help="a note for the report (repeatable)")
    p.add_argument("--md-out", required=True)
    p.add_argument("--json-out", action="append", default=[], help="repeatable")
    p.add_argument("--merge-into", metavar="JSON",
                   help="replace only the steps of this run in an earlier results file (e.g. "
                        "docs/benchmarks.json) and render the whole report from it")
    p.add_argument("--render-from", metavar="JSON",
                   help="only re-render --md-out from a results file (e.g. after editing bench/ANALYSIS.md)")
    args = p.parse_args()
    if args.render_from:
        with open(args.render_from) as f:
            out = json.load(f)
        with open(args.md_out, "w") as f:
            f.write(bench_markdown.markdown(out, analysis=read_text(os.path.join(ROOT, "bench", "ANALYSIS.md"))))
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
