#!/usr/bin/env bash
# Round trip over an external corpus: for every <corpora>/sqldef/<case>/to.sql, load it into a
# fresh database of one scratch cluster, then compare `pgdrift inspect <database>` with
# `pgdrift inspect to.sql` (both --format json). Measures how often the SQL loader and the live
# introspector agree on real-world DDL. Nothing from the corpus is copied into the repository.
#
#   scripts/roundtrip-corpus.sh [-o OUT] [-j JOBS] [-f REGEX] [-b PGDRIFT] [-p PORT] [CORPORA]
#
# -p runs the scratch cluster on PORT (default: a free port of pgdrift's choice).
# CORPORA defaults to ../shared/corpora next to the repository. OUT (default
# /tmp/pgdrift-roundtrip) receives summary.txt, results.tsv and diffs/<case>.diff.
# Outcomes: skip_load (PostgreSQL itself rejects to.sql), loader_error (inspect of the file
# fails), introspect_error (inspect of the database fails), identical, differ.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=/tmp/pgdrift-roundtrip
jobs=1
filter=
pgdrift=${PGDRIFT:-}
port_args=()

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while getopts "o:j:f:b:p:h" opt; do
  case $opt in
    o) out=$OPTARG ;;
    j) jobs=$OPTARG ;;
    f) filter=$OPTARG ;;
    b) pgdrift=$OPTARG ;;
    p) port_args=(--port "$OPTARG") ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
corpora=${1:-$repo/../shared/corpora}
[[ -d $corpora/sqldef ]] || { echo "roundtrip-corpus: no $corpora/sqldef" >&2; exit 2; }
corpora=$(cd "$corpora" && pwd)

if [[ -z $pgdrift ]]; then
  for candidate in "$repo"/build/pgdrift "$repo"/build-*/pgdrift; do
    if [[ -x $candidate ]]; then pgdrift=$candidate; break; fi
  done
fi
[[ -n $pgdrift && -x $pgdrift ]] || { echo "roundtrip-corpus: pgdrift binary not found (-b)" >&2; exit 2; }
pgdrift=$(cd "$(dirname "$pgdrift")" && pwd)/$(basename "$pgdrift")

rm -rf "$out"
mkdir -p "$out/diffs" "$out/work"
out=$(cd "$out" && pwd)

cluster=$(mktemp -d /tmp/pgdrift-rt-XXXXXX)
cleanup() { "$pgdrift" scratch-cluster stop --dir "$cluster" >/dev/null 2>&1 || true; }
trap cleanup EXIT
exports=$("$pgdrift" scratch-cluster start --dir "$cluster" "${port_args[@]}" --format env)
eval "$exports"
export PGHOST PGPORT PGUSER

# Cluster-wide roles some cases grant to. Each name is a quoted identifier (double the quotes).
if [[ -f $corpora/roles.txt ]]; then
  while IFS= read -r role; do
    [[ -n $role ]] || continue
    printf 'CREATE ROLE "%s";\n' "${role//\"/\"\"}"
  done <"$corpora/roles.txt" | psql -X -q -d postgres -v ON_ERROR_STOP=1 >/dev/null
fi

# One case: prints "case<TAB>outcome".
run_case() {
  local case_dir=$1 n=$2
  local name db work
  name=$(basename "$case_dir")
  db="rt_$n"
  work="$out/work/$name"
  mkdir -p "$work"
  psql -X -q -d postgres -c "CREATE DATABASE $db TEMPLATE template0 STRATEGY = FILE_COPY" \
    >/dev/null 2>"$work/createdb.err"
  local outcome
  if ! psql -X -q -d "$db" -v ON_ERROR_STOP=1 -f "$case_dir/to.sql" >"$work/load.log" 2>&1; then
    outcome=skip_load
  elif ! "$pgdrift" inspect "$case_dir/to.sql" --format json >"$work/sql.json" \
      2>"$work/sql.err"; then
    outcome=loader_error
  elif ! "$pgdrift" inspect "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db" --format json \
      >"$work/live.json" 2>"$work/live.err"; then
    outcome=introspect_error
  elif cmp -s "$work/sql.json" "$work/live.json"; then
    outcome=identical
  else
    outcome=differ
    diff -u --label "inspect to.sql" --label "inspect database" "$work/sql.json" \
      "$work/live.json" >"$out/diffs/$name.diff" || true
  fi
  case $outcome in
    loader_error) cp "$work/sql.err" "$out/diffs/$name.loader_error" ;;
    introspect_error) cp "$work/live.err" "$out/diffs/$name.introspect_error" ;;
  esac
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  [[ $outcome == skip_load || $outcome == identical ]] && rm -rf "$work"
  printf '%s\t%s\n' "$name" "$outcome"
}

n=0
running=0
for case_dir in "$corpora"/sqldef/*/; do
  case_dir=${case_dir%/}
  [[ -f $case_dir/to.sql ]] || continue
  if [[ -n $filter ]] && ! [[ $(basename "$case_dir") =~ $filter ]]; then continue; fi
  n=$((n + 1))
  run_case "$case_dir" "$n" >>"$out/results.tsv" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
rm -rf "$out/work/"

sort -o "$out/results.tsv" "$out/results.tsv"
count() { awk -F'\t' -v o="$1" '$2 == o' "$out/results.tsv" | wc -l; }
total=$(wc -l <"$out/results.tsv")
skip_load=$(count skip_load)
{
  echo "corpus:           $corpora/sqldef"
  echo "pgdrift:          $pgdrift"
  echo "total:            $total"
  echo "loaded by PG:     $((total - skip_load))"
  echo "skip_load:        $skip_load"
  echo "identical:        $(count identical)"
  echo "differ:           $(count differ)"
  echo "loader_error:     $(count loader_error)"
  echo "introspect_error: $(count introspect_error)"
  echo "per-case results: $out/results.tsv; diffs and errors: $out/diffs/"
} | tee "$out/summary.txt"
