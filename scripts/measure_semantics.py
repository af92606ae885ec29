#!/usr/bin/env python3
"""Measures what exactly-once costs against at-least-once in `orders consume`.

Two measurements per mode, each on fresh consumer groups and aggregates topics:
  backlog  COUNT orders already in a 6-partition topic, no failures: throughput of one consumer
           (records per second from the first consumed to the last committed) and wall time;
  paced    orders arriving at RATE per second for SECONDS: commit latency (a record consumed ->
           its offset committed, i.e. its result durable and visible to read_committed readers).
Modes alternate run by run, so drift of the machine hits both alike.

Usage: scripts/measure_semantics.py --orders build/release/orders [--bootstrap HOST:PORT]
       [--count 200000] [--runs 3] [--rate 5000] [--seconds 10] [--consume-arg=--flag=value ...]
       [--md-out FILE] [--json-out FILE]
"""
import argparse
import json
import statistics
import subprocess
import sys
import time
import uuid

MODES = ("exactly-once", "at-least-once")


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def produce(args, topic, count, rate=None):
    cmd = [args.orders, "produce", str(count), "--topic", topic, "--partitions", "6", "--seed",
           "1", "--run-id", uuid.uuid4().hex[:6], "--bootstrap", args.bootstrap, "-q", "--json"]
    if rate:
        cmd += ["--rate", str(rate)]
    return run(cmd)


def consume_cmd(args, topic, mode, tag, *extra):
    return [args.orders, "consume", "--bootstrap", args.bootstrap, "--topic", topic, "--group",
            f"g-{topic}-{tag}", "--dlq-topic", f"{topic}-dlq", "--aggregates-topic",
            f"{topic}-agg-{tag}", "--semantics", mode, "--stats-interval", "0", "--json", "-q",
            *args.consume_arg, *extra]


def backlog(args, topic, mode, tag):
    t0 = time.monotonic()
    proc = run(consume_cmd(args, topic, mode, tag, "--max-messages", str(args.count)))
    wall = time.monotonic() - t0
    r = json.loads(proc.stdout)
    assert r["processed"] == args.count, r
    return {"msgs_per_sec": r["msgs_per_sec"], "wall_seconds": wall,
            "commit_p50_ms": r["commit_latency_ms"]["p50"],
            "commit_p99_ms": r["commit_latency_ms"]["p99"],
            "transactions": r["transactions"]["committed"]}


def paced(args, mode, tag):
    topic = f"sem-paced-{uuid.uuid4().hex[:8]}"
    count = args.rate * args.seconds
    produce(args, topic, 0)  # creates the topic
    consumer = subprocess.Popen(consume_cmd(args, topic, mode, tag, "--max-messages", str(count)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(5)  # let it join the group before the first order arrives
    produce(args, topic, count, rate=args.rate)
    out, err = consumer.communicate(timeout=300)
    if consumer.returncode != 0:
        sys.exit(f"paced consumer failed:\n{err[-3000:]}")
    r = json.loads(out)
    return {"commit_p50_ms": r["commit_latency_ms"]["p50"],
            "commit_p99_ms": r["commit_latency_ms"]["p99"],
            "processing_p99_ms": r["processing_latency_ms"]["p99"]}


def median(rows, key):
    return statistics.median(row[key] for row in rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--orders", required=True, help="the orders binary (a Release build)")
    ap.add_argument("--bootstrap", default="127.0.0.1:9092")
    ap.add_argument("--count", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rate", type=int, default=5000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--consume-arg", action="append", default=[],
                    help="extra argument for every `orders consume` (repeatable), e.g. "
                         "--consume-arg=--commit-records=10000")
    ap.add_argument("--md-out")
    ap.add_argument("--json-out")
    args = ap.parse_args()

    topic = f"sem-backlog-{uuid.uuid4().hex[:8]}"
    produce(args, topic, args.count)
    results = {m: {"backlog": [], "paced": []} for m in MODES}
    for i in range(args.runs):
        for mode in (MODES if i % 2 == 0 else MODES[::-1]):
            tag = f"{mode[:3]}{i}"
            results[mode]["backlog"].append(backlog(args, topic, mode, tag))
            results[mode]["paced"].append(paced(args, mode, tag))
            print(mode, results[mode]["backlog"][-1], results[mode]["paced"][-1], file=sys.stderr)

    summary = {}
    for mode in MODES:
        b, p = results[mode]["backlog"], results[mode]["paced"]
        summary[mode] = {"msgs_per_sec": median(b, "msgs_per_sec"),
                         "wall_seconds": median(b, "wall_seconds"),
                         "transactions": median(b, "transactions"),
                         "paced_commit_p50_ms": median(p, "commit_p50_ms"),
                         "paced_commit_p99_ms": median(p, "commit_p99_ms")}
    eos, alo = summary["exactly-once"], summary["at-least-once"]
    cost = 1.0 - eos["msgs_per_sec"] / alo["msgs_per_sec"]
    lines = [
        f"Backlog: {args.count} orders, 6 partitions, one consumer, no failures; paced: "
        f"{args.rate} orders/s for {args.seconds} s. Medians of {args.runs} runs."
        + (f" Consumer options: {' '.join(args.consume_arg)}." if args.consume_arg else ""),
        "",
        "| mode | throughput (msg/s) | wall time (s) | transactions | commit latency p50 / p99 "
        "(paced, ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for mode in MODES:
        s = summary[mode]
        lines.append(f"| {mode} | {s['msgs_per_sec']:,.0f} | {s['wall_seconds']:.2f} | "
                     f"{s['transactions']:.0f} | {s['paced_commit_p50_ms']:.1f} / "
                     f"{s['paced_commit_p99_ms']:.1f} |")
    lines += ["", f"Exactly-once throughput cost: {cost * 100:.1f} %."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.md_out:
        with open(args.md_out, "w") as f:
            f.write(text)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"args": vars(args), "summary": summary, "cost": cost, "runs": results}, f,
                      indent=2)


if __name__ == "__main__":
    main()
