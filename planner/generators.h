// Internal to the planner: the context every generator writes steps into, the dependency
// helpers, and one generator entry point per object kind (planner/gen_*.cpp).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/changes.h"
#include "planner/plan.h"
#include "schema/model.h"

namespace pgdrift::planner {

// Phases: the tie-break order of the graph sort (drops first, in reverse dependency order,
// then creates in dependency order). Edges between steps always win over phases.
enum Phase : int {
  kRename = 5,  // renames first: every other step uses the new names
  kDropPolicyTrigger = 10,
  kDropView = 11,
  kDropForeignKey = 12,
  kDropConstraintIndex = 13,
  kDropColumn = 14,
  kDropTable = 15,
  kDropFunction = 16,
  kDropSequence = 17,
  kDropType = 18,
  kDropExtension = 19,
  kDropSchema = 20,
  kCreateSchema = 30,
  kExtension = 31,
  kType = 32,
  kSequence = 33,
  kFunction = 34,
  kCreateTable = 35,
  kColumn = 36,
  kTableAttributes = 37,
  kSequenceOwner = 38,
  kConstraintIndex = 39,
  kForeignKey = 40,
  kValidate = 41,
  kCreateView = 42,
  kTriggerPolicy = 43,
  kComment = 44,
  // Privileges of one object: revokes, then a new owner, then grants (ALTER ... OWNER TO moves
  // the old owner's privileges to the new one: a grant to the old owner is made after it, a
  // revoke from the new owner before it).
  kRevoke = 45,
  kOwner = 46,
  kGrant = 47,
  kDefaultPrivilegesGranted = 48,  // after the creates: the objects created do not get them
};
// ALTER DEFAULT PRIVILEGES ... REVOKE: before every create, so that no object the plan creates
// gets them (engine::GrantChange::object_added).
constexpr int kDefaultPrivilegesRevoked = 6;

// Dependency keys of the objects a model's expressions, queries and types refer to.
class Dependencies {
 public:
  explicit Dependencies(const schema::Model& model);
  // Objects an expression uses: functions, sequences (nextval('s')), relations, types.
  std::vector<std::string> of_expr(const std::string& expr) const;
  // Relations, functions and types a view query reads.
  std::vector<std::string> of_query(const std::string& query) const;
  // The user-defined type (or table row type) behind a canonical type string, if any.
  std::vector<std::string> of_type(const std::string& type) const;
  // Everything a table's definition needs (schema, column types, defaults, checks, parents).
  std::vector<std::string> of_table(const schema::Table& table) const;
  std::vector<std::string> of_column(const schema::Column& column) const;
  std::vector<std::string> of_view(const schema::View& view) const;
  // The collation a COLLATE clause names when the model defines it ("collation:public.x").
  std::vector<std::string> of_collation(const std::string& collation) const;
  // Everything an aggregate needs: schema, argument and state types, its support functions.
  std::vector<std::string> of_aggregate(const schema::Aggregate& aggregate) const;
  // Everything a function needs: schema, argument and return types, argument defaults, and
  // what its SQL-standard body reads (of_sql_body).
  std::vector<std::string> of_function(const schema::Function& function) const;
  // What a SQL-standard body uses (PostgreSQL records it in pg_depend): relations, functions,
  // sequences, types, and the columns it names ("column:public.t.c"). Empty for a string body.
  std::vector<std::string> of_sql_body(const schema::Function& function) const;
  // Functions (function_key) whose SQL-standard body uses `key`.
  std::set<std::string> dependent_functions(const std::string& key) const;
  // Views that read `key` ("table:..", "view:..", "function:..", "aggregate:..", "type:.."),
  // transitively.
  std::set<std::string> dependent_views(const std::string& key) const;
  // Tables whose columns use the type `type_key` ("type:public.mood"): (table key, column).
  std::vector<std::pair<std::string, std::string>> columns_of_type(
      const std::string& type_key) const;
  // The partitions of a partitioned table (tables whose partition_of is `table_key`), in key
  // order: indexed once, so that asking for every table stays linear.
  const std::vector<const schema::Table*>& partitions_of(const std::string& table_key) const;

 private:
  std::vector<std::string> collect(const std::string& sql) const;
  const schema::Model& model_;
  std::map<std::string, std::set<std::string>> view_readers_;  // object key -> view keys
  std::map<std::string, std::set<std::string>> body_readers_;  // object key -> function keys
  std::map<std::string, std::vector<const schema::Table*>> partitions_;  // parent key -> them
};

std::string schema_key(const std::string& schema_name);

struct Context {
  Context(const schema::Model& from, const schema::Model& to, const PlanOptions& options,
          const schema::Model& source);
  const schema::Model& from;
  const schema::Model& to;
  const PlanOptions& options;
  // The source filtered by schema but with its grants, even when privileges are not compared:
  // what a dropped and re-created object gets back (planner/gen_kept.cpp).
  const schema::Model& source;
  Dependencies from_deps;
  Dependencies to_deps;
  std::vector<Step> steps;
  // Views to drop and recreate because something they read changes (keys of `from` views).
  std::set<std::string> recreate_views;
  // Tables created or dropped by this plan (their sub-objects need no separate steps).
  std::set<std::string> new_tables;
  std::set<std::string> dropped_tables;
  std::set<std::string> dropped_functions;
  // Tables renamed, or with a renamed column, by this plan (keys after the rename): preflights
  // run before any step, so they cannot name them the way the other steps do.
  std::set<std::string> renamed_tables;
  // Tables dropped and created again: partitioning changes, and the partitions of such a table.
  std::set<std::string> recreated_tables;
  // "table.name" of the indexes and constraints of partitioned tables that the plan creates
  // (their partitions' copies are made with them).
  std::set<std::string> created_parent_members;
  // Dependency keys of what the plan drops and creates again, or retypes, under the same name
  // ("function:public.f" recreated, "column:public.t.c" retyped or re-added, "table:public.t"
  // recreated): SQL-standard bodies that use one are detached around it (gen_function.cpp).
  std::set<std::string> rebuilt;

  // Appends a step with the option-driven timeouts.
  Step& add(Step step);
};

// A step with its object, change kind, phase and statement filled in.
Step make_step(const std::string& object_kind, const std::string& object_name,
               engine::ChangeKind kind, int phase, std::string statement);

// The generators, one per object kind.
// ALTER ... RENAME for the annotated renames (planner/gen_rename.cpp).
void gen_renames(Context& ctx, const std::vector<engine::RenameChange>& renames);
void gen_schemas(Context& ctx, const std::vector<engine::SchemaChange>& changes);
void gen_extensions(Context& ctx, const std::vector<engine::ExtensionChange>& changes);
void gen_enums(Context& ctx, const std::vector<engine::EnumChange>& changes);
void gen_composite_types(Context& ctx, const std::vector<engine::CompositeTypeChange>& changes);
void gen_domains(Context& ctx, const std::vector<engine::DomainChange>& changes);
void gen_sequences(Context& ctx, const std::vector<engine::SequenceChange>& changes);
void gen_functions(Context& ctx, const std::vector<engine::FunctionChange>& changes);
// Aggregates: created after their support functions, dropped before them; any other change,
// or a support function dropped and created again, re-creates the aggregate (gen_aggregate.cpp).
void gen_aggregates(Context& ctx, const std::vector<engine::AggregateChange>& changes);
// Collations: created before the types and columns that name them, dropped after them.
void gen_collations(Context& ctx, const std::vector<engine::CollationChange>& changes);
void gen_tables(Context& ctx, const std::vector<engine::TableChange>& changes);
// ALTER TABLE ... ENABLE / DISABLE [REPLICA | ALWAYS] TRIGGER to the trigger's `enabled` state,
// after the trigger exists (a trigger is created enabled: 'O').
Step trigger_state_step(const std::string& table, const schema::Trigger& trigger);

// ALTER SEQUENCE ... AS for an identity column whose sequence is typed apart from the column
// (planner/gen_column.cpp).
void gen_identity_sequence_type(Context& ctx, const std::string& table,
                                const schema::Column& column);

// Inheritance children (planner/gen_inheritance.cpp): of a child that stays under a parent,
// the column and CHECK changes PostgreSQL makes by recursing from the parent's are left out.
std::vector<engine::TableChange> inheritance_changes(
    const Context& ctx, const std::vector<engine::TableChange>& changes);
// The parents `key` has in both models, neither recreated: their ALTER TABLE recurses into it.
std::vector<std::string> kept_inheritance_parents(const Context& ctx, const std::string& key);

// Partitions (planner/gen_partition.cpp). The table changes as the generators get them: the
// partitions of a recreated table are recreated with it; of a partition that stays, the changes
// PostgreSQL makes from its parent's are left out (and its own renames and index attachments
// planned). Fills ctx.recreated_tables and ctx.created_parent_members.
std::vector<engine::TableChange> partition_changes(Context& ctx,
                                                   const std::vector<engine::TableChange>& changes);
// After CREATE TABLE ... PARTITION OF (or a key added to its parent): the partition's copies of
// its parent's keys and indexes that PostgreSQL names otherwise than the target are renamed.
void gen_partition_clone_renames(Context& ctx, const std::string& key, const schema::Table& t);
// CREATE INDEX ... ON ONLY the partitioned table, then each partition's index (CONCURRENTLY
// on existing partitions, online) under its own name, attached with ALTER INDEX ... ATTACH
// PARTITION; recursively for sub-partitioned partitions.
void create_partitioned_index(Context& ctx, const std::string& table_key,
                              const schema::Index& index, std::vector<std::string> needs);
// A partition moving: DETACH PARTITION before its own steps (the step's index, if any), and
// ATTACH PARTITION after them (`first_step`: the first of them).
std::optional<size_t> gen_partition_detach(Context& ctx, const engine::TableChange& change);
void gen_partition_attach(Context& ctx, const engine::TableChange& change, size_t first_step,
                          std::optional<size_t> detach_step);
void gen_column(Context& ctx, const engine::ColumnChange& change);
void gen_constraint(Context& ctx, const engine::ConstraintChange& change, bool table_is_new);
void gen_index(Context& ctx, const engine::IndexChange& change, bool table_is_new,
               bool partitioned);
// The hazards, lock and timeout class of building an index on an existing table (CONCURRENTLY
// or not): shared by plain and partitioned index builds.
void mark_index_build(Step& step, bool concurrently);
// Unchanged foreign keys whose referenced key, columns or table change: dropped and re-added.
void gen_dependent_foreign_keys(Context& ctx, const std::vector<engine::TableChange>& changes);
// Unchanged table objects (defaults, generated columns, checks, indexes, triggers, policies)
// that use a function the plan drops and creates again: dropped and created around it.
void gen_function_dependents(Context& ctx, const std::vector<engine::FunctionChange>& functions,
                             const std::vector<engine::TableChange>& tables);
void gen_trigger(Context& ctx, const engine::TriggerChange& change);
void gen_policy(Context& ctx, const engine::PolicyChange& change);
void gen_views(Context& ctx, const std::vector<engine::ViewChange>& changes);
// Drops (from `from`) and recreates (from `to`) the views in ctx.recreate_views that are not
// already changed by the diff, with their indexes, triggers, comments and grants.
void gen_recreated_views(Context& ctx, const std::set<std::string>& already_planned);
// Restores of backed-up values in a rollback (planner/gen_restore.cpp): the backup of
// `table`.`column` (column "" = the whole table) among ctx.options.restores, if any; the step
// that puts a column's values back (after the step that re-adds or converts it back); the step
// that inserts a re-created table's rows (after its CREATE TABLE).
const Backup* restore_of(const Context& ctx, const std::string& table, const std::string& column);
void gen_restore_column(Context& ctx, const std::string& table, const std::string& column);
void gen_restore_table(Context& ctx, const std::string& key, const schema::Table& table);
void gen_comments(Context& ctx, const std::vector<engine::CommentChange>& changes);
void gen_grants(Context& ctx, const std::vector<engine::GrantChange>& changes);
// ALTER ... OWNER TO (planner/gen_grant.cpp).
void gen_owners(Context& ctx, const std::vector<engine::OwnerChange>& changes);
// ALTER DEFAULT PRIVILEGES ... GRANT / REVOKE (planner/gen_grant.cpp).
void gen_default_privileges(Context& ctx,
                            const std::vector<engine::DefaultPrivilegeChange>& changes);
// The GRANT / REVOKE statements that take `target` (a GRANT target, e.g. "TABLE public.t")
// from the privileges `revoked` to those `granted` (the diff's two sides): a privilege in both
// that differs only in its grant option becomes GRANT ... WITH GRANT OPTION or REVOKE GRANT
// OPTION FOR (kind Alter).
struct GrantStatement {
  engine::ChangeKind kind;
  std::string sql;
};
std::vector<GrantStatement> grant_statements(const std::string& target,
                                             const std::vector<schema::Grant>& revoked,
                                             const std::vector<schema::Grant>& granted);

// The dependency edges between steps (planner/graph.cpp): out[i] holds the steps that must run
// after step i, from the keys each step provides / needs / removes / releases.
std::vector<std::set<size_t>> step_edges(const std::vector<Step>& steps);

// The name an index is built under next to one of the same name it replaces (gen_index.cpp):
// name + "_pgdrift_new", within PostgreSQL's 63 bytes.
std::string temporary_index_name(const std::string& name);

// Preflights (planner/preflight.cpp): queries valid against the source database before any
// step ran. Each returns nullopt when the table (or a column it needs) is not in the source.
// Rows of `table` where `condition` holds; samples are primary keys, else `value_expr`, else
// ctid.
std::optional<Preflight> rows_where(const Context& ctx, const std::string& table,
                                    const std::string& condition, const std::string& description,
                                    const std::string& value_expr = "");
// Rows sharing their key with another row (and, for a PRIMARY KEY, rows with a NULL in it).
std::optional<Preflight> duplicates_preflight(const Context& ctx, const std::string& table,
                                              const std::vector<std::string>& columns,
                                              bool nulls_not_distinct, bool primary_key);
// Rows of `table` whose foreign key columns (all non-NULL) match no row of the referenced table.
std::optional<Preflight> orphans_preflight(const Context& ctx, const std::string& table,
                                           const schema::Constraint& fk);
// Rows for which a CHECK is false; only when every column it reads exists in the source with
// a type of the same family.
std::optional<Preflight> check_preflight(const Context& ctx, const std::string& table,
                                         const std::string& check_expr);
// The column of the source table, or nullptr (new table or column).
const schema::Column* source_column(const Context& ctx, const std::string& table,
                                    const std::string& column);
// Whether `expr` mentions `column` as an identifier token (over-matching, e.g. inside a string
// literal, is possible).
bool mentions_column(const std::string& expr, const std::string& column);

// An object the plan drops and creates again although the user wants to keep it (a view rebuilt
// around a column type change, a function whose return type changes, a generated column whose
// expression changes, a constraint, index, trigger or policy rebuilt around a change it
// depends on, a table recreated for a partitioning change, a recreated enum or domain).
struct Recreated {
  enum class Kind {
    Table,
    View,
    Function,
    Column,
    Constraint,
    Index,
    Trigger,
    Policy,
    Enum,
    Domain,
    Aggregate,
    Collation
  };
  Kind kind = Kind::Table;
  std::string key;     // table / view / type / collation key, function_key or aggregate_key
  std::string member;  // column, constraint, index, trigger or policy name (unquoted)
};
// Emits the COMMENT and GRANT steps that give a re-created object back what the drop took
// (planner/gen_kept.cpp): the comments the target declares (the diff compares comments always)
// on the object and its sub-objects, and the privileges the source had (table, column, view,
// sequence, function ACLs as modelled) — with privileges compared, those the source had and
// the target keeps (the diff grants and revokes the rest), less what the default privileges
// give it, and its owner (the target's, else the source's).
// Call it after the steps that create the object again.
void restore_kept(Context& ctx, const Recreated& object);

// Orders the steps (planner/graph.cpp) and numbers them.
std::vector<Step> order_steps(std::vector<Step> steps);

}  // namespace pgdrift::planner
