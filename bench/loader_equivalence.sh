#!/usr/bin/env bash
# Compares two pgdrift binaries on the SQL loader: `pgdrift inspect FILE --format json` over
# every from.sql / to.sql of a corpus plus the repo's fixtures, requiring byte-identical stdout,
# stderr and exit code. Used to prove loader optimisations change no output.
#   bench/loader_equivalence.sh OLD_PGDRIFT NEW_PGDRIFT [CORPORA_DIR]
# CORPORA_DIR defaults to /work/shared/corpora/sqldef (subdirectories holding from.sql/to.sql).
set -u
old=$1
new=$2
corpora=${3:-/work/shared/corpora/sqldef}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

inputs=()
if [ -d "$corpora" ]; then
  while IFS= read -r f; do inputs+=("$f"); done < <(find "$corpora" -name from.sql -o -name to.sql | sort)
fi
for f in "$repo/fixtures/mita/schema" "$repo/fixtures/mita/live.sql"; do
  [ -e "$f" ] && inputs+=("$f")
done

run() {  # binary input tag -> "$work/tag.{out,err,rc}"
  "$1" inspect "$2" --format json >"$work/$3.out" 2>"$work/$3.err"
  echo $? >"$work/$3.rc"
}

compared=0
differ=0
for f in "${inputs[@]}"; do
  run "$old" "$f" old
  run "$new" "$f" new
  compared=$((compared + 1))
  for part in out err rc; do
    if ! cmp -s "$work/old.$part" "$work/new.$part"; then
      echo "DIFFERENT ($part): $f"
      differ=$((differ + 1))
      break
    fi
  done
done
echo "compared $compared inputs, $differ different"
[ "$differ" -eq 0 ]
