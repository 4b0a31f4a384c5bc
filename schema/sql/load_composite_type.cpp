// CREATE TYPE name AS (attribute type [COLLATE c], ...).
#include "schema/canonical.h"
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

void load_create_composite_type(LoadContext& ctx, const PgQuery__CompositeTypeStmt* stmt) {
  CompositeType type;
  type.schema = ctx.schema_or_default(stmt->typevar->schemaname);
  type.name = stmt->typevar->relname;
  type.location = ctx.location_at(-1);
  std::string key = qualified_key(type.schema, type.name);
  const Model& m = ctx.model;
  if (m.enums.count(key) || m.composite_types.count(key) || m.domains.count(key) ||
      m.tables.count(key) || m.views.count(key) || m.sequences.count(key))
    ctx.fail(stmt->typevar->location, "type \"" + type.name + "\" already exists");
  for (size_t i = 0; i < stmt->n_coldeflist; ++i) {
    const PgQuery__Node* node = stmt->coldeflist[i];
    if (node->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) {
      ctx.unsupported(-1, "composite type element");
      continue;
    }
    const PgQuery__ColumnDef* col = node->column_def;
    if (col->n_constraints > 0) ctx.unsupported(col->location, "constraint on a type attribute");
    CompositeAttribute attr;
    attr.name = col->colname;
    attr.type = canonical_type(col->type_name, ctx.search_schema);
    attr.collation = collation_name(ctx, col->coll_clause);
    for (const auto& existing : type.attributes)
      if (existing.name == attr.name)
        ctx.fail(col->location, "column \"" + attr.name + "\" specified more than once");
    type.attributes.push_back(attr);
  }
  ctx.model.composite_types[key] = type;
}

}  // namespace pgdrift::schema::sql
