#include "planner/plan.h"

#include <algorithm>
#include <cstdio>

#include <openssl/sha.h>

#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/json.h"
#include "schema/render.h"

namespace pgdrift::planner {

Context::Context(const schema::Model& from_model, const schema::Model& to_model,
                 const PlanOptions& plan_options, const schema::Model& source_model)
    : from(from_model),
      to(to_model),
      options(plan_options),
      source(source_model),
      from_deps(from_model),
      to_deps(to_model) {}

Step& Context::add(Step step) {
  std::sort(step.hazards.begin(), step.hazards.end());
  step.hazards.erase(std::unique(step.hazards.begin(), step.hazards.end()), step.hazards.end());
  step.lock_timeout_ms = options.lock_timeout_ms;
  step.statement_timeout_ms =
      step.long_running ? options.long_statement_timeout_ms : options.statement_timeout_ms;
  steps.push_back(std::move(step));
  return steps.back();
}

Step make_step(const std::string& object_kind, const std::string& object_name,
               engine::ChangeKind kind, int phase, std::string statement) {
  Step s;
  s.object_kind = object_kind;
  s.object_name = object_name;
  s.change_kind = kind;
  s.phase = phase;
  s.statement = std::move(statement);
  return s;
}

schema::Model fingerprint_form(const schema::Model& model) {
  schema::Model canonical = model;
  // A target rarely declares every owner the database has: owners are left out (apply with a
  // target compares them through the diff).
  schema::clear_owners(canonical);
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  for (auto& [key, table] : canonical.tables)
    std::stable_sort(table.columns.begin(), table.columns.end(), by_name);
  for (auto& [key, type] : canonical.composite_types)
    std::stable_sort(type.attributes.begin(), type.attributes.end(), by_name);
  return canonical;
}

std::string model_fingerprint(const schema::Model& model) {
  std::string text = schema::dump_model_json(fingerprint_form(model));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static const char* const hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned char byte : digest) {
    out += hex[byte >> 4];
    out += hex[byte & 0xf];
  }
  return out;
}

std::vector<Hazard> disallowed_hazards(const Plan& plan, const std::set<Hazard>& allowed) {
  std::set<Hazard> found;
  for (const auto& s : plan.steps)
    for (Hazard h : s.hazards)
      if (!allowed.count(h)) found.insert(h);
  return {found.begin(), found.end()};
}

namespace {

// Context::rebuilt from the changes: functions the plan recreates, columns it retypes or drops
// and adds again, tables it recreates.
void note_rebuilt(Context& ctx, const engine::Changes& changes) {
  for (const auto& f : changes.functions)
    if (f.kind == engine::ChangeKind::Alter && f.needs_recreate)
      ctx.rebuilt.insert("function:" + schema::quote_qualified(f.from->schema, f.from->name));
  for (const auto& t : changes.tables) {
    if (t.kind != engine::ChangeKind::Alter) continue;
    auto column_key = [&](const std::string& name) {
      return "column:" + t.key + "." + schema::quote_ident(name);
    };
    if (t.changed & engine::kTableStructure) {
      ctx.rebuilt.insert("table:" + t.key);
      for (const auto& column : t.from->columns) ctx.rebuilt.insert(column_key(column.name));
      continue;
    }
    for (const auto& c : t.columns)
      if (c.kind == engine::ChangeKind::Alter &&
          (c.has(engine::kColumnType) || c.has(engine::kColumnCollation) ||
           (c.has(engine::kColumnGenerated) && c.to->generated_expr)))
        ctx.rebuilt.insert(column_key(c.from->name));
  }
}

// Canonical DDL of the top-level objects that change, for the markdown report.
template <class Map, class Render>
void object_ddl(Plan& plan, const std::string& kind, const Map& from, const Map& to,
                Render render) {
  auto text = [&](const Map& m, const std::string& k) -> std::string {
    auto it = m.find(k);
    return it == m.end() ? "" : render(it->second);
  };
  std::set<std::string> keys;
  for (const auto& [k, v] : from) keys.insert(k);
  for (const auto& [k, v] : to) keys.insert(k);
  for (const auto& k : keys) {
    auto a = from.find(k);
    auto b = to.find(k);
    if (a != from.end() && b != to.end() && a->second == b->second) continue;
    plan.objects.push_back({kind + " " + k, text(from, k), text(to, k)});
  }
}

std::string table_ddl(const schema::Table& t) {
  std::string out = schema::render_create_table(t, true);
  for (const auto& [name, c] : t.constraints)
    if (c.kind == schema::ConstraintKind::ForeignKey)
      out += "\n" + schema::render_add_constraint(schema::qualified_key(t.schema, t.name), c);
  for (const auto& [name, i] : t.indexes)
    out += "\n" + schema::render_invalid_index_note(i) +
           schema::render_create_index(t.schema, t.name, i);
  for (const auto& [name, tr] : t.triggers) {
    out += "\n" + schema::render_create_trigger(schema::qualified_key(t.schema, t.name), tr);
    if (tr.enabled != 'O')
      out += "\n" + schema::render_trigger_state(schema::qualified_key(t.schema, t.name), tr);
  }
  if (t.replica_identity != 'd')
    out += "\n" + schema::render_replica_identity(schema::qualified_key(t.schema, t.name), t);
  for (const auto& [name, p] : t.policies)
    out += "\n" + schema::render_create_policy(schema::qualified_key(t.schema, t.name), p);
  return out;
}

}  // namespace

Plan make_plan(const schema::Model& from_model, const schema::Model& to_model,
               const PlanOptions& options) {
  return make_plan(from_model, to_model, engine::diff_models(from_model, to_model, options.diff),
                   options);
}

Plan make_plan(const schema::Model& from_model, const schema::Model& to_model,
               const engine::Changes& changes, const PlanOptions& options) {
  // The generators see the models as the diff compared them (no grants unless compared; owners
  // stay, which nothing reads without privileges);
  // the source keeps its grants, to give re-created objects theirs back. A model is copied
  // only when it has grants to leave out (drift at 10,000 tables holds both models already).
  std::optional<schema::Model> from_copy, to_copy;
  const bool strip = !options.diff.compare_privileges;
  if (strip && schema::has_privileges(from_model))
    from_copy = engine::compared_form(from_model, options.diff);
  if (strip && schema::has_privileges(to_model))
    to_copy = engine::compared_form(to_model, options.diff);
  const schema::Model& unrenamed_from = from_copy ? *from_copy : from_model;
  const schema::Model& to = to_copy ? *to_copy : to_model;

  Plan plan;
  plan.source_fingerprint = model_fingerprint(unrenamed_from);
  // The rename steps run first, so every other generator plans against the source as renamed
  // (the same model the diff compared to the target).
  std::optional<schema::Model> renamed_from, renamed_source;
  if (!changes.renames.empty()) {
    renamed_from = engine::apply_renames(unrenamed_from, changes.renames);
    renamed_source = engine::apply_renames(from_model, changes.renames);
  }
  const schema::Model& from = renamed_from ? *renamed_from : unrenamed_from;
  const schema::Model& source = renamed_source ? *renamed_source : from_model;
  // The target as the plan builds it: an INVALID index of the target is built valid
  // (engine::wanted_form), as the diff compared it.
  plan.target_fingerprint =
      model_fingerprint(engine::has_invalid_index(to) ? engine::wanted_form(to) : to);
  plan.changes = engine::describe_changes(changes);

  // An atomic plan runs in one transaction, so it uses the in-transaction forms throughout.
  PlanOptions effective = options;
  if (options.atomic) effective.online = false;
  // The source's grants are not compared without --privileges, but whatever the plan drops
  // and re-creates gets them back: re-creating must not revoke.
  Context ctx(from, to, effective, source);
  for (const auto& t : changes.tables) {
    if (t.kind == engine::ChangeKind::Add) ctx.new_tables.insert(t.key);
    if (t.kind == engine::ChangeKind::Drop) ctx.dropped_tables.insert(t.key);
  }
  for (const auto& f : changes.functions)
    if (f.kind == engine::ChangeKind::Drop) ctx.dropped_functions.insert(f.key);
  for (const auto& r : changes.renames)
    if (r.kind == engine::RenameChange::Kind::Table || r.kind == engine::RenameChange::Kind::Column)
      ctx.renamed_tables.insert(r.table);
  note_rebuilt(ctx, changes);

  gen_renames(ctx, changes.renames);
  gen_schemas(ctx, changes.schemas);
  gen_extensions(ctx, changes.extensions);
  gen_collations(ctx, changes.collations);
  gen_enums(ctx, changes.enums);
  gen_composite_types(ctx, changes.composite_types);
  gen_domains(ctx, changes.domains);
  gen_sequences(ctx, changes.sequences);
  gen_functions(ctx, changes.functions);
  gen_aggregates(ctx, changes.aggregates);
  const std::vector<engine::TableChange> tables =
      inheritance_changes(ctx, partition_changes(ctx, changes.tables));
  gen_tables(ctx, tables);
  gen_dependent_foreign_keys(ctx, tables);
  gen_function_dependents(ctx, changes.functions, tables);
  gen_views(ctx, changes.views);
  std::set<std::string> planned_views;
  for (const auto& v : changes.views) planned_views.insert(v.key);
  gen_recreated_views(ctx, planned_views);
  gen_comments(ctx, changes.comments);
  gen_grants(ctx, changes.grants);
  gen_owners(ctx, changes.owners);
  gen_default_privileges(ctx, changes.default_privileges);

  // The same statement can come from two routes (a recreated view re-applies its comment,
  // which the diff may also list): keep the first.
  std::vector<Step> unique_steps;
  std::set<std::string> seen;
  for (auto& s : ctx.steps)
    if (seen.insert(std::to_string(s.phase) + "\n" + s.statement).second)
      unique_steps.push_back(std::move(s));
  plan.steps = order_steps(std::move(unique_steps));
  arrange_transactions(plan, options.atomic);

  object_ddl(plan, "table", from.tables, to.tables, table_ddl);
  object_ddl(plan, "view", from.views, to.views, schema::render_create_view);
  object_ddl(plan, "function", from.functions, to.functions, schema::render_create_function);
  object_ddl(plan, "sequence", from.sequences, to.sequences, schema::render_create_sequence);
  object_ddl(plan, "type", from.enums, to.enums, schema::render_create_enum);
  object_ddl(plan, "type", from.composite_types, to.composite_types,
             schema::render_create_composite_type);
  object_ddl(plan, "domain", from.domains, to.domains, schema::render_create_domain);
  object_ddl(plan, "aggregate", from.aggregates, to.aggregates, schema::render_create_aggregate);
  object_ddl(plan, "collation", from.collations, to.collations, schema::render_create_collation);
  if (options.rollback) attach_rollback(plan, from_model, to_model, options);
  return plan;
}

}  // namespace pgdrift::planner
