// CREATE EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [VERSION v] [CASCADE].
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

void load_create_extension(LoadContext& ctx, const PgQuery__CreateExtensionStmt* stmt) {
  Extension extension;
  extension.name = stmt->extname;
  extension.location = ctx.location_at(-1);
  if (ctx.model.extensions.count(extension.name)) {
    if (stmt->if_not_exists) return;
    ctx.fail(-1, "extension \"" + extension.name + "\" already exists");
  }
  for (size_t i = 0; i < stmt->n_options; ++i) {
    if (stmt->options[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = stmt->options[i]->def_elem;
    std::string option = d->defname;
    if (option == "schema") {
      extension.schema = defelem_string(d);
      if (extension.schema != "public" && !ctx.model.schemas.count(extension.schema))
        ctx.fail(d->location, "schema \"" + extension.schema + "\" does not exist");
      // "public" is where CREATE EXTENSION puts it without SCHEMA: stored as no schema, as the
      // introspector does, so `WITH SCHEMA public` (pg_dump's spelling) is the same extension.
      if (extension.schema == "public") extension.schema.clear();
    } else if (option == "new_version") {
      extension.version = defelem_string(d);
    } else if (option == "cascade") {
      // CASCADE only matters when a required extension is missing on the server; the model
      // lists the extensions the SQL names, which is what the extension itself needs.
    } else {
      ctx.unsupported(d->location, "CREATE EXTENSION option " + option);
    }
  }
  ctx.model.extensions[extension.name] = extension;
}

}  // namespace pgdrift::schema::sql
