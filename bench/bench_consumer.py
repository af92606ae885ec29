"""The `consumer`, `e2e` and `retry` steps: `orders consume` against ConsumerPerformance and
rdkafka_performance, end-to-end latency at a fixed rate, and the cost of retries per ordering mode."""
from __future__ import annotations

import time

import bench_tools as tools
from bench_proc import Result, Running, run
from bench_settings import (E2E_PRODUCER_PROPS, PARTITIONS, RETRY_FAIL_RATE, RETRY_MAX_ATTEMPTS,
                            RETRY_PARTITIONS)
from bench_util import consume_metrics, log, median, median_record, pair_ratios, produce_metrics


def _budget_ratios(key_runs: list[dict], free_runs: list[dict]) -> dict:
    """Per round: key ordering's elapsed over its target budget, 1.5 x failure-free + 4 s."""
    per_run = [k["elapsed_s"] / (1.5 * f["elapsed_s"] + 4) for k, f in zip(key_runs, free_runs)
               if k.get("ok") and f.get("ok") and k.get("elapsed_s") and f.get("elapsed_s")
               and not k.get("stopped_at_bound")]
    return {"per_run": [float(f"{r:.4g}") for r in per_run], "median": median(per_run)}


class ConsumerSteps:
    # Both delivery modes of `orders consume`, each run with its --semantics flag.
    MODES = (("at-least-once", ["--semantics", "at-least-once"]), ("exactly-once", ["--semantics", "exactly-once"]))

    def step_consumer(self) -> None:
        s, n = self.size, self.size["produce"]
        topic = self.filled_topic or self.fill_topic("cons", n)
        if topic is None:
            self.errors.append("consumer: no pre-filled topic (orders produce failed)")
            return
        self.filled_topic = topic
        count = self.kafka.message_count(topic)
        modes = self.MODES
        labels = [f"orders ({m})" for m, _ in modes]
        log(f"consumer: {count} records x {s['runs']} rounds ({', '.join(labels)}, ConsumerPerformance, "
            "rdkafka_performance -C)")
        runs = {k: [] for k in labels + ["ConsumerPerformance", "rdkafka_performance"]}
        for i in range(s["runs"]):
            for (mode, extra), label in zip(modes, labels):
                dlq = f"{topic}-dlq-{i}-{mode}"
                self.kafka.adopt_topic(dlq)
                self.kafka.adopt_topic(tools.aggregates_topic(dlq))
                r = run(tools.orders_consume_cmd(self.args.orders, topic, self.kafka.new_group("cons"), dlq,
                                                 self.args.bootstrap, count, "5s", extra),
                        timeout_s=self.timeout_for(count))
                runs[label].append(self.evaluate(label, r, lambda res: consume_metrics(res, count)))
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
            ratios[f"{label}/ConsumerPerformance"] = pair_ratios(runs[label], runs["ConsumerPerformance"])
            ratios[f"{label}/rdkafka_performance"] = pair_ratios(runs[label], runs["rdkafka_performance"])
        self.out["consumer"] = {"records": count, "runs": runs,
                                "median": {k: median_record(v) for k, v in runs.items()}, "ratios": ratios}

    def step_e2e(self) -> None:
        """Produce at a fixed rate while `orders consume` runs, in each semantics mode (rounds
        interleave the modes); the consumer reports Kafka timestamp -> outcome decided."""
        s = self.size
        rate, secs = s["e2e_rate"], s["e2e_seconds"]
        total = rate * secs
        modes = self.MODES
        log(f"end-to-end latency: {rate} msg/s for {secs}s x {s['runs']} rounds "
            f"({', '.join(m for m, _ in modes)}; producer linger.ms={E2E_PRODUCER_PROPS['linger.ms']})")
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
                argv = argv[:3] + argv[4:] + ["--rate", str(rate)]  # COUNT without DELAY, paced
                pr = run(argv, timeout_s=secs * 3 + 60)
                producer_runs[mode].append(self.evaluate(f"orders produce (paced, {mode})", pr,
                                                         lambda res: produce_metrics(res)))
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
                "median": median_record(have) if have else None,
                "producer_median": median_record(producer_runs[mode]),
                "consumer_rss_mb": median([r.get("peak_rss_mb") for r in runs[mode] if r["ok"]]),
                "producer_rss_mb": median([r.get("peak_rss_mb") for r in producer_runs[mode] if r["ok"]])}
        # The target is read in at-least-once mode, like the consumer throughput target.
        main = per_mode["at-least-once"]
        status = "ok" if main["median"] else "n/a (no successful run)"
        self.out["e2e"] = {"rate": rate, "seconds": secs, "status": status,
                           "target_mode": "at-least-once",
                           "producer_props": E2E_PRODUCER_PROPS, "modes": per_mode,
                           **{k: main[k] for k in ("runs", "producer_runs", "median", "producer_median",
                                                   "consumer_rss_mb", "producer_rss_mb")}}

    # The retry step's variants: failure-free, then the three orderings with failures.
    RETRY_VARIANTS = ("failure-free", "key", "partition", "none")

    def step_retry(self) -> None:
        s = self.size
        n, backoff, bound = s["retry_records"], s["retry_backoff"], s["retry_bound_s"]
        fail = ["--fail-rate", str(RETRY_FAIL_RATE), "--initial-backoff", backoff,
                "--max-attempts", str(RETRY_MAX_ATTEMPTS)]
        log(f"retries: {n} records on {RETRY_PARTITIONS} partitions, exactly-once, {' '.join(fail)} with "
            f"--ordering key|partition|none vs failure-free (runs bounded at {bound}s) x {s['runs']} rounds")
        topic = self.fill_topic("retry", n, partitions=RETRY_PARTITIONS)
        if topic is None:
            self.errors.append("retry: could not fill the topic (orders produce failed)")
            return
        runs: dict[str, list[dict]] = {k: [] for k in self.RETRY_VARIANTS}
        for i in range(s["runs"]):
            for kind in self.RETRY_VARIANTS:
                extra = [] if kind == "failure-free" else [*fail, "--ordering", kind, "--seed", str(i + 1)]
                runs[kind].append(self._retry_run(topic, f"{i}-{kind}", n, bound, extra))
        free = runs["failure-free"]
        self.out["retry"] = {
            "records": n, "fail_rate": RETRY_FAIL_RATE, "initial_backoff": backoff,
            "max_attempts": RETRY_MAX_ATTEMPTS, "bound_s": bound, "partitions": RETRY_PARTITIONS,
            "runs": runs, "median": {k: median_record(v) for k, v in runs.items()},
            # Per round: the run's time over the failure-free run's (same round), and the target
            # budget 1.5 x failure-free + 4 s (the backoff chain is 1 s + 2 s).
            "time_ratio": {k: pair_ratios(runs[k], free, key="elapsed_s") for k in self.RETRY_VARIANTS[1:]},
            "budget_s": [round(1.5 * r["elapsed_s"] + 4, 3) if r.get("ok") else None for r in free],
            "budget_ratio": _budget_ratios(runs["key"], free),
        }

    def _retry_run(self, topic: str, tag: str, n: int, bound: float, extra: list[str]) -> dict:
        dlq = f"{topic}-dlq-{tag}"
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

        def parse(res: Result) -> dict:
            j = tools.parse_json_report(res.stdout)
            finished = (j.get("processed") or 0) + (j.get("dead_lettered") or 0)
            lateness = j.get("retry_lateness_ms") or {}
            return {"msgs_per_sec": j.get("msgs_per_sec"), "finished": finished,
                    "elapsed_s": j.get("elapsed_seconds"), "retries": j.get("retries"),
                    "dead_lettered": j.get("dead_lettered"), "pending_retries": j.get("pending_retries"),
                    "lateness_p50_ms": lateness.get("p50"), "lateness_p99_ms": lateness.get("p99"),
                    "lateness_max_ms": lateness.get("max"), "stopped_at_bound": cut}

        return self.evaluate(f"orders consume (retry: {tag})", res, parse)
