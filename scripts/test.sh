#!/usr/bin/env bash
# Install dependencies, build everything and run the whole test suite (unit + integration).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${PGDRIFT_BUILD_DIR:-$ROOT/build}"

bash "$ROOT/scripts/install-deps.sh"
bash "$ROOT/scripts/build.sh"
cd "$BUILD_DIR"
# The integration entries each run their own cluster; two at a time use both CI cores.
ctest --output-on-failure --parallel "${PGDRIFT_JOBS:-2}"
# The Debian package: built with cpack, installed with apt-get, smoke-tested.
bash "$ROOT/scripts/package.sh"
