#!/usr/bin/env bash
# A short fuzz pass, as CI runs it: installs Debian's clang and libFuzzer if
# missing, builds the fuzz targets of fuzz/ (libFuzzer + AddressSanitizer +
# UndefinedBehaviorSanitizer, a project of its own in build/fuzz), then runs
# every target for FUZZ_SECONDS (default 30) on a copy of its committed corpus
# (fuzz/corpus/TARGET). Fails on the first crash, sanitizer report, leak, hang
# (FUZZ_TIMEOUT seconds, default 2) or allocation over 1 GB, leaving the input
# in build/fuzz/findings/TARGET/ and libFuzzer's log beside it. The checkpoint
# reader is Python: its target is the mutation harness fuzz/fuzz_checkpoint_reader.py
# (after its control run, which must catch the unrestricted reader running the
# hostile seeds).
#
#   scripts/fuzz.sh                       every target, 30 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh npz  one target, longer
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-30}
timeout=${FUZZ_TIMEOUT:-2}

packages=(clang libclang-rt-dev cmake ninja-build pkg-config nlohmann-json3-dev zlib1g-dev libzip-dev libpng-dev libopencv-dev qt6-base-dev python3-numpy)
source scripts/lib/packages.sh
install_missing_packages "${packages[@]}"

build=build/fuzz
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S fuzz -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build"

targets=("$@")
if ((${#targets[@]} == 0)); then
  for dir in fuzz/corpus/*/; do
    targets+=("$(basename "$dir")")
  done
fi

failed=()
for t in "${targets[@]}"; do
  findings="$build/findings/$t"
  rm -rf "$findings"
  mkdir -p "$findings"
  log="$findings/libfuzzer.log"
  if [ -f "fuzz/fuzz_$t.py" ]; then
    if /usr/bin/python3 "fuzz/fuzz_$t.py" --control "fuzz/corpus/$t" >"$log" 2>&1 &&
       /usr/bin/python3 "fuzz/fuzz_$t.py" --seconds "$seconds" "fuzz/corpus/$t" >>"$log" 2>&1; then
      runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
      echo "fuzz_$t: clean, ${runs:-?} runs in ${seconds} s"
    else
      echo "fuzz_$t: FAILED; input and log in $findings" >&2
      grep -E "INFO: seed|FINDING|control:|Error" "$log" | head -20 >&2 || true
      failed+=("$t")
    fi
    continue
  fi
  binary="$build/fuzz_$t"
  [ -x "$binary" ] || { echo "fuzz: no target fuzz_$t in $build" >&2; exit 2; }
  corpus="$build/run/$t"            # libFuzzer adds new inputs here: a copy, not fuzz/corpus
  rm -rf "$corpus"
  mkdir -p "$corpus"
  cp "fuzz/corpus/$t/"* "$corpus/"
  if "$binary" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
       -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz_$t: clean, ${runs:-?} runs in ${seconds} s"
  else
    echo "fuzz_$t: FAILED; input and log in $findings" >&2
    grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -20 >&2 || true
    failed+=("$t")
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
