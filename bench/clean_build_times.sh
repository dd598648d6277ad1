#!/usr/bin/env bash
# Clean release builds of two source trees one after the other (e.g. git
# worktrees of two commits), as CI builds them: wall time, the sum of the build
# steps' durations and of the precompiled headers' (from .ninja_log), and the
# build folder's size.
#   bench/clean_build_times.sh TREE_A TREE_B
set -euo pipefail
for tree in "$@"; do
  (cd "$tree" && rm -rf build/release && cmake --preset release -DDDSM_WARNINGS_AS_ERRORS=ON >/dev/null)
  start=$(date +%s.%N)
  (cd "$tree" && cmake --build --preset release >/dev/null)
  end=$(date +%s.%N)
  awk -v tree="$tree" -v wall="$(echo "$end - $start" | bc)" '
    !/^#/ { d[$4] = ($2 - $1) / 1000 }
    END { for (k in d) { all += d[k]; if (k ~ /gch$/) { n++; pch += d[k] } }
          printf "%s: wall %.0f s, build steps %.0f s, %d precompiled headers %.0f s\n", tree, wall, all, n, pch }' \
    "$tree/build/release/.ninja_log"
  du -sh "$tree/build/release"
done
