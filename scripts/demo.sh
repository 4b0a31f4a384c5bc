#!/usr/bin/env bash
# Build pgdrift and show it on the MITA fixtures: the canonical model of the desired schema.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${PGDRIFT_BUILD_DIR:-$ROOT/build}"

bash "$ROOT/scripts/install-deps.sh"
bash "$ROOT/scripts/build.sh" --target pgdrift
PGDRIFT="$BUILD_DIR/pgdrift"

echo
echo "== pgdrift inspect fixtures/mita/schema/ (canonical JSON model) =="
"$PGDRIFT" inspect "$ROOT/fixtures/mita/schema/"

echo
echo "== the same model rendered back as canonical DDL =="
"$PGDRIFT" inspect "$ROOT/fixtures/mita/schema/" --format sql
