#!/usr/bin/env bash
# Checks the deployment files without a cluster or a container runtime.
#
# Usage: render_manifests_test.sh SOURCE_DIR [--dockerfile-only]
#
# 1. deploy/docker/Dockerfile: exists, has at least two FROM stages, and its last USER is not root.
# 2. Unless --dockerfile-only: renders the dev and prod overlays (deploy/k8s/overlays) with
#    `kubectl kustomize` and checks the rendered YAML: one StatefulSet, three Services (storage's
#    headless), two Deployments; every container has gRPC readiness and liveness probes, resource
#    limits and a read-only root filesystem; every pod runs as non-root; prod runs two query and two
#    ingest pods.
#
# Exit codes: 0 passed, 1 failed, 77 skipped (kubectl is not on PATH; ctest's SKIP_RETURN_CODE).
set -euo pipefail

if [[ $# -lt 1 || ! -d "$1" ]]; then
  echo "usage: $0 SOURCE_DIR [--dockerfile-only]" >&2
  exit 2
fi
source_dir=$1
mode=${2:-all}

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

check_dockerfile() {
  local dockerfile="${source_dir}/deploy/docker/Dockerfile"
  if [[ ! -f "${dockerfile}" ]]; then
    fail "${dockerfile} does not exist"
    return
  fi
  local stages
  stages=$(grep -ciE '^[[:space:]]*FROM[[:space:]]' "${dockerfile}" || true)
  if ((stages < 2)); then
    fail "Dockerfile has ${stages} FROM stage(s); want a multi-stage build (>= 2)"
  fi
  # The last USER instruction decides the user of the final image.
  local user
  user=$(awk 'toupper($1) == "USER" { user = $2 } END { print user }' "${dockerfile}")
  if [[ -z "${user}" ]]; then
    fail "Dockerfile has no USER instruction (the image would run as root)"
  elif [[ "${user%%:*}" == "root" || "${user%%:*}" == "0" ]]; then
    fail "Dockerfile's final USER is '${user}'; want a non-root user"
  fi
}

# Prints one line per container of every workload in the rendered YAML on stdin:
#   <Kind>/<name>/<container> readiness=B liveness=B limits=B rorootfs=B nonroot=B   (B is 0 or 1)
# readiness/liveness are 1 only for a `grpc:` probe; nonroot is the container-level runAsNonRoot.
# The parser relies on kustomize's output format (2-space indent, keys of a list item indented by 2
# past its "- ").
summarize_containers() {
  awk '
    function flush() {
      if (container != "") {
        printf "%s/%s/%s readiness=%d liveness=%d limits=%d rorootfs=%d nonroot=%d\n", kind, name,
               container, readiness, liveness, limits, rorootfs, nonroot
      }
      container = ""; section = ""
      readiness = 0; liveness = 0; limits = 0; rorootfs = 0; nonroot = 0
    }
    function indent_of(line) { match(line, /^ */); return RLENGTH }
    BEGIN { list_indent = -1 }
    /^---/ { flush(); kind = ""; name = ""; list_indent = -1; next }
    /^kind: / { kind = $2 }
    /^  name: / && name == "" { name = $2 }
    {
      line = $0
      ind = indent_of(line)
      if (line ~ /^ *(initContainers|containers):[ ]*$/) {
        flush(); list_indent = ind; next
      }
      if (list_indent < 0) next
      # A "- " at the list indent starts a container; its first key sits 2 columns further in.
      if (ind == list_indent && substr(line, ind + 1, 2) == "- ") {
        flush()
        container = "?"
        line = substr(line, ind + 3)
        ind = ind + 2
      } else if (ind <= list_indent) {
        flush(); list_indent = -1; next
      }
      key = line; sub(/^ */, "", key); sub(/:.*/, "", key)
      value = line; sub(/^[^:]*:[ ]*/, "", value)
      if (ind == list_indent + 2) {
        section = key
        if (key == "name") container = value
      } else if (ind == list_indent + 4) {
        if (section == "readinessProbe" && key == "grpc") readiness = 1
        if (section == "livenessProbe" && key == "grpc") liveness = 1
        if (section == "resources" && key == "limits") limits = 1
        if (section == "securityContext" && value == "true") {
          if (key == "readOnlyRootFilesystem") rorootfs = 1
          if (key == "runAsNonRoot") nonroot = 1
        }
      }
    }
    END { flush() }
  '
}

# Prints "<Kind>/<name> key=value" for the top-level spec.replicas and the pod-level
# runAsNonRoot (spec.template.spec.securityContext) of every workload.
summarize_workloads() {
  awk '
    function flush() {
      if (kind == "Deployment" || kind == "StatefulSet") {
        printf "%s/%s replicas=%s runAsNonRoot=%s\n", kind, name, replicas, nonroot
      }
    }
    function reset() { kind = ""; name = ""; replicas = "unset"; nonroot = "unset"; in_pod_sc = 0 }
    NR == 1 { reset() }
    /^---/ { flush(); reset(); next }
    /^kind: / { kind = $2 }
    /^  name: / && name == "" { name = $2 }
    /^  replicas: / { replicas = $2 }
    /^      securityContext:/ { in_pod_sc = 1; next }
    /^      [^ ]/ { in_pod_sc = 0 }
    in_pod_sc && /^        runAsNonRoot: / { nonroot = $2 }
    END { flush() }
  '
}

check_overlay() {
  local overlay=$1 rendered=$2
  local label="overlay ${overlay}"

  local kind name want count
  while read -r kind want; do
    count=$(grep -c "^kind: ${kind}\$" "${rendered}" || true)
    if [[ "${count}" != "${want}" ]]; then
      fail "${label}: ${count} ${kind} object(s), want ${want}"
    fi
  done <<'WANT'
StatefulSet 1
Service 3
Deployment 2
WANT
  while read -r kind name; do
    if ! awk -v kind="${kind}" -v name="${name}" '
           /^---/ { k = ""; n = "" } /^kind: / { k = $2 } /^  name: / && n == "" { n = $2 }
           k == kind && n == name { found = 1 } END { exit !found }' "${rendered}"; then
      fail "${label}: no ${kind} named ${name}"
    fi
  done <<'WANT'
StatefulSet newsdb-storage
Service newsdb-storage
Service newsdb-ingest
Service newsdb-query
Deployment newsdb-ingest
Deployment newsdb-query
WANT
  # Storage pods get stable DNS names only through a headless Service.
  if ! awk '/^---/ { k = ""; n = "" } /^kind: / { k = $2 } /^  name: / && n == "" { n = $2 }
            k == "Service" && n == "newsdb-storage" && /^  clusterIP: None$/ { found = 1 }
            END { exit !found }' "${rendered}"; then
    fail "${label}: Service newsdb-storage is not headless (clusterIP: None)"
  fi

  local containers
  containers=$(summarize_containers <"${rendered}")
  local container_count
  container_count=$(grep -c . <<<"${containers}" || true)
  if ((container_count < 3)); then
    fail "${label}: found ${container_count} container(s) in the workloads, want at least 3"
  fi
  local line
  while IFS= read -r line; do
    [[ -z "${line}" ]] && continue
    local id=${line%% *}
    [[ "${line}" == *"readiness=1"* ]] || fail "${label}: ${id} has no gRPC readinessProbe"
    [[ "${line}" == *"liveness=1"* ]] || fail "${label}: ${id} has no gRPC livenessProbe"
    [[ "${line}" == *"limits=1"* ]] || fail "${label}: ${id} has no resources.limits"
    [[ "${line}" == *"rorootfs=1"* ]] || fail "${label}: ${id} lacks readOnlyRootFilesystem: true"
  done <<<"${containers}"

  local workloads
  workloads=$(summarize_workloads <"${rendered}")
  # runAsNonRoot: true may sit in the pod's or in the container's securityContext.
  while IFS= read -r line; do
    [[ -z "${line}" ]] && continue
    local id=${line%% *}
    [[ "${line}" == *"nonroot=1"* ]] && continue
    grep -q "^${id%/*} .*runAsNonRoot=true" <<<"${workloads}" ||
      fail "${label}: ${id} does not set runAsNonRoot: true (pod or container securityContext)"
  done <<<"${containers}"
  local risky='^ *(runAsNonRoot: false|runAsUser: 0$|privileged: true'
  risky+='|allowPrivilegeEscalation: true)'
  if grep -qE "${risky}" "${rendered}"; then
    fail "${label}: some container may run as root or escalate privileges"
  fi

  if [[ "${overlay}" == "prod" ]]; then
    grep -q '^Deployment/newsdb-query replicas=2 ' <<<"${workloads}" ||
      fail "${label}: Deployment newsdb-query does not have 2 replicas"
    grep -q '^Deployment/newsdb-ingest replicas=2 ' <<<"${workloads}" ||
      fail "${label}: Deployment newsdb-ingest does not have 2 replicas"
  fi
}

check_dockerfile
if [[ "${mode}" == "--dockerfile-only" ]]; then
  if ((failures > 0)); then
    echo "FAILED: ${failures} check(s)" >&2
    exit 1
  fi
  echo "PASSED: Dockerfile checks"
  exit 0
fi

if ! command -v kubectl >/dev/null 2>&1; then
  if ((failures > 0)); then
    echo "FAILED: ${failures} Dockerfile check(s)" >&2
    exit 1
  fi
  echo "SKIPPED: kubectl not found; manifests not rendered"
  exit 77
fi

work_dir=$(mktemp -d)
trap 'rm -rf "${work_dir}"' EXIT

overlays_dir="${source_dir}/deploy/k8s/overlays"
overlay_count=0
for overlay in dev prod; do
  if [[ ! -f "${overlays_dir}/${overlay}/kustomization.yaml" ]]; then
    fail "missing ${overlays_dir}/${overlay}/kustomization.yaml"
    continue
  fi
  rendered="${work_dir}/${overlay}.yaml"
  errors="${work_dir}/${overlay}.err"
  if ! kubectl kustomize "${overlays_dir}/${overlay}" >"${rendered}" 2>"${errors}"; then
    fail "kubectl kustomize ${overlay}: $(cat "${errors}")"
    continue
  fi
  check_overlay "${overlay}" "${rendered}"
  overlay_count=$((overlay_count + 1))
done

if ((failures > 0)); then
  echo "FAILED: ${failures} check(s)" >&2
  exit 1
fi
echo "PASSED: Dockerfile and ${overlay_count} rendered overlay(s)"
