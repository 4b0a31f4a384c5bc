#include "schema/sql/tree_read.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace pgdrift::schema::sql {

// ---- strings and names -----------------------------------------------------------------------

std::optional<std::string> string_constant(const PgQuery__Node* node) {
  if (node != nullptr && node->node_case == PG_QUERY__NODE__NODE_A_CONST &&
      node->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL)
    return std::string(node->a_const->sval->sval);
  return std::nullopt;
}

std::vector<std::string> object_name_parts(const PgQuery__Node* object) {
  if (object == nullptr) return {};
  if (object->node_case == PG_QUERY__NODE__NODE_LIST)
    return string_list(object->list->items, object->list->n_items);
  if (object->node_case == PG_QUERY__NODE__NODE_STRING) return {string_value(object)};
  if (object->node_case == PG_QUERY__NODE__NODE_TYPE_NAME)
    return string_list(object->type_name->names, object->type_name->n_names);
  return {};
}

QualifiedName qualified_name(const LoadContext& ctx, const std::vector<std::string>& parts) {
  if (parts.empty()) return {ctx.search_schema, ""};
  if (parts.size() == 1) return {ctx.search_schema, parts[0]};
  return {parts[parts.size() - 2], parts.back()};
}

QualifiedName qualified_name(const LoadContext& ctx, PgQuery__Node* const* nodes, size_t count) {
  return qualified_name(ctx, string_list(nodes, count));
}

QualifiedName qualified_name(const LoadContext& ctx, const PgQuery__List* list) {
  if (list == nullptr) return {ctx.search_schema, ""};
  return qualified_name(ctx, list->items, list->n_items);
}

QualifiedName qualified_name(const LoadContext& ctx, const PgQuery__TypeName* type) {
  if (type == nullptr) return {ctx.search_schema, ""};
  return qualified_name(ctx, type->names, type->n_names);
}

std::string collation_name(const LoadContext& ctx, PgQuery__Node* const* names, size_t count) {
  std::vector<std::string> parts = string_list(names, count);
  if (parts.empty()) return "";
  if (parts.size() >= 2 && parts[parts.size() - 2] != "pg_catalog")
    return quote_qualified(parts[parts.size() - 2], parts.back());
  // An unqualified name of a collation the model defines is that collation (pg_catalog's
  // collations are not modelled, so a schema's own "C" would be taken for it: PostgreSQL looks
  // in pg_catalog first, and a user collation named like a built-in one is not supported).
  if (parts.size() == 1 && ctx.model.collations.count(qualified_key(ctx.search_schema, parts[0])))
    return qualified_key(ctx.search_schema, parts[0]);
  return quote_ident(parts.back());
}

std::string collation_name(const LoadContext& ctx, const PgQuery__CollateClause* clause) {
  if (clause == nullptr) return "";
  return collation_name(ctx, clause->collname, clause->n_collname);
}

std::string routine_name(const LoadContext& ctx, const std::vector<std::string>& parts) {
  if (parts.empty()) return "";
  if (parts.size() >= 2)
    return parts[parts.size() - 2] == "pg_catalog"
               ? quote_ident(parts.back())
               : quote_qualified(parts[parts.size() - 2], parts.back());
  for (const auto& [key, f] : ctx.model.functions)
    if (f.schema == ctx.search_schema && f.name == parts[0])
      return quote_qualified(f.schema, f.name);
  return quote_ident(parts[0]);
}

std::optional<std::string> role_name(const PgQuery__RoleSpec* role) {
  if (role == nullptr) return std::nullopt;
  switch (role->roletype) {
    case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING:
      return std::string(role->rolename);
    case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC:
      return std::string("public");
    default:
      return std::nullopt;
  }
}

namespace {

std::vector<std::string> identity_types(const Function& f) {
  std::vector<std::string> types;
  for (const auto& arg : f.arguments)
    if (arg.mode == "IN" || arg.mode == "INOUT" || arg.mode == "VARIADIC")
      types.push_back(arg.type);
  return types;
}

}  // namespace

namespace {

// The key of the one object of `objects` named by `func` (`name(argument types)`, or just the
// name when the types are left out), "" when none; fails when the name alone matches several.
// `types_of(object)` gives the argument types GRANT / COMMENT / DROP name it by.
template <class Objects, class TypesOf>
std::string find_routine(LoadContext& ctx, const PgQuery__ObjectWithArgs* func, int location,
                         const Objects& objects, const char* what, TypesOf types_of) {
  QualifiedName name = qualified_name(ctx, func->objname, func->n_objname);
  std::vector<std::string> wanted;
  for (size_t i = 0; i < func->n_objargs; ++i) {
    const PgQuery__Node* arg = func->objargs[i];
    if (arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME)
      wanted.push_back(canonical_type(arg->type_name, ctx.search_schema));
  }
  std::vector<std::string> matches;
  for (const auto& [key, object] : objects) {
    if (object.schema != name.schema || object.name != name.name) continue;
    if (func->args_unspecified || types_of(object) == wanted) matches.push_back(key);
  }
  if (matches.size() > 1)
    ctx.fail(location, std::string(what) + " name \"" + name.name +
                           "\" is not unique; give the argument types");
  return matches.empty() ? std::string{} : matches.front();
}

}  // namespace

std::string find_function(LoadContext& ctx, const PgQuery__ObjectWithArgs* func, int location) {
  return find_routine(ctx, func, location, ctx.model.functions, "function", identity_types);
}

std::string find_aggregate(LoadContext& ctx, const PgQuery__ObjectWithArgs* func, int location) {
  return find_routine(ctx, func, location, ctx.model.aggregates, "aggregate",
                      [](const Aggregate& a) {
                        std::vector<std::string> types;
                        for (const auto& arg : a.arguments) types.push_back(arg.type);
                        return types;
                      });
}

// ---- DefElem arguments -----------------------------------------------------------------------

std::string defelem_string(const PgQuery__DefElem* elem) {
  const PgQuery__Node* arg = elem != nullptr ? elem->arg : nullptr;
  if (arg == nullptr) return {};
  switch (arg->node_case) {
    case PG_QUERY__NODE__NODE_STRING:
      return arg->string->sval;
    case PG_QUERY__NODE__NODE_INTEGER:
      return std::to_string(arg->integer->ival);
    case PG_QUERY__NODE__NODE_FLOAT:
      return arg->float_->fval;
    case PG_QUERY__NODE__NODE_BOOLEAN:
      return arg->boolean->boolval ? "true" : "false";
    case PG_QUERY__NODE__NODE_TYPE_NAME:
      return last_name(arg->type_name->names, arg->type_name->n_names);
    default:
      return {};
  }
}

std::string option_value(const PgQuery__DefElem* elem) {
  return elem->arg == nullptr ? "true" : defelem_string(elem);
}

std::optional<int64_t> defelem_int(const PgQuery__DefElem* elem) {
  const PgQuery__Node* arg = elem != nullptr ? elem->arg : nullptr;
  if (arg == nullptr) return std::nullopt;
  if (arg->node_case == PG_QUERY__NODE__NODE_INTEGER) return arg->integer->ival;
  // Values beyond int32 come as Float nodes holding the digits.
  if (arg->node_case == PG_QUERY__NODE__NODE_FLOAT)
    return std::strtoll(arg->float_->fval, nullptr, 10);
  return std::nullopt;
}

int64_t def_int(const LoadContext& ctx, const PgQuery__DefElem* def) {
  const PgQuery__Node* arg = def->arg;
  if (arg == nullptr) ctx.fail(def->location, std::string(def->defname) + " requires a value");
  try {
    switch (arg->node_case) {
      case PG_QUERY__NODE__NODE_INTEGER:
        return arg->integer->ival;
      case PG_QUERY__NODE__NODE_FLOAT:
        return std::stoll(arg->float_->fval);
      case PG_QUERY__NODE__NODE_STRING:
        return std::stoll(arg->string->sval);
      default:
        break;
    }
  } catch (const std::exception&) {
  }
  ctx.fail(def->location, std::string("invalid value for ") + def->defname);
}

double defelem_number(const PgQuery__DefElem* elem) {
  const PgQuery__Node* arg = elem != nullptr ? elem->arg : nullptr;
  if (arg == nullptr) return 0;
  if (arg->node_case == PG_QUERY__NODE__NODE_INTEGER) return arg->integer->ival;
  if (arg->node_case == PG_QUERY__NODE__NODE_FLOAT) return std::strtod(arg->float_->fval, nullptr);
  return std::strtod(defelem_string(elem).c_str(), nullptr);
}

bool defelem_bool(const PgQuery__DefElem* elem) {
  const PgQuery__Node* arg = elem != nullptr ? elem->arg : nullptr;
  if (arg == nullptr) return true;
  if (arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN) return arg->boolean->boolval;
  if (arg->node_case == PG_QUERY__NODE__NODE_INTEGER) return arg->integer->ival != 0;
  std::string text = lower(defelem_string(elem));
  return text == "true" || text == "on" || text == "yes" || text == "1";
}

std::map<std::string, std::string> relation_options(LoadContext& ctx, PgQuery__Node* const* defs,
                                                    size_t count) {
  std::map<std::string, std::string> options;
  for (size_t i = 0; i < count; ++i) {
    if (defs[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) {
      ctx.unsupported(0, "storage option");
      continue;
    }
    const PgQuery__DefElem* def = defs[i]->def_elem;
    std::string name = def->defname;
    if (def->defnamespace != nullptr && def->defnamespace[0] != '\0')
      name = std::string(def->defnamespace) + "." + name;
    options[name] = option_value(def);
  }
  return options;
}

// ---- expressions -----------------------------------------------------------------------------

std::vector<std::string> referenced_columns(const PgQuery__Node* expr) {
  std::vector<std::string> columns;
  if (expr == nullptr) return columns;
  visit_nodes(&expr->base, [&](const PgQuery__Node* node) {
    if (node->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return;
    std::string name = last_name(node->column_ref->fields, node->column_ref->n_fields);
    if (!name.empty() && std::find(columns.begin(), columns.end(), name) == columns.end())
      columns.push_back(name);
  });
  return columns;
}

std::vector<std::string> expr_text_columns(const std::string& expr_sql) {
  std::vector<std::string> columns;
  parse_tree::ParseTree tree;
  try {
    tree = parse_tree::parse("SELECT " + expr_sql);
  } catch (const CanonicalError&) {
    return columns;  // not an expression: it references nothing we could rename or drop
  }
  for (size_t i = 0; i < tree->n_stmts; ++i)
    for (const auto& name : referenced_columns(tree->stmts[i]->stmt))
      if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
  return columns;
}

std::string located_canonical_expr(const LoadContext& ctx, const PgQuery__Node* expr,
                                   const ColumnTypes& column_types) {
  try {
    return canonical_expr(expr, column_types);
  } catch (const CanonicalError& e) {
    ctx.fail(0, e.what());
  }
}

std::string located_canonical_type(const LoadContext& ctx, const PgQuery__TypeName* type) {
  try {
    return canonical_type(type, ctx.search_schema);
  } catch (const CanonicalError& e) {
    ctx.fail(type != nullptr ? type->location : 0, e.what());
  }
}

// ---- text ------------------------------------------------------------------------------------

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace pgdrift::schema::sql
