// Internal to the SQL loader: the parts of a table definition that are not columns: index keys
// (CREATE INDEX, EXCLUDE), partition bounds, and the replica identity's index.
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <string>
#include <vector>

#include "schema/canonical.h"
#include "schema/model.h"
#include "schema/sql/load_context.h"

namespace pgdrift::schema::sql {

// The IndexKey of one index element (CREATE INDEX, EXCLUDE).
// `column_types` (canonical.h) are those of the indexed table; empty for a materialized view,
// whose columns' types the loader does not know (the type-blind rules then apply).
IndexKey index_key_from_elem(LoadContext& ctx, const PgQuery__IndexElem* elem,
                             const ColumnTypes& column_types);

// The partition bound as pg_get_expr(relpartbound) prints it, with literals printed for the
// type of the parent's key columns: "FOR VALUES FROM ('2024-01-01') TO (MAXVALUE)",
// "FOR VALUES IN (1, 2)", "FOR VALUES WITH (modulus 4, remainder 0)", "DEFAULT".
std::string partition_bound_text(LoadContext& ctx, const Table& parent,
                                 const PgQuery__PartitionBoundSpec* bound);

// REPLICA IDENTITY USING INDEX follows its index (or PK / UNIQUE constraint) when renamed.
void rename_replica_identity_index(Table& table, const std::string& from, const std::string& to);
// After an index or constraint of `table` is dropped: PostgreSQL keeps relreplident 'i' without
// an index, which behaves as NOTHING (ALTER TABLE docs); the model stores NOTHING, as the
// introspection reads it.
void settle_replica_identity(Table& table);

}  // namespace pgdrift::schema::sql
