// Shared helpers of the SQL loader: turning parse-tree pieces (ColumnDef, Constraint, sequence
// options, name lists) into model values. Used by CREATE TABLE, ALTER TABLE and other loaders.
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schema/canonical.h"
#include "schema/model.h"
#include "schema/sql/load_context.h"

namespace pgdrift::schema::sql {

// ---- small parse-tree readers ----------------------------------------------------------------
// sval of a String node ("" for anything else).
std::string string_value(const PgQuery__Node* node);
// svals of a list of String nodes.
std::vector<std::string> string_list(PgQuery__Node* const* nodes, size_t count);
// The last String of a qualified name list (e.g. operator or collation name).
std::string last_name(PgQuery__Node* const* nodes, size_t count);
// Integer value of a DefElem argument (Integer, Float, or String holding a number).
int64_t def_int(const LoadContext& ctx, const PgQuery__DefElem* def);
// Calls `visit` on every Node in the tree under `message` (pre-order).
void visit_nodes(const ProtobufCMessage* message,
                 const std::function<void(const PgQuery__Node*)>& visit);
// Distinct column names referenced by an expression (ColumnRef nodes), in first-seen order.
std::vector<std::string> referenced_columns(const PgQuery__Node* expr);

// Distinct column names referenced by canonical expression text (parsed again).
std::vector<std::string> expr_text_columns(const std::string& expr_sql);

// ---- sequences -------------------------------------------------------------------------------
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

// ---- columns and constraints ---------------------------------------------------------------
// The type PostgreSQL coerces a value of canonical type `type` to in expressions: a domain's
// base type (through nested domains), else `type` itself.
std::string expression_type(const Model& model, const std::string& type);
// The column type lookup (canonical.h) for expressions of `table`: its columns' types, domains
// resolved to their base types, "" for a name that is not a column. `more` (the columns of the
// CREATE TABLE being loaded, which may come later than the expression) is asked for names the
// table does not have yet. The lookup refers to `table` and `model`: use it while they live.
ColumnTypes column_types_of(const Model& model, const Table& table,
                            std::map<std::string, std::string> more = {});
// name -> canonical type of the ColumnDefs among `elts` (serial types as their integer type;
// a type that does not canonicalise is left out, i.e. unknown).
std::map<std::string, std::string> declared_column_types(LoadContext& ctx,
                                                         PgQuery__Node* const* elts, size_t count);
// A constraint still to be named and added: the node, the column it was written on (for column
// constraints), and deferrability attributes that follow it in a column definition.
struct PendingConstraint {
  const PgQuery__Constraint* node = nullptr;
  std::string column;
  std::optional<bool> deferrable;
  std::optional<bool> initially_deferred;
};

// The Column for `def` in `table` (whose schema and name must be set). serial types are
// expanded as PostgreSQL does (integer + NOT NULL + nextval default, and an owned sequence
// added to ctx.model). PK / UNIQUE / CHECK / FK / EXCLUDE column constraints are appended to
// `pending` for add_constraints.
Column column_from_def(LoadContext& ctx, const Table& table, const PgQuery__ColumnDef* def,
                       std::vector<PendingConstraint>& pending);
// Same, with the column types a generated column's expression is canonicalised with (the
// whole CREATE TABLE's columns; the overload above uses the table's current columns).
Column column_from_def(LoadContext& ctx, const Table& table, const PgQuery__ColumnDef* def,
                       std::vector<PendingConstraint>& pending, const ColumnTypes& column_types);

// Add `pending` to `table` in PostgreSQL's order (CHECK, then PK / UNIQUE / EXCLUDE, then FK),
// choosing PostgreSQL's names for unnamed ones. `creating` = part of CREATE TABLE / ADD COLUMN
// (NOT VALID is then ignored, as PostgreSQL marks those constraints valid).
// PRIMARY KEY sets NOT NULL on its columns. `table` need not be in ctx.model yet.
void add_constraints(LoadContext& ctx, Table& table, const std::vector<PendingConstraint>& pending,
                     bool creating);

// The model constraint for one node, named `name` (already chosen).
Constraint constraint_from_node(LoadContext& ctx, const Table& table,
                                const PendingConstraint& pending, const std::string& name,
                                bool creating);

// Canonical text of a column or domain default written as `expr` for `column_type` (canonical):
// canonical_default_expr with the type PostgreSQL casts an untyped literal to, i.e. a domain's
// base type (through nested domains). Fails the load on a CanonicalError.
// A NULL default gives no default when PostgreSQL stores none (the cooked default is a bare
// NULL constant: `NULL` on a type without length coercion, `NULL::T` with T the column type),
// except on a domain-typed column where the NULL is a domain coercion and is kept.
// docs/canonical-form.md lists the cases.
std::optional<std::string> canonical_column_default(LoadContext& ctx, const PgQuery__Node* expr,
                                                    const std::string& column_type);

// The IndexKey of one index element (CREATE INDEX, EXCLUDE).
// `column_types` (canonical.h) are those of the indexed table; empty for a materialized view,
// whose columns' types the loader does not know (the type-blind rules then apply).
IndexKey index_key_from_elem(LoadContext& ctx, const PgQuery__IndexElem* elem,
                             const ColumnTypes& column_types);

// Canonical collation name of a COLLATE clause: quote_ident(name), or schema-qualified when
// the schema is not pg_catalog.
std::string collation_name(PgQuery__Node* const* names, size_t count);

// ---- table parts -------------------------------------------------------------------------------
// Reloptions of WITH (...) / SET (...): name -> value text ("fillfactor" -> "70"; a namespace
// prefix is kept: "toast.autovacuum_enabled").
std::map<std::string, std::string> relation_options(LoadContext& ctx, PgQuery__Node* const* defs,
                                                    size_t count);
// The partition bound as pg_get_expr(relpartbound) prints it, with literals printed for the
// type of the parent's key columns: "FOR VALUES FROM ('2024-01-01') TO (MAXVALUE)",
// "FOR VALUES IN (1, 2)", "FOR VALUES WITH (modulus 4, remainder 0)", "DEFAULT".
std::string partition_bound_text(LoadContext& ctx, const Table& parent,
                                 const PgQuery__PartitionBoundSpec* bound);
// ChooseIndexColumnNames for an existing index: column names, or "expr" for expressions.
std::vector<std::string> index_key_names(const Index& index);

}  // namespace pgdrift::schema::sql
