#!/usr/bin/env bash
# A command's wall time under OMP_WAIT_POLICY=PASSIVE and ACTIVE, alternating
# ROUNDS times so both see the same machine (run it with the machine otherwise
# idle). Its output is discarded.
#
#   bench/command_wait_policy.sh ROUNDS COMMAND [ARGS...]
#   e.g. bench/command_wait_policy.sh 2 build/release/bin/ddsm fid MODEL --samples 128 --steps 50 --threads 2
set -euo pipefail
ROUNDS=${1:?usage: bench/command_wait_policy.sh ROUNDS COMMAND [ARGS...]}
shift
echo "OpenMP wait policy, $ROUNDS rounds of: $* ($(nproc) cores, $(date +%F))"
for ((round = 1; round <= ROUNDS; ++round)); do
  for policy in PASSIVE ACTIVE; do
    start=$(date +%s.%N)
    OMP_WAIT_POLICY=$policy "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    awk -v r=$round -v p=$policy -v s="$start" -v e="$end" 'BEGIN { printf "round %d  %-7s  %.1f s\n", r, p, e - s }'
  done
done
