// Word lists PostgreSQL 15 uses when it prints names, embedded so that quoting and type
// spelling never need a server. Both lists were taken from a PostgreSQL 15 server.
#pragma once

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

}  // namespace pgdrift::schema
