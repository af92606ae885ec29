"""The targets verdict and the stdout summary of the harness results, and the formatting helpers the\nMarkdown report (bench_markdown.py) shares."""
from __future__ import annotations

import math

# The targets of the benchmark issue: (key, description, direction, bound, unit).
TARGETS = [
    ("producer_vs_pp", "producer msgs/s vs ProducerPerformance", ">=", 1.0, "x"),
    ("producer_vs_rdk", "producer msgs/s vs rdkafka_performance", ">=", 0.9, "x"),
    ("consumer_vs_cp", "consumer (at-least-once) msgs/s vs ConsumerPerformance", ">=", 0.8, "x"),
    ("e2e_p99", "end-to-end p99 at 10k msg/s (at-least-once)", "<=", 5.0, "ms"),
    ("encode_ns", "Order encode", "<=", 50.0, "ns"),
    ("decode_ns", "Order decode", "<=", 60.0, "ns"),
    ("consumer_rss", "consumer peak RSS with the backlog", "<=", 100.0, "MB"),
    ("retry_key_time", "retries (key ordering): elapsed / (1.5 x failure-free + 4 s)", "<=", 1.0, "x"),
    ("retry_key_rss", "retries (key ordering): consumer peak RSS", "<=", 200.0, "MB"),
    ("retry_key_lateness", "retries (key ordering): retry lateness p99", "<=", 50.0, "ms"),
]


def _get(d, *path):
    for p in path:
        if not isinstance(d, dict) or d.get(p) is None:
            return None
        d = d[p]
    return d


def _measured(out: dict) -> dict:
    codec = _get(out, "codec", "benchmarks") or {}
    cons_median = _get(out, "consumer", "median", "orders (at-least-once)")
    return {
        "producer_vs_pp": _get(out, "producer", "ratios", "orders/ProducerPerformance", "median"),
        "producer_vs_rdk": _get(out, "producer", "ratios", "orders/rdkafka_performance", "median"),
        "consumer_vs_cp": _get(out, "consumer", "ratios", "orders (at-least-once)/ConsumerPerformance", "median"),
        "e2e_p99": _get(out, "e2e", "median", "e2e_latency_ms", "p99"),
        "encode_ns": _get(codec, "BM_OrderEncode", "cpu_ns"),
        "decode_ns": _get(codec, "BM_OrderDecode", "cpu_ns"),
        "consumer_rss": _get(cons_median, "peak_rss_mb"),
        "retry_key_time": _get(out, "retry", "budget_ratio", "median"),
        "retry_key_rss": _get(out, "retry", "median", "key", "peak_rss_mb"),
        "retry_key_lateness": _get(out, "retry", "median", "key", "lateness_p99_ms"),
    }


def targets(out: dict) -> list[dict]:
    measured = _measured(out)
    backlog = _get(out, "consumer", "records")
    rows = []
    for key, desc, op, bound, unit in TARGETS:
        m = measured[key]
        if key == "consumer_rss" and backlog:
            desc = f"consumer peak RSS with a {backlog:,}-record backlog"
        row = {"key": key, "target": f"{desc} {op} {bound:g}{' ' if unit != 'x' else ''}{unit}",
               "measured": m, "unit": unit, "met": None, "verdict": "not measured"}
        if m is not None and not (isinstance(m, float) and math.isnan(m)):
            met = m >= bound if op == ">=" else m <= bound
            gap = (bound - m) / bound if op == ">=" else (m - bound) / bound
            row["met"] = met
            row["verdict"] = "met" if met else f"missed by {gap * 100:.0f}%"
        elif key == "e2e_p99" and _get(out, "e2e", "status"):
            row["verdict"] = _get(out, "e2e", "status")
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# formatting


def _n(x, digits=0, suffix=""):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if digits == 0:
        return f"{x:,.0f}{suffix}"
    return f"{x:,.{digits}f}{suffix}"


def _x(v: float) -> str:
    if v >= 0.1 or v <= 0:
        return f"{v:.2f}"
    return f"{v:.2g} (≈1/{1 / v:,.0f})"


def _ratio(r: dict | None) -> str:
    if not r or r.get("median") is None:
        return "n/a"
    runs = ", ".join(_x(x) for x in r.get("per_run", []))
    return f"**{_x(r['median'])}×** (runs: {runs})"


def _measured_text(row: dict) -> str:
    m = row["measured"]
    if m is None:
        return "n/a"
    if row["unit"] == "x":
        return f"{m:.2f}×"
    return f"{m:.1f} {row['unit']}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def summary(out: dict) -> str:
    lines = ["", "Benchmark summary" + (" (quick mode: smoke test, not a measurement)"
                                        if _get(out, "meta", "mode") == "quick" else "")]
    for t in out.get("targets", []):
        lines.append(f"  {t['target']}: {_measured_text(t)} -> {t['verdict']}")
    return "\n".join(lines)
