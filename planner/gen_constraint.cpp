// Constraints. Online forms on existing tables: CHECK and FOREIGN KEY are added NOT VALID and
// validated by a separate step (SHARE UPDATE EXCLUSIVE, writes go on); PRIMARY KEY / UNIQUE
// are built with CREATE UNIQUE INDEX CONCURRENTLY and attached with ADD CONSTRAINT ... USING
// INDEX. A changed constraint is dropped and added again.
#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;
using schema::ConstraintKind;
using schema::quote_ident;

namespace {

std::string qualified_member(const std::string& table, const std::string& name) {
  return table + "." + quote_ident(name);
}

std::vector<std::string> needs_of(Context& ctx, const std::string& table,
                                  const schema::Constraint& c) {
  std::vector<std::string> needs{"table:" + table};
  for (const auto& col : c.columns) needs.push_back("column:" + qualified_member(table, col));
  if (c.kind == ConstraintKind::Check)
    for (const auto& d : ctx.to_deps.of_expr(c.check_expr)) needs.push_back(d);
  if (c.foreign_key) {
    needs.push_back("table:" + c.foreign_key->ref_table);
    needs.push_back("uniques:" + c.foreign_key->ref_table);
    for (const auto& col : c.foreign_key->ref_columns)
      needs.push_back("column:" + qualified_member(c.foreign_key->ref_table, col));
  }
  return needs;
}

std::vector<std::string> provides_of(const std::string& table, const schema::Constraint& c) {
  std::vector<std::string> out{"constraint:" + qualified_member(table, c.name)};
  if (c.kind == ConstraintKind::PrimaryKey || c.kind == ConstraintKind::Unique)
    out.push_back("uniques:" + table);
  return out;
}

void drop_constraint(Context& ctx, const std::string& table, const schema::Constraint& c,
                     ChangeKind kind) {
  Step s =
      make_step("constraint", qualified_member(table, c.name), kind,
                c.kind == ConstraintKind::ForeignKey ? kDropForeignKey : kDropConstraintIndex,
                "ALTER TABLE " + table + " DROP CONSTRAINT IF EXISTS " + quote_ident(c.name) + ";");
  s.removes = provides_of(table, c);
  if (c.foreign_key) {
    // The referenced key and columns (and the own columns) can only go once the FK is gone.
    s.releases = {"table:" + c.foreign_key->ref_table, "uniques:" + c.foreign_key->ref_table};
    for (const auto& col : c.foreign_key->ref_columns)
      s.releases.push_back("column:" + qualified_member(c.foreign_key->ref_table, col));
  }
  if (c.kind == ConstraintKind::Check) s.releases = ctx.from_deps.of_expr(c.check_expr);
  for (const auto& col : c.columns) s.releases.push_back("column:" + qualified_member(table, col));
  s.hazards = {Hazard::AccessExclusiveLock};
  s.lock = "ACCESS EXCLUSIVE";
  if (c.kind == ConstraintKind::PrimaryKey || c.kind == ConstraintKind::Unique ||
      c.kind == ConstraintKind::Exclusion)
    s.hazards.push_back(Hazard::IndexDropped);
  ctx.add(s);
}

void add_constraint(Context& ctx, const std::string& table, const schema::Constraint& c,
                    bool table_is_new, ChangeKind kind) {
  const std::string member = qualified_member(table, c.name);
  const std::string alter = "ALTER TABLE " + table + " ";
  const bool fk = c.kind == ConstraintKind::ForeignKey;
  const int phase = fk ? kForeignKey : kConstraintIndex;
  const auto needs = needs_of(ctx, table, c);
  const auto provides = provides_of(table, c);
  auto base_step = [&](std::string sql) {
    Step s = make_step("constraint", member, kind, phase, std::move(sql));
    s.needs = needs;
    s.provides = provides;
    return s;
  };
  const schema::Table* to_table = nullptr;
  if (auto it = ctx.to.tables.find(table); it != ctx.to.tables.end()) to_table = &it->second;
  const bool partitioned = to_table && to_table->kind == schema::TableKind::Partitioned;

  // Rows the constraint refuses, counted in the source before any step runs.
  auto rows_refused = [&]() -> std::optional<Preflight> {
    if (table_is_new) return std::nullopt;
    switch (c.kind) {
      case ConstraintKind::ForeignKey:
        return c.validated ? orphans_preflight(ctx, table, c) : std::nullopt;
      case ConstraintKind::Check:
        return c.validated ? check_preflight(ctx, table, c.check_expr) : std::nullopt;
      case ConstraintKind::PrimaryKey:
      case ConstraintKind::Unique:
        return duplicates_preflight(ctx, table, c.columns, c.nulls_not_distinct,
                                    c.kind == ConstraintKind::PrimaryKey);
      case ConstraintKind::Exclusion:
        return std::nullopt;
    }
    return std::nullopt;
  };

  if (table_is_new) {
    // Empty table: the plain form is instant.
    Step s = base_step(schema::render_add_constraint(table, c));
    s.lock = fk ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE";
    ctx.add(s);
    return;
  }
  const bool online = ctx.options.online;
  if ((c.kind == ConstraintKind::Check || fk) && online && c.validated && !partitioned) {
    schema::Constraint not_valid = c;
    not_valid.validated = false;
    Step add = base_step(schema::render_add_constraint(table, not_valid));
    if (fk) {
      add.hazards = {Hazard::BlocksWrites};
      add.lock = "SHARE ROW EXCLUSIVE (both tables)";
    } else {
      add.hazards = {Hazard::AccessExclusiveLock};
      add.lock = "ACCESS EXCLUSIVE";
    }
    add.note = "added NOT VALID: no scan under the strong lock";
    ctx.add(add);
    Step validate = base_step(alter + "VALIDATE CONSTRAINT " + quote_ident(c.name) + ";");
    validate.phase = kValidate;
    validate.needs = provides;
    validate.hazards = {Hazard::ValidationScan};
    validate.lock = "SHARE UPDATE EXCLUSIVE";
    validate.long_running = true;
    validate.preflight = rows_refused();
    ctx.add(validate);
    return;
  }
  if ((c.kind == ConstraintKind::PrimaryKey || c.kind == ConstraintKind::Unique) && online &&
      !partitioned && c.validated) {
    // The index is built before the constraint it replaces (if any) is dropped, so that the
    // drop and the ADD ... USING INDEX share one transaction (docs/planner.md, safe points):
    // under a temporary name when the name is taken; USING INDEX renames it to the
    // constraint's name.
    schema::Index index;
    index.name = c.name;
    if (auto from = ctx.from.tables.find(table);
        from != ctx.from.tables.end() &&
        (from->second.constraints.count(c.name) || from->second.indexes.count(c.name)))
      index.name = temporary_index_name(c.name);
    index.unique = true;
    index.nulls_not_distinct = c.nulls_not_distinct;
    for (const auto& col : c.columns) {
      schema::IndexKey key;
      key.column = col;
      index.keys.push_back(key);
    }
    index.include = c.include;
    std::string schema_name = to_table ? to_table->schema : "public";
    std::string table_name = to_table ? to_table->name : table;
    Step build = base_step(schema::render_create_index(schema_name, table_name, index, true));
    build.provides = {"index-for:" + member};
    // An INVALID index of that name that a failed run of this very step left is dropped first
    // (the plan drops it as an index the target does not have).
    build.after_removal = {"index:" + schema::quote_qualified(schema_name, index.name)};
    build.transactional = false;
    build.hazards = {Hazard::IndexBuild, Hazard::NotTransactional};
    build.lock = "SHARE UPDATE EXCLUSIVE";
    build.long_running = true;
    build.preflight = rows_refused();
    ctx.add(build);
    std::string sql = alter + "ADD CONSTRAINT " + quote_ident(c.name) +
                      (c.kind == ConstraintKind::PrimaryKey ? " PRIMARY KEY" : " UNIQUE") +
                      " USING INDEX " + quote_ident(index.name);
    if (c.deferrable) sql += " DEFERRABLE";
    if (c.initially_deferred) sql += " INITIALLY DEFERRED";
    Step attach = base_step(sql + ";");
    attach.needs.push_back("index-for:" + member);
    attach.hazards = {Hazard::AccessExclusiveLock};
    attach.lock = "ACCESS EXCLUSIVE";
    if (c.kind == ConstraintKind::PrimaryKey)
      attach.note = "PRIMARY KEY sets NOT NULL on its columns (a scan if they allow NULL)";
    ctx.add(attach);
    return;
  }
  Step s = base_step(schema::render_add_constraint(table, c));
  s.long_running = true;
  s.preflight = rows_refused();
  if (fk) {
    s.hazards = {Hazard::BlocksWrites, Hazard::ValidationScan};
    s.lock = "SHARE ROW EXCLUSIVE (both tables)";
  } else {
    s.hazards = {Hazard::AccessExclusiveLock};
    s.lock = "ACCESS EXCLUSIVE";
    if (c.kind == ConstraintKind::Check && c.validated) s.hazards.push_back(Hazard::ValidationScan);
    if (c.kind != ConstraintKind::Check) s.hazards.push_back(Hazard::IndexBuild);
  }
  ctx.add(s);
}

}  // namespace

void gen_constraint(Context& ctx, const engine::ConstraintChange& change, bool table_is_new) {
  if (change.kind == ChangeKind::Drop || change.kind == ChangeKind::Alter)
    drop_constraint(ctx, change.table, *change.from, change.kind);
  if (change.kind == ChangeKind::Add || change.kind == ChangeKind::Alter)
    add_constraint(ctx, change.table, *change.to, table_is_new, change.kind);
  if (change.kind == ChangeKind::Alter)
    restore_kept(ctx, {Recreated::Kind::Constraint, change.table, change.to->name});
}

}  // namespace pgdrift::planner
