#!/usr/bin/env bash
# The end-to-end demo behind `./run demo`: produce orders, consume them with simulated
# failures (retries, dead letters), then show what landed in the dead-letter queue.
# Each run uses its own topics so its figures are its own.
set -euo pipefail
ORDERS="${1:?usage: demo.sh PATH_TO_ORDERS_BINARY}"
RUN="$(date +%Y%m%d-%H%M%S)"
TOPIC="orders-demo-$RUN"
DLQ="$TOPIC-dlq"
COUNT="${DEMO_ORDERS:-500}"

has() { "$ORDERS" "$1" --help >/dev/null 2>&1; }
banner() { printf '\n\033[1m### %s\033[0m\n' "$*"; }

banner "1/4 produce $COUNT orders to '$TOPIC' (6 partitions, acks=all, idempotent, snappy)"
"$ORDERS" produce "$COUNT" 0 --topic "$TOPIC" --partitions 6 --seed 42 --id-prefix "ORD-$RUN-"

if has consume; then
  banner "2/4 consume with retries: 30% transient and 1% permanent simulated failures"
  "$ORDERS" consume --topic "$TOPIC" --dlq-topic "$DLQ" --group "demo-$RUN" \
    --aggregates-topic "$TOPIC-aggregates" \
    --fail-rate 0.3 --permanent-fail-rate 0.01 --initial-backoff 50ms --max-backoff 1s \
    --seed 42 --max-messages "$COUNT" --idle-exit 10s
else
  banner "2/4 consume: not built yet"
fi

if has stats; then
  banner "3/4 group-wide aggregate from the checkpoints (orders stats)"
  "$ORDERS" stats --topic "$TOPIC" --aggregates-topic "$TOPIC-aggregates"
fi

if has dlq; then
  banner "4/4 dead-letter queue summary"
  "$ORDERS" dlq --topic "$DLQ"
else
  banner "4/4 dead-letter queue monitor: not built yet"
fi
