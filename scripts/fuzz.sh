#!/usr/bin/env bash
# Fuzz one reader: scripts/fuzz.sh READER MINUTES [JOBS]
#   READER: sql_loader json_model alembic plan_json resolutions ignore_rules targets sql_history
#           drift_json
# Builds build-fuzz/ with clang, libFuzzer, AddressSanitizer and UBSan (-DPGDRIFT_FUZZ=ON),
# seeds a working corpus from fuzz/seeds/<READER>, the fixtures and fuzz/regressions/<READER>,
# and runs the target for MINUTES with a 10 s timeout per input (a hang) and a 2 GB memory
# limit. Prints executions, corpus size and findings; a finding is written to
# build-fuzz/artifacts/<READER>/ — copy it to fuzz/regressions/<READER>/ with the fix, so that
# tests/unit/fuzz_regression_test.cpp replays it from then on.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reader=${1:?usage: scripts/fuzz.sh READER MINUTES [JOBS]}
minutes=${2:?usage: scripts/fuzz.sh READER MINUTES [JOBS]}
jobs=${3:-1}
build="$ROOT/build-fuzz"

# PGDRIFT_FUZZ_NO_BUILD=1 runs the target as built: several targets can run at once while the
# work tree changes (a campaign), without one run rebuilding what another is running.
if [ "${PGDRIFT_FUZZ_NO_BUILD:-0}" != 1 ]; then
  bash "$ROOT/scripts/install-deps.sh" >/dev/null
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$build" -DPGDRIFT_FUZZ=ON -DPGDRIFT_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" --target "fuzz_$reader" -j "$(nproc)" >/dev/null
fi

corpus="$build/corpus/$reader"
artifacts="$build/artifacts/$reader"
mkdir -p "$corpus" "$artifacts"
seed_dirs=()
for dir in "$ROOT/fuzz/seeds/$reader" "$ROOT/fuzz/regressions/$reader"; do
  [ -d "$dir" ] && seed_dirs+=("$dir")
done
case $reader in
  sql_loader) find "$ROOT/fixtures" "$ROOT/tests/convergence" -name '*.sql' -size -64k -exec cp -n {} "$corpus/" \; ;;
  alembic) find "$ROOT/fixtures" -name '*.py' -exec cp -n {} "$corpus/" \; ;;
  json_model | plan_json) find "$ROOT/fixtures" "$ROOT/tests/data" -name '*.json' -size -64k -exec cp -n {} "$corpus/" \; 2>/dev/null || true ;;
esac

log="$build/fuzz_$reader.log"
# One job runs in this process; more run as libFuzzer's forked workers, each logging to
# fuzz-<n>.log in the working directory (a directory of this reader's own).
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
workdir="$build/run/$reader"
rm -rf "$workdir" && mkdir -p "$workdir"
set +e
(cd "$workdir" && exec /usr/bin/time -f '%U %S' -o "$workdir/cpu" "$build/fuzz/fuzz_$reader" \
  "$corpus" "${seed_dirs[@]}" -max_total_time=$((minutes * 60)) -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 "${parallel[@]}" -artifact_prefix="$artifacts/" -print_final_stats=1) >"$log" 2>&1
status=$?
set -e
cat "$workdir"/fuzz-*.log >>"$log" 2>/dev/null || true
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
cpu=$(awk '{printf "%.0f", $1 + $2}' "$workdir/cpu" 2>/dev/null || echo "?")
findings=$(find "$artifacts" -type f | wc -l)
echo "fuzz_$reader: $minutes min x $jobs job(s), $cpu s CPU, $runs executions, corpus $(ls "$corpus" | wc -l) inputs, $findings finding(s) in $artifacts (exit $status; log $log)"
[ "$findings" -eq 0 ]
