#!/bin/bash
# A sangam-sim sweep on Slurm: one array task per shard, then a merge job that starts when
# every task has succeeded.
#
#   sbatch examples/scale-out/slurm-array.sh          # from the repository root
#
# The script submits itself as the array (SHARDS tasks) and then the merge with
# --dependency=afterok on the array. RESULTS must be on a file system every node sees.
#SBATCH --job-name=sangam-sweep
#SBATCH --cpus-per-task=8
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --output=slurm-%x-%A_%a.out
set -euo pipefail

SHARDS=${SHARDS:-16}
SWEEP=${SWEEP:-scenarios/sweeps/glosa-penetration.ron}
RESULTS=${RESULTS:-$PWD/results/glosa}
SIM=${SIM:-./target/release/sangam-sim}

if [[ -z "${SLURM_ARRAY_TASK_ID:-}" && -z "${MERGE:-}" ]]; then
    # Submitter: the array, then the merge after all of it.
    array=$(sbatch --parsable --array=0-$((SHARDS - 1)) --export=ALL,SHARDS="$SHARDS" "$0")
    sbatch --dependency=afterok:"$array" --cpus-per-task=1 --job-name=sangam-merge \
        --export=ALL,MERGE=1 "$0"
    echo "submitted array $array ($SHARDS shards) and its merge"
    exit 0
fi

if [[ -n "${MERGE:-}" ]]; then
    exec "$SIM" merge "$RESULTS"/shard-* --out "$RESULTS/merged"
fi

# Array task: SLURM_ARRAY_TASK_ID is 0..SHARDS-1; use every CPU Slurm gave the task.
exec "$SIM" sweep "$SWEEP" \
    --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
    -j "${SLURM_CPUS_PER_TASK:-1}" \
    --out "$RESULTS/shard-${SLURM_ARRAY_TASK_ID}"
