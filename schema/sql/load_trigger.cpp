// CREATE [OR REPLACE] [CONSTRAINT] TRIGGER. Triggers on tables go to Table::triggers, triggers
// on views (INSTEAD OF) to View::triggers.
#include <algorithm>

#include "schema/canonical.h"
#include "schema/sql/column_def.h"
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

// TRIGGER_TYPE_* bits of pg_trigger.tgtype, as CreateTrigStmt carries them.
constexpr int kBefore = 1 << 1;
constexpr int kInsert = 1 << 2;
constexpr int kDelete = 1 << 3;
constexpr int kUpdate = 1 << 4;
constexpr int kTruncate = 1 << 5;
constexpr int kInstead = 1 << 6;

// Trigger functions that ship in pg_catalog (found first on every search_path).
bool builtin_trigger_function(const std::string& name) {
  return name == "tsvector_update_trigger" || name == "tsvector_update_trigger_column" ||
         name == "suppress_redundant_updates_trigger";
}

bool has_function(const Model& model, const std::string& schema, const std::string& name) {
  for (const auto& [key, f] : model.functions)
    if (f.schema == schema && f.name == name && f.identity_arguments().empty()) return true;
  return false;
}

std::string trigger_function(LoadContext& ctx, const PgQuery__CreateTrigStmt* stmt) {
  const QualifiedName function = qualified_name(ctx, stmt->funcname, stmt->n_funcname);
  const std::string& name = function.name;
  std::string schema = function.schema;
  if (stmt->n_funcname < 2 && builtin_trigger_function(name)) schema = "pg_catalog";
  // Functions of extensions are not in the model, so with extensions present an unknown
  // function may be theirs and is accepted (qualified with the search schema).
  if (!has_function(ctx.model, schema, name) && schema != "pg_catalog" &&
      ctx.model.extensions.empty())
    ctx.fail(-1, "function " + qualified_key(schema, name) + "() does not exist");
  return qualified_key(schema, name);
}

}  // namespace

void load_create_trigger(LoadContext& ctx, const PgQuery__CreateTrigStmt* stmt) {
  Trigger trigger;
  trigger.name = stmt->trigname;
  trigger.location = ctx.location_at(-1);
  trigger.timing = (stmt->timing & kBefore)    ? "BEFORE"
                   : (stmt->timing & kInstead) ? "INSTEAD OF"
                                               : "AFTER";
  if (stmt->events & kDelete) trigger.events.push_back("DELETE");
  if (stmt->events & kInsert) trigger.events.push_back("INSERT");
  if (stmt->events & kTruncate) trigger.events.push_back("TRUNCATE");
  if (stmt->events & kUpdate) trigger.events.push_back("UPDATE");
  trigger.update_columns = string_list(stmt->columns, stmt->n_columns);
  trigger.for_each_row = stmt->row;
  trigger.function = trigger_function(ctx, stmt);
  trigger.arguments = string_list(stmt->args, stmt->n_args);
  trigger.constraint_trigger = stmt->isconstraint;
  trigger.deferrable = stmt->deferrable;
  trigger.initially_deferred = stmt->initdeferred;
  if (stmt->constrrel) ctx.unsupported(stmt->constrrel->location, "CONSTRAINT TRIGGER ... FROM");
  for (size_t i = 0; i < stmt->n_transition_rels; ++i) {
    const PgQuery__TriggerTransition* t = stmt->transition_rels[i]->trigger_transition;
    if (!t) continue;
    (t->is_new ? trigger.new_table : trigger.old_table) = t->name;
  }

  std::string key = ctx.key_of(stmt->relation);
  std::map<std::string, Trigger>* triggers = nullptr;
  ColumnTypes column_types;  // NEW.c / OLD.c of a table; none for a view (no WHEN there)
  if (auto t = ctx.model.tables.find(key); t != ctx.model.tables.end()) {
    triggers = &t->second.triggers;
    column_types = column_types_of(ctx.model, t->second);
  } else if (auto v = ctx.model.views.find(key); v != ctx.model.views.end())
    triggers = &v->second.triggers;
  else
    ctx.fail(stmt->relation->location,
             "relation \"" + std::string(stmt->relation->relname) + "\" does not exist");
  if (stmt->when_clause) trigger.when_expr = canonical_expr(stmt->when_clause, column_types);
  auto existing = triggers->find(trigger.name);
  if (existing != triggers->end()) {
    if (!stmt->replace)
      ctx.fail(-1, "trigger \"" + trigger.name + "\" for relation \"" +
                       std::string(stmt->relation->relname) + "\" already exists");
    trigger.comment = existing->second.comment;
  }
  (*triggers)[trigger.name] = trigger;
}

}  // namespace pgdrift::schema::sql
