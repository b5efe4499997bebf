#!/usr/bin/env bash
# README command 1: installs what is missing, builds, starts newsdb-storage, newsdb-ingest and
# newsdb-query on loopback with the data under var/newsdb/, ingests the bundled sample dump and
# lists what was stored. The services keep running; `scripts/run.sh stop` stops them.
#
# Environment: NEWSDB_HOME (default var/newsdb), STORAGE_PORT/INGEST_PORT/QUERY_PORT
# (default 7001/7002/7003).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
home="${NEWSDB_HOME:-${root}/var/newsdb}"
bin="${BUILD_DIR:-${root}/build}"
storage_port="${STORAGE_PORT:-7001}"
ingest_port="${INGEST_PORT:-7002}"
query_port="${QUERY_PORT:-7003}"
services=(storage ingest query)

stop_services() {
  for service in "${services[@]}"; do
    pid_file="${home}/run/${service}.pid"
    [ -f "${pid_file}" ] || continue
    pid=$(cat "${pid_file}")
    if kill -0 "${pid}" 2>/dev/null; then
      kill -TERM "${pid}"
      for _ in $(seq 1 100); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
      echo "stopped newsdb-${service} (pid ${pid})"
    fi
    rm -f "${pid_file}"
  done
}

if [ "${1:-}" = "stop" ]; then
  stop_services
  exit 0
fi

bash scripts/install-deps.sh
BUILD_DIR="${bin}" bash scripts/build.sh
mkdir -p "${home}/data" "${home}/logs" "${home}/run"
stop_services  # a previous run's services, if any

start() {
  local service=$1 port=$2; shift 2
  rm -f "${home}/run/${service}.port"
  "${bin}/services/${service}/newsdb-${service}" --listen="127.0.0.1:${port}" \
    --port_file="${home}/run/${service}.port" "$@" >>"${home}/logs/${service}.log" 2>&1 &
  echo $! >"${home}/run/${service}.pid"
  for _ in $(seq 1 100); do
    [ -s "${home}/run/${service}.port" ] && { echo "newsdb-${service} serving on 127.0.0.1:${port}"; return 0; }
    kill -0 "$(cat "${home}/run/${service}.pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "newsdb-${service} did not start; its log:" >&2
  tail -n 20 "${home}/logs/${service}.log" >&2
  stop_services
  exit 1
}

start storage "${storage_port}" --data_dir="${home}/data"
start ingest "${ingest_port}" --storage="127.0.0.1:${storage_port}"
start query "${query_port}" --storage="127.0.0.1:${storage_port}"

newsctl="${bin}/tools/newsctl/newsctl"
echo
echo "== ingesting samples/newsdb-sample.txt"
"${newsctl}" --ingest="127.0.0.1:${ingest_port}" ingest samples/newsdb-sample.txt --source sample
echo
echo "== stored articles (newsctl list)"
"${newsctl}" --query="127.0.0.1:${query_port}" list --limit 50 --display_zone Asia/Almaty
echo
echo "== full-text search (newsctl search 'grain OR wheat' --facets credit)"
"${newsctl}" --query="127.0.0.1:${query_port}" search "grain OR wheat" --facets credit \
  --display_zone Asia/Almaty
echo
echo "Services are running (logs in ${home}/logs, data in ${home}/data). Try:"
echo "  ${newsctl} get <ID>"
echo "  ${newsctl} list --from 2023-11-20 --to 2023-11-23 --order oldest"
echo "  ${newsctl} search '\"light rail\" OR title:snow*' --sort newest --facets day"
echo "Stop them with: scripts/run.sh stop"
