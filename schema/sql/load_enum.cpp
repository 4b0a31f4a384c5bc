// CREATE TYPE ... AS ENUM, ALTER TYPE ... ADD VALUE / RENAME VALUE.
#include <algorithm>

#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

bool type_name_taken(const Model& model, const std::string& key) {
  return model.enums.count(key) || model.composite_types.count(key) || model.domains.count(key) ||
         model.tables.count(key) || model.views.count(key) || model.sequences.count(key);
}

}  // namespace

void load_create_enum(LoadContext& ctx, const PgQuery__CreateEnumStmt* stmt) {
  auto name = qualified_name(ctx, stmt->type_name, stmt->n_type_name);
  if (type_name_taken(ctx.model, name.key()))
    ctx.fail(-1, "type \"" + name.name + "\" already exists");
  EnumType type;
  type.schema = name.schema;
  type.name = name.name;
  type.values = string_list(stmt->vals, stmt->n_vals);
  for (size_t i = 0; i < type.values.size(); ++i)
    if (std::find(type.values.begin(), type.values.begin() + i, type.values[i]) !=
        type.values.begin() + i)
      ctx.fail(-1, "enum label \"" + type.values[i] + "\" used more than once");
  type.location = ctx.location_at(-1);
  ctx.model.enums[name.key()] = type;
}

void load_alter_enum(LoadContext& ctx, const PgQuery__AlterEnumStmt* stmt) {
  auto name = qualified_name(ctx, stmt->type_name, stmt->n_type_name);
  auto it = ctx.model.enums.find(name.key());
  if (it == ctx.model.enums.end()) ctx.fail(-1, "type \"" + name.name + "\" does not exist");
  auto& values = it->second.values;
  auto find = [&](const std::string& v) { return std::find(values.begin(), values.end(), v); };
  std::string new_val = stmt->new_val ? stmt->new_val : "";
  std::string old_val = stmt->old_val ? stmt->old_val : "";
  if (!old_val.empty()) {  // RENAME VALUE old TO new
    auto old_it = find(old_val);
    if (old_it == values.end()) ctx.fail(-1, "\"" + old_val + "\" is not an existing enum label");
    if (find(new_val) != values.end())
      ctx.fail(-1, "enum label \"" + new_val + "\" already exists");
    *old_it = new_val;
    return;
  }
  if (find(new_val) != values.end()) {
    if (stmt->skip_if_new_val_exists) return;
    ctx.fail(-1, "enum label \"" + new_val + "\" already exists");
  }
  std::string neighbor = stmt->new_val_neighbor ? stmt->new_val_neighbor : "";
  if (neighbor.empty()) {
    values.push_back(new_val);
    return;
  }
  auto at = find(neighbor);
  if (at == values.end()) ctx.fail(-1, "\"" + neighbor + "\" is not an existing enum label");
  values.insert(stmt->new_val_is_after ? at + 1 : at, new_val);
}

}  // namespace pgdrift::schema::sql
