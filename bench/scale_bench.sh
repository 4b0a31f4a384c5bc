#!/usr/bin/env bash
# Scale benchmark (issue 19): the whole comparison table in one run, at each size N.
#
#   bench/scale_bench.sh [-b PGDRIFT] [-s SCHEMAS] [-1] [N ...]     # default N: 1000 10000
#
# Two databases of N tables each (bench/gen_schema.py: 10 columns, PK, 2 indexes, FK, CHECK per
# table; the second, `--variant b`, has one column and one index more per table) in a throwaway
# cluster, and their DDL files A.sql and B.sql. For each command: wall time, peak RSS (GNU time)
# and the wall time as a multiple of `pg_dump --schema-only` of one database measured in the
# same run (the floor a user knows), next to issue 19's goal. @pgkit/migra runs too when `npx`
# is there (it is fetched by npx; MIGRA=0 skips it). With -1 only database A is created (for
# 100,000 tables): the DB -> DB plan and migra are left out.
#
# Correctness checks in the same run: the model of database A equals the model of A.sql
# (byte-identical JSON), and the plan from A to database B equals the plan from A to B.sql.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pgdrift=${PGDRIFT:-}
schemas=8
one_database=0
while getopts "b:s:1h" opt; do
  case $opt in
    b) pgdrift=$OPTARG ;;
    s) schemas=$OPTARG ;;
    1) one_database=1 ;;
    *) sed -n '2,15p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
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
[[ -n $pgdrift && -x $pgdrift ]] || { echo "scale_bench: pgdrift binary not found (-b)" >&2; exit 2; }
pgdrift=$(realpath "$pgdrift")
[[ -x /usr/bin/time ]] || { echo "scale_bench: needs GNU time (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d /tmp/pgdrift-scale-XXXXXX)
# Not inside $work: as root, the server's OS user cannot enter a mktemp directory of root's.
cluster=$(mktemp -u /tmp/pgdrift-scale-pg-XXXXXX)
cleanup() {
  "$pgdrift" scratch-cluster stop --dir "$cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
eval "$("$pgdrift" scratch-cluster start --dir "$cluster" --format env)"
export PGHOST PGPORT PGUSER
pg_dump=$(pg_config --bindir 2>/dev/null)/pg_dump
[[ -x $pg_dump ]] || pg_dump=pg_dump
migra=()
if [[ ${MIGRA:-1} != 0 ]] && command -v npx >/dev/null 2>&1; then migra=(npx --yes @pgkit/migra); fi

# run LABEL GOAL OUTPUT COMMAND...: one row of the table. Exit 1 (drift, a plan with changes
# for drift) is a result, not a failure; the dump's wall time is the unit of the ratio column.
dump_s=""
run() {
  local label=$1 goal=$2 output=$3
  shift 3
  local status=0
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$output" 2>"$work/stderr" || status=$?
  if ((status > 1)); then
    printf '| %-50s | FAILED (exit %d): %s |\n' "$label" "$status" "$(head -c 200 "$work/stderr" | tr '\n' ' ')"
    return
  fi
  local wall rss_kb
  # GNU time writes "Command exited with non-zero status 1" first when the command exits 1.
  read -r wall rss_kb < <(tail -n 1 "$work/time")
  [[ -z $dump_s ]] && dump_s=$wall
  printf '| %-50s | %8.2f s | %7.0f MB | %5.2fx | %-7s |\n' "$label" "$wall" \
    "$(echo "$rss_kb / 1024" | bc -l)" "$(echo "$wall / $dump_s" | bc -l)" "$goal"
}

echo "pgdrift:  $pgdrift ($("$pgdrift" --version 2>/dev/null || echo '?'))"
echo "machine:  $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo), $(uname -sr); date $(date -u +%Y-%m-%dT%H:%MZ)"
echo "server:   PostgreSQL $(psql -X -tA -d postgres -c 'SHOW server_version'); load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${sizes[@]}"; do
  a=$work/A_$n.sql
  b=$work/B_$n.sql
  python3 "$repo/bench/gen_schema.py" --tables "$n" --schemas "$schemas" >"$a"
  python3 "$repo/bench/gen_schema.py" --tables "$n" --schemas "$schemas" --variant b >"$b"
  dbs=(a)
  ((one_database)) || dbs+=(b)
  start=$(date +%s.%N)
  for db in "${dbs[@]}"; do
    psql -X -q -d postgres -c "CREATE DATABASE scale_${db}_$n TEMPLATE template0"
    psql -X -q -d "scale_${db}_$n" -v ON_ERROR_STOP=1 -f "$work/${db^^}_$n.sql" >/dev/null
  done
  load_s=$(echo "$(date +%s.%N) - $start" | bc -l)
  db_a="host=$PGHOST port=$PGPORT user=$PGUSER dbname=scale_a_$n"
  db_b="host=$PGHOST port=$PGPORT user=$PGUSER dbname=scale_b_$n"
  printf '\n### %d tables (%d schemas; psql loaded %d database(s) in %.0f s)\n\n' \
    "$n" "$schemas" "${#dbs[@]}" "$load_s"
  echo "| command | wall | peak RSS | x pg_dump | goal |"
  echo "|---|---|---|---|---|"
  dump_s=""
  run "pg_dump --schema-only (database A)" "1.0x" "$work/dump.sql" "$pg_dump" --schema-only -d "$db_a"
  run "pgdrift inspect DB_A --format json" "0.5x" "$work/live.json" \
    "$pgdrift" inspect "$db_a" --format json
  run "pgdrift inspect A.sql --format json" "0.3x" "$work/file.json" \
    "$pgdrift" inspect "$a" --format json
  if ((!one_database)); then
    run "pgdrift plan --from DB_A --to DB_B --no-validate" "1.0x" "$work/plan_db.sql" \
      "$pgdrift" plan --from "$db_a" --to "$db_b" --no-validate
  fi
  run "pgdrift plan --from DB_A --to B.sql --no-validate" "-" "$work/plan_file.sql" \
    "$pgdrift" plan --from "$db_a" --to "$b" --no-validate
  run "pgdrift drift --desired B.sql --db DB_A" "1.0x" "$work/drift.json" \
    "$pgdrift" drift --desired "$b" --db "$db_a" --format json
  if ((!one_database)) && ((${#migra[@]})); then
    run "@pgkit/migra DB_A DB_B" "-" "$work/migra.sql" "${migra[@]}" \
      "postgresql://$PGUSER@/scale_a_$n?host=$PGHOST&port=$PGPORT" \
      "postgresql://$PGUSER@/scale_b_$n?host=$PGHOST&port=$PGPORT" --unsafe
  fi
  echo
  if cmp -s "$work/live.json" "$work/file.json"; then
    echo "check: the model of database A and of A.sql are identical"
  else
    echo "check FAILED: the model of database A differs from the model of A.sql"
  fi
  if ((!one_database)); then
    if cmp -s "$work/plan_db.sql" "$work/plan_file.sql"; then
      echo "check: plan DB_A -> DB_B equals plan DB_A -> B.sql ($(grep -c ';$' "$work/plan_db.sql") statements)"
    else
      echo "check FAILED: plan DB_A -> DB_B differs from plan DB_A -> B.sql"
    fi
  fi
  for db in "${dbs[@]}"; do psql -X -q -d postgres -c "DROP DATABASE scale_${db}_$n"; done
done
