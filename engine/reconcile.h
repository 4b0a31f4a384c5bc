// Reconcile: several replayed migration histories (e.g. two Alembic environments that both
// migrated one database) -> one target schema, with every disagreement reported as a conflict
// that names both definitions and the migrations they came from (docs/reconcile.md). The live
// section (best-matching migration, distance) is in engine/reconcile_live.h.
//
// Objects are compared at object granularity, tables member by member: an object (or table
// column / constraint / index / trigger / policy) held by one history only is taken; equal in
// every history that holds it is merged; different is a Conflict. A conflict is resolved only
// by something the user asked for (a resolutions file entry, the documented --prefer-safer
// rules, --prefer NAME), in that order; anything else stays unresolved. Nothing is guessed.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/lint.h"
#include "schema/history/history.h"
#include "schema/model.h"

namespace pgdrift::engine {

// One replayed history, named by the user ("alembic", "migrations").
struct NamedHistory {
  std::string name;
  schema::Model model;
  // Object key -> id of the migration that created or last changed it (history::replay).
  std::map<std::string, std::string> last_changed_by;
  std::map<std::string, std::string> migration_files;  // migration id -> file
  // Column key -> aspect -> the migration and line that last set it
  // (history::ReplayResult::column_aspects); empty for hand-built models.
  std::map<std::string, std::map<std::string, schema::history::AspectChange>> column_aspects;
};

// Where one definition of an object comes from.
struct Origin {
  std::string history;
  std::string migration;            // empty when unknown (hand-built models)
  std::string migration_file;       // empty when unknown
  schema::SourceLocation location;  // the object's own location (file:line)
};
// "alembic 0006_fix (versions/0006_fix.py:23)"
std::string describe_origin(const Origin& origin);

// Where one history last set one differing aspect of a conflicting column: the line users fix
// (an ALTER COLUMN ... TYPE, a COMMENT ON COLUMN), which need not be the column's definition.
struct AspectOrigin {
  std::string aspect;            // schema::column_aspects()
  std::string migration;         // empty when unknown
  schema::SourceLocation where;  // line 0 when only the migration's file is known
};
// "type: 0006_fix (versions/0006_fix.py:23)"
std::string describe_aspect_origin(const AspectOrigin& origin);

// One history's definition of a conflicting object.
struct ConflictSide {
  std::string history;
  std::string ddl;  // canonical DDL (schema/render.h)
  Origin origin;    // location: the object's own definition (a column's own line)
  // Columns: one per differing aspect (Conflict::aspects), where this history last set it.
  std::vector<AspectOrigin> aspects{};
};

struct Conflict {
  // Object key, as history::ReplayResult::last_changed_by names it: "public.users" (table-level
  // attributes), "public.users.id" (column), "public.users constraint users_pkey",
  // "public.users index ix", "public.users trigger t", "public.users policy p",
  // "public.v" (view, sequence, type), "public.f(integer)", "schema s", "extension e".
  std::string key;
  std::string object_kind;           // column, constraint, index, trigger, policy, table, ...
  std::vector<std::string> aspects;  // columns: differing aspects ("type", "not null", ...)
  std::vector<ConflictSide> sides;   // one per history holding the object, in history order
  bool resolved = false;
  std::string taken;       // history name, "sql" (definition given) or "omit"
  std::string resolution;  // why, e.g. "prefer-safer: exact numeric over float (money column)"
};

// One entry of a resolutions file.
struct Resolution {
  std::string key;
  std::string take;  // history name, or empty
  // `sql:` entries: the DDL as written, and what it defines. The engine never reads SQL: the
  // caller (cli/cmd_reconcile.cpp) loads `sql` into definition_context(histories, key) with the
  // SQL loader and stores the result in `definition`, from which reconcile() takes the object
  // the key names.
  std::string sql;
  std::optional<schema::Model> definition;
  bool omit = false;
  std::string where;  // "file:line" (or "file: key") for messages
};

struct ReconcileOptions {
  std::vector<Resolution> resolutions;  // first: explicit per-object decisions
  bool prefer_safer = false;            // then: the documented rules
  std::string prefer;                   // last: this history wins every remaining conflict
};

struct ReconcileResult {
  // The reconciled model. Where a conflict is unresolved it holds the first side's definition
  // as a placeholder: such a target must not be written out (complete() is false).
  schema::Model target;
  std::vector<Conflict> conflicts;
  // Object key (same keys as Conflict::key) -> origins of the definition in the target (two or
  // more when the histories agreed).
  std::map<std::string, std::vector<Origin>> provenance;
  std::vector<std::string> notes;  // things done that are not conflicts (dropped orphan serial
                                   // sequences, ...)
  // The consistency pass over the target (the lint rules in kConsistencyRules): a table one
  // history alone defines is taken as written, so a float money column or a user_id without
  // the foreign key every other user_id has is no conflict, yet not what the team wants.
  // With --prefer-safer the fixable ones are applied (`harmonised`); the rest, and all of them
  // without --prefer-safer, are listed as findings. Neither changes the exit code.
  std::vector<LintFinding> findings;
  std::vector<AppliedFix> harmonised;
  size_t unresolved() const;
  bool complete() const { return unresolved() == 0; }
};

// Bad input: unknown history in --prefer or a resolution, a resolution for a key that is not a
// conflict, SQL that does not load (thrown by the caller that loads it) or does not define the
// object.
class ReconcileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- the merge (engine/reconcile_merge.cpp) ------------------------------------------------
ReconcileResult reconcile(const std::vector<NamedHistory>& histories,
                          const ReconcileOptions& options = {});

// The model a `sql:` resolution for `key` is loaded into, so that its DDL can refer to what the
// histories define (`ALTER TABLE t ADD COLUMN c ...` needs t, a foreign key its referenced
// table): every object of every history (the first history's definition where they differ, a
// table with the members of all), without the object `key` names, which the DDL is to create.
// nullopt when no history has an object of that key (reconcile() then says it is not a
// conflict).
std::optional<schema::Model> definition_context(const std::vector<NamedHistory>& histories,
                                                const std::string& key);

// The lint rules of reconcile's consistency pass: money-as-float, missing-foreign-key,
// inconsistent-id-type, foreign-key-type-mismatch.
const std::set<std::string>& consistency_rules();

// ---- the resolutions file (engine/reconcile_resolutions.cpp) -----------------------------
// A resolutions file: JSON ({"key": "history"} or {"key": {"take": "h"} | {"sql": "..."} |
// {"omit": true}}) or text, one per line: `key = take NAME`, `key = sql: DDL`, `key = omit`
// (`#` comments). Throws ReconcileError naming file:line.
std::vector<Resolution> parse_resolutions(const std::string& text, const std::string& filename);
std::vector<Resolution> load_resolutions_file(const std::string& path);

// ---- prefer-safer rules (engine/reconcile_rules.cpp) -------------------------------------
// A decision of one rule: which of two definitions to take, and why.
struct RuleDecision {
  bool decided = false;
  int side = 0;  // 0 = a, 1 = b
  std::string reason;
  // Columns: the taken side has no comment, the other one has: keep it (comment over none).
  bool keep_other_comment = false;
};
// The column vocabulary (is_money_like_column, is_float_type, ...) is in engine/lint.h.
// The differing aspects of two definitions of one column: schema::differing_column_aspects.
// Two types of which one holds every value of the other: text / varchar(n) / char(n) by length
// (char(n) vs varchar(n) is not decided), smallint < integer < bigint, timestamp <
// timestamptz. Undecided for any other pair.
RuleDecision wider_type(const std::string& a, const std::string& b);
RuleDecision safer_column(const schema::Column& a, const schema::Column& b);
// For any object with an optional `comment`: the commented side when that is the only
// difference.
RuleDecision comment_only(bool equal_without_comment, bool a_has_comment, bool b_has_comment);

// ---- output (engine/reconcile_output.cpp) ---------------------------------------------------
// The target as a declarative schema directory: file name -> content. Files: 00_schemas_
// extensions.sql, 10_types.sql, 12_functions.sql (not LANGUAGE sql), 15_sequences.sql (not
// owned by a column), 20_tables.sql, 25_foreign_keys.sql, 30_views.sql,
// 40_functions_triggers.sql (LANGUAGE sql functions, triggers); empty groups are left out. Every
// object is preceded by `-- from: <history> <migration> (<file>:<line>)` lines. Loads back
// (schema/sql/loader.h) into a model equal to result.target.
std::map<std::string, std::string> render_schema_directory(const ReconcileResult& result);

}  // namespace pgdrift::engine
