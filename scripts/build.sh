#!/usr/bin/env bash
# Configure and build pgdrift (and its tests) into build/ (or $PGDRIFT_BUILD_DIR).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${PGDRIFT_BUILD_DIR:-$ROOT/build}"
JOBS="${PGDRIFT_JOBS:-2}"

LAUNCHER=()
if command -v ccache >/dev/null 2>&1; then
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$ROOT" -B "$BUILD_DIR" "${LAUNCHER[@]}" >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" "$@"
