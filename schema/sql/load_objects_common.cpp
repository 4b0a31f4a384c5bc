#include "schema/sql/load_objects_common.h"

#include <cctype>
#include <cstdlib>

#include "schema/canonical.h"

namespace pgdrift::schema::sql::objects {

std::string string_value(const PgQuery__Node* node) {
  if (node && node->node_case == PG_QUERY__NODE__NODE_STRING && node->string)
    return node->string->sval;
  return {};
}

std::vector<std::string> string_list(size_t n, PgQuery__Node* const* items) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(string_value(items[i]));
  return out;
}

QualifiedName qualified_name(const LoadContext& ctx, size_t n, PgQuery__Node* const* items) {
  auto parts = string_list(n, items);
  if (parts.empty()) return {ctx.search_schema, ""};
  if (parts.size() == 1) return {ctx.search_schema, parts[0]};
  return {parts[parts.size() - 2], parts.back()};
}

QualifiedName qualified_name(const LoadContext& ctx, const PgQuery__List* list) {
  if (!list) return {ctx.search_schema, ""};
  return qualified_name(ctx, list->n_items, list->items);
}

QualifiedName qualified_name(const LoadContext& ctx, const PgQuery__TypeName* type) {
  if (!type) return {ctx.search_schema, ""};
  return qualified_name(ctx, type->n_names, type->names);
}

std::string defelem_string(const PgQuery__DefElem* elem) {
  const PgQuery__Node* arg = elem ? elem->arg : nullptr;
  if (!arg) return {};
  switch (arg->node_case) {
    case PG_QUERY__NODE__NODE_STRING:
      return arg->string->sval;
    case PG_QUERY__NODE__NODE_INTEGER:
      return std::to_string(arg->integer->ival);
    case PG_QUERY__NODE__NODE_FLOAT:
      return arg->float_->fval;
    case PG_QUERY__NODE__NODE_BOOLEAN:
      return arg->boolean->boolval ? "true" : "false";
    case PG_QUERY__NODE__NODE_TYPE_NAME: {
      auto parts = string_list(arg->type_name->n_names, arg->type_name->names);
      return parts.empty() ? std::string{} : parts.back();
    }
    default:
      return {};
  }
}

std::optional<int64_t> defelem_int(const PgQuery__DefElem* elem) {
  const PgQuery__Node* arg = elem ? elem->arg : nullptr;
  if (!arg) return std::nullopt;
  if (arg->node_case == PG_QUERY__NODE__NODE_INTEGER) return arg->integer->ival;
  // Values beyond int32 come as Float nodes holding the digits.
  if (arg->node_case == PG_QUERY__NODE__NODE_FLOAT)
    return std::strtoll(arg->float_->fval, nullptr, 10);
  return std::nullopt;
}

double defelem_number(const PgQuery__DefElem* elem) {
  const PgQuery__Node* arg = elem ? elem->arg : nullptr;
  if (!arg) return 0;
  if (arg->node_case == PG_QUERY__NODE__NODE_INTEGER) return arg->integer->ival;
  if (arg->node_case == PG_QUERY__NODE__NODE_FLOAT) return std::strtod(arg->float_->fval, nullptr);
  return std::strtod(defelem_string(elem).c_str(), nullptr);
}

bool defelem_bool(const PgQuery__DefElem* elem) {
  const PgQuery__Node* arg = elem ? elem->arg : nullptr;
  if (!arg) return true;
  if (arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN) return arg->boolean->boolval;
  if (arg->node_case == PG_QUERY__NODE__NODE_INTEGER) return arg->integer->ival != 0;
  std::string text = lower(defelem_string(elem));
  return text == "true" || text == "on" || text == "yes" || text == "1";
}

std::string collation_name(const PgQuery__CollateClause* clause) {
  if (!clause) return {};
  auto parts = string_list(clause->n_collname, clause->collname);
  if (parts.empty()) return {};
  if (parts.size() >= 2 && parts[parts.size() - 2] != "pg_catalog")
    return quote_qualified(parts[parts.size() - 2], parts.back());
  return quote_ident(parts.back());
}

std::optional<std::string> role_name(const PgQuery__RoleSpec* role) {
  if (!role) return std::nullopt;
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

std::string find_function(LoadContext& ctx, const PgQuery__ObjectWithArgs* func, int location) {
  QualifiedName name = qualified_name(ctx, func->n_objname, func->objname);
  std::vector<std::string> wanted;
  for (size_t i = 0; i < func->n_objargs; ++i) {
    const PgQuery__Node* arg = func->objargs[i];
    if (arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME)
      wanted.push_back(canonical_type(arg->type_name, ctx.search_schema));
  }
  std::vector<std::string> matches;
  for (const auto& [key, f] : ctx.model.functions) {
    if (f.schema != name.schema || f.name != name.name) continue;
    if (func->args_unspecified || identity_types(f) == wanted) matches.push_back(key);
  }
  if (matches.size() > 1)
    ctx.fail(location,
             "function name \"" + name.name + "\" is not unique; give the argument types");
  return matches.empty() ? std::string{} : matches.front();
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace pgdrift::schema::sql::objects
