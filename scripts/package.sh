#!/usr/bin/env bash
# Build the Debian package with cpack, install it with apt-get as a user would
# (`apt-get install ./pgdrift_*.deb`), and check the installed /usr/bin/pgdrift: its version and
# an inspect of the MITA schema. scripts/test.sh runs it after the test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${PGDRIFT_BUILD_DIR:-$ROOT/build}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

rm -f "$BUILD_DIR"/pgdrift_*.deb
(cd "$BUILD_DIR" && cpack -G DEB >/dev/null)
deb=$(ls "$BUILD_DIR"/pgdrift_*.deb)
echo "package: built $(basename "$deb")"
dpkg-deb --field "$deb" Package Version Depends
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "$deb" >/dev/null
version=$(/usr/bin/pgdrift --version)
echo "package: installed /usr/bin/pgdrift: $version"
expected="pgdrift $(sed -n 's/^project(pgdrift VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")"
if [ "$version" != "$expected" ]; then
  echo "package: expected '$expected'" >&2
  exit 1
fi
tables=$(/usr/bin/pgdrift inspect "$ROOT/fixtures/mita/schema/" | grep -c '"public\.' || true)
if [ "$tables" -eq 0 ]; then
  echo "package: the installed pgdrift did not inspect fixtures/mita/schema/" >&2
  exit 1
fi
echo "package: the installed pgdrift inspects fixtures/mita/schema/ ($tables qualified names)"
