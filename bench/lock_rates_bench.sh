#!/usr/bin/env bash
# The rates behind apply's and plan's duration estimates (planner/lock_analysis.cpp, docs/apply.md
# "Lock analysis"), measured on this machine, not asserted: a table of ROWS rows (default
# 2,000,000: bigint key, double precision, text, timestamptz, about 150 MB with its key) goes
# through the four kinds of long step, each timed with psql's \timing on a fresh copy, and the
# rate is the bytes that kind of step reads or writes divided by its time:
#   rewrite     ALTER COLUMN ... TYPE numeric(12,2)     pg_total_relation_size (table + indexes)
#   validation  VALIDATE CONSTRAINT of a NOT VALID CHECK pg_relation_size (the heap)
#   index       CREATE INDEX on the text column         pg_relation_size
#   backfill    UPDATE of every row (one new value)      pg_relation_size
# Prints MB/s per kind (the median of REPEAT runs, default 3).
#
#   bench/lock_rates_bench.sh [ROWS] [REPEAT]
set -euo pipefail
rows=${1:-2000000}
repeat=${2:-3}
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"


fresh() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS rates" -c "CREATE DATABASE rates"
  psql -X -q -d rates -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE ledger (id bigint PRIMARY KEY, amount double precision, memo text,
                     at timestamptz, note text);
INSERT INTO ledger SELECT g, (g % 100000) / 4.0, md5(g::text), now(), NULL
  FROM generate_series(1, $rows) g;
VACUUM ANALYZE ledger;
CHECKPOINT;
SQL
}

# seconds SQL: wall time of one statement, from psql's \timing (ms).
seconds() {
  psql -X -q -d rates -v ON_ERROR_STOP=1 -c '\timing on' -c "$1" |
    awk '/^Time:/ {print $2 / 1000}'
}
size() { psql -X -qAt -d rates -c "SELECT $1('ledger')"; }

declare -A rate
for kind in rewrite validation index backfill; do
  results=()
  for ((i = 0; i < repeat; i++)); do
    fresh
    case $kind in
      rewrite)
        bytes=$(size pg_total_relation_size)
        t=$(seconds "ALTER TABLE ledger ALTER COLUMN amount TYPE numeric(12,2)") ;;
      validation)
        psql -X -q -d rates -c "ALTER TABLE ledger ADD CONSTRAINT amount_ok CHECK (amount >= 0) NOT VALID"
        bytes=$(size pg_relation_size)
        t=$(seconds "ALTER TABLE ledger VALIDATE CONSTRAINT amount_ok") ;;
      index)
        bytes=$(size pg_relation_size)
        t=$(seconds "CREATE INDEX ledger_memo ON ledger (memo)") ;;
      backfill)
        bytes=$(size pg_relation_size)
        t=$(seconds "UPDATE ledger SET note = 'n'") ;;
    esac
    results+=("$(echo "$bytes / 1048576 / $t" | bc -l)")
  done
  rate[$kind]=$(printf '%s\n' "${results[@]}" | median)
  printf '%-11s %8.1f MB/s  (%s rows, %s MB)\n' "$kind" "${rate[$kind]}" "$rows" \
    "$(echo "$bytes / 1048576" | bc)"
done
