#!/usr/bin/env bash
# The cost of apply's audit trail, backups and data checks (docs/apply.md), measured, not
# asserted:
#   1. the MITA fixture: fixtures/mita/live.sql migrated to fixtures/mita/schema/;
#   2. a table of ROWS rows (default 1,000,000) whose migration adds a column and retypes one
#      (double precision -> numeric(12,2), a rewrite), so the data checks count and sum it.
# Each migration runs REPEAT times (default 3) on a fresh database, in four modes:
# --no-audit --no-data-checks (the baseline: no audit row, so no backups either),
# --no-data-checks --no-backup (the audit trail alone), --no-data-checks (audit + backups of the
# lossy steps), and the default (audit + backups + data checks). Prints the median wall time of
# each.
#
#   bench/apply_overhead_bench.sh [ROWS] [REPEAT]
set -euo pipefail
rows=${1:-1000000}
repeat=${2:-3}
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"
work=$(mktemp -d /tmp/pgdrift-bench-work-XXXXXX)

cat >"$work/big_from.sql" <<SQL
CREATE TABLE ledger (id bigint PRIMARY KEY, amount double precision, memo text);
INSERT INTO ledger SELECT g, (g % 100000) / 4.0, 'memo ' || g FROM generate_series(1, $rows) g;
SQL
cat >"$work/big_to.sql" <<'SQL'
CREATE TABLE ledger (id bigint PRIMARY KEY, amount numeric(12,2), memo text, note text);
SQL


# run NAME FROM_SQL TARGET MODE_ARGS...: the median seconds of REPEAT applies.
run() {
  local name=$1 from=$2 target=$3
  shift 3
  local times=()
  for ((i = 0; i < repeat; i++)); do
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
    psql -X -q -d bench -v ON_ERROR_STOP=1 -f "$from" >/dev/null
    local start end
    start=$(date +%s.%N)
    "$pgdrift" apply --db "dbname=bench" --to "$target" --allow-hazards all \
      --accept-rows-at-risk --statement-timeout 0 "$@" >/dev/null
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%-10s %-34s %6.2f s\n' "$name" "${*:-(audit + backups + data checks)}" \
    "$(printf '%s\n' "${times[@]}" | median)"
}

for target in mita big; do
  if [[ $target == mita ]]; then
    from=$repo/fixtures/mita/live.sql to=$repo/fixtures/mita/schema/
  else
    from=$work/big_from.sql to=$work/big_to.sql
  fi
  run "$target" "$from" "$to" --no-audit --no-data-checks
  run "$target" "$from" "$to" --no-data-checks --no-backup
  run "$target" "$from" "$to" --no-data-checks
  run "$target" "$from" "$to"
done
rm -rf "$work"
