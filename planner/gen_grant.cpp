// Privileges (only with --privileges): GRANT / REVOKE, ALTER ... OWNER TO and ALTER DEFAULT
// PRIVILEGES. Every step changes who can do what: authz.
// A privilege that only gains or loses its grant option is changed in place (GRANT ... WITH
// GRANT OPTION / REVOKE GRANT OPTION FOR), never revoked and granted again: between the two
// steps the grantee would not hold it.
#include <tuple>

#include "planner/generators.h"
#include "planner/object_sql.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

namespace {

bool same_privilege(const schema::Grant& a, const schema::Grant& b) {
  return std::tie(a.grantee, a.privilege, a.columns) == std::tie(b.grantee, b.privilege, b.columns);
}

}  // namespace

std::vector<GrantStatement> grant_statements(const std::string& target,
                                             const std::vector<schema::Grant>& revoked,
                                             const std::vector<schema::Grant>& granted) {
  std::vector<GrantStatement> out;
  auto counterpart = [](const std::vector<schema::Grant>& list, const schema::Grant& g) {
    for (const auto& other : list)
      if (same_privilege(other, g)) return true;
    return false;
  };
  for (const auto& g : revoked) {
    if (!counterpart(granted, g))
      out.push_back({engine::ChangeKind::Drop, schema::render_revoke(target, g)});
    else if (g.with_grant_option)  // granted again without it
      out.push_back({engine::ChangeKind::Alter, schema::render_revoke_grant_option(target, g)});
  }
  for (const auto& g : granted) {
    if (!counterpart(revoked, g))
      out.push_back({engine::ChangeKind::Add, schema::render_grant(target, g)});
    else if (g.with_grant_option)  // held before without it
      out.push_back({engine::ChangeKind::Alter, schema::render_grant(target, g)});
  }
  return out;
}

namespace {

bool is_revoke(const GrantStatement& s) { return s.sql.rfind("REVOKE ", 0) == 0; }

}  // namespace

void gen_grants(Context& ctx, const std::vector<engine::GrantChange>& changes) {
  for (const auto& c : changes) {
    const std::string target = grant_target(c.object, ctx.to);
    const std::string needs = dependency_key(c.object, ctx.to);
    for (auto& statement : grant_statements(target, c.revoked, c.granted)) {
      Step s = make_step("grant", c.object.name, statement.kind,
                         is_revoke(statement) ? kRevoke : kGrant, statement.sql);
      s.needs = {needs};
      s.hazards = {Hazard::Authz};
      if (c.object_added && is_revoke(statement))
        s.note = "the object gets this privilege from the default privileges when it is created";
      ctx.add(s);
    }
  }
}

void gen_owners(Context& ctx, const std::vector<engine::OwnerChange>& changes) {
  for (const auto& c : changes) {
    if (c.object.kind == "sequence") {
      // A sequence OWNED BY a table column takes the table's owner with it, and PostgreSQL
      // refuses to change it alone: nothing to do when the table's owner is the one wanted.
      auto s = ctx.to.sequences.find(c.object.key);
      if (s != ctx.to.sequences.end() && !s->second.owned_by.empty()) {
        auto t = ctx.to.tables.find(schema::split_owned_by(s->second.owned_by).first);
        if (t != ctx.to.tables.end() && t->second.owner == c.to) continue;
      }
    }
    Step s = make_step("owner", c.object.name, engine::ChangeKind::Alter, kOwner,
                       "ALTER " + comment_target(c.object, ctx.to) + " OWNER TO " +
                           schema::quote_ident(c.to) + ";");
    s.needs = {dependency_key(c.object, ctx.to)};
    s.hazards = {Hazard::Authz};
    ctx.add(s);
  }
}

void gen_default_privileges(Context& ctx,
                            const std::vector<engine::DefaultPrivilegeChange>& changes) {
  for (const auto& c : changes) {
    std::string prefix = "ALTER DEFAULT PRIVILEGES ";
    if (!c.role.empty()) prefix += "FOR ROLE " + schema::quote_ident(c.role) + " ";
    if (!c.schema.empty()) prefix += "IN SCHEMA " + schema::quote_ident(c.schema) + " ";
    for (auto& statement : grant_statements(c.object_type, c.revoked, c.granted)) {
      const bool revoke = is_revoke(statement);
      Step s = make_step("default privileges", c.key, statement.kind,
                         revoke ? kDefaultPrivilegesRevoked : kDefaultPrivilegesGranted,
                         prefix + statement.sql);
      if (!c.schema.empty()) {
        const std::string schema = schema_key(c.schema);
        if (revoke)
          s.releases = {schema};  // before the schema is dropped
        else
          s.needs = {schema};
      }
      s.hazards = {Hazard::Authz};
      s.note = revoke ? "before the objects the plan creates, which must not get it"
                      : "after the objects the plan creates, which must not get it";
      ctx.add(s);
    }
  }
}

}  // namespace pgdrift::planner
