#!/usr/bin/env bash
# First command of the README: set up, build, and open DDSM Studio on the
# shipped default model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
model=models/fmnist-wide.safetensors
args=()
[ -f "$model" ] && args+=("$model")
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting DDSM Studio under a virtual X server (xvfb-run)."
  exec xvfb-run -a build/release/bin/ddsm-studio "${args[@]}"
fi
exec build/release/bin/ddsm-studio "${args[@]}"
