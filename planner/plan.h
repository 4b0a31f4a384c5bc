// A migration plan: ordered, hazard-annotated statements that turn one schema into another.
// make_plan = diff (engine) -> one generator per object kind -> dependency-graph ordering.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/changes.h"
#include "engine/diff.h"
#include "planner/hazards.h"
#include "schema/model.h"

namespace pgdrift::planner {

// A backup apply took of the values a lossy step destroys (planner/backup.h): what the
// rollback of that apply restores.
struct Backup {
  int step = 0;                  // the step of the apply it was taken for
  std::string table;             // the table's key, e.g. public.t
  std::string column;            // unquoted; empty = every row of the table
  std::vector<std::string> key;  // unquoted key columns (a column backup)
  std::string backup_table;      // qualified, e.g. pgdrift_backup."12_3"; empty when skipped
  std::string skipped;           // why no backup is taken; empty when one is
  std::string statement;         // CREATE TABLE <backup_table> AS SELECT ... (apply runs it)
  bool taken = false;            // the backup was made and its step committed
  int64_t rows = -1;             // rows copied (when taken)
  bool operator==(const Backup&) const = default;
};

struct PlanOptions {
  bool online = true;  // CONCURRENTLY, NOT VALID + VALIDATE, USING INDEX, ...
  // Every step in one transaction: a failure anywhere leaves the database as it was. Online
  // forms that need their own transaction give way to their in-transaction equivalents.
  bool atomic = false;
  int lock_timeout_ms = 5000;
  // Ordinary steps; long-running steps (index builds, validations, rewrites, backfills) get 0
  // (no limit) unless long_statement_timeout_ms is set.
  int statement_timeout_ms = 30000;
  int long_statement_timeout_ms = 0;
  // The online backfill of a volatile default (ADD COLUMN, planner/gen_column.cpp) pages
  // through the table by its key in batches of this many rows, each committed on its own, so
  // that no transaction holds more than one batch's row locks and an interrupted run keeps
  // what it committed (a table of at most this many rows is filled by the first batch, in one
  // short transaction). 0: one UPDATE of every row, as a single transaction; a table without a
  // key to page by gets that too. (`--atomic` plans use the plain forms: no backfill.)
  int backfill_batch_rows = 10000;
  engine::DiffOptions diff;
  // Plan the way back too (Plan::rollback, planner/rollback.cpp): what `plan` and `apply` show
  // and what `pgdrift rollback` runs.
  bool rollback = false;
  // Backups to restore (pgdrift rollback, planner/gen_restore.cpp): after the step that
  // re-creates or converts back a backed-up column or table, a step puts the saved values back.
  std::vector<Backup> restores{};
};

// The rows a step puts at risk (docs/apply.md, "Preflights"): queries valid against the
// *source* database before any step ran (source tables, columns and column types).
struct Preflight {
  std::string count_sql;    // SELECT count(*) ...: the number of rows at risk
  std::string sample_sql;   // up to 5 sample primary keys (or offending values / ctid) as text;
                            // may be empty
  std::string description;  // e.g. "rows whose user_id is not a valid uuid"
  bool operator==(const Preflight&) const = default;
};

// What a preflight counted in a database: `pgdrift plan --from DB` and `apply`.
struct RowsAtRisk {
  int64_t count = 0;
  std::vector<std::string> samples;  // at most 5
  bool operator==(const RowsAtRisk&) const = default;
};

// A session whose lock on a table a step locks conflicts with the step's lock (or, for CREATE
// INDEX CONCURRENTLY, any old transaction of the database, which the build waits for).
struct LockHolder {
  int pid = 0;
  std::string application_name;
  std::string state;  // pg_stat_activity.state: active, idle in transaction, ...
  std::string mode;   // pg_locks.mode: AccessShareLock, ...; "" for an old transaction
  bool granted = true;
  int64_t transaction_age_s = 0;  // since xact_start
  std::string query;              // the session's current or last query, shortened
  bool operator==(const LockHolder&) const = default;
};

// What a step that locks an existing table meets there (planner/lock_analysis.h): the table's
// size, how long the step's long part takes at the rates measured by bench/lock_rates_bench.sh,
// and the sessions it would wait for. Filled by `plan --from DB` and by apply.
struct LockAnalysis {
  std::string table;
  int64_t total_bytes = 0;  // pg_total_relation_size over the partition tree
  int64_t heap_bytes = 0;   // pg_relation_size over the partition tree
  int64_t rows = -1;        // reltuples (summed over partitions); -1: never analyzed
  // rewrite | validation_scan | index_build | backfill | "" (a catalog change: as long as the
  // lock wait)
  std::string operation;
  double estimated_seconds = 0;
  std::vector<LockHolder> blockers;
  // Of `blockers`, the pids of transactions open longer than --max-transaction-age.
  std::vector<int> old_transactions;
  bool operator==(const LockAnalysis&) const = default;
};

// How a step is undone (docs/planner.md, "Rollback"): the steps of the plan's rollback on the
// same object, and whether undoing it gives back exactly what the source had.
struct Inverse {
  std::vector<int> steps;  // ids in Plan::rollback->steps
  bool exact = true;
  // Not exact: what is lost and why ("drop column: values lost", "numeric(12,2) -> double
  // precision: original values were rounded"); exact: a remark, or empty.
  std::string why;
  bool operator==(const Inverse&) const = default;
};

// The form a step takes when it must run inside a transaction after all (between a drop and
// its re-creation, or an atomic arrangement: arrange_transactions), for a non-transactional
// step whose in-transaction form is not just the statement without CONCURRENTLY.
struct InTransactionForm {
  std::string statement;
  std::string lock;
  std::string note;
};

struct Step {
  int id = 0;  // 1-based position in the plan
  std::string statement;
  std::string object_kind;  // "table", "column", "index", ...
  std::string object_name;  // qualified name, e.g. public.t.c
  engine::ChangeKind change_kind = engine::ChangeKind::Alter;
  std::vector<Hazard> hazards;  // sorted, unique
  std::string lock;             // e.g. "ACCESS EXCLUSIVE"; empty = none worth noting
  bool transactional = true;    // false: must run outside BEGIN/COMMIT (CONCURRENTLY, ...)
  int lock_timeout_ms = 0;
  int statement_timeout_ms = 0;        // 0 = no limit
  std::optional<Preflight> preflight;  // rows at risk, counted before any step runs
  std::string note;                    // why the step looks the way it does
  // Counted in the source database when the plan was made from one (plan --from DB).
  std::optional<RowsAtRisk> rows_at_risk;
  // A reviewer's accepted maximum of rows at risk (plan JSON "accept_rows_at_risk", honoured
  // by apply --plan); unset = 0.
  std::optional<int64_t> accept_rows_at_risk;
  // How it is undone (plans made with PlanOptions::rollback).
  std::optional<Inverse> inverse;
  // What it meets in the database (plan --from DB; apply).
  std::optional<LockAnalysis> lock_analysis;
  // A batched backfill (a DO block that commits per batch): its single-UPDATE form. Only
  // arrange_transactions reads it; it is not part of the plan's renderings.
  std::optional<InTransactionForm> in_transaction_form;

  // Ordering (planner/graph.cpp). Keys name objects: "table:public.t", "column:public.t.c",
  // "type:public.mood", "function:public.f", "uniques:public.t" (any PK/UNIQUE), ...
  int phase = 0;                           // tie-break order when the graph leaves a choice
  bool long_running = false;               // statement_timeout: long_statement_timeout_ms
  std::vector<std::string> provides;       // created or changed by this step
  std::vector<std::string> needs;          // must be provided first (when the plan provides it)
  std::vector<std::string> removes;        // dropped by this step
  std::vector<std::string> releases;       // must still exist when this step runs (not dropped yet)
  std::vector<std::string> after_removal;  // must already be dropped (when the plan drops it)
};

struct StepGroup {
  bool in_transaction = true;
  std::vector<size_t> steps;     // indexes into the plan's steps
  bool safe_point_after = true;  // the database is complete once this group has run
};

// Canonical DDL of one changed object before and after (for the markdown report).
struct ObjectDdl {
  std::string object;
  std::string before;
  std::string after;
};

struct Plan {
  std::vector<Step> steps;
  std::string source_fingerprint;  // model_fingerprint of the (filtered) source
  std::string target_fingerprint;
  std::vector<ObjectDdl> objects;    // per changed top-level object
  std::vector<std::string> changes;  // engine::describe_changes of the diff
  std::vector<StepGroup> groups;     // how the steps run (arrange_transactions)
  bool atomic = false;               // one transaction for every step (--atomic)
  // Steps that could not be placed at a safe point, each with why (empty when every commit
  // point is safe).
  std::vector<std::string> unsafe;
  // The way back (PlanOptions::rollback): the plan from the target to the source, made by the
  // same planner (so it is ordered, hazard-annotated and arranged at safe points like any
  // plan); null when not asked for, or when it cannot be made (rollback_refused says why).
  std::shared_ptr<const Plan> rollback;
  std::string rollback_refused;
  bool empty() const { return steps.empty(); }
};

// make_plan throws it when a change cannot be planned at all, e.g. a column type change
// between two built-in types that PostgreSQL has no cast for (planner/casts.h) and for which no
// USING is known: "public.t.c: cannot change type uuid to integer: PostgreSQL has no cast ...".
// The CLI turns it into exit 2.
class PlanRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The plan from `from` to `to` (models of the schemas in scope: the sources filter them).
Plan make_plan(const schema::Model& from, const schema::Model& to, const PlanOptions& options = {});
// The same for changes already computed: `changes` must be diff_models(from, to, options.diff).
// Drift uses it, so that its fix steps are the plan of exactly the changes it reports.
Plan make_plan(const schema::Model& from, const schema::Model& to, const engine::Changes& changes,
               const PlanOptions& options);

// Fills plan.rollback with make_plan(to, from) and each step's inverse (planner/rollback.cpp);
// make_plan calls it when options.rollback is set.
void attach_rollback(Plan& plan, const schema::Model& from, const schema::Model& to,
                     const PlanOptions& options);

// "exact, by rollback steps 3, 4" / "LOSSY (drop column: values lost), by rollback step 1":
// how the SQL and Markdown renderings say it.
std::string describe_inverse(const Inverse& inverse);

// "sha256:" + 64 hex digits: SHA-256 (OpenSSL) of dump_model_json(fingerprint_form(model)).
std::string model_fingerprint(const schema::Model& model);

// The model as fingerprints see it: what a plan cannot control is left out. Column position
// is one: ADD COLUMN appends, so a plan that adds a column in the middle of a table reaches
// the target with the column at the end. Table columns and composite type attributes are
// ordered by name (the diff and drift still compare the models as they are). Owners are
// another: a target declares some at most.
schema::Model fingerprint_form(const schema::Model& model);

// Hazards of the plan that are not in `allowed`, sorted, unique.
std::vector<Hazard> disallowed_hazards(const Plan& plan, const std::set<Hazard>& allowed);

// How the steps run, in order (planner/transactions.cpp; render_plan_sql and apply both follow
// it). The rule (docs/planner.md, "Safe points"): every point at which a plan commits is a
// *safe point*: the database then holds a complete schema, in which nothing the source had and
// the target keeps is missing and nothing is half built. So an object dropped to make way for
// a change (a view over a retyped column, a CHECK, a policy, a foreign key) is re-created in
// the same transaction as that change, and consecutive transactional steps share one
// transaction. Three kinds of step run apart, and only at safe points:
// - a non-transactional step (CONCURRENTLY, ALTER TYPE ... ADD VALUE) runs alone in
//   autocommit, because PostgreSQL refuses it inside a transaction block;
// - a validation step (VALIDATE CONSTRAINT) runs in a transaction of its own after the
//   NOT VALID add committed: the point of NOT VALID + VALIDATE is that the scan runs without
//   the strong lock the ADD took, and that lock is held until its transaction ends;
// - a backfill step (Hazard::Backfill, the UPDATE after an online ADD COLUMN), for the same
//   reason; a batched backfill (a DO block that commits after each batch) is also
//   non-transactional: PostgreSQL allows COMMIT in a DO block only outside a transaction
//   block, so it runs alone in autocommit, and each of its commits is a safe point (the
//   column exists, with its default, before it starts).
// arrange_transactions moves such steps (with what depends on them, or what they depend on)
// out of a drop...re-create span; where neither move is possible it runs the step inside the
// span's transaction in its in-transaction form (CREATE INDEX without CONCURRENTLY, a batched
// backfill's single UPDATE: Step::in_transaction_form, ...) and
// says so in the step's note and hazards. A step it can do neither with (an enum ADD VALUE
// whose value the span uses) is named in Plan::unsafe, and the boundaries around it are marked
// unsafe; --atomic plans have no such boundaries.

// Reorders plan.steps (renumbering their ids) and fills plan.groups, plan.unsafe and
// plan.atomic. Needs the ordering keys of the steps, so it runs inside make_plan.
void arrange_transactions(Plan& plan, bool atomic);

// The groups the plan runs in: plan.groups, or for a plan without them (read from a file that
// predates them) consecutive transactional steps together and the others apart.
std::vector<StepGroup> step_groups(const Plan& plan);

// Renderers (planner/render_*.cpp).
std::string render_plan_sql(const Plan& plan);
std::string render_plan_json(const Plan& plan);
std::string render_plan_markdown(const Plan& plan);
// Text as one Markdown table cell: pipes escaped, line breaks as spaces; longer than
// `max_length` (0 = any length) shortened with "...".
std::string markdown_cell(const std::string& text, size_t max_length = 0);

// Reads a plan written by render_plan_json (format "pgdrift-plan/1", planner/plan_json_read.cpp).
// Only what the JSON carries is filled in (no ordering keys, objects or changes). Throws
// std::runtime_error naming `filename` and the offending field.
Plan read_plan_json(const std::string& text, const std::string& filename);

}  // namespace pgdrift::planner
