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
#   DIR/NAME-predictor.json            distance predictor calibration (DDIM 50 steps),
#   bench/results/predictor.txt        and its held-out Kendall tau
#   DIR/NAME-importance.csv/.png       step importance profile
#   bench/results/fid-convergence.txt  seconds to a +-10% FID interval
# Uses the build in $BUILD (default build/release) and every core.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
MODEL=${1:-models/fmnist-default.safetensors}
NAME=$(basename "${MODEL%.safetensors}")
DIR=$(dirname "$MODEL")
RESULTS=bench/results
DDSM="$BUILD/bin/ddsm"
export OMP_WAIT_POLICY=PASSIVE   # idle OpenMP threads must not spin on a shared machine

say() { printf '\n== %s (%s)\n' "$*" "$(date +%H:%M:%S)" >&2; }
# Runs a command with its output into FILE (atomically: a partial run leaves no file).
into() {
  local file=$1; shift
  if [[ -s $file ]]; then say "kept $file"; return; fi
  say "$file: $*"
  { echo "\$ $*"; "$@"; } > "$file.partial"
  mv "$file.partial" "$file"
}

widths_table() {
  "$DDSM" info "$MODEL" --latency --batch 64 --rounds 7
  for w in 1.0 0.75 0.5 0.25; do
    echo
    echo "width $w:"
    "$DDSM" fid "$MODEL" --width "$w" --samples 2000 --steps 50 --seed 0
  done
}

into "$RESULTS/$NAME-widths.txt" widths_table
if [[ ! -s $DIR/$NAME-importance.csv ]]; then
  say "importance profile"
  "$DDSM" importance "$MODEL" --out "$DIR/$NAME-importance" --bins 10 --images-per-bin 512 \
      --distance-samples 250 --steps 20
fi
into "$RESULTS/predictor.txt" "$BUILD/bench/bench_predictor" "$MODEL" 200 50 8 48 24 "$DIR/$NAME-predictor.json"
into "$RESULTS/fid-convergence.txt" "$BUILD/bench/bench_fid_convergence" "$MODEL" 50 100 10000
say "done"
