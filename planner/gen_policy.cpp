// Row-level security policies: CREATE / DROP; a changed policy is dropped and created (ALTER
// POLICY cannot remove a USING or WITH CHECK clause). Every step changes who sees what: authz.
#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;

void gen_policy(Context& ctx, const engine::PolicyChange& change) {
  if (change.kind == ChangeKind::Drop || change.kind == ChangeKind::Alter) {
    const auto& p = *change.from;
    std::string qname = change.table + "." + schema::quote_ident(p.name);
    Step s = make_step(
        "policy", qname, change.kind, kDropPolicyTrigger,
        "DROP POLICY IF EXISTS " + schema::quote_ident(p.name) + " ON " + change.table + ";");
    s.removes = {"policy:" + qname};
    for (const auto& d : ctx.from_deps.of_expr(p.using_expr)) s.releases.push_back(d);
    for (const auto& d : ctx.from_deps.of_expr(p.check_expr)) s.releases.push_back(d);
    s.hazards = {Hazard::Authz, Hazard::AccessExclusiveLock};
    s.lock = "ACCESS EXCLUSIVE";
    ctx.add(s);
  }
  if (change.kind == ChangeKind::Add || change.kind == ChangeKind::Alter) {
    const auto& p = *change.to;
    std::string qname = change.table + "." + schema::quote_ident(p.name);
    Step s = make_step("policy", qname, change.kind, kTriggerPolicy,
                       schema::render_create_policy(change.table, p));
    s.provides = {"policy:" + qname};
    s.needs = {"table:" + change.table};
    for (const auto& d : ctx.to_deps.of_expr(p.using_expr)) s.needs.push_back(d);
    for (const auto& d : ctx.to_deps.of_expr(p.check_expr)) s.needs.push_back(d);
    s.hazards = {Hazard::Authz, Hazard::AccessExclusiveLock};
    s.lock = "ACCESS EXCLUSIVE";
    ctx.add(s);
    if (change.kind == ChangeKind::Alter)
      restore_kept(ctx, {Recreated::Kind::Policy, change.table, p.name});
  }
}

}  // namespace pgdrift::planner
