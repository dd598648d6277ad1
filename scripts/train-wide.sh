#!/usr/bin/env bash
# Trains configs/fmnist-wide.json as models/README.md records it: from the
# default model widened (its width 0.5), every width every batch, in-place
# distillation from step 6,500, 20,000 steps. Resumable: run it again after any
# interruption. A run folder without a checkpoint starts from the one kept in
# $KEEP (default ~/ddsm-runs/fmnist-wide-kept; outside the repository, which
# holds final weights only) when there is one, so a copy of that folder carries
# the run to another machine.
#
#   scripts/train-wide.sh [RUN]          train (default RUN: ~/ddsm-runs/fmnist-wide)
#   scripts/train-wide.sh --keep [RUN]   keep RUN's state in $KEEP (a compact checkpoint, a
#                                        quarter smaller, and loss.csv)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
DDSM="$BUILD/bin/ddsm"
KEPT=${KEEP:-$HOME/ddsm-runs/fmnist-wide-kept}
DISTILL_FROM=6500
TOTAL=20000
source scripts/lib/steps.sh   # say

keep=0
if [[ ${1:-} == --keep ]]; then keep=1; shift; fi
RUN=${1:-$HOME/ddsm-runs/fmnist-wide}

# A checkpoint every 100 steps (~5 minutes): a run stopped without Ctrl-C loses little.
every=(--checkpoint-every 100 --sample-every 1000)

# The step the run's log reached (0 before any).
logged_step() { [[ -s $RUN/loss.csv ]] && tail -n 1 "$RUN/loss.csv" | cut -d, -f1 | grep -E '^[0-9]+$' || echo 0; }

if ((keep)); then
  [[ -f $RUN/checkpoint.safetensors ]] || { echo "$0: $RUN holds no checkpoint to keep" >&2; exit 1; }
  mkdir -p "$KEPT"
  "$DDSM" compact-checkpoint "$RUN/checkpoint.safetensors" --out "$KEPT/checkpoint.safetensors"
  cp "$RUN/loss.csv" "$KEPT/loss.csv.partial" && mv "$KEPT/loss.csv.partial" "$KEPT/loss.csv"
  exit 0
fi

if [[ ! -f $RUN/checkpoint.safetensors ]]; then
  mkdir -p "$RUN"
  if [[ -f $KEPT/checkpoint.safetensors ]]; then
    say "starting from the kept checkpoint in $KEPT"
    cp "$KEPT/checkpoint.safetensors" "$KEPT/loss.csv" "$RUN/"
  else
    say "a new run: the default model widened"
    "$DDSM" widen models/fmnist-default.safetensors --config configs/fmnist-wide.json \
        --out "$RUN/widened.safetensors" --seed 5
    "$DDSM" train --init-weights "$RUN/widened.safetensors" --data fashion-mnist --out "$RUN" \
        --steps "$DISTILL_FROM" --lr 3e-4 --warmup 200 --ema 0.999 --batch 64 --seed 3 \
        --middle-widths 2 "${every[@]}"
  fi
fi
if (($(logged_step) < DISTILL_FROM)); then
  say "without distillation to step $DISTILL_FROM"
  "$DDSM" train --out "$RUN" --resume --steps "$DISTILL_FROM" "${every[@]}"
  # Ctrl-C saves and exits cleanly: stop here rather than start the next stage.
  (($(logged_step) >= DISTILL_FROM)) || exit 0
fi
say "with distillation to step $TOTAL"
"$DDSM" train --out "$RUN" --resume --steps "$TOTAL" --distill 1 "${every[@]}"
