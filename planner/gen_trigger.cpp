// Triggers (on tables and views): CREATE / DROP; a changed trigger is dropped and created, one
// that changes only its enabled state (ENABLE / DISABLE TRIGGER) is altered.
#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;

// ALTER TABLE ... ENABLE / DISABLE [REPLICA | ALWAYS] TRIGGER: PostgreSQL 15 takes SHARE ROW
// EXCLUSIVE for it.
Step trigger_state_step(const std::string& table, const schema::Trigger& t) {
  const std::string qname = table + "." + schema::quote_ident(t.name);
  Step s = make_step("trigger", qname, ChangeKind::Alter, kTriggerPolicy,
                     schema::render_trigger_state(table, t));
  s.needs = {"trigger:" + qname};
  s.hazards = {Hazard::BlocksWrites};
  s.lock = "SHARE ROW EXCLUSIVE";
  return s;
}

void gen_trigger(Context& ctx, const engine::TriggerChange& change) {
  // An Alter of a trigger equal on both sides is a rebuild around something it depends on
  // (gen_function_dependents, a retyped column): dropped and created, not altered in place.
  if (change.kind == ChangeKind::Alter && !(*change.from == *change.to) &&
      engine::trigger_altered_in_place(*change.from, *change.to)) {
    if (change.from->enabled != change.to->enabled)
      ctx.add(trigger_state_step(change.table, *change.to));
    return;
  }
  bool on_view = ctx.to.views.count(change.table) || ctx.from.views.count(change.table);
  std::string owner = (on_view ? "view:" : "table:") + change.table;
  if (change.kind == ChangeKind::Drop || change.kind == ChangeKind::Alter) {
    const auto& t = *change.from;
    std::string qname = change.table + "." + schema::quote_ident(t.name);
    Step s = make_step(
        "trigger", qname, change.kind, kDropPolicyTrigger,
        "DROP TRIGGER IF EXISTS " + schema::quote_ident(t.name) + " ON " + change.table + ";");
    s.removes = {"trigger:" + qname};
    s.releases = {"function:" + t.function};
    for (const auto& d : ctx.from_deps.of_expr(t.when_expr)) s.releases.push_back(d);
    s.hazards = {Hazard::AccessExclusiveLock};
    s.lock = "ACCESS EXCLUSIVE";
    ctx.add(s);
  }
  if (change.kind == ChangeKind::Add || change.kind == ChangeKind::Alter) {
    const auto& t = *change.to;
    std::string qname = change.table + "." + schema::quote_ident(t.name);
    Step s = make_step("trigger", qname, change.kind, kTriggerPolicy,
                       schema::render_create_trigger(change.table, t));
    s.provides = {"trigger:" + qname};
    s.needs = {owner, "function:" + t.function};
    for (const auto& col : t.update_columns)
      s.needs.push_back("column:" + change.table + "." + schema::quote_ident(col));
    for (const auto& d : ctx.to_deps.of_expr(t.when_expr)) s.needs.push_back(d);
    s.hazards = {Hazard::BlocksWrites};
    s.lock = "SHARE ROW EXCLUSIVE";
    ctx.add(s);
    if (t.enabled != 'O') ctx.add(trigger_state_step(change.table, t));
    if (change.kind == ChangeKind::Alter)
      restore_kept(ctx, {Recreated::Kind::Trigger, change.table, t.name});
  }
}

}  // namespace pgdrift::planner
