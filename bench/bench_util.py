"""Small pure helpers of the benchmark harness: medians, ratios, parsing our JSON reports."""
from __future__ import annotations

import os
import statistics
import sys
import time

import bench_tools as tools
from bench_proc import Result


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def rounded(x, nd=3):
    return None if x is None else round(x, nd)


def indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def read_text(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def brief(rec: dict) -> str:
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


def with_mb(metrics: dict, size: int) -> dict:
    metrics["mb_per_sec"] = metrics["msgs_per_sec"] * size / 1e6
    return metrics


def produce_metrics(res: Result) -> dict:
    j = tools.parse_json_report(res.stdout)
    return {"records": j.get("produced"), "msgs_per_sec": j.get("msgs_per_sec"), "latency_ms": j.get("latency_ms")}


def consume_metrics(res: Result, count: int) -> dict:
    j = tools.parse_json_report(res.stdout)
    if (j.get("consumed") or 0) < count:
        raise tools.ToolError(f"consumed {j.get('consumed')} of {count}")
    if j.get("dead_lettered"):
        raise tools.ToolError(f"{j['dead_lettered']} records dead-lettered in a no-failure run")
    return {"records": j.get("consumed"), "processed": j.get("processed"), "msgs_per_sec": j.get("msgs_per_sec"),
            "processing_latency_ms": j.get("processing_latency_ms")}


def median(values):
    vals = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return statistics.median(vals) if vals else None


def paired_ratios(tops: list[dict], bottoms: list[dict], key: str) -> list[float]:
    """top[key] / bottom[key] for each round (the two ran back to back), over the rounds where
    both ran and both have the figure."""
    return [t[key] / b[key] for t, b in zip(tops, bottoms)
            if t.get("ok") and b.get("ok") and t.get(key) and b.get(key)]


def four_digits(values: list[float]) -> list[float]:
    return [float(f"{v:.4g}") for v in values]


def median_record(runs: list[dict]) -> dict | None:
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
            out[k] = {kk: median([(v or {}).get(kk) for v in vals]) for kk in sorted(sub)}
        elif any(isinstance(v, bool) for v in vals):
            out[k] = any(v is True for v in vals)  # e.g. "stopped at the bound" in any run
        else:
            m = median(vals)
            if m is not None:
                out[k] = m
    return out


def pair_ratios(ours: list[dict], theirs: list[dict], key: str = "msgs_per_sec") -> dict:
    per_run = []
    for a, b in zip(ours, theirs):
        if a.get("ok") and b.get("ok") and a.get(key) and b.get(key):
            per_run.append(a[key] / b[key])
    return {"per_run": [float(f"{r:.4g}") for r in per_run], "median": median(per_run)}
