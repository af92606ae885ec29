"""The `registry` step: produce and consume throughput with a schema registry (Confluent framing,
writer schemas fetched by id and cached) against schemaless, on the same machine, alternating.

Needs a Confluent-compatible registry (`./run registry start`; URL from --schema-registry, default
$ORDERS_SCHEMA_REGISTRY or the local one). Not in the default steps: `--steps registry`.
Target: with a registry, both within 10 % of schemaless (no HTTP call per record).
"""
from __future__ import annotations

import bench_tools as tools
from bench_proc import run
from bench_settings import PARTITIONS, PRODUCER_PROPS
from bench_util import log, median

MODES = ("schemaless", "registry")


def _rate(res, key="msgs_per_sec") -> dict:
    j = tools.parse_json_report(res.stdout)
    return {"msgs_per_sec": j[key]}


class RegistryStep:
    def _registry_args(self, mode: str) -> list[str]:
        return ["--schema-registry", self.args.schema_registry] if mode == "registry" else []

    def step_registry(self) -> None:
        # The full backlog (1,000,000): with 200,000 records a run lasts 0.3 s, and the one-off
        # schema registration or lookup weighed as much as the per-record cost being measured.
        n, rounds = self.size["produce"], self.size["runs"]
        log(f"registry vs schemaless: {n} records x {rounds} rounds ({self.args.schema_registry})")
        runs = {m: {"produce": [], "consume": []} for m in MODES}
        for i in range(rounds):
            for mode in (MODES if i % 2 == 0 else MODES[::-1]):
                topic = self.kafka.new_topic(f"reg-{mode}", PARTITIONS)
                argv = tools.orders_produce_cmd(self.args.orders, topic, n, self.args.bootstrap, PRODUCER_PROPS)
                argv += ["--partitions", "0", *self._registry_args(mode)]
                runs[mode]["produce"].append(self.evaluate(f"orders produce ({mode})",
                                                           run(argv, timeout_s=self.timeout_for(n)), _rate))
                group = self.kafka.new_group(f"reg-{mode}")
                dlq = f"{group}-dlq"
                self.kafka.adopt_topic(dlq)
                self.kafka.adopt_topic(tools.aggregates_topic(dlq))
                argv = tools.orders_consume_cmd(self.args.orders, topic, group, dlq, self.args.bootstrap, n,
                                                "30s", ["--stats-interval", "0", "-q",
                                                        "--semantics", "at-least-once",
                                                        *self._registry_args(mode)])
                runs[mode]["consume"].append(self.evaluate(f"orders consume ({mode})",
                                                           run(argv, timeout_s=self.timeout_for(n)), _rate))
        med = {m: {k: median([r["msgs_per_sec"] for r in runs[m][k] if r.get("ok")]) for k in ("produce", "consume")}
               for m in MODES}

        def ratio(k):
            a, b = med["registry"][k], med["schemaless"][k]
            return round(a / b, 3) if a and b else None

        self.out["registry"] = {"records": n, "runs": runs, "median": med,
                                "ratio": {"produce": ratio("produce"), "consume": ratio("consume")},
                                "url": self.args.schema_registry}
