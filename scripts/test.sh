#!/usr/bin/env bash
# Second command of the README: the same set-up, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
ctest --preset release --output-on-failure
