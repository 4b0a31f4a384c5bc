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

std::string qualified_key(const std::string& schema, const std::string& name) {
  return quote_qualified(schema, name);
}

std::string function_key(const Function& f) {
  return qualified_key(f.schema, f.name) + "(" + f.identity_arguments() + ")";
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
  return any(m.schemas) || any(m.tables) || any(m.views) || any(m.sequences) || any(m.functions);
}

}  // namespace pgdrift::schema
