// Cast routes between built-in types (planner/casts.h), from the generated catalog lists.
#include "planner/casts.h"

#include "schema/canonical.h"

#include <map>
#include <set>
#include <sstream>
#include <utility>

namespace pgdrift::planner {

namespace {

struct Catalog {
  std::set<std::string> types;
  std::set<std::string> strings;
  std::map<std::pair<std::string, std::string>, char> casts;  // -> context i | a | e

  Catalog() {
    auto each_line = [](const char* text, auto&& f) {
      std::istringstream in(text);
      std::string line;
      while (std::getline(in, line))
        if (!line.empty()) f(line);
    };
    each_line(builtin::kTypes, [&](const std::string& l) { types.insert(l); });
    each_line(builtin::kStringTypes, [&](const std::string& l) { strings.insert(l); });
    each_line(builtin::kCasts, [&](const std::string& l) {
      size_t a = l.find('|'), b = l.rfind('|');
      if (a == std::string::npos || b == a || b + 1 >= l.size()) return;
      casts[{l.substr(0, a), l.substr(a + 1, b - a - 1)}] = l[b + 1];
    });
  }
};

const Catalog& catalog() {
  static const Catalog c;
  return c;
}

// "numeric(12,2)[]" -> {numeric, array}; "timestamp(3) with time zone" -> timestamp with time
// zone; "interval year to month" -> interval (the fields do not change what casts exist).
schema::TypeNameParts parts(const std::string& type) {
  schema::TypeNameParts p = schema::split_type_name(type);
  if (p.base.rfind("interval ", 0) == 0) p.base = "interval";
  return p;
}

// Element to element (both built-in).
CastRoute element_route(const std::string& a, const std::string& b) {
  const Catalog& c = catalog();
  if (a == b) return CastRoute::Same;
  auto it = c.casts.find({a, b});
  if (it != c.casts.end())
    return it->second == 'i'   ? CastRoute::Implicit
           : it->second == 'a' ? CastRoute::Assignment
                               : CastRoute::Explicit;
  if (c.strings.count(b)) return CastRoute::IoToString;
  if (c.strings.count(a)) return CastRoute::IoFromString;
  return CastRoute::None;
}

}  // namespace

bool is_builtin_type(const std::string& base) { return catalog().types.count(base) > 0; }

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
  const Catalog& c = catalog();
  schema::TypeNameParts a = parts(from), b = parts(to);
  // Any type (arrays, user types) converts to a string type, and from one to any type.
  bool to_string = !b.array && c.strings.count(b.base);
  bool from_string = !a.array && c.strings.count(a.base);
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
