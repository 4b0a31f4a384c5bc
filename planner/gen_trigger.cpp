// Triggers (on tables and views): CREATE / DROP; a changed trigger is dropped and created.
#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;

void gen_trigger(Context& ctx, const engine::TriggerChange& change) {
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
    if (change.kind == ChangeKind::Alter)
      restore_kept(ctx, {Recreated::Kind::Trigger, change.table, t.name});
  }
}

}  // namespace pgdrift::planner
