#include "schema/model.h"

#include <tuple>

#include "schema/canonical.h"

namespace pgdrift::schema {

bool Grant::operator<(const Grant& o) const {
  return std::tie(grantee, privilege, columns, with_grant_option) <
         std::tie(o.grantee, o.privilege, o.columns, o.with_grant_option);
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

void strip_grants(Model& m) {
  for (auto& [key, ns] : m.schemas) ns.grants.clear();
  for (auto& [key, table] : m.tables) {
    table.grants.clear();
    for (Column& column : table.columns) column.grants.clear();
  }
  for (auto& [key, view] : m.views) view.grants.clear();
  for (auto& [key, sequence] : m.sequences) sequence.grants.clear();
  for (auto& [key, function] : m.functions) function.grants.clear();
  for (auto& [key, aggregate] : m.aggregates) aggregate.grants.clear();
}

bool has_grants(const Model& m) {
  auto any = [](const auto& map) {
    for (const auto& [key, object] : map)
      if (!object.grants.empty()) return true;
    return false;
  };
  for (const auto& [key, table] : m.tables)
    for (const Column& column : table.columns)
      if (!column.grants.empty()) return true;
  return any(m.schemas) || any(m.tables) || any(m.views) || any(m.sequences) || any(m.functions) ||
         any(m.aggregates);
}

}  // namespace pgdrift::schema
