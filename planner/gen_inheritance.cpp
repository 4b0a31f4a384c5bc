// Table inheritance (PostgreSQL 15 docs: 5.10 Inheritance; ALTER TABLE). ALTER TABLE on a
// parent recurses into its children: ADD / DROP COLUMN, ALTER COLUMN TYPE, SET / DROP DEFAULT,
// SET / DROP NOT NULL, and ADD / DROP CONSTRAINT of a CHECK that is not NO INHERIT. So a child
// that stays under a parent is planned from what it is once the parent's steps have recursed into
// it: changes PostgreSQL makes from the parent's are left out, the child's own are kept (a column
// or a default of its own). Partitions follow the same rule with stricter limits
// (gen_partition.cpp).
#include <algorithm>

#include "engine/diff.h"
#include "planner/generators.h"

namespace pgdrift::planner {

using engine::ChangeKind;
using schema::ConstraintKind;

namespace {

const schema::Table* find_table(const schema::Model& model, const std::string& key) {
  auto it = model.tables.find(key);
  return it == model.tables.end() ? nullptr : &it->second;
}

bool inheritable_check(const schema::Constraint* c) {
  return c != nullptr && c->kind == ConstraintKind::Check && !c->no_inherit;
}

const schema::Constraint* find_constraint(const schema::Table& t, const std::string& name) {
  auto it = t.constraints.find(name);
  return it == t.constraints.end() ? nullptr : &it->second;
}

// `child` as it is once the steps that change `parent_from` into `parent_to` have recursed into
// it. A column or CHECK the parent drops goes with it unless the target child keeps it (declared
// by the child itself too: attislocal / conislocal).
void cascade(schema::Table& child, const schema::Table& parent_from, const schema::Table& parent_to,
             const schema::Table& child_to) {
  for (const schema::Column& before : parent_from.columns) {
    const schema::Column* after = parent_to.find_column(before.name);
    schema::Column* own = child.find_column(before.name);
    if (own == nullptr) continue;
    if (after == nullptr) {
      if (child_to.find_column(before.name) == nullptr)
        std::erase_if(child.columns,
                      [&](const schema::Column& c) { return c.name == before.name; });
      continue;
    }
    if (before.type != after->type || before.collation != after->collation) {
      own->type = after->type;
      own->collation = after->collation;
    }
    if (before.default_expr != after->default_expr) own->default_expr = after->default_expr;
    if (before.not_null != after->not_null) own->not_null = after->not_null;
  }
  for (const schema::Column& added : parent_to.columns) {
    if (parent_from.find_column(added.name) != nullptr || child.find_column(added.name)) continue;
    schema::Column copy = added;  // ADD COLUMN recursing: the parent's definition
    copy.comment.reset();
    copy.grants.clear();
    copy.renamed_from = {};
    child.columns.push_back(std::move(copy));
  }

  for (const auto& [name, before] : parent_from.constraints) {
    if (!inheritable_check(&before)) continue;
    const schema::Constraint* after = find_constraint(parent_to, name);
    if (inheritable_check(after) && *after == before) continue;
    // Dropped (or dropped and added again) on the parent: the child's copy goes with it.
    const schema::Constraint* copy = find_constraint(child, name);
    if (copy != nullptr && !copy->parent_constraint.empty()) child.constraints.erase(name);
  }
  for (const auto& [name, after] : parent_to.constraints) {
    if (!inheritable_check(&after)) continue;
    const schema::Constraint* before = find_constraint(parent_from, name);
    if (inheritable_check(before) && *before == after) continue;
    if (child.constraints.count(name)) continue;  // merged with the child's own
    schema::Constraint copy = after;
    copy.comment.reset();
    copy.parent_constraint = name;
    child.constraints[name] = std::move(copy);
  }
}

// The column and CHECK changes left for a child once its kept parents' steps recursed into it.
void keep_own_changes(const Context& ctx, engine::TableChange& c,
                      const std::vector<std::string>& parents) {
  schema::Table cascaded = *c.from;
  for (const auto& p : parents)
    cascade(cascaded, *find_table(ctx.from, p), *find_table(ctx.to, p), *c.to);
  schema::Model before, after;
  before.tables[c.key] = cascaded;
  after.tables[c.key] = *c.to;
  const engine::Changes own = engine::diff_models(before, after);
  c.columns.clear();
  std::vector<engine::ConstraintChange> kept;
  for (const auto& k : c.constraints)  // keys and foreign keys are not inherited
    if ((k.from && k.from->kind != ConstraintKind::Check) ||
        (k.to && k.to->kind != ConstraintKind::Check))
      kept.push_back(k);
  c.constraints = std::move(kept);
  for (const auto& t : own.tables) {
    if (t.key != c.key) continue;
    c.columns = t.columns;
    for (const auto& k : t.constraints)
      if ((k.from && k.from->kind == ConstraintKind::Check) ||
          (k.to && k.to->kind == ConstraintKind::Check))
        c.constraints.push_back(k);
  }
}

}  // namespace

std::vector<std::string> kept_inheritance_parents(const Context& ctx, const std::string& key) {
  std::vector<std::string> out;
  const schema::Table* from = find_table(ctx.from, key);
  const schema::Table* to = find_table(ctx.to, key);
  if (from == nullptr || to == nullptr || ctx.recreated_tables.count(key)) return out;
  for (const auto& p : to->inherits)
    if (std::find(from->inherits.begin(), from->inherits.end(), p) != from->inherits.end() &&
        find_table(ctx.from, p) && find_table(ctx.to, p) && !ctx.recreated_tables.count(p))
      out.push_back(p);
  return out;
}

std::vector<engine::TableChange> inheritance_changes(
    const Context& ctx, const std::vector<engine::TableChange>& changes) {
  std::set<std::string> changed_parents, listed;
  for (const auto& c : changes)
    if (c.kind == ChangeKind::Alter) changed_parents.insert(c.key);
  std::vector<engine::TableChange> out;
  for (const auto& c : changes) {
    listed.insert(c.key);
    engine::TableChange adjusted = c;
    const std::vector<std::string> parents = kept_inheritance_parents(ctx, c.key);
    if (c.kind == ChangeKind::Alter && !parents.empty()) keep_own_changes(ctx, adjusted, parents);
    out.push_back(std::move(adjusted));
  }
  // Children without changes of their own whose parent's steps overwrite what is theirs (a
  // default, NOT NULL), which is set again.
  for (const auto& [key, t] : ctx.to.tables) {
    if (listed.count(key)) continue;
    const std::vector<std::string> parents = kept_inheritance_parents(ctx, key);
    if (std::none_of(parents.begin(), parents.end(),
                     [&](const std::string& p) { return changed_parents.count(p) != 0; }))
      continue;
    engine::TableChange c;
    c.kind = ChangeKind::Alter;
    c.key = key;
    c.from = &ctx.from.tables.at(key);
    c.to = &t;
    keep_own_changes(ctx, c, parents);
    if (!c.columns.empty() || !c.constraints.empty()) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace pgdrift::planner
