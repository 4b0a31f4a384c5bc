// Table objects that use a function the plan drops and creates again (return type or argument
// names change): PostgreSQL refuses DROP FUNCTION while a column default, a generated column, a
// CHECK, an index expression or predicate, a trigger or a policy uses it. Those the diff leaves
// unchanged are dropped before the function and created again after it; the ordering comes
// from the steps' own keys (their drops release the function key, their creates need it).
#include <algorithm>

#include "planner/generators.h"
#include "schema/canonical.h"

namespace pgdrift::planner {

using engine::ChangeKind;
using schema::quote_ident;

namespace {

bool uses(const Dependencies& deps, const std::string& expr, const std::set<std::string>& keys) {
  if (expr.empty()) return false;
  auto found = deps.of_expr(expr);
  return std::any_of(found.begin(), found.end(), [&](const auto& k) { return keys.count(k); });
}

const engine::TableChange* find_change(const std::vector<engine::TableChange>& changes,
                                       const std::string& key) {
  for (const auto& c : changes)
    if (c.key == key) return &c;
  return nullptr;
}

template <class List, class Pred>
bool listed(const List& list, Pred pred) {
  return std::any_of(list.begin(), list.end(), pred);
}

}  // namespace

void gen_function_dependents(Context& ctx, const std::vector<engine::FunctionChange>& functions,
                             const std::vector<engine::TableChange>& tables) {
  std::set<std::string> recreated;
  for (const auto& f : functions)
    if (f.kind == ChangeKind::Alter && f.needs_recreate)
      recreated.insert("function:" + schema::quote_qualified(f.from->schema, f.from->name));
  if (recreated.empty()) return;
  const Dependencies& deps = ctx.from_deps;
  for (const auto& [key, from] : ctx.from.tables) {
    auto target = ctx.to.tables.find(key);
    if (target == ctx.to.tables.end() || ctx.dropped_tables.count(key)) continue;
    const schema::Table& to = target->second;
    const engine::TableChange* change = find_change(tables, key);
    if (change && (change->changed & engine::kTableStructure)) continue;  // recreated anyway
    auto column_listed = [&](const std::string& name) {
      return change && listed(change->columns, [&](const auto& c) {
               return (c.from && c.from->name == name) || (c.to && c.to->name == name);
             });
    };
    for (const auto& column : from.columns) {
      const schema::Column* after = to.find_column(column.name);
      if (!after || !(*after == column) || column_listed(column.name)) continue;
      const std::string qcol = key + "." + quote_ident(column.name);
      if (column.generated_expr && uses(deps, *column.generated_expr, recreated)) {
        gen_column(ctx, {ChangeKind::Alter, key, column, *after, engine::kColumnGenerated});
      } else if (column.default_expr && uses(deps, *column.default_expr, recreated)) {
        std::string alter = "ALTER TABLE " + key + " ALTER COLUMN " + quote_ident(column.name);
        Step drop = make_step("column", qcol, ChangeKind::Alter, kColumn, alter + " DROP DEFAULT;");
        drop.needs = {"table:" + key};
        drop.releases = deps.of_expr(*column.default_expr);
        drop.hazards = {Hazard::AccessExclusiveLock};
        drop.lock = "ACCESS EXCLUSIVE";
        drop.note = "the default's function is dropped and created again";
        ctx.add(drop);
        Step set = make_step("column", qcol, ChangeKind::Alter, kColumn,
                             alter + " SET DEFAULT " + *after->default_expr + ";");
        set.needs = ctx.to_deps.of_expr(*after->default_expr);
        set.needs.push_back("table:" + key);
        set.hazards = {Hazard::AccessExclusiveLock};
        set.lock = "ACCESS EXCLUSIVE";
        ctx.add(set);
      }
    }
    for (const auto& entry : from.constraints) {
      // Named, not structured bindings: lambdas below capture them (clang 14 cannot).
      const auto& name = entry.first;
      const auto& c = entry.second;
      auto after = to.constraints.find(name);
      if (c.kind != schema::ConstraintKind::Check || after == to.constraints.end() ||
          !(after->second == c) || !uses(deps, c.check_expr, recreated))
        continue;
      if (change && listed(change->constraints,
                           [&](const auto& k) { return k.from && k.from->name == name; }))
        continue;
      gen_constraint(ctx, {ChangeKind::Alter, key, c, after->second}, false);
    }
    for (const auto& entry : from.indexes) {
      const auto& name = entry.first;
      const auto& i = entry.second;
      auto after = to.indexes.find(name);
      if (after == to.indexes.end() || !(after->second == i)) continue;
      bool used = uses(deps, i.where_expr, recreated);
      for (const auto& k : i.keys) used = used || uses(deps, k.expr, recreated);
      if (!used || (change && listed(change->indexes, [&](const auto& x) {
                      return x.from && x.from->name == name;
                    })))
        continue;
      gen_index(ctx, {ChangeKind::Alter, key, from.schema, from.name, i, after->second}, false,
                from.kind == schema::TableKind::Partitioned);
    }
    for (const auto& entry : from.triggers) {
      const auto& name = entry.first;
      const auto& t = entry.second;
      auto after = to.triggers.find(name);
      if (after == to.triggers.end() || !(after->second == t)) continue;
      bool used = recreated.count("function:" + t.function) || uses(deps, t.when_expr, recreated);
      if (!used || (change && listed(change->triggers, [&](const auto& x) {
                      return x.from && x.from->name == name;
                    })))
        continue;
      gen_trigger(ctx, {ChangeKind::Alter, key, t, after->second});
    }
    for (const auto& entry : from.policies) {
      const auto& name = entry.first;
      const auto& p = entry.second;
      auto after = to.policies.find(name);
      if (after == to.policies.end() || !(after->second == p)) continue;
      bool used = uses(deps, p.using_expr, recreated) || uses(deps, p.check_expr, recreated);
      if (!used || (change && listed(change->policies, [&](const auto& x) {
                      return x.from && x.from->name == name;
                    })))
        continue;
      gen_policy(ctx, {ChangeKind::Alter, key, p, after->second});
    }
  }
}

}  // namespace pgdrift::planner
