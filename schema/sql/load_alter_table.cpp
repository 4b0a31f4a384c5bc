// ALTER TABLE (and the ALTER INDEX / SEQUENCE / VIEW / TYPE forms that share its parse node).
#include <algorithm>
#include <map>

#include "schema/canonical.h"
#include "schema/sql/column_def.h"
#include "schema/sql/load_context.h"
#include "schema/sql/naming.h"
#include "schema/sql/partitions.h"
#include "schema/sql/sequence_options.h"
#include "schema/sql/table_parts.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

std::string subcommand_name(const PgQuery__AlterTableCmd* cmd) {
  const ProtobufCEnumValue* value =
      protobuf_c_enum_descriptor_get_value(&pg_query__alter_table_type__descriptor, cmd->subtype);
  std::string name = value != nullptr ? value->name : "unknown";
  if (name.rfind("AT_", 0) == 0) name = name.substr(3);
  return "ALTER TABLE subcommand " + name;
}

// Tables that receive ALTER TABLE changes recursively: partitions and inheritance children.
std::vector<Table*> children_of(Model& model, const Table& parent) {
  const std::string key = qualified_key(parent.schema, parent.name);
  std::vector<Table*> children;
  for (auto& [k, t] : model.tables)
    if (t.partition_of == key ||
        std::find(t.inherits.begin(), t.inherits.end(), key) != t.inherits.end())
      children.push_back(&t);
  return children;
}

// Plain inheritance children (INHERITS), which get CHECK constraints but no keys or indexes.
std::vector<Table*> inheritance_children_of(Model& model, const Table& parent) {
  const std::string key = qualified_key(parent.schema, parent.name);
  std::vector<Table*> children;
  for (auto& [k, t] : model.tables)
    if (std::find(t.inherits.begin(), t.inherits.end(), key) != t.inherits.end())
      children.push_back(&t);
  return children;
}

// Applies `change` to `table` and, unless ONLY was given, to all its descendants.
template <typename Change>
void recurse(LoadContext& ctx, Table& table, bool inh, const Change& change) {
  change(table);
  if (!inh) return;
  for (Table* child : children_of(ctx.model, table)) recurse(ctx, *child, inh, change);
}

Column& column_of(LoadContext& ctx, Table& table, const char* name) {
  Column* column = table.find_column(name != nullptr ? name : "");
  if (column == nullptr)
    ctx.fail(0, "column \"" + std::string(name != nullptr ? name : "") + "\" of relation \"" +
                    table.name + "\" does not exist");
  return *column;
}

bool uses(const std::vector<std::string>& names, const std::string& column) {
  return std::find(names.begin(), names.end(), column) != names.end();
}

bool constraint_uses(const Constraint& c, const std::string& column) {
  if (uses(c.columns, column) || uses(c.include, column)) return true;
  if (!c.check_expr.empty() && uses(expr_text_columns(c.check_expr), column)) return true;
  for (const auto& e : c.exclusion_elements)
    if (e.expr == column || uses(expr_text_columns(e.expr), column)) return true;
  return !c.where_expr.empty() && uses(expr_text_columns(c.where_expr), column);
}

bool index_uses(const Index& index, const std::string& column) {
  if (uses(index.include, column)) return true;
  for (const auto& k : index.keys)
    if (k.column == column || (!k.expr.empty() && uses(expr_text_columns(k.expr), column)))
      return true;
  return !index.where_expr.empty() && uses(expr_text_columns(index.where_expr), column);
}

// DROP COLUMN: PostgreSQL drops the indexes and constraints that use the column, and the
// sequence the column owns; foreign keys of other tables pointing at it need CASCADE.
void drop_column(LoadContext& ctx, Table& table, const PgQuery__AlterTableCmd* cmd) {
  const std::string name = cmd->name;
  const std::string key = qualified_key(table.schema, table.name);
  for (auto& [k, other] : ctx.model.tables) {
    for (auto it = other.constraints.begin(); it != other.constraints.end();) {
      const auto& fk = it->second.foreign_key;
      if (&other != &table && fk && fk->ref_table == key && uses(fk->ref_columns, name)) {
        if (cmd->behavior != PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
          ctx.fail(0, "cannot drop column " + name + " of table " + table.name +
                          " because constraint " + it->first + " on table " + other.name +
                          " depends on it");
        it = other.constraints.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::erase_if(table.constraints, [&](const auto& c) { return constraint_uses(c.second, name); });
  std::erase_if(table.indexes, [&](const auto& i) { return index_uses(i.second, name); });
  settle_replica_identity(table);
  const std::string owner = key + "." + quote_ident(name);
  std::erase_if(ctx.model.sequences, [&](const auto& s) { return s.second.owned_by == owner; });
  std::erase_if(table.columns, [&](const Column& c) { return c.name == name; });
}

// ADD CONSTRAINT ... USING INDEX: the unique index becomes the constraint (and is renamed to
// the constraint's name).
void add_constraint_using_index(LoadContext& ctx, Table& table, const PgQuery__Constraint* c) {
  auto it = table.indexes.find(c->indexname);
  if (it == table.indexes.end())
    ctx.fail(c->location, "index \"" + std::string(c->indexname) + "\" does not exist");
  const Index index = it->second;
  if (!index.unique) ctx.fail(c->location, "\"" + index.name + "\" is not a unique index");
  Constraint con;
  con.name = c->conname != nullptr && c->conname[0] != '\0' ? c->conname : index.name;
  con.kind = c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ? ConstraintKind::PrimaryKey
                                                                 : ConstraintKind::Unique;
  for (const auto& k : index.keys) {
    if (k.column.empty())
      ctx.fail(c->location, "index \"" + index.name + "\" contains expressions");
    con.columns.push_back(k.column);
  }
  con.include = index.include;
  con.nulls_not_distinct = index.nulls_not_distinct;
  con.deferrable = c->deferrable || c->initdeferred;
  con.initially_deferred = c->initdeferred;
  con.comment = index.comment;
  con.location = ctx.location_at(c->location);
  table.indexes.erase(it);
  if (con.kind == ConstraintKind::PrimaryKey)
    for (const auto& col : con.columns)
      if (Column* column = table.find_column(col)) column->not_null = true;
  table.constraints[con.name] = con;
}

void set_identity(LoadContext& ctx, Column& column, const PgQuery__AlterTableCmd* cmd) {
  if (column.identity == IdentityKind::None)
    ctx.fail(0, "column \"" + column.name + "\" is not an identity column");
  if (cmd->def == nullptr || cmd->def->node_case != PG_QUERY__NODE__NODE_LIST) return;
  const PgQuery__List* list = cmd->def->list;
  std::vector<PgQuery__Node*> sequence_options;
  for (size_t i = 0; i < list->n_items; ++i) {
    const PgQuery__Node* item = list->items[i];
    if (item->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
        std::string(item->def_elem->defname) == "generated") {
      int64_t kind = def_int(ctx, item->def_elem);
      column.identity = kind == 'a' ? IdentityKind::Always : IdentityKind::ByDefault;
    } else {
      sequence_options.push_back(list->items[i]);
    }
  }
  apply_sequence_options(ctx, *column.identity_options, sequence_options.data(),
                         sequence_options.size(), false);
}

void alter_column_type(LoadContext& ctx, Table& table, const PgQuery__AlterTableCmd* cmd) {
  Column& column = column_of(ctx, table, cmd->name);
  const PgQuery__ColumnDef* def = cmd->def->column_def;
  std::string type;
  try {
    type = canonical_type(def->type_name, ctx.search_schema);
  } catch (const CanonicalError& e) {
    ctx.fail(def->type_name->location, e.what());
  }
  // Without COLLATE the column takes the new type's default collation.
  std::string collation =
      def->coll_clause != nullptr
          ? collation_name(ctx, def->coll_clause->collname, def->coll_clause->n_collname)
          : "";
  auto change = [&](Table& t) {
    Column* c = t.find_column(column.name);
    if (c == nullptr) return;
    c->type = type;
    c->collation = collation;
    if (c->identity_options) {
      std::string seq_type = sequence_type_of(type);
      if (seq_type.empty())
        ctx.fail(0, "identity column type must be smallint, integer, or bigint");
      SequenceOptions& o = *c->identity_options;
      SequenceOptions old_defaults = default_sequence_options(o.data_type, o.increment);
      SequenceOptions new_defaults = default_sequence_options(seq_type, o.increment);
      if (o.max_value == old_defaults.max_value) o.max_value = new_defaults.max_value;
      if (o.min_value == old_defaults.min_value) o.min_value = new_defaults.min_value;
      o.data_type = seq_type;
    }
  };
  change(table);
  for (Table* child : children_of(ctx.model, table)) change(*child);
}

void apply_to_composite(LoadContext& ctx, const PgQuery__AlterTableStmt* stmt) {
  const std::string key = ctx.key_of(stmt->relation);
  auto it = ctx.model.composite_types.find(key);
  if (it == ctx.model.composite_types.end())
    ctx.fail(stmt->relation->location, "type " + key + " does not exist");
  CompositeType& type = it->second;
  for (size_t i = 0; i < stmt->n_cmds; ++i) {
    const PgQuery__AlterTableCmd* cmd = stmt->cmds[i]->alter_table_cmd;
    auto find = [&](const std::string& name) {
      return std::find_if(type.attributes.begin(), type.attributes.end(),
                          [&](const CompositeAttribute& a) { return a.name == name; });
    };
    switch (cmd->subtype) {
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn: {
        const PgQuery__ColumnDef* def = cmd->def->column_def;
        CompositeAttribute attr;
        attr.name = def->colname;
        attr.type = canonical_type(def->type_name, ctx.search_schema);
        if (def->coll_clause != nullptr)
          attr.collation =
              collation_name(ctx, def->coll_clause->collname, def->coll_clause->n_collname);
        type.attributes.push_back(attr);
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn: {
        auto attr = find(cmd->name);
        if (attr != type.attributes.end())
          type.attributes.erase(attr);
        else if (!cmd->missing_ok)
          ctx.fail(0, "attribute \"" + std::string(cmd->name) + "\" does not exist");
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType: {
        auto attr = find(cmd->name);
        if (attr == type.attributes.end())
          ctx.fail(0, "attribute \"" + std::string(cmd->name) + "\" does not exist");
        const PgQuery__ColumnDef* def = cmd->def->column_def;
        attr->type = canonical_type(def->type_name, ctx.search_schema);
        attr->collation =
            def->coll_clause != nullptr
                ? collation_name(ctx, def->coll_clause->collname, def->coll_clause->n_collname)
                : "";
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
        type.owner = owner_role(ctx, cmd->newowner);
        break;
      default:
        ctx.unsupported(0, "ALTER TYPE " + subcommand_name(cmd));
    }
  }
}

// The table holding index (or PK / UNIQUE / EXCLUDE constraint) `rv`, and the index's name.
std::pair<Table*, std::string> index_owner(LoadContext& ctx, const PgQuery__RangeVar* rv) {
  const std::string schema = ctx.schema_or_default(rv->schemaname);
  for (auto& [key, t] : ctx.model.tables) {
    if (t.schema != schema) continue;
    if (t.indexes.count(rv->relname) != 0 || t.constraints.count(rv->relname) != 0)
      return {&t, rv->relname};
  }
  ctx.fail(rv->location, "index " + quote_qualified(schema, rv->relname) + " does not exist");
}

// ALTER INDEX parent ATTACH PARTITION child: the partition's index (or the constraint it backs)
// becomes the partition's share of the parent's.
void attach_index(LoadContext& ctx, const PgQuery__RangeVar* parent_rv,
                  const PgQuery__RangeVar* child_rv) {
  auto [parent, parent_name] = index_owner(ctx, parent_rv);
  auto [child, child_name] = index_owner(ctx, child_rv);
  if (child->partition_of != qualified_key(parent->schema, parent->name))
    ctx.fail(child_rv->location,
             "\"" + child_name + "\" is not an index of a partition of \"" + parent->name + "\"");
  if (auto index = child->indexes.find(child_name); index != child->indexes.end()) {
    index->second.parent_index = parent_name;
    return;
  }
  child->constraints.at(child_name).parent_constraint = parent_name;
}

// ALTER INDEX / SEQUENCE / VIEW / MATERIALIZED VIEW: only ownership, tablespace (which the
// model does not hold), index partition attachment and view options are understood.
void apply_to_other_relation(LoadContext& ctx, const PgQuery__AlterTableStmt* stmt,
                             const std::string& kind) {
  for (size_t i = 0; i < stmt->n_cmds; ++i) {
    const PgQuery__AlterTableCmd* cmd = stmt->cmds[i]->alter_table_cmd;
    switch (cmd->subtype) {
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
        set_relation_owner(ctx, ctx.key_of(stmt->relation), cmd->newowner);
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
        if (auto view = ctx.model.views.find(ctx.key_of(stmt->relation));
            view != ctx.model.views.end() && kind.find("VIEW") != std::string::npos) {
          load_alter_view_options(ctx, view->second, cmd);
          break;
        }
        ctx.unsupported(0, "ALTER " + kind + " " + subcommand_name(cmd).substr(12));
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
        if (kind == "INDEX") {
          attach_index(ctx, stmt->relation, cmd->def->partition_cmd->name);
          break;
        }
        [[fallthrough]];
      default:
        ctx.unsupported(0, "ALTER " + kind + " " + subcommand_name(cmd).substr(12));
    }
  }
}

}  // namespace

void load_alter_table(LoadContext& ctx, const PgQuery__AlterTableStmt* stmt) {
  switch (stmt->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
      return apply_to_composite(ctx, stmt);
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
      return apply_to_other_relation(ctx, stmt, "INDEX");
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
      return apply_to_other_relation(ctx, stmt, "SEQUENCE");
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
      return apply_to_other_relation(ctx, stmt, "VIEW");
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
      return apply_to_other_relation(ctx, stmt, "MATERIALIZED VIEW");
    default:
      return ctx.unsupported(0, "ALTER FOREIGN TABLE");
  }
  const PgQuery__RangeVar* rv = stmt->relation;
  const std::string key = ctx.key_of(rv);
  if (ctx.model.tables.count(key) == 0) {
    // PostgreSQL accepts ALTER TABLE on views and sequences for the forms they share.
    if (auto view = ctx.model.views.find(key); view != ctx.model.views.end())
      return apply_to_other_relation(ctx, stmt,
                                     view->second.materialized ? "MATERIALIZED VIEW" : "VIEW");
    if (ctx.model.sequences.count(key) != 0) return apply_to_other_relation(ctx, stmt, "SEQUENCE");
    if (stmt->missing_ok) return;  // ALTER TABLE IF EXISTS
  }
  Table& table = ctx.table(rv);
  const bool inh = rv->inh;  // false for ALTER TABLE ONLY

  for (size_t i = 0; i < stmt->n_cmds; ++i) {
    if (stmt->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD) continue;
    const PgQuery__AlterTableCmd* cmd = stmt->cmds[i]->alter_table_cmd;
    switch (cmd->subtype) {
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn: {
        const PgQuery__ColumnDef* def = cmd->def->column_def;
        if (table.find_column(def->colname) != nullptr) {
          if (cmd->missing_ok) break;  // ADD COLUMN IF NOT EXISTS
          ctx.fail(def->location, "column \"" + std::string(def->colname) + "\" of relation \"" +
                                      table.name + "\" already exists");
        }
        std::vector<PendingConstraint> pending;
        Column column = column_from_def(ctx, table, def, pending);
        table.columns.push_back(column);
        if (inh) {
          Column inherited = column;
          inherited.identity = IdentityKind::None;
          inherited.identity_options.reset();
          for (Table* child : children_of(ctx.model, table))
            recurse(ctx, *child, true, [&](Table& t) {
              if (t.find_column(column.name) == nullptr) t.columns.push_back(inherited);
            });
        }
        const std::map<std::string, Constraint> before = table.constraints;
        add_constraints(ctx, table, pending, true);
        if (table.kind == TableKind::Partitioned)
          for (const auto& [name, con] : table.constraints)
            if (before.count(name) == 0) give_constraint_to_partitions(ctx, table, con);
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
        if (table.find_column(cmd->name) == nullptr) {
          if (cmd->missing_ok) break;
          column_of(ctx, table, cmd->name);
        }
        recurse(ctx, table, inh, [&](Table& t) {
          if (t.find_column(cmd->name) != nullptr) drop_column(ctx, t, cmd);
        });
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
        alter_column_type(ctx, table, cmd);
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault: {
        const std::string type = column_of(ctx, table, cmd->name).type;
        std::optional<std::string> value;
        if (cmd->def != nullptr) value = canonical_column_default(ctx, cmd->def, type);
        recurse(ctx, table, inh, [&](Table& t) {
          if (Column* c = t.find_column(cmd->name)) c->default_expr = value;
        });
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull: {
        column_of(ctx, table, cmd->name);
        bool value = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull;
        recurse(ctx, table, inh, [&](Table& t) {
          if (Column* c = t.find_column(cmd->name)) c->not_null = value;
        });
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity: {
        Column& column = column_of(ctx, table, cmd->name);
        if (column.identity != IdentityKind::None)
          ctx.fail(0, "column \"" + column.name + "\" is already an identity column");
        const PgQuery__Constraint* c = cmd->def->constraint;
        std::string seq_type = sequence_type_of(column.type);
        if (seq_type.empty())
          ctx.fail(0, "identity column type must be smallint, integer, or bigint");
        SequenceOptions options = default_sequence_options(seq_type);
        apply_sequence_options(ctx, options, c->options, c->n_options, true);
        options.data_type = seq_type;
        column.identity =
            std::string(c->generated_when) == "a" ? IdentityKind::Always : IdentityKind::ByDefault;
        column.identity_options = options;
        column.not_null = true;
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetIdentity:
        set_identity(ctx, column_of(ctx, table, cmd->name), cmd);
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity: {
        Column& column = column_of(ctx, table, cmd->name);
        if (column.identity == IdentityKind::None) {
          if (cmd->missing_ok) break;
          ctx.fail(0, "column \"" + column.name + "\" is not an identity column");
        }
        column.identity = IdentityKind::None;
        column.identity_options.reset();
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression: {
        column_of(ctx, table, cmd->name);
        recurse(ctx, table, inh, [&](Table& t) {
          if (Column* c = t.find_column(cmd->name)) c->generated_expr.reset();
        });
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint: {
        const PgQuery__Constraint* c = cmd->def->constraint;
        if (c->indexname != nullptr && c->indexname[0] != '\0') {
          add_constraint_using_index(ctx, table, c);
          break;
        }
        std::map<std::string, Constraint> before = table.constraints;
        add_constraints(ctx, table, {{c, "", std::nullopt, std::nullopt}}, false);
        // Without ONLY the partitions get the constraint too (attached to it), and inheritance
        // children get a CHECK (same name). With ONLY, a partition's is attached later with
        // ALTER INDEX ... ATTACH PARTITION.
        // Named, not a structured binding: the lambda below captures them (clang 14 cannot
        // capture structured bindings).
        for (const auto& entry : table.constraints) {
          const std::string& name = entry.first;
          const Constraint& con = entry.second;
          if (before.count(name) != 0 || !inh) continue;
          if (table.kind == TableKind::Partitioned) give_constraint_to_partitions(ctx, table, con);
          if (con.kind != ConstraintKind::Check || con.no_inherit) continue;
          for (Table* child : inheritance_children_of(ctx.model, table))
            recurse(ctx, *child, true, [&](Table& t) {
              Constraint& inherited = t.constraints.emplace(name, con).first->second;
              inherited.parent_constraint = name;
            });
        }
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint: {
        if (table.constraints.count(cmd->name) == 0) {
          if (cmd->missing_ok) break;
          ctx.fail(0, "constraint \"" + std::string(cmd->name) + "\" of relation \"" + table.name +
                          "\" does not exist");
        }
        table.constraints.erase(cmd->name);
        settle_replica_identity(table);
        drop_constraint_from_partitions(ctx.model, table, cmd->name);
        if (inh)
          for (Table* child : inheritance_children_of(ctx.model, table))
            recurse(ctx, *child, true, [&](Table& t) { t.constraints.erase(cmd->name); });
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint: {
        auto it = table.constraints.find(cmd->name);
        if (it == table.constraints.end())
          ctx.fail(0, "constraint \"" + std::string(cmd->name) + "\" of relation \"" + table.name +
                          "\" does not exist");
        it->second.validated = true;
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint: {
        const PgQuery__Constraint* c = cmd->def->constraint;
        auto it = table.constraints.find(c->conname);
        if (it == table.constraints.end())
          ctx.fail(0, "constraint \"" + std::string(c->conname) + "\" of relation \"" + table.name +
                          "\" does not exist");
        it->second.deferrable = c->deferrable || c->initdeferred;
        it->second.initially_deferred = c->initdeferred;
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ReplicaIdentity: {
        const PgQuery__ReplicaIdentityStmt* identity = cmd->def->replica_identity_stmt;
        const char type = identity->identity_type[0];
        if (type == 'i') {
          // PostgreSQL takes a unique index of the table: a standalone one or the index of a
          // PRIMARY KEY / UNIQUE constraint (named like the constraint).
          const std::string index = identity->name;
          auto standalone = table.indexes.find(index);
          auto constraint = table.constraints.find(index);
          const bool unique = standalone != table.indexes.end()
                                  ? standalone->second.unique
                                  : constraint != table.constraints.end() &&
                                        (constraint->second.kind == ConstraintKind::PrimaryKey ||
                                         constraint->second.kind == ConstraintKind::Unique);
          if (standalone == table.indexes.end() && constraint == table.constraints.end())
            ctx.fail(0, "index \"" + index + "\" for table \"" + table.name + "\" does not exist");
          if (!unique)
            ctx.fail(0, "cannot use non-unique index \"" + index + "\" as replica identity");
          table.replica_identity_index = index;
        } else {
          table.replica_identity_index.clear();
        }
        table.replica_identity = type;
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser: {
        const bool user = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser ||
                          cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser;
        const char state = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig    ? 'A'
                           : cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig ? 'R'
                           : cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig ||
                                   cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser
                               ? 'D'
                               : 'O';
        if (user) {  // TRIGGER USER: every trigger but the internal (FK) ones, none modelled
          for (auto& [name, trigger] : table.triggers) trigger.enabled = state;
          break;
        }
        auto it = table.triggers.find(cmd->name);
        if (it == table.triggers.end())
          ctx.fail(0, "trigger \"" + std::string(cmd->name) + "\" for table \"" + table.name +
                          "\" does not exist");
        it->second.enabled = state;
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity:
        table.rls_enabled = true;
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity:
        table.rls_enabled = false;
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ForceRowSecurity:
        table.rls_forced = true;
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity:
        table.rls_forced = false;
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition: {
        const PgQuery__PartitionCmd* part = cmd->def->partition_cmd;
        if (table.kind != TableKind::Partitioned)
          ctx.fail(0, "table \"" + table.name + "\" is not partitioned");
        Table& child = ctx.table(part->name);
        if (!child.partition_of.empty())
          ctx.fail(part->name->location, "\"" + child.name + "\" is already a partition");
        child.partition_of = qualified_key(table.schema, table.name);
        child.partition_bound = partition_bound_text(ctx, table, part->bound);
        give_parent_objects(ctx, child, table, true);
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition: {
        const PgQuery__PartitionCmd* part = cmd->def->partition_cmd;
        Table& child = ctx.table(part->name);
        if (child.partition_of != qualified_key(table.schema, table.name))
          ctx.fail(part->name->location, "relation \"" + child.name +
                                             "\" is not a partition of relation \"" + table.name +
                                             "\"");
        detach_partition(child);
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions: {
        const PgQuery__List* list = cmd->def->list;
        for (auto& [k, v] : relation_options(ctx, list->items, list->n_items)) table.options[k] = v;
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions: {
        const PgQuery__List* list = cmd->def->list;
        for (auto& [k, v] : relation_options(ctx, list->items, list->n_items))
          table.options.erase(k);
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
        table.unlogged = false;
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
        table.unlogged = true;
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddInherit:
        table.inherits.push_back(ctx.key_of(cmd->def->range_var));
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropInherit:
        std::erase(table.inherits, ctx.key_of(cmd->def->range_var));
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
        set_relation_owner(ctx, ctx.key_of(rv), cmd->newowner);
        break;
      // No meaning in the schema model: physical storage, statistics targets, clustering.
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStorage:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetCompression:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize:
        break;
      default:
        ctx.unsupported(0, subcommand_name(cmd));
    }
  }
}

}  // namespace pgdrift::schema::sql
