#!/usr/bin/env bash
# Installs the Debian packages DDSM Studio needs (only those missing), then
# configures and builds the Release preset. Safe to run again: with nothing
# missing it does not call apt at all, and the build is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ pkg-config
  libtorch-dev libopenblas0-openmp          # LibTorch; OpenBLAS for ~10x faster matrix products
  libgloo-dev                               # headers of c10d's Gloo process group (distributed jobs)
  qt6-base-dev libqcustomplot-dev           # GUI, plots
  libopencv-dev nlohmann-json3-dev zlib1g-dev
  libssl-dev                                # SHA-256 (libcrypto)
  libzip-dev                                # .npz reference statistics (ZIP archives)
  libpng-dev                                # settings in PNG text chunks
  dataset-fashion-mnist                     # training data and reference statistics
  python3 python3-numpy python3-scipy python3-torch   # cross-checks in the tests, checkpoint import
  xvfb xauth                                # a virtual display for screenshots
  strace                                    # tests/install: which files the installed programs open
)

source scripts/lib/packages.sh
install_missing_packages "${packages[@]}"

# CI sets DDSM_WARNINGS_AS_ERRORS=ON: a warning fails its build.
cmake --preset release -DDDSM_WARNINGS_AS_ERRORS="${DDSM_WARNINGS_AS_ERRORS:-OFF}" >/dev/null
cmake --build --preset release
