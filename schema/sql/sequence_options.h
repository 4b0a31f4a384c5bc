// Internal to the SQL loader: sequence options as PostgreSQL fills them in (init_params), shared
// by identity columns (column_def) and ALTER TABLE ... SET (sequence options).
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <cstdint>
#include <string>

#include "schema/model.h"
#include "schema/sql/load_context.h"

namespace pgdrift::schema::sql {

// PostgreSQL's defaults for a sequence of `data_type` ("smallint" | "integer" | "bigint") with
// `increment`: max/min from the type and the sign of the increment, start = min (ascending) or
// max (descending), cache 1.
SequenceOptions default_sequence_options(const std::string& data_type, int64_t increment = 1);
// Apply CREATE/ALTER SEQUENCE or identity options (DefElems) to `options`, recomputing the
// defaults that depend on the type and increment when those are not given explicitly.
// "sequence_name", "restart", "owned_by" are ignored here (callers handle them).
void apply_sequence_options(LoadContext& ctx, SequenceOptions& options, PgQuery__Node* const* defs,
                            size_t count, bool creating);
// "smallint" / "integer" / "bigint" for an integer canonical type, else "".
std::string sequence_type_of(const std::string& canonical_type);

}  // namespace pgdrift::schema::sql
