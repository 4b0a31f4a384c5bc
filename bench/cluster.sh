# Sourced by the benchmark scripts: the built pgdrift ($pgdrift, or $PGDRIFT), a throwaway
# PostgreSQL from `pgdrift scratch-cluster` (PGHOST, PGPORT, PGUSER exported; stopped and
# removed when the script exits), and `median` (of numbers on stdin, one per line).
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pgdrift=${PGDRIFT:-$repo/build/pgdrift}
[[ -x $pgdrift ]] || { echo "build pgdrift first (scripts/build.sh)" >&2; exit 2; }

cluster=$(mktemp -d /tmp/pgdrift-bench-XXXXXX)
trap '"$pgdrift" scratch-cluster stop --dir "$cluster" >/dev/null 2>&1 || true' EXIT
eval "$("$pgdrift" scratch-cluster start --dir "$cluster" --format env)"
export PGHOST PGPORT PGUSER

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
