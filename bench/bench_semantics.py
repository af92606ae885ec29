"""The `semantics` step: what exactly-once costs against at-least-once in `orders consume`.

Two measurements per mode, each on fresh consumer groups and aggregates topics:
  backlog  a topic of records already there, no failures: throughput of one consumer (records
           per second from the first consumed to the last committed) and wall time;
  paced    orders arriving at a fixed rate: commit latency (a record consumed -> its offset
           committed, i.e. its result durable and visible to read_committed readers).
Modes alternate run by run, so drift of the machine hits both alike. Not in the default steps:
`--steps semantics` (with `--consume-arg=--flag=value` for consumer options under test).
"""
from __future__ import annotations

import bench_tools as tools
from bench_proc import Result, Running, run
from bench_settings import PARTITIONS, PRODUCER_PROPS
from bench_util import log, median, median_record

MODES = ("exactly-once", "at-least-once")


def _backlog_metrics(res: Result, count: int) -> dict:
    j = tools.parse_json_report(res.stdout)
    if j.get("processed") != count:
        raise tools.ToolError(f"processed {j.get('processed')} of {count}")
    return {"records": count, "msgs_per_sec": j["msgs_per_sec"],
            "commit_p50_ms": j["commit_latency_ms"]["p50"], "commit_p99_ms": j["commit_latency_ms"]["p99"],
            "transactions": j["transactions"]["committed"]}


def _paced_metrics(res: Result) -> dict:
    j = tools.parse_json_report(res.stdout)
    return {"commit_p50_ms": j["commit_latency_ms"]["p50"], "commit_p99_ms": j["commit_latency_ms"]["p99"],
            "processing_p99_ms": j["processing_latency_ms"]["p99"]}


class SemanticsStep:
    def _semantics_consume(self, topic: str, group: str, mode: str, count: int) -> list[str]:
        dlq = f"{group}-dlq"
        self.kafka.adopt_topic(dlq)
        self.kafka.adopt_topic(tools.aggregates_topic(dlq))
        return tools.orders_consume_cmd(self.args.orders, topic, group, dlq, self.args.bootstrap, count, "30s",
                                        ["--semantics", mode, "--stats-interval", "0", "-q",
                                         *self.args.consume_arg])

    def _semantics_paced(self, mode: str, rate: int, seconds: int) -> dict:
        count = rate * seconds
        topic, group = self.kafka.new_topic("sem-paced", PARTITIONS), self.kafka.new_group("sem-paced")
        consumer = Running(self._semantics_consume(topic, group, mode, count))
        # The group joins before the first order arrives, so joining is not counted as latency.
        if not self.kafka.wait_group_assigned(group, topic, PARTITIONS, timeout_s=45):
            self.notes.append(f"semantics ({mode}): the paced consumer had not joined after 45 s; produced anyway")
        argv = tools.orders_produce_cmd(self.args.orders, topic, count, self.args.bootstrap, PRODUCER_PROPS)
        produced = run(argv[:3] + argv[4:] + ["--rate", str(rate)], timeout_s=seconds * 3 + 60)
        self.evaluate(f"orders produce (paced, semantics {mode})", produced, lambda res: {})
        return self.evaluate(f"orders consume (paced, {mode})", consumer.finish(timeout_s=seconds * 3 + 120),
                             _paced_metrics)

    def step_semantics(self) -> None:
        s = self.size
        n, rate, secs = s["semantics_records"], s["semantics_rate"], s["semantics_seconds"]
        log(f"exactly-once cost: {n}-record backlog, paced {rate} msg/s for {secs}s x {s['runs']} rounds")
        topic = self.fill_topic("sem-backlog", n)
        if topic is None:
            self.errors.append("semantics: could not fill the topic (orders produce failed)")
            return
        runs = {m: {"backlog": [], "paced": []} for m in MODES}
        for i in range(s["runs"]):
            for mode in (MODES if i % 2 == 0 else MODES[::-1]):
                argv = self._semantics_consume(topic, self.kafka.new_group("sem-backlog"), mode, n)
                r = run(argv, timeout_s=self.timeout_for(n))
                runs[mode]["backlog"].append(self.evaluate(f"orders consume (backlog, {mode})", r,
                                                           lambda res: _backlog_metrics(res, n)))
                runs[mode]["paced"].append(self._semantics_paced(mode, rate, secs))
        med = {}
        for mode in MODES:
            b, p = median_record(runs[mode]["backlog"]) or {}, median_record(runs[mode]["paced"]) or {}
            med[mode] = {"msgs_per_sec": b.get("msgs_per_sec"), "wall_seconds": b.get("wall_s"),
                         "transactions": b.get("transactions"), "paced_commit_p50_ms": p.get("commit_p50_ms"),
                         "paced_commit_p99_ms": p.get("commit_p99_ms")}
        eos, alo = med["exactly-once"]["msgs_per_sec"], med["at-least-once"]["msgs_per_sec"]
        self.out["semantics"] = {"records": n, "rate": rate, "seconds": secs, "runs": runs, "median": med,
                                 "consume_args": list(self.args.consume_arg),
                                 "cost": 1.0 - eos / alo if eos and alo else None,
                                 "per_run_cost": median([1.0 - e["msgs_per_sec"] / a["msgs_per_sec"]
                                                         for e, a in zip(runs["exactly-once"]["backlog"],
                                                                         runs["at-least-once"]["backlog"])
                                                         if e["ok"] and a["ok"]])}
