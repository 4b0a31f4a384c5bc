// Cast routes between built-in types (planner/casts.h), from the generated catalog lists that
// schema/type_conversion.h reads.
#include "planner/casts.h"

#include "schema/canonical.h"
#include "schema/type_conversion.h"

namespace pgdrift::planner {

namespace {

// "numeric(12,2)[]" -> {numeric, array}; "timestamp(3) with time zone" -> timestamp with time
// zone; "interval year to month" -> interval (the fields do not change what casts exist).
schema::TypeNameParts parts(const std::string& type) {
  schema::TypeNameParts p = schema::split_type_name(type);
  if (p.base.rfind("interval ", 0) == 0) p.base = "interval";
  return p;
}

// Element to element (both built-in).
CastRoute element_route(const std::string& a, const std::string& b) {
  if (a == b) return CastRoute::Same;
  if (char context = schema::builtin_cast_context(a, b))
    return context == 'i'   ? CastRoute::Implicit
           : context == 'a' ? CastRoute::Assignment
                            : CastRoute::Explicit;
  if (schema::is_string_category_type(b)) return CastRoute::IoToString;
  if (schema::is_string_category_type(a)) return CastRoute::IoFromString;
  return CastRoute::None;
}

}  // namespace

bool is_builtin_type(const std::string& base) { return schema::is_builtin_element_type(base); }

std::string cast_route_name(CastRoute route) {
  switch (route) {
    case CastRoute::Same:
      return "same type";
    case CastRoute::Implicit:
      return "implicit cast";
    case CastRoute::Assignment:
      return "assignment cast";
    case CastRoute::Explicit:
      return "explicit cast";
    case CastRoute::IoToString:
      return "I/O conversion to a string type";
    case CastRoute::IoFromString:
      return "I/O conversion from a string type";
    case CastRoute::None:
      return "no cast";
    case CastRoute::Unknown:
      return "unknown";
  }
  return "unknown";
}

CastRoute cast_route(const std::string& from, const std::string& to) {
  schema::TypeNameParts a = parts(from), b = parts(to);
  // Any type (arrays, user types) converts to a string type, and from one to any type.
  bool to_string = !b.array && schema::is_string_category_type(b.base);
  bool from_string = !a.array && schema::is_string_category_type(a.base);
  if (!is_builtin_type(a.base) || !is_builtin_type(b.base)) {
    if (to_string && !(a.base == b.base && a.array == b.array)) return CastRoute::IoToString;
    if (from_string && !(a.base == b.base && a.array == b.array)) return CastRoute::IoFromString;
    return CastRoute::Unknown;
  }
  if (a.array == b.array) return element_route(a.base, b.base);
  if (to_string) return CastRoute::IoToString;
  if (from_string) return CastRoute::IoFromString;
  return CastRoute::None;
}

}  // namespace pgdrift::planner
