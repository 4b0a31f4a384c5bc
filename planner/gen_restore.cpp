// Restores (PlanOptions::restores, planner/backup.h): the rollback of an apply that took backups
// puts the saved values back right after the step that brings their column or table back.
// - A column: after the step that re-adds it or converts it back, in the same phase, so that a
//   NOT NULL re-added without a default (gen_column.cpp adds it bare, restores, then sets NOT
//   NULL) and the steps after it see the restored values. The step modifies the column and the
//   table, so indexes, constraints and triggers the rollback creates on them come after it.
// - A table: after its CREATE TABLE (and the partitions it routes rows to), before its indexes,
//   foreign keys, triggers, policies and RLS, which all need the table.
#include "planner/backup.h"
#include "planner/generators.h"
#include "schema/canonical.h"

namespace pgdrift::planner {

using schema::quote_ident;

const Backup* restore_of(const Context& ctx, const std::string& table, const std::string& column) {
  for (const auto& b : ctx.options.restores)
    if (b.taken && b.table == table && b.column == column) return &b;
  return nullptr;
}

namespace {

Step restore_step(const Backup& b, const std::string& object, int phase, std::string statement) {
  Step s = make_step(b.column.empty() ? "table" : "column", object, engine::ChangeKind::Alter,
                     phase, std::move(statement));
  s.lock = b.column.empty() ? "ROW EXCLUSIVE" : "ROW EXCLUSIVE (row locks on every row)";
  s.long_running = true;
  s.note = "restores the " + std::string(b.column.empty() ? "rows" : "values") + " step " +
           std::to_string(b.step) + " of the undone apply saved in " + b.backup_table +
           (b.rows >= 0 ? " (" + std::to_string(b.rows) + " rows)" : "");
  return s;
}

}  // namespace

void gen_restore_column(Context& ctx, const std::string& table, const std::string& column) {
  const Backup* b = restore_of(ctx, table, column);
  auto to = ctx.to.tables.find(table);
  if (!b || to == ctx.to.tables.end()) return;
  for (const auto& k : b->key)
    if (!to->second.find_column(k)) return;  // the key is not there to match rows by
  // Triggers that exist before and after the rollback and fire on UPDATE would change what is
  // restored (an updated_at stamp, an audit row): they are off for the restore. Others are
  // dropped before it or created after it.
  std::vector<const schema::Trigger*> triggers;
  auto from = ctx.from.tables.find(table);
  if (from != ctx.from.tables.end())
    for (const auto& [name, t] : from->second.triggers) {
      auto kept = to->second.triggers.find(name);
      if (t.enabled != 'D' && kept != to->second.triggers.end() && kept->second == t &&
          std::find(t.events.begin(), t.events.end(), "UPDATE") != t.events.end())
        triggers.push_back(&t);
    }
  const std::string qname = table + "." + quote_ident(column);
  Step s = restore_step(*b, qname, kColumn, restore_statement(*b, to->second, triggers));
  s.needs = {"table:" + table, "column:" + qname};
  for (const auto& k : b->key) s.needs.push_back("column:" + table + "." + quote_ident(k));
  s.provides = {"column:" + qname, "table:" + table};
  ctx.add(s);
}

void gen_restore_table(Context& ctx, const std::string& key, const schema::Table& table) {
  const Backup* b = restore_of(ctx, key, "");
  if (!b) return;
  Step s = restore_step(*b, key, kCreateTable, restore_statement(*b, table, {}));
  s.needs = {"table:" + key};
  for (const auto& c : table.columns)
    s.needs.push_back("column:" + key + "." + quote_ident(c.name));
  // Rows of a partitioned table go to its partitions: they are created first.
  for (const auto& [other_key, other] : ctx.to.tables)
    if (other.partition_of == key) s.needs.push_back("table:" + other_key);
  s.provides = {"table:" + key};
  ctx.add(s);
}

}  // namespace pgdrift::planner
