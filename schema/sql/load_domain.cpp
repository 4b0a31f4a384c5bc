// CREATE DOMAIN / ALTER DOMAIN. Unnamed CHECK constraints get the names PostgreSQL chooses:
// <domain>_check, <domain>_check1, ... (ChooseConstraintName over the schema).
#include "schema/canonical.h"
#include "schema/sql/column_def.h"
#include "schema/sql/load_context.h"
#include "schema/sql/naming.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

std::vector<std::string> check_names(const Domain& domain) {
  std::vector<std::string> names;
  for (const auto& [name, check] : domain.checks) names.push_back(name);
  return names;
}

void add_check(LoadContext& ctx, Domain& domain, const PgQuery__Constraint* c) {
  Constraint check;
  check.kind = ConstraintKind::Check;
  check.name = c->conname ? c->conname : "";
  if (check.name.empty())
    check.name =
        choose_constraint_name(ctx, domain.schema, domain.name, "", "check", check_names(domain));
  else if (domain.checks.count(check.name))
    ctx.fail(c->location,
             "constraint \"" + check.name + "\" for domain \"" + domain.name + "\" already exists");
  // VALUE is the only column a domain CHECK has; it has the domain's base type.
  const std::string value_type = expression_type(ctx.model, domain.base_type);
  check.check_expr = canonical_expr(c->raw_expr, [&value_type](const std::string& name) {
    return name == "value" ? value_type : std::string();
  });
  check.validated = !c->skip_validation;
  if (c->is_no_inherit) ctx.unsupported(c->location, "NO INHERIT on a domain constraint");
  check.location = ctx.location_at(c->location);
  domain.checks[check.name] = check;
}

void apply_constraint(LoadContext& ctx, Domain& domain, const PgQuery__Node* node) {
  if (node->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) {
    ctx.unsupported(-1, "domain element");
    return;
  }
  const PgQuery__Constraint* c = node->constraint;
  switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
      domain.not_null = true;
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
      domain.not_null = false;
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
      domain.default_expr = canonical_column_default(ctx, c->raw_expr, domain.base_type);
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
      add_check(ctx, domain, c);
      break;
    default:
      ctx.unsupported(c->location, "this domain constraint kind");
  }
}

}  // namespace

void load_create_domain(LoadContext& ctx, const PgQuery__CreateDomainStmt* stmt) {
  auto name = qualified_name(ctx, stmt->domainname, stmt->n_domainname);
  const Model& m = ctx.model;
  std::string key = name.key();
  if (m.enums.count(key) || m.composite_types.count(key) || m.domains.count(key) ||
      m.tables.count(key) || m.views.count(key) || m.sequences.count(key))
    ctx.fail(-1, "type \"" + name.name + "\" already exists");
  Domain domain;
  domain.schema = name.schema;
  domain.name = name.name;
  domain.location = ctx.location_at(-1);
  domain.base_type = canonical_type(stmt->type_name, ctx.search_schema);
  domain.collation = collation_name(ctx, stmt->coll_clause);
  for (size_t i = 0; i < stmt->n_constraints; ++i)
    apply_constraint(ctx, domain, stmt->constraints[i]);
  ctx.model.domains[key] = domain;
}

void load_alter_domain(LoadContext& ctx, const PgQuery__AlterDomainStmt* stmt) {
  auto name = qualified_name(ctx, stmt->type_name, stmt->n_type_name);
  auto it = ctx.model.domains.find(name.key());
  if (it == ctx.model.domains.end()) ctx.fail(-1, "type \"" + name.name + "\" does not exist");
  Domain& domain = it->second;
  std::string subtype = stmt->subtype ? stmt->subtype : "";
  std::string constraint = stmt->name ? stmt->name : "";
  if (subtype == "T") {  // SET DEFAULT expr / DROP DEFAULT
    if (stmt->def)
      domain.default_expr = canonical_column_default(ctx, stmt->def, domain.base_type);
    else
      domain.default_expr.reset();
  } else if (subtype == "N") {
    domain.not_null = false;
  } else if (subtype == "O") {
    domain.not_null = true;
  } else if (subtype == "C") {
    if (!stmt->def || stmt->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT ||
        stmt->def->constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_CHECK) {
      ctx.unsupported(-1, "ALTER DOMAIN ADD of a constraint other than CHECK");
      return;
    }
    add_check(ctx, domain, stmt->def->constraint);
  } else if (subtype == "X") {
    if (!domain.checks.erase(constraint) && !stmt->missing_ok)
      ctx.fail(
          -1, "constraint \"" + constraint + "\" of domain \"" + domain.name + "\" does not exist");
  } else if (subtype == "V") {
    auto check = domain.checks.find(constraint);
    if (check == domain.checks.end())
      ctx.fail(
          -1, "constraint \"" + constraint + "\" of domain \"" + domain.name + "\" does not exist");
    check->second.validated = true;
  } else {
    ctx.unsupported(-1, "ALTER DOMAIN subcommand");
  }
}

}  // namespace pgdrift::schema::sql
