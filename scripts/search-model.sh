#!/usr/bin/env bash
# Searches a trained model's width schedules for both shipped samplers and
# measures what the best of each costs on noise no search saw: against the
# model's own full width and against a baseline model's full width, image by
# image, and its wall-clock speed-up. Every part is skipped when its output
# exists and a stopped search resumes from its checkpoint, so an interrupted
# run continues where it stopped (run scripts/evaluate-model.sh first: the
# searches pre-screen nothing, but the app needs its sidecars).
#
#   scripts/search-model.sh MODEL [BASELINE] [RUN_DIR]
#       MODEL     e.g. models/fmnist-wide.safetensors
#       BASELINE  the model it must not be worse than (default models/fmnist-default.safetensors)
#       RUN_DIR   search folders and feature stores (default /tmp/ddsm-search-NAME; keep it
#                 outside the repository: checkpoints and stores are large)
#
# Writes, for MODEL = DIR/NAME.safetensors and TAG = ddpm100, ddim50:
#   bench/results/NAME-search-TAG.txt           the search's log: front, validation, the chosen
#                                               schedule on 2,048 unseen images vs full width
#   bench/results/NAME-search-TAG/              best.json, pareto.*, reevaluation.json
#   bench/results/NAME-vs-baseline-TAG.txt      the chosen schedule and full width vs BASELINE's
#                                               full width on the same unseen images
#   bench/results/NAME-speedup-TAG.txt          side-by-side timing of the chosen schedule
# Budgets: 0.5 of full width's FLOPs under DDPM 100, 0.6 under DDIM 50 (the
# savings the model must reach losslessly, models/README.md). The sizes below
# can be made small in the environment for a quick run of the whole chain.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
MODEL=${1:?usage: scripts/search-model.sh MODEL [BASELINE] [RUN_DIR]}
BASELINE=${2:-models/fmnist-default.safetensors}
for f in "$MODEL" "$BASELINE"; do [[ -f $f ]] || { echo "$0: no model file $f" >&2; exit 1; }; done
NAME=$(basename "${MODEL%.safetensors}")
RUN=${3:-/tmp/ddsm-search-$NAME}
RESULTS=${RESULTS:-bench/results}
DDSM="$BUILD/bin/ddsm"
THREADS=${THREADS:-2}
SEED=0
UNSEEN=1000003   # the search's re-evaluation noise (its --final-seed default for seed 0)
# A model whose schedules are mostly lossless leaves most candidates "not clearly
# beaten", so racing raises nearly all of them to its cap: 512 images (paired
# standard error ~2 FID) and 16 candidates a generation keep a DDPM 100
# generation of the wide model to 18-23 minutes (its log's elapsed seconds);
# the finalists' 2,048 images decide.
POPULATION=${POPULATION:-16}
CANDIDATE_SAMPLES=${CANDIDATE_SAMPLES:-128}
RACE_MAX_SAMPLES=${RACE_MAX_SAMPLES:-512}
FINAL_SAMPLES=${FINAL_SAMPLES:-2048}
FINALISTS=${FINALISTS:-4}
BATCH=${BATCH:-64}
# Generations may change when a stopped search resumes (its other settings may not).
DDPM_GENERATIONS=${DDPM_GENERATIONS:-4}
DDIM_GENERATIONS=${DDIM_GENERATIONS:-4}
source scripts/lib/steps.sh   # say, into, model_T, hand_schedule

# Hand-made starting points ("FROM WIDTH ...", as hand_schedule reads them).
SEEDS=$RUN/seeds
mkdir -p "$SEEDS"
T=$(model_T "$MODEL")
seed() {  # NAME FROM WIDTH ...: the file's path
  local name=$1; shift
  hand_schedule "$SEEDS/$name.txt" "$T" "$@"
  printf '%s' "$SEEDS/$name.txt"
}
seeds=("$(seed half-0.5 500 0.5)" "$(seed 0.5-above-300 300 0.5)" "$(seed 0.75-200-0.5-400 200 0.75 400 0.5)"
  "$(seed 0.75-200-0.5-500 200 0.75 500 0.5)" "$(seed 0.5-300-0.25-800 300 0.5 800 0.25)"
  "$(seed 0.75-0.5-500-0.25-900 0 0.75 500 0.5 900 0.25)" "$(seed 0.5-above-100 100 0.5)" "$(seed uniform-0.75 0 0.75)")
SEED_LIST=$(IFS=,; echo "${seeds[*]}")

search() {  # TAG KIND STEPS BUDGET BINS GENERATIONS
  local tag=$1 kind=$2 steps=$3 budget=$4 bins=$5 generations=$6
  local out=$RUN/search-$tag log=$RESULTS/$NAME-search-$tag.txt
  if [[ -s $log ]]; then say "kept $log"; return; fi
  local resume=()
  [[ -f $out/checkpoint.json ]] && resume=(--resume)
  say "search $tag (budget $budget) into $out ${resume[*]}"
  local cmd=("$DDSM" search "$MODEL" --out "$out" --sampler "$kind" --steps "$steps" --budget "$budget"
    --granularity "bins:$bins" --population "$POPULATION" --generations "$generations"
    --samples-per-candidate "$CANDIDATE_SAMPLES" --race-max-samples "$RACE_MAX_SAMPLES" --batch "$BATCH"
    --finalists "$FINALISTS" --final-samples "$FINAL_SAMPLES" --seed "$SEED" --threads "$THREADS"
    --feature-store "$RUN/features" --init-schedules "$SEED_LIST" "${resume[@]}")
  { echo "\$ ${cmd[*]}"; "${cmd[@]}"; } >> "$log.partial"
  mkdir -p "$RESULTS/$NAME-search-$tag"
  cp "$out"/{best.json,pareto.json,pareto.csv,pareto.png,reevaluation.json} "$RESULTS/$NAME-search-$tag/"
  mv "$log.partial" "$log"
}

versus_baseline() {  # TAG KIND STEPS
  local tag=$1 kind=$2 steps=$3
  into "$RESULTS/$NAME-vs-baseline-$tag.txt" "$DDSM" compare "$MODEL" "width:1@$BASELINE" \
    "$RESULTS/$NAME-search-$tag/best.json" width:1 --samples "$FINAL_SAMPLES" --seed "$UNSEEN" --sampler "$kind" \
    --steps "$steps" --batch "$BATCH" --threads "$THREADS" --feature-store "$RUN/features"
}

speedup() {  # TAG STEPS
  local tag=$1 steps=$2
  # DDIM at the sampler's step count: the network calls, which set the cost, are the same.
  into "$RESULTS/$NAME-speedup-$tag.txt" "$BUILD/bench/bench_schedule_speedup" "$MODEL" \
    "$RESULTS/$NAME-search-$tag/best.json" --samples "$BATCH" --batch "$BATCH" --steps "$steps" --rounds 3 \
    --threads "$THREADS"
}

search ddpm100 ddpm 100 0.5 20 "$DDPM_GENERATIONS"
versus_baseline ddpm100 ddpm 100
speedup ddpm100 100
search ddim50 ddim 50 0.6 10 "$DDIM_GENERATIONS"
versus_baseline ddim50 ddim 50
speedup ddim50 50
say "done"
