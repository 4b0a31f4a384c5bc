// How PostgreSQL 15 converts a value of one built-in type to another, from its own catalog
// (schema/builtin_casts.cpp, generated from pg_cast by scripts/gen-builtin-catalog.sh, read by
// schema/type_conversion.h). The
// planner refuses, at plan time, an ALTER COLUMN ... TYPE that has no route at all: such a
// statement fails for every table, even an empty one ("cannot cast type uuid to integer").
#pragma once

#include <string>

namespace pgdrift::planner {

enum class CastRoute {
  Same,          // the same type (typmods may differ: a length coercion)
  Implicit,      // pg_cast, context i
  Assignment,    // pg_cast, context a (ALTER COLUMN TYPE needs no USING)
  Explicit,      // pg_cast, context e (needs USING c::type)
  IoToString,    // no pg_cast entry, target is a string type: I/O conversion, assignment
  IoFromString,  // no pg_cast entry, source is a string type: I/O conversion, explicit
  None,          // two built-in types and no route: PostgreSQL cannot convert
  Unknown,       // a type that is not built-in (enum, domain, composite, extension type)
};

// `from` and `to` are canonical type strings (format_type spelling, typmods and [] allowed).
// Arrays convert element by element (PostgreSQL's array coercion); an array to or from a
// scalar only through the I/O conversion to or from a string type. A route through a type
// the catalog does not list (user and extension types) is Unknown, never None. User-defined
// casts between built-in types (CREATE CAST by a superuser) are not seen.
CastRoute cast_route(const std::string& from, const std::string& to);
std::string cast_route_name(CastRoute route);

// "integer", "character varying", "bit", "\"char\"": a type of PostgreSQL 15's pg_catalog
// (element types, spelled as the model spells them without typmods).
bool is_builtin_type(const std::string& base);

}  // namespace pgdrift::planner
