// Indexes: CREATE / DROP INDEX CONCURRENTLY on existing tables (online), plain forms on new
// tables, partitioned tables (CONCURRENTLY is not supported there) and with --no-online.
#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;

void gen_index(Context& ctx, const engine::IndexChange& change, bool table_is_new,
               bool partitioned) {
  bool on_view = ctx.to.views.count(change.table) || ctx.from.views.count(change.table);
  std::string owner = (on_view ? "view:" : "table:") + change.table;
  const bool concurrently = ctx.options.online && !table_is_new && !partitioned;
  if (change.kind == ChangeKind::Drop || change.kind == ChangeKind::Alter) {
    const auto& i = *change.from;
    std::string qname = schema::quote_qualified(change.schema, i.name);
    Step s = make_step("index", qname, change.kind, kDropConstraintIndex,
                       std::string("DROP INDEX ") + (concurrently ? "CONCURRENTLY " : "") +
                           "IF EXISTS " + qname + ";");
    s.removes = {"index:" + qname};
    if (i.unique) s.removes.push_back("uniques:" + change.table);
    // Functions its expressions and predicate use are dropped only after it.
    for (const auto& k : i.keys)
      for (const auto& d : ctx.from_deps.of_expr(k.expr)) s.releases.push_back(d);
    for (const auto& d : ctx.from_deps.of_expr(i.where_expr)) s.releases.push_back(d);
    s.hazards = {Hazard::IndexDropped};
    if (concurrently) {
      s.transactional = false;
      s.hazards.push_back(Hazard::NotTransactional);
      s.lock = "SHARE UPDATE EXCLUSIVE";
    } else {
      s.hazards.push_back(Hazard::AccessExclusiveLock);
      s.lock = "ACCESS EXCLUSIVE";
    }
    ctx.add(s);
  }
  if (change.kind == ChangeKind::Add || change.kind == ChangeKind::Alter) {
    const auto& i = *change.to;
    std::string qname = schema::quote_qualified(change.schema, i.name);
    Step s =
        make_step("index", qname, change.kind, kConstraintIndex,
                  schema::render_create_index(change.schema, change.table_name, i, concurrently));
    s.provides = {"index:" + qname};
    if (i.unique) s.provides.push_back("uniques:" + change.table);
    s.needs = {owner};
    for (const auto& k : i.keys) {
      if (!k.column.empty())
        s.needs.push_back("column:" + change.table + "." + schema::quote_ident(k.column));
      for (const auto& d : ctx.to_deps.of_expr(k.expr)) s.needs.push_back(d);
    }
    for (const auto& d : ctx.to_deps.of_expr(i.where_expr)) s.needs.push_back(d);
    if (!table_is_new) {
      s.hazards = {Hazard::IndexBuild};
      s.long_running = true;
      if (concurrently) {
        s.transactional = false;
        s.hazards.push_back(Hazard::NotTransactional);
        s.lock = "SHARE UPDATE EXCLUSIVE";
        s.note = "a failed concurrent build leaves an INVALID index to drop before retrying";
      } else {
        s.hazards.push_back(Hazard::BlocksWrites);
        s.lock = "SHARE";
      }
    }
    ctx.add(s);
  }
}

}  // namespace pgdrift::planner
