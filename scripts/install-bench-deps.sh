#!/usr/bin/env bash
# Installs what the baseline benchmarks (bench/baselines: SQLite FTS5 and Xapian) need on top of
# the build's own packages, only what is missing. The normal build and tests never need these.
set -euo pipefail
exec bash "$(dirname "$0")/install-deps.sh" \
  libsqlite3-dev `# bench/baselines/sqlite_fts5_baseline.cc: SQLite 3 with FTS5` \
  libxapian-dev `# bench/baselines/xapian_baseline.cc: Xapian core with the Snowball stemmers`
