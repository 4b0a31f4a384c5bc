// Internal to the SQL loader: the one toolkit for reading libpg_query parse-tree pieces into
// model values (strings and names, DefElem arguments, collations, roles, referenced columns,
// canonical text with located errors). Every loader takes its node readers from here; lists are
// always passed as (nodes, count), the order protobuf-c stores them in.
//
// The plain readers the canonical form needs as well (string_value, string_list, last_name and
// the tree walk) are defined once in schema/parse_tree.h, which schema/ itself can include, and
// are brought into this namespace below.
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schema/canonical.h"
#include "schema/model.h"
#include "schema/parse_tree.h"
#include "schema/sql/load_context.h"

namespace pgdrift::schema::sql {

// ---- strings and names -----------------------------------------------------------------------
using parse_tree::last_name;     // string_value of the last node ("" for none)
using parse_tree::string_list;   // string_value of each node
using parse_tree::string_value;  // sval of a String node, "" for anything else
using parse_tree::visit_nodes;   // every Node under a message, pre-order

// The text of a string literal ('...'), nullopt for any other node.
std::optional<std::string> string_constant(const PgQuery__Node* node);

// The name parts of an object named by a List of Strings, a String, or a TypeName (the
// `object` of DROP, COMMENT ON, ...); empty for anything else, null included.
std::vector<std::string> object_name_parts(const PgQuery__Node* object);

// A schema-qualified object name.
struct QualifiedName {
  std::string schema;
  std::string name;
  std::string key() const { return qualified_key(schema, name); }
};

// [catalog.][schema.]name from its parts (a leading catalog name is ignored); an unqualified
// name takes ctx.search_schema, no parts give {ctx.search_schema, ""}.
QualifiedName qualified_name(const LoadContext& ctx, const std::vector<std::string>& parts);
// The same from a list of String nodes, a List node's items, or a TypeName's names.
QualifiedName qualified_name(const LoadContext& ctx, PgQuery__Node* const* nodes, size_t count);
QualifiedName qualified_name(const LoadContext& ctx, const PgQuery__List* list);
QualifiedName qualified_name(const LoadContext& ctx, const PgQuery__TypeName* type);

// Canonical collation name of a COLLATE clause as the model stores it: quote_ident(name), or
// schema-qualified when the schema is not pg_catalog or the unqualified name is a collation of
// the model in ctx.search_schema; "" for no names (or no clause).
std::string collation_name(const LoadContext& ctx, PgQuery__Node* const* names, size_t count);
std::string collation_name(const LoadContext& ctx, const PgQuery__CollateClause* clause);

// A function named by an aggregate (SFUNC, FINALFUNC, ...), as the model stores it: schema.name
// quoted, or the bare quoted name of a pg_catalog function; an unqualified name is a function
// of the model in ctx.search_schema if there is one, else a built-in.
std::string routine_name(const LoadContext& ctx, const std::vector<std::string>& parts);

// Role name as stored in grants and policies; nullopt for CURRENT_USER & co.
std::optional<std::string> role_name(const PgQuery__RoleSpec* role);

// Function lookup by ObjectWithArgs (name with or without argument types). Returns the
// function_key of the match, "" when none; fails when the name alone is ambiguous.
std::string find_function(LoadContext& ctx, const PgQuery__ObjectWithArgs* func, int location);
// Aggregate lookup by ObjectWithArgs (all argument types, ORDER BY ones included, as the
// grammar lists them; none for `(*)`). The aggregate_key of the match, "" when none.
std::string find_aggregate(LoadContext& ctx, const PgQuery__ObjectWithArgs* func, int location);

// ---- DefElem arguments -----------------------------------------------------------------------
// String / keyword / number / boolean text, the last name of a TypeName; "" without argument.
std::string defelem_string(const PgQuery__DefElem* elem);
// An option's value as reloptions store it: defelem_string, "true" without argument
// (WITH (autovacuum_enabled) means true).
std::string option_value(const PgQuery__DefElem* elem);
// Integer (or Float holding the digits of a value beyond int32); nullopt otherwise.
std::optional<int64_t> defelem_int(const PgQuery__DefElem* elem);
// An integer the option requires (Integer, Float, or String holding a number): fails the load
// with "<name> requires a value" / "invalid value for <name>" otherwise.
int64_t def_int(const LoadContext& ctx, const PgQuery__DefElem* def);
double defelem_number(const PgQuery__DefElem* elem);
bool defelem_bool(const PgQuery__DefElem* elem);  // missing argument = true

// Reloptions of WITH (...) / SET (...): name -> option_value ("fillfactor" -> "70"; a namespace
// prefix is kept: "toast.autovacuum_enabled").
std::map<std::string, std::string> relation_options(LoadContext& ctx, PgQuery__Node* const* defs,
                                                    size_t count);

// ---- expressions -----------------------------------------------------------------------------
// Distinct column names referenced by an expression (ColumnRef nodes), in first-seen order.
std::vector<std::string> referenced_columns(const PgQuery__Node* expr);
// Distinct column names referenced by canonical expression text (parsed again).
std::vector<std::string> expr_text_columns(const std::string& expr_sql);

// canonical_expr / canonical_type, with a CanonicalError turned into a load error (at the
// statement for an expression, at the type name for a type).
std::string located_canonical_expr(const LoadContext& ctx, const PgQuery__Node* expr,
                                   const ColumnTypes& column_types);
std::string located_canonical_type(const LoadContext& ctx, const PgQuery__TypeName* type);

// ---- text ------------------------------------------------------------------------------------
// Upper- / lower-case ASCII copies.
std::string upper(std::string text);
std::string lower(std::string text);

}  // namespace pgdrift::schema::sql
