#!/bin/bash
# Shards as local processes, then merge: the scale-out flow on one machine.
#   examples/scale-out/local.sh [SHARDS] [SWEEP] [OUT]
set -euo pipefail
SHARDS=${1:-2}
SWEEP=${2:-scenarios/sweeps/glosa-penetration.ron}
OUT=${3:-sweep-sharded}
SIM=${SIM:-./target/release/sangam-sim}
pids=()
for ((k = 0; k < SHARDS; k++)); do
    "$SIM" sweep "$SWEEP" --shard "$k/$SHARDS" -j 1 --out "$OUT/shard-$k" &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
"$SIM" merge "$OUT"/shard-* --out "$OUT/merged"
