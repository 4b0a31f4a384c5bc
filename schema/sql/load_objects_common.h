// Internal to the SQL loader: small helpers shared by the loaders of non-table objects
// (sequences, types, views, functions, triggers, policies, grants, drops, comments).
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/model.h"
#include "schema/sql/load_context.h"

namespace pgdrift::schema::sql::objects {

// The text of a String node ("" for any other node).
std::string string_value(const PgQuery__Node* node);
// The String items of a List-like repeated field, e.g. a qualified name.
std::vector<std::string> string_list(size_t n, PgQuery__Node* const* items);

// A schema-qualified object name.
struct QualifiedName {
  std::string schema;
  std::string name;
  std::string key() const { return qualified_key(schema, name); }
};

// [schema.]name from a list of String nodes (a leading catalog name is ignored); unqualified
// names take ctx.search_schema.
QualifiedName qualified_name(const LoadContext& ctx, size_t n, PgQuery__Node* const* items);
QualifiedName qualified_name(const LoadContext& ctx, const PgQuery__List* list);
QualifiedName qualified_name(const LoadContext& ctx, const PgQuery__TypeName* type);

// DefElem argument values.
std::string defelem_string(const PgQuery__DefElem* elem);  // String / keyword / number text
std::optional<int64_t> defelem_int(const PgQuery__DefElem* elem);
double defelem_number(const PgQuery__DefElem* elem);
bool defelem_bool(const PgQuery__DefElem* elem);  // missing argument = true

// Collation of a COLLATE clause as the model stores it: quoted name, pg_catalog dropped.
std::string collation_name(const PgQuery__CollateClause* clause);

// Role name as stored in grants and policies; nullopt for CURRENT_USER & co.
std::optional<std::string> role_name(const PgQuery__RoleSpec* role);

// Function lookup by ObjectWithArgs (name with or without argument types). Returns the
// function_key of the match, "" when none; fails when the name alone is ambiguous.
std::string find_function(LoadContext& ctx, const PgQuery__ObjectWithArgs* func, int location);

// Upper-case ASCII copy.
std::string upper(std::string text);
std::string lower(std::string text);

}  // namespace pgdrift::schema::sql::objects
