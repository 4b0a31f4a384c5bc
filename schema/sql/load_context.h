// Internal to the SQL loader: the state shared by the per-statement loaders, and their
// declarations. One load_<kind>.cpp per statement kind implements the functions below.
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <map>
#include <string>
#include <vector>

#include "schema/model.h"
#include "schema/sql/loader.h"
#include "schema/sql/naming.h"

namespace pgdrift::schema::sql {

struct LoadContext {
  Model& model;
  const LoadOptions& options;
  std::string file;         // name used in messages and SourceLocation
  const std::string& text;  // the whole file
  std::vector<LoadWarning>& warnings;
  std::string search_schema;  // schema of unqualified names (SET search_path changes it)
  int stmt_location = 0;      // byte offset of the current statement in `text`

  // Byte offsets where each line of `text` starts, built on first use: locating an offset is
  // then a binary search, whatever order offsets are asked in (rescanning from the start when
  // an earlier offset came after a later one made a 10,000-table file quadratic).
  mutable std::vector<size_t> line_starts;

  // Names taken per schema, for choosing implicit names (see NameRegistry's invariant).
  NameRegistry names;

  // `-- pgdrift:renamed-from` annotations already given to an object: byte offset of the
  // annotation -> the object it renames, so one annotation never silently renames two.
  std::map<size_t, std::string> claimed_renames;
  // The role creating objects: "" = the role that runs the SQL (the session user), else the
  // role of SET ROLE / SET SESSION AUTHORIZATION. Default privileges apply to its objects.
  std::string current_role;

  // file:line of a byte offset (-1 or 0 = the statement's start).
  SourceLocation location_at(int byte_offset) const;
  int column_at(int byte_offset) const;
  // The old name a `-- pgdrift:renamed-from old_name` annotation gives the object `what`
  // (e.g. `column "a"`) defined at byte_offset (0 = the statement's start): the annotation at
  // the end of that line, or alone on the line directly above when the object begins its line.
  // Empty when there is none. One annotation claimed by two objects is a load error.
  std::string renamed_from_at(int byte_offset, const std::string& what);
  // Stop the load with "file:line:column: message".
  [[noreturn]] void fail(int byte_offset, const std::string& message) const;
  // A statement (or clause) the loader does not handle: an error, or a warning with
  // --skip-unsupported. Never silently dropped.
  void unsupported(int byte_offset, const std::string& what);

  // Schema of a possibly-unqualified name.
  std::string schema_or_default(const char* schemaname) const;
  std::string key_of(const PgQuery__RangeVar* rv) const;  // qualified key
  // Existing table named by rv, or fail() with its location ("table ... does not exist").
  Table& table(const PgQuery__RangeVar* rv);
  // An object of `object_type` (TABLES, SEQUENCES, FUNCTIONS, SCHEMAS) was just created in
  // `schema_name`: it belongs to the current role (when SET ROLE named one) and gets the
  // privileges the default privileges give that role's objects, as PostgreSQL grants them.
  template <class T>
  void created(T& object, const std::string& object_type, const std::string& schema_name) const {
    if (!current_role.empty()) object.owner = current_role;
    default_grants(object.grants, object_type, schema_name);
  }
  void default_grants(std::vector<Grant>& grants, const std::string& object_type,
                      const std::string& schema_name) const;
};

// Names of the per-statement loaders. `stmt` is the node of that kind.
void load_create_table(LoadContext& ctx, const PgQuery__CreateStmt* stmt);
void load_alter_table(LoadContext& ctx, const PgQuery__AlterTableStmt* stmt);
void load_create_index(LoadContext& ctx, const PgQuery__IndexStmt* stmt);
void load_rename(LoadContext& ctx, const PgQuery__RenameStmt* stmt);
void load_create_sequence(LoadContext& ctx, const PgQuery__CreateSeqStmt* stmt);
void load_alter_sequence(LoadContext& ctx, const PgQuery__AlterSeqStmt* stmt);
void load_create_enum(LoadContext& ctx, const PgQuery__CreateEnumStmt* stmt);
void load_alter_enum(LoadContext& ctx, const PgQuery__AlterEnumStmt* stmt);
void load_create_composite_type(LoadContext& ctx, const PgQuery__CompositeTypeStmt* stmt);
void load_create_domain(LoadContext& ctx, const PgQuery__CreateDomainStmt* stmt);
void load_alter_domain(LoadContext& ctx, const PgQuery__AlterDomainStmt* stmt);
void load_create_view(LoadContext& ctx, const PgQuery__ViewStmt* stmt);
void load_create_table_as(LoadContext& ctx, const PgQuery__CreateTableAsStmt* stmt);
// ALTER [MATERIALIZED] VIEW ... SET (...) / RESET (...) of `view`.
void load_alter_view_options(LoadContext& ctx, View& view, const PgQuery__AlterTableCmd* cmd);
void load_create_function(LoadContext& ctx, const PgQuery__CreateFunctionStmt* stmt);
void load_alter_function(LoadContext& ctx, const PgQuery__AlterFunctionStmt* stmt);
// CREATE AGGREGATE / CREATE COLLATION (DefineStmt of kind OBJECT_AGGREGATE / OBJECT_COLLATION).
void load_create_aggregate(LoadContext& ctx, const PgQuery__DefineStmt* stmt);
void load_create_collation(LoadContext& ctx, const PgQuery__DefineStmt* stmt);
void load_create_trigger(LoadContext& ctx, const PgQuery__CreateTrigStmt* stmt);
void load_create_extension(LoadContext& ctx, const PgQuery__CreateExtensionStmt* stmt);
void load_create_schema(LoadContext& ctx, const PgQuery__CreateSchemaStmt* stmt);
void load_create_policy(LoadContext& ctx, const PgQuery__CreatePolicyStmt* stmt);
void load_alter_policy(LoadContext& ctx, const PgQuery__AlterPolicyStmt* stmt);
void load_grant(LoadContext& ctx, const PgQuery__GrantStmt* stmt);
void load_alter_default_privileges(LoadContext& ctx,
                                   const PgQuery__AlterDefaultPrivilegesStmt* stmt);
// ALTER ... OWNER TO (functions, types, domains, schemas; relations come as ALTER TABLE).
void load_alter_owner(LoadContext& ctx, const PgQuery__AlterOwnerStmt* stmt);
// ALTER TABLE / VIEW / SEQUENCE ... OWNER TO of the relation `key` (a table's sequences
// change owner with it, as PostgreSQL does).
void set_relation_owner(LoadContext& ctx, const std::string& key, const PgQuery__RoleSpec* role);
// The role an OWNER TO / AUTHORIZATION names: "" for CURRENT_USER / SESSION_USER / CURRENT_ROLE
// (the role that runs the SQL: not declared).
std::string owner_role(LoadContext& ctx, const PgQuery__RoleSpec* role);
void load_drop(LoadContext& ctx, const PgQuery__DropStmt* stmt);
void load_comment(LoadContext& ctx, const PgQuery__CommentStmt* stmt);

}  // namespace pgdrift::schema::sql
