#!/usr/bin/env bash
# Install the Debian (bookworm) packages pgdrift needs to build, test and run its demo.
# Fast on reruns: apt is skipped when every package is already installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ccache
  libpg-query-dev libprotobuf-c-dev
  libpqxx-dev libpq-dev libssl-dev
  nlohmann-json3-dev libcli11-dev libdtl-dev
  libgtest-dev googletest libbenchmark-dev python3-jsonschema
  postgresql-15 postgresql-client-15
  pgbouncer
  clang-format
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update
# The postgresql-15 package would otherwise start a system cluster; pgdrift's tests and demo
# start their own throwaway clusters, so no service is needed.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
# pgbouncer (tests/integration/pgbouncer_test.cpp) is started by the test with its own ini on a
# free port; the package's service (127.0.0.1:6432, /etc/pgbouncer) is not needed. Where the
# package could start it (a machine without a policy-rc.d that forbids it), stop and disable it.
if [[ " ${missing[*]} " == *" pgbouncer "* ]]; then
  if [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now pgbouncer >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/pgbouncer ]; then
    $SUDO /etc/init.d/pgbouncer stop >/dev/null 2>&1 || true
  fi
fi
