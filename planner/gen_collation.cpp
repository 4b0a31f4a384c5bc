// Collations. There is no ALTER for what defines a collation, so a change drops and creates
// it again, with its comment given back (gen_kept.cpp).
//
// A collation is created before the columns, indexes, domains and composite types whose
// COLLATE clauses name it (Dependencies::of_collation) and dropped after them. PostgreSQL
// refuses to drop a collation something still uses, so re-creating one that unchanged columns
// use fails on apply: the step says so.
#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;

namespace {

std::string collation_dep(const std::string& key) { return "collation:" + key; }

Step create_collation(const schema::Collation& c, ChangeKind kind) {
  const std::string key = schema::quote_qualified(c.schema, c.name);
  Step s = make_step("collation", key, kind, kType, schema::render_create_collation(c));
  s.provides = {collation_dep(key)};
  s.needs = {schema_key(c.schema)};
  return s;
}

Step drop_collation(const schema::Collation& c) {
  const std::string key = schema::quote_qualified(c.schema, c.name);
  Step s = make_step("collation", key, ChangeKind::Drop, kDropType, "DROP COLLATION " + key + ";");
  s.removes = {collation_dep(key)};
  s.releases = {schema_key(c.schema)};
  return s;
}

}  // namespace

void gen_collations(Context& ctx, const std::vector<engine::CollationChange>& changes) {
  for (const auto& c : changes) {
    if (c.kind == ChangeKind::Add) {
      ctx.add(create_collation(*c.to, ChangeKind::Add));
    } else if (c.kind == ChangeKind::Drop) {
      ctx.add(drop_collation(*c.from));
    } else {
      Step drop = drop_collation(*c.from);
      drop.change_kind = ChangeKind::Alter;
      drop.phase = kType;
      drop.provides.push_back("collation-dropped:" + c.key);
      drop.hazards = {Hazard::UntrackedDependencies};
      drop.note =
          "PostgreSQL refuses to drop a collation that columns, indexes or types still use: "
          "change those to another collation first";
      ctx.add(drop);
      Step create = create_collation(*c.to, ChangeKind::Alter);
      create.needs.push_back("collation-dropped:" + c.key);
      ctx.add(create);
      restore_kept(ctx, {Recreated::Kind::Collation, c.key, ""});
    }
  }
}

}  // namespace pgdrift::planner
