// COMMENT ON for every comment that differs (objects created by the plan included).
#include "planner/generators.h"
#include "planner/object_sql.h"
#include "schema/render.h"

namespace pgdrift::planner {

void gen_comments(Context& ctx, const std::vector<engine::CommentChange>& changes) {
  for (const auto& c : changes) {
    Step s = make_step("comment", c.object.name, engine::ChangeKind::Alter, kComment,
                       schema::render_comment(comment_target(c.object, ctx.to), c.to));
    s.needs = {dependency_key(c.object, ctx.to)};
    ctx.add(s);
  }
}

}  // namespace pgdrift::planner
