// COMMENT ON <object> IS '...' | NULL. NULL and '' both remove the comment, as in PostgreSQL.
#include <string_view>

#include "schema/pg_builtins.h"
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

// Splits [schema.]table.member into the table name and the member.
std::pair<QualifiedName, std::string> split_member(const LoadContext& ctx,
                                                   const std::vector<std::string>& parts) {
  if (parts.empty()) return {{ctx.search_schema, ""}, ""};
  std::vector<std::string> table(parts.begin(), parts.end() - 1);
  return {qualified_name(ctx, table), parts.back()};
}

}  // namespace

void load_comment(LoadContext& ctx, const PgQuery__CommentStmt* stmt) {
  std::optional<std::string> comment;
  if (stmt->comment && *stmt->comment) comment = stmt->comment;
  Model& m = ctx.model;
  std::vector<std::string> parts = object_name_parts(stmt->object);
  QualifiedName name = qualified_name(ctx, parts);
  std::string key = name.key();
  auto not_found = [&](const std::string& what) { ctx.fail(-1, what + " does not exist"); };

  switch (stmt->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
      if (auto t = m.tables.find(key); t != m.tables.end())
        t->second.comment = comment;
      else
        not_found("relation \"" + name.name + "\"");
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW: {
      bool materialized = stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW;
      auto v = m.views.find(key);
      if (v == m.views.end() || v->second.materialized != materialized)
        not_found(std::string(materialized ? "materialized view" : "view") + " \"" + name.name +
                  "\"");
      v->second.comment = comment;
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
      if (auto s = m.sequences.find(key); s != m.sequences.end())
        s->second.comment = comment;
      else
        not_found("sequence \"" + name.name + "\"");
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
      for (auto& [k, t] : m.tables)
        if (t.schema == name.schema) {
          if (auto i = t.indexes.find(name.name); i != t.indexes.end()) {
            i->second.comment = comment;
            return;
          }
          if (t.constraints.count(name.name)) {
            ctx.unsupported(-1, "COMMENT ON INDEX of a constraint's index");
            return;
          }
        }
      for (auto& [k, v] : m.views)
        if (v.schema == name.schema)
          if (auto i = v.indexes.find(name.name); i != v.indexes.end()) {
            i->second.comment = comment;
            return;
          }
      not_found("index \"" + name.name + "\"");
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN: {
      auto [table, column] = split_member(ctx, parts);
      if (auto t = m.tables.find(table.key()); t != m.tables.end()) {
        Column* c = t->second.find_column(column);
        if (!c) not_found("column \"" + column + "\" of relation \"" + table.name + "\"");
        c->comment = comment;
      } else if (auto v = m.views.find(table.key()); v != m.views.end()) {
        // View columns are not modelled; the comment is kept by column name.
        if (comment)
          v->second.column_comments[column] = comment;
        else
          v->second.column_comments.erase(column);
      } else {
        not_found("relation \"" + table.name + "\"");
      }
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
      if (auto e = m.enums.find(key); e != m.enums.end())
        e->second.comment = comment;
      else if (auto c = m.composite_types.find(key); c != m.composite_types.end())
        c->second.comment = comment;
      else if (auto d = m.domains.find(key); d != m.domains.end())
        d->second.comment = comment;
      else
        not_found("type \"" + name.name + "\"");
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
      const PgQuery__ObjectWithArgs* func = stmt->object->object_with_args;
      std::string fkey = find_function(ctx, func, -1);
      if (fkey.empty())
        not_found("function " + qualified_name(ctx, func->objname, func->n_objname).key());
      m.functions.at(fkey).comment = comment;
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE: {
      const PgQuery__ObjectWithArgs* func = stmt->object->object_with_args;
      std::string akey = find_aggregate(ctx, func, -1);
      if (akey.empty())
        not_found("aggregate " + qualified_name(ctx, func->objname, func->n_objname).key());
      m.aggregates.at(akey).comment = comment;
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION: {
      if (auto c = m.collations.find(key); c != m.collations.end())
        c->second.comment = comment;
      else
        not_found("collation \"" + name.name + "\"");
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT: {
      auto [table, member] = split_member(ctx, parts);
      std::string what = "\"" + member + "\" for relation \"" + table.name + "\"";
      auto t = m.tables.find(table.key());
      if (stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER) {
        std::map<std::string, Trigger>* triggers = nullptr;
        if (t != m.tables.end())
          triggers = &t->second.triggers;
        else if (auto v = m.views.find(table.key()); v != m.views.end())
          triggers = &v->second.triggers;
        if (!triggers || !triggers->count(member)) not_found("trigger " + what);
        (*triggers)[member].comment = comment;
      } else if (t == m.tables.end()) {
        not_found("relation \"" + table.name + "\"");
      } else if (stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_POLICY) {
        auto p = t->second.policies.find(member);
        if (p == t->second.policies.end()) not_found("policy " + what);
        p->second.comment = comment;
      } else {
        auto c = t->second.constraints.find(member);
        if (c == t->second.constraints.end()) not_found("constraint " + what);
        c->second.comment = comment;
      }
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMCONSTRAINT: {
      // object = (TypeName domain, String constraint name)
      const PgQuery__List* list = stmt->object->list;
      if (!list || list->n_items != 2 ||
          list->items[0]->node_case != PG_QUERY__NODE__NODE_TYPE_NAME) {
        ctx.unsupported(-1, "COMMENT ON CONSTRAINT ... ON DOMAIN form");
        break;
      }
      QualifiedName domain = qualified_name(ctx, list->items[0]->type_name);
      std::string constraint = string_value(list->items[1]);
      auto d = m.domains.find(domain.key());
      if (d == m.domains.end()) not_found("type \"" + domain.name + "\"");
      auto c = d->second.checks.find(constraint);
      if (c == d->second.checks.end())
        not_found("constraint \"" + constraint + "\" for domain \"" + domain.name + "\"");
      c->second.comment = comment;
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
      if (name.name == "public") {
        // Schema public is implicit: neither source models its comment (pg_dump writes one
        // whenever it differs from initdb's). Skipped, and said so unless it is initdb's.
        if (comment != std::optional<std::string>("standard public schema"))
          ctx.warnings.push_back(LoadWarning{ctx.location_at(-1), ctx.column_at(-1),
                                             "COMMENT ON SCHEMA public ignored: schema public is "
                                             "implicit, its comment is not compared"});
        break;
      }
      auto ns = m.schemas.find(name.name);
      if (ns == m.schemas.end()) not_found("schema \"" + name.name + "\"");
      ns->second.comment = comment;
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION: {
      auto e = m.extensions.find(name.name);
      if (e == m.extensions.end()) not_found("extension \"" + name.name + "\"");
      // The comment CREATE EXTENSION sets itself (pg_dump writes it out) is not user-written:
      // the introspector leaves it out as well.
      if (comment && extension_control_comment(name.name) == std::string_view(*comment))
        comment.reset();
      e->second.comment = comment;
      break;
    }
    default:
      ctx.unsupported(-1, "COMMENT ON this kind of object");
  }
}

}  // namespace pgdrift::schema::sql
