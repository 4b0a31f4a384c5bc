#!/usr/bin/env bash
# The pgdrift demo on the MITA fixtures, against a throwaway local PostgreSQL:
#   1. start a private PostgreSQL 15 cluster with `pgdrift scratch-cluster` (removed again at
#      the end);
#   2. load the desired schema (fixtures/mita/schema/) and the drifted production variant
#      (fixtures/mita/live.sql) into two databases;
#   3. show the canonical model of the desired schema (`pgdrift inspect fixtures/mita/schema/`),
#      `pgdrift inspect` of the drifted database,
#      `pgdrift drift` of it against the desired schema (exit 1: drift found), and
#      the migration plan from it to the desired schema as the auditor's markdown report;
#   4. `pgdrift lint` of the drifted database (float money, missing foreign keys: exit 1),
#      `pgdrift apply` of the plan (advisory lock, transactions, verified, one audit row), and
#      `pgdrift drift` again (exit 0: the database now is the desired schema);
#   5. `pgdrift audit` of the database: who applied what, when, with which plan, and the check
#      of its hash chain;
#   6. the core job: a second production database that ran the SQL migration chain
#      (fixtures/mita/migrations_sql) while the team's other chain is Alembic
#      (fixtures/mita/alembic/versions): `pgdrift reconcile` merges the two histories into one
#      target (every conflict with its provenance, the --prefer-safer resolutions with their
#      reasons, the live database matched against both version chains, the plan to the target),
#      `pgdrift apply` migrates production to that target, and `pgdrift drift` exits 0.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${PGDRIFT_BUILD_DIR:-$ROOT/build}"

bash "$ROOT/scripts/install-deps.sh"
bash "$ROOT/scripts/build.sh" --target pgdrift
PGDRIFT="$BUILD_DIR/pgdrift"

# The throwaway PostgreSQL is pgdrift's own (`pgdrift scratch-cluster`, docs/cli.md): the
# cluster the tests and plan validation use, left running until the stop in cleanup.
CLUSTER_DIR="$(mktemp -d /tmp/pgdrift-demo.XXXXXX)"
cleanup() { "$PGDRIFT" scratch-cluster stop --dir "$CLUSTER_DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
exports=$("$PGDRIFT" scratch-cluster start --dir "$CLUSTER_DIR" --format env)
eval "$exports"

psql -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE mita_desired' -c 'CREATE DATABASE mita_live'
cat "$ROOT"/fixtures/mita/schema/*.sql | psql -q -v ON_ERROR_STOP=1 -d mita_desired >/dev/null
psql -q -v ON_ERROR_STOP=1 -d mita_live -f "$ROOT/fixtures/mita/live.sql" >/dev/null
LIVE="host=$PGHOST port=$PGPORT user=$PGUSER dbname=mita_live"

echo
echo "== pgdrift inspect fixtures/mita/schema/ (the desired schema's canonical model, JSON) =="
"$PGDRIFT" inspect "$ROOT/fixtures/mita/schema/"

echo
echo "== pgdrift inspect <drifted production database> --format sql =="
"$PGDRIFT" inspect "$LIVE" --format sql

echo
echo "== pgdrift drift --desired fixtures/mita/schema/ --db <drifted database> =="
set +e
"$PGDRIFT" drift --desired "$ROOT/fixtures/mita/schema/" --db "$LIVE"
echo "(exit code $?: 0 no drift, 1 drift found, 2 error)"
set -e

echo
echo "== pgdrift plan --from <drifted database> --to fixtures/mita/schema/ --format markdown =="
set +e
"$PGDRIFT" plan --from "$LIVE" --to "$ROOT/fixtures/mita/schema/" --format markdown
echo "(exit code $?: 0, the plan is written whatever its hazards; apply refuses those not allowed)"
set -e

echo
echo "== pgdrift lint <drifted database> =="
set +e
"$PGDRIFT" lint "$LIVE"
echo "(exit code $?: 1 means findings of severity error)"
set -e

echo
echo "== pgdrift apply --db <drifted database> --to fixtures/mita/schema/ --allow-hazards all --actor demo --ticket DEMO-1 =="
"$PGDRIFT" apply --db "$LIVE" --to "$ROOT/fixtures/mita/schema/" --allow-hazards all \
  --actor demo --ticket DEMO-1

echo
echo "== pgdrift drift --desired fixtures/mita/schema/ --db <database after apply> =="
"$PGDRIFT" drift --desired "$ROOT/fixtures/mita/schema/" --db "$LIVE"
echo "(exit code $?: no drift left)"

echo
echo "== pgdrift audit --db <database after apply> --format markdown; --verify =="
"$PGDRIFT" audit --db "$LIVE" --format markdown
"$PGDRIFT" audit --db "$LIVE" --verify

echo
echo "== the core job: two migration histories, one target =="
echo "== production ran the SQL chain (fixtures/mita/migrations_sql/*.up.sql); the other chain is Alembic =="
psql -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE mita_prod'
for migration in "$ROOT"/fixtures/mita/migrations_sql/*.up.sql; do
  psql -q -v ON_ERROR_STOP=1 -d mita_prod -f "$migration" >/dev/null
done
PROD="host=$PGHOST port=$PGPORT user=$PGUSER dbname=mita_prod"
RECONCILED="$CLUSTER_DIR/reconciled"

echo
echo "== pgdrift reconcile --history alembic=fixtures/mita/alembic/versions --history sql=fixtures/mita/migrations_sql --prefer-safer --db <production> --out reconciled =="
"$PGDRIFT" reconcile --history alembic="$ROOT/fixtures/mita/alembic/versions" \
  --history sql="$ROOT/fixtures/mita/migrations_sql" --prefer-safer --db "$PROD" \
  --out "$RECONCILED"
echo "(exit code $?: 0 every conflict resolved; the target is in reconciled/schema/)"

echo
echo "== pgdrift apply --db <production> --to reconciled/schema --allow-hazards all --actor demo --ticket DEMO-2 =="
"$PGDRIFT" apply --db "$PROD" --to "$RECONCILED/schema" --allow-hazards all \
  --actor demo --ticket DEMO-2

echo
echo "== pgdrift drift --desired reconciled/schema --db <production after apply> =="
"$PGDRIFT" drift --desired "$RECONCILED/schema" --db "$PROD"
echo "(exit code $?: production is the reconciled target)"
