#!/usr/bin/env bash
# Measures a training run where it stands, so the run can end as soon as its
# model would ship (the learning rate is constant: any step's EMA weights are a
# finished model). Snapshots RUN/model.safetensors, then pairs on 512 images of
# one noise seed (not the searches' seeds 0 and 1000003):
#   DDIM 50:  full width, widths 0.75 and 0.5, BASELINE's full width;
#   DDPM 100: full width, two hand-made schedules saving 52% and 61% of the
#             FLOPs (0.5 from t = 300 up; and 0.75 for t = 100-299), uniform
#             0.5, BASELINE's full width;
# then full width's FID as evaluate-model.sh's table measures it (2,000 images
# of DDIM 50, seed 0), which a shipped model must hold at or below BASELINE's.
# The shipping test itself is scripts/evaluate-model.sh and search-model.sh on
# 2,000-2,048 images; this tells whether running them is worth it yet (for the
# wide architecture ~22 min of sampling on 2 cores: bench/results/wide-run/).
#
#   scripts/check-run.sh RUN [BASELINE]
#       RUN       a run folder of ddsm train (e.g. ~/ddsm-runs/fmnist-wide)
#       BASELINE  default models/fmnist-default.safetensors
#
# STEP=N checks the snapshot kept from step N instead (RUN/snapshots/step-N.safetensors,
# e.g. copied when a stage ended). FID_ONLY=1 measures full width's 2,000-image FID
# alone (~7 min for the wide architecture), into $RESULTS/NAME-step-N-fid2000.txt: the
# gate that decides when the run may end, once the schedules have been seen to hold.
# Writes $RESULTS/NAME-step-N.txt (default RESULTS bench/results/wide-run, NAME
# the run folder's name) and keeps the snapshot as RUN/snapshots/step-N.safetensors.
# Pause the training while it runs (kill -STOP PID, then kill -CONT PID): both
# want every core.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
DDSM="$BUILD/bin/ddsm"
RUN=${1:?usage: scripts/check-run.sh RUN [BASELINE]}
BASELINE=${2:-models/fmnist-default.safetensors}
RESULTS=${RESULTS:-bench/results/wide-run}
SAMPLES=${SAMPLES:-512}
SEED=31
source scripts/lib/steps.sh   # say, into, model_T, hand_schedule

[[ -f $RUN/model.safetensors ]] || { echo "$0: $RUN holds no model.safetensors" >&2; exit 1; }
mkdir -p "$RUN/snapshots" "$RESULTS"
if [[ -n ${STEP:-} ]]; then
  step=$STEP
  MODEL=$RUN/snapshots/step-$step.safetensors
  [[ -f $MODEL ]] || { echo "$0: no snapshot $MODEL of step $step" >&2; exit 1; }
else
  # The run writes model.safetensors atomically at each checkpoint; a copy is one
  # step's weights, and its provenance names that step (loss.csv runs ahead of it).
  copy=$RUN/snapshots/copying.safetensors
  cp "$RUN/model.safetensors" "$copy"
  step=$("$DDSM" info "$copy" | grep -o '"steps":[0-9]*,"weights"' | grep -o '[0-9]*' || true)
  [[ -n $step ]] || { echo "$0: $RUN/model.safetensors names no training step" >&2; exit 1; }
  MODEL=$RUN/snapshots/step-$step.safetensors
  mv "$copy" "$MODEL"
fi

shown() { echo "\$ $*"; "$@"; }
header() {
  echo "# $(basename "$RUN") at step $step: $MODEL, sha256 $(sha256sum "$MODEL" | cut -d' ' -f1)"
  echo "# $(date -u +%Y-%m-%d), $(nproc) cores; the seconds are this machine's load, not the network's"
}
full_width_fid() {  # evaluate-model.sh's protocol: its widths table's full-width row
  shown "$DDSM" fid "$MODEL" --width 1.0 --samples 2000 --steps 50 --seed 0
}
fid_check() {
  header
  full_width_fid
}
if [[ -n ${FID_ONLY:-} ]]; then
  into "$RESULTS/$(basename "$RUN")-step-$step-fid2000.txt" fid_check
  exit 0
fi
# The hand-made schedules of the full check (FID_ONLY needs none).
T=$(model_T "$MODEL")
hand_schedule "$RUN/snapshots/0.5-from-300.txt" "$T" 300 0.5
hand_schedule "$RUN/snapshots/0.75-from-100-0.5-from-300.txt" "$T" 100 0.75 300 0.5

check() {
  header
  local common=(--samples "$SAMPLES" --seed "$SEED" --batch 64 --no-feature-store)
  shown "$DDSM" compare "$MODEL" width:1 width:0.75 width:0.5 "width:1@$BASELINE" "${common[@]}" --sampler ddim --steps 50
  echo
  shown "$DDSM" compare "$MODEL" width:1 "$RUN/snapshots/0.5-from-300.txt" "$RUN/snapshots/0.75-from-100-0.5-from-300.txt" \
    width:0.5 "width:1@$BASELINE" "${common[@]}" --sampler ddpm --steps 100
  echo
  full_width_fid
}
into "$RESULTS/$(basename "$RUN")-step-$step.txt" check
