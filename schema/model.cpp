#include "schema/model.h"
#include <map>

#include <algorithm>
#include <tuple>

#include "schema/canonical.h"
#include "schema/pg_builtins.h"

namespace pgdrift::schema {

bool Grant::operator<(const Grant& o) const {
  return std::tie(grantee, privilege, columns, with_grant_option) <
         std::tie(o.grantee, o.privilege, o.columns, o.with_grant_option);
}

void order_grants_as_acl(std::vector<Grant>& grants, const std::vector<Grant>& grantee_order) {
  // Column privileges live in each column's own ACL, which pg_dump prints after the object's:
  // they are ranked apart, after the object's grants.
  std::map<std::pair<bool, std::string>, size_t> position;
  for (const auto& g : grantee_order)
    position.emplace(std::pair{!g.columns.empty(), g.grantee}, position.size());
  auto rank = [&](const Grant& g) {
    auto it = position.find({!g.columns.empty(), g.grantee});
    return std::pair{!g.columns.empty(), it == position.end() ? position.size() : it->second};
  };
  std::stable_sort(grants.begin(), grants.end(), [&](const Grant& a, const Grant& b) {
    const auto ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb;
    return a < b;
  });
}

void order_grants_as_acl(std::vector<Grant>& grants) {
  const std::vector<Grant> order = grants;
  order_grants_as_acl(grants, order);
}

const Column* Table::find_column(const std::string& column) const {
  for (const Column& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

Column* Table::find_column(const std::string& column) {
  return const_cast<Column*>(static_cast<const Table*>(this)->find_column(column));
}

const std::vector<std::string>& column_aspects() {
  static const std::vector<std::string> aspects = {"type",      "not null",  "default", "identity",
                                                   "generated", "collation", "comment", "grants"};
  return aspects;
}

std::vector<std::string> differing_column_aspects(const Column& a, const Column& b) {
  std::vector<std::string> aspects;
  if (a.type != b.type) aspects.push_back("type");
  if (a.not_null != b.not_null) aspects.push_back("not null");
  if (a.default_expr != b.default_expr) aspects.push_back("default");
  if (a.identity != b.identity || a.identity_options != b.identity_options)
    aspects.push_back("identity");
  if (a.generated_expr != b.generated_expr) aspects.push_back("generated");
  if (a.collation != b.collation) aspects.push_back("collation");
  if (a.comment != b.comment) aspects.push_back("comment");
  if (a.grants != b.grants) aspects.push_back("grants");
  return aspects;
}

std::string Function::identity_arguments() const {
  std::string text;
  for (const FunctionArgument& argument : arguments) {
    if (argument.mode == "OUT" || argument.mode == "TABLE") continue;
    if (!text.empty()) text += ", ";
    text += argument.type;
  }
  return text;
}

std::string Aggregate::signature() const {
  if (arguments.empty()) return "*";
  std::string text;
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (kind != "normal" && static_cast<int>(i) == direct_arguments)
      text += i > 0 ? " ORDER BY " : "ORDER BY ";
    else if (i > 0)
      text += ", ";
    if (arguments[i].mode == "VARIADIC") text += "VARIADIC ";
    text += arguments[i].type;
  }
  return text;
}

std::string Aggregate::argument_types() const {
  std::string text;
  for (const FunctionArgument& argument : arguments) {
    if (!text.empty()) text += ", ";
    text += argument.type;
  }
  return text;
}

std::string qualified_key(const std::string& schema, const std::string& name) {
  return quote_qualified(schema, name);
}

std::string function_key(const Function& f) {
  return qualified_key(f.schema, f.name) + "(" + f.identity_arguments() + ")";
}

std::string aggregate_key(const Aggregate& a) {
  return qualified_key(a.schema, a.name) + "(" + a.signature() + ")";
}

std::string expression_type(const Model& m, const std::string& type) {
  std::string resolved = type;
  for (int depth = 0; depth < 16; ++depth) {  // a domain over a domain: the last base
    auto domain = m.domains.find(resolved);
    if (domain == m.domains.end()) break;
    resolved = domain->second.base_type;
  }
  return resolved;
}

namespace {

std::string extension_schema(const Extension& e) { return e.schema.empty() ? "public" : e.schema; }

template <class Map>
bool any_in_schema(const Map& objects, const std::string& schema_name) {
  return std::any_of(objects.begin(), objects.end(),
                     [&](const auto& entry) { return entry.second.schema == schema_name; });
}

// Whether the model holds the schema-level objects of `schema_name`, which the object filters
// keep or leave out together (schema/filter.h): without them it does not describe the
// schema's types.
bool describes_schema(const Model& m, const std::string& schema_name) {
  if (schema_name != "public" && m.schemas.count(schema_name)) return true;
  if (any_in_schema(m.enums, schema_name) || any_in_schema(m.composite_types, schema_name) ||
      any_in_schema(m.domains, schema_name) || any_in_schema(m.functions, schema_name) ||
      any_in_schema(m.aggregates, schema_name) || any_in_schema(m.collations, schema_name))
    return true;
  return std::any_of(m.extensions.begin(), m.extensions.end(), [&](const auto& entry) {
    return extension_schema(entry.second) == schema_name;
  });
}

}  // namespace

std::string undefined_type(const Model& m, const std::string& type) {
  TypeReference ref;
  try {
    ref = type_reference(type);
  } catch (const std::exception&) {
    return "not a type: \"" + type + "\"";
  }
  if (ref.builtin()) return "";
  const std::string unknown = "unknown type \"" + type + "\"";
  // The row type of a catalog relation (pg_stat_activity, ...; they are all named pg_*), also
  // as the canonical form spells it: `public.pg_stat_activity`, since canonical_type qualifies
  // the names it does not know as built in with the default schema.
  if ((ref.schema.empty() || ref.schema == "pg_catalog" || ref.schema == "public") &&
      ref.name.rfind("pg_", 0) == 0)
    return "";
  if (ref.schema.empty() || ref.schema == "pg_catalog") {
    if (!ref.schema.empty()) return unknown;
    // Not built in, and unqualified: never a type of the model, whose types are written
    // schema-qualified.
    std::string qualified;
    auto same_name = [&](const auto& objects) {
      for (const auto& [key, object] : objects)
        if (object.name == ref.name && qualified.empty()) qualified = key;
    };
    same_name(m.enums);
    same_name(m.composite_types);
    same_name(m.domains);
    if (!qualified.empty()) return unknown + " (the model's type is written \"" + qualified + "\")";
    return unknown + " (neither built in nor schema-qualified)";
  }
  const std::string key = qualified_key(ref.schema, ref.name);
  if (m.enums.count(key) || m.composite_types.count(key) || m.domains.count(key) ||
      m.tables.count(key) || m.views.count(key) || m.sequences.count(key))
    return "";
  for (const auto& [name, e] : m.extensions)
    if (extension_schema(e) == ref.schema &&
        (!is_shipped_extension(name) || is_extension_type(name, ref.name)))
      return "";
  return describes_schema(m, ref.schema) ? unknown : "";
}

std::pair<std::string, std::string> split_owned_by(const std::string& owned_by) {
  if (owned_by.empty()) return {};
  size_t column_start = owned_by.rfind('.') + 1;  // an unquoted column has no dot
  if (owned_by.back() == '"') {
    // The opening quote of the last name: a quote that is not half of a doubled "".
    size_t i = owned_by.size() - 1;
    while (i > 0) {
      --i;
      if (owned_by[i] != '"') continue;
      if (i > 0 && owned_by[i - 1] == '"') {
        --i;
        continue;
      }
      break;
    }
    column_start = i;
  }
  if (column_start == 0) return {"", owned_by};
  return {owned_by.substr(0, column_start - 1), owned_by.substr(column_start)};
}

std::string default_privilege_key(const std::string& role, const std::string& schema,
                                  const std::string& object_type) {
  std::string key;
  if (!role.empty()) key += "FOR ROLE " + quote_ident(role) + " ";
  if (!schema.empty()) key += "IN SCHEMA " + quote_ident(schema) + " ";
  return key + "ON " + object_type;
}

std::vector<Grant> builtin_default_grants(const std::string& object_type) {
  if (object_type == "FUNCTIONS") return {Grant{"PUBLIC", "EXECUTE", {}, false}};
  if (object_type == "TYPES") return {Grant{"PUBLIC", "USAGE", {}, false}};
  return {};
}

std::vector<Grant> created_grants(const Model& m, const std::string& role,
                                  const std::string& object_type, const std::string& schema_name) {
  std::vector<Grant> out;
  auto add = [&](const std::string& in_schema) {
    auto it = m.default_privileges.find(default_privilege_key(role, in_schema, object_type));
    if (it == m.default_privileges.end()) return;
    for (const Grant& g : it->second.grants) {
      const auto builtin = builtin_default_grants(object_type);
      if (std::find(builtin.begin(), builtin.end(), g) != builtin.end()) continue;
      auto same = std::find_if(out.begin(), out.end(), [&](const Grant& o) {
        return o.grantee == g.grantee && o.privilege == g.privilege;
      });
      if (same == out.end())
        out.push_back(g);
      else  // a schema's entry adds to the global one: the grant option if either has it
        same->with_grant_option = same->with_grant_option || g.with_grant_option;
    }
  };
  add("");
  if (!schema_name.empty()) add(schema_name);
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// Calls f(object) for every object that has grants and an owner.
template <class M, class F>
void each_owned(M& m, F f) {
  for (auto& [key, object] : m.schemas) f(object);
  for (auto& [key, object] : m.tables) f(object);
  for (auto& [key, object] : m.views) f(object);
  for (auto& [key, object] : m.sequences) f(object);
  for (auto& [key, object] : m.functions) f(object);
}

}  // namespace

void clear_owners(Model& m) {
  each_owned(m, [](auto& object) { object.owner.clear(); });
  for (auto& [key, type] : m.enums) type.owner.clear();
  for (auto& [key, type] : m.composite_types) type.owner.clear();
  for (auto& [key, type] : m.domains) type.owner.clear();
}

void strip_privileges(Model& m) {
  each_owned(m, [](auto& object) { object.grants.clear(); });
  for (auto& [key, aggregate] : m.aggregates) aggregate.grants.clear();
  for (auto& [key, table] : m.tables)
    for (Column& column : table.columns) column.grants.clear();
  m.default_privileges.clear();
  clear_owners(m);
}

bool has_privileges(const Model& m) {
  bool found = !m.default_privileges.empty();
  each_owned(m, [&](const auto& object) { found = found || !object.grants.empty(); });
  for (const auto& [key, aggregate] : m.aggregates) found = found || !aggregate.grants.empty();
  for (const auto& [key, table] : m.tables)
    for (const Column& column : table.columns) found = found || !column.grants.empty();
  return found;
}

}  // namespace pgdrift::schema
