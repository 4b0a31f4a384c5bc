// CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role] [schema elements...]: AUTHORIZATION
// is the schema's owner. "public" always exists and is never stored. Embedded elements are applied
// with the new schema as the schema of unqualified names, as PostgreSQL does.
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

void load_schema_element(LoadContext& ctx, const PgQuery__Node* node) {
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
      load_create_table(ctx, node->create_stmt);
      break;
    case PG_QUERY__NODE__NODE_VIEW_STMT:
      load_create_view(ctx, node->view_stmt);
      break;
    case PG_QUERY__NODE__NODE_INDEX_STMT:
      load_create_index(ctx, node->index_stmt);
      break;
    case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
      load_create_sequence(ctx, node->create_seq_stmt);
      break;
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
      load_create_trigger(ctx, node->create_trig_stmt);
      break;
    case PG_QUERY__NODE__NODE_GRANT_STMT:
      load_grant(ctx, node->grant_stmt);
      break;
    default:
      ctx.unsupported(-1, "this CREATE SCHEMA element");
  }
}

}  // namespace

void load_create_schema(LoadContext& ctx, const PgQuery__CreateSchemaStmt* stmt) {
  std::string name = stmt->schemaname ? stmt->schemaname : "";
  if (name.empty()) {  // CREATE SCHEMA AUTHORIZATION role: the schema is named after the role
    auto role = role_name(stmt->authrole);
    if (!role) {
      ctx.unsupported(-1, "CREATE SCHEMA AUTHORIZATION CURRENT_USER without a schema name");
      return;
    }
    name = *role;
  }
  if (name.rfind("pg_", 0) == 0)
    ctx.fail(-1, "unacceptable schema name \"" + name + "\" (prefix pg_ is reserved)");
  bool exists = name == "public" || ctx.model.schemas.count(name);
  if (exists && stmt->if_not_exists) return;  // elements are skipped too, as in PostgreSQL
  if (exists && name != "public") ctx.fail(-1, "schema \"" + name + "\" already exists");
  if (name != "public") {
    Namespace ns;
    ns.name = name;
    ns.location = ctx.location_at(-1);
    ctx.created(ns, "SCHEMAS", "");
    if (stmt->authrole) ns.owner = owner_role(ctx, stmt->authrole);
    ctx.model.schemas[name] = ns;
  }
  std::string outer_schema = ctx.search_schema;
  ctx.search_schema = name;
  for (size_t i = 0; i < stmt->n_schema_elts; ++i) load_schema_element(ctx, stmt->schema_elts[i]);
  ctx.search_schema = outer_schema;
}

}  // namespace pgdrift::schema::sql
