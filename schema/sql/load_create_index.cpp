// CREATE INDEX on a table (cascading to its partitions, as PostgreSQL does) or a materialized
// view.
#include "schema/canonical.h"
#include "schema/pg_builtins.h"
#include "schema/sql/column_def.h"
#include "schema/sql/load_context.h"
#include "schema/sql/naming.h"
#include "schema/sql/partitions.h"
#include "schema/sql/table_parts.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

void load_create_index(LoadContext& ctx, const PgQuery__IndexStmt* stmt) {
  const PgQuery__RangeVar* rv = stmt->relation;
  const std::string schema = ctx.schema_or_default(rv->schemaname);
  const std::string key = qualified_key(schema, rv->relname);
  Table* table = nullptr;
  View* view = nullptr;
  if (auto it = ctx.model.tables.find(key); it != ctx.model.tables.end()) {
    table = &it->second;
  } else if (auto v = ctx.model.views.find(key);
             v != ctx.model.views.end() && v->second.materialized) {
    view = &v->second;
  } else {
    ctx.fail(rv->location, "relation " + quote_qualified(schema, rv->relname) + " does not exist");
  }
  const std::string relation_name = rv->relname;

  Index index;
  index.unique = stmt->unique;
  index.nulls_not_distinct = stmt->nulls_not_distinct;
  index.method = stmt->access_method != nullptr && stmt->access_method[0] != '\0'
                     ? stmt->access_method
                     : "btree";
  index.location = ctx.location_at(0);
  // A materialized view's column types are not known here: its expressions get none.
  const ColumnTypes column_types =
      table != nullptr ? column_types_of(ctx.model, *table) : ColumnTypes();
  std::vector<std::string> column_names;
  for (size_t i = 0; i < stmt->n_index_params; ++i) {
    if (stmt->index_params[i]->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM) continue;
    const PgQuery__IndexElem* elem = stmt->index_params[i]->index_elem;
    IndexKey key = index_key_from_elem(ctx, elem, column_types);
    // A default operator class is what PostgreSQL picks anyway; the catalog side leaves it out.
    if (is_default_opclass(index.method, key.opclass)) key.opclass.clear();
    index.keys.push_back(key);
    column_names.push_back(index_column_name(elem));
  }
  for (size_t i = 0; i < stmt->n_index_including_params; ++i) {
    if (stmt->index_including_params[i]->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM) continue;
    const PgQuery__IndexElem* elem = stmt->index_including_params[i]->index_elem;
    index.include.push_back(index_column_name(elem));
    column_names.push_back(index_column_name(elem));
  }
  index.options = relation_options(ctx, stmt->options, stmt->n_options);
  if (stmt->where_clause != nullptr) {
    try {
      index.where_expr = canonical_expr(stmt->where_clause, column_types);
    } catch (const CanonicalError& e) {
      ctx.fail(0, e.what());
    }
  }
  if (table != nullptr) {
    for (const auto& k : index.keys)
      if (!k.column.empty() && table->find_column(k.column) == nullptr)
        ctx.fail(0, "column \"" + k.column + "\" does not exist");
  }

  if (stmt->idxname != nullptr && stmt->idxname[0] != '\0') {
    index.name = stmt->idxname;
    if (relation_name_taken(ctx, schema, index.name)) {
      if (stmt->if_not_exists) return;
      ctx.fail(0, "relation " + quote_qualified(schema, index.name) + " already exists");
    }
  } else {
    index.name = choose_relation_name(ctx, schema, relation_name,
                                      join_name_addition(unique_index_column_names(column_names)),
                                      "idx", false);
  }

  index.renamed_from.name = ctx.renamed_from_at(0, "index " + quote_qualified(schema, index.name));
  if (view != nullptr) {
    view->indexes[index.name] = index;
    return;
  }
  table->indexes[index.name] = index;
  // CREATE INDEX ON ONLY (rv->inh false) leaves the partitions alone.
  if (table->kind == TableKind::Partitioned && rv->inh)
    give_index_to_partitions(ctx, *table, index);
}

}  // namespace pgdrift::schema::sql
