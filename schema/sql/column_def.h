// Internal to the SQL loader: column definitions (ColumnDef) and the constraints written with
// them or beside them (Constraint), turned into model values. Used by CREATE TABLE, ALTER TABLE
// and CREATE DOMAIN. The node readers they use are in tree_read.h.
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schema/canonical.h"
#include "schema/model.h"
#include "schema/sql/load_context.h"

namespace pgdrift::schema::sql {

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

}  // namespace pgdrift::schema::sql
