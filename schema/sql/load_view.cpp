// CREATE [OR REPLACE] VIEW and CREATE MATERIALIZED VIEW (a CreateTableAsStmt). Options are kept
// as pg_class.reloptions stores them: `name=value` as written, a bare name meaning "true", and
// WITH [LOCAL|CASCADED] CHECK OPTION as check_option=local|cascaded.
#include <cstdlib>
#include <cstring>

#include "schema/canonical.h"
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

// Column names of the tables (and of views with an explicit column list) the loader knows, for
// the `SELECT *` expansion PostgreSQL does when it stores a view.
RelationColumns relation_columns(const LoadContext& ctx) {
  return [&ctx](const std::string& schema, const std::string& name) {
    const std::string key =
        qualified_key(ctx.schema_or_default(schema.empty() ? nullptr : schema.c_str()), name);
    std::vector<std::string> columns;
    if (auto t = ctx.model.tables.find(key); t != ctx.model.tables.end()) {
      for (const Column& c : t->second.columns) columns.push_back(c.name);
    } else if (auto v = ctx.model.views.find(key); v != ctx.model.views.end()) {
      columns = v->second.column_names;
    }
    return columns;
  };
}

const char* kKnownViewOptions[] = {"check_option", "security_barrier", "security_invoker"};

void read_reloptions(LoadContext& ctx, size_t n, PgQuery__Node* const* items,
                     std::map<std::string, std::string>& options, bool materialized) {
  for (size_t i = 0; i < n; ++i) {
    if (items[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = items[i]->def_elem;
    if (d->defnamespace && *d->defnamespace) {
      ctx.unsupported(d->location, "namespaced storage option");
      continue;
    }
    std::string name = d->defname;
    bool known = materialized;  // materialized views take storage parameters (fillfactor, ...)
    for (const char* option : kKnownViewOptions) known = known || name == option;
    if (!known) ctx.fail(d->location, "unrecognized parameter \"" + name + "\"");
    options[name] = option_value(d);
  }
}

bool relation_exists(const Model& m, const std::string& key) {
  return m.tables.count(key) || m.views.count(key) || m.sequences.count(key) ||
         m.composite_types.count(key);
}

// `CREATE VIEW v (a, b) AS SELECT x, y ...`: PostgreSQL keeps no separate column list, it
// stores the names as the aliases of the query's output columns (`SELECT x AS a, y AS b`).
// Do the same, so the query text equals what pg_get_viewdef prints and column_names stays
// empty. Set operations take their names from the leftmost SELECT.
void fold_column_names_into_query(LoadContext& ctx, const PgQuery__Node* query,
                                  const std::vector<std::string>& names) {
  if (names.empty() || query == nullptr || query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
    return;
  PgQuery__SelectStmt* select = query->select_stmt;
  while (select->op != PG_QUERY__SET_OPERATION__SETOP_NONE && select->larg != nullptr)
    select = select->larg;
  if (names.size() > select->n_target_list)
    ctx.fail(-1, "CREATE VIEW specifies more column names than columns");
  for (size_t i = 0; i < names.size(); ++i) {
    PgQuery__Node* target = select->target_list[i];
    if (target->node_case != PG_QUERY__NODE__NODE_RES_TARGET) continue;
    PgQuery__ResTarget* res = target->res_target;
    // The tree was allocated by protobuf-c's default (malloc) allocator and is freed with free().
    if (res->name != nullptr && res->name != protobuf_c_empty_string) free(res->name);
    res->name = strdup(names[i].c_str());
  }
}

}  // namespace

void load_create_view(LoadContext& ctx, const PgQuery__ViewStmt* stmt) {
  View view;
  view.schema = ctx.schema_or_default(stmt->view->schemaname);
  view.name = stmt->view->relname;
  view.location = ctx.location_at(-1);
  std::string key = qualified_key(view.schema, view.name);
  if (stmt->view->relpersistence && std::string(stmt->view->relpersistence) == "t")
    ctx.unsupported(stmt->view->location, "TEMPORARY VIEW");
  auto existing = ctx.model.views.find(key);
  if (existing != ctx.model.views.end() && !existing->second.materialized && stmt->replace) {
    // OR REPLACE keeps what is attached to the view: grants, comments, triggers.
    view.grants = existing->second.grants;
    view.comment = existing->second.comment;
    view.triggers = existing->second.triggers;
    view.column_comments = existing->second.column_comments;
    view.owner = existing->second.owner;
  } else if (relation_exists(ctx.model, key)) {
    ctx.fail(stmt->view->location, "relation \"" + view.name + "\" already exists");
  } else {
    ctx.created(view, "TABLES", view.schema);
  }
  fold_column_names_into_query(ctx, stmt->query, string_list(stmt->aliases, stmt->n_aliases));
  view.query = canonical_query(stmt->query, relations_context(ctx.model, ctx.search_schema),
                               relation_columns(ctx));
  read_reloptions(ctx, stmt->n_options, stmt->options, view.options, false);
  switch (stmt->with_check_option) {
    case PG_QUERY__VIEW_CHECK_OPTION__LOCAL_CHECK_OPTION:
      view.options["check_option"] = "local";
      break;
    case PG_QUERY__VIEW_CHECK_OPTION__CASCADED_CHECK_OPTION:
      view.options["check_option"] = "cascaded";
      break;
    default:
      break;
  }
  ctx.model.views[key] = view;
}

void load_create_table_as(LoadContext& ctx, const PgQuery__CreateTableAsStmt* stmt) {
  const PgQuery__IntoClause* into = stmt->into;
  if (stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW || stmt->is_select_into) {
    ctx.unsupported(-1,
                    "CREATE TABLE AS / SELECT INTO (the table's columns depend on query results; "
                    "write CREATE TABLE with explicit columns)");
    return;
  }
  View view;
  view.materialized = true;
  view.schema = ctx.schema_or_default(into->rel->schemaname);
  view.name = into->rel->relname;
  view.location = ctx.location_at(-1);
  std::string key = qualified_key(view.schema, view.name);
  if (relation_exists(ctx.model, key)) {
    if (stmt->if_not_exists) return;
    ctx.fail(into->rel->location, "relation \"" + view.name + "\" already exists");
  }
  if (into->access_method && *into->access_method)
    ctx.unsupported(-1, "USING access method on a materialized view");
  if (into->table_space_name && *into->table_space_name)
    ctx.unsupported(-1, "TABLESPACE on a materialized view");
  fold_column_names_into_query(ctx, stmt->query, string_list(into->col_names, into->n_col_names));
  view.query = canonical_query(stmt->query, relations_context(ctx.model, ctx.search_schema),
                               relation_columns(ctx));
  read_reloptions(ctx, into->n_options, into->options, view.options, true);
  view.with_data = !into->skip_data;
  ctx.created(view, "TABLES", view.schema);
  ctx.model.views[key] = view;
}

void load_alter_view_options(LoadContext& ctx, View& view, const PgQuery__AlterTableCmd* cmd) {
  const PgQuery__List* list = cmd->def->list;
  std::map<std::string, std::string> options;
  read_reloptions(ctx, list->n_items, list->items, options, view.materialized);
  if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions) {
    for (auto& [name, value] : options) view.options[name] = value;
  } else {
    for (auto& [name, value] : options) view.options.erase(name);
  }
}

}  // namespace pgdrift::schema::sql
