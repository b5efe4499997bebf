#!/usr/bin/env bash
# One-command benchmark of the real services on this machine (see bench/README.md):
#   1. builds Release into build-release/ (storage, ingest, query, newsdb-bench);
#   2. generates a corpus of --articles N with tools/gen_corpus.py into var/bench/corpus-.../
#      (reused when present with the same arguments);
#   3. starts newsdb-storage, newsdb-ingest and newsdb-query on 127.0.0.1 ephemeral ports with a
#      fresh data dir, ingests the corpus (newsdb-bench ingest), records the data dir size;
#   4. runs the standard search mix with 1 and 2 clients and the plain mix with 1 client
#      (newsdb-bench search --mix);
#   5. records each service's peak RSS (VmHWM), SIGTERMs storage, restarts it on the same data and
#      measures the time until a search answers (newsdb-bench wait-search), records its RSS;
#   6. writes a markdown report to stdout and to var/bench/report-N.md.
#
# Usage: bench/run_search_bench.sh [--articles N] [--seed S] [--duration 20s] [--warmup 3s]
#                                  [--years Y] [--start-date YYYY-MM-DD] [--skip-build]
#                                  [--parallel-files 4]
# Environment: BUILD_DIR (default build-release), BENCH_HOME (default var/bench).
# Everything binds 127.0.0.1 only; every wait is bounded; all started processes are stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/corpus.sh
source bench/corpus.sh
command_line="bench/run_search_bench.sh $*"

articles=100000
seed=1
duration=20s
warmup=3s
years=5
start_date=2020-01-01
skip_build=0
parallel_files=4
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
    --skip-build) skip_build=1; shift ;;
    --parallel-files) parallel_files=$2; shift 2 ;;
    --parallel-files=*) parallel_files=${1#*=}; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run_search_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ "${articles}" =~ ^[1-9][0-9]*$ ]] || { echo "--articles must be a positive integer" >&2; exit 2; }

build="${BUILD_DIR:-${root}/build-release}"
home="${BENCH_HOME:-${root}/var/bench}"
corpus="${home}/corpus-${articles}-s${seed}-${start_date}-y${years}"
run="${home}/run-${articles}"
data="${run}/data"
logs="${run}/logs"
report="${home}/report-${articles}.md"
bench="${build}/tools/bench/newsdb-bench"
vocabulary="${home}/vocabulary.tsv"
mkdir -p "${home}"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# ---- processes: every pid we start is recorded and killed on exit
declare -A pids=()
cleanup() {
  local name pid
  for name in "${!pids[@]}"; do
    pid=${pids[$name]}
    kill -TERM "${pid}" 2>/dev/null || true
  done
  for name in "${!pids[@]}"; do
    pid=${pids[$name]}
    for _ in $(seq 1 100); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${pid}" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# launch NAME PORT BINARY ARGS...: starts a service on 127.0.0.1:PORT (0: ephemeral).
launch() {
  local name=$1 port=$2 binary=$3; shift 3
  rm -f "${run}/${name}.port"
  "${binary}" --listen="127.0.0.1:${port}" --port_file="${run}/${name}.port" "$@" \
    >>"${logs}/${name}.log" 2>&1 &
  pids[$name]=$!
}

# start NAME PORT BINARY ARGS...: launches a service, waits (bounded) for its port file.
start() {
  local name=$1
  launch "$@"
  for _ in $(seq 1 600); do  # 60 s
    if [ -s "${run}/${name}.port" ]; then
      ports[$name]=$(cat "${run}/${name}.port")
      return 0
    fi
    kill -0 "${pids[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "newsdb-${name} did not start; its log:" >&2
  tail -n 30 "${logs}/${name}.log" >&2
  exit 1
}

# stop NAME: SIGTERM, wait up to 60 s, then SIGKILL.
stop() {
  local name=$1 pid=${pids[$1]}
  kill -TERM "${pid}" 2>/dev/null || true
  for _ in $(seq 1 600); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "${pid}" 2>/dev/null; then
    echo "newsdb-${name} did not stop within 60 s of SIGTERM; killing it" >&2
    kill -KILL "${pid}" 2>/dev/null || true
  fi
  wait "${pid}" 2>/dev/null || true
  unset "pids[$name]"
}

hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo "?"; }
mib() { awk -v kb="$1" 'BEGIN {printf "%.0f", kb / 1024}'; }

# ---- 1. build
if [ "${skip_build}" = 0 ]; then
  log "building Release into ${build}"
  generator=()
  [ -f "${build}/CMakeCache.txt" ] || generator=(-G Ninja)
  cmake -S "${root}" -B "${build}" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    >"${home}/cmake.log" 2>&1 ||
    { tail -n 30 "${home}/cmake.log" >&2; exit 1; }
  cmake --build "${build}" -j2 --target newsdb-storage newsdb-ingest newsdb-query newsdb-bench \
    >"${home}/build.log" 2>&1 || { tail -n 40 "${home}/build.log" >&2; exit 1; }
fi
for b in services/storage/newsdb-storage services/ingest/newsdb-ingest \
         services/query/newsdb-query tools/bench/newsdb-bench; do
  [ -x "${build}/${b}" ] || { echo "missing ${build}/${b}" >&2; exit 1; }
done

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 2. corpus (bench/corpus.sh)
prepare_corpus

# ---- 3. services and ingest
rm -rf "${run}"
mkdir -p "${data}" "${logs}"
declare -A ports=()
log "starting services (logs in ${logs})"
start storage 0 "${build}/services/storage/newsdb-storage" --data_dir="${data}"
start ingest 0 "${build}/services/ingest/newsdb-ingest" --storage="127.0.0.1:${ports[storage]}"
start query 0 "${build}/services/query/newsdb-query" --storage="127.0.0.1:${ports[storage]}"

log "ingesting ${corpus_files} files"
ingest_out=$(timeout 7200 "${bench}" ingest --ingest="127.0.0.1:${ports[ingest]}" \
  --parallel_files="${parallel_files}" "${corpus}" \
  2>"${logs}/bench-ingest.err") || { cat "${logs}/bench-ingest.err" >&2; echo "${ingest_out:-}" >&2; exit 1; }
sync
data_size=$(du -sb "${data}" | awk '{print $1}')
data_size_h=$(du -sh "${data}" | awk '{print $1}')
sst_files=$(find "${data}" -name '*.sst' | wc -l)
storage_hwm_after_ingest=$(hwm_kb "${pids[storage]}")
ingest_cpu="storage $(cpu_s "${pids[storage]}") s, ingest $(cpu_s "${pids[ingest]}") s"

# ---- 4. search
# RocksDB keeps compacting for a while after a large ingest (a minute or more at 1M), and those
# compactions would share the two cores with the searches: wait until storage has used less than
# 5% of a core over 2 s, at most 5 minutes.
settle_start=$(date +%s)
while :; do
  before=$(awk '{print $14 + $15}' "/proc/${pids[storage]}/stat")
  sleep 2
  after=$(awk '{print $14 + $15}' "/proc/${pids[storage]}/stat")
  ticks=$(( after - before ))
  if [ "${ticks}" -le $(( $(getconf CLK_TCK) / 10 )) ] || [ $(( $(date +%s) - settle_start )) -ge 300 ]; then
    break
  fi
done
settle_s=$(( $(date +%s) - settle_start ))
log "storage idle after ${settle_s} s (compactions settled)"
# What the shard keeps on disk: obsolete files are gone once compactions settle.
settled_size=$(du -sb "${data}" | awk '{print $1}')
settled_size_h=$(du -sh "${data}" | awk '{print $1}')
load_before_search=$(cut -d' ' -f1-3 /proc/loadavg)
log "search mix, 1 client"
search1=$(timeout 600 "${bench}" search --query="127.0.0.1:${ports[query]}" \
  --vocabulary="${vocabulary}" --clients=1 --duration="${duration}" --warmup="${warmup}" \
  2>"${logs}/bench-search1.err") || { cat "${logs}/bench-search1.err" >&2; echo "${search1:-}" >&2; exit 1; }
log "search mix, 2 clients"
search2=$(timeout 600 "${bench}" search --query="127.0.0.1:${ports[query]}" \
  --vocabulary="${vocabulary}" --clients=2 --duration="${duration}" --warmup="${warmup}" \
  2>"${logs}/bench-search2.err") || { cat "${logs}/bench-search2.err" >&2; echo "${search2:-}" >&2; exit 1; }
log "plain search mix, 1 client"
search_plain=$(timeout 600 "${bench}" search --query="127.0.0.1:${ports[query]}" --mix=plain \
  --vocabulary="${vocabulary}" --clients=1 --duration="${duration}" --warmup="${warmup}" \
  2>"${logs}/bench-search-plain.err") ||
  { cat "${logs}/bench-search-plain.err" >&2; echo "${search_plain:-}" >&2; exit 1; }

storage_hwm=$(hwm_kb "${pids[storage]}")
storage_rss=$(rss_kb "${pids[storage]}")
ingest_hwm=$(hwm_kb "${pids[ingest]}")
query_hwm=$(hwm_kb "${pids[query]}")

# ---- 5. restart storage on the same data and port
log "restarting storage"
t0=$(date +%s%N)
stop storage
stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
t1=$(date +%s%N)
launch storage "${ports[storage]}" "${build}/services/storage/newsdb-storage" --data_dir="${data}"
wait_ms=$(timeout 120 "${bench}" wait-search --query="127.0.0.1:${ports[query]}" --timeout=60s \
  2>"${logs}/bench-wait.err") || { cat "${logs}/bench-wait.err" >&2; tail -n 30 "${logs}/storage.log" >&2; exit 1; }
wait_detail=$(cat "${logs}/bench-wait.err")
listen_ms="?"
if [ -s "${run}/storage.port" ]; then
  listen_ms=$(( ($(date -r "${run}/storage.port" +%s%N) - t1) / 1000000 ))
fi
restart_search=$(timeout 600 "${bench}" search --query="127.0.0.1:${ports[query]}" \
  --vocabulary="${vocabulary}" --clients=1 --duration=5s --warmup=0s \
  2>"${logs}/bench-search-restart.err" | grep -F '**overall**' || true)
restart_hwm=$(hwm_kb "${pids[storage]}")
restart_rss=$(rss_kb "${pids[storage]}")

# ---- 6. report
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
ram=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
commit=$(git -C "${root}" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "${root}" status --porcelain 2>/dev/null | head -1)
{
  echo "# newsdb search benchmark: ${articles} articles"
  echo
  echo "- date: $(date -u +'%Y-%m-%d %H:%M UTC'); commit ${commit}${dirty:+ (with uncommitted changes)}"
  echo "- machine: $(nproc) CPUs, ${cpu}, ${ram} RAM; $(uname -sr)"
  echo "- load average (1/5/15 min): ${load_at_start} at start, ${load_before_search} before the searches (other work on the machine inflates every figure)"
  echo "- command: \`${command_line}\`"
  echo "- build: Release, ${build}"
  echo "- corpus: \`python3 tools/gen_corpus.py ${gen_args[*]}\` -> ${corpus_files} files, $(awk -v b="${corpus_bytes}" 'BEGIN {printf "%.1f MB (%.1f MiB)", b / 1e6, b / 1048576}'); generation ${gen_seconds}"
  echo "- services: one storage shard (defaults: --block_cache_mb=256), one ingest, one query, all on 127.0.0.1"
  echo
  echo "## Ingest (newsdb-bench ingest, ${parallel_files} files in flight, 1 MiB chunks)"
  echo
  echo "${ingest_out}"
  echo
  echo "CPU time used during ingest: ${ingest_cpu}."
  echo
  echo "Storage data dir after ingest: ${data_size_h} (${data_size} bytes, ${sst_files} SST files)."
  echo
  echo "Searches started once storage was idle (compactions settled): ${settle_s} s after the ingest;"
  echo "the data dir was then ${settled_size_h} (${settled_size} bytes, $(awk -v d="${settled_size}" -v f="${corpus_bytes}" 'BEGIN {printf "%.2f", d / f}')x the feed)."
  echo
  echo "## Search, 1 client"
  echo
  echo "${search1}"
  echo
  echo "## Search, 2 clients"
  echo
  echo "${search2}"
  echo
  echo "## Search, plain mix, 1 client"
  echo
  echo "${search_plain}"
  echo
  echo "## Memory (peak RSS, VmHWM)"
  echo
  echo "| process | peak RSS MiB |"
  echo "|---|---:|"
  echo "| newsdb-storage (after ingest) | $(mib "${storage_hwm_after_ingest}") |"
  echo "| newsdb-storage (after ingest + searches) | $(mib "${storage_hwm}") (current RSS $(mib "${storage_rss}")) |"
  echo "| newsdb-ingest | $(mib "${ingest_hwm}") |"
  echo "| newsdb-query | $(mib "${query_hwm}") |"
  echo "| newsdb-storage after restart + 5 s of searches | $(mib "${restart_hwm}") (current RSS $(mib "${restart_rss}")) |"
  echo
  echo "## Restart of storage"
  echo
  echo "| step | ms |"
  echo "|---|---:|"
  echo "| SIGTERM until the old process exited | ${stop_ms} |"
  echo "| launch until the new process wrote its port file | ${listen_ms} |"
  echo "| launch until a search through newsdb-query answered | ${wait_ms} |"
  echo
  echo "wait-search: ${wait_detail#newsdb-bench: }"
  echo
  echo "First 5 s of searches after the restart (1 client, cold cache):"
  echo
  echo "| class | calls | p50 ms | p99 ms | QPS | mean total_hits | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  echo "${restart_search}"
} >"${report}.tmp"
mv "${report}.tmp" "${report}"
cat "${report}"
log "report written to ${report}"
