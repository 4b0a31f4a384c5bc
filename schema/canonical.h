// Canonical form: the single place that decides how names, types and expressions are written
// in the model, so that the SQL loader and the live introspector produce identical values.
//
// Both sources go through the same text -> parse tree -> normalised tree -> deparsed text path:
// the loader deparses the sub-tree it holds, the introspector passes what pg_get_expr & co.
// printed. The normalisation removes what PostgreSQL adds on its way into the catalog (casts on
// literals where that keeps the meaning, = ANY(ARRAY[...]) back to IN lists, LIKE turned into ~~,
// BETWEEN expanded, ...). Canonical text is also emitted as DDL, so it stays executable SQL.
// docs/canonical-form.md lists every rule.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

struct PgQuery__Node;
struct PgQuery__TypeName;

namespace pgdrift::schema {

struct Model;
struct Function;

class CanonicalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- identifiers -------------------------------------------------------------------------
// PostgreSQL's quote_ident: quotes unless the name is lower-case [a-z_][a-z0-9_$]* and not a
// reserved / column-name / type-function-name keyword.
std::string quote_ident(const std::string& name);
// quote_ident(schema) + "." + quote_ident(name)
std::string quote_qualified(const std::string& schema, const std::string& name);
// SQL string literal: 'it''s' (E'' form is never needed because standard_conforming_strings).
std::string quote_literal(const std::string& value);

// ---- types ---------------------------------------------------------------------------------
// Canonical type string, as format_type() prints it but with user-defined types always
// schema-qualified: "integer", "character varying(20)", "numeric(12,2)",
// "timestamp with time zone", "integer[]", "public.mood".
// `default_schema` qualifies unqualified non-builtin type names.
std::string canonical_type(const PgQuery__TypeName* type, const std::string& default_schema);
// Same, from text ("int4", "varchar(20)", "public.mood[]", format_type output, ...).
std::string canonical_type_text(const std::string& type_sql, const std::string& default_schema);
// True for the names of types that live in pg_catalog ("int4", "text", "uuid", ...).
bool is_builtin_type_name(const std::string& name);

// The type a type string names, read as canonical_type reads it, through arrays, typmods and
// SETOF: `schema` "" when unqualified ("integer" -> {"pg_catalog", "int4"}, "public.mood[]" ->
// {"public", "mood"}, "uuuid" -> {"", "uuuid"}). Throws CanonicalError when it is not a type
// (the parser's message, or "not a type: ...").
struct TypeReference {
  std::string schema;
  std::string name;
  bool builtin() const;  // a pg_catalog type (unqualified or qualified)
};
TypeReference type_reference(const std::string& type_sql);

// A canonical type string taken apart: "numeric(12,2)[]" -> {"numeric", {12, 2}, array};
// "timestamp(3) with time zone" -> {"timestamp with time zone", {3}}. Quoted names are left
// whole. The one reader of type strings for the planner's casts, preflights and type changes.
struct TypeNameParts {
  std::string base;       // "character varying", "numeric", "public.mood"
  std::vector<int> mods;  // typmods: (20) -> {20}, (12,2) -> {12, 2}
  bool array = false;
};
TypeNameParts split_type_name(const std::string& type);

// ---- expressions ---------------------------------------------------------------------------
// Canonical text of a scalar expression (defaults, CHECK, index expressions and predicates,
// generated columns, policy expressions, trigger WHEN).
std::string canonical_expr(const PgQuery__Node* expr);
std::string canonical_expr_text(const std::string& expr_sql);

// The type of the column named `column_name` of the relation an expression belongs to, as a
// canonical type, or "" when unknown. For a domain-typed column it is the domain's base type
// (through nested domains), which is what PostgreSQL coerces the column to. Domain CHECKs look
// up "value" (the domain's base type).
using ColumnTypes = std::function<std::string(const std::string& column_name)>;
// canonical_expr with the types of the columns the expression references: casts on column
// references are then dropped only where PostgreSQL prints the same without them (`(c)::text`
// for a varchar c, never `tenant_id::text` for a bigint), and a literal's cast facing a column
// only when it is the cast PostgreSQL adds for that column's type. Without types (the overloads
// above, and views) text / varchar / bpchar casts on columns are dropped whatever the column.
// Both sources must pass the same lookup for the same object (docs/canonical-form.md, rule 3).
std::string canonical_expr(const PgQuery__Node* expr, const ColumnTypes& column_types);
std::string canonical_expr_text(const std::string& expr_sql, const ColumnTypes& column_types);

// Canonical text of a column or domain default. Like canonical_expr, except that a bare string
// literal is first cast to `column_type` (a canonical type), as PostgreSQL does when it stores
// the default: `DEFAULT '{}'` on jsonb is `'{}'::jsonb`, `DEFAULT '2020-01-01'` on date is
// `'2020-01-01'::date`, `DEFAULT 't'` on boolean is `true`. For a domain-typed column (and for a
// domain's own default) pass the domain's base type: PostgreSQL casts to that. An empty
// column_type means "unknown" and behaves like canonical_expr.
std::string canonical_default_expr(const PgQuery__Node* expr, const std::string& column_type);
std::string canonical_default_expr_text(const std::string& expr_sql,
                                        const std::string& column_type);

// Canonical text of a query (view / materialized view body): a SELECT statement, deparsed
// after the same normalisation (plus view-specific rules, see docs).
std::string canonical_query(const PgQuery__Node* select_stmt);
std::string canonical_query_text(const std::string& query_sql);

// The columns of relation `schema`.`name` (schema empty when the query did not qualify it), in
// order, or an empty list when unknown. With it, canonical_query expands `SELECT *` over one
// table into its column list, as PostgreSQL does when it stores a view.
using RelationColumns =
    std::function<std::vector<std::string>(const std::string& schema, const std::string& name)>;
std::string canonical_query(const PgQuery__Node* select_stmt,
                            const RelationColumns& relation_columns);

// A view's query with the relations it reads known with their column types (relations_context):
// column references are resolved and typed as in SQL-standard bodies (below; qualified where
// pg_get_viewdef qualifies them), so the cast and coercion rules that need types apply in views
// too (to_timestamp(c) on an integer c is `to_timestamp(c::double precision)`). SELECT * expands
// through `relation_columns` when given, else through the context's relations. Both sources
// must pass the same relations (the model's tables).
struct SqlBodyContext;
std::string canonical_query(const PgQuery__Node* select_stmt, const SqlBodyContext& relations,
                            const RelationColumns& relation_columns);
std::string canonical_query_text(const std::string& query_sql, const SqlBodyContext& relations,
                                 const RelationColumns* relation_columns = nullptr);

// Deparse any expression node as-is (no normalisation), for messages and rendering.
std::string deparse_expr(const PgQuery__Node* expr);

// ---- SQL-standard function bodies ------------------------------------------------------------
// What the canonical form of a SQL-standard body (`RETURN expr`, `BEGIN ATOMIC ... END`) needs
// to know of its function and of the relations it reads.
struct SqlBodyContext {
  std::string function_name;
  // The input parameters ($1 is the first; OUT and TABLE columns are not inputs): name ("" =
  // unnamed) and the type PostgreSQL coerces them from (a domain's base type).
  std::vector<std::pair<std::string, std::string>> parameters;
  // The columns of relation `schema`.`name` (schema empty when the body did not qualify it), in
  // order, each with its expression type ("" when unknown); empty = the relation is unknown.
  std::function<std::vector<std::pair<std::string, std::string>>(const std::string& schema,
                                                                 const std::string& name)>
      relation_columns;
  // The schema unqualified relation names are in (the SQL loader's search schema). A known
  // relation of another schema than public is written qualified, as PostgreSQL prints a relation
  // that the introspector's search_path (pg_catalog, public) does not show.
  std::string unqualified_schema = "public";
};
// The canonical text of a SQL-standard body: `RETURN <expr>`, or `BEGIN ATOMIC` + one line per
// statement (`    <stmt>;`) + `END`. Parameters are referred to by name as
// pg_get_function_sqlbody prints them (qualified with the function name inside a statement that
// reads relations, `$n` only when unnamed), columns qualified as pg_get_viewdef would (only in
// statements that read several relations, and references to an outer query's relation), then
// the query and expression rules (docs/canonical-form.md, "SQL-standard function bodies").
// `sql_body` is CreateFunctionStmt.sql_body (a ReturnStmt, or a List holding the List of
// statements); the text form takes what canonical_sql_body or pg_get_function_sqlbody printed.
std::string canonical_sql_body(const PgQuery__Node* sql_body, const SqlBodyContext& context);
std::string canonical_sql_body_text(const std::string& body_sql, const SqlBodyContext& context);
// The SqlBodyContext of `function` in `model`: its input parameters, and the columns of the
// model's tables, with unqualified relation names taken in `default_schema`. It refers to
// `model`: use it while the model lives.
SqlBodyContext sql_body_context(const Model& model, const Function& function,
                                const std::string& default_schema);
// A SqlBodyContext without function or parameters: the columns of the model's tables, with
// unqualified relation names taken in `default_schema` (canonical_query with relations). It
// refers to `model`: use it while the model lives.
SqlBodyContext relations_context(const Model& model, const std::string& default_schema);
// The statements of a canonical SQL-standard body as the string body of a LANGUAGE sql function
// with the same meaning (`RETURN x` -> `SELECT x`), parsed only when it is called.
std::string sql_body_as_string_body(const std::string& canonical_body);

}  // namespace pgdrift::schema
