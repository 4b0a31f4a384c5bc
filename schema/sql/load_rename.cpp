// ALTER ... RENAME: renames an object and the references other objects keep to it by name
// (foreign keys, partitions, inheritance, sequence ownership, column types).
#include <algorithm>

#include "schema/canonical.h"
#include "schema/sql/load_context.h"
#include "schema/sql/table_parts.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

template <typename Map>
void rekey(Map& map, const std::string& old_key, const std::string& new_key) {
  auto node = map.extract(old_key);
  node.key() = new_key;
  map.insert(std::move(node));
}

void replace_prefix(std::string& value, const std::string& old_prefix,
                    const std::string& new_prefix) {
  if (value.rfind(old_prefix, 0) == 0) value = new_prefix + value.substr(old_prefix.size());
}

// A type reference (possibly an array of it) renamed.
void rename_type_ref(std::string& type, const std::string& old_key, const std::string& new_key) {
  if (type == old_key) type = new_key;
  if (type.rfind(old_key + "[", 0) == 0) type = new_key + type.substr(old_key.size());
}

void rename_table_references(Model& model, const std::string& old_key, const std::string& new_key) {
  for (auto& [k, t] : model.tables) {
    for (auto& [n, c] : t.constraints)
      if (c.foreign_key && c.foreign_key->ref_table == old_key) c.foreign_key->ref_table = new_key;
    if (t.partition_of == old_key) t.partition_of = new_key;
    std::replace(t.inherits.begin(), t.inherits.end(), old_key, new_key);
  }
  for (auto& [k, s] : model.sequences) replace_prefix(s.owned_by, old_key + ".", new_key + ".");
}

// A sequence's name appears in nextval('name'::regclass) defaults.
void rename_sequence_references(Model& model, const Sequence& old_seq,
                                const std::string& new_name) {
  auto printed = [](const std::string& schema, const std::string& name) {
    return quote_literal(schema == "public" ? quote_ident(name) : quote_qualified(schema, name)) +
           "::regclass";
  };
  const std::string from = printed(old_seq.schema, old_seq.name);
  const std::string to = printed(old_seq.schema, new_name);
  for (auto& [k, t] : model.tables)
    for (auto& c : t.columns)
      if (c.default_expr) {
        auto pos = c.default_expr->find(from);
        if (pos != std::string::npos) c.default_expr->replace(pos, from.size(), to);
      }
}

void rename_type_references(Model& model, const std::string& old_key, const std::string& new_key) {
  for (auto& [k, t] : model.tables)
    for (auto& c : t.columns) rename_type_ref(c.type, old_key, new_key);
  for (auto& [k, c] : model.composite_types)
    for (auto& a : c.attributes) rename_type_ref(a.type, old_key, new_key);
  for (auto& [k, d] : model.domains) rename_type_ref(d.base_type, old_key, new_key);
  for (auto& [k, f] : model.functions) {
    for (auto& a : f.arguments) rename_type_ref(a.type, old_key, new_key);
    rename_type_ref(f.returns, old_key, new_key);
  }
}

void rename_column(LoadContext& ctx, Table& table, const std::string& from, const std::string& to) {
  Column* column = table.find_column(from);
  if (column == nullptr) ctx.fail(0, "column \"" + from + "\" does not exist");
  if (table.find_column(to) != nullptr)
    ctx.fail(0, "column \"" + to + "\" of relation \"" + table.name + "\" already exists");
  column->name = to;
  auto rename_in = [&](std::vector<std::string>& names) {
    std::replace(names.begin(), names.end(), from, to);
  };
  const std::string key = qualified_key(table.schema, table.name);
  for (auto& [n, c] : table.constraints) {
    rename_in(c.columns);
    rename_in(c.include);
    for (auto& e : c.exclusion_elements)
      if (e.expr == from) e.expr = to;
  }
  for (auto& [n, i] : table.indexes) {
    rename_in(i.include);
    for (auto& k : i.keys)
      if (k.column == from) k.column = to;
  }
  for (auto& [k, t] : ctx.model.tables)
    for (auto& [n, c] : t.constraints)
      if (c.foreign_key && c.foreign_key->ref_table == key) rename_in(c.foreign_key->ref_columns);
  for (auto& [k, s] : ctx.model.sequences)
    if (s.owned_by == key + "." + quote_ident(from)) s.owned_by = key + "." + quote_ident(to);
  // Expressions (CHECK, index expressions, defaults) keep the old column name: rewriting SQL
  // text is not done yet.
}

void rename_relation(LoadContext& ctx, const PgQuery__RenameStmt* stmt) {
  const PgQuery__RangeVar* rv = stmt->relation;
  const std::string schema = ctx.schema_or_default(rv->schemaname);
  const std::string old_key = qualified_key(schema, rv->relname);
  const std::string new_key = qualified_key(schema, stmt->newname);
  Model& m = ctx.model;
  if (auto it = m.tables.find(old_key); it != m.tables.end()) {
    it->second.name = stmt->newname;
    rekey(m.tables, old_key, new_key);
    rename_table_references(m, old_key, new_key);
    return;
  }
  if (auto it = m.views.find(old_key); it != m.views.end()) {
    it->second.name = stmt->newname;
    rekey(m.views, old_key, new_key);
    return;
  }
  if (auto it = m.sequences.find(old_key); it != m.sequences.end()) {
    rename_sequence_references(m, it->second, stmt->newname);
    it->second.name = stmt->newname;
    rekey(m.sequences, old_key, new_key);
    return;
  }
  if (stmt->missing_ok) return;
  ctx.fail(rv->location, "relation " + quote_qualified(schema, rv->relname) + " does not exist");
}

// ALTER INDEX ... RENAME: a standalone index, or the index of a PK / UNIQUE / EXCLUDE
// constraint (PostgreSQL renames the constraint with it).
void rename_index(LoadContext& ctx, const PgQuery__RenameStmt* stmt) {
  const PgQuery__RangeVar* rv = stmt->relation;
  const std::string schema = ctx.schema_or_default(rv->schemaname);
  const std::string from = rv->relname;
  for (auto& [k, t] : ctx.model.tables) {
    if (t.schema != schema) continue;
    if (t.indexes.count(from) != 0) {
      t.indexes[from].name = stmt->newname;
      rekey(t.indexes, from, stmt->newname);
      rename_replica_identity_index(t, from, stmt->newname);
      return;
    }
    auto c = t.constraints.find(from);
    if (c != t.constraints.end() && c->second.kind != ConstraintKind::Check &&
        c->second.kind != ConstraintKind::ForeignKey) {
      c->second.name = stmt->newname;
      rekey(t.constraints, from, stmt->newname);
      rename_replica_identity_index(t, from, stmt->newname);
      return;
    }
  }
  for (auto& [k, v] : ctx.model.views) {
    if (v.schema == schema && v.indexes.count(from) != 0) {
      v.indexes[from].name = stmt->newname;
      rekey(v.indexes, from, stmt->newname);
      return;
    }
  }
  if (stmt->missing_ok) return;
  ctx.fail(rv->location, "index " + quote_qualified(schema, from) + " does not exist");
}

std::pair<std::string, std::string> split_names(LoadContext& ctx, const PgQuery__Node* object) {
  std::vector<std::string> names;
  if (object != nullptr && object->node_case == PG_QUERY__NODE__NODE_LIST)
    names = string_list(object->list->items, object->list->n_items);
  if (names.empty()) ctx.fail(0, "missing object name");
  QualifiedName name = qualified_name(ctx, names);
  return {name.schema, name.name};
}

void rename_type(LoadContext& ctx, const PgQuery__RenameStmt* stmt) {
  auto [schema, name] = split_names(ctx, stmt->object);
  const std::string old_key = qualified_key(schema, name);
  const std::string new_key = qualified_key(schema, stmt->newname);
  Model& m = ctx.model;
  if (auto it = m.enums.find(old_key); it != m.enums.end()) {
    it->second.name = stmt->newname;
    rekey(m.enums, old_key, new_key);
  } else if (auto c = m.composite_types.find(old_key); c != m.composite_types.end()) {
    c->second.name = stmt->newname;
    rekey(m.composite_types, old_key, new_key);
  } else if (auto d = m.domains.find(old_key); d != m.domains.end()) {
    d->second.name = stmt->newname;
    rekey(m.domains, old_key, new_key);
  } else {
    if (stmt->missing_ok) return;
    ctx.fail(0, "type " + quote_qualified(schema, name) + " does not exist");
  }
  rename_type_references(m, old_key, new_key);
}

void rename_schema(LoadContext& ctx, const PgQuery__RenameStmt* stmt) {
  const std::string from = stmt->subname;
  const std::string to = stmt->newname;
  Model& m = ctx.model;
  if (from != "public" && m.schemas.count(from) == 0)
    ctx.fail(0, "schema \"" + from + "\" does not exist");
  if (m.schemas.count(from) != 0) {
    m.schemas[from].name = to;
    rekey(m.schemas, from, to);
  }
  const std::string old_prefix = quote_ident(from) + ".";
  const std::string new_prefix = quote_ident(to) + ".";
  // Re-key every schema-qualified map and rewrite qualified references.
  auto move_all = [&](auto& map) {
    std::vector<std::string> keys;
    for (auto& [k, obj] : map)
      if (obj.schema == from) keys.push_back(k);
    for (const auto& k : keys) {
      map[k].schema = to;
      std::string new_key = k;
      replace_prefix(new_key, old_prefix, new_prefix);
      rekey(map, k, new_key);
    }
  };
  move_all(m.tables);
  move_all(m.views);
  move_all(m.sequences);
  move_all(m.enums);
  move_all(m.composite_types);
  move_all(m.domains);
  move_all(m.functions);
  move_all(m.aggregates);
  move_all(m.collations);
  for (auto& [k, t] : m.tables) {
    for (auto& c : t.columns) {
      replace_prefix(c.type, old_prefix, new_prefix);
      replace_prefix(c.collation, old_prefix, new_prefix);
    }
    for (auto& [n, i] : t.indexes)
      for (auto& key : i.keys) replace_prefix(key.collation, old_prefix, new_prefix);
    for (auto& [n, c] : t.constraints)
      if (c.foreign_key) replace_prefix(c.foreign_key->ref_table, old_prefix, new_prefix);
    replace_prefix(t.partition_of, old_prefix, new_prefix);
    for (auto& parent : t.inherits) replace_prefix(parent, old_prefix, new_prefix);
  }
  for (auto& [k, s] : m.sequences) replace_prefix(s.owned_by, old_prefix, new_prefix);
  for (auto& [k, c] : m.composite_types)
    for (auto& a : c.attributes) {
      replace_prefix(a.type, old_prefix, new_prefix);
      replace_prefix(a.collation, old_prefix, new_prefix);
    }
  for (auto& [k, d] : m.domains) {
    replace_prefix(d.base_type, old_prefix, new_prefix);
    replace_prefix(d.collation, old_prefix, new_prefix);
  }
  for (auto& [k, a] : m.aggregates) {
    for (auto& argument : a.arguments) replace_prefix(argument.type, old_prefix, new_prefix);
    for (std::string* name :
         {&a.state_function, &a.state_type, &a.final_function, &a.combine_function,
          &a.serial_function, &a.deserial_function, &a.moving_state_function,
          &a.moving_inverse_function, &a.moving_state_type, &a.moving_final_function})
      replace_prefix(*name, old_prefix, new_prefix);
  }
  std::map<std::string, Aggregate> aggregates;
  for (auto& [k, a] : m.aggregates) aggregates[aggregate_key(a)] = std::move(a);
  m.aggregates = std::move(aggregates);
  if (ctx.search_schema == from) ctx.search_schema = to;
}

void rename_function(LoadContext& ctx, const PgQuery__RenameStmt* stmt) {
  const PgQuery__ObjectWithArgs* func = stmt->object->object_with_args;
  const QualifiedName qualified = qualified_name(ctx, func->objname, func->n_objname);
  const std::string& schema = qualified.schema;
  const std::string& name = qualified.name;
  std::string args;
  for (size_t i = 0; i < func->n_objargs; ++i) {
    if (func->objargs[i]->node_case != PG_QUERY__NODE__NODE_TYPE_NAME) continue;
    if (!args.empty()) args += ", ";
    args += canonical_type(func->objargs[i]->type_name, ctx.search_schema);
  }
  std::vector<std::string> matches;
  for (const auto& [k, f] : ctx.model.functions)
    if (f.schema == schema && f.name == name &&
        (func->args_unspecified || f.identity_arguments() == args))
      matches.push_back(k);
  if (matches.empty()) {
    if (stmt->missing_ok) return;
    ctx.fail(0, "function " + quote_qualified(schema, name) + "(" + args + ") does not exist");
  }
  if (matches.size() > 1) ctx.fail(0, "function name \"" + name + "\" is not unique");
  auto node = ctx.model.functions.extract(matches[0]);
  node.mapped().name = stmt->newname;
  node.key() = function_key(node.mapped());
  ctx.model.functions.insert(std::move(node));
}

void rename_aggregate(LoadContext& ctx, const PgQuery__RenameStmt* stmt) {
  const PgQuery__ObjectWithArgs* func = stmt->object->object_with_args;
  const std::string key = find_aggregate(ctx, func, 0);
  if (key.empty()) {
    if (stmt->missing_ok) return;
    ctx.fail(0, "aggregate " + qualified_name(ctx, func->objname, func->n_objname).key() +
                    " does not exist");
  }
  auto node = ctx.model.aggregates.extract(key);
  node.mapped().name = stmt->newname;
  node.key() = aggregate_key(node.mapped());
  if (ctx.model.aggregates.count(node.key()))
    ctx.fail(0, "function " + node.key() + " already exists");
  ctx.model.aggregates.insert(std::move(node));
}

template <typename Map>
void rename_member(LoadContext& ctx, Map& map, const std::string& what,
                   const PgQuery__RenameStmt* stmt) {
  if (map.count(stmt->subname) == 0) {
    if (stmt->missing_ok) return;
    ctx.fail(0, what + " \"" + std::string(stmt->subname) + "\" does not exist");
  }
  if (map.count(stmt->newname) != 0)
    ctx.fail(0, what + " \"" + std::string(stmt->newname) + "\" already exists");
  map[stmt->subname].name = stmt->newname;
  rekey(map, stmt->subname, stmt->newname);
}

}  // namespace

void load_rename(LoadContext& ctx, const PgQuery__RenameStmt* stmt) {
  switch (stmt->rename_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
      return rename_relation(ctx, stmt);
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
      return rename_index(ctx, stmt);
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN: {
      const std::string key = ctx.key_of(stmt->relation);
      if (auto it = ctx.model.tables.find(key); it != ctx.model.tables.end())
        return rename_column(ctx, it->second, stmt->subname, stmt->newname);
      if (stmt->missing_ok) return;
      if (ctx.model.views.count(key) != 0) return ctx.unsupported(0, "renaming a view column");
      ctx.table(stmt->relation);  // fails with "table ... does not exist"
      return;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT: {
      if (stmt->missing_ok && ctx.model.tables.count(ctx.key_of(stmt->relation)) == 0) return;
      Table& table = ctx.table(stmt->relation);
      rename_member(ctx, table.constraints, "constraint", stmt);
      return rename_replica_identity_index(table, stmt->subname, stmt->newname);
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER: {
      const std::string key = ctx.key_of(stmt->relation);
      if (auto v = ctx.model.views.find(key); v != ctx.model.views.end())
        return rename_member(ctx, v->second.triggers, "trigger", stmt);
      return rename_member(ctx, ctx.table(stmt->relation).triggers, "trigger", stmt);
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
      return rename_member(ctx, ctx.table(stmt->relation).policies, "policy", stmt);
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
      return rename_type(ctx, stmt);
    case PG_QUERY__OBJECT_TYPE__OBJECT_ATTRIBUTE: {
      auto it = ctx.model.composite_types.find(ctx.key_of(stmt->relation));
      if (it == ctx.model.composite_types.end())
        ctx.fail(stmt->relation->location,
                 "type " + ctx.key_of(stmt->relation) + " does not exist");
      for (auto& a : it->second.attributes)
        if (a.name == stmt->subname) {
          a.name = stmt->newname;
          return;
        }
      ctx.fail(0, "attribute \"" + std::string(stmt->subname) + "\" does not exist");
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMCONSTRAINT: {
      auto [schema, name] = split_names(ctx, stmt->object);
      auto it = ctx.model.domains.find(qualified_key(schema, name));
      if (it == ctx.model.domains.end())
        ctx.fail(0, "type " + quote_qualified(schema, name) + " does not exist");
      return rename_member(ctx, it->second.checks, "constraint", stmt);
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
      return rename_schema(ctx, stmt);
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE:
      return rename_function(ctx, stmt);
    case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE:
      return rename_aggregate(ctx, stmt);
    default: {
      const ProtobufCEnumValue* value = protobuf_c_enum_descriptor_get_value(
          &pg_query__object_type__descriptor, stmt->rename_type);
      ctx.unsupported(0, std::string("RENAME of ") + (value != nullptr ? value->name : "object"));
    }
  }
}

}  // namespace pgdrift::schema::sql
