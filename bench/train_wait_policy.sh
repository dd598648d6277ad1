#!/usr/bin/env bash
# OpenMP's wait policy on a real training run: alternating blocks of STEPS
# steps with OMP_WAIT_POLICY=PASSIVE (idle threads sleep at once) and ACTIVE
# (they spin), each block resumed from the last checkpoint, so the run only
# moves on (no step is wasted) and both policies see the same machine.
# Seconds per step come from RUN/loss.csv, leaving out each block's first step
# (start-up).
#
#   bench/train_wait_policy.sh RUN [ROUNDS] [STEPS]    (defaults 3 rounds of 50 steps)
#   e.g. BUILD=build/release bench/train_wait_policy.sh ~/ddsm-runs/fmnist-wide > bench/results/train-wait-policy.txt
set -euo pipefail
RUN=${1:?usage: bench/train_wait_policy.sh RUN [ROUNDS] [STEPS]}
ROUNDS=${2:-3}
STEPS=${3:-50}
DDSM=${BUILD:-build/release}/bin/ddsm
[[ -s $RUN/loss.csv && -f $RUN/checkpoint.safetensors ]] || { echo "$0: $RUN is not a run with a checkpoint" >&2; exit 1; }
echo "OpenMP wait policy, alternating blocks of $STEPS steps of $RUN ($(nproc) cores, $(date +%F))"
for ((round = 1; round <= ROUNDS; ++round)); do
  for policy in PASSIVE ACTIVE; do
    from=$(tail -n 1 "$RUN/loss.csv" | cut -d, -f1)
    to=$((from + STEPS))
    OMP_WAIT_POLICY=$policy "$DDSM" train --out "$RUN" --resume --steps "$to" --checkpoint-every 100 \
        --sample-every 1000 > /dev/null
    awk -F, -v a=$((from + 2)) -v b="$to" -v policy=$policy -v round=$round '
      $1 == a { start = $2 } $1 == b { printf "round %d  %-7s  steps %d-%d: %.3f s/step\n", round, policy, a, b, ($2 - start) / (b - a) }' \
      "$RUN/loss.csv"
  done
done
