// Foreign keys that the diff leaves unchanged but that depend on something the plan drops or
// changes: the referenced columns (dropped or retyped), the referenced PRIMARY KEY / UNIQUE
// constraint or unique index (dropped or rebuilt), a referenced table that is recreated, or the
// FK's own columns being retyped. PostgreSQL refuses the change while the FK exists (or
// rebuilds it against the half-converted types), so the FK is dropped before and added again
// after.
#include <algorithm>
#include <map>
#include <set>

#include "planner/generators.h"
#include "schema/canonical.h"

namespace pgdrift::planner {

using engine::ChangeKind;
using schema::quote_ident;

namespace {

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

class ChangedKeys {
 public:
  explicit ChangedKeys(const std::vector<engine::TableChange>& changes) {
    for (const auto& c : changes) by_table_[c.key] = &c;
  }

  const engine::TableChange* table(const std::string& key) const {
    auto it = by_table_.find(key);
    return it == by_table_.end() ? nullptr : it->second;
  }

  bool recreated(const std::string& key) const {
    const auto* t = table(key);
    return t && t->kind == ChangeKind::Alter && (t->changed & engine::kTableStructure);
  }

  // Dropped, or its type / collation changes.
  bool column_changed(const std::string& key, const std::string& column) const {
    const auto* t = table(key);
    if (!t) return false;
    for (const auto& c : t->columns) {
      if (!c.from || c.from->name != column) continue;
      if (c.kind == ChangeKind::Drop) return true;
      if (c.kind == ChangeKind::Alter &&
          (c.has(engine::kColumnType) || c.has(engine::kColumnCollation) ||
           c.has(engine::kColumnGenerated)))
        return true;
    }
    return false;
  }

  bool column_retyped(const std::string& key, const std::string& column) const {
    const auto* t = table(key);
    if (!t) return false;
    for (const auto& c : t->columns)
      if (c.kind == ChangeKind::Alter && c.from && c.from->name == column &&
          (c.has(engine::kColumnType) || c.has(engine::kColumnCollation)))
        return true;
    return false;
  }

  // A PRIMARY KEY / UNIQUE constraint or unique index over exactly `columns` goes away or is
  // rebuilt.
  bool unique_key_changed(const std::string& key, const std::vector<std::string>& columns) const {
    const auto* t = table(key);
    if (!t) return false;
    auto wanted = as_set(columns);
    for (const auto& c : t->constraints) {
      if (c.kind == ChangeKind::Add || !c.from) continue;
      if ((c.from->kind == schema::ConstraintKind::PrimaryKey ||
           c.from->kind == schema::ConstraintKind::Unique) &&
          as_set(c.from->columns) == wanted)
        return true;
    }
    for (const auto& i : t->indexes) {
      // An INVALID index backs no foreign key: rebuilding it leaves them be.
      if (i.kind == ChangeKind::Add || !i.from || !i.from->unique || !i.from->valid) continue;
      std::set<std::string> cols;
      for (const auto& k : i.from->keys) cols.insert(k.column);
      if (cols == wanted) return true;
    }
    return false;
  }

  bool fk_in_diff(const std::string& key, const std::string& name) const {
    const auto* t = table(key);
    if (!t) return false;
    return std::any_of(t->constraints.begin(), t->constraints.end(), [&](const auto& c) {
      return (c.from && c.from->name == name) || (c.to && c.to->name == name);
    });
  }

 private:
  std::map<std::string, const engine::TableChange*> by_table_;
};

}  // namespace

void gen_dependent_foreign_keys(Context& ctx, const std::vector<engine::TableChange>& changes) {
  ChangedKeys changed(changes);
  for (const auto& [key, table] : ctx.from.tables) {
    if (ctx.dropped_tables.count(key) || changed.recreated(key)) continue;
    auto target = ctx.to.tables.find(key);
    if (target == ctx.to.tables.end()) continue;
    for (const auto& [name, fk] : table.constraints) {
      if (fk.kind != schema::ConstraintKind::ForeignKey || !fk.foreign_key) continue;
      if (changed.fk_in_diff(key, name)) continue;  // its own generator drops / adds it
      auto wanted = target->second.constraints.find(name);
      if (wanted == target->second.constraints.end()) continue;
      const std::string& ref = fk.foreign_key->ref_table;
      bool affected =
          changed.recreated(ref) || changed.unique_key_changed(ref, fk.foreign_key->ref_columns);
      std::vector<std::string> retyped;  // column keys whose type change waits for the drop
      for (const auto& col : fk.foreign_key->ref_columns)
        if (changed.column_changed(ref, col)) {
          affected = true;
          retyped.push_back(ref + "." + quote_ident(col));
        }
      for (const auto& col : fk.columns)
        if (changed.column_retyped(key, col)) {
          affected = true;
          retyped.push_back(key + "." + quote_ident(col));
        }
      if (!affected) continue;
      size_t first = ctx.steps.size();
      gen_constraint(ctx, {ChangeKind::Alter, key, fk, wanted->second}, false);
      for (size_t i = first; i < ctx.steps.size(); ++i) {
        Step& step = ctx.steps[i];
        for (const auto& k : retyped) {
          if (i == first)
            step.provides.push_back("checks-off:" + k);
          else
            step.needs.push_back("retyped:" + k);
        }
      }
      ctx.steps[first].note =
          "re-added after the referenced key or columns change (PostgreSQL refuses the change "
          "while the foreign key exists)";
    }
  }
}

}  // namespace pgdrift::planner
