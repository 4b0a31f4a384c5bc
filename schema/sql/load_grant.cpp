// GRANT / REVOKE on tables (and their columns), views, sequences, functions (and aggregates)
// and schemas.
// Privileges are stored as PostgreSQL's ACLs hold them: ALL expands to the object kind's
// concrete list, each (grantee, privilege, column) once, WITH GRANT OPTION as a flag. Column
// privileges are grouped per (grantee, privilege, grant option) with sorted columns.
#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

const std::vector<std::string> kTablePrivileges = {"SELECT",   "INSERT",     "UPDATE", "DELETE",
                                                   "TRUNCATE", "REFERENCES", "TRIGGER"};
const std::vector<std::string> kColumnPrivileges = {"SELECT", "INSERT", "UPDATE", "REFERENCES"};
const std::vector<std::string> kSequencePrivileges = {"SELECT", "UPDATE", "USAGE"};
const std::vector<std::string> kFunctionPrivileges = {"EXECUTE"};
const std::vector<std::string> kSchemaPrivileges = {"USAGE", "CREATE"};

// One privilege on the object or on one column.
struct Atom {
  std::string grantee, privilege, column;  // column "" = the whole object
  bool with_grant_option = false;
};

std::vector<Atom> explode(const std::vector<Grant>& grants) {
  std::vector<Atom> atoms;
  for (const auto& g : grants) {
    if (g.columns.empty()) atoms.push_back({g.grantee, g.privilege, "", g.with_grant_option});
    for (const auto& c : g.columns)
      atoms.push_back({g.grantee, g.privilege, c, g.with_grant_option});
  }
  return atoms;
}

std::vector<Grant> regroup(const std::vector<Atom>& atoms) {
  std::vector<Grant> grants;
  std::map<std::tuple<std::string, std::string, bool>, std::set<std::string>> column_grants;
  for (const auto& a : atoms) {
    if (a.column.empty())
      grants.push_back({a.grantee, a.privilege, {}, a.with_grant_option});
    else
      column_grants[{a.grantee, a.privilege, a.with_grant_option}].insert(a.column);
  }
  for (const auto& [k, columns] : column_grants)
    grants.push_back(
        {std::get<0>(k), std::get<1>(k), {columns.begin(), columns.end()}, std::get<2>(k)});
  // Grantees in the order they were first granted (the atoms keep it), as PostgreSQL's ACL.
  std::vector<Grant> grantee_order;
  for (const auto& a : atoms)
    grantee_order.push_back({a.grantee, "",
                             a.column.empty() ? std::vector<std::string>{} : std::vector{a.column},
                             false});
  order_grants_as_acl(grants, grantee_order);
  return grants;
}

struct Request {
  bool is_grant = true;
  bool grant_option = false;  // GRANT ... WITH GRANT OPTION / REVOKE GRANT OPTION FOR
  std::vector<std::string> grantees;
  // (privilege, columns); an empty privilege list means ALL.
  std::vector<std::pair<std::string, std::vector<std::string>>> privileges;
};

void apply(LoadContext& ctx, std::vector<Grant>& grants, const Request& request,
           const std::vector<std::string>& allowed, const std::string& kind,
           const std::vector<std::string>& known_columns, bool columns_possible) {
  std::vector<Atom> wanted;
  auto add = [&](const std::string& privilege, const std::string& column) {
    for (const auto& grantee : request.grantees)
      wanted.push_back({grantee, privilege, column, false});
  };
  auto check_column = [&](const std::string& column) {
    if (!columns_possible) ctx.fail(-1, "column privileges are only valid for relations");
    if (std::find(known_columns.begin(), known_columns.end(), column) == known_columns.end())
      ctx.fail(-1, "column \"" + column + "\" does not exist");
  };
  for (const auto& [privilege, columns] : request.privileges) {
    if (privilege == "ALL") {
      for (const auto& column : columns) {
        check_column(column);
        for (const auto& p : kColumnPrivileges) add(p, column);
      }
      if (columns.empty())
        for (const auto& p : allowed) add(p, "");
      continue;
    }
    const auto& valid = columns.empty() ? allowed : kColumnPrivileges;
    if (std::find(valid.begin(), valid.end(), privilege) == valid.end())
      ctx.fail(-1, "invalid privilege type " + privilege + " for " + kind);
    for (const auto& column : columns) check_column(column);
    if (columns.empty()) add(privilege, "");
    for (const auto& column : columns) add(privilege, column);
  }

  std::vector<Atom> atoms = explode(grants);
  auto same = [](const Atom& a, const Atom& b) {
    return a.grantee == b.grantee && a.privilege == b.privilege && a.column == b.column;
  };
  for (const auto& w : wanted) {
    auto it = std::find_if(atoms.begin(), atoms.end(), [&](const Atom& a) { return same(a, w); });
    if (request.is_grant) {
      if (it == atoms.end())
        atoms.push_back({w.grantee, w.privilege, w.column, request.grant_option});
      else
        it->with_grant_option = it->with_grant_option || request.grant_option;
    } else if (it != atoms.end()) {
      if (request.grant_option)
        it->with_grant_option = false;
      else
        atoms.erase(it);
    }
  }
  grants = regroup(atoms);
}

std::vector<std::string> column_names(const std::vector<Column>& columns) {
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c.name);
  return names;
}

// The privileges, grantees and options of a GRANT / REVOKE (also the action of ALTER DEFAULT
// PRIVILEGES); nullopt after an unsupported() grantee.
std::optional<Request> read_request(LoadContext& ctx, const PgQuery__GrantStmt* stmt) {
  if (stmt->grantor) ctx.unsupported(stmt->grantor->location, "GRANTED BY");
  Request request;
  request.is_grant = stmt->is_grant;
  request.grant_option = stmt->grant_option;
  for (size_t i = 0; i < stmt->n_grantees; ++i) {
    const PgQuery__RoleSpec* spec = stmt->grantees[i]->role_spec;
    if (spec && spec->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC) {
      request.grantees.push_back("PUBLIC");
    } else if (auto role = role_name(spec)) {
      request.grantees.push_back(*role);
    } else {
      ctx.unsupported(spec ? spec->location : -1, "CURRENT_USER / SESSION_USER as grantee");
      return std::nullopt;
    }
  }
  if (stmt->n_privileges == 0) request.privileges.push_back({"ALL", {}});
  for (size_t i = 0; i < stmt->n_privileges; ++i) {
    const PgQuery__AccessPriv* priv = stmt->privileges[i]->access_priv;
    if (!priv) continue;
    std::string name = priv->priv_name && *priv->priv_name ? upper(priv->priv_name) : "ALL";
    request.privileges.push_back({name, string_list(priv->cols, priv->n_cols)});
  }
  return request;
}

}  // namespace

void load_grant(LoadContext& ctx, const PgQuery__GrantStmt* stmt) {
  if (stmt->targtype != PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_OBJECT) {
    ctx.unsupported(-1, "GRANT/REVOKE ON ALL ... IN SCHEMA");
    return;
  }
  const std::optional<Request> read = read_request(ctx, stmt);
  if (!read) return;
  const Request& request = *read;

  for (size_t i = 0; i < stmt->n_objects; ++i) {
    const PgQuery__Node* object = stmt->objects[i];
    switch (stmt->objtype) {
      case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: {
        const PgQuery__RangeVar* rv = object->range_var;
        std::string key = ctx.key_of(rv);
        bool sequence_only = stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE;
        if (auto t = ctx.model.tables.find(key); !sequence_only && t != ctx.model.tables.end()) {
          apply(ctx, t->second.grants, request, kTablePrivileges, "table",
                column_names(t->second.columns), true);
        } else if (auto v = ctx.model.views.find(key);
                   !sequence_only && v != ctx.model.views.end()) {
          // View columns are not modelled, so column names cannot be checked here.
          std::vector<std::string> columns;
          for (const auto& [p, cols] : request.privileges)
            columns.insert(columns.end(), cols.begin(), cols.end());
          apply(ctx, v->second.grants, request, kTablePrivileges, "view", columns, true);
        } else if (auto s = ctx.model.sequences.find(key); s != ctx.model.sequences.end()) {
          Request for_sequence = request;
          if (!sequence_only) {
            // GRANT ... ON TABLE naming a sequence: PostgreSQL warns about and skips the
            // privileges a sequence does not have, and grants the rest.
            std::erase_if(for_sequence.privileges, [](const auto& p) {
              return p.first != "ALL" &&
                     std::find(kSequencePrivileges.begin(), kSequencePrivileges.end(), p.first) ==
                         kSequencePrivileges.end();
            });
            if (for_sequence.privileges.size() != request.privileges.size())
              ctx.warnings.push_back({ctx.location_at(-1), ctx.column_at(-1),
                                      "sequence \"" + s->second.name +
                                          "\" only supports USAGE, SELECT, and UPDATE privileges"});
          }
          apply(ctx, s->second.grants, for_sequence, kSequencePrivileges, "sequence", {}, false);
        } else {
          ctx.fail(rv->location, std::string(sequence_only ? "sequence" : "relation") + " \"" +
                                     rv->relname + "\" does not exist");
        }
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
      case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
        std::string key = find_function(ctx, object->object_with_args, -1);
        if (key.empty() && stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE) {
          // GRANT ... ON FUNCTION also names aggregates.
          std::string aggregate = find_aggregate(ctx, object->object_with_args, -1);
          if (!aggregate.empty()) {
            apply(ctx, ctx.model.aggregates.at(aggregate).grants, request, kFunctionPrivileges,
                  "function", {}, false);
            break;
          }
        }
        if (key.empty()) {
          auto name = qualified_name(ctx, object->object_with_args->objname,
                                     object->object_with_args->n_objname);
          ctx.fail(-1, "function " + name.key() + " does not exist");
        }
        apply(ctx, ctx.model.functions.at(key).grants, request, kFunctionPrivileges, "function", {},
              false);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
        std::string name = string_value(object);
        if (name == "public") {
          // Schema public is implicit: neither source models its privileges (pg_dump writes
          // them whenever they differ from initdb's).
          ctx.warnings.push_back(LoadWarning{ctx.location_at(-1), ctx.column_at(-1),
                                             "GRANT/REVOKE on schema public ignored: schema "
                                             "public is implicit, its privileges are not "
                                             "compared"});
          break;
        }
        auto ns = ctx.model.schemas.find(name);
        if (ns == ctx.model.schemas.end()) ctx.fail(-1, "schema \"" + name + "\" does not exist");
        apply(ctx, ns->second.grants, request, kSchemaPrivileges, "schema", {}, false);
        break;
      }
      default:
        ctx.unsupported(-1, "GRANT/REVOKE on this kind of object");
        return;
    }
  }
}

// ALTER DEFAULT PRIVILEGES [FOR ROLE r, ...] [IN SCHEMA s, ...] GRANT | REVOKE ... ON TABLES |
// SEQUENCES | FUNCTIONS | ROUTINES | TYPES | SCHEMAS: one entry per (role, schema), changed as
// PostgreSQL changes pg_default_acl (an entry back to the built-in defaults is removed).
void load_alter_default_privileges(LoadContext& ctx,
                                   const PgQuery__AlterDefaultPrivilegesStmt* stmt) {
  std::vector<std::string> roles, schemas;
  for (size_t i = 0; i < stmt->n_options; ++i) {
    const PgQuery__DefElem* option = stmt->options[i]->def_elem;
    if (!option || !option->arg || !option->arg->list) continue;
    const PgQuery__List* list = option->arg->list;
    const std::string name = option->defname;
    for (size_t j = 0; j < list->n_items; ++j) {
      if (name == "schemas") {
        schemas.push_back(string_value(list->items[j]));
      } else if (name == "roles") {
        const PgQuery__RoleSpec* spec = list->items[j]->role_spec;
        auto role = role_name(spec);
        if (!role) {
          ctx.unsupported(spec ? spec->location : -1, "FOR ROLE CURRENT_USER / SESSION_USER");
          return;
        }
        roles.push_back(*role == ctx.current_role ? "" : *role);
      }
    }
  }
  if (roles.empty()) roles.push_back(ctx.current_role);
  if (schemas.empty()) schemas.push_back("");

  const PgQuery__GrantStmt* action = stmt->action;
  std::string object_type;
  const std::vector<std::string>* allowed = nullptr;
  static const std::vector<std::string> kTypePrivileges = {"USAGE"};
  switch (action->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
      object_type = "TABLES", allowed = &kTablePrivileges;
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
      object_type = "SEQUENCES", allowed = &kSequencePrivileges;
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:  // FUNCTIONS and ROUTINES
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
      object_type = "FUNCTIONS", allowed = &kFunctionPrivileges;
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
      object_type = "TYPES", allowed = &kTypePrivileges;
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
      object_type = "SCHEMAS", allowed = &kSchemaPrivileges;
      break;
    default:
      ctx.unsupported(-1, "ALTER DEFAULT PRIVILEGES on this kind of object");
      return;
  }
  if (object_type == "SCHEMAS" && !schemas.front().empty())
    ctx.fail(-1, "cannot use IN SCHEMA clause when using GRANT/REVOKE ON SCHEMAS");
  const std::optional<Request> request = read_request(ctx, action);
  if (!request) return;
  for (const auto& [privilege, columns] : request->privileges)
    if (!columns.empty()) ctx.fail(-1, "default privileges cannot be set for columns");

  for (const auto& schema_name : schemas) {
    if (!schema_name.empty() && schema_name != "public" && !ctx.model.schemas.count(schema_name))
      ctx.fail(-1, "schema \"" + schema_name + "\" does not exist");
    for (const auto& role : roles) {
      // The creating role's own privileges are not modelled (model.h DefaultPrivilege).
      Request for_others = *request;
      std::erase_if(for_others.grantees,
                    [&](const std::string& g) { return !role.empty() && g == role; });
      const std::string key = default_privilege_key(role, schema_name, object_type);
      const std::vector<Grant> builtin =
          schema_name.empty() ? builtin_default_grants(object_type) : std::vector<Grant>{};
      auto it = ctx.model.default_privileges.find(key);
      DefaultPrivilege entry;
      if (it != ctx.model.default_privileges.end())
        entry = it->second;
      else
        entry = {role, schema_name, object_type, builtin, ctx.location_at(-1)};
      apply(ctx, entry.grants, for_others, *allowed, object_type, {}, false);
      if (entry.grants == builtin)
        ctx.model.default_privileges.erase(key);
      else
        ctx.model.default_privileges[key] = entry;
    }
  }
}

}  // namespace pgdrift::schema::sql
