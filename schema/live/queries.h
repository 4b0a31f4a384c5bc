// The catalog queries of the live introspector, as named SQL text: one query per object kind,
// each reading that kind for the WHOLE database at once (never a query per table), so the number
// of queries is fixed. introspect.cpp runs them in one read-only REPEATABLE READ snapshot.
//
// Conventions shared by every query:
//  - $1 is the oid[] of the schemas to read: kSchemasQuery lists the non-system schemas, the
//    introspector keeps those the schema filter can select in (schema/filter.h), and every later
//    query only keeps objects whose namespace is in $1;
//  - objects that belong to an extension (pg_depend deptype 'e') are skipped;
//  - lists come back as JSON (json_agg / to_json), parsed with nlohmann::json;
//  - the session runs with search_path = pg_catalog, public, so pg_get_expr & co. print objects
//    of "public" unqualified (the SQL loader's default schema) and everything else qualified.
//    Column, domain and argument types do not depend on that: PGDRIFT_TYPE_TEXT qualifies every
//    non-pg_catalog type itself.
#pragma once

namespace pgdrift::schema::live {

// The type text of (type oid, typmod) expressions: format_type() for pg_catalog types (and
// arrays of them), else "schema"."name" of the type (of the element type for arrays, plus "[]").
// A scalar sub-select, so it needs no join in the query that uses it.
#define PGDRIFT_TYPE_TEXT(type_oid, typmod)                                            \
  "(SELECT CASE WHEN fmt_n.nspname = 'pg_catalog' THEN format_type(fmt_t.oid, " typmod \
  ")"                                                                                  \
  " ELSE quote_ident(fmt_n.nspname) || '.' || quote_ident(fmt_e.typname)"              \
  " || CASE WHEN fmt_e.oid <> fmt_t.oid THEN '[]' ELSE '' END END"                     \
  " FROM pg_catalog.pg_type fmt_t"                                                     \
  " JOIN pg_catalog.pg_type fmt_e ON fmt_e.oid = CASE WHEN fmt_t.typelem <> 0"         \
  "   AND fmt_t.typsubscript = 'pg_catalog.array_subscript_handler'::regproc"          \
  "   THEN fmt_t.typelem ELSE fmt_t.oid END"                                           \
  " JOIN pg_catalog.pg_namespace fmt_n ON fmt_n.oid = fmt_e.typnamespace"              \
  " WHERE fmt_t.oid = " type_oid ")"

// The name of a collation as the model stores it: quote_ident(name), qualified unless it lives in
// pg_catalog. NULL for oid 0.
#define PGDRIFT_COLLATION_NAME(coll_oid)                                                      \
  "(SELECT CASE WHEN coll_n.nspname = 'pg_catalog' THEN quote_ident(coll_c.collname)"         \
  " ELSE quote_ident(coll_n.nspname) || '.' || quote_ident(coll_c.collname) END"              \
  " FROM pg_catalog.pg_collation coll_c JOIN pg_catalog.pg_namespace coll_n ON coll_n.oid = " \
  "coll_c.collnamespace"                                                                      \
  " WHERE coll_c.oid = " coll_oid ")"

// True unless object `oid` of catalog `catalog` was created by an extension.
#define PGDRIFT_NOT_EXTENSION_MEMBER(catalog, oid)                                   \
  "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep WHERE dep.classid = '" catalog \
  "'::regclass AND dep.objid = " oid " AND dep.deptype = 'e')"

// Server and database, for Provenance.
inline constexpr const char* kServerQuery =
    "SELECT split_part(current_setting('server_version'), ' ', 1) AS version,"
    " current_setting('server_version_num')::int AS version_num,"
    " current_database() AS database, current_user AS user_name";

// The schemas that may be read (no parameter: the schema filter's patterns are matched in C++,
// by the same code for every source). Names starting with pg_ are reserved for the system
// (pg_catalog, pg_toast*, pg_temp*). Schemas pgdrift manages itself (the audit log of apply:
// their COMMENT starts with planner/audit.h kManagedSchemaMark, "pgdrift:managed") are not the
// user's schema and are left out.
inline constexpr const char* kSchemasQuery =
    "SELECT n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) AS owner"
    " FROM pg_catalog.pg_namespace n"
    " WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'"
    "   AND coalesce(pg_catalog.obj_description(n.oid, 'pg_namespace'), '')"
    "       NOT LIKE 'pgdrift:managed%'"
    "   AND " PGDRIFT_NOT_EXTENSION_MEMBER("pg_catalog.pg_namespace",
                                           "n.oid") " ORDER BY n.nspname";

// Extensions installed in one of the schemas.
inline constexpr const char* kExtensionsQuery =
    "SELECT x.oid, x.extname, n.nspname"
    " FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace"
    " WHERE n.oid = ANY($1::oid[])";

// Regular and partitioned tables (relkind r, p), with the replica identity's index.
inline constexpr const char* kTablesQuery =
    "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, c.relrowsecurity,"
    " c.relforcerowsecurity, to_json(c.reloptions) AS reloptions, c.relispartition,"
    " pg_catalog.pg_get_userbyid(c.relowner) AS owner,"
    " c.relreplident, (SELECT ri.relname FROM pg_catalog.pg_index x"
    "   JOIN pg_catalog.pg_class ri ON ri.oid = x.indexrelid"
    "   WHERE x.indrelid = c.oid AND x.indisreplident) AS replica_identity_index,"
    " CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,"
    " CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END"
    "   AS partition_bound,"
    " (SELECT json_agg(json_build_array(pn.nspname, pc.relname) ORDER BY i.inhseqno)"
    "  FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent"
    "  JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace"
    "  WHERE i.inhrelid = c.oid) AS parents"
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p') AND n.oid = ANY($1::oid[])"
    "   AND " PGDRIFT_NOT_EXTENSION_MEMBER("pg_catalog.pg_class",
                                           "c.oid") " ORDER BY n.nspname, c.relname";

// Attributes of tables and composite types (relkind r, p, c), in attnum order, with defaults,
// identity sequence options and generated expressions.
inline constexpr const char* kColumnsQuery =
    "SELECT a.attrelid, a.attnum, a.attname, a.attnotnull, a.attndims,"
    " " PGDRIFT_TYPE_TEXT("a.atttypid", "a.atttypmod") " AS type,"
    " CASE WHEN a.attcollation <> ty.typcollation THEN " PGDRIFT_COLLATION_NAME("a.attcollation")
    "   END AS collation,"
    " CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END"
    "   AS default_expr,"
    " CASE WHEN a.attgenerated = 's' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END"
    "   AS generated_expr,"
    " a.attidentity,"
    " pg_catalog.format_type(ids.seqtypid, NULL) AS identity_type, ids.seqstart, ids.seqincrement,"
    " ids.seqmin, ids.seqmax, ids.seqcache, ids.seqcycle"
    " FROM pg_catalog.pg_attribute a"
    " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
    " JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid"
    " LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
    " LEFT JOIN LATERAL (SELECT s.* FROM pg_catalog.pg_depend d"
    "   JOIN pg_catalog.pg_sequence s ON s.seqrelid = d.objid"
    "   WHERE d.classid = 'pg_catalog.pg_class'::regclass"
    "     AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = a.attrelid"
    "     AND d.refobjsubid = a.attnum AND d.deptype = 'i' LIMIT 1) ids ON a.attidentity <> ''"
    " WHERE c.relkind IN ('r', 'p', 'c') AND c.relnamespace = ANY($1::oid[])"
    "   AND a.attnum > 0 AND NOT a.attisdropped"
    " ORDER BY a.attrelid, a.attnum";

// Every index of the tables and materialized views, constraint-backed or not, with its keys as
// JSON. Indexes PostgreSQL clones onto partitions are included, like the SQL loader does, with
// the name of the parent's index they are attached to.
// Per key: column name (plain column) or expression, non-default opclass, collation when it is
// not the column's, indoption bits (1 = DESC, 2 = NULLS FIRST); keys past indnkeyatts are
// INCLUDE columns. `valid` is false for an INVALID index (model.h Index::valid), never for a
// partitioned one (relkind 'I'), which is INVALID exactly while a partition has no index
// attached to it.
inline constexpr const char* kIndexesQuery =
    "SELECT i.indexrelid, i.indrelid, ic.relname, i.indisunique, i.indnullsnotdistinct,"
    " (ic.relkind = 'I' OR (i.indisvalid AND i.indisready)) AS valid,"
    " am.amname, i.indnkeyatts, to_json(ic.reloptions) AS reloptions,"
    " pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,"
    " pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) AS definition,"
    " (SELECT pi.relname FROM pg_catalog.pg_inherits h"
    "   JOIN pg_catalog.pg_class pi ON pi.oid = h.inhparent WHERE h.inhrelid = i.indexrelid)"
    "   AS parent_index,"
    " EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = i.indexrelid"
    "   AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')) AS constraint_backed,"
    " (SELECT json_agg(json_build_object("
    "    'column', CASE WHEN i.indkey[k.n] <> 0 THEN att.attname END,"
    "    'expr', CASE WHEN i.indkey[k.n] = 0"
    "      THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.n + 1, true) END,"
    "    'opclass', CASE WHEN NOT opc.opcdefault THEN"
    "      CASE WHEN opn.nspname IN ('pg_catalog', 'public') THEN quote_ident(opc.opcname)"
    "      ELSE quote_ident(opn.nspname) || '.' || quote_ident(opc.opcname) END END,"
    "    'collation', CASE WHEN i.indcollation[k.n] <> 0 AND i.indcollation[k.n] <>"
    "      COALESCE(att.attcollation, 100) THEN " PGDRIFT_COLLATION_NAME("i.indcollation[k.n]")
    "      END,"
    "    'option', i.indoption[k.n]) ORDER BY k.n)"
    "  FROM generate_series(0, i.indnatts - 1) AS k(n)"
    "  LEFT JOIN pg_catalog.pg_attribute att ON att.attrelid = i.indrelid"
    "    AND att.attnum = i.indkey[k.n]"
    "  LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[k.n]"
    "  LEFT JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace) AS keys"
    " FROM pg_catalog.pg_index i"
    " JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
    " JOIN pg_catalog.pg_class c ON c.oid = i.indrelid"
    " JOIN pg_catalog.pg_am am ON am.oid = ic.relam"
    " WHERE c.relkind IN ('r', 'p', 'm') AND c.relnamespace = ANY($1::oid[])"
    "   AND " PGDRIFT_NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")
    " ORDER BY i.indrelid, ic.relname";

// Table constraints (p, u, c, f, x), including the ones PostgreSQL copies onto partitions and
// inheritance children: the SQL loader models them on every table that has them, as the catalog
// does. Skipped: the extra rows an FK gets for each partition of the table it references (same
// conrelid as their parent constraint, same name). Index details (INCLUDE, NULLS NOT DISTINCT,
// exclusion elements) come from kIndexesQuery via conindid; exclusion operators are listed here.
inline constexpr const char* kConstraintsQuery =
    "SELECT con.oid, con.conrelid, con.conname, con.contype, con.condeferrable, con.condeferred,"
    " con.convalidated, con.connoinherit, con.conindid,"
    " CASE WHEN con.conparentid <> 0 THEN (SELECT pc.conname FROM pg_catalog.pg_constraint pc"
    "   WHERE pc.oid = con.conparentid) WHEN con.coninhcount > 0 THEN con.conname END"
    "   AS parent_constraint,"
    " (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY"
    "   AS k(attnum, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid"
    "   AND a.attnum = k.attnum) AS columns,"
    " CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END"
    "   AS check_expr,"
    " rn.nspname AS ref_schema, rc.relname AS ref_table,"
    " (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY"
    "   AS k(attnum, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid"
    "   AND a.attnum = k.attnum) AS ref_columns,"
    " con.confupdtype, con.confdeltype, con.confmatchtype,"
    " (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(con.confdelsetcols) WITH ORDINALITY"
    "   AS k(attnum, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid"
    "   AND a.attnum = k.attnum) AS delete_set_columns,"
    " (SELECT json_agg(CASE WHEN opn.nspname = 'pg_catalog' THEN op.oprname"
    "   ELSE 'OPERATOR(' || quote_ident(opn.nspname) || '.' || op.oprname || ')' END"
    "   ORDER BY k.ord)"
    "   FROM unnest(con.conexclop) WITH ORDINALITY AS k(opoid, ord)"
    "   JOIN pg_catalog.pg_operator op ON op.oid = k.opoid"
    "   JOIN pg_catalog.pg_namespace opn ON opn.oid = op.oprnamespace) AS exclusion_ops"
    " FROM pg_catalog.pg_constraint con"
    " JOIN pg_catalog.pg_class c ON c.oid = con.conrelid"
    " LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid"
    " LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace"
    " WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND c.relkind IN ('r', 'p')"
    "   AND c.relnamespace = ANY($1::oid[])"
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint parent"
    "     WHERE parent.oid = con.conparentid AND parent.conrelid = con.conrelid)"
    " ORDER BY con.conrelid, con.conname";

// Sequences that are not identity sequences (those belong to their column), with the column
// that owns them (pg_depend deptype 'a').
inline constexpr const char* kSequencesQuery =
    "SELECT c.oid, n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL) AS data_type,"
    " s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,"
    " own.nspname AS owner_schema, own.relname AS owner_table, own.attname AS owner_column,"
    " pg_catalog.pg_get_userbyid(c.relowner) AS owner"
    " FROM pg_catalog.pg_sequence s"
    " JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " LEFT JOIN LATERAL (SELECT tn.nspname, tc.relname, ta.attname FROM pg_catalog.pg_depend d"
    "   JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid"
    "   JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace"
    "   JOIN pg_catalog.pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid"
    "   WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid"
    "     AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'a'"
    "     AND d.refobjsubid > 0 LIMIT 1) own ON true"
    " WHERE n.oid = ANY($1::oid[])"
    "   AND " PGDRIFT_NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    "     WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid"
    "       AND d.deptype = 'i')";

// Enum types with their labels in sort order.
inline constexpr const char* kEnumsQuery =
    "SELECT t.oid, n.nspname, t.typname, pg_catalog.pg_get_userbyid(t.typowner) AS owner,"
    " (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e"
    "  WHERE e.enumtypid = t.oid) AS labels"
    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
    " WHERE t.typtype = 'e' AND n.oid = ANY($1::oid[])"
    "   AND " PGDRIFT_NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid");

// Stand-alone composite types (CREATE TYPE ... AS (...)); attributes come from kColumnsQuery.
inline constexpr const char* kCompositeTypesQuery =
    "SELECT t.oid, t.typrelid, n.nspname, t.typname,"
    " pg_catalog.pg_get_userbyid(t.typowner) AS owner"
    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
    " JOIN pg_catalog.pg_class c ON c.oid = t.typrelid"
    " WHERE t.typtype = 'c' AND c.relkind = 'c' AND n.oid = ANY($1::oid[])"
    "   AND " PGDRIFT_NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid");

// Domains: base type, collation (when not the base type's), default, NOT NULL.
inline constexpr const char* kDomainsQuery =
    "SELECT t.oid, n.nspname, t.typname, pg_catalog.pg_get_userbyid(t.typowner) AS owner,"
    " " PGDRIFT_TYPE_TEXT("t.typbasetype", "t.typtypmod") " AS base_type,"
    " CASE WHEN t.typcollation <> bt.typcollation THEN " PGDRIFT_COLLATION_NAME("t.typcollation")
    "   END AS collation,"
    " pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS default_expr, t.typnotnull"
    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
    " JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype"
    " WHERE t.typtype = 'd' AND n.oid = ANY($1::oid[])"
    "   AND " PGDRIFT_NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid");

// CHECK constraints of domains.
inline constexpr const char* kDomainConstraintsQuery =
    "SELECT con.oid, con.contypid, con.conname, pg_catalog.pg_get_expr(con.conbin, 0) AS expr,"
    " con.convalidated, con.condeferrable, con.condeferred"
    " FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_type t ON t.oid = con.contypid"
    " WHERE con.contype = 'c' AND t.typnamespace = ANY($1::oid[])";

// Views and materialized views.
inline constexpr const char* kViewsQuery =
    "SELECT c.oid, n.nspname, c.relname, c.relkind, to_json(c.reloptions) AS reloptions,"
    " c.relispopulated, pg_catalog.pg_get_viewdef(c.oid, true) AS definition,"
    " pg_catalog.pg_get_userbyid(c.relowner) AS owner"
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('v', 'm') AND n.oid = ANY($1::oid[])"
    "   AND " PGDRIFT_NOT_EXTENSION_MEMBER("pg_catalog.pg_class",
                                           "c.oid") " ORDER BY n.nspname, c.relname";

// Functions and procedures (prokind f, p; aggregates and window functions are skipped). The
// arguments come as JSON in proallargtypes order (proargtypes when there are no OUT args).
// procost / prorows come raw; the model's 0 = "the language default" is decided in C++. A
// SQL-standard body (prosqlbody, PostgreSQL 14+) comes as pg_get_function_sqlbody prints it.
inline constexpr const char* kFunctionsQuery =
    "SELECT p.oid, n.nspname, p.proname, p.prokind, l.lanname, p.prosrc, p.provolatile,"
    " CASE WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_function_sqlbody(p.oid) END"
    "   AS sql_body,"
    " p.proisstrict, p.prosecdef, p.proleakproof, p.proparallel, p.procost, p.prorows,"
    " p.proretset, to_json(p.proconfig) AS config,"
    " pg_catalog.pg_get_userbyid(p.proowner) AS owner,"
    " " PGDRIFT_TYPE_TEXT("p.prorettype", "NULL") " AS return_type,"
    " (SELECT json_agg(json_build_object("
    "    'mode', COALESCE(p.proargmodes[a.n], 'i'),"
    "    'name', COALESCE(p.proargnames[a.n], ''),"
    "    'type', " PGDRIFT_TYPE_TEXT("a.typ", "NULL") ","
    "    'default', pg_catalog.pg_get_function_arg_default(p.oid, a.n::int)) ORDER BY a.n)"
    "  FROM unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY"
    "    AS a(typ, n)) AS arguments"
    " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
    " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
    " WHERE p.prokind IN ('f', 'p') AND n.oid = ANY($1::oid[])"
    "   AND " PGDRIFT_NOT_EXTENSION_MEMBER("pg_catalog.pg_proc", "p.oid")
    " ORDER BY n.nspname, p.proname, p.oid";

// A function (regproc oid) as an aggregate option names it in the model: quote_ident(name) for a
// pg_catalog function, else "schema"."name". NULL for oid 0 (no such function).
#define PGDRIFT_ROUTINE_NAME(proc_oid)                                           \
  "(SELECT CASE WHEN rn_n.nspname = 'pg_catalog' THEN quote_ident(rn_p.proname)" \
  " ELSE quote_ident(rn_n.nspname) || '.' || quote_ident(rn_p.proname) END"      \
  " FROM pg_catalog.pg_proc rn_p JOIN pg_catalog.pg_namespace rn_n"              \
  " ON rn_n.oid = rn_p.pronamespace WHERE rn_p.oid = " proc_oid "::oid)"

// Aggregates (prokind a) with their pg_aggregate row: support functions by name, state types
// as type text, the kind ('n' normal, 'o' ordered-set, 'h' hypothetical) and the number of
// direct arguments; arguments (names, VARIADIC) as for functions; the sort operator as the
// model writes it ("<" for pg_catalog's, else OPERATOR(schema.op)).
inline constexpr const char* kAggregatesQuery =
    "SELECT p.oid, n.nspname, p.proname, p.proparallel, a.aggkind, a.aggnumdirectargs,"
    " " PGDRIFT_ROUTINE_NAME("a.aggtransfn") " AS state_function,"
    " " PGDRIFT_ROUTINE_NAME("a.aggfinalfn") " AS final_function,"
    " " PGDRIFT_ROUTINE_NAME("a.aggcombinefn") " AS combine_function,"
    " " PGDRIFT_ROUTINE_NAME("a.aggserialfn") " AS serial_function,"
    " " PGDRIFT_ROUTINE_NAME("a.aggdeserialfn") " AS deserial_function,"
    " " PGDRIFT_ROUTINE_NAME("a.aggmtransfn") " AS moving_state_function,"
    " " PGDRIFT_ROUTINE_NAME("a.aggminvtransfn") " AS moving_inverse_function,"
    " " PGDRIFT_ROUTINE_NAME("a.aggmfinalfn") " AS moving_final_function,"
    " a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify, a.aggmfinalmodify,"
    " a.aggtransspace, a.aggmtransspace, a.agginitval, a.aggminitval,"
    " " PGDRIFT_TYPE_TEXT("a.aggtranstype", "NULL") " AS state_type,"
    " CASE WHEN a.aggmtranstype <> 0 THEN " PGDRIFT_TYPE_TEXT("a.aggmtranstype", "NULL")
    "   END AS moving_state_type,"
    " (SELECT CASE WHEN opn.nspname = 'pg_catalog' THEN op.oprname"
    "   ELSE 'OPERATOR(' || quote_ident(opn.nspname) || '.' || op.oprname || ')' END"
    "   FROM pg_catalog.pg_operator op JOIN pg_catalog.pg_namespace opn"
    "   ON opn.oid = op.oprnamespace WHERE op.oid = a.aggsortop) AS sort_operator,"
    " (SELECT json_agg(json_build_object("
    "    'mode', COALESCE(p.proargmodes[g.n], 'i'),"
    "    'name', COALESCE(p.proargnames[g.n], ''),"
    "    'type', " PGDRIFT_TYPE_TEXT("g.typ", "NULL") ") ORDER BY g.n)"
    "  FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS g(typ, n)) AS arguments"
    " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
    " JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid"
    " WHERE p.prokind = 'a' AND n.oid = ANY($1::oid[])"
    "   AND " PGDRIFT_NOT_EXTENSION_MEMBER("pg_catalog.pg_proc", "p.oid")
    " ORDER BY n.nspname, p.proname, p.oid";

// Collations. The version (collversion) is the library's, not the schema's, and is not read.
inline constexpr const char* kCollationsQuery =
    "SELECT c.oid, n.nspname, c.collname, c.collprovider, c.collcollate, c.collctype,"
    " c.colliculocale, c.collisdeterministic"
    " FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace"
    " WHERE n.oid = ANY($1::oid[])"
    "   AND " PGDRIFT_NOT_EXTENSION_MEMBER("pg_catalog.pg_collation",
                                           "c.oid") " ORDER BY n.nspname, c.collname";

// User triggers of tables and views: internal ones (FK enforcement) and clones on partitions
// (tgparentid <> 0) are skipped. tgargs comes hex-encoded (NUL-separated strings);
// pg_get_triggerdef supplies the WHEN clause.
inline constexpr const char* kTriggersQuery =
    "SELECT tg.oid, tg.tgrelid, tg.tgname, tg.tgtype,"
    " (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(tg.tgattr::int2[]) WITH ORDINALITY"
    "   AS k(attnum, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = tg.tgrelid"
    "   AND a.attnum = k.attnum) AS update_columns,"
    " fn.nspname AS function_schema, f.proname AS function_name,"
    " encode(tg.tgargs, 'hex') AS args_hex, tg.tgnargs, tg.tgconstraint <> 0 AS is_constraint,"
    " tg.tgdeferrable, tg.tginitdeferred, tg.tgoldtable, tg.tgnewtable, tg.tgenabled,"
    " tg.tgqual IS NOT NULL AS has_when, pg_catalog.pg_get_triggerdef(tg.oid, true) AS definition"
    " FROM pg_catalog.pg_trigger tg"
    " JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid"
    " JOIN pg_catalog.pg_proc f ON f.oid = tg.tgfoid"
    " JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace"
    " WHERE NOT tg.tgisinternal AND tg.tgparentid = 0 AND c.relnamespace = ANY($1::oid[])"
    " ORDER BY tg.tgrelid, tg.tgname";

// Row-level security policies. Roles: 0 is PUBLIC ("public" in the model).
inline constexpr const char* kPoliciesQuery =
    "SELECT pol.oid, pol.polrelid, pol.polname, pol.polpermissive, pol.polcmd,"
    " (SELECT json_agg(CASE WHEN r.oid = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r.oid)"
    "   END) FROM unnest(pol.polroles) AS r(oid)) AS roles,"
    " pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) AS using_expr,"
    " pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) AS check_expr"
    " FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid"
    " WHERE c.relnamespace = ANY($1::oid[])";

// Privileges from the ACLs of relations, columns, schemas and functions (aggregates included).
// Grants to the owner are implicit and skipped, as is the default EXECUTE for PUBLIC on functions.
// Column grants are grouped per (relation, grantee, privilege, grant option), with the columns
// sorted. Rows come in ACL order (an object's items as PostgreSQL keeps them; column ACLs after
// the object's own). Rows: catalog ('pg_class' | 'pg_namespace' | 'pg_proc'), object oid, grantee,
// privilege, grantable, columns (JSON, NULL for whole-object grants).
inline constexpr const char* kPrivilegesQuery =
    "WITH acl AS ("
    "  SELECT 'pg_class' AS catalog, c.oid, NULL::name AS column_name, c.relowner AS owner, e.*"
    "  FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) WITH ORDINALITY e"
    "  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relnamespace = ANY($1::oid[])"
    "  UNION ALL"
    "  SELECT 'pg_class', c.oid, a.attname, c.relowner, e.grantor, e.grantee, e.privilege_type,"
    "    e.is_grantable, 1000000 + e.ordinality"
    "  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid,"
    "    pg_catalog.aclexplode(a.attacl) WITH ORDINALITY e"
    "  WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped"
    "    AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relnamespace = ANY($1::oid[])"
    "  UNION ALL"
    "  SELECT 'pg_namespace', n.oid, NULL, n.nspowner, e.*"
    "  FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) WITH ORDINALITY e"
    "  WHERE n.oid = ANY($1::oid[])"
    "  UNION ALL"
    "  SELECT 'pg_proc', p.oid, NULL, p.proowner, e.*"
    "  FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) WITH ORDINALITY e"
    "  WHERE p.pronamespace = ANY($1::oid[])"
    ")"
    " SELECT acl.catalog, acl.oid,"
    "  CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(acl.grantee) END"
    "    AS grantee,"
    "  acl.privilege_type, acl.is_grantable,"
    "  json_agg(acl.column_name ORDER BY acl.column_name)"
    "    FILTER (WHERE acl.column_name IS NOT NULL) AS columns"
    " FROM acl"
    " WHERE acl.grantee <> acl.owner"
    "   AND NOT (acl.catalog = 'pg_proc' AND acl.grantee = 0 AND acl.privilege_type = 'EXECUTE')"
    " GROUP BY acl.catalog, acl.oid, acl.grantee, acl.privilege_type, acl.is_grantable,"
    "   acl.column_name IS NULL"
    " ORDER BY acl.catalog, acl.oid, min(acl.ordinality)";

// Default privileges (ALTER DEFAULT PRIVILEGES), for every schema or one of those read, one row
// per privilege: the creating role's own are left out, as are the grants of objects to their
// owner; a role that is the connected user is '' (the model's "the role that runs the SQL").
// A global entry (no schema) may grant nothing: the built-in defaults it revoked. Object
// types as pg_default_acl.defaclobjtype: r TABLES, S SEQUENCES, f FUNCTIONS, T TYPES,
// n SCHEMAS.
inline constexpr const char* kDefaultPrivilegesQuery =
    "SELECT d.oid,"
    " CASE WHEN d.defaclrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)"
    "   THEN '' ELSE pg_catalog.pg_get_userbyid(d.defaclrole) END AS role,"
    " COALESCE(n.nspname, '') AS schema, d.defaclobjtype AS object_type,"
    " CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END"
    "   AS grantee,"
    " a.privilege_type, a.is_grantable"
    " FROM pg_catalog.pg_default_acl d"
    " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace"
    " LEFT JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) a ON a.grantee <> d.defaclrole"
    " WHERE d.defaclnamespace = 0 OR d.defaclnamespace = ANY($1::oid[])"
    " ORDER BY d.oid";

// Comments on every kind of object the model holds. For pg_class rows with objsubid > 0 the
// column name is given. Filtering by schema happens in C++: a comment whose object was not
// read has nowhere to go.
inline constexpr const char* kCommentsQuery =
    "SELECT d.classoid::regclass::text AS catalog, d.objoid, d.objsubid, d.description,"
    " a.attname"
    " FROM pg_catalog.pg_description d"
    " LEFT JOIN pg_catalog.pg_attribute a ON d.classoid = 'pg_catalog.pg_class'::regclass"
    "   AND a.attrelid = d.objoid AND a.attnum = d.objsubid AND d.objsubid > 0"
    " WHERE d.objoid >= 16384"  // FirstNormalObjectId: skips the built-in objects' comments
    "   AND d.classoid IN ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_constraint'::regclass,"
    "   'pg_catalog.pg_trigger'::regclass, 'pg_catalog.pg_policy'::regclass,"
    "   'pg_catalog.pg_namespace'::regclass, 'pg_catalog.pg_proc'::regclass,"
    "   'pg_catalog.pg_type'::regclass, 'pg_catalog.pg_extension'::regclass,"
    "   'pg_catalog.pg_collation'::regclass)"
    // CREATE EXTENSION sets the comment of the extension's control file: not user-written.
    "   AND NOT (d.classoid = 'pg_catalog.pg_extension'::regclass AND d.description IS NOT"
    "     DISTINCT FROM (SELECT ae.comment FROM pg_catalog.pg_extension x"
    "     JOIN pg_catalog.pg_available_extensions ae ON ae.name = x.extname"
    "     WHERE x.oid = d.objoid))";

// The fragments above only build the query texts.
#undef PGDRIFT_TYPE_TEXT
#undef PGDRIFT_COLLATION_NAME
#undef PGDRIFT_NOT_EXTENSION_MEMBER
#undef PGDRIFT_ROUTINE_NAME

}  // namespace pgdrift::schema::live
