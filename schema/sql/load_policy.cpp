// CREATE POLICY / ALTER POLICY on a table.
#include <algorithm>

#include "schema/canonical.h"
#include "schema/sql/column_def.h"
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

// Sorted role names; {"public"} when none are given (what polroles holds then).
std::vector<std::string> policy_roles(LoadContext& ctx, size_t n, PgQuery__Node* const* items) {
  std::vector<std::string> roles;
  for (size_t i = 0; i < n; ++i) {
    const PgQuery__RoleSpec* spec = items[i]->role_spec;
    auto role = role_name(spec);
    if (!role) {
      ctx.unsupported(spec ? spec->location : -1, "CURRENT_USER / SESSION_USER as a policy role");
      continue;
    }
    roles.push_back(*role);
  }
  if (roles.empty()) roles.push_back("public");
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  return roles;
}

}  // namespace

void load_create_policy(LoadContext& ctx, const PgQuery__CreatePolicyStmt* stmt) {
  Table& table = ctx.table(stmt->table);
  Policy policy;
  policy.name = stmt->policy_name;
  policy.location = ctx.location_at(-1);
  if (table.policies.count(policy.name))
    ctx.fail(-1, "policy \"" + policy.name + "\" for table \"" + table.name + "\" already exists");
  policy.permissive = stmt->permissive;
  policy.command = upper(stmt->cmd_name ? stmt->cmd_name : "all");
  policy.roles = policy_roles(ctx, stmt->n_roles, stmt->roles);
  const ColumnTypes column_types = column_types_of(ctx.model, table);
  if (stmt->qual) policy.using_expr = canonical_expr(stmt->qual, column_types);
  if (stmt->with_check) policy.check_expr = canonical_expr(stmt->with_check, column_types);
  if (policy.command == "SELECT" || policy.command == "DELETE")
    if (stmt->with_check) ctx.fail(-1, "WITH CHECK cannot be applied to SELECT or DELETE");
  if (policy.command == "INSERT" && stmt->qual)
    ctx.fail(-1, "only WITH CHECK expression allowed for INSERT");
  table.policies[policy.name] = policy;
}

void load_alter_policy(LoadContext& ctx, const PgQuery__AlterPolicyStmt* stmt) {
  Table& table = ctx.table(stmt->table);
  auto it = table.policies.find(stmt->policy_name);
  if (it == table.policies.end())
    ctx.fail(-1, "policy \"" + std::string(stmt->policy_name) + "\" for table \"" + table.name +
                     "\" does not exist");
  Policy& policy = it->second;
  if (stmt->n_roles > 0) policy.roles = policy_roles(ctx, stmt->n_roles, stmt->roles);
  const ColumnTypes column_types = column_types_of(ctx.model, table);
  if (stmt->qual) policy.using_expr = canonical_expr(stmt->qual, column_types);
  if (stmt->with_check) policy.check_expr = canonical_expr(stmt->with_check, column_types);
}

}  // namespace pgdrift::schema::sql
