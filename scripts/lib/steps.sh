# Shared by the measuring scripts (evaluate-model.sh, search-model.sh): each
# result is a file written once, so an interrupted run continues where it stopped.
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
