// Enums, composite types and domains.
#include <algorithm>

#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;
using schema::quote_ident;
using schema::quote_literal;

namespace {

Step drop_type_step(Context& ctx, const std::string& kind, const std::string& key,
                    const std::string& schema_name, const std::string& keyword) {
  Step s = make_step(kind, key, ChangeKind::Drop, kDropType, "DROP " + keyword + " " + key + ";");
  s.removes = {"type:" + key};
  s.releases = {schema_key(schema_name)};
  (void)ctx;
  return s;
}

// Values removed or reordered: PostgreSQL cannot do that in place. Rename the old type, create
// the new one, convert every column through text, drop the old type.
void recreate_enum(Context& ctx, const engine::EnumChange& c) {
  const auto& from = *c.from;
  const auto& to = *c.to;
  std::string old_name = from.name + "__pgdrift_old";
  std::string old_key = schema::quote_qualified(from.schema, old_name);
  std::string type_key = "type:" + c.key;
  auto columns = ctx.from_deps.columns_of_type(type_key);
  std::vector<std::string> view_keys;
  for (const auto& [table, column] : columns)
    for (const auto& v : ctx.from_deps.dependent_views("table:" + table)) {
      ctx.recreate_views.insert(v);
      view_keys.push_back("view:" + v);
    }
  Step rename = make_step("type", c.key, ChangeKind::Alter, kType,
                          "ALTER TYPE " + c.key + " RENAME TO " + quote_ident(old_name) + ";");
  rename.removes = {type_key};
  rename.after_removal = view_keys;
  ctx.add(rename);
  Step create = make_step("type", c.key, ChangeKind::Alter, kType, schema::render_create_enum(to));
  create.provides = {type_key};
  create.needs = {"type-renamed:" + c.key};
  ctx.steps.back().provides.push_back("type-renamed:" + c.key);
  ctx.add(create);
  std::string removed;
  for (const auto& v : from.values)
    if (std::find(to.values.begin(), to.values.end(), v) == to.values.end())
      removed += (removed.empty() ? "" : ", ") + quote_literal(v);
  for (const auto& entry : columns) {
    // Named, not structured bindings: lambdas below capture them (clang 14 cannot).
    const auto& table = entry.first;
    const auto& column = entry.second;
    const schema::Table& t = ctx.from.tables.at(table);
    const schema::Column* col = t.find_column(column);
    // Columns that the diff drops or retypes are handled by their own generator.
    auto to_table = ctx.to.tables.find(table);
    if (to_table == ctx.to.tables.end()) continue;
    const schema::Column* to_col = to_table->second.find_column(column);
    if (!to_col || to_col->type != col->type) continue;
    std::string qcol = quote_ident(column);
    std::string alter = "ALTER TABLE " + table + " ALTER COLUMN " + qcol;
    auto column_step = [&](std::string sql) {
      Step s = make_step("column", table + "." + qcol, ChangeKind::Alter, kType, std::move(sql));
      s.needs = {type_key, "type-renamed:" + c.key};
      s.provides = {"column-retyped:" + c.key};
      s.after_removal = view_keys;
      s.lock = "ACCESS EXCLUSIVE";
      s.hazards = {Hazard::AccessExclusiveLock};
      return s;
    };
    if (col->default_expr) ctx.add(column_step(alter + " DROP DEFAULT;"));
    Step retype =
        column_step(alter + " TYPE " + col->type + " USING " + qcol + "::text::" + col->type + ";");
    retype.hazards = {Hazard::AccessExclusiveLock, Hazard::TableRewrite};
    retype.long_running = true;
    if (!removed.empty()) {
      retype.hazards.push_back(Hazard::ConversionMayFail);
      retype.preflight = rows_where(
          ctx, table, qcol + "::text IN (" + removed + ")",
          "rows whose " + qcol + " has a label the new " + c.key + " drops", qcol + "::text");
    }
    ctx.add(retype);
    if (col->default_expr && to_col->default_expr)
      ctx.add(column_step(alter + " SET DEFAULT " + *to_col->default_expr + ";"));
  }
  Step drop = make_step("type", c.key, ChangeKind::Alter, kType, "DROP TYPE " + old_key + ";");
  drop.needs = {"column-retyped:" + c.key, type_key};
  if (!removed.empty()) drop.hazards = {Hazard::DataLoss};
  ctx.add(drop);
  restore_kept(ctx, {Recreated::Kind::Enum, c.key, ""});
}

void alter_enum(Context& ctx, const engine::EnumChange& c) {
  if (c.needs_recreate) {
    recreate_enum(ctx, c);
    return;
  }
  // Add each new value next to a value that already exists at that point.
  std::vector<std::string> present = c.from->values;
  const auto& target = c.to->values;
  for (size_t i = 0; i < target.size(); ++i) {
    const std::string& v = target[i];
    if (std::find(present.begin(), present.end(), v) != present.end()) continue;
    std::string where;
    for (size_t j = i + 1; j < target.size() && where.empty(); ++j)
      if (std::find(present.begin(), present.end(), target[j]) != present.end())
        where = " BEFORE " + quote_literal(target[j]);
    if (where.empty() && i > 0) where = " AFTER " + quote_literal(target[i - 1]);
    Step s = make_step("type", c.key, ChangeKind::Alter, kType,
                       "ALTER TYPE " + c.key + " ADD VALUE " + quote_literal(v) + where + ";");
    // A new enum value cannot be used in the transaction that adds it.
    s.transactional = false;
    s.provides = {"type:" + c.key};
    ctx.add(s);
    present.push_back(v);
  }
}

}  // namespace

void gen_enums(Context& ctx, const std::vector<engine::EnumChange>& changes) {
  for (const auto& c : changes) {
    if (c.kind == ChangeKind::Add) {
      Step s = make_step("type", c.key, ChangeKind::Add, kType, schema::render_create_enum(*c.to));
      s.provides = {"type:" + c.key};
      s.needs = {schema_key(c.to->schema)};
      ctx.add(s);
    } else if (c.kind == ChangeKind::Drop) {
      ctx.add(drop_type_step(ctx, "type", c.key, c.from->schema, "TYPE"));
    } else {
      alter_enum(ctx, c);
    }
  }
}

void gen_composite_types(Context& ctx, const std::vector<engine::CompositeTypeChange>& changes) {
  for (const auto& c : changes) {
    if (c.kind == ChangeKind::Add) {
      Step s = make_step("type", c.key, ChangeKind::Add, kType,
                         schema::render_create_composite_type(*c.to));
      s.provides = {"type:" + c.key};
      s.needs = {schema_key(c.to->schema)};
      for (const auto& a : c.to->attributes) {
        for (const auto& d : ctx.to_deps.of_type(a.type)) s.needs.push_back(d);
        for (const auto& d : ctx.to_deps.of_collation(a.collation)) s.needs.push_back(d);
      }
      ctx.add(s);
    } else if (c.kind == ChangeKind::Drop) {
      Step s = drop_type_step(ctx, "type", c.key, c.from->schema, "TYPE");
      for (const auto& a : c.from->attributes) {
        for (const auto& d : ctx.from_deps.of_type(a.type)) s.releases.push_back(d);
        for (const auto& d : ctx.from_deps.of_collation(a.collation)) s.releases.push_back(d);
      }
      ctx.add(s);
    } else {
      // Attribute by attribute: drop the missing ones, retype, add the new ones at the end.
      std::vector<std::string> actions;
      for (const auto& a : c.from->attributes) {
        auto it = std::find_if(c.to->attributes.begin(), c.to->attributes.end(),
                               [&](const auto& b) { return b.name == a.name; });
        if (it == c.to->attributes.end())
          actions.push_back("DROP ATTRIBUTE " + quote_ident(a.name));
        else if (it->type != a.type || it->collation != a.collation)
          actions.push_back("ALTER ATTRIBUTE " + quote_ident(a.name) + " TYPE " + it->type +
                            (it->collation.empty() ? "" : " COLLATE " + it->collation));
      }
      for (const auto& b : c.to->attributes)
        if (std::none_of(c.from->attributes.begin(), c.from->attributes.end(),
                         [&](const auto& a) { return a.name == b.name; }))
          actions.push_back("ADD ATTRIBUTE " + quote_ident(b.name) + " " + b.type +
                            (b.collation.empty() ? "" : " COLLATE " + b.collation));
      std::string sql = "ALTER TYPE " + c.key;
      for (size_t i = 0; i < actions.size(); ++i) sql += (i ? ", " : " ") + actions[i];
      if (actions.empty()) continue;
      Step s = make_step("type", c.key, ChangeKind::Alter, kType, sql + ";");
      s.provides = {"type:" + c.key};
      for (const auto& a : c.to->attributes)
        for (const auto& d : ctx.to_deps.of_type(a.type)) s.needs.push_back(d);
      s.hazards = {Hazard::DataLoss};
      s.note = "attributes dropped or retyped lose or convert data stored in this type";
      ctx.add(s);
    }
  }
}

namespace {

void add_domain_check(Context& ctx, const std::string& key, const schema::Constraint& check,
                      bool domain_is_new) {
  bool online = ctx.options.online && !domain_is_new && check.validated;
  schema::Constraint added = check;
  if (online) added.validated = false;
  std::string def = schema::render_constraint_definition(added);
  Step s = make_step(
      "domain", key, ChangeKind::Alter, kConstraintIndex,
      "ALTER DOMAIN " + key + " ADD CONSTRAINT " + quote_ident(check.name) + " " + def + ";");
  s.needs = {"type:" + key};
  for (const auto& d : ctx.to_deps.of_expr(check.check_expr)) s.needs.push_back(d);
  s.provides = {"type:" + key + "#" + check.name};
  if (!online && !domain_is_new) {
    s.hazards = {Hazard::ValidationScan};
    s.long_running = true;
  }
  ctx.add(s);
  if (online) {
    Step v =
        make_step("domain", key, ChangeKind::Alter, kValidate,
                  "ALTER DOMAIN " + key + " VALIDATE CONSTRAINT " + quote_ident(check.name) + ";");
    v.needs = {"type:" + key + "#" + check.name};
    v.hazards = {Hazard::ValidationScan};
    v.long_running = true;
    v.lock = "SHARE UPDATE EXCLUSIVE";
    ctx.add(v);
  }
}

}  // namespace

void gen_domains(Context& ctx, const std::vector<engine::DomainChange>& changes) {
  for (const auto& c : changes) {
    if (c.kind == ChangeKind::Add) {
      Step s =
          make_step("domain", c.key, ChangeKind::Add, kType, schema::render_create_domain(*c.to));
      s.provides = {"type:" + c.key};
      s.needs = {schema_key(c.to->schema)};
      for (const auto& d : ctx.to_deps.of_type(c.to->base_type)) s.needs.push_back(d);
      for (const auto& d : ctx.to_deps.of_collation(c.to->collation)) s.needs.push_back(d);
      for (const auto& [n, chk] : c.to->checks)
        for (const auto& d : ctx.to_deps.of_expr(chk.check_expr)) s.needs.push_back(d);
      ctx.add(s);
      continue;
    }
    if (c.kind == ChangeKind::Drop) {
      Step s = drop_type_step(ctx, "domain", c.key, c.from->schema, "DOMAIN");
      for (const auto& d : ctx.from_deps.of_type(c.from->base_type)) s.releases.push_back(d);
      for (const auto& d : ctx.from_deps.of_collation(c.from->collation)) s.releases.push_back(d);
      ctx.add(s);
      continue;
    }
    const auto& a = *c.from;
    const auto& b = *c.to;
    auto alter = [&](const std::string& action, std::vector<Hazard> hazards = {}) {
      Step s = make_step("domain", c.key, ChangeKind::Alter, kType,
                         "ALTER DOMAIN " + c.key + " " + action + ";");
      s.provides = {"type:" + c.key};
      s.hazards = std::move(hazards);
      ctx.add(s);
    };
    if (a.base_type != b.base_type || a.collation != b.collation) {
      // No ALTER DOMAIN ... TYPE: rebuild it. Only works when no column uses the domain.
      // Columns using it go over to the old base type first and back to the domain after.
      const std::string type_key = "type:" + c.key;
      std::vector<std::string> view_keys;
      struct Use {
        std::string table, column;
        const schema::Column* to_column;
      };
      std::vector<Use> uses;
      for (const auto& [table, column] : ctx.from_deps.columns_of_type(type_key)) {
        auto to_table = ctx.to.tables.find(table);
        if (to_table == ctx.to.tables.end()) continue;
        const schema::Column* from_col = ctx.from.tables.at(table).find_column(column);
        const schema::Column* to_col = to_table->second.find_column(column);
        // Columns that the diff drops or retypes are handled by their own generator.
        if (!to_col || !from_col || to_col->type != from_col->type) continue;
        uses.push_back({table, column, to_col});
        for (const auto& v : ctx.from_deps.dependent_views("table:" + table)) {
          ctx.recreate_views.insert(v);
          view_keys.push_back("view:" + v);
        }
      }
      auto column_step = [&](const Use& u, const std::string& action) {
        std::string qcol = quote_ident(u.column);
        Step s = make_step("column", u.table + "." + qcol, ChangeKind::Alter, kType,
                           "ALTER TABLE " + u.table + " ALTER COLUMN " + qcol + " " + action + ";");
        s.after_removal = view_keys;
        s.hazards = {Hazard::AccessExclusiveLock};
        s.lock = "ACCESS EXCLUSIVE";
        return s;
      };
      for (const auto& u : uses) {
        if (u.to_column->default_expr) {
          Step s = column_step(u, "DROP DEFAULT");
          s.releases = {type_key};
          ctx.add(s);
        }
        Step s = column_step(u, "TYPE " + a.base_type);
        s.releases = {type_key};
        ctx.add(s);
      }
      Step d = drop_type_step(ctx, "domain", c.key, a.schema, "DOMAIN");
      d.phase = kType;
      ctx.add(d);
      Step s =
          make_step("domain", c.key, ChangeKind::Alter, kType, schema::render_create_domain(b));
      s.provides = {type_key};
      s.needs = ctx.to_deps.of_collation(b.collation);
      s.hazards = {Hazard::UntrackedDependencies};
      s.note = "function arguments and composite attributes using the domain are not converted";
      ctx.add(s);
      restore_kept(ctx, {Recreated::Kind::Domain, c.key, ""});
      for (const auto& u : uses) {
        std::string qcol = quote_ident(u.column);
        Step back =
            column_step(u, "TYPE " + c.key + " USING " + qcol + "::" + b.base_type + "::" + c.key);
        back.needs = {type_key};
        back.provides = {"column-retyped:" + c.key};
        back.hazards = {Hazard::AccessExclusiveLock, Hazard::TableRewrite,
                        Hazard::ConversionMayFail};
        back.long_running = true;
        back.note = "values must satisfy the new domain and convert to its base type";
        ctx.add(back);
        if (u.to_column->default_expr) {
          Step def = column_step(u, "SET DEFAULT " + *u.to_column->default_expr);
          def.needs = {type_key, "column-retyped:" + c.key};
          ctx.add(def);
        }
      }
      continue;
    }
    if (a.default_expr != b.default_expr)
      alter(b.default_expr ? "SET DEFAULT " + *b.default_expr : "DROP DEFAULT");
    if (a.not_null != b.not_null)
      alter(b.not_null ? "SET NOT NULL" : "DROP NOT NULL",
            b.not_null ? std::vector<Hazard>{Hazard::ValidationScan} : std::vector<Hazard>{});
    for (const auto& [name, chk] : a.checks) {
      auto it = b.checks.find(name);
      schema::Constraint x = chk, y = it == b.checks.end() ? chk : it->second;
      x.comment.reset();
      y.comment.reset();
      if (it == b.checks.end() || !(x == y)) {
        Step s = make_step("domain", c.key, ChangeKind::Alter, kDropConstraintIndex,
                           "ALTER DOMAIN " + c.key + " DROP CONSTRAINT " + quote_ident(name) + ";");
        s.removes = {"type:" + c.key + "#" + name};
        ctx.add(s);
      }
    }
    for (const auto& [name, chk] : b.checks) {
      auto it = a.checks.find(name);
      schema::Constraint x = chk, y = it == a.checks.end() ? chk : it->second;
      x.comment.reset();
      y.comment.reset();
      if (it == a.checks.end() || !(x == y)) add_domain_check(ctx, c.key, chk, false);
    }
  }
}

}  // namespace pgdrift::planner
