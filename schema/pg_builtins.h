// What PostgreSQL 15 has built in, embedded so that quoting, type spelling and the canonical
// form never need a server: its keywords, its pg_catalog types, its default operator classes,
// its text-returning functions and the comments of the extensions it ships. Every list was taken
// from a PostgreSQL 15 server with the query quoted next to it.
#pragma once

#include <optional>
#include <string_view>

namespace pgdrift::schema {

// True for keywords that quote_ident must quote (every category except UNRESERVED):
// `select word from pg_get_keywords() where catcode <> 'U'`.
bool is_quoted_keyword(std::string_view word);

// True for the name of a base / pseudo type in pg_catalog (array types `_x` and the row
// types of catalog relations excluded):
// `select typname from pg_type where typnamespace = 'pg_catalog'::regnamespace
//  and typname !~ '^_' and typrelid = 0`.
bool is_pg_catalog_type(std::string_view name);

// True when `opclass` is the default operator class of index method `method` for some input
// type (pg_opclass.opcdefault), which pg_get_indexdef and the introspector leave out:
// `select amname, format_type(opcintype, NULL), opcname from pg_opclass ... where opcdefault`.
bool is_default_opclass(std::string_view method, std::string_view opclass);
// True for a pg_catalog function name whose every overload returns text (`lower`, `concat`,
// `current_setting`, ...): a cast of its result to text is a no-op PostgreSQL does not store.
bool is_text_function(std::string_view name);
// The comment CREATE EXTENSION gives extension `name` (its control file's), for the extensions
// PostgreSQL 15 ships; nullopt for any other. Not user-written, so not part of the model: the
// introspector reads the same from the server's pg_available_extensions.
std::optional<std::string_view> extension_control_comment(std::string_view name);
// True for a setting whose list value PostgreSQL keeps as quoted identifiers (GUC_LIST_QUOTE:
// proconfig stores `SET search_path TO '', 'My Schema'` as `search_path="", "My Schema"`), the
// settings flagged so in PostgreSQL 15's guc.c.
bool is_list_quoted_setting(std::string_view name);

}  // namespace pgdrift::schema
