#!/usr/bin/env bash
# Regenerates the embedded PostgreSQL 15 catalog tables from a PostgreSQL 15 server:
#   schema/builtin_casts.cpp      the built-in types (pg_catalog, by format_type name), the
#                                 string-category types (typcategory 'S', the targets of
#                                 automatic I/O-conversion casts), every built-in cast pair of
#                                 pg_cast with its context (i implicit, a assignment, e explicit),
#                                 every pg_catalog type's category and preferred flag, and the
#                                 built-in range types (pg_range)
#   schema/builtin_functions.cpp  the signature of every pg_catalog function and aggregate
#                                 (name, argument types, result type, variadic, defaults)
#                                 and of every pg_catalog operator
# The planner refuses, at plan time, a type change PostgreSQL has no cast for (planner/casts.h);
# the canonical form resolves built-in function calls as PostgreSQL's parser does, to write the
# implicit coercions of their arguments (schema/pg_functions.h).
#
#   scripts/gen-builtin-catalog.sh          # writes both files
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CASTS_OUT="$ROOT/schema/builtin_casts.cpp"
FUNCTIONS_OUT="$ROOT/schema/builtin_functions.cpp"
# The catalog comes from pgdrift's own throwaway cluster (`pgdrift scratch-cluster`): an
# existing build of it, or a fresh one (the generated files are checked in, so the build does
# not need this script's output).
PGDRIFT=${PGDRIFT:-$ROOT/build/pgdrift}
[[ -x $PGDRIFT ]] || bash "$ROOT/scripts/build.sh" --target pgdrift
DIR=$(mktemp -d /tmp/pgdrift-catalog-XXXXXX)
trap '"$PGDRIFT" scratch-cluster stop --dir "$DIR" >/dev/null 2>&1 || true' EXIT
exports=$("$PGDRIFT" scratch-cluster start --dir "$DIR" --format env)
eval "$exports"

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres -c "$1"; }

version=$(q "SELECT current_setting('server_version_num')::int / 10000")
[[ $version == 15 ]] || { echo "gen-builtin-catalog: need PostgreSQL 15, got $version" >&2; exit 1; }
# Type names as the model spells them without typmods (format_type; bpchar is "character",
# "bit" is bit there), arrays as the element's name + [].
q "CREATE FUNCTION tname(oid) RETURNS text LANGUAGE sql AS
   \$\$SELECT CASE WHEN \$1 = 'bpchar'::regtype THEN 'character'
                 WHEN \$1 = 'bit'::regtype THEN 'bit'
                 WHEN t.typelem <> 0 AND t.typsubscript = 'array_subscript_handler'::regproc
                   THEN tname(t.typelem) || '[]'
                 ELSE format_type(\$1, -1) END
       FROM pg_type t WHERE t.oid = \$1\$\$"

# Element types only (arrays are handled element by element), no pseudo-types.
types_where="n.nspname = 'pg_catalog' AND t.typtype IN ('b', 'r', 'm', 'e') AND t.typcategory <> 'A'
             AND t.typname !~ '^pg_' AND t.typisdefined"
types=$(q "SELECT string_agg(tname(t.oid), E'\n' ORDER BY tname(t.oid))
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE $types_where")
strings=$(q "SELECT string_agg(tname(t.oid), E'\n' ORDER BY tname(t.oid))
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE $types_where AND t.typcategory = 'S'")
casts=$(q "SELECT string_agg(tname(c.castsource) || '|' || tname(c.casttarget)
                             || '|' || c.castcontext::text, E'\n'
                             ORDER BY tname(c.castsource), tname(c.casttarget))
           FROM pg_cast c
           JOIN pg_type s ON s.oid = c.castsource JOIN pg_namespace sn ON sn.oid = s.typnamespace
           JOIN pg_type t ON t.oid = c.casttarget JOIN pg_namespace tn ON tn.oid = t.typnamespace
           WHERE sn.nspname = 'pg_catalog' AND tn.nspname = 'pg_catalog'
             AND s.typtype IN ('b', 'r', 'm', 'e') AND t.typtype IN ('b', 'r', 'm', 'e')
             AND c.castsource <> c.casttarget")
# Every pg_catalog type that is not an array (arrays are category A), pseudo-types included.
categories=$(q "SELECT string_agg(tname(t.oid) || '|' || t.typcategory::text
                                  || CASE WHEN t.typispreferred THEN '|p' ELSE '|' END,
                                  E'\n' ORDER BY tname(t.oid))
                FROM pg_type t
                WHERE t.typnamespace = 'pg_catalog'::regnamespace AND t.typrelid = 0
                  AND NOT (t.typelem <> 0
                           AND t.typsubscript = 'array_subscript_handler'::regproc)")
# The built-in range types: "range|subtype|multirange" (pg_range).
ranges=$(q "SELECT string_agg(tname(r.rngtypid) || '|' || tname(r.rngsubtype) || '|'
                              || tname(r.rngmultitypid), E'\n' ORDER BY tname(r.rngtypid))
            FROM pg_range r JOIN pg_type t ON t.oid = r.rngtypid
            WHERE t.typnamespace = 'pg_catalog'::regnamespace")
# Functions, aggregates and window functions (procedures are not called in expressions):
# "name|result|flags|defaults|arg,arg", flags r = returns a set, v = the last argument is
# VARIADIC. One line per pg_proc row, so overloads are distinct lines.
functions=$(q "SELECT string_agg(p.proname || '|' || tname(p.prorettype) || '|'
                                 || CASE WHEN p.proretset THEN 'r' ELSE '' END
                                 || CASE WHEN p.provariadic <> 0 THEN 'v' ELSE '' END
                                 || '|' || p.pronargdefaults || '|'
                                 || coalesce((SELECT string_agg(tname(a.t), ',' ORDER BY a.n)
                                              FROM unnest(p.proargtypes::oid[])
                                                   WITH ORDINALITY a(t, n)), ''),
                                 E'\n' ORDER BY p.proname, p.oid)
               FROM pg_proc p
               WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind IN ('f', 'a', 'w')")

# Operators: "name,left,right,result", left empty for a prefix operator (commas: operator
# names may contain |).
operators=$(q "SELECT string_agg(o.oprname || ','
                                 || CASE WHEN o.oprleft = 0 THEN '' ELSE tname(o.oprleft) END
                                 || ',' || tname(o.oprright) || ',' || tname(o.oprresult),
                                 E'\n' ORDER BY o.oprname, o.oid)
               FROM pg_operator o
               WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND o.oprkind IN ('b', 'l')")

lines() { sed -e 's/["\\]/\\&/g' -e 's/.*/    "&\\n"/'; }
{
  cat <<HEADER
// The built-in types and casts of PostgreSQL $version (schema/pg_builtins.h). GENERATED by
// scripts/gen-builtin-catalog.sh from a PostgreSQL 15 catalog; do not edit. The queries:
//   types:      pg_catalog types, typtype base/range/multirange/enum, no arrays, no pg_* types,
//               by format_type(oid, -1) (bpchar as character, "bit" as bit: the model's spelling)
//   strings:    those of typcategory 'S' (I/O-conversion casts: to them assignment, from them
//               explicit)
//   casts:      pg_cast between two such types, "source|target|context" (context i implicit,
//               a assignment, e explicit); casts from a type to itself (length coercions) left
//               out
//   categories: every pg_catalog type but arrays (pseudo-types too), "type|typcategory|p" (p
//               when typispreferred)
//   ranges:     pg_range of the built-in range types, "range|subtype|multirange"
#include "schema/pg_builtins.h"

namespace pgdrift::schema::builtin {

const char* const kTypes =
HEADER
  echo "$types" | lines
  echo "    ;"
  echo
  echo "const char* const kStringTypes ="
  echo "$strings" | lines
  echo "    ;"
  echo
  echo "const char* const kCasts ="
  echo "$casts" | lines
  echo "    ;"
  echo
  echo "const char* const kTypeCategories ="
  echo "$categories" | lines
  echo "    ;"
  echo
  echo "const char* const kRanges ="
  echo "$ranges" | lines
  echo "    ;"
  echo
  echo "}  // namespace pgdrift::schema::builtin"
} >"$CASTS_OUT"
{
  cat <<HEADER
// The pg_catalog functions, aggregates and window functions of PostgreSQL $version
// (schema/pg_builtins.h). GENERATED by scripts/gen-builtin-catalog.sh from a PostgreSQL 15
// catalog; do not edit. One line per pg_proc row (prokind f, a, w), ordered by name and oid:
//   name|result|flags|pronargdefaults|argument types
// with types spelled as in schema/builtin_casts.cpp (arrays as element + []) and flags r
// (proretset) and v (provariadic: the last argument is VARIADIC). Then the pg_catalog
// operators (pg_operator, oprkind b and l): name,left,right,result, left empty for prefix ones.
#include "schema/pg_builtins.h"

namespace pgdrift::schema::builtin {

const char* const kFunctions =
HEADER
  echo "$functions" | lines
  echo "    ;"
  echo
  echo "const char* const kOperators ="
  echo "$operators" | lines
  echo "    ;"
  echo
  echo "}  // namespace pgdrift::schema::builtin"
} >"$FUNCTIONS_OUT"
# The repository formats every C++ file (.clang-format).
if command -v clang-format >/dev/null 2>&1; then clang-format -i "$CASTS_OUT" "$FUNCTIONS_OUT"; fi
echo "gen-builtin-catalog: wrote $CASTS_OUT ($(echo "$types" | wc -l) types, $(echo "$casts" | wc -l) casts)"
echo "gen-builtin-catalog: wrote $FUNCTIONS_OUT ($(echo "$functions" | wc -l) functions, $(echo "$operators" | wc -l) operators)"
