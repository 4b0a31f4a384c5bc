// PostgreSQL 15's type conversion rules (documentation chapter 10, "Type Conversion") over its
// own embedded catalog (schema/builtin_casts.cpp, schema/builtin_functions.cpp, generated from
// pg_cast, pg_type and pg_proc by scripts/gen-builtin-catalog.sh): which casts exist and in what
// context, the type categories and preferred types, the signatures of the pg_catalog functions,
// and the function resolution of 10.3 (parse_func.c's func_get_detail / func_select_candidate).
// The canonical form uses it to write the implicit coercions PostgreSQL adds to the arguments of
// built-in function calls without a server (docs/canonical-form.md, rule 19); the planner to
// judge type changes (planner/casts.h).
//
// Types are "resolution types": the canonical type (schema/canonical.h) without typmods, with
// bpchar spelled `character` and arrays as element + "[]" ("integer", "character varying",
// "timestamp with time zone", "text[]", "public.mood"); an untyped literal ('x', NULL) is
// kUnknownType.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgdrift::schema {

inline constexpr const char* kUnknownType = "unknown";

// "character varying(20)" -> "character varying", "numeric(10,2)[]" -> "numeric[]",
// "character(3)" / "bpchar" -> "character", "interval day" -> "interval",
// "timestamp(3) with time zone" -> "timestamp with time zone". "" stays "".
std::string resolution_type(const std::string& canonical_type);
// The SQL spelling of a resolution type for a cast (`character` -> `bpchar`, `bit` -> `"bit"`:
// without typmods those names mean character(1) and bit(1)).
std::string cast_type_sql(const std::string& resolution_type);

// A type of PostgreSQL 15's pg_catalog (element types of pg_cast's table, spelled as
// resolution types): "integer", "character varying", "bit", "\"char\"".
bool is_builtin_element_type(const std::string& type);
// typcategory 'S' (text, character varying, character, name).
bool is_string_category_type(const std::string& type);
// typcategory 'N' (smallint, integer, bigint, real, double precision, numeric(...), money):
// `type` as canonical, typmods allowed.
bool is_numeric_category_type(const std::string& type);
// pg_cast's castcontext for two built-in element types ('i', 'a', 'e'), or 0 when pg_cast has
// no such cast (the type itself included).
char builtin_cast_context(const std::string& from, const std::string& to);

// can_coerce_type(..., COERCION_IMPLICIT) for one non-polymorphic target: the same type, an
// untyped literal, "any", an implicit pg_cast entry, or arrays whose elements coerce so.
bool implicitly_coercible(const std::string& from, const std::string& to);

// select_common_type (10.5, UNION / CASE / ARRAY / COALESCE and anycompatible): the type the
// values of `types` are coerced to, "text" when all are untyped literals; nullopt when they have
// no common type (different categories) or a type is not built-in.
std::optional<std::string> common_type(const std::vector<std::string>& types);

// A call of a pg_catalog function, resolved.
struct ResolvedCall {
  // Per argument, the type PostgreSQL coerces it to (polymorphic parameters replaced by the
  // types they resolve to); "" where it is not coerced at all (a parameter of type "any", which
  // also leaves an untyped literal untyped).
  std::vector<std::string> argument_types;
  // The result type, "" when it cannot be told (a polymorphic result of a range argument).
  std::string result_type;
};
// PostgreSQL's resolution (10.3) of the unqualified call `name(arguments)` among the pg_catalog
// functions, aggregates and window functions of that name, for positional arguments of the
// given resolution types. nullopt when it cannot be decided here: an argument of unknown type
// (""), a type that is not built-in (user types may have casts or overloads of their own), no
// candidate, several (ambiguous), a one-argument call of a type name without exact match (a
// function-style cast), or a polymorphic parameter that stays undetermined.
std::optional<ResolvedCall> resolve_builtin_function(const std::string& name,
                                                     const std::vector<std::string>& arguments);

// The operator resolution of 10.2 among the pg_catalog operators `name`, for one (prefix) or two
// operands; the same cases as above give nullopt.
std::optional<ResolvedCall> resolve_builtin_operator(const std::string& name,
                                                     const std::vector<std::string>& arguments);

}  // namespace pgdrift::schema
