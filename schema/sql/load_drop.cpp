// DROP of every object kind in the model. Dropping a missing object fails unless IF EXISTS.
// Dependencies PostgreSQL tracks and that the model can see are followed: a table takes its
// owned sequences and partitions with it; CASCADE removes foreign keys that reference it, and a
// schema's contents; without CASCADE a referencing foreign key stops the drop.
#include <algorithm>
#include <set>

#include "schema/sql/load_context.h"
#include "schema/sql/partitions.h"
#include "schema/sql/table_parts.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

void drop_tables(LoadContext& ctx, const std::vector<std::string>& keys, bool cascade) {
  std::set<std::string> dropping(keys.begin(), keys.end());
  // Partitions go with their parent.
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [key, t] : ctx.model.tables)
      if (!t.partition_of.empty() && dropping.count(t.partition_of) && dropping.insert(key).second)
        grew = true;
  }
  for (auto& [key, t] : ctx.model.tables) {
    if (dropping.count(key)) continue;
    for (auto c = t.constraints.begin(); c != t.constraints.end();) {
      bool references = c->second.foreign_key && dropping.count(c->second.foreign_key->ref_table);
      if (references && !cascade)
        ctx.fail(-1, "cannot drop table " + c->second.foreign_key->ref_table +
                         " because constraint " + c->first + " on table " + key +
                         " depends on it (use CASCADE)");
      c = references ? t.constraints.erase(c) : std::next(c);
    }
  }
  for (const auto& key : dropping) {
    ctx.model.tables.erase(key);
    std::string prefix = key + ".";
    for (auto s = ctx.model.sequences.begin(); s != ctx.model.sequences.end();)
      s = s->second.owned_by.rfind(prefix, 0) == 0 ? ctx.model.sequences.erase(s) : std::next(s);
  }
}

// The table or view named by the leading parts of a trigger / policy name.
std::map<std::string, Trigger>* trigger_map(LoadContext& ctx, const std::string& key) {
  if (auto t = ctx.model.tables.find(key); t != ctx.model.tables.end()) return &t->second.triggers;
  if (auto v = ctx.model.views.find(key); v != ctx.model.views.end()) return &v->second.triggers;
  return nullptr;
}

bool drop_index(LoadContext& ctx, const QualifiedName& name) {
  for (auto& [key, t] : ctx.model.tables) {
    if (t.schema != name.schema) continue;
    if (auto index = t.indexes.find(name.name); index != t.indexes.end()) {
      if (!index->second.parent_index.empty())
        ctx.fail(-1, "cannot drop index " + name.name + " because index " +
                         index->second.parent_index + " requires it");
      t.indexes.erase(index);
      settle_replica_identity(t);
      // A partitioned table's index takes its partitions' attached indexes with it.
      drop_index_from_partitions(ctx.model, t, name.name);
      return true;
    }
    auto c = t.constraints.find(name.name);
    if (c != t.constraints.end() && c->second.kind != ConstraintKind::Check &&
        c->second.kind != ConstraintKind::ForeignKey)
      ctx.fail(-1, "cannot drop index " + name.name + " because constraint " + name.name +
                       " on table " + t.name + " requires it");
  }
  for (auto& [key, v] : ctx.model.views)
    if (v.schema == name.schema && v.indexes.erase(name.name)) return true;
  return false;
}

bool schema_is_empty(const Model& m, const std::string& schema) {
  auto in = [&](const auto& objects) {
    return std::any_of(objects.begin(), objects.end(),
                       [&](const auto& entry) { return entry.second.schema == schema; });
  };
  return !in(m.tables) && !in(m.views) && !in(m.sequences) && !in(m.enums) &&
         !in(m.composite_types) && !in(m.domains) && !in(m.functions) && !in(m.extensions) &&
         !in(m.aggregates) && !in(m.collations);
}

void drop_schema_contents(LoadContext& ctx, const std::string& schema) {
  Model& m = ctx.model;
  std::vector<std::string> tables;
  for (const auto& [key, t] : m.tables)
    if (t.schema == schema) tables.push_back(key);
  drop_tables(ctx, tables, true);
  auto erase_in = [&](auto& objects) {
    std::erase_if(objects, [&](const auto& entry) { return entry.second.schema == schema; });
  };
  erase_in(m.views);
  erase_in(m.sequences);
  erase_in(m.enums);
  erase_in(m.composite_types);
  erase_in(m.domains);
  erase_in(m.functions);
  erase_in(m.aggregates);
  erase_in(m.collations);
  erase_in(m.extensions);
}

}  // namespace

void load_drop(LoadContext& ctx, const PgQuery__DropStmt* stmt) {
  bool cascade = stmt->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
  Model& m = ctx.model;
  auto missing = [&](const std::string& what) {
    if (!stmt->missing_ok) ctx.fail(-1, what + " does not exist");
  };
  std::vector<std::string> tables_to_drop;
  for (size_t i = 0; i < stmt->n_objects; ++i) {
    const PgQuery__Node* object = stmt->objects[i];
    std::vector<std::string> parts = object_name_parts(object);
    QualifiedName name = qualified_name(ctx, parts);
    std::string key = name.key();
    switch (stmt->remove_type) {
      case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
        if (!m.tables.count(key))
          missing("table \"" + name.name + "\"");
        else
          tables_to_drop.push_back(key);
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
      case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW: {
        bool materialized = stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW;
        auto v = m.views.find(key);
        if (v != m.views.end() && v->second.materialized != materialized)
          ctx.fail(-1, "\"" + name.name + "\" is " +
                           (materialized ? "not a materialized view" : "a materialized view"));
        if (v == m.views.end())
          missing(std::string(materialized ? "materialized view" : "view") + " \"" + name.name +
                  "\"");
        else
          m.views.erase(v);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        if (!drop_index(ctx, name)) missing("index \"" + name.name + "\"");
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
        if (!m.sequences.erase(key)) missing("sequence \"" + name.name + "\"");
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
        if (!m.enums.erase(key) && !m.composite_types.erase(key) && !m.domains.erase(key))
          missing("type \"" + name.name + "\"");
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
        if (m.enums.count(key) || m.composite_types.count(key))
          ctx.fail(-1, "\"" + name.name + "\" is not a domain");
        if (!m.domains.erase(key)) missing("type \"" + name.name + "\"");
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
      case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
        const PgQuery__ObjectWithArgs* func = object->object_with_args;
        QualifiedName fname = qualified_name(ctx, func->objname, func->n_objname);
        std::string fkey = find_function(ctx, func, -1);
        if (fkey.empty()) {
          missing("function " + fname.key());
          break;
        }
        bool procedure = m.functions.at(fkey).procedure;
        if (stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION && procedure)
          ctx.fail(-1, fname.key() + " is not a function");
        if (stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE && !procedure)
          ctx.fail(-1, fname.key() + " is not a procedure");
        m.functions.erase(fkey);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE: {
        const PgQuery__ObjectWithArgs* func = object->object_with_args;
        std::string akey = find_aggregate(ctx, func, -1);
        if (akey.empty())
          missing("aggregate " + qualified_name(ctx, func->objname, func->n_objname).key());
        else
          m.aggregates.erase(akey);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION:
        if (!m.collations.erase(key)) missing("collation \"" + name.name + "\"");
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
      case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
        bool trigger = stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER;
        std::string object_name = parts.empty() ? "" : parts.back();
        std::vector<std::string> table_parts(parts.begin(), parts.end() - (parts.empty() ? 0 : 1));
        QualifiedName table = qualified_name(ctx, table_parts);
        std::string what = std::string(trigger ? "trigger" : "policy") + " \"" + object_name +
                           "\" for table \"" + table.name + "\"";
        bool erased = false;
        if (trigger) {
          auto* triggers = trigger_map(ctx, table.key());
          if (!triggers && !stmt->missing_ok)
            ctx.fail(-1, "relation \"" + table.name + "\" does not exist");
          erased = triggers && triggers->erase(object_name);
        } else {
          auto t = m.tables.find(table.key());
          if (t == m.tables.end() && !stmt->missing_ok)
            ctx.fail(-1, "relation \"" + table.name + "\" does not exist");
          erased = t != m.tables.end() && t->second.policies.erase(object_name);
        }
        if (!erased) missing(what);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION:
        if (!m.extensions.erase(name.name)) missing("extension \"" + name.name + "\"");
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
        if (name.name == "public") {
          ctx.unsupported(-1, "DROP SCHEMA public (the model always has schema public)");
          break;
        }
        if (!m.schemas.count(name.name)) {
          missing("schema \"" + name.name + "\"");
          break;
        }
        if (!cascade && !schema_is_empty(m, name.name))
          ctx.fail(-1, "cannot drop schema " + name.name +
                           " because other objects depend on it (use CASCADE)");
        drop_schema_contents(ctx, name.name);
        m.schemas.erase(name.name);
        break;
      }
      default:
        ctx.unsupported(-1, "DROP of this kind of object");
        return;
    }
  }
  if (!tables_to_drop.empty()) drop_tables(ctx, tables_to_drop, cascade);
}

}  // namespace pgdrift::schema::sql
