#!/usr/bin/env bash
# Configures and builds newsdb into BUILD_DIR (default: build/). Extra arguments go to CMake's
# configure step, e.g. scripts/build.sh -DNEWSDB_BENCH=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
jobs="${JOBS:-$(nproc)}"
cmake -S . -B "${build_dir}" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "${build_dir}" -j "${jobs}"
