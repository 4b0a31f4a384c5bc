// Canonical DDL for model objects. Used by `inspect --format sql` (a whole schema script that
// loads back into an equal model) and by the planner's generators (one object at a time).
// Every identifier goes through quote_ident; nothing here decides *whether* to run a statement.
#pragma once

#include <string>

#include "schema/model.h"

namespace pgdrift::schema {

// The whole model as a script, in an order PostgreSQL accepts for a fresh database:
// schemas, extensions, types, sequences, functions, tables (without foreign keys), sequence
// ownership, indexes, foreign keys, replica identities, views (dependency order), triggers (and
// their ENABLE / DISABLE states), policies, comments, grants.
std::string render_model_sql(const Model& model);

// The type PostgreSQL gives the sequence of an identity column of type `column_type` (the
// column's own for smallint / integer, else bigint).
std::string identity_type_of(const std::string& column_type);
// The identity column's sequence typed apart from the column (CREATE TABLE ... LIKE INCLUDING
// IDENTITY copies the bounds, not the type): CREATE TABLE cannot say it (an AS of its own
// conflicts with the column's) and ALTER COLUMN has no form for it, so ALTER SEQUENCE on the
// identity's sequence, found by name at run time, in a DO block.
std::string render_identity_sequence_type(const std::string& table_key, const Column& column);

// "name type [COLLATE c] [GENERATED ...] [DEFAULT ...] [NOT NULL]"
std::string render_column_definition(const Column& column);
// The constraint body after "CONSTRAINT name ": "PRIMARY KEY (a, b)", "CHECK (x > 0)",
// "FOREIGN KEY (a) REFERENCES t(b) ON DELETE CASCADE", "... DEFERRABLE", "... NOT VALID".
std::string render_constraint_definition(const Constraint& constraint);
// CREATE TABLE with its columns and, when `with_constraints`, its non-FK constraints. The
// constraints PostgreSQL gives the table from its parent (parent_constraint) are left out. A
// partition (`parent` is its partitioned table) is written `PARTITION OF parent`, with the column
// defaults and NOT NULLs it has beyond the parent's.
std::string render_create_table(const Table& table, bool with_constraints = true,
                                const Table* parent = nullptr);
// "ALTER TABLE t ADD CONSTRAINT name <definition>;"
std::string render_add_constraint(const std::string& table_key, const Constraint& constraint);
// A foreign key action code ('a', 'r', 'c', 'n', 'd'; model.h) as SQL: "NO ACTION", ...
const char* fk_action_sql(char code);
// CREATE INDEX [CONCURRENTLY] name ON [ONLY] schema.table ...; `only`: on a partitioned table,
// the index of the parent alone (its partitions' are attached to it one by one).
std::string render_create_index(const std::string& schema, const std::string& table_name,
                                const Index& index, bool concurrently = false, bool only = false);
// The comment line written above an INVALID index (Index::valid), which SQL cannot say: "-- INVALID
// in the database: ..." with a newline; "" for a valid index.
std::string render_invalid_index_note(const Index& index);
std::string render_create_sequence(const Sequence& sequence);
std::string render_create_enum(const EnumType& type);
std::string render_create_composite_type(const CompositeType& type);
std::string render_create_domain(const Domain& domain);
std::string render_create_view(const View& view);              // CREATE [MATERIALIZED] VIEW ...
std::string render_create_function(const Function& function);  // CREATE FUNCTION/PROCEDURE
std::string render_create_aggregate(const Aggregate& aggregate);
std::string render_create_collation(const Collation& collation);
// "AGGREGATE public.a(integer)": the object of COMMENT ON / DROP for an aggregate.
std::string aggregate_what(const Aggregate& aggregate);
// "FUNCTION public.a(integer)": an aggregate as GRANT / REVOKE name it (every argument type).
std::string aggregate_grant_what(const Aggregate& aggregate);
std::string render_create_trigger(const std::string& table_key, const Trigger& trigger);
// One storage parameter of a WITH (...) / SET (...) list: "name=value", the value quoted when
// it needs to be.
std::string render_reloption(const std::string& name, const std::string& value);
// "ALTER TABLE t DISABLE TRIGGER x;" (ENABLE, ENABLE REPLICA, ENABLE ALWAYS) for the trigger's
// `enabled` state.
std::string render_trigger_state(const std::string& table_key, const Trigger& trigger);
// "ALTER TABLE t REPLICA IDENTITY FULL;" (DEFAULT, NOTHING, USING INDEX i) for the table's
// replica_identity.
std::string render_replica_identity(const std::string& table_key, const Table& table);
std::string render_create_policy(const std::string& table_key, const Policy& policy);
std::string render_create_extension(const Extension& extension);
std::string render_create_schema(const Namespace& ns);
// "COMMENT ON <what> IS '...';" (or IS NULL when comment is empty). `what` is e.g.
// "TABLE public.t", "COLUMN public.t.c", "CONSTRAINT c ON public.t".
std::string render_comment(const std::string& what, const std::optional<std::string>& comment);
// "GRANT priv[(cols)] ON <what> TO grantee [WITH GRANT OPTION];"
std::string render_grant(const std::string& what, const Grant& grant);
// "REVOKE priv[(cols)] ON <what> FROM grantee;": the privilege and its grant option.
std::string render_revoke(const std::string& what, const Grant& grant);
// "REVOKE GRANT OPTION FOR priv[(cols)] ON <what> FROM grantee;": the privilege stays.
std::string render_revoke_grant_option(const std::string& what, const Grant& grant);
// "integer", "int4" ... a canonical type string is already valid SQL; this only exists so that
// callers do not depend on that fact.
std::string render_type(const std::string& canonical_type);

}  // namespace pgdrift::schema
