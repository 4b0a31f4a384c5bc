// GRANT / REVOKE (only with --privileges). Every step changes who can do what: authz.
#include "planner/generators.h"
#include "planner/object_sql.h"
#include "schema/render.h"

namespace pgdrift::planner {

void gen_grants(Context& ctx, const std::vector<engine::GrantChange>& changes) {
  for (const auto& c : changes) {
    const std::string target = grant_target(c.object, ctx.to);
    const std::string needs = dependency_key(c.object, ctx.to);
    for (const auto& g : c.revoked) {
      Step s = make_step("grant", c.object.name, engine::ChangeKind::Drop, kGrant,
                         schema::render_revoke(target, g));
      s.needs = {needs};
      s.hazards = {Hazard::Authz};
      ctx.add(s);
    }
    for (const auto& g : c.granted) {
      Step s = make_step("grant", c.object.name, engine::ChangeKind::Add, kGrant,
                         schema::render_grant(target, g));
      s.needs = {needs};
      s.hazards = {Hazard::Authz};
      ctx.add(s);
    }
  }
}

}  // namespace pgdrift::planner
