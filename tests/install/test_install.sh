#!/usr/bin/env bash
# usage: test_install.sh BUILD_DIR SOURCE_DIR
#
# Installs the build into a temporary prefix, moves the prefix elsewhere (an
# install must not depend on where it was put), and checks that the installed
# programs find their shipped files through the prefix alone:
#  - no path into the source or build tree is compiled into them (source file
#    names in assertion messages are not paths they read) and no RUNPATH;
#  - run from an empty folder with a clean environment, under strace, they
#    touch no file below the source or the build tree, and read the shipped
#    files from the prefix: `ddsm info` on the default model, `ddsm fid` with
#    the default feature network and reference statistics, and
#    `ddsm-studio --screenshot` opening the shipped default model (and the
#    starting schedule shipped beside it) on its own.
set -euo pipefail
build=$(realpath "$1")
source=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v strace >/dev/null || fail "strace is needed to watch which files the programs open (scripts/setup.sh installs it)"

cmake --install "$build" --prefix "$tmp/install" >/dev/null
mv "$tmp/install" "$tmp/prefix"
prefix=$tmp/prefix
data=$prefix/share/ddsm-studio

for f in bin/ddsm bin/ddsm-studio \
         share/applications/ddsm-studio.desktop share/icons/hicolor/scalable/apps/ddsm-studio.svg \
         share/ddsm-studio/models/fmnist-default.safetensors share/ddsm-studio/models/fmnist-default.schedule.json \
         share/ddsm-studio/models/fmnist-wide.safetensors share/ddsm-studio/models/fmnist-wide.schedule.json \
         share/ddsm-studio/models/fmnist-classifier.safetensors share/ddsm-studio/models/fmnist-train-stats.npz \
         share/ddsm-studio/models/fmnist-default-predictor-ddim50.json \
         share/ddsm-studio/models/fmnist-default-importance-ddpm100.csv \
         share/ddsm-studio/resources/schedules/fmnist-default-ddpm100-searched-best-under-0.6-flops.json \
         share/ddsm-studio/resources/schedules/fmnist-wide-ddpm100-searched-best-under-0.5-flops.json \
         share/ddsm-studio/configs/fmnist-small.json; do
  [ -f "$prefix/$f" ] || fail "not installed: $f"
done
[ -z "$(find "$prefix" -type l)" ] || fail "the install holds symbolic links: $(find "$prefix" -type l | head -3)"

for exe in ddsm ddsm-studio; do
  embedded=$(strings "$prefix/bin/$exe" | grep -F -e "$source" -e "$build" | grep -vE '\.(cpp|h|hpp)$' || true)
  [ -z "$embedded" ] || fail "$exe embeds paths into the source or build tree: $embedded"
  if readelf -d "$prefix/bin/$exe" | grep -qE 'RPATH|RUNPATH'; then
    fail "$exe keeps a run path: $(readelf -d "$prefix/bin/$exe" | grep -E 'RPATH|RUNPATH')"
  fi
done

mkdir -p "$tmp/work" "$tmp/home/.config/DDSM Studio" "$tmp/runtime"
chmod 700 "$tmp/runtime"
# The app settles once its own jobs end; the background FID (2,000 samples) is
# switched off as a user can (Run > Measure FID in the Background), for time.
printf '[metrics]\nbackgroundFid=false\n' >"$tmp/home/.config/DDSM Studio/DDSM Studio.conf"
cd "$tmp/work"
# A clean environment: no DDSM_* overrides, nothing from the build's shell.
run() {
  local name=$1
  shift
  env -i PATH=/usr/bin:/bin HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/runtime" QT_QPA_PLATFORM=offscreen \
    OMP_WAIT_POLICY=PASSIVE strace -f -qq -e trace=%file -o "$tmp/$name.trace" "$@" \
    >"$tmp/$name.out" 2>"$tmp/$name.err" || fail "$name exited $?: $(tail -5 "$tmp/$name.err")"
  local outside
  outside=$(grep -F -e "$source" -e "$build" "$tmp/$name.trace" | head -3 || true)
  [ -z "$outside" ] || fail "$name touched the source or build tree: $outside"
}
read_from_prefix() {  # NAME FILE: the run opened FILE below the prefix
  grep -qE "open(at)?\(.*\"$data/$2\", O_RDONLY" "$tmp/$1.trace" || fail "$1 did not read $data/$2"
}

start=$SECONDS
run info "$prefix/bin/ddsm" info "$data/models/fmnist-default.safetensors"
grep -q "^parameters:" "$tmp/info.out" || fail "ddsm info printed no parameters: $(cat "$tmp/info.out")"
read_from_prefix info models/fmnist-default.safetensors
echo "ddsm info from the prefix: $(grep -E '^(architecture|parameters):' "$tmp/info.out" | tr '\n' ' ')"

run fid "$prefix/bin/ddsm" fid "$data/models/fmnist-default.safetensors" --samples 8 --steps 2 --seed 1 \
  --rounds 10 --kid-data none --threads 2
read_from_prefix fid models/fmnist-classifier.safetensors
read_from_prefix fid models/fmnist-train-stats.npz
echo "ddsm fid from the prefix: $(grep -m1 -i 'fid' "$tmp/fid.out")"

run studio "$prefix/bin/ddsm-studio" --threads 2 --screenshot "$tmp/shot.png"
[ -s "$tmp/shot.png" ] || fail "ddsm-studio wrote no screenshot"
read_from_prefix studio models/fmnist-wide.safetensors
read_from_prefix studio models/fmnist-wide.schedule.json
echo "ddsm-studio --screenshot from the prefix: $(stat -c %s "$tmp/shot.png") bytes"
echo "programs ran in $((SECONDS - start)) s; no file below $source or $build was touched"
