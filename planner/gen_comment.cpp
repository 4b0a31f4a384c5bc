// COMMENT ON for every comment that differs (objects created by the plan included).
#include "planner/generators.h"
#include "schema/render.h"

namespace pgdrift::planner {

void gen_comments(Context& ctx, const std::vector<engine::CommentChange>& changes) {
  for (const auto& c : changes) {
    Step s = make_step("comment", c.object, engine::ChangeKind::Alter, kComment,
                       schema::render_comment(c.target, c.to));
    s.needs = {c.depends_on};
    ctx.add(s);
  }
}

}  // namespace pgdrift::planner
