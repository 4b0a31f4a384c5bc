// CREATE TABLE: columns, constraints, LIKE, partitioning, inheritance, storage options.
#include <algorithm>

#include "schema/canonical.h"
#include "schema/sql/column_def.h"
#include "schema/sql/load_context.h"
#include "schema/sql/naming.h"
#include "schema/sql/partitions.h"
#include "schema/sql/table_parts.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

// A column as a child table receives it from a parent (MergeAttributes): identity is not
// inherited, comments and grants stay with the parent.
Column inherited_column(const Column& parent) {
  Column column = parent;
  column.identity = IdentityKind::None;
  column.identity_options.reset();
  column.comment.reset();
  column.grants.clear();
  return column;
}

// Partition key text as pg_get_partkeydef prints it: "RANGE (a, (a + 1), lower(b))".
std::string partition_key_text(LoadContext& ctx, const PgQuery__PartitionSpec* spec,
                               const ColumnTypes& column_types) {
  std::string strategy = spec->strategy != nullptr ? spec->strategy : "";
  std::transform(strategy.begin(), strategy.end(), strategy.begin(), ::toupper);
  std::string text = strategy + " (";
  for (size_t i = 0; i < spec->n_part_params; ++i) {
    if (spec->part_params[i]->node_case != PG_QUERY__NODE__NODE_PARTITION_ELEM) continue;
    const PgQuery__PartitionElem* elem = spec->part_params[i]->partition_elem;
    if (i > 0) text += ", ";
    if (elem->name != nullptr && elem->name[0] != '\0') {
      text += quote_ident(elem->name);
    } else {
      std::string expr;
      try {
        expr = canonical_expr(elem->expr, column_types);
      } catch (const CanonicalError& e) {
        ctx.fail(elem->location, e.what());
      }
      // pg_get_partkeydef: parentheses unless the expression is a bare function call.
      bool function =
          elem->expr != nullptr && elem->expr->node_case == PG_QUERY__NODE__NODE_FUNC_CALL;
      text += function ? expr : "(" + expr + ")";
    }
    std::string collation = collation_name(ctx, elem->collation, elem->n_collation);
    if (!collation.empty()) text += " COLLATE " + collation;
    std::string opclass = last_name(elem->opclass, elem->n_opclass);
    if (!opclass.empty()) text += " " + opclass;
  }
  return text + ")";
}

// Apply a partition's or child's own column definition (`id WITH OPTIONS NOT NULL`, or a
// redeclared column) to the inherited column.
void merge_column(LoadContext& ctx, Column& target, const Column& local,
                  const PgQuery__ColumnDef* def) {
  if (def->type_name != nullptr && target.type != local.type)
    ctx.fail(def->location, "column \"" + target.name + "\" has a type conflict");
  if (local.not_null) target.not_null = true;
  if (local.default_expr) target.default_expr = local.default_expr;
  if (local.generated_expr) target.generated_expr = local.generated_expr;
  if (local.identity != IdentityKind::None) {
    target.identity = local.identity;
    target.identity_options = local.identity_options;
  }
  if (!local.collation.empty()) target.collation = local.collation;
}

// CREATE TABLE ... (LIKE source [INCLUDING ... | EXCLUDING ...]) as PostgreSQL 15 expands it.
// TableLikeOption bits of the parse tree (parsenodes.h): COMMENTS 1 << 0, COMPRESSION 1 << 1,
// CONSTRAINTS 1 << 2, DEFAULTS 1 << 3, GENERATED 1 << 4, IDENTITY 1 << 5, INDEXES 1 << 6,
// STATISTICS 1 << 7, STORAGE 1 << 8; ALL sets them all. COMPRESSION, STATISTICS and STORAGE
// copy what the model does not hold.
struct LikeClause {
  Table source;  // a copy: the model's map may grow while the table is built
  uint32_t options = 0;
  int location = 0;  // of the source's name
  bool has(int bit) const { return (options & (1u << bit)) != 0; }
  bool comments() const { return has(0); }
  bool constraints() const { return has(2); }
  bool defaults() const { return has(3); }
  bool generated() const { return has(4); }
  bool identity() const { return has(5); }
  bool indexes() const { return has(6); }
};

// The columns LIKE copies: names, types, collations and NOT NULL always; defaults, generation
// expressions, identity (a sequence of its own, with the same options) and comments on request.
// Privileges never.
std::vector<Column> like_columns(const LikeClause& like) {
  std::vector<Column> columns;
  for (const Column& source : like.source.columns) {
    Column column = source;
    if (!like.defaults()) column.default_expr.reset();
    if (!like.generated()) column.generated_expr.reset();
    if (!like.identity()) {
      column.identity = IdentityKind::None;
      column.identity_options.reset();
    } else if (column.identity_options) {
      // The copy's sequence gets the source's options but not its AS type (sequence_options()
      // leaves it out), so it is a bigint sequence with the source's bounds.
      column.identity_options->data_type = "bigint";
    }
    if (!like.comments()) column.comment.reset();
    column.grants.clear();
    columns.push_back(column);
  }
  return columns;
}

// What LIKE adds once the table exists (expandTableLikeClause, after the table's own
// constraints): CHECK constraints under their own names (INCLUDING CONSTRAINTS); indexes and
// PRIMARY KEY / UNIQUE / EXCLUDE constraints under the names PostgreSQL chooses for new ones
// (INCLUDING INDEXES). Foreign keys are never copied.
void add_like_objects(LoadContext& ctx, Table& table, const LikeClause& like) {
  const Table& source = like.source;
  const int location = like.location;
  auto own = [&](auto object) {
    if (!like.comments()) object.comment.reset();
    object.location = table.location;
    return object;
  };
  if (like.constraints())
    for (const auto& [name, c] : source.constraints) {
      if (c.kind != ConstraintKind::Check) continue;
      if (table.constraints.count(name) != 0)
        ctx.fail(location,
                 "constraint \"" + name + "\" for relation \"" + table.name + "\" already exists");
      Constraint copy = own(c);
      copy.parent_constraint.clear();
      copy.validated = true;  // the new table is empty: PostgreSQL skips the validation
      table.constraints[name] = copy;
    }
  if (!like.indexes()) return;
  for (const auto& [name, c] : source.constraints) {
    if (c.kind != ConstraintKind::PrimaryKey && c.kind != ConstraintKind::Unique &&
        c.kind != ConstraintKind::Exclusion)
      continue;
    if (c.kind == ConstraintKind::PrimaryKey)
      for (const auto& [other_name, other] : table.constraints)
        if (other.kind == ConstraintKind::PrimaryKey)
          ctx.fail(location,
                   "multiple primary keys for table \"" + table.name + "\" are not allowed");
    Constraint copy = own(c);
    copy.parent_constraint.clear();
    const CloneNameParts parts = clone_name_parts(table, c);
    copy.name =
        choose_relation_name(ctx, table.schema, parts.name1, parts.name2, parts.label, true);
    table.constraints[copy.name] = copy;
  }
  for (const auto& [name, index] : source.indexes) {
    Index copy = own(index);
    copy.parent_index.clear();
    const CloneNameParts parts = clone_name_parts(table, index);
    copy.name =
        choose_relation_name(ctx, table.schema, parts.name1, parts.name2, parts.label, false);
    table.indexes[copy.name] = copy;
  }
}

}  // namespace

void load_create_table(LoadContext& ctx, const PgQuery__CreateStmt* stmt) {
  const PgQuery__RangeVar* rv = stmt->relation;
  const std::string persistence = rv->relpersistence != nullptr ? rv->relpersistence : "p";
  if (persistence == "t") return ctx.unsupported(rv->location, "CREATE TEMPORARY TABLE");
  if (stmt->of_typename != nullptr)
    return ctx.unsupported(rv->location, "CREATE TABLE ... OF type");
  const std::string schema = ctx.schema_or_default(rv->schemaname);
  const std::string key = qualified_key(schema, rv->relname);
  if (ctx.model.tables.count(key) != 0 || ctx.model.views.count(key) != 0 ||
      ctx.model.sequences.count(key) != 0) {
    if (stmt->if_not_exists) return;
    ctx.fail(rv->location, "relation " + quote_qualified(schema, rv->relname) + " already exists");
  }

  Table& table = ctx.model.tables[key];
  table.schema = schema;
  table.name = rv->relname;
  table.unlogged = persistence == "u";
  table.location = ctx.location_at(0);
  table.renamed_from.name = ctx.renamed_from_at(0, "table " + key);
  ctx.created(table, "TABLES", schema);

  // Parents first: their columns come before the table's own (MergeAttributes).
  const Table* partition_parent = nullptr;
  for (size_t i = 0; i < stmt->n_inh_relations; ++i) {
    if (stmt->inh_relations[i]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR) continue;
    const PgQuery__RangeVar* parent_rv = stmt->inh_relations[i]->range_var;
    const Table& parent = ctx.table(parent_rv);
    const std::string parent_key = ctx.key_of(parent_rv);
    if (stmt->partbound != nullptr) {
      if (parent.kind != TableKind::Partitioned)
        ctx.fail(parent_rv->location, "table " + parent_key + " is not partitioned");
      table.partition_of = parent_key;
      partition_parent = &parent;
    } else {
      table.inherits.push_back(parent_key);
    }
    for (const Column& column : parent.columns) {
      if (Column* existing = table.find_column(column.name)) {
        if (existing->type != column.type)
          ctx.fail(parent_rv->location,
                   "inherited column \"" + column.name + "\" has a type conflict");
        existing->not_null = existing->not_null || column.not_null;
        continue;
      }
      table.columns.push_back(inherited_column(column));
    }
    if (stmt->partbound == nullptr) {
      for (const auto& [name, con] : parent.constraints)
        if (con.kind == ConstraintKind::Check && !con.no_inherit) {
          Constraint copy = con;
          copy.comment.reset();
          copy.parent_constraint = name;
          table.constraints[name] = copy;
        }
    }
  }

  // A generated column may use columns declared after it: their types come from the statement.
  const ColumnTypes column_types = column_types_of(
      ctx.model, table, declared_column_types(ctx, stmt->table_elts, stmt->n_table_elts));
  std::vector<PendingConstraint> pending;
  std::vector<LikeClause> likes;
  for (size_t i = 0; i < stmt->n_table_elts; ++i) {
    const PgQuery__Node* elt = stmt->table_elts[i];
    switch (elt->node_case) {
      case PG_QUERY__NODE__NODE_COLUMN_DEF: {
        const PgQuery__ColumnDef* def = elt->column_def;
        Column column = column_from_def(ctx, table, def, pending, column_types);
        if (Column* existing = table.find_column(column.name)) {
          if (stmt->n_inh_relations == 0)
            ctx.fail(def->location, "column \"" + column.name + "\" specified more than once");
          merge_column(ctx, *existing, column, def);
        } else {
          if (partition_parent != nullptr)
            ctx.fail(def->location, "column \"" + column.name + "\" does not exist");
          table.columns.push_back(column);
        }
        break;
      }
      case PG_QUERY__NODE__NODE_CONSTRAINT:
        pending.push_back({elt->constraint, "", std::nullopt, std::nullopt});
        break;
      case PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE: {
        const PgQuery__TableLikeClause* clause = elt->table_like_clause;
        const std::string source_key = ctx.key_of(clause->relation);
        if (ctx.model.tables.count(source_key) == 0 &&
            (ctx.model.views.count(source_key) != 0 ||
             ctx.model.composite_types.count(source_key) != 0)) {
          ctx.unsupported(clause->relation->location, "CREATE TABLE ... LIKE a view or a type");
          break;
        }
        likes.push_back({ctx.table(clause->relation), clause->options, clause->relation->location});
        for (const Column& column : like_columns(likes.back())) {
          if (Column* existing = table.find_column(column.name)) {
            if (stmt->n_inh_relations == 0)
              ctx.fail(clause->relation->location,
                       "column \"" + column.name + "\" specified more than once");
            if (existing->type != column.type)
              ctx.fail(clause->relation->location,
                       "column \"" + column.name + "\" has a type conflict");
            existing->not_null = existing->not_null || column.not_null;
            continue;
          }
          table.columns.push_back(column);
        }
        break;
      }
      default:
        ctx.unsupported(0, "table element");
    }
  }

  if (stmt->partspec != nullptr) {
    table.kind = TableKind::Partitioned;
    table.partition_key = partition_key_text(ctx, stmt->partspec, column_types);
  }
  if (stmt->partbound != nullptr && partition_parent != nullptr) {
    table.partition_bound = partition_bound_text(ctx, *partition_parent, stmt->partbound);
  }
  table.options = relation_options(ctx, stmt->options, stmt->n_options);
  add_constraints(ctx, table, pending, true);
  for (const LikeClause& like : likes) add_like_objects(ctx, table, like);
  // The partition's own constraints come first: a CHECK of the parent's name merges with them.
  if (partition_parent != nullptr) give_parent_objects(ctx, table, *partition_parent, false);
}

}  // namespace pgdrift::schema::sql
