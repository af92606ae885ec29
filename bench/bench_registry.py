"""The `registry` step: produce and consume throughput with a schema registry (Confluent framing,
writer schemas fetched by id and cached) against schemaless, on the same machine, alternating.

Needs a Confluent-compatible registry (`./run registry start`; URL from --schema-registry, default
$ORDERS_SCHEMA_REGISTRY or the local one); `./run bench` starts the local one for it.
Target: with a registry, both within 10 % of schemaless (no HTTP call per record). CPU ratios are
schemaless CPU per record / registry CPU per record, so they read like the throughput ratios.
"""
from __future__ import annotations

import bench_tools as tools
from bench_proc import run
from bench_settings import PARTITIONS, PRODUCER_PROPS
from bench_util import four_digits, log, median, paired_ratios

MODES = ("schemaless", "registry")


def _rate(res, key="msgs_per_sec") -> dict:
    j = tools.parse_json_report(res.stdout)
    return {"msgs_per_sec": j[key]}


def _cpu_per_record(rec: dict, n: int) -> dict:
    if rec.get("ok") and rec.get("cpu_s") is not None and n:
        rec["cpu_us_per_record"] = round(rec["cpu_s"] * 1e6 / n, 3)
    return rec


class RegistryStep:
    def _registry_args(self, mode: str) -> list[str]:
        return ["--schema-registry", self.args.schema_registry] if mode == "registry" else []

    def _registry_round(self, mode: str, n: int) -> tuple[dict, dict]:
        topic = self.kafka.new_topic(f"reg-{mode}", PARTITIONS)
        argv = tools.orders_produce_cmd(self.args.orders, topic, n, self.args.bootstrap, PRODUCER_PROPS)
        argv += ["--partitions", "0", *self._registry_args(mode)]
        produced = _cpu_per_record(self.evaluate(f"orders produce ({mode})",
                                                 run(argv, timeout_s=self.timeout_for(n)), _rate), n)
        group = self.kafka.new_group(f"reg-{mode}")
        dlq = f"{group}-dlq"
        self.kafka.adopt_topic(dlq)
        self.kafka.adopt_topic(tools.aggregates_topic(dlq))
        argv = tools.orders_consume_cmd(self.args.orders, topic, group, dlq, self.args.bootstrap, n,
                                        "30s", ["--stats-interval", "0", "-q",
                                                "--semantics", "at-least-once",
                                                *self._registry_args(mode)])
        consumed = _cpu_per_record(self.evaluate(f"orders consume ({mode})",
                                                 run(argv, timeout_s=self.timeout_for(n)), _rate), n)
        return produced, consumed

    def step_registry(self) -> None:
        # The full backlog (1,000,000): with 200,000 records a run lasts 0.3 s, and the one-off
        # schema registration or lookup weighed as much as the per-record cost being measured.
        # Throughput on two shared cores swings by ±25 % from run to run in either mode, so the
        # figure is the median of per-round ratios over at least seven alternating rounds, next
        # to the CPU time per record, which the broker's load disturbs less.
        n = self.size["produce"]
        rounds = self.ratio_rounds()
        log(f"registry vs schemaless: {n} records x {rounds} rounds ({self.args.schema_registry})")
        runs = {m: {"produce": [], "consume": []} for m in MODES}
        for i in range(rounds):
            for mode in (MODES if i % 2 == 0 else MODES[::-1]):
                produced, consumed = self._registry_round(mode, n)
                runs[mode]["produce"].append(produced)
                runs[mode]["consume"].append(consumed)
        med = {m: {k: median([r["msgs_per_sec"] for r in runs[m][k] if r.get("ok")]) for k in ("produce", "consume")}
               for m in MODES}
        cpu = {m: {k: median([r.get("cpu_us_per_record") for r in runs[m][k] if r.get("ok")])
                   for k in ("produce", "consume")} for m in MODES}
        reg, plain = runs["registry"], runs["schemaless"]
        per_round = {k: paired_ratios(reg[k], plain[k], "msgs_per_sec") for k in ("produce", "consume")}
        cpu_ratio = {k: median(paired_ratios(plain[k], reg[k], "cpu_us_per_record"))
                     for k in ("produce", "consume")}
        self.out["registry"] = {"records": n, "rounds": rounds, "runs": runs, "median": med,
                                "cpu_us_per_record": cpu,
                                "ratio": {k: median(v) for k, v in per_round.items()},
                                "ratio_per_round": {k: four_digits(v) for k, v in per_round.items()},
                                "cpu_ratio": cpu_ratio,
                                "url": self.args.schema_registry}
