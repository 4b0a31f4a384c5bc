// What a dropped and re-created object gets back: PostgreSQL forgets the comments and the
// privileges of an object it drops, and the diff lists neither when they do not change (nor
// grants at all without --privileges). One place, used by every generator that drops and
// creates an object the user keeps: comments as the target declares them, privileges as the
// source had them (with --privileges: those the target keeps too; the diff does the rest).
#include <algorithm>
#include <iterator>

#include "planner/generators.h"
#include "planner/object_sql.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;

namespace {

class Kept {
 public:
  Kept(Context& ctx, const Recreated& object) : ctx_(ctx), object_(object) {}

  void comment(const engine::ObjectRef& object, const std::optional<std::string>& text) {
    if (!text) return;
    Step s = make_step("comment", object.name, ChangeKind::Alter, kComment,
                       schema::render_comment(comment_target(object, ctx_.to), text));
    s.needs = {dependency_key(object, ctx_.to)};
    s.note = "re-applied: the object was dropped and created again";
    ctx_.add(s);
  }

  // With privileges compared, the owner the object had, which the target keeps or does not
  // declare (a re-created object belongs to the role that runs the plan). A new owner the
  // target declares is the diff's change (gen_owners, with its authz hazard).
  void owner(const engine::ObjectRef& object, const std::string& source,
             const std::string& target) {
    if (!ctx_.options.diff.compare_privileges) return;
    if (!target.empty() && target != source) return;
    const std::string& role = source;
    if (role.empty()) return;
    Step s = make_step("owner", object.name, ChangeKind::Alter, kOwner,
                       "ALTER " + comment_target(object, ctx_.to) + " OWNER TO " +
                           schema::quote_ident(role) + ";");
    s.needs = {dependency_key(object, ctx_.to)};
    s.note = "re-applied: the object was dropped and created again";
    ctx_.add(s);
  }

  // `source` are the grants the object had, `target` those the target declares. With
  // privileges compared, those the object gets from the default privileges when it is created
  // again (`object_type` in `schema_name`) and the target does not have are revoked.
  void grants(const engine::ObjectRef& object, std::vector<schema::Grant> source,
              std::vector<schema::Grant> wanted, const std::string& object_type,
              const std::string& schema_name) {
    if (ctx_.options.diff.compare_privileges) {
      const auto a = schema::created_grants(ctx_.from, "", object_type, schema_name);
      const auto b = schema::created_grants(ctx_.to, "", object_type, schema_name);
      for (const auto& g : a) {
        if (std::find(b.begin(), b.end(), g) == b.end()) continue;  // revoked before creates
        if (std::find(wanted.begin(), wanted.end(), g) != wanted.end()) continue;
        Step s = make_step("grant", object.name, ChangeKind::Drop, kRevoke,
                           schema::render_revoke(grant_target(object, ctx_.to), g));
        s.needs = {dependency_key(object, ctx_.to)};
        s.note = "the object got it from the default privileges when it was created again";
        ctx_.add(s);
      }
    }
    const std::string target = grant_target(object, ctx_.to);
    std::vector<schema::Grant> kept;
    std::sort(source.begin(), source.end());
    if (ctx_.options.diff.compare_privileges) {
      // As the target has it: a grant option the diff adds or takes away is then already
      // right (the diff's GRANT ... WITH GRANT OPTION / REVOKE GRANT OPTION FOR change nothing).
      for (const auto& w : wanted)
        if (std::any_of(source.begin(), source.end(), [&](const schema::Grant& g) {
              return g.grantee == w.grantee && g.privilege == w.privilege && g.columns == w.columns;
            }))
          kept.push_back(w);
    } else {
      kept = std::move(source);
    }
    for (const auto& g : kept) {
      Step s =
          make_step("grant", object.name, ChangeKind::Add, kGrant, schema::render_grant(target, g));
      s.needs = {dependency_key(object, ctx_.to)};
      s.note = "re-granted: the object was dropped and created again";
      ctx_.add(s);
    }
  }

  void run() {
    using Kind = Recreated::Kind;
    switch (object_.kind) {
      case Kind::Table:
        table();
        break;
      case Kind::View:
        view();
        break;
      case Kind::Function:
        function();
        break;
      case Kind::Column:
        column();
        break;
      case Kind::Constraint:
        if (const auto* t = to_table())
          if (auto c = t->constraints.find(object_.member); c != t->constraints.end())
            constraint_comment(c->second);
        break;
      case Kind::Index:
        index();
        break;
      case Kind::Trigger:
        trigger();
        break;
      case Kind::Policy:
        if (const auto* t = to_table())
          if (auto p = t->policies.find(object_.member); p != t->policies.end())
            policy_comment(p->second);
        break;
      case Kind::Enum:
        if (auto e = ctx_.to.enums.find(object_.key); e != ctx_.to.enums.end()) {
          comment(engine::top_level_ref("enum", object_.key), e->second.comment);
          auto source = ctx_.source.enums.find(object_.key);
          owner(engine::top_level_ref("enum", object_.key),
                source == ctx_.source.enums.end() ? "" : source->second.owner, e->second.owner);
        }
        break;
      case Kind::Domain:
        domain();
        break;
      case Kind::Aggregate:
        aggregate();
        break;
      case Kind::Collation:
        if (auto c = ctx_.to.collations.find(object_.key); c != ctx_.to.collations.end())
          comment(engine::top_level_ref("collation", object_.key), c->second.comment);
        break;
    }
  }

 private:
  const std::string& key() const { return object_.key; }
  engine::ObjectRef table_member(const std::string& kind, const std::string& name) const {
    return engine::member_ref(kind, "table", key(), name);
  }

  const schema::Table* to_table() const {
    auto it = ctx_.to.tables.find(key());
    return it == ctx_.to.tables.end() ? nullptr : &it->second;
  }
  const schema::View* to_view() const {
    auto it = ctx_.to.views.find(key());
    return it == ctx_.to.views.end() ? nullptr : &it->second;
  }
  std::vector<schema::Grant> source_table_grants() const {
    auto it = ctx_.source.tables.find(key());
    return it == ctx_.source.tables.end() ? std::vector<schema::Grant>{} : it->second.grants;
  }

  void constraint_comment(const schema::Constraint& c) {
    comment(table_member("constraint", c.name), c.comment);
  }
  void policy_comment(const schema::Policy& p) {
    comment(table_member("policy", p.name), p.comment);
  }
  // Triggers and indexes of a view are written and ordered like those of a table.
  void trigger_comment(const schema::Trigger& t) {
    comment(table_member("trigger", t.name), t.comment);
  }
  void index_comment(const std::string& schema_name, const schema::Index& i) {
    comment(engine::index_ref("table", key(), schema_name, i.name), i.comment);
  }

  void table() {
    const auto* t = to_table();
    if (!t) return;
    comment(engine::top_level_ref("table", key()), t->comment);
    for (const auto& c : t->columns) comment(table_member("column", c.name), c.comment);
    for (const auto& [name, c] : t->constraints) constraint_comment(c);
    for (const auto& [name, i] : t->indexes) index_comment(t->schema, i);
    for (const auto& [name, tr] : t->triggers) trigger_comment(tr);
    for (const auto& [name, p] : t->policies) policy_comment(p);
    // Column privileges of columns the target does not have are gone with the columns.
    std::vector<schema::Grant> source;
    for (auto g : source_table_grants()) {
      bool had_columns = !g.columns.empty();
      std::erase_if(g.columns, [&](const std::string& c) { return !t->find_column(c); });
      if (!had_columns || !g.columns.empty()) source.push_back(g);
    }
    const engine::ObjectRef ref = engine::top_level_ref("table", key());
    grants(ref, source, t->grants, "TABLES", t->schema);
    auto from = ctx_.source.tables.find(key());
    owner(ref, from == ctx_.source.tables.end() ? "" : from->second.owner, t->owner);
  }

  void view() {
    const auto* v = to_view();
    if (!v) return;
    const std::string kind = v->materialized ? "materialized_view" : "view";
    comment(engine::top_level_ref(kind, key()), v->comment);
    for (const auto& [col, text] : v->column_comments)
      comment(engine::member_ref("column", kind, key(), col), text);
    for (const auto& [name, i] : v->indexes) index_comment(v->schema, i);
    for (const auto& [name, t] : v->triggers) trigger_comment(t);
    auto source = ctx_.source.views.find(key());
    const bool had = source != ctx_.source.views.end();
    grants(engine::top_level_ref(kind, key()),
           had ? source->second.grants : std::vector<schema::Grant>{}, v->grants, "TABLES",
           v->schema);
    owner(engine::top_level_ref(kind, key()), had ? source->second.owner : "", v->owner);
  }

  void function() {
    auto to = ctx_.to.functions.find(key());
    if (to == ctx_.to.functions.end()) return;
    const schema::Function& f = to->second;
    const engine::ObjectRef ref =
        engine::top_level_ref(f.procedure ? "procedure" : "function", key());
    comment(ref, f.comment);
    auto source = ctx_.source.functions.find(key());
    const bool had = source != ctx_.source.functions.end();
    grants(ref, had ? source->second.grants : std::vector<schema::Grant>{}, f.grants, "FUNCTIONS",
           f.schema);
    owner(ref, had ? source->second.owner : "", f.owner);
  }

  void aggregate() {
    auto to = ctx_.to.aggregates.find(key());
    if (to == ctx_.to.aggregates.end()) return;
    const engine::ObjectRef ref = engine::top_level_ref("aggregate", key());
    comment(ref, to->second.comment);
    auto source = ctx_.source.aggregates.find(key());
    grants(ref,
           source == ctx_.source.aggregates.end() ? std::vector<schema::Grant>{}
                                                  : source->second.grants,
           to->second.grants, "FUNCTIONS", to->second.schema);  // default privileges: functions
  }

  // A column dropped and added again: its comment, and the column privileges that name it (a
  // grant on several columns is given back for this one only: the others kept theirs).
  void column() {
    const auto* t = to_table();
    if (!t) return;
    const schema::Column* c = t->find_column(object_.member);
    if (!c) return;
    const engine::ObjectRef ref = table_member("column", c->name);
    comment(ref, c->comment);
    auto of_column = [&](const std::vector<schema::Grant>& all) {
      std::vector<schema::Grant> out;
      for (const auto& g : all)
        if (std::find(g.columns.begin(), g.columns.end(), c->name) != g.columns.end()) {
          schema::Grant one = g;
          one.columns = {c->name};
          out.push_back(one);
        }
      return out;
    };
    grants(ref, of_column(source_table_grants()), of_column(t->grants), "", "");
  }

  void index() {
    if (const auto* t = to_table()) {
      if (auto i = t->indexes.find(object_.member); i != t->indexes.end())
        index_comment(t->schema, i->second);
    } else if (const auto* v = to_view()) {
      if (auto i = v->indexes.find(object_.member); i != v->indexes.end())
        index_comment(v->schema, i->second);
    }
  }

  void trigger() {
    if (const auto* t = to_table()) {
      if (auto tr = t->triggers.find(object_.member); tr != t->triggers.end())
        trigger_comment(tr->second);
    } else if (const auto* v = to_view()) {
      if (auto tr = v->triggers.find(object_.member); tr != v->triggers.end())
        trigger_comment(tr->second);
    }
  }

  void domain() {
    auto d = ctx_.to.domains.find(key());
    if (d == ctx_.to.domains.end()) return;
    comment(engine::top_level_ref("domain", key()), d->second.comment);
    auto source = ctx_.source.domains.find(key());
    owner(engine::top_level_ref("domain", key()),
          source == ctx_.source.domains.end() ? "" : source->second.owner, d->second.owner);
    for (const auto& [name, c] : d->second.checks)
      comment(engine::member_ref("constraint", "domain", key(), name), c.comment);
  }

  Context& ctx_;
  const Recreated& object_;
};

}  // namespace

void restore_kept(Context& ctx, const Recreated& object) { Kept(ctx, object).run(); }

}  // namespace pgdrift::planner
