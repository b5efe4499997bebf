#!/usr/bin/env bash
# One-command baseline benchmark: SQLite FTS5 and Xapian, in process, on the same corpus and the
# same query mix as bench/run_search_bench.sh (see bench/baselines/README.md):
#   1. installs the bench-only packages (scripts/install-bench-deps.sh: libsqlite3-dev,
#      libxapian-dev);
#   2. builds Release with -DNEWSDB_BASELINES=ON into build-release/ (newsdb-baseline-sqlite,
#      newsdb-baseline-xapian);
#   3. reuses the corpus of bench/run_search_bench.sh (var/bench/corpus-N-sS-DATE-yY/, same stamp)
#      or generates it, and writes var/bench/vocabulary.tsv;
#   4. per engine: ingests the corpus into a fresh database and runs the mix with 1 client, then
#      runs it again on the same database with 2 clients (--skip_ingest);
#   5. writes a markdown report to stdout and to var/bench/baselines-N.md, with a summary table
#      that also quotes newsdb's figures from var/bench/report-N.md when that report exists.
#
# Usage: bench/run_baselines.sh [--articles N] [--seed S] [--duration 20s] [--warmup 3s]
#                               [--years Y] [--start-date YYYY-MM-DD] [--skip-build]
#                               [--engines sqlite,xapian]
# Environment: BUILD_DIR (default build-release), BENCH_HOME (default var/bench).
# Every run is bounded by `timeout`; nothing listens on any port.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/corpus.sh
source bench/corpus.sh
command_line="bench/run_baselines.sh $*"

articles=100000
seed=1
duration=20s
warmup=3s
years=5
start_date=2020-01-01
skip_build=0
engines=sqlite,xapian
while [ $# -gt 0 ]; do
  case "$1" in
    --articles) articles=$2; shift 2 ;;
    --articles=*) articles=${1#*=}; shift ;;
    --seed) seed=$2; shift 2 ;;
    --seed=*) seed=${1#*=}; shift ;;
    --duration) duration=$2; shift 2 ;;
    --duration=*) duration=${1#*=}; shift ;;
    --warmup) warmup=$2; shift 2 ;;
    --warmup=*) warmup=${1#*=}; shift ;;
    --years) years=$2; shift 2 ;;
    --years=*) years=${1#*=}; shift ;;
    --start-date) start_date=$2; shift 2 ;;
    --start-date=*) start_date=${1#*=}; shift ;;
    --engines) engines=$2; shift 2 ;;
    --engines=*) engines=${1#*=}; shift ;;
    --skip-build) skip_build=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run_baselines.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ "${articles}" =~ ^[1-9][0-9]*$ ]] || { echo "--articles must be a positive integer" >&2; exit 2; }
IFS=, read -r -a engine_list <<<"${engines}"
for engine in "${engine_list[@]}"; do
  case "${engine}" in
    sqlite|xapian) ;;
    *) echo "--engines: unknown engine ${engine} (sqlite, xapian)" >&2; exit 2 ;;
  esac
done

build="${BUILD_DIR:-${root}/build-release}"
home="${BENCH_HOME:-${root}/var/bench}"
# The same corpus directory and vocabulary file as bench/run_search_bench.sh.
corpus="${home}/corpus-${articles}-s${seed}-${start_date}-y${years}"
vocabulary="${home}/vocabulary.tsv"
run="${home}/baselines-run-${articles}"
report="${home}/baselines-${articles}.md"
newsdb_report="${home}/report-${articles}.md"
mkdir -p "${home}"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# ---- 1. packages
scripts/install-bench-deps.sh >&2

# ---- 2. build
if [ "${skip_build}" = 0 ]; then
  log "building Release with NEWSDB_BASELINES=ON into ${build}"
  generator=()
  [ -f "${build}/CMakeCache.txt" ] || generator=(-G Ninja)
  cmake -S "${root}" -B "${build}" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DNEWSDB_BASELINES=ON >"${home}/baselines-cmake.log" 2>&1 ||
    { tail -n 30 "${home}/baselines-cmake.log" >&2; exit 1; }
  cmake --build "${build}" -j2 --target newsdb-baseline-sqlite newsdb-baseline-xapian \
    >"${home}/baselines-build.log" 2>&1 || { tail -n 40 "${home}/baselines-build.log" >&2; exit 1; }
fi
for engine in "${engine_list[@]}"; do
  [ -x "${build}/bench/baselines/newsdb-baseline-${engine}" ] ||
    { echo "missing ${build}/bench/baselines/newsdb-baseline-${engine}" >&2; exit 1; }
done

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 3. corpus (the same as bench/run_search_bench.sh: bench/corpus.sh)
prepare_corpus

# ---- 4. the engines
rm -rf "${run}"
mkdir -p "${run}"
declare -A load1=()
for engine in "${engine_list[@]}"; do
  binary="${build}/bench/baselines/newsdb-baseline-${engine}"
  db="${run}/${engine}.db"
  load1[$engine]=$(cut -d' ' -f1-3 /proc/loadavg)
  log "${engine}: ingest + search mix, 1 client"
  timeout 14400 "${binary}" --corpus="${corpus}" --db="${db}" --vocabulary="${vocabulary}" \
    --clients=1 --duration="${duration}" --warmup="${warmup}" \
    --dump_hits="${run}/${engine}-hits.tsv" >"${run}/${engine}-1.md" 2>"${run}/${engine}-1.err" ||
    { cat "${run}/${engine}-1.err" "${run}/${engine}-1.md" >&2; exit 1; }
  log "${engine}: search mix, 2 clients"
  timeout 1200 "${binary}" --skip_ingest --db="${db}" --vocabulary="${vocabulary}" \
    --clients=2 --duration="${duration}" --warmup="${warmup}" \
    >"${run}/${engine}-2.md" 2>"${run}/${engine}-2.err" ||
    { cat "${run}/${engine}-2.err" "${run}/${engine}-2.md" >&2; exit 1; }
  log "${engine}: plain search mix, 1 client"
  timeout 1200 "${binary}" --skip_ingest --db="${db}" --vocabulary="${vocabulary}" --mix=plain \
    --clients=1 --duration="${duration}" --warmup="${warmup}" \
    >"${run}/${engine}-plain.md" 2>"${run}/${engine}-plain.err" ||
    { cat "${run}/${engine}-plain.err" "${run}/${engine}-plain.md" >&2; exit 1; }
done

# ---- 5. report
# Field N (1-based, after the leading "|") of the first row of FILE whose first cell is KEY,
# within the section that starts at the line matching START (a regex; "" = from the top).
cell() {
  local file=$1 start=$2 key=$3 field=$4
  [ -f "${file}" ] || { echo "?"; return; }
  awk -F'|' -v start="${start}" -v key="${key}" -v field="${field}" '
    start == "" || $0 ~ start { on = 1 }
    on {
      k = $2; gsub(/^ +| +$/, "", k)
      if (k == key) { v = $(field + 1); gsub(/^ +| +$/, "", v); print v; exit }
    }' "${file}"
}
# Field N of the data row of the first "| files | ..." ingest table of FILE.
ingest_cell() {
  [ -f "$1" ] || { echo "?"; return; }
  awk -F'|' -v field="$2" '/^\| files/ {getline; getline; v = $(field + 1); gsub(/^ +| +$/, "", v); print v; exit}' "$1"
}
engine_name() { case "$1" in sqlite) echo "SQLite FTS5" ;; xapian) echo "Xapian" ;; esac; }
peak() { sed -n 's/^Peak RSS (VmHWM) of the process: \(.*\) MiB\./\1/p' "$1"; }
classes=("single common term" "rare term" "2-term AND" "3-term AND" "phrase"
         "term + one-month range" "term + credit filter" "newest first" "most viewed"
         "BM25 OR of 3 terms" "term + credit facet")

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
ram=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
commit=$(git -C "${root}" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "${root}" status --porcelain 2>/dev/null | head -1)
have_newsdb=0
[ -f "${newsdb_report}" ] && have_newsdb=1
{
  echo "# Baselines: SQLite FTS5 and Xapian on ${articles} articles"
  echo
  echo "- date: $(date -u +'%Y-%m-%d %H:%M UTC'); commit ${commit}${dirty:+ (with uncommitted changes)}"
  echo "- machine: $(nproc) CPUs, ${cpu}, ${ram} RAM; $(uname -sr)"
  echo -n "- load average (1/5/15 min): ${load_at_start} at start"
  for engine in "${engine_list[@]}"; do echo -n "; ${load1[$engine]} before $(engine_name "${engine}")"; done
  echo " (other work on the machine inflates every figure)"
  echo "- command: \`${command_line}\`"
  echo "- build: Release, ${build}; every engine in process, one thread per client"
  echo "- corpus: \`python3 tools/gen_corpus.py ${gen_args[*]}\` -> ${corpus_files} files, $(awk -v b="${corpus_bytes}" 'BEGIN {printf "%.1f MB (%.1f MiB)", b / 1e6, b / 1048576}'); generation ${gen_seconds}"
  echo "- query mix: the standard mix of newsdb-bench (bench/README.md), built from ${vocabulary} by tools/bench/query_mix.cc, as newsdb-bench builds it"
  echo "- tuning and schema: bench/baselines/README.md"
  echo
  echo "## Summary"
  echo
  if [ "${have_newsdb}" = 1 ]; then
    echo "newsdb's figures are quoted from \`${newsdb_report#"${root}"/}\` ($(sed -n 's/^- date: \([^;]*\);.*/\1/p' "${newsdb_report}"), a separate run of bench/run_search_bench.sh on the same corpus: through gRPC, 3 processes), the others from this run (in process)."
  else
    echo "No \`${newsdb_report#"${root}"/}\`: run bench/run_search_bench.sh --articles ${articles} for newsdb's figures."
  fi
  echo
  echo "| engine | ingest articles/s | ingest MB/s | on-disk MiB | 1 client p50 ms | p99 ms | QPS | 2 clients p50 ms | p99 ms | QPS | peak RSS MiB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  if [ "${have_newsdb}" = 1 ]; then
    f=${newsdb_report}
    newsdb_size=$(sed -n 's/^Storage data dir after ingest: [^(]*(\([0-9]*\) bytes.*/\1/p' "$f")
    newsdb_rss=$(cell "$f" "^## Memory" "newsdb-storage (after ingest + searches)" 2 | awk '{print $1}')
    echo "| newsdb (gRPC, storage + ingest + query) | $(ingest_cell "$f" 10) | $(ingest_cell "$f" 11) | $(awk -v b="${newsdb_size:-0}" 'BEGIN {printf "%.1f", b / 1048576}') | $(cell "$f" "^Results: 1 client.*standard mix" "**overall**" 3) | $(cell "$f" "^Results: 1 client.*standard mix" "**overall**" 4) | $(cell "$f" "^Results: 1 client.*standard mix" "**overall**" 5) | $(cell "$f" "^Results: 2 client.*standard mix" "**overall**" 3) | $(cell "$f" "^Results: 2 client.*standard mix" "**overall**" 4) | $(cell "$f" "^Results: 2 client.*standard mix" "**overall**" 5) | ${newsdb_rss} (storage) |"
  fi
  for engine in "${engine_list[@]}"; do
    f1="${run}/${engine}-1.md"
    f2="${run}/${engine}-2.md"
    echo "| $(engine_name "${engine}") (in process) | $(ingest_cell "${f1}" 7) | $(ingest_cell "${f1}" 8) | $(ingest_cell "${f1}" 11) | $(cell "${f1}" "Results:" "**overall**" 3) | $(cell "${f1}" "Results:" "**overall**" 4) | $(cell "${f1}" "Results:" "**overall**" 5) | $(cell "${f2}" "Results:" "**overall**" 3) | $(cell "${f2}" "Results:" "**overall**" 4) | $(cell "${f2}" "Results:" "**overall**" 5) | $(peak "${f1}") (ingest + 1 client), $(peak "${f2}") (2 clients) |"
  done
  echo
  echo "On-disk size: newsdb's data dir after ingest; SQLite's database after FTS5 'optimize' and"
  echo "ANALYZE; Xapian's database after compaction (the size before is in each engine's section)."
  echo
  echo "Per class, 1 client: p50 ms and mean total_hits (different analyzers count slightly"
  echo "different matches; see bench/baselines/README.md):"
  echo
  header="| class |"
  rule="|---|"
  if [ "${have_newsdb}" = 1 ]; then header+=" newsdb p50 | newsdb hits |"; rule+="---:|---:|"; fi
  for engine in "${engine_list[@]}"; do
    header+=" $(engine_name "${engine}") p50 | $(engine_name "${engine}") hits |"
    rule+="---:|---:|"
  done
  echo "${header}"
  echo "${rule}"
  for class in "${classes[@]}"; do
    row="| ${class} |"
    if [ "${have_newsdb}" = 1 ]; then
      row+=" $(cell "${newsdb_report}" "^Results: 1 client.*standard mix" "${class}" 3) | $(cell "${newsdb_report}" "^Results: 1 client.*standard mix" "${class}" 6) |"
    fi
    for engine in "${engine_list[@]}"; do
      row+=" $(cell "${run}/${engine}-1.md" "Results:" "${class}" 3) | $(cell "${run}/${engine}-1.md" "Results:" "${class}" 6) |"
    done
    echo "${row}"
  done
  echo
  echo "Plain mix (same classes, 10 hits with titles, no snippets), 1 client: p50 / p99 ms per class"
  echo "and overall; ratio = newsdb / the engine."
  echo
  header="| class |"
  rule="|---|"
  if [ "${have_newsdb}" = 1 ]; then header+=" newsdb p50 | newsdb p99 |"; rule+="---:|---:|"; fi
  for engine in "${engine_list[@]}"; do
    header+=" $(engine_name "${engine}") p50 | $(engine_name "${engine}") p99 |"
    rule+="---:|---:|"
    if [ "${have_newsdb}" = 1 ]; then header+=" p50 ratio | p99 ratio |"; rule+="---:|---:|"; fi
  done
  echo "${header}"
  echo "${rule}"
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "?" }'; }
  for class in "${classes[@]}" "**overall**"; do
    row="| ${class} |"
    n50="" n99=""
    if [ "${have_newsdb}" = 1 ]; then
      n50=$(cell "${newsdb_report}" "^Results: 1 client.*plain mix" "${class}" 3)
      n99=$(cell "${newsdb_report}" "^Results: 1 client.*plain mix" "${class}" 4)
      row+=" ${n50} | ${n99} |"
    fi
    for engine in "${engine_list[@]}"; do
      e50=$(cell "${run}/${engine}-plain.md" "Results:" "${class}" 3)
      e99=$(cell "${run}/${engine}-plain.md" "Results:" "${class}" 4)
      row+=" ${e50} | ${e99} |"
      if [ "${have_newsdb}" = 1 ]; then row+=" $(ratio "${n50}" "${e50}") | $(ratio "${n99}" "${e99}") |"; fi
    done
    echo "${row}"
  done
  if [ -f "${run}/sqlite-hits.tsv" ] && [ -f "${run}/xapian-hits.tsv" ]; then
    echo
    echo "Variants whose total_hits differ by more than 5% between SQLite FTS5 and Xapian (of"
    echo "$(wc -l <"${run}/sqlite-hits.tsv") variants; each engine's own analysis, see bench/baselines/README.md):"
    echo
    echo "| class | query | SQLite FTS5 | Xapian | Xapian / SQLite |"
    echo "|---|---|---:|---:|---:|"
    awk -F'\t' '{ k = $1 "/" $2 }
      NR == FNR { hits[k] = $4; next }
      k in hits {
        s = hits[k] + 0; x = $4 + 0; d = s - x; if (d < 0) d = -d
        m = (s > x) ? s : x
        ratio = (s > 0) ? x / s : 0
        if (m > 0 && d > 0.05 * m) printf("| %s | %s | %d | %d | %.2f |\n", $1, $3, s, x, ratio)
      }' "${run}/sqlite-hits.tsv" "${run}/xapian-hits.tsv"
  fi
  for engine in "${engine_list[@]}"; do
    echo
    echo "## $(engine_name "${engine}"): ingest and 1 client"
    echo
    sed 's/^## /### /' "${run}/${engine}-1.md"
    echo
    echo "## $(engine_name "${engine}"): 2 clients (same database)"
    echo
    sed 's/^## /### /' "${run}/${engine}-2.md"
    echo
    echo "## $(engine_name "${engine}"): plain mix, 1 client (same database)"
    echo
    sed 's/^## /### /' "${run}/${engine}-plain.md"
  done
} >"${report}.tmp"
mv "${report}.tmp" "${report}"
cat "${report}"
log "report written to ${report}"
