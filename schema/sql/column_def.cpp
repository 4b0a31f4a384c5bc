#include "schema/sql/column_def.h"

#include <algorithm>

#include "schema/canonical.h"
#include "schema/pg_builtins.h"
#include "schema/sql/naming.h"
#include "schema/sql/sequence_options.h"
#include "schema/sql/table_parts.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

// The type applies its typmod with a length-coercion call (varchar(16), numeric(10,2),
// timestamp(3), bit(8), arrays of them); interval's input function applies it itself.
bool has_length_coercion(const std::string& type) {
  return type.find('(') != std::string::npos && type.find('"') == std::string::npos &&
         type.rfind("interval", 0) != 0;
}

bool is_null_constant(const PgQuery__Node* node) {
  return node != nullptr && node->node_case == PG_QUERY__NODE__NODE_A_CONST &&
         node->a_const->isnull;
}

// PostgreSQL stores no default when the cooked default is a bare NULL constant. A bare `NULL`
// stays a constant unless the column type needs a length coercion; `NULL::T` stays one only
// when T is exactly the column type and needs no length coercion itself. Anything else
// (`NULL::varchar` on varchar(16), `NULL::integer` on numeric, ...) is stored.
bool null_default_is_stored(LoadContext& ctx, const PgQuery__Node* expr,
                            const std::string& column_type) {
  if (is_null_constant(expr)) return has_length_coercion(column_type);
  if (expr == nullptr || expr->node_case != PG_QUERY__NODE__NODE_TYPE_CAST ||
      !is_null_constant(expr->type_cast->arg)) {
    return true;
  }
  std::string cast_type;
  try {
    cast_type = canonical_type(expr->type_cast->type_name, ctx.search_schema);
  } catch (const CanonicalError&) {
    return true;
  }
  return cast_type != column_type || has_length_coercion(cast_type);
}

}  // namespace

std::optional<std::string> canonical_column_default(LoadContext& ctx, const PgQuery__Node* expr,
                                                    const std::string& column_type) {
  std::string type = column_type;
  const bool domain_typed = ctx.model.domains.count(column_type) > 0;
  for (int depth = 0; depth < 16; ++depth) {  // a domain over a domain casts to the last base
    auto domain = ctx.model.domains.find(type);
    if (domain == ctx.model.domains.end()) break;
    type = domain->second.base_type;
  }
  try {
    std::string value = canonical_default_expr(expr, type);
    if (!domain_typed && !null_default_is_stored(ctx, expr, column_type)) return std::nullopt;
    return value;
  } catch (const CanonicalError& e) {
    ctx.fail(0, e.what());
  }
}

namespace {

// "integer" etc. for the serial pseudo-types, "" otherwise.
std::string serial_base_type(const PgQuery__TypeName* type) {
  if (type == nullptr || type->n_names != 1 || type->pct_type || type->n_array_bounds != 0)
    return "";
  std::string name = string_value(type->names[0]);
  if (name == "serial" || name == "serial4") return "integer";
  if (name == "bigserial" || name == "serial8") return "bigint";
  if (name == "smallserial" || name == "serial2") return "smallint";
  return "";
}

}  // namespace

// ---- columns -------------------------------------------------------------------------------

ColumnTypes column_types_of(const Model& model, const Table& table,
                            std::map<std::string, std::string> more) {
  return [&model, &table, more = std::move(more)](const std::string& name) -> std::string {
    if (const Column* column = table.find_column(name)) return expression_type(model, column->type);
    auto it = more.find(name);
    return it == more.end() ? "" : expression_type(model, it->second);
  };
}

std::map<std::string, std::string> declared_column_types(LoadContext& ctx,
                                                         PgQuery__Node* const* elts, size_t count) {
  std::map<std::string, std::string> types;
  for (size_t i = 0; i < count; ++i) {
    if (elts[i]->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) continue;
    const PgQuery__ColumnDef* def = elts[i]->column_def;
    if (def->colname == nullptr || def->type_name == nullptr) continue;
    std::string type = serial_base_type(def->type_name);
    if (type.empty()) {
      try {
        type = canonical_type(def->type_name, ctx.search_schema);
      } catch (const CanonicalError&) {
        continue;  // column_from_def reports it
      }
    }
    types.emplace(def->colname, type);
  }
  return types;
}

Column column_from_def(LoadContext& ctx, const Table& table, const PgQuery__ColumnDef* def,
                       std::vector<PendingConstraint>& pending) {
  return column_from_def(ctx, table, def, pending, column_types_of(ctx.model, table));
}

Column column_from_def(LoadContext& ctx, const Table& table, const PgQuery__ColumnDef* def,
                       std::vector<PendingConstraint>& pending, const ColumnTypes& column_types) {
  Column column;
  column.name = def->colname != nullptr ? def->colname : "";
  column.location = ctx.location_at(def->location);
  column.renamed_from.name =
      ctx.renamed_from_at(def->location, "column " + qualified_key(table.schema, table.name) + "." +
                                             quote_ident(column.name));
  const std::string serial_type = serial_base_type(def->type_name);
  if (def->type_name == nullptr) {
    // `col WITH OPTIONS ...` in CREATE TABLE ... PARTITION OF / OF type: options of a column
    // the table already has from its parent.
    const Column* inherited = table.find_column(column.name);
    if (inherited == nullptr)
      ctx.fail(def->location, "column \"" + column.name + "\" does not exist");
    column.type = inherited->type;
  } else {
    column.type = serial_type.empty() ? located_canonical_type(ctx, def->type_name) : serial_type;
  }
  if (def->coll_clause != nullptr)
    column.collation =
        collation_name(ctx, def->coll_clause->collname, def->coll_clause->n_collname);
  if (def->is_not_null) column.not_null = true;
  if (def->raw_default != nullptr)
    column.default_expr = canonical_column_default(ctx, def->raw_default, column.type);

  for (size_t i = 0; i < def->n_constraints; ++i) {
    if (def->constraints[i]->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) continue;
    const PgQuery__Constraint* c = def->constraints[i]->constraint;
    switch (c->contype) {
      case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
        column.not_null = false;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
        column.not_null = true;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
        column.default_expr = canonical_column_default(ctx, c->raw_expr, column.type);
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY: {
        column.identity =
            std::string(c->generated_when) == "a" ? IdentityKind::Always : IdentityKind::ByDefault;
        std::string seq_type = sequence_type_of(column.type);
        if (seq_type.empty())
          ctx.fail(c->location, "identity column type must be smallint, integer, or bigint");
        SequenceOptions options = default_sequence_options(seq_type);
        apply_sequence_options(ctx, options, c->options, c->n_options, true);
        options.data_type = seq_type;
        column.identity_options = options;
        column.not_null = true;  // PostgreSQL sets attnotnull for identity columns
        break;
      }
      case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
        column.generated_expr = located_canonical_expr(ctx, c->raw_expr, column_types);
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
      case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
      case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
      case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
        pending.push_back({c, column.name, std::nullopt, std::nullopt});
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE: {
        // Constraint attributes modify the constraint written just before them.
        if (pending.empty() || pending.back().column != column.name)
          ctx.fail(c->location, "misplaced constraint attribute");
        auto& target = pending.back();
        if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE) target.deferrable = true;
        if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE)
          target.deferrable = false;
        if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED) {
          target.initially_deferred = true;
          target.deferrable = true;
        }
        if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE)
          target.initially_deferred = false;
        break;
      }
      default:
        ctx.unsupported(c->location, "column constraint");
    }
  }

  if (!serial_type.empty()) {
    if (column.default_expr)
      ctx.fail(def->location, "multiple default values specified for column \"" + column.name +
                                  "\" of table \"" + table.name + "\"");
    // generateSerialExtraStmts: an owned sequence named <table>_<column>_seq, AS the type.
    Sequence seq;
    seq.schema = table.schema;
    seq.name = choose_relation_name(ctx, table.schema, table.name, column.name, "seq", false);
    seq.options = default_sequence_options(serial_type);
    seq.owned_by = qualified_key(table.schema, table.name) + "." + quote_ident(column.name);
    seq.location = column.location;
    // regclass prints the name unqualified when it is visible through search_path = public.
    std::string printed =
        seq.schema == "public" ? quote_ident(seq.name) : quote_qualified(seq.schema, seq.name);
    try {
      column.default_expr =
          canonical_expr_text("nextval(" + quote_literal(printed) + "::regclass)");
    } catch (const CanonicalError& e) {
      ctx.fail(def->location, e.what());
    }
    column.not_null = true;
    ctx.created(seq, "SEQUENCES", seq.schema);
    ctx.model.sequences[qualified_key(seq.schema, seq.name)] = seq;
  }
  return column;
}

// ---- constraints ---------------------------------------------------------------------------

namespace {

enum class Phase { Check, Index, ForeignKey };

Phase phase_of(const PgQuery__Constraint* c) {
  switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
      return Phase::Check;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
      return Phase::ForeignKey;
    default:
      return Phase::Index;
  }
}

std::vector<std::string> key_columns(const PendingConstraint& p) {
  std::vector<std::string> columns = string_list(p.node->keys, p.node->n_keys);
  if (columns.empty() && !p.column.empty()) columns.push_back(p.column);
  return columns;
}

std::vector<std::string> fk_columns(const PendingConstraint& p) {
  std::vector<std::string> columns = string_list(p.node->fk_attrs, p.node->n_fk_attrs);
  if (columns.empty() && !p.column.empty()) columns.push_back(p.column);
  return columns;
}

// Index column names of an EXCLUDE constraint's elements.
std::vector<std::string> exclusion_column_names(const PgQuery__Constraint* c) {
  std::vector<std::string> names;
  for (size_t i = 0; i < c->n_exclusions; ++i) {
    const PgQuery__Node* pair = c->exclusions[i];
    if (pair->node_case != PG_QUERY__NODE__NODE_LIST || pair->list->n_items < 1) continue;
    const PgQuery__Node* elem = pair->list->items[0];
    if (elem->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM)
      names.push_back(index_column_name(elem->index_elem));
  }
  return names;
}

std::string generated_name(LoadContext& ctx, const Table& table, const PendingConstraint& p,
                           const std::vector<std::string>& others) {
  const PgQuery__Constraint* c = p.node;
  switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: {
      // AddRelationNewConstraints: "<table>_<col>_check" when the expression uses exactly one
      // column of the table, else "<table>_check".
      std::vector<std::string> used;
      for (const auto& name : referenced_columns(c->raw_expr))
        if (table.find_column(name) != nullptr) used.push_back(name);
      return choose_constraint_name(ctx, table.schema, table.name, used.size() == 1 ? used[0] : "",
                                    "check", others);
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
      return choose_constraint_name(ctx, table.schema, table.name,
                                    join_name_addition(fk_columns(p)), "fkey", others);
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
      return choose_relation_name(ctx, table.schema, table.name, "", "pkey", true);
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE: {
      std::vector<std::string> names = key_columns(p);
      for (const auto& inc : string_list(c->including, c->n_including)) names.push_back(inc);
      return choose_relation_name(ctx, table.schema, table.name,
                                  join_name_addition(unique_index_column_names(names)), "key",
                                  true);
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: {
      std::vector<std::string> names = exclusion_column_names(c);
      for (const auto& inc : string_list(c->including, c->n_including)) names.push_back(inc);
      return choose_relation_name(ctx, table.schema, table.name,
                                  join_name_addition(unique_index_column_names(names)), "excl",
                                  true);
    }
    default:
      ctx.fail(c->location, "unexpected constraint kind");
  }
}

}  // namespace

Constraint constraint_from_node(LoadContext& ctx, const Table& table,
                                const PendingConstraint& pending, const std::string& name,
                                bool creating) {
  const PgQuery__Constraint* c = pending.node;
  const ColumnTypes column_types = column_types_of(ctx.model, table);
  Constraint con;
  con.name = name;
  con.location = ctx.location_at(c->location);
  // A column constraint shares its column's line: only a table constraint can be annotated.
  if (pending.column.empty())
    con.renamed_from.name =
        ctx.renamed_from_at(c->location, "constraint " + quote_ident(name) + " of " +
                                             qualified_key(table.schema, table.name));
  con.deferrable = pending.deferrable.value_or(c->deferrable);
  con.initially_deferred = pending.initially_deferred.value_or(c->initdeferred);
  if (con.initially_deferred) con.deferrable = true;
  switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
      con.kind = c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ? ConstraintKind::PrimaryKey
                                                                     : ConstraintKind::Unique;
      con.columns = key_columns(pending);
      con.include = string_list(c->including, c->n_including);
      con.nulls_not_distinct = c->nulls_not_distinct;
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
      con.kind = ConstraintKind::Check;
      con.check_expr = located_canonical_expr(ctx, c->raw_expr, column_types);
      con.no_inherit = c->is_no_inherit;
      con.validated = creating || !c->skip_validation;
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: {
      con.kind = ConstraintKind::ForeignKey;
      con.columns = fk_columns(pending);
      ForeignKey fk;
      const std::string ref_schema = ctx.schema_or_default(c->pktable->schemaname);
      fk.ref_table = qualified_key(ref_schema, c->pktable->relname);
      fk.ref_columns = string_list(c->pk_attrs, c->n_pk_attrs);
      if (fk.ref_columns.empty()) {
        // REFERENCES t without columns means t's primary key.
        const Table* ref =
            fk.ref_table == qualified_key(table.schema, table.name) ? &table : nullptr;
        if (ref == nullptr) {
          auto it = ctx.model.tables.find(fk.ref_table);
          if (it == ctx.model.tables.end())
            ctx.fail(
                c->pktable->location,
                "relation " + quote_qualified(ref_schema, c->pktable->relname) + " does not exist");
          ref = &it->second;
        }
        for (const auto& [cname, other] : ref->constraints)
          if (other.kind == ConstraintKind::PrimaryKey) fk.ref_columns = other.columns;
        if (fk.ref_columns.empty())
          ctx.fail(c->pktable->location, "there is no primary key for referenced table \"" +
                                             std::string(c->pktable->relname) + "\"");
      }
      auto code = [](const char* s, char fallback) {
        return s != nullptr && s[0] != '\0' ? s[0] : fallback;
      };
      fk.on_delete = code(c->fk_del_action, 'a');
      fk.on_update = code(c->fk_upd_action, 'a');
      fk.match = code(c->fk_matchtype, 's');
      fk.on_delete_set_columns = string_list(c->fk_del_set_cols, c->n_fk_del_set_cols);
      con.foreign_key = fk;
      con.validated = creating || !c->skip_validation;
      break;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: {
      con.kind = ConstraintKind::Exclusion;
      con.exclusion_method =
          c->access_method != nullptr && c->access_method[0] != '\0' ? c->access_method : "btree";
      for (size_t i = 0; i < c->n_exclusions; ++i) {
        const PgQuery__Node* pair = c->exclusions[i];
        if (pair->node_case != PG_QUERY__NODE__NODE_LIST || pair->list->n_items != 2 ||
            pair->list->items[0]->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM ||
            pair->list->items[1]->node_case != PG_QUERY__NODE__NODE_LIST)
          ctx.fail(c->location, "malformed EXCLUDE element");
        IndexKey key = index_key_from_elem(ctx, pair->list->items[0]->index_elem, column_types);
        ExclusionElement element;
        element.expr = key.column.empty() ? key.expr : key.column;
        // The catalog side leaves a default operator class out (as for CREATE INDEX).
        if (!is_default_opclass(con.exclusion_method, key.opclass)) element.opclass = key.opclass;
        element.descending = key.descending;
        element.nulls_first = key.nulls_first;
        const PgQuery__List* op = pair->list->items[1]->list;
        element.op = last_name(op->items, op->n_items);
        con.exclusion_elements.push_back(element);
      }
      con.include = string_list(c->including, c->n_including);
      if (c->where_clause != nullptr)
        con.where_expr = located_canonical_expr(ctx, c->where_clause, column_types);
      break;
    }
    default:
      ctx.fail(c->location, "unexpected constraint kind");
  }
  return con;
}

void add_constraints(LoadContext& ctx, Table& table, const std::vector<PendingConstraint>& pending,
                     bool creating) {
  std::vector<std::string> chosen;  // names chosen in this statement (ChooseConstraintName's list)
  for (Phase phase : {Phase::Check, Phase::Index, Phase::ForeignKey}) {
    for (const auto& p : pending) {
      if (phase_of(p.node) != phase) continue;
      std::string name = p.node->conname != nullptr && p.node->conname[0] != '\0'
                             ? p.node->conname
                             : generated_name(ctx, table, p, chosen);
      if (table.constraints.count(name) != 0)
        ctx.fail(p.node->location,
                 "constraint \"" + name + "\" for relation \"" + table.name + "\" already exists");
      Constraint con = constraint_from_node(ctx, table, p, name, creating);
      for (const auto& column : con.columns) {
        if (con.kind == ConstraintKind::ForeignKey) break;
        if (table.find_column(column) == nullptr && table.partition_of.empty() &&
            table.inherits.empty())
          ctx.fail(p.node->location, "column \"" + column + "\" named in key does not exist");
        if (con.kind == ConstraintKind::PrimaryKey) {
          if (Column* col = table.find_column(column)) col->not_null = true;
        }
      }
      chosen.push_back(name);
      table.constraints[name] = std::move(con);
    }
  }
}

}  // namespace pgdrift::schema::sql
