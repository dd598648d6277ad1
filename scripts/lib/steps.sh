# Shared by the measuring scripts (evaluate-model.sh, search-model.sh,
# check-run.sh): each result is a file written once, so an interrupted
# run continues where it stopped.
export OMP_WAIT_POLICY=PASSIVE   # idle OpenMP threads must not spin on a shared machine

say() { printf '\n== %s (%s)\n' "$*" "$(date +%H:%M:%S)" >&2; }

# Runs a command with its output into FILE (atomically: a partial run leaves no
# file); skipped when FILE exists (delete it to redo the step).
into() {
  local file=$1; shift
  if [[ -s $file ]]; then say "kept $file"; return; fi
  say "$file: $*"
  { echo "\$ $*"; "$@"; } > "$file.partial"
  mv "$file.partial" "$file"
}

# The diffusion length T of MODEL, from `ddsm info`.
model_T() {
  local T
  T=$("$DDSM" info "$1" | awk '/T [0-9]+/ {for (i = 1; i < NF; ++i) if ($i == "T") {print $(i + 1) + 0; exit}}')
  [[ $T -gt 0 ]] || { echo "cannot read T from ddsm info $1" >&2; return 1; }
  echo "$T"
}

# Writes a hand-made schedule as a search.txt file (T widths, t = 0 first):
# "FROM WIDTH ..." gives WIDTH from timestep FROM up (ascending FROMs), full
# width below the first.   hand_schedule FILE T FROM WIDTH [FROM WIDTH ...]
hand_schedule() {
  local file=$1 T=$2; shift 2
  awk -v spec="$*" -v T="$T" 'BEGIN {
    n = split(spec, a, " "); printf "[";
    for (t = 0; t < T; ++t) { w = "1.0"; for (i = 1; i < n; i += 2) if (t >= a[i]) w = a[i + 1]; printf "%s%s", (t ? ", " : ""), w }
    print "]" }' > "$file"
}
