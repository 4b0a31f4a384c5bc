// Applying a plan to a live database (docs/apply.md): one session, named pgdrift-apply, that
// holds a session-level advisory lock and runs the plan's steps in the groups of step_groups()
// (planner/plan.h): consecutive transactional steps share one transaction, non-transactional
// steps (CONCURRENTLY, ALTER TYPE ... ADD VALUE) run alone in autocommit, validations in a
// transaction of their own. A failing statement stops the run and is reported, never thrown.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "planner/plan.h"

namespace pgdrift::planner {

// The advisory lock key every apply takes: FNV-1a 64 of "pgdrift" as a signed bigint,
// -601851002690663325 (0xf7a5cbb3a8e90c63). Advisory locks are per database, so applies to
// different databases of one cluster do not wait for each other.
int64_t apply_lock_key();

// Another session holds the apply lock (after waiting as long as asked).
class ApplyLockBusy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The apply session is not a session of its own on the server: its statements reach
// PostgreSQL through a pooler in transaction mode (PgBouncer, Supavisor), where the session
// advisory lock and the session SETs do not hold. The message says why and asks for a direct
// connection.
class ApplyNotDirect : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class StepStatus {
  Planned,     // --dry-run: would run
  Applied,     // committed (or, outside a transaction, completed)
  Failed,      // this statement failed
  RolledBack,  // ran, but in the transaction the failure rolled back
  Skipped,     // not run because an earlier step failed
};
std::string step_status_name(StepStatus status);  // planned | applied | failed | ...

struct StepOutcome {
  int id = 0;
  StepStatus status = StepStatus::Skipped;
  double elapsed_ms = 0;                  // the statement alone, without the SETs
  std::optional<int64_t> preflight_rows;  // rows at risk, from the preflight phase
  std::string sqlstate;                   // when failed (empty if the connection broke)
  std::string error;                      // PostgreSQL's message, when failed
  std::string remark;                     // e.g. the INVALID index a failed build left behind
  int lock_retries = 0;                   // times its group ran again after a lock timeout
};

struct ApplyResult {
  std::vector<StepOutcome> steps;  // one per plan step, in plan order
  bool failed() const;
  const StepOutcome* failed_step() const;  // nullptr when every step was applied
  std::vector<int> committed_step_ids() const;
};

// What one step's preflight found (docs/apply.md, "Preflights").
struct PreflightResult {
  int id = 0;                        // the step's id
  std::optional<int64_t> rows;       // rows at risk; unset when the query failed
  std::vector<std::string> samples;  // up to 5 sample keys (queried only when rows > 0)
  std::string error;                 // the query failed: "SQLSTATE xxxxx: message"
};

// Runs the preflight of every step that has one, in plan order, in ONE
// `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY` transaction (one snapshot, nothing
// written), each under its step's lock_timeout / statement_timeout. A failing query is
// recorded in its result (the others still run, behind a savepoint). Throws only when the
// connection breaks.
std::vector<PreflightResult> run_preflights(const std::string& conninfo, const Plan& plan);

// Outcomes for a plan that is not executed (--dry-run, refused hazards, stale plan).
ApplyResult planned_outcomes(const Plan& plan, StepStatus status);

// Told when each step starts and ends (apply's live progress, planner/apply_progress.h). Called
// on the applying thread; start is called before the step's statement is sent.
class ApplyObserver {
 public:
  virtual ~ApplyObserver() = default;
  virtual void step_started(const Step& step, size_t position, size_t count) = 0;
  virtual void step_finished(const Step& step, const StepOutcome& outcome) = 0;
};

// The session that applies: connect, lock, execute. The lock is released when the session is
// destroyed (the connection closes).
class ApplySession {
 public:
  // Connects with application_name=pgdrift-apply. Throws schema::live::ConnectionError (the
  // message never contains the password).
  explicit ApplySession(const std::string& conninfo);
  ~ApplySession();
  ApplySession(const ApplySession&) = delete;
  ApplySession& operator=(const ApplySession&) = delete;

  // pg_try_advisory_lock(apply_lock_key()), retried every 100 ms for up to `wait_ms` (0 = try
  // once). Throws ApplyLockBusy naming the holder's pid and application_name.
  // Then checks that this is a direct session (docs/apply.md, "Connection poolers"): the
  // backend that took the lock still runs this session's statements, and a second connection
  // sees the lock granted to that backend, which is idle, labelled pgdrift-apply and not its
  // own. Otherwise the lock is released (as far as it can be: it belongs to the pooler's
  // server connection) and ApplyNotDirect is thrown.
  void lock(int wait_ms);

  // The preflight phase (see run_preflights above) on this session, before execute().
  std::vector<PreflightResult> run_preflights(const Plan& plan);

  // Runs the steps in order (see the header comment); stops at the first failure. Each of
  // `backups` (planner/backup.h) with a statement is made just before its step, in the step's
  // transaction; it is marked taken, with its row count, when that transaction commits.
  ApplyResult execute(const Plan& plan, std::vector<Backup>* backups = nullptr);

  // --lock-retries N: a group whose step times out waiting for a lock (SQLSTATE 55P03, after
  // the step's lock_timeout) is rolled back and run again, up to N times, after a pause of
  // 0.25 s, 0.5 s, 1 s, ... (at most 10 s). Default 0: the timeout is the step's failure.
  void set_lock_retries(int retries) { lock_retries_ = retries; }
  // Live progress: `observer` (not owned; may be null) hears of every step.
  void set_observer(ApplyObserver* observer) { observer_ = observer; }
  // The server process of this session (pg_backend_pid()), for pg_stat_progress_* views.
  int backend_pid();

 private:
  // After the lock: throws ApplyNotDirect unless this is a direct session (apply.cpp says
  // which checks and why). `holder` is the pid of the backend that took the lock.
  void check_direct_session(int64_t holder);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  int lock_retries_ = 0;
  ApplyObserver* observer_ = nullptr;
};

}  // namespace pgdrift::planner
