#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages, idempotent: apt runs only when
# a package is absent), then configures and builds Éclat into ./build.
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  g++ cmake ninja-build pkg-config git iproute2
  libboost1.81-dev               # Boost.Process v2 (header-only)
  libnl-3-dev libnl-route-3-dev  # the lab network and tc faults
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  nlohmann-json3-dev libgtest-dev libgmock-dev libxml2-dev
  libgraphviz-dev libxxhash-dev liblmdb-dev libsqlite3-dev uuid-dev libsimdjson-dev
  gnuplot-nox                    # the perf checker's plots
  libfaketime                    # clock faults: preloaded into node processes
  libnftables-dev libnetfilter-queue-dev iptables  # packet faults without netem
  etcd-server etcd-client        # the etcd system under test (--system etcd)
  libcpp-httplib-dev             # eclat serve: the results browser's HTTP server
  chromium                       # tests: timeline.html and eclat serve in a real browser
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
