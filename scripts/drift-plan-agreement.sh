#!/usr/bin/env bash
# Drift and plan must agree (issue 15): `pgdrift drift` reports no drift exactly when
# `pgdrift plan` has no steps. A tool wrapper for ../shared/tools/convergence.sh: for each case
# it runs both against the case's two databases, in both directions, appends a line per
# direction to $AGREEMENT_LOG ("case<TAB>direction<TAB>drift_exit<TAB>plan_steps<TAB>agree"),
# then prints the forward plan's SQL so the harness also measures convergence.
#
#   AGREEMENT_LOG=/tmp/agree.tsv ../shared/tools/convergence.sh -c ../shared/corpora -j 2 \
#     -t "$(pwd)/scripts/drift-plan-agreement.sh $(pwd)/build/pgdrift"
#   awk -F'\t' '$5 != "yes"' /tmp/agree.tsv     # the disagreements (must be none)
set -uo pipefail
PGDRIFT=${1:?usage: drift-plan-agreement.sh PGDRIFT_BINARY}
LOG=${AGREEMENT_LOG:?set AGREEMENT_LOG to the file that collects the results}
name=$(basename "$CASE_DIR")

# check FROM TO DIRECTION: drift of FROM against desired TO, and the plan FROM -> TO.
check() {
  local from=$1 to=$2 direction=$3 drift_rc plan_rc steps agree
  "$PGDRIFT" drift --desired "$to" --db "$from" --privileges --format json \
    >"$WORK/drift-$direction.json" 2>"$WORK/drift-$direction.err"
  drift_rc=$?
  "$PGDRIFT" plan --from "$from" --to "$to" --privileges --allow-hazards all --no-validate \
    --format json >"$WORK/plan-$direction.json" 2>"$WORK/plan-$direction.err"
  plan_rc=$?
  steps=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["steps"]))' \
    "$WORK/plan-$direction.json" 2>/dev/null || echo "error:$plan_rc")
  agree=no
  if [ "$drift_rc" = 0 ] && [ "$steps" = 0 ]; then agree=yes; fi
  if [ "$drift_rc" = 1 ] && [[ "$steps" =~ ^[1-9][0-9]*$ ]]; then agree=yes; fi
  # A tool error on either side (exit 2, a refused plan) is not a disagreement; listed apart.
  if [[ "$steps" == error* ]] || [ "$drift_rc" = 2 ]; then agree="n/a"; fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$direction" "$drift_rc" "$steps" "$agree" >>"$LOG"
}
check "$FROM_URL" "$TO_URL" forward
check "$TO_URL" "$FROM_URL" reverse
exec "$PGDRIFT" plan --from "$FROM_URL" --to "$TO_URL" --privileges --allow-hazards all --no-validate --format sql
