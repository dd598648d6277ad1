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
#   scripts/train-wide.sh --status [RUN] where RUN stands: step, speed, hours left, and each
#                                        width's loss minus full width's per 500 steps
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
DDSM="$BUILD/bin/ddsm"
KEPT=${KEEP:-$HOME/ddsm-runs/fmnist-wide-kept}
DISTILL_FROM=6500
TOTAL=20000
source scripts/lib/steps.sh   # say
# Training is the machine's one job here: OpenMP threads that spin between
# parallel regions instead of sleeping (steps.sh's PASSIVE, for shared machines)
# make a step 1.18-1.45x faster (bench/train_wait_policy.sh on this run:
# bench/results/train-wait-policy.txt). TRAIN_OMP_WAIT_POLICY=PASSIVE when other
# work shares the cores.
export OMP_WAIT_POLICY=${TRAIN_OMP_WAIT_POLICY:-ACTIVE}

mode=train
case ${1:-} in --keep) mode=keep; shift ;; --status) mode=status; shift ;; esac
RUN=${1:-$HOME/ddsm-runs/fmnist-wide}

# A checkpoint every 100 steps (~5 minutes): a run stopped without Ctrl-C loses little.
every=(--checkpoint-every 100 --sample-every 1000)

# The step the run's log reached (0 before any).
logged_step() { [[ -s $RUN/loss.csv ]] && tail -n 1 "$RUN/loss.csv" | cut -d, -f1 | grep -E '^[0-9]+$' || echo 0; }

# loss.csv: step,seconds,learning_rate,grad_norm,loss_w1,loss_w0.75,... (empty where a width did not train).
# The mean gap of every width to full width over the same batches says whether the narrow ones keep up.
status() {
  [[ -s $RUN/loss.csv ]] || { echo "$0: $RUN has no loss.csv" >&2; exit 1; }
  awk -F, -v distill="$DISTILL_FROM" -v total="$TOTAL" '
    NR == 1 { for (i = 5; i <= NF; ++i) name[i] = substr($i, 7); last = NF; next }
    { step = $1; seconds[step] = $2; steps[++n] = step
      b = int(step / 500); blocks[b] = 1
      for (i = 6; i <= last; ++i) if ($i != "" && $5 != "") { gap[b, i] += $i - $5; count[b, i]++ }
      full[b] += $5; fullCount[b]++ }
    END {
      back = steps[n > 300 ? n - 300 : 1]
      rate = (step - back) / (seconds[step] - seconds[back])
      printf "step %d of %d (%s), %.3f steps/s over the last %d steps\n", step, total,
             step < distill ? "without distillation to " distill : "with distillation", rate, step - back
      printf "left: %.1f h to step %d at this speed (distillation adds a forward pass)\n",
             (total - step) / rate / 3600, total
      printf "\n%-12s %9s", "steps", "loss w1"
      for (i = 6; i <= last; ++i) printf "  w%-5s-w1", name[i]
      printf "\n"
      for (b = 0; (b in blocks); ++b) {
        printf "%5d-%-6d %9.4f", b * 500, b * 500 + 499, full[b] / fullCount[b]
        for (i = 6; i <= last; ++i)
          if (count[b, i]) printf "  %+10.4f", gap[b, i] / count[b, i]; else printf "  %10s", "-"
        printf "\n"
      }
    }' "$RUN/loss.csv"
}

if [[ $mode == status ]]; then status; exit 0; fi

if [[ $mode == keep ]]; then
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
