#!/usr/bin/env bash
# clang-tidy (checks in .clang-tidy: bugprone-*, performance-*, readability-function-size) over
# the production sources in services/, common/ and tools/, using the compile commands of a gcc
# build (default build/). Any finding fails. Part of the test command (scripts/test.sh).
#   scripts/tidy.sh [BUILD_DIR] [FILE...]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
shift || true
jobs="${JOBS:-$(nproc)}"
if [ ! -f "${build}/compile_commands.json" ]; then
  echo "tidy: ${build}/compile_commands.json is missing; build first (scripts/build.sh)" >&2
  exit 2
fi
# clang does not know some of gcc's flags: a copy of the compile commands without them.
db="${build}/tidy"
mkdir -p "${db}"
/usr/bin/python3 - "${build}/compile_commands.json" "${db}/compile_commands.json" <<'PY'
import json, sys
commands = json.load(open(sys.argv[1]))
for entry in commands:
    entry["command"] = entry["command"].replace("-Wno-error=restrict", "")
json.dump(commands, open(sys.argv[2], "w"))
PY
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files 'services/*.cc' 'common/*.cc' 'tools/*.cc')
fi
log="${db}/findings.txt"
printf '%s\n' "${files[@]}" |
  xargs -P "${jobs}" -n 1 clang-tidy -p "${db}" --quiet > "${log}" 2> "${db}/stderr.txt" || true
if grep -qE '(warning|error):' "${log}"; then
  cat "${log}"
  echo "tidy: findings above (${#files[@]} files checked)" >&2
  exit 1
fi
if grep -q 'Error while processing\|error reading' "${db}/stderr.txt"; then
  cat "${db}/stderr.txt" >&2
  exit 1
fi
echo "tidy: ${#files[@]} files, no findings"
