#!/usr/bin/env bash
# README command 2: installs what is missing, builds, and runs every test:
#   1. clang-format check of all C++ sources;
#   2. gcc build with warnings as errors; ctest runs unit, fuzz-corpus replay, integration (real
#      processes over loopback), e2e (reflection-only client) and deploy (kustomize) tests;
#   3. clang-tidy over the production sources (scripts/tidy.sh, checks in .clang-tidy);
#   4. ASan/UBSan build of the core libraries and their unit tests and fuzz-corpus replays;
#   5. ThreadSanitizer build of the concurrency tests (label `concurrency`: concurrent searches and
#      writes, merges, paging under ingest), with tests/tsan.supp for the uninstrumented RocksDB.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs="${JOBS:-$(nproc)}"

echo "== format check (clang-format)"
mapfile -t sources < <(git ls-files '*.cc' '*.h' 2>/dev/null || find common services tools tests -name '*.cc' -o -name '*.h')
clang-format --dry-run --Werror "${sources[@]}"
echo "formatted: ${#sources[@]} files"

echo "== build (gcc, -Werror)"
BUILD_DIR=build JOBS="${jobs}" bash scripts/build.sh -DNEWSDB_WERROR=ON -DNEWSDB_SANITIZE=OFF
echo "== tests"
ctest --test-dir build --output-on-failure -j "${jobs}" --timeout 600

echo "== clang-tidy"
JOBS="${jobs}" bash scripts/tidy.sh build

echo "== ASan/UBSan build of every unit test and fuzz target"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNEWSDB_SANITIZE=ON >/dev/null
cmake --build build-asan -j "${jobs}" --target sanitized_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "${jobs}" -L 'unit|fuzz' \
  --timeout 900

echo "== ThreadSanitizer build of the concurrency tests"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNEWSDB_TSAN=ON >/dev/null
cmake --build build-tsan -j "${jobs}" --target tsan_tests
TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=${PWD}/tests/tsan.supp" \
  ctest --test-dir build-tsan --output-on-failure -j "${jobs}" -L concurrency --timeout 900
