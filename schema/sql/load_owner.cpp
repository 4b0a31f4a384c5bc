// Owners: ALTER ... OWNER TO (and CREATE SCHEMA ... AUTHORIZATION, load_schema.cpp). An owner
// is stored only when the SQL declares one (model.h Table::owner).
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

std::string owner_role(LoadContext& ctx, const PgQuery__RoleSpec* role) {
  if (role && role->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC)
    ctx.fail(role->location, "role \"public\" does not exist");
  return role_name(role).value_or("");
}

void set_relation_owner(LoadContext& ctx, const std::string& key, const PgQuery__RoleSpec* role) {
  const std::string owner = owner_role(ctx, role);
  if (auto t = ctx.model.tables.find(key); t != ctx.model.tables.end()) {
    t->second.owner = owner;
    // PostgreSQL gives the table's sequences (OWNED BY one of its columns) the same owner.
    for (auto& [seq_key, seq] : ctx.model.sequences)
      if (split_owned_by(seq.owned_by).first == key) seq.owner = owner;
  } else if (auto v = ctx.model.views.find(key); v != ctx.model.views.end()) {
    v->second.owner = owner;
  } else if (auto s = ctx.model.sequences.find(key); s != ctx.model.sequences.end()) {
    s->second.owner = owner;
  }
  // Indexes have their table's owner; nothing to store.
}

void load_alter_owner(LoadContext& ctx, const PgQuery__AlterOwnerStmt* stmt) {
  const PgQuery__Node* object = stmt->object;
  switch (stmt->object_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
      std::string key = find_function(ctx, object->object_with_args, -1);
      if (key.empty()) ctx.fail(-1, "function does not exist");
      ctx.model.functions.at(key).owner = owner_role(ctx, stmt->newowner);
      return;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
      const PgQuery__List* names = object->list;
      auto name = qualified_name(ctx, names->items, names->n_items);
      const std::string key = name.key();
      const std::string owner = owner_role(ctx, stmt->newowner);
      if (auto e = ctx.model.enums.find(key); e != ctx.model.enums.end())
        e->second.owner = owner;
      else if (auto c = ctx.model.composite_types.find(key); c != ctx.model.composite_types.end())
        c->second.owner = owner;
      else if (auto d = ctx.model.domains.find(key); d != ctx.model.domains.end())
        d->second.owner = owner;
      else
        ctx.fail(-1, "type " + key + " does not exist");
      return;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
      const std::string name = string_value(object);
      if (name == "public") return;  // implicit, never stored (as its privileges)
      auto ns = ctx.model.schemas.find(name);
      if (ns == ctx.model.schemas.end()) ctx.fail(-1, "schema \"" + name + "\" does not exist");
      ns->second.owner = owner_role(ctx, stmt->newowner);
      return;
    }
    default:
      // Objects the model does not hold (languages, operators, publications, ...): their
      // owners are no part of it either.
      return;
  }
}

}  // namespace pgdrift::schema::sql
