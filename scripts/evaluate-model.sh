#!/usr/bin/env bash
# Measures a trained model and writes what ships beside it, then the
# benchmarks that depend on it. Each part is skipped when its output exists
# (delete the file to redo it), so an interrupted run continues where it stopped.
#
#   scripts/evaluate-model.sh [MODEL]      (default models/fmnist-default.safetensors)
#
# Writes, for MODEL = DIR/NAME.safetensors:
#   bench/results/NAME-widths.txt      per uniform width: GFLOPs, measured ms per
#                                      image-step, FID/KID of 2,000 samples (DDIM 50, seed 0)
#   DIR/NAME-predictor-ddim50.json     distance predictor calibration (DDIM 50 steps),
#   bench/results/NAME-predictor-ddim50.txt   and its held-out Kendall tau
#   DIR/NAME-predictor-ddpm100.json    the same for DDPM 100 steps (ddsm predictor fit),
#   bench/results/NAME-predictor-ddpm100.txt  its log
#   DIR/NAME-importance-TAG.csv/.png   step importance profile per sampler (TAG ddim50, ddpm100)
#   bench/results/NAME-fid-convergence.txt  seconds to a +-10% FID interval
# Uses the build in $BUILD (default build/release) and every core.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
MODEL=${1:-models/fmnist-default.safetensors}
[[ -f $MODEL ]] || { echo "$0: no model file $MODEL" >&2; exit 1; }
NAME=$(basename "${MODEL%.safetensors}")
DIR=$(dirname "$MODEL")
RESULTS=bench/results
DDSM="$BUILD/bin/ddsm"
source scripts/lib/steps.sh   # say, into

widths_table() {
  "$DDSM" info "$MODEL" --latency --batch 64 --rounds 7
  for w in 1.0 0.75 0.5 0.25; do
    echo
    echo "width $w:"
    "$DDSM" fid "$MODEL" --width "$w" --samples 2000 --steps 50 --seed 0
  done
}

into "$RESULTS/$NAME-widths.txt" widths_table
# Quality sidecars hold for one sampler each; the app loads those of its sampler.
for sampler in "ddim 50" "ddpm 100"; do
  set -- $sampler
  if [[ ! -s $DIR/$NAME-importance-$1$2.csv ]]; then
    say "importance profile, $1 $2 steps"
    "$DDSM" importance "$MODEL" --out "$DIR/$NAME-importance-$1$2" --bins 10 --images-per-bin 512 \
        --distance-samples 250 --sampler "$1" --steps "$2" --seed 0
  fi
done
into "$RESULTS/$NAME-predictor-ddim50.txt" "$BUILD/bench/bench_predictor" "$MODEL" 200 50 8 48 24 "$DIR/$NAME-predictor-ddim50.json"
into "$RESULTS/$NAME-predictor-ddpm100.txt" "$DDSM" predictor fit "$MODEL" --out "$DIR/$NAME-predictor-ddpm100.json" \
    --sampler ddpm --steps 100 --bins 8 --fit 48 --held-out 24 --samples 200 --seed 0
into "$RESULTS/$NAME-fid-convergence.txt" "$BUILD/bench/bench_fid_convergence" "$MODEL" 50 100 10000
say "done"
