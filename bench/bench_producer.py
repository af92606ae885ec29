"""The `codec` and `producer` steps: micro-benchmarks, and `orders produce` against ProducerPerformance
and rdkafka_performance on the same topics settings."""
from __future__ import annotations

import os

import bench_tools as tools
from bench_proc import Result, run
from bench_settings import FALLBACK_RECORD_SIZE, LIBRDKAFKA_PROPS, PARTITIONS, PRODUCER_PROPS, TOOLS
from bench_util import log, median_record, pair_ratios, remove, rounded, with_mb


class ProducerSteps:
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
        self.out.setdefault("settings", {})["record"] = {k: rounded(v) for k, v in sizes.items()}
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
        remove(lat_file)
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
                "ProducerPerformance", r, lambda res: with_mb(tools.parse_producer_performance(res.stdout), size)))

            topic = self.kafka.new_topic("prod-rdk", PARTITIONS)
            runs["rdkafka_performance"].append(self._produce_rdkafka(topic, n, size, "rdkafka_performance -P"))
        self._add_mb(runs["orders"])
        self.out["producer"] = {
            "records": n,
            "runs": runs,
            "median": {t: median_record(runs[t]) for t in TOOLS},
            "ratios": {
                "orders/ProducerPerformance": pair_ratios(runs["orders"], runs["ProducerPerformance"]),
                "orders/rdkafka_performance": pair_ratios(runs["orders"], runs["rdkafka_performance"]),
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
        return {"records": n, "runs": runs, "median": {t: median_record(v) for t, v in runs.items()},
                "ratios": {"orders/rdkafka_performance": pair_ratios(runs["orders"], runs["rdkafka_performance"])}}

    def fill_topic(self, purpose: str, count: int, partitions: int = PARTITIONS) -> str | None:
        topic = self.kafka.new_topic(purpose, partitions)
        rec, _ = self._produce_ours(topic, count, label=f"orders produce (fill {purpose})")
        return topic if rec["ok"] else None
