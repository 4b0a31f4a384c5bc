#!/usr/bin/env bash
# Fleet benchmark for `pgdrift drift`: N databases of T tables each in a throwaway cluster,
# checked with --jobs 1, 2 and 4 (or the job counts given in JOBS); for each, the wall time,
# databases per second and the peak resident set size of pgdrift (GNU time's %M), which must not
# grow with DATABASES: the report is streamed (docs/drift.md).
#
#   bench/fleet_bench.sh [PGDRIFT_BINARY]
#   DATABASES=1000 TABLES=100 JOBS="1 2 4" bench/fleet_bench.sh build/pgdrift
#
# Every database matches the desired schema except every tenth one, which lacks a column, so the
# run also checks that the report is right (exit 1, exactly DATABASES/10 drifted databases).
set -euo pipefail

PGDRIFT=${1:-build/pgdrift}
DATABASES=${DATABASES:-100}
TABLES=${TABLES:-100}
JOBS=${JOBS:-"1 2 4"}
BINDIR=${BINDIR:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
PORT=${PORT:-5499}

if [ ! -x /usr/bin/time ]; then
  echo "fleet_bench: GNU time (/usr/bin/time, Debian package time) measures the peak RSS" >&2
  exit 2
fi
if [ ! -x "$PGDRIFT" ]; then
  echo "fleet_bench: no pgdrift binary at $PGDRIFT" >&2
  exit 2
fi
PGDRIFT=$(realpath "$PGDRIFT")

WORK=$(mktemp -d /tmp/pgdrift-fleet-XXXXXX)
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
  # postgres refuses to run as root: use the scratch-cluster user (created by the tests) or nobody.
  user=pgdrift-test
  id "$user" >/dev/null 2>&1 || user=nobody
  chown "$user" "$WORK"
  RUN_AS=(runuser -u "$user" --)
fi
cleanup() {
  "${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"${RUN_AS[@]}" "$BINDIR/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
cat >>"$WORK/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$WORK'
port = $PORT
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 100
EOF
"${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$WORK" -p "$PORT" -U postgres)

# The desired schema: TABLES tables with a few columns, a primary key, an index and a comment.
{
  for t in $(seq 1 "$TABLES"); do
    echo "CREATE TABLE t$t (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2) DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now(), note text);"
    echo "CREATE INDEX t${t}_created_idx ON t$t (created_at);"
    echo "COMMENT ON TABLE t$t IS 'table $t';"
  done
} >"$WORK/desired.sql"

echo "fleet_bench: creating $DATABASES databases of $TABLES tables" >&2
"${PSQL[@]}" -d postgres -c "CREATE DATABASE fleet_template" >/dev/null
"${PSQL[@]}" -d fleet_template -f "$WORK/desired.sql" >/dev/null
: >"$WORK/targets.txt"
for i in $(seq 1 "$DATABASES"); do
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE fleet_$i TEMPLATE fleet_template" >/dev/null
  if [ $((i % 10)) -eq 0 ]; then
    "${PSQL[@]}" -d "fleet_$i" -c "ALTER TABLE t1 DROP COLUMN note" >/dev/null
  fi
  echo "db$i=postgresql:///fleet_$i?host=$WORK&port=$PORT&user=postgres" >>"$WORK/targets.txt"
done

expected_drifted=$((DATABASES / 10))
for jobs in $JOBS; do
  start=$(date +%s.%N)
  set +e
  /usr/bin/time -f %M -o "$WORK/rss-$jobs" \
    "$PGDRIFT" drift --desired "$WORK/desired.sql" --targets "$WORK/targets.txt" --jobs "$jobs" \
    --format json --output "$WORK/report-$jobs.json"
  rc=$?
  set -e
  end=$(date +%s.%N)
  rss_kb=$(tail -1 "$WORK/rss-$jobs")
  drifted=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["summary"]["databases_with_drift"])' "$WORK/report-$jobs.json")
  read -r elapsed rate rss_mb < <(python3 -c 'import sys; s = float(sys.argv[2]) - float(sys.argv[1]); print("%.2f %.1f %.1f" % (s, int(sys.argv[3]) / s, int(sys.argv[4]) / 1024))' "$start" "$end" "$DATABASES" "$rss_kb")
  printf 'jobs=%s databases=%s tables=%s seconds=%s databases_per_second=%s peak_rss_mb=%s exit=%s drifted=%s (expected %s)\n' \
    "$jobs" "$DATABASES" "$TABLES" "$elapsed" "$rate" "$rss_mb" "$rc" "$drifted" "$expected_drifted"
  if [ "$rc" -ne 1 ] || [ "$drifted" -ne "$expected_drifted" ]; then
    echo "fleet_bench: wrong report for --jobs $jobs" >&2
    exit 1
  fi
done
