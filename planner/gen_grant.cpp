// GRANT / REVOKE (only with --privileges). Every step changes who can do what: authz.
#include "planner/generators.h"
#include "schema/render.h"

namespace pgdrift::planner {

void gen_grants(Context& ctx, const std::vector<engine::GrantChange>& changes) {
  for (const auto& c : changes) {
    for (const auto& g : c.revoked) {
      Step s = make_step("grant", c.object, engine::ChangeKind::Drop, kGrant,
                         schema::render_revoke(c.target, g));
      s.needs = {c.depends_on};
      s.hazards = {Hazard::Authz};
      ctx.add(s);
    }
    for (const auto& g : c.granted) {
      Step s = make_step("grant", c.object, engine::ChangeKind::Add, kGrant,
                         schema::render_grant(c.target, g));
      s.needs = {c.depends_on};
      s.hazards = {Hazard::Authz};
      ctx.add(s);
    }
  }
}

}  // namespace pgdrift::planner
