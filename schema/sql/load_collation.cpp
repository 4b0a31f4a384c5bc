// CREATE COLLATION [IF NOT EXISTS] name (options) / FROM existing, stored as pg_collation holds
// it (PostgreSQL 15's DefineCollation): LOCALE sets lc_collate and lc_ctype (libc) or the ICU
// locale (icu); libc keeps no ICU locale and icu no lc_collate / lc_ctype; the provider
// defaults to libc; only ICU collations may be nondeterministic.

#include "schema/canonical.h"
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

std::string option_text(const PgQuery__DefElem* d) {
  std::vector<std::string> parts = object_name_parts(d->arg);
  return parts.size() == 1 ? parts[0] : defelem_string(d);
}

// CREATE COLLATION ... FROM existing: a collation of the model, or one of the two pg_catalog
// collations every database has with known settings.
Collation copied_collation(LoadContext& ctx, const PgQuery__DefElem* from) {
  std::vector<std::string> parts = object_name_parts(from->arg);
  if (parts.empty()) ctx.fail(from->location, "collation name expected after FROM");
  const bool catalog = parts.size() == 1 || parts[parts.size() - 2] == "pg_catalog";
  if (catalog && (parts.back() == "C" || parts.back() == "POSIX")) {
    Collation c;
    c.lc_collate = c.lc_ctype = parts.back();
    return c;
  }
  if (catalog && parts.back() == "default")
    ctx.fail(from->location, "collation \"default\" cannot be copied");
  const std::string key =
      from->arg->node_case == PG_QUERY__NODE__NODE_LIST
          ? collation_name(ctx, from->arg->list->items, from->arg->list->n_items)
          : qualified_key(ctx.search_schema, parts.back());
  auto it = ctx.model.collations.find(key);
  if (it == ctx.model.collations.end()) {
    ctx.unsupported(from->location, "CREATE COLLATION ... FROM a collation outside the schema");
    return Collation{};
  }
  return it->second;
}

}  // namespace

void load_create_collation(LoadContext& ctx, const PgQuery__DefineStmt* stmt) {
  auto name = qualified_name(ctx, stmt->defnames, stmt->n_defnames);
  const std::string key = name.key();
  if (ctx.model.collations.count(key)) {
    if (stmt->if_not_exists) return;
    ctx.fail(-1, "collation \"" + name.name + "\" already exists");
  }
  Collation c;
  std::optional<std::string> locale, lc_collate, lc_ctype, provider;
  std::optional<bool> deterministic;
  const PgQuery__DefElem* from = nullptr;
  for (size_t i = 0; i < stmt->n_definition; ++i) {
    if (stmt->definition[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = stmt->definition[i]->def_elem;
    const std::string option = lower(d->defname);
    if (option == "from")
      from = d;
    else if (option == "locale")
      locale = option_text(d);
    else if (option == "lc_collate")
      lc_collate = option_text(d);
    else if (option == "lc_ctype")
      lc_ctype = option_text(d);
    else if (option == "provider")
      provider = lower(option_text(d));
    else if (option == "deterministic")
      deterministic = defelem_bool(d);
    else if (option == "version")
      continue;  // the collation's version is not modelled
    else
      ctx.fail(d->location, "collation attribute \"" + option + "\" not recognized");
  }
  if (from) {
    if (stmt->n_definition > 1) ctx.fail(from->location, "conflicting or redundant options");
    c = copied_collation(ctx, from);
  } else {
    if (locale) {
      if (lc_collate || lc_ctype) ctx.fail(-1, "conflicting or redundant options");
      lc_collate = lc_ctype = locale;
    }
    c.provider = provider.value_or("libc");
    if (c.provider != "libc" && c.provider != "icu")
      ctx.fail(-1, "unrecognized collation provider: " + c.provider);
    if (c.provider == "libc") {
      if (!lc_collate) ctx.fail(-1, "parameter \"lc_collate\" must be specified");
      if (!lc_ctype) ctx.fail(-1, "parameter \"lc_ctype\" must be specified");
      c.lc_collate = *lc_collate;
      c.lc_ctype = *lc_ctype;
    } else {
      if (!locale) ctx.fail(-1, "parameter \"locale\" must be specified");
      c.icu_locale = *locale;
    }
    c.deterministic = deterministic.value_or(true);
    if (!c.deterministic && c.provider != "icu")
      ctx.fail(-1, "nondeterministic collations not supported with this provider");
  }
  c.schema = name.schema;
  c.name = name.name;
  c.comment.reset();
  c.location = ctx.location_at(-1);
  ctx.model.collations[key] = c;
}

}  // namespace pgdrift::schema::sql
