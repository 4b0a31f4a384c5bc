// Aggregates. There is no ALTER for what defines an aggregate, so a change drops and creates
// it again, with its comment and privileges given back (gen_kept.cpp).
//
// An aggregate holds on to its support functions and types (pg_depend): it is created after
// them and dropped before them; an unchanged aggregate whose support function the plan drops
// and creates again (Context::rebuilt) is dropped and created around it. Views that call a
// re-created aggregate are re-created with it.
#include <algorithm>

#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;

namespace {

std::string aggregate_dep(const schema::Aggregate& a) {
  return "aggregate:" + schema::quote_qualified(a.schema, a.name);
}

std::string aggregate_name(const schema::Aggregate& a) {
  return schema::quote_qualified(a.schema, a.name) + "(" + a.signature() + ")";
}

Step create_aggregate(Context& ctx, const schema::Aggregate& a, ChangeKind kind) {
  Step s = make_step("aggregate", aggregate_name(a), kind, kFunction,
                     schema::render_create_aggregate(a));
  s.provides = {aggregate_dep(a)};
  s.needs = ctx.to_deps.of_aggregate(a);
  return s;
}

Step drop_aggregate(Context& ctx, const schema::Aggregate& a) {
  Step s = make_step("aggregate", aggregate_name(a), ChangeKind::Drop, kDropFunction,
                     "DROP " + schema::aggregate_what(a) + ";");
  s.removes = {aggregate_dep(a)};
  s.releases = ctx.from_deps.of_aggregate(a);
  s.hazards = {Hazard::UntrackedDependencies};
  s.note = "queries and functions calling the aggregate are not checked";
  return s;
}

// DROP and CREATE under the same name: views calling it go first and come back after.
void recreate_aggregate(Context& ctx, const std::string& key, const schema::Aggregate& from,
                        const schema::Aggregate& to) {
  Step drop = drop_aggregate(ctx, from);
  drop.change_kind = ChangeKind::Alter;
  drop.phase = kFunction;
  for (const auto& v : ctx.from_deps.dependent_views(aggregate_dep(from))) {
    ctx.recreate_views.insert(v);
    drop.after_removal.push_back("view:" + v);
  }
  drop.provides.push_back("aggregate-dropped:" + key);
  ctx.add(drop);
  Step create = create_aggregate(ctx, to, ChangeKind::Alter);
  create.needs.push_back("aggregate-dropped:" + key);
  ctx.add(create);
  restore_kept(ctx, {Recreated::Kind::Aggregate, key, ""});
}

}  // namespace

void gen_aggregates(Context& ctx, const std::vector<engine::AggregateChange>& changes) {
  std::set<std::string> changed;
  for (const auto& c : changes) {
    changed.insert(c.key);
    if (c.kind == ChangeKind::Add)
      ctx.add(create_aggregate(ctx, *c.to, ChangeKind::Add));
    else if (c.kind == ChangeKind::Drop)
      ctx.add(drop_aggregate(ctx, *c.from));
    else
      recreate_aggregate(ctx, c.key, *c.from, *c.to);
  }
  // Unchanged aggregates whose support function is dropped and created again.
  for (const auto& [key, a] : ctx.from.aggregates) {
    if (changed.count(key) || !ctx.to.aggregates.count(key)) continue;
    const auto deps = ctx.from_deps.of_aggregate(a);
    if (std::any_of(deps.begin(), deps.end(),
                    [&](const std::string& d) { return ctx.rebuilt.count(d) > 0; }))
      recreate_aggregate(ctx, key, a, ctx.to.aggregates.at(key));
  }
}

}  // namespace pgdrift::planner
