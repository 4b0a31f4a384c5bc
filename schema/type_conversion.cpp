// PostgreSQL 15's type conversion rules over the embedded catalog (schema/type_conversion.h).
// The resolution follows parse_func.c (func_get_detail, func_match_argtypes,
// func_select_candidate), namespace.c (FuncnameGetCandidates: variadic expansion, defaults),
// parse_coerce.c (can_coerce_type, check_generic_type_consistency,
// enforce_generic_type_consistency, select_common_type) as documented in chapter 10.
#include "schema/type_conversion.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "schema/canonical.h"
#include "schema/pg_builtins.h"

namespace pgdrift::schema {

namespace {

struct Procedure {
  std::string result;
  bool variadic = false;
  int defaults = 0;
  std::vector<std::string> arguments;
};

struct Range {
  std::string range, subtype, multirange;
};

struct Catalog {
  std::set<std::string> types;
  std::set<std::string> strings;
  std::map<std::pair<std::string, std::string>, char> casts;  // -> context i | a | e
  std::map<std::string, std::pair<char, bool>> categories;    // -> typcategory, preferred
  std::map<std::string, std::vector<Procedure>> functions;    // by name
  std::map<std::string, std::vector<Procedure>> operators;    // by name, 1 or 2 arguments
  std::vector<Range> ranges;

  static std::vector<std::string> split(const std::string& line, char separator) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, separator)) fields.push_back(field);
    if (!line.empty() && line.back() == separator) fields.emplace_back();
    return fields;
  }

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
      std::vector<std::string> f = split(l, '|');
      if (f.size() == 3 && f[2].size() == 1) casts[{f[0], f[1]}] = f[2][0];
    });
    each_line(builtin::kTypeCategories, [&](const std::string& l) {
      std::vector<std::string> f = split(l, '|');
      if (f.size() == 3 && f[1].size() == 1) categories[f[0]] = {f[1][0], f[2] == "p"};
    });
    each_line(builtin::kRanges, [&](const std::string& l) {
      std::vector<std::string> f = split(l, '|');
      if (f.size() == 3) ranges.push_back({f[0], f[1], f[2]});
    });
    each_line(builtin::kFunctions, [&](const std::string& l) {
      std::vector<std::string> f = split(l, '|');
      if (f.size() != 5) return;
      Procedure p;
      p.result = f[1];
      p.variadic = f[2].find('v') != std::string::npos;
      p.defaults = std::stoi(f[3]);
      if (!f[4].empty()) p.arguments = split(f[4], ',');
      functions[f[0]].push_back(std::move(p));
    });
    each_line(builtin::kOperators, [&](const std::string& l) {
      std::vector<std::string> f = split(l, ',');
      if (f.size() != 4) return;
      Procedure p;
      p.result = f[3];
      if (!f[1].empty()) p.arguments.push_back(f[1]);
      p.arguments.push_back(f[2]);
      operators[f[0]].push_back(std::move(p));
    });
  }
};

const Catalog& catalog() {
  static const Catalog c;
  return c;
}

bool is_array(const std::string& type) {
  return type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0;
}
std::string element_of(const std::string& array) { return array.substr(0, array.size() - 2); }

// typcategory and typispreferred; 0 for a type the catalog does not list (a user type).
std::pair<char, bool> category_of(const std::string& type) {
  if (type == kUnknownType) return {'X', false};
  if (is_array(type)) return {'A', false};
  auto it = catalog().categories.find(type);
  return it == catalog().categories.end() ? std::pair<char, bool>{0, false} : it->second;
}

bool is_known_type(const std::string& type) {
  if (is_array(type)) return is_known_type(element_of(type));
  return category_of(type).first != 0;
}

const Range* range_by(const std::string& type, std::string Range::*field) {
  for (const Range& r : catalog().ranges)
    if (r.*field == type) return &r;
  return nullptr;
}

// The polymorphic pseudo-types (IsPolymorphicType), in their two families.
bool is_family1(const std::string& t) {
  return t == "anyelement" || t == "anyarray" || t == "anynonarray" || t == "anyenum" ||
         t == "anyrange" || t == "anymultirange";
}
bool is_family2(const std::string& t) {
  return t == "anycompatible" || t == "anycompatiblearray" || t == "anycompatiblenonarray" ||
         t == "anycompatiblerange" || t == "anycompatiblemultirange";
}
bool is_polymorphic(const std::string& t) { return is_family1(t) || is_family2(t); }
const char* const kAnyType = "\"any\"";

// What the polymorphic parameters of one candidate resolve to (check_generic_type_consistency
// and enforce_generic_type_consistency): the family-1 element type, the family-2 common type,
// and the range types either family saw.
struct Polymorphs {
  std::string element;                  // anyelement; "" = only untyped literals
  std::string range, multirange;        // anyrange / anymultirange actual types
  std::vector<std::string> compatible;  // family-2 element types seen
  std::string compatible_range, compatible_multirange;
  bool has_family2 = false;
};

// The polymorphic parameters of `parameters` for `arguments` are consistent; fills `out`.
bool generic_consistent(const std::vector<std::string>& arguments,
                        const std::vector<std::string>& parameters, Polymorphs& out) {
  auto set_element = [&](const std::string& type) {
    if (out.element.empty()) out.element = type;
    return out.element == type;
  };
  for (size_t i = 0; i < parameters.size(); ++i) {
    const std::string& p = parameters[i];
    const std::string& a = arguments[i];
    if (is_family2(p)) out.has_family2 = true;
    if (!is_polymorphic(p) || a == kUnknownType) continue;
    if (p == "anyelement" || p == "anynonarray") {
      if (p == "anynonarray" && is_array(a)) return false;
      if (!set_element(a)) return false;
    } else if (p == "anyenum") {
      return false;  // no built-in type is an enum
    } else if (p == "anyarray") {
      if (!is_array(a) || !set_element(element_of(a))) return false;
    } else if (p == "anyrange" || p == "anymultirange") {
      const Range* r = range_by(a, p == "anyrange" ? &Range::range : &Range::multirange);
      if (r == nullptr || !set_element(r->subtype)) return false;
      std::string& seen = p == "anyrange" ? out.range : out.multirange;
      if (!seen.empty() && seen != a) return false;
      seen = a;
    } else if (p == "anycompatible" || p == "anycompatiblenonarray") {
      if (p == "anycompatiblenonarray" && is_array(a)) return false;
      out.compatible.push_back(a);
    } else if (p == "anycompatiblearray") {
      if (!is_array(a)) return false;
      out.compatible.push_back(element_of(a));
    } else {  // anycompatiblerange / anycompatiblemultirange: the range fixes the type
      const bool range = p == "anycompatiblerange";
      const Range* r = range_by(a, range ? &Range::range : &Range::multirange);
      if (r == nullptr) return false;
      std::string& seen = range ? out.compatible_range : out.compatible_multirange;
      if (!seen.empty() && seen != a) return false;
      seen = a;
    }
  }
  if (out.has_family2) {
    std::optional<std::string> common = common_type(out.compatible);
    if (!common) return false;
    for (const std::string& range : {out.compatible_range, out.compatible_multirange}) {
      if (range.empty()) continue;
      const Range* r = range_by(range, &Range::range);
      if (r == nullptr) r = range_by(range, &Range::multirange);
      if (r == nullptr || (!out.compatible.empty() && *common != r->subtype)) return false;
    }
  }
  return true;
}

// can_coerce_type(nargs, arguments, parameters, COERCION_IMPLICIT).
bool can_coerce(const std::vector<std::string>& arguments,
                const std::vector<std::string>& parameters) {
  bool generic = false;
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (is_polymorphic(parameters[i])) {
      generic = true;
      continue;
    }
    if (!implicitly_coercible(arguments[i], parameters[i])) return false;
  }
  Polymorphs ignored;
  return !generic || generic_consistent(arguments, parameters, ignored);
}

// One candidate of FuncnameGetCandidates: the procedure with its arguments expanded to the
// call's count (variadic element repeated, defaulted trailing arguments cut).
struct Candidate {
  const Procedure* procedure = nullptr;
  std::vector<std::string> parameters;
  bool variadic_expanded = false;
  bool ambiguous = false;  // another candidate of the same schema has the same parameters
};

std::vector<Candidate> candidates_for(const std::string& name, size_t nargs) {
  std::vector<Candidate> out;
  auto found = catalog().functions.find(name);
  if (found == catalog().functions.end()) return out;
  for (const Procedure& p : found->second) {
    const size_t pronargs = p.arguments.size();
    Candidate c;
    c.procedure = &p;
    if (p.variadic && nargs >= pronargs) {
      // VARIADIC without the keyword in the call: the element type, once per argument.
      const std::string& last = p.arguments.back();
      const std::string element = last == kAnyType               ? last
                                  : last == "anyarray"           ? "anyelement"
                                  : last == "anycompatiblearray" ? "anycompatible"
                                  : is_array(last)               ? element_of(last)
                                                                 : "";
      if (element.empty()) continue;
      c.parameters.assign(p.arguments.begin(), p.arguments.end() - 1);
      c.parameters.resize(nargs, element);
      c.variadic_expanded = true;
    } else if (pronargs > nargs) {
      if (nargs + static_cast<size_t>(p.defaults) < pronargs) continue;
      c.parameters.assign(p.arguments.begin(), p.arguments.begin() + nargs);
    } else if (pronargs == nargs) {
      c.parameters = p.arguments;
    } else {
      continue;
    }
    // Same parameters as an earlier candidate: the one not expanded from VARIADIC wins, else
    // both are ambiguous (FuncnameGetCandidates).
    bool kept = true;
    for (Candidate& earlier : out) {
      if (earlier.parameters != c.parameters) continue;
      if (earlier.variadic_expanded && !c.variadic_expanded) {
        earlier = c;
      } else if (!earlier.variadic_expanded && c.variadic_expanded) {
        // keep the earlier one
      } else {
        earlier.ambiguous = true;
      }
      kept = false;
      break;
    }
    if (kept) out.push_back(std::move(c));
  }
  return out;
}

// Keeps the candidates with the highest `score`; all of them when every score is 0.
void keep_best(std::vector<const Candidate*>& candidates,
               const std::function<int(const Candidate&)>& score) {
  int best = 0;
  for (const Candidate* c : candidates) best = std::max(best, score(*c));
  if (best == 0) return;
  std::vector<const Candidate*> kept;
  for (const Candidate* c : candidates)
    if (score(*c) == best) kept.push_back(c);
  candidates = kept;
}

// func_select_candidate: the heuristics of 10.3 step 4 among several applicable candidates.
const Candidate* select_candidate(const std::vector<std::string>& arguments,
                                  std::vector<const Candidate*> candidates) {
  const size_t nargs = arguments.size();
  size_t unknowns = 0;
  for (const std::string& a : arguments) unknowns += a == kUnknownType ? 1 : 0;
  // Most exact matches.
  keep_best(candidates, [&](const Candidate& c) {
    int n = 0;
    for (size_t i = 0; i < nargs; ++i)
      n += arguments[i] != kUnknownType && c.parameters[i] == arguments[i] ? 1 : 0;
    return n;
  });
  if (candidates.size() == 1) return candidates[0];
  // Most exact matches or preferred types (of the argument's own category) where coerced.
  keep_best(candidates, [&](const Candidate& c) {
    int n = 0;
    for (size_t i = 0; i < nargs; ++i) {
      if (arguments[i] == kUnknownType) continue;
      const auto [category, preferred] = category_of(c.parameters[i]);
      n += c.parameters[i] == arguments[i] ||
                   (preferred && category == category_of(arguments[i]).first)
               ? 1
               : 0;
    }
    return n;
  });
  if (candidates.size() == 1) return candidates[0];
  if (unknowns == 0) return nullptr;
  // The unknown positions: the category the candidates accept there (string wins), and
  // whether one of them takes a preferred type.
  std::vector<char> slot_category(nargs, 0);
  std::vector<bool> slot_preferred(nargs, false);
  bool resolved = true;
  for (size_t i = 0; i < nargs && resolved; ++i) {
    if (arguments[i] != kUnknownType) continue;
    bool conflict = false;
    for (const Candidate* c : candidates) {
      const auto [category, preferred] = category_of(c->parameters[i]);
      if (slot_category[i] == 0) {
        slot_category[i] = category;
        slot_preferred[i] = preferred;
      } else if (category == slot_category[i]) {
        slot_preferred[i] = slot_preferred[i] || preferred;
      } else if (category == 'S') {
        slot_category[i] = category;
        slot_preferred[i] = preferred;
      } else {
        conflict = true;
      }
    }
    if (conflict && slot_category[i] != 'S') resolved = false;
  }
  if (resolved) {
    std::vector<const Candidate*> kept;
    for (const Candidate* c : candidates) {
      bool keep = true;
      for (size_t i = 0; i < nargs && keep; ++i) {
        if (arguments[i] != kUnknownType) continue;
        const auto [category, preferred] = category_of(c->parameters[i]);
        keep = category == slot_category[i] && (!slot_preferred[i] || preferred);
      }
      if (keep) kept.push_back(c);
    }
    if (!kept.empty()) candidates = kept;
    if (candidates.size() == 1) return candidates[0];
  }
  // Last gasp: the known arguments all have one type; take the unknown ones as that type too.
  if (unknowns < nargs) {
    std::string known;
    for (const std::string& a : arguments) {
      if (a == kUnknownType) continue;
      if (known.empty()) {
        known = a;
      } else if (known != a) {
        return nullptr;
      }
    }
    const std::vector<std::string> assumed(nargs, known);
    const Candidate* only = nullptr;
    for (const Candidate* c : candidates) {
      if (!can_coerce(assumed, c->parameters)) continue;
      if (only != nullptr) return nullptr;
      only = c;
    }
    return only;
  }
  return nullptr;
}

// The chosen candidate's declared types with the polymorphic ones resolved
// (enforce_generic_type_consistency); false when one stays undetermined.
bool resolve_polymorphs(const std::vector<std::string>& arguments, const Candidate& candidate,
                        ResolvedCall& call) {
  Polymorphs poly;
  if (!generic_consistent(arguments, candidate.parameters, poly)) return false;
  std::string common;
  if (poly.has_family2) {
    if (poly.compatible.empty() && !poly.compatible_range.empty()) {
      const Range* r = range_by(poly.compatible_range, &Range::range);
      if (r == nullptr) return false;
      common = r->subtype;
    } else {
      common = *common_type(poly.compatible);  // "text" when only untyped literals
    }
  }
  auto range_of = [&](const std::string& element, bool multi) -> std::string {
    const Range* r = range_by(element, &Range::subtype);
    return r == nullptr ? "" : multi ? r->multirange : r->range;
  };
  // What one declared type resolves to; "" = undetermined.
  auto resolve = [&](const std::string& t) -> std::string {
    if (t == "anyelement" || t == "anynonarray") return poly.element;
    if (t == "anyarray") return poly.element.empty() ? "" : poly.element + "[]";
    if (t == "anyrange") return !poly.range.empty() ? poly.range : range_of(poly.element, false);
    if (t == "anymultirange")
      return !poly.multirange.empty() ? poly.multirange : range_of(poly.element, true);
    if (t == "anycompatible" || t == "anycompatiblenonarray") return common;
    if (t == "anycompatiblearray") return common.empty() ? "" : common + "[]";
    if (t == "anycompatiblerange")
      return !poly.compatible_range.empty() ? poly.compatible_range : range_of(common, false);
    if (t == "anycompatiblemultirange")
      return !poly.compatible_multirange.empty() ? poly.compatible_multirange
                                                 : range_of(common, true);
    return t;
  };
  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string& p = candidate.parameters[i];
    if (p == kAnyType) {
      call.argument_types.emplace_back();
      continue;
    }
    std::string type = resolve(p);
    if (type.empty()) return false;  // "could not determine polymorphic type"
    call.argument_types.push_back(type);
  }
  call.result_type = resolve(candidate.procedure->result);
  return true;
}

}  // namespace

std::string resolution_type(const std::string& canonical_type) {
  if (canonical_type.empty() || canonical_type == kUnknownType) return canonical_type;
  TypeNameParts parts = split_type_name(canonical_type);
  std::string base = parts.base;
  if (base.rfind("interval ", 0) == 0) base = "interval";
  if (base == "bpchar") base = "character";
  return parts.array ? base + "[]" : base;
}

std::string cast_type_sql(const std::string& type) {
  if (is_array(type)) return cast_type_sql(element_of(type)) + "[]";
  if (type == "character") return "bpchar";
  if (type == "bit") return "\"bit\"";
  return type;
}

bool is_builtin_element_type(const std::string& type) { return catalog().types.count(type) > 0; }

bool is_string_category_type(const std::string& type) { return catalog().strings.count(type) > 0; }

bool is_numeric_category_type(const std::string& type) {
  return category_of(resolution_type(type)).first == 'N';
}

char builtin_cast_context(const std::string& from, const std::string& to) {
  auto it = catalog().casts.find({from, to});
  return it == catalog().casts.end() ? 0 : it->second;
}

bool implicitly_coercible(const std::string& from, const std::string& to) {
  if (from == to || to == kAnyType || from == kUnknownType) return true;
  if (is_array(from) && is_array(to)) {
    const std::string a = element_of(from), b = element_of(to);
    return a != kUnknownType && implicitly_coercible(a, b);
  }
  return builtin_cast_context(from, to) == 'i';
}

std::optional<std::string> common_type(const std::vector<std::string>& types) {
  std::string chosen = kUnknownType;
  std::pair<char, bool> chosen_category{'X', false};
  for (const std::string& t : types) {
    if (!is_known_type(t)) return std::nullopt;
    if (t == kUnknownType || t == chosen) continue;
    const std::pair<char, bool> category = category_of(t);
    if (chosen == kUnknownType) {
      chosen = t;
      chosen_category = category;
    } else if (category.first != chosen_category.first) {
      return std::nullopt;
    } else if (!chosen_category.second && implicitly_coercible(chosen, t) &&
               !implicitly_coercible(t, chosen)) {
      chosen = t;
      chosen_category = category;
    }
  }
  if (chosen == kUnknownType) return std::string("text");
  for (const std::string& t : types)
    if (!implicitly_coercible(t, chosen)) return std::nullopt;
  return chosen;
}

namespace {

bool all_known(const std::vector<std::string>& arguments) {
  for (const std::string& a : arguments)
    if (a.empty() || !is_known_type(a)) return false;
  return true;
}

// func_match_argtypes and func_select_candidate among candidates that have no exact match.
const Candidate* best_applicable(const std::vector<std::string>& arguments,
                                 const std::vector<Candidate>& candidates) {
  std::vector<const Candidate*> applicable;
  for (const Candidate& c : candidates)
    if (can_coerce(arguments, c.parameters)) applicable.push_back(&c);
  if (applicable.size() == 1) return applicable[0];
  if (applicable.size() > 1) return select_candidate(arguments, applicable);
  return nullptr;
}

std::optional<ResolvedCall> resolved(const std::vector<std::string>& arguments,
                                     const Candidate* best) {
  if (best == nullptr || best->ambiguous) return std::nullopt;
  ResolvedCall call;
  if (!resolve_polymorphs(arguments, *best, call)) return std::nullopt;
  return call;
}

}  // namespace

std::optional<ResolvedCall> resolve_builtin_function(const std::string& name,
                                                     const std::vector<std::string>& arguments) {
  if (!all_known(arguments)) return std::nullopt;
  std::vector<Candidate> all = candidates_for(name, arguments.size());
  const Candidate* best = nullptr;
  for (const Candidate& c : all)
    if (c.parameters == arguments) best = &c;
  if (best == nullptr) {
    // A one-argument call of a type's name may be a function-style cast: not decided here.
    if (arguments.size() == 1 && is_builtin_type_name(name)) return std::nullopt;
    best = best_applicable(arguments, all);
  }
  return resolved(arguments, best);
}

std::optional<ResolvedCall> resolve_builtin_operator(const std::string& name,
                                                     const std::vector<std::string>& arguments) {
  if (arguments.empty() || arguments.size() > 2 || !all_known(arguments)) return std::nullopt;
  std::vector<Candidate> all;
  auto found = catalog().operators.find(name);
  if (found != catalog().operators.end()) {
    for (const Procedure& p : found->second) {
      if (p.arguments.size() != arguments.size()) continue;
      Candidate c;
      c.procedure = &p;
      c.parameters = p.arguments;
      all.push_back(std::move(c));
    }
  }
  // binary_oper_exact: an exact match, or with one side an untyped literal, the operator that
  // takes the other side's type on both.
  std::vector<std::string> exact = arguments;
  if (exact.size() == 2 && (exact[0] == kUnknownType) != (exact[1] == kUnknownType)) {
    const std::string known = exact[0] == kUnknownType ? exact[1] : exact[0];
    exact = {known, known};
  }
  const Candidate* best = nullptr;
  for (const Candidate& c : all)
    if (c.parameters == arguments || c.parameters == exact) {
      best = &c;
      if (c.parameters == arguments) break;
    }
  if (best == nullptr) best = best_applicable(arguments, all);
  return resolved(arguments, best);
}

}  // namespace pgdrift::schema
