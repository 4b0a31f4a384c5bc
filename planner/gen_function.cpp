// Functions and procedures. A body change is CREATE OR REPLACE; a change of return type,
// argument names/modes or kind needs DROP + CREATE, and then the views and triggers that use
// the function are recreated around it.
//
// A SQL-standard body (RETURN / BEGIN ATOMIC) holds on to what it uses (pg_depend): PostgreSQL
// refuses to drop those objects, or to retype a column it reads, while the body exists. Its
// function is created after them and dropped (or replaced) before them, through the keys of
// Dependencies::of_sql_body. Where one of them is dropped and created again, or retyped
// (Context::rebuilt), the function is *detached* first: replaced by the same statements as a
// string body, which PostgreSQL only parses when called and so tracks nothing, and replaced
// by its SQL-standard body again afterwards. The function keeps its identity, its grants and
// whatever uses it; the key "body-of:<function key>" (removed by the detach, provided again
// by the re-attach) keeps the two in one transaction.
#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;

namespace {

std::string signature(const schema::Function& f) {
  return schema::quote_qualified(f.schema, f.name) + "(" + f.identity_arguments() + ")";
}

std::string function_dep(const schema::Function& f) {
  return "function:" + schema::quote_qualified(f.schema, f.name);
}

std::string or_replace(std::string sql) {
  const std::string plain = "CREATE FUNCTION";
  const std::string proc = "CREATE PROCEDURE";
  if (sql.rfind(plain, 0) == 0) return "CREATE OR REPLACE FUNCTION" + sql.substr(plain.size());
  if (sql.rfind(proc, 0) == 0) return "CREATE OR REPLACE PROCEDURE" + sql.substr(proc.size());
  return sql;
}

std::string body_key(const schema::Function& f) { return "body-of:" + schema::function_key(f); }

// Whether `f` (of the source) has a SQL-standard body that uses something the plan rebuilds.
bool needs_detach(const Context& ctx, const schema::Function& f) {
  for (const auto& key : ctx.from_deps.of_sql_body(f))
    if (ctx.rebuilt.count(key)) return true;
  return false;
}

// CREATE OR REPLACE with the body's statements as a string body (see the top of the file).
void detach(Context& ctx, const schema::Function& f) {
  schema::Function detached = f;
  detached.body = schema::sql_body_as_string_body(f.sql_body);
  detached.sql_body.clear();
  Step s = make_step(f.procedure ? "procedure" : "function", signature(f), ChangeKind::Alter,
                     kDropFunction, or_replace(schema::render_create_function(detached)));
  s.removes = {body_key(f)};
  s.releases = ctx.from_deps.of_sql_body(f);
  s.note =
      "the SQL-standard body lets go of the objects it uses while they are rebuilt: the same "
      "statements as a string body until it is put back";
  ctx.add(s);
}

Step create_step(Context& ctx, const schema::Function& f, ChangeKind kind) {
  Step s = make_step(f.procedure ? "procedure" : "function", signature(f), kind, kFunction,
                     kind == ChangeKind::Add ? schema::render_create_function(f)
                                             : or_replace(schema::render_create_function(f)));
  s.provides = {function_dep(f)};
  if (!f.sql_body.empty()) s.provides.push_back(body_key(f));
  s.needs = ctx.to_deps.of_function(f);
  if (kind != ChangeKind::Add) {
    s.hazards = {Hazard::UntrackedDependencies};
    s.note = "callers of the function (other functions, applications) are not checked";
  }
  if (f.security_definer) s.hazards.push_back(Hazard::Authz);
  return s;
}

Step drop_step(Context& ctx, const schema::Function& f) {
  Step s = make_step(
      f.procedure ? "procedure" : "function", signature(f), ChangeKind::Drop, kDropFunction,
      std::string(f.procedure ? "DROP PROCEDURE " : "DROP FUNCTION ") + signature(f) + ";");
  s.removes = {function_dep(f)};
  if (!f.sql_body.empty()) s.removes.push_back(body_key(f));
  s.releases = ctx.from_deps.of_function(f);
  s.hazards = {Hazard::UntrackedDependencies};
  s.note = "callers of the function (other functions, applications) are not checked";
  return s;
}

}  // namespace

void gen_functions(Context& ctx, const std::vector<engine::FunctionChange>& changes) {
  for (const auto& c : changes) {
    if (c.kind == ChangeKind::Add) {
      ctx.add(create_step(ctx, *c.to, ChangeKind::Add));
    } else if (c.kind == ChangeKind::Drop) {
      ctx.add(drop_step(ctx, *c.from));
    } else if (!c.needs_recreate) {
      // The old body's objects stay until it is replaced (unless it lets go of them earlier).
      const bool detached = needs_detach(ctx, *c.from);
      if (detached) detach(ctx, *c.from);
      Step replace = create_step(ctx, *c.to, ChangeKind::Alter);
      if (!detached) replace.releases = ctx.from_deps.of_sql_body(*c.from);
      ctx.add(replace);
    } else {
      Step drop = drop_step(ctx, *c.from);
      drop.phase = kFunction;
      drop.change_kind = ChangeKind::Alter;
      std::string dep = function_dep(*c.from);
      for (const auto& v : ctx.from_deps.dependent_views(dep)) {
        ctx.recreate_views.insert(v);
        drop.after_removal.push_back("view:" + v);
      }
      // Triggers calling the function are dropped and created again.
      for (const auto& [tkey, table] : ctx.from.tables)
        for (const auto& [name, trig] : table.triggers)
          if ("function:" + trig.function == dep ||
              schema::quote_qualified(c.from->schema, c.from->name) == trig.function) {
            std::string qname = tkey + "." + schema::quote_ident(name);
            Step dt = make_step("trigger", qname, ChangeKind::Drop, kDropPolicyTrigger,
                                "DROP TRIGGER " + schema::quote_ident(name) + " ON " + tkey + ";");
            dt.removes = {"trigger:" + qname};
            dt.releases = {dep};
            dt.lock = "ACCESS EXCLUSIVE";
            dt.hazards = {Hazard::AccessExclusiveLock};
            ctx.add(dt);
            auto to_table = ctx.to.tables.find(tkey);
            if (to_table == ctx.to.tables.end()) continue;
            auto to_trig = to_table->second.triggers.find(name);
            if (to_trig == to_table->second.triggers.end()) continue;
            Step ct = make_step("trigger", qname, ChangeKind::Add, kTriggerPolicy,
                                schema::render_create_trigger(tkey, to_trig->second));
            ct.provides = {"trigger:" + qname};
            ct.needs = {"table:" + tkey, dep};
            ct.lock = "SHARE ROW EXCLUSIVE";
            ct.hazards = {Hazard::BlocksWrites};
            ctx.add(ct);
            if (to_trig->second.enabled != 'O') ctx.add(trigger_state_step(tkey, to_trig->second));
            restore_kept(ctx, {Recreated::Kind::Trigger, tkey, name});
          }
      ctx.add(drop);
      Step create = create_step(ctx, *c.to, ChangeKind::Alter);
      create.needs.push_back("function-dropped:" + c.key);
      ctx.steps.back().provides.push_back("function-dropped:" + c.key);
      ctx.add(create);
      // DROP FUNCTION took its comment and its EXECUTE grants.
      restore_kept(ctx, {Recreated::Kind::Function, c.key, ""});
    }
  }
  // Functions the diff leaves alone whose SQL-standard body uses something rebuilt: detached
  // and put back as they are.
  std::set<std::string> changed;
  for (const auto& c : changes) changed.insert(c.key);
  for (const auto& [key, f] : ctx.from.functions) {
    if (changed.count(key) || !ctx.to.functions.count(key) || !needs_detach(ctx, f)) continue;
    detach(ctx, f);
    Step reattach = create_step(ctx, ctx.to.functions.at(key), ChangeKind::Alter);
    reattach.hazards.clear();
    reattach.note = "the SQL-standard body is put back";
    ctx.add(reattach);
  }
}

}  // namespace pgdrift::planner
