#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages that only the baseline benchmarks need
# (bench/baselines: SQLite FTS5 and Xapian), and only the ones that are missing. Idempotent: a
# second run installs nothing. Needs root (or sudo). The normal build and tests never need these;
# scripts/install-deps.sh installs everything else.
set -euo pipefail

packages=(
  # bench/baselines/sqlite_fts5_baseline.cc: SQLite 3 with FTS5 (Debian builds it in)
  libsqlite3-dev
  # bench/baselines/xapian_baseline.cc: Xapian core (Snowball stemmers included)
  libxapian-dev
  # bench/run_baselines.sh: pkg-config finds both libraries; python3 runs tools/gen_corpus.py
  pkg-config python3
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "${package}" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("${package}")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-bench-deps: all ${#packages[@]} packages are already installed"
  exit 0
fi

echo "install-bench-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
