#!/usr/bin/env bash
# Introspection benchmark: `pgdrift inspect <database> --format json` against
# `pg_dump --schema-only` on the same synthetic database (bench/gen_schema.py), plus
# `pgdrift inspect <file.sql>` (the SQL loader) on the same DDL. Reports wall time and peak
# memory (max RSS) of each, measured by GNU time.
#
#   bench/introspect_bench.sh [-b PGDRIFT] [-s SCHEMAS] [N ...]     # default N: 1000 10000
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pgdrift=${PGDRIFT:-}
schemas=8
while getopts "b:s:h" opt; do
  case $opt in
    b) pgdrift=$OPTARG ;;
    s) schemas=$OPTARG ;;
    *) sed -n '2,7p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
sizes=("$@")
((${#sizes[@]})) || sizes=(1000 10000)

if [[ -z $pgdrift ]]; then
  for candidate in "$repo"/build/pgdrift "$repo"/build-*/pgdrift; do
    if [[ -x $candidate ]]; then pgdrift=$candidate; break; fi
  done
fi
[[ -n $pgdrift && -x $pgdrift ]] || { echo "introspect_bench: pgdrift binary not found (-b)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "introspect_bench: needs GNU time (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d /tmp/pgdrift-bench-XXXXXX)
# Not inside $work: as root, the server's OS user cannot enter a mktemp directory of root's.
cluster=$(mktemp -u /tmp/pgdrift-bench-pg-XXXXXX)
cleanup() {
  "$pgdrift" scratch-cluster stop --dir "$cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
exports=$("$pgdrift" scratch-cluster start --dir "$cluster" --format env)
eval "$exports"
export PGHOST PGPORT PGUSER
pg_dump=$(pg_config --bindir 2>/dev/null)/pg_dump
[[ -x $pg_dump ]] || pg_dump=pg_dump

# measure LABEL OUTPUT_FILE COMMAND...: one row "label  wall_s  max_rss_MiB  output_bytes".
measure() {
  local label=$1 output=$2
  shift 2
  if ! /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$output" 2>"$work/stderr"; then
    printf '  %-34s FAILED: %s\n' "$label" "$(head -c 300 "$work/stderr")"
    return
  fi
  read -r wall rss_kb <"$work/time"
  printf '  %-34s %8.2f s %8.1f MiB %10d bytes\n' "$label" "$wall" "$(echo "$rss_kb / 1024" | bc -l)" \
    "$(stat -c %s "$output")"
}

echo "pgdrift: $pgdrift"
echo "server:  $(psql -X -tA -d postgres -c 'SHOW server_version')   cores: $(nproc)   load: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${sizes[@]}"; do
  db="bench_$n"
  sql=$work/schema_$n.sql
  python3 "$repo/bench/gen_schema.py" --tables "$n" --schemas "$schemas" >"$sql"
  psql -X -q -d postgres -c "CREATE DATABASE $db TEMPLATE template0"
  start=$(date +%s.%N)
  psql -X -q -d "$db" -v ON_ERROR_STOP=1 -f "$sql" >/dev/null
  load_s=$(echo "$(date +%s.%N) - $start" | bc -l)
  relations=$(psql -X -tA -d "$db" -c "SELECT count(*) FROM pg_class WHERE relnamespace::regnamespace::text LIKE 'app\_%'")
  printf '\nN=%d tables (%d relations incl. indexes and sequences, %d schemas; psql load %.1f s)\n' \
    "$n" "$relations" "$schemas" "$load_s"
  conninfo="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"
  measure "pgdrift inspect <db> --format json" "$work/live.json" \
    "$pgdrift" inspect "$conninfo" --format json
  measure "pg_dump --schema-only" "$work/dump.sql" "$pg_dump" --schema-only -d "$conninfo"
  measure "pgdrift inspect <file.sql> (loader)" "$work/file.json" \
    "$pgdrift" inspect "$sql" --format json
  if [[ -s $work/live.json && -s $work/file.json ]]; then
    if cmp -s "$work/live.json" "$work/file.json"; then
      echo "  database and file models: identical"
    else
      echo "  database and file models: DIFFER ($(diff "$work/file.json" "$work/live.json" | grep -c '^[<>]') lines)"
    fi
  fi
  psql -X -q -d postgres -c "DROP DATABASE $db"
done
