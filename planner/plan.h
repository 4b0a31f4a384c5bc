// A migration plan: ordered, hazard-annotated statements that turn one schema into another.
// make_plan = diff (engine) -> one generator per object kind -> dependency-graph ordering.
#pragma once

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

struct PlanOptions {
  bool online = true;  // CONCURRENTLY, NOT VALID + VALIDATE, USING INDEX, ...
  int lock_timeout_ms = 5000;
  // Ordinary steps; long-running steps (index builds, validations, rewrites, backfills) get 0
  // (no limit) unless long_statement_timeout_ms is set.
  int statement_timeout_ms = 30000;
  int long_statement_timeout_ms = 0;
  engine::DiffOptions diff;
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
  int statement_timeout_ms = 0;          // 0 = no limit
  std::optional<std::string> preflight;  // query returning the number of rows at risk
  std::string note;                      // why the step looks the way it does

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

Plan make_plan(const schema::Model& from, const schema::Model& to, const PlanOptions& options = {});

// "sha256:" + 64 hex digits: SHA-256 (OpenSSL) of dump_model_json(fingerprint_form(model)).
std::string model_fingerprint(const schema::Model& model);

// The model as fingerprints see it: what a plan cannot control is left out. Column position
// is one: ADD COLUMN appends, so a plan that adds a column in the middle of a table reaches
// the target with the column at the end. Table columns and composite type attributes are
// ordered by name (the diff and drift still compare the models as they are).
schema::Model fingerprint_form(const schema::Model& model);

// Hazards of the plan that are not in `allowed`, sorted, unique.
std::vector<Hazard> disallowed_hazards(const Plan& plan, const std::set<Hazard>& allowed);

// How the steps run, in order (planner/transactions.cpp; render_plan_sql and apply both follow
// it). Consecutive transactional steps share one transaction, so a failure leaves the database
// as it was before the group: a dropped foreign key comes back when the retype it made room
// for fails. Two kinds of step run apart:
// - a non-transactional step (CONCURRENTLY, ALTER TYPE ... ADD VALUE) runs alone in
//   autocommit, because PostgreSQL refuses it inside a transaction block;
// - a validation step (VALIDATE CONSTRAINT) runs in a transaction of its own after the
//   preceding group committed: the point of NOT VALID + VALIDATE is that the scan runs without
//   the strong lock the ADD took, and that lock is held until its transaction ends; a backfill
//   step (Hazard::Backfill, the UPDATE after an online ADD COLUMN) runs apart for the same reason.
struct StepGroup {
  bool in_transaction = true;
  std::vector<size_t> steps;  // indexes into the plan's steps
};
std::vector<StepGroup> step_groups(const std::vector<Step>& steps);

// Renderers (planner/render_*.cpp).
std::string render_plan_sql(const Plan& plan);
std::string render_plan_json(const Plan& plan);
std::string render_plan_markdown(const Plan& plan);

// Reads a plan written by render_plan_json (format "pgdrift-plan/1", planner/plan_json_read.cpp).
// Only what the JSON carries is filled in (no ordering keys, objects or changes). Throws
// std::runtime_error naming `filename` and the offending field.
Plan read_plan_json(const std::string& text, const std::string& filename);

}  // namespace pgdrift::planner
