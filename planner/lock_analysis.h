// Live lock analysis before apply runs its steps (issue 17 item 6, docs/apply.md "Blockers"):
// the other sessions that hold, or wait for, a lock on a table the plan locks, in a mode that
// conflicts with the step's (PostgreSQL's table-level lock conflict table, docs 13.3.1). Such a
// session would make the step wait (and everyone queued behind the step with it) until it ends.
// One query for the whole plan, whatever the number of tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "planner/plan.h"
#include "schema/model.h"

namespace pgdrift::planner {

struct LockHolder {
  int pid = 0;
  std::string application_name;
  std::string state;  // pg_stat_activity.state: active, idle in transaction, ...
  std::string mode;   // pg_locks.mode: AccessShareLock, ...
  bool granted = true;
  int64_t transaction_age_s = 0;  // since xact_start
  std::string query;              // the session's current or last query, shortened
};

struct StepBlockers {
  int step_id = 0;
  std::string table;
  std::string lock;  // the step's lock, "ACCESS EXCLUSIVE"
  std::vector<LockHolder> holders;
};

// For each step that takes a lock on a table that exists now (`live`), the sessions (other
// than this connection's) whose lock on it conflicts. Steps without blockers are left out.
std::vector<StepBlockers> find_blockers(const std::string& conninfo, const Plan& plan,
                                        const schema::Model& live);

}  // namespace pgdrift::planner
