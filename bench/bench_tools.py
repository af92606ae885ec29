"""The tools under comparison: how to build, invoke and read each of them.

- ours: `orders produce` / `orders consume` with `--json`
- Kafka's own: org.apache.kafka.tools.ProducerPerformance / ConsumerPerformance (kafka-tools jar)
- raw librdkafka: the `rdkafka_performance` example shipped in librdkafka-dev, built here (never
  committed) against bench/rdkafka_perf_shim for the two internal headers it expects
- micro_bench: Google Benchmark, --benchmark_format=json
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess

RDKAFKA_PERF_SRC = "/usr/share/doc/librdkafka-dev/examples/rdkafka_performance.c"
JAVA_HEAP = "-Xmx512m"  # what Kafka's own kafka-*-perf-test.sh scripts give these tools


class ToolError(RuntimeError):
    pass


# ---------------------------------------------------------------------------------------------
# building rdkafka_performance


def build_rdkafka_performance(root: str, out_dir: str) -> str:
    """Compiles the shipped example into out_dir (if stale); returns the binary path."""
    src = RDKAFKA_PERF_SRC
    if not os.path.exists(src):
        src_gz = src + ".gz"
        if not os.path.exists(src_gz):
            raise ToolError(f"{src} not found (is librdkafka-dev installed? ./run setup)")
        src = src_gz
    shim = os.path.join(root, "bench", "rdkafka_perf_shim")
    work = os.path.join(out_dir, "rdkafka-perf")
    binary = os.path.join(work, "rdkafka_performance")
    inputs = [src] + [os.path.join(shim, f) for f in os.listdir(shim)]
    if os.path.exists(binary) and all(os.path.getmtime(binary) >= os.path.getmtime(i) for i in inputs):
        return binary
    # The example includes "../src/rd.h" (relative to an include dir) and "rd.h"/"rdtime.h":
    # give it an empty include dir whose sibling src/ holds our shim.
    os.makedirs(os.path.join(work, "inc"), exist_ok=True)
    shutil.rmtree(os.path.join(work, "src"), ignore_errors=True)
    shutil.copytree(shim, os.path.join(work, "src"))
    c_file = os.path.join(work, "rdkafka_performance.c")
    if src.endswith(".gz"):
        import gzip

        with gzip.open(src, "rb") as fin, open(c_file, "wb") as fout:
            fout.write(fin.read())
    else:
        shutil.copyfile(src, c_file)
    cmd = [
        os.environ.get("CC", "cc"), "-O2", "-w",
        "-I", os.path.join(work, "inc"), "-I", os.path.join(work, "src"), "-I", "/usr/include/librdkafka",
        "-o", binary, c_file, "-lrdkafka",
    ]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise ToolError("building rdkafka_performance failed:\n" + p.stderr[-3000:])
    return binary


# ---------------------------------------------------------------------------------------------
# producer commands


def orders_produce_cmd(orders: str, topic: str, count: int, bootstrap: str, props: dict) -> list[str]:
    argv = [orders, "produce", str(count), "0", "--topic", topic, "--bootstrap", bootstrap, "--json"]
    for k, v in props.items():
        argv += ["-X", f"{k}={v}"]
    return argv


def producer_performance_cmd(jars: str, topic: str, count: int, size: int, bootstrap: str,
                             props: dict) -> list[str]:
    return [
        "java", JAVA_HEAP, "-cp", os.path.join(jars, "*"), "org.apache.kafka.tools.ProducerPerformance",
        "--topic", topic, "--num-records", str(count), "--record-size", str(size),
        "--throughput", "-1", "--producer-props", f"bootstrap.servers={bootstrap}",
        *[f"{k}={v}" for k, v in props.items()],
    ]


# The example overrides two librdkafka defaults for itself; ours runs with the defaults.
RDKAFKA_PERF_RESTORE = {"message.send.max.retries": "2147483647", "retry.backoff.ms": "100"}


def rdkafka_produce_cmd(binary: str, topic: str, count: int, size: int, bootstrap: str, props: dict,
                        latency_file: str) -> list[str]:
    argv = [binary, "-P", "-t", topic, "-b", bootstrap, "-s", str(size), "-c", str(count),
            "-l", "-A", latency_file, "-u", "-i", "60000"]
    for k, v in {**RDKAFKA_PERF_RESTORE, **props}.items():
        argv += ["-X", f"{k}={v}"]
    return argv


# ---------------------------------------------------------------------------------------------
# consumer commands


def aggregates_topic(dlq: str) -> str:
    return f"{dlq}-aggregates"


def orders_consume_cmd(orders: str, topic: str, group: str, dlq: str, bootstrap: str,
                       max_messages: int, idle_exit: str, extra: list[str]) -> list[str]:
    # Checkpoints are per consumer group: each run gets its own aggregates topic (named after its DLQ).
    return [orders, "consume", "--topic", topic, "--group", group, "--dlq-topic", dlq,
            "--aggregates-topic", aggregates_topic(dlq), "--bootstrap", bootstrap,
            "--max-messages", str(max_messages), "--idle-exit", idle_exit,
            "--json", *extra]


def consumer_performance_cmd(jars: str, topic: str, group: str, count: int, bootstrap: str) -> list[str]:
    return [
        "java", JAVA_HEAP, "-cp", os.path.join(jars, "*"), "org.apache.kafka.tools.ConsumerPerformance",
        "--bootstrap-server", bootstrap, "--topic", topic, "--messages", str(count), "--group", group,
        "--timeout", "30000",
    ]


def rdkafka_consume_cmd(binary: str, topic: str, group: str, count: int, bootstrap: str) -> list[str]:
    return [binary, "-C", "-G", group, "-t", topic, "-b", bootstrap, "-c", str(count), "-u",
            "-i", "60000"]


# ---------------------------------------------------------------------------------------------
# reading outputs


def parse_json_report(stdout: str) -> dict:
    """Our `--json` report: one JSON object on stdout."""
    start, end = stdout.find("{"), stdout.rfind("}")
    if start < 0 or end < start:
        raise ToolError("no JSON object on stdout")
    try:
        return json.loads(stdout[start : end + 1])
    except json.JSONDecodeError as e:
        raise ToolError(f"stdout is not valid JSON: {e}") from e


_PP_SUMMARY = re.compile(
    r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, "
    r"([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th"
)


def parse_producer_performance(stdout: str) -> dict:
    matches = _PP_SUMMARY.findall(stdout)
    if not matches:
        raise ToolError("ProducerPerformance printed no final summary line")
    sent, rate, mb, avg, mx, p50, p95, p99, p999 = matches[-1]
    return {
        "records": int(sent), "msgs_per_sec": float(rate), "tool_mb_per_sec": float(mb),
        "latency_ms": {"avg": float(avg), "p50": float(p50), "p95": float(p95), "p99": float(p99),
                       "p99.9": float(p999), "max": float(mx)},
    }


def parse_consumer_performance(stdout: str) -> dict:
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("start.time") and i + 1 < len(lines):
            names = [s.strip() for s in line.split(",")]
            values = [s.strip() for s in lines[i + 1].split(",")]
            row = dict(zip(names, values))
            try:
                # fetch.nMsg.sec leaves out joining the group, as our consumer's msgs_per_sec
                # (first record consumed -> last finished) and rdkafka_performance's do.
                return {
                    "records": int(row["data.consumed.in.nMsg"]),
                    "msgs_per_sec": float(row["fetch.nMsg.sec"]),
                    "msgs_per_sec_incl_join": float(row["nMsg.sec"]),
                    "rebalance_ms": float(row["rebalance.time.ms"]),
                }
            except (KeyError, ValueError) as e:
                raise ToolError(f"ConsumerPerformance output not understood: {e}") from e
    raise ToolError("ConsumerPerformance printed no result line")


def parse_rdkafka_table(stdout: str) -> dict:
    """The last row of rdkafka_performance's -u table, by column name."""
    header, last = None, None
    for line in stdout.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == "elapsed":
            header = cells
        elif header is not None and len(cells) == len(header):
            last = cells
    if header is None or last is None:
        raise ToolError("rdkafka_performance printed no stats table")
    try:
        return {k: float(v) for k, v in zip(header, last)}
    except ValueError as e:
        raise ToolError(f"rdkafka_performance table not understood: {e}") from e


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def latency_file_ms(path: str) -> dict:
    """rdkafka_performance -A: one latency in microseconds per line."""
    with open(path) as f:
        values = sorted(int(x) / 1000.0 for x in f if x.strip())
    if not values:
        raise ToolError("rdkafka_performance wrote no latencies")
    return {
        "avg": sum(values) / len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
        "p99": percentile(values, 99), "p99.9": percentile(values, 99.9), "max": values[-1],
    }


def parse_micro_bench(stdout: str) -> dict:
    """Google Benchmark JSON -> {name: {cpu_ns, real_ns}} using medians when repeated."""
    data = json.loads(stdout)
    unit = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    plain, medians = {}, {}
    for b in data.get("benchmarks", []):
        if b.get("error_occurred"):
            raise ToolError(f"{b.get('name')}: {b.get('error_message')}")
        scale = unit.get(b.get("time_unit", "ns"), 1.0)
        entry = {"cpu_ns": b["cpu_time"] * scale, "real_ns": b["real_time"] * scale}
        name = b.get("run_name", b["name"])
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = entry
        else:
            plain.setdefault(name, entry)
    return {**plain, **medians}
