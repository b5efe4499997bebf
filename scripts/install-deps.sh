#!/usr/bin/env bash
# Installs, with apt-get, every Debian package that newsdb needs to build, test and run, and only the
# ones that are missing. Idempotent: a second run installs nothing. Needs root (or sudo).
# Extra package names given as arguments are installed too (scripts/install-bench-deps.sh).
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config ccache
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev librocksdb-dev libstemmer-dev libicu-dev grpc-proto libjemalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev clang clang-format clang-tidy
  # runtime data: IANA time zones for absl::LoadTimeZone
  tzdata
  # test clients: Python gRPC (integration and e2e tests), Node.js for a reflection-only client
  python3 python3-grpcio python3-protobuf
)

packages+=("$@")

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "${package}" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("${package}")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
