// Plan validation: run a plan's SQL script on a scratch copy of its source schema and check
// that the result is the target (docs/planner.md, "Validation"). `pgdrift plan` and
// `pgdrift reconcile --db --out` validate every plan they write with validate_before_writing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "planner/plan.h"
#include "schema/model.h"

namespace pgdrift::planner {

struct ValidationFailure {
  int step_id = 0;        // the failed step (0: a statement outside any step)
  std::string step;       // "step 3 (alter column public.t.c)"
  std::string statement;  // the step's statement
  std::string sqlstate;   // e.g. "42846"; empty when psql gave none
  std::string message;    // PostgreSQL's message
};

struct ValidationResult {
  // The plan could not be validated (no PostgreSQL server binaries, or the source schema does
  // not load into a scratch database); `skipped_reason` says why. Nothing is known.
  bool skipped = false;
  std::string skipped_reason;
  std::optional<ValidationFailure> failure;  // a step failed on the scratch copy
  std::vector<std::string> remaining;        // it ran, but these differences to the target remain
  bool ok() const { return !skipped && !failure && remaining.empty(); }
  bool failed() const { return failure.has_value() || !remaining.empty(); }
  // One paragraph for an error message: the failed step with its SQLSTATE and message, or the
  // remaining differences, one per line.
  std::string describe() const;
};

// PostgreSQL server binaries (initdb, pg_ctl, postgres) are installed: validation can run.
bool can_validate_plans();

// Starts a scratch cluster (pg/scratch_cluster.h), creates `from` in it
// (schema::render_model_sql), runs render_plan_sql(plan) with psql, introspects the result and
// diffs it with `to`. `from` and `to` are filtered with options.diff first, as make_plan does.
// Never throws for what the plan does; a cluster that cannot start throws
// pg::ScratchClusterError.
ValidationResult validate_plan(const schema::Model& from, const schema::Model& to, const Plan& plan,
                               const PlanOptions& options = {});

// validate_plan as every command runs it before a plan is printed or written (`pgdrift plan`,
// `pgdrift reconcile --db --out`), so that they refuse and warn alike. Never throws: an empty
// plan is not validated (there is nothing to fail), and missing server binaries or a scratch
// cluster that cannot start give a skipped result with the reason. The caller writes no plan
// when failed() (describe() says why) and warns with skipped_reason when skipped.
ValidationResult validate_before_writing(const schema::Model& from, const schema::Model& to,
                                         const Plan& plan, const PlanOptions& options = {});

// Which step of render_plan_sql(plan) holds line `line` (1-based) of the script; 0 for lines
// before the first step. A failing COMMIT is charged to the last step of its transaction.
int step_at_script_line(const std::string& script, int line);

}  // namespace pgdrift::planner
