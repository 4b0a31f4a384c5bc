// Views and materialized views. A changed definition is DROP + CREATE (CREATE OR REPLACE cannot
// drop, rename or retype columns), changed options ALTER ... SET / RESET, and every view reading a
// recreated view, a retyped or dropped column, or a recreated function is dropped and created
// around the change.
#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;

namespace {

std::string keyword(const schema::View& v) { return v.materialized ? "MATERIALIZED VIEW" : "VIEW"; }

void drop_view(Context& ctx, const std::string& key, const schema::View& v, ChangeKind kind) {
  Step s = make_step(v.materialized ? "materialized view" : "view", key, kind, kDropView,
                     "DROP " + keyword(v) + " " + key + ";");
  s.removes = {"view:" + key};
  s.releases = ctx.from_deps.of_view(v);
  if (v.materialized) s.hazards = {Hazard::DataLoss};
  ctx.add(s);
}

void create_view(Context& ctx, const std::string& key, const schema::View& v, ChangeKind kind,
                 bool with_extras) {
  Step s = make_step(v.materialized ? "materialized view" : "view", key, kind, kCreateView,
                     schema::render_create_view(v));
  s.provides = {"view:" + key};
  s.needs = ctx.to_deps.of_view(v);
  if (v.materialized && v.with_data) {
    s.long_running = true;
    s.note = "the materialized view is populated by running its query";
  }
  ctx.add(s);
  for (const auto& [name, i] : v.indexes)
    gen_index(ctx, {ChangeKind::Add, key, v.schema, v.name, {}, i}, true, false);
  for (const auto& [name, t] : v.triggers) gen_trigger(ctx, {ChangeKind::Add, key, {}, t});
  // A recreated view loses its comments and privileges: put them back.
  if (with_extras) restore_kept(ctx, {Recreated::Kind::View, key, ""});
}

void recreate(Context& ctx, const std::string& key) {
  auto from = ctx.from.views.find(key);
  auto to = ctx.to.views.find(key);
  if (from != ctx.from.views.end())
    drop_view(ctx, key, from->second,
              to == ctx.to.views.end() ? ChangeKind::Drop : ChangeKind::Alter);
  if (to != ctx.to.views.end())
    create_view(ctx, key, to->second,
                from == ctx.from.views.end() ? ChangeKind::Add : ChangeKind::Alter, true);
}

// ALTER [MATERIALIZED] VIEW ... RESET / SET the options that differ: the view is kept.
void alter_options(Context& ctx, const engine::ViewChange& c) {
  const auto& a = c.from->options;
  const auto& b = c.to->options;
  std::string reset, set;
  for (const auto& [k, v] : a)
    if (!b.count(k)) reset += (reset.empty() ? "" : ", ") + k;
  for (const auto& [k, v] : b)
    if (!a.count(k) || a.at(k) != v)
      set += (set.empty() ? "" : ", ") + schema::render_reloption(k, v);
  auto step = [&](const std::string& action) {
    Step s = make_step(c.to->materialized ? "materialized view" : "view", c.key, ChangeKind::Alter,
                       kCreateView, "ALTER " + keyword(*c.to) + " " + c.key + " " + action + ";");
    s.needs = {"view:" + c.key};
    s.provides = {"view:" + c.key};
    s.hazards = {Hazard::AccessExclusiveLock};
    s.lock = "ACCESS EXCLUSIVE";
    ctx.add(s);
  };
  if (!reset.empty()) step("RESET (" + reset + ")");
  if (!set.empty()) step("SET (" + set + ")");
}

}  // namespace

void gen_views(Context& ctx, const std::vector<engine::ViewChange>& changes) {
  // Views recreated or dropped take their readers with them.
  for (const auto& c : changes)
    if (c.kind == ChangeKind::Drop || (c.kind == ChangeKind::Alter && c.definition_changed))
      for (const auto& v : ctx.from_deps.dependent_views("view:" + c.key))
        ctx.recreate_views.insert(v);
  for (const auto& c : changes) {
    if (c.kind == ChangeKind::Add) {
      create_view(ctx, c.key, *c.to, ChangeKind::Add, false);
    } else if (c.kind == ChangeKind::Drop) {
      drop_view(ctx, c.key, *c.from, ChangeKind::Drop);
    } else if (c.definition_changed || ctx.recreate_views.count(c.key)) {
      recreate(ctx, c.key);
    } else {
      if (c.options_changed) alter_options(ctx, c);
      for (const auto& i : c.indexes) gen_index(ctx, i, false, false);
      for (const auto& t : c.triggers) gen_trigger(ctx, t);
    }
  }
}

void gen_recreated_views(Context& ctx, const std::set<std::string>& already_planned) {
  for (const auto& key : ctx.recreate_views)
    if (!already_planned.count(key)) recreate(ctx, key);
}

}  // namespace pgdrift::planner
