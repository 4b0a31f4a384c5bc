// The plan executor (docs/apply.md). Steps run in the groups of step_groups() (planner/plan.h),
// exactly like the SQL script. The session stays in libpqxx's nontransaction (autocommit) and
// issues BEGIN / COMMIT / ROLLBACK itself, because the groups decide where transactions end.
#include "planner/apply.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "schema/live/connection.h"

namespace pgdrift::planner {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t fnv1a64_signed(const char* text) {
  uint64_t hash = 14695981039346656037ull;
  for (; *text; ++text) {
    hash ^= static_cast<unsigned char>(*text);
    hash *= 1099511628211ull;
  }
  return static_cast<int64_t>(hash);
}

// PostgreSQL's message without the "ERROR:  " severity prefix, on one line.
std::string clean_error(const std::string& what) {
  std::string text = what;
  if (text.rfind("ERROR:", 0) == 0) text = text.substr(6);
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string upper(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// CREATE [UNIQUE] INDEX CONCURRENTLY: a failure leaves an INVALID index behind.
bool is_concurrent_index_build(const Step& step) {
  std::string text = upper(step.statement);
  size_t start = text.find_first_not_of(" \t\r\n");
  return start != std::string::npos && text.compare(start, 6, "CREATE") == 0 &&
         text.find("INDEX CONCURRENTLY") != std::string::npos;
}

std::string invalid_index_remark(const std::string& left) {
  if (left.empty())
    return "a failed CREATE INDEX CONCURRENTLY may leave an INVALID index (pg_index.indisvalid): "
           "the next apply drops it and builds it again";
  return "the failed CREATE INDEX CONCURRENTLY left the INVALID index " + left +
         ": the next apply drops it and builds it again (pgdrift drift reports it until then)";
}

// A backfill that commits per batch (a DO block outside a transaction block): a failure keeps
// the batches before it.
bool is_batched_backfill(const Step& step) {
  return !step.transactional && std::find(step.hazards.begin(), step.hazards.end(),
                                          Hazard::Backfill) != step.hazards.end();
}

const char* kInvalidIndexes =
    "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_index i "
    "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE NOT i.indisvalid ORDER BY 1";

// pg_locks rows (alias l) of the apply lock granted in this database. A bigint advisory key is
// stored as classid = high 32 bits, objid = low 32 bits, objsubid 1.
std::string apply_lock_rows(const std::string& key) {
  return "l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
         "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
         "AND l.classid::bigint = ((" +
         key + ") >> 32) & 4294967295 AND l.objid::bigint = (" + key + ") & 4294967295";
}

// The preflight phase on an autocommit session: one read-only snapshot, a savepoint per query
// so that a failing one does not hide the others.
std::vector<PreflightResult> preflights_on(pqxx::nontransaction& work, const Plan& plan) {
  std::vector<PreflightResult> results;
  bool any = false;
  for (const auto& s : plan.steps) any = any || s.preflight.has_value();
  if (!any) return results;
  work.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    // In the transaction, not on the session: through a pooler in transaction mode (plan
    // --from a PgBouncer URL) a session SET would change a server connection other clients
    // share, and need not reach the backend this transaction runs on.
    work.exec("SET LOCAL client_min_messages = warning");
    for (const auto& step : plan.steps) {
      if (!step.preflight) continue;
      PreflightResult r;
      r.id = step.id;
      work.exec("SAVEPOINT pgdrift_preflight");
      try {
        work.exec("SET LOCAL lock_timeout = " + std::to_string(step.lock_timeout_ms) +
                  "; SET LOCAL statement_timeout = " + std::to_string(step.statement_timeout_ms));
        pqxx::result rows = work.exec(step.preflight->count_sql);
        r.rows = rows.empty() || rows[0][0].is_null() ? 0 : rows[0][0].as<int64_t>();
        if (*r.rows > 0 && !step.preflight->sample_sql.empty())
          for (const auto& row : work.exec(step.preflight->sample_sql))
            if (r.samples.size() < 5)
              r.samples.push_back(row[0].is_null() ? "NULL" : row[0].c_str());
        work.exec("RELEASE SAVEPOINT pgdrift_preflight");
      } catch (const pqxx::broken_connection&) {
        throw;
      } catch (const pqxx::sql_error& e) {
        r.rows.reset();
        r.samples.clear();
        r.error = "SQLSTATE " + e.sqlstate() + ": " + clean_error(e.what());
        work.exec("ROLLBACK TO SAVEPOINT pgdrift_preflight");
      }
      results.push_back(std::move(r));
    }
    work.exec("COMMIT");
  } catch (...) {
    try {
      work.exec("ROLLBACK");
    } catch (const std::exception&) {
    }
    throw;
  }
  return results;
}

}  // namespace

std::vector<PreflightResult> run_preflights(const std::string& conninfo, const Plan& plan) {
  auto connection = schema::live::connect(conninfo);
  pqxx::nontransaction work(*connection, "pgdrift-preflight");
  // PgBouncer keeps application_name per client (it re-SETs it on the server it links to).
  work.exec("SET application_name = 'pgdrift-plan'");
  return preflights_on(work, plan);
}

int64_t apply_lock_key() {
  constexpr int64_t key = fnv1a64_signed("pgdrift");
  static_assert(key == -601851002690663325LL, "docs/apply.md names this value");
  return key;
}

std::string step_status_name(StepStatus status) {
  switch (status) {
    case StepStatus::Planned:
      return "planned";
    case StepStatus::Applied:
      return "applied";
    case StepStatus::Failed:
      return "failed";
    case StepStatus::RolledBack:
      return "rolled_back";
    case StepStatus::Skipped:
      return "skipped";
  }
  return "skipped";
}

bool ApplyResult::failed() const { return failed_step() != nullptr; }

const StepOutcome* ApplyResult::failed_step() const {
  for (const auto& s : steps)
    if (s.status == StepStatus::Failed) return &s;
  return nullptr;
}

std::vector<int> ApplyResult::committed_step_ids() const {
  std::vector<int> ids;
  for (const auto& s : steps)
    if (s.status == StepStatus::Applied) ids.push_back(s.id);
  return ids;
}

ApplyResult planned_outcomes(const Plan& plan, StepStatus status) {
  ApplyResult result;
  for (const auto& s : plan.steps) {
    StepOutcome o;
    o.id = s.id;
    o.status = status;
    result.steps.push_back(o);
  }
  return result;
}

struct ApplySession::Impl {
  std::string conninfo;
  std::unique_ptr<pqxx::connection> connection;
  std::unique_ptr<pqxx::nontransaction> work;

  pqxx::result exec(const std::string& sql) { return work->exec(sql); }

  std::set<std::string> invalid_indexes() {
    std::set<std::string> names;
    for (const auto& row : exec(kInvalidIndexes)) names.insert(row[0].c_str());
    return names;
  }

  // After a failed CREATE INDEX CONCURRENTLY: the INVALID indexes that were not there before
  // it ("" when none, or when they cannot be read).
  std::string new_invalid_indexes(const std::set<std::string>& invalid_before) {
    std::string left;
    try {
      for (const auto& name : invalid_indexes())
        if (!invalid_before.count(name)) left += (left.empty() ? "" : ", ") + name;
    } catch (const std::exception&) {
    }
    return left;
  }

  // One step: its timeouts, its statement. Throws what the server threw. (Its preflight ran in
  // the preflight phase, before any step.)
  void run_step(const Step& step, bool in_transaction, StepOutcome& outcome) {
    // SET LOCAL ends with the transaction; outside one, the session value is replaced by the
    // next non-transactional step's, and SET LOCAL overrides it inside a transaction.
    const std::string set = in_transaction ? "SET LOCAL " : "SET ";
    exec(set + "lock_timeout = " + std::to_string(step.lock_timeout_ms) + "; " + set +
         "statement_timeout = " + std::to_string(step.statement_timeout_ms));
    const auto start = Clock::now();
    exec(step.statement);
    outcome.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  }
};

ApplySession::ApplySession(const std::string& conninfo) : impl_(std::make_unique<Impl>()) {
  impl_->conninfo = conninfo;
  impl_->connection = schema::live::connect(conninfo);
  impl_->work = std::make_unique<pqxx::nontransaction>(*impl_->connection, "pgdrift-apply");
  // Named so that operators see who holds locks; quiet about "does not exist, skipping"
  // notices; function bodies may name objects created by later steps (as the SQL plan does).
  // client_connection_check_interval: if pgdrift dies or its connection drops during a long
  // statement, the server notices within a second, cancels the statement and rolls the open
  // transaction back, instead of finishing a rewrite nobody will commit.
  impl_->exec(
      "SET application_name = 'pgdrift-apply'; SET client_min_messages = warning; "
      "SET check_function_bodies = false; SET client_connection_check_interval = '1s'");
}

ApplySession::~ApplySession() = default;

int ApplySession::backend_pid() { return impl_->exec("SELECT pg_backend_pid()")[0][0].as<int>(); }

std::vector<PreflightResult> ApplySession::run_preflights(const Plan& plan) {
  return preflights_on(*impl_->work, plan);
}

void ApplySession::lock(int wait_ms) {
  const std::string key = std::to_string(apply_lock_key());
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(wait_ms, 0));
  while (true) {
    // The backend's pid in the same statement: it is the one that holds the lock.
    auto taken = impl_->exec("SELECT pg_try_advisory_lock(" + key + "), pg_backend_pid()");
    if (taken[0][0].as<bool>()) {
      check_direct_session(taken[0][1].as<int64_t>());
      return;
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto holder = impl_->exec(
      "SELECT l.pid, coalesce(a.application_name, '') FROM pg_locks l "
      "LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE " +
      apply_lock_rows(key) + " LIMIT 1");
  std::string who = holder.empty() ? std::string("another session")
                                   : "pid " + std::string(holder[0][0].c_str()) +
                                         " (application_name '" + holder[0][1].c_str() + "')";
  throw ApplyLockBusy("another apply is running on this database: " + who +
                      " holds the pgdrift advisory lock (key " + key + ")" +
                      (wait_ms > 0 ? " after waiting " + std::to_string(wait_ms) + " ms" : ""));
}

// Is this a session of its own on the server, or a client of a pooler in transaction mode
// (PgBouncer, Supavisor), which hands each transaction -- each statement in autocommit -- to
// whichever server backend is free? Then the advisory lock stays with a backend that goes back
// to the pool (another client's apply may run there and take it again, re-entrantly), later
// steps run on other backends, and the session SETs (timeouts, application_name) do not hold.
//
// What proves a direct session, where every check below holds by construction:
//  1. the pid of the backend that took the lock (`holder`) answers this session's next
//     statement too, and again after the second connection's look (3.);
//  2. a SECOND connection with the same conninfo is another backend: on a direct session no
//     other connection can be given the backend this one holds. A pooler gives the idle
//     lock holder to the next client: PgBouncer picks the most recently used idle server
//     (server_round_robin = 0, its default), so the second connection lands on `holder`;
//     with round robin over several idle servers, the session's own consecutive statements
//     (1.) land on different backends instead;
//  3. from that second connection, pg_locks shows the lock granted to `holder` (a pooler
//     that resets servers, DISCARD ALL, released it), and pg_stat_activity shows `holder`
//     idle (this session waits; under pooling it may run another client's statement) with
//     application_name pgdrift-apply, which this session SET (PgBouncer re-SETs it for each
//     client it links to the backend, so another client's name shows).
// A stable pid alone proves nothing (a pool of one server gives every statement the same
// backend), and neither does application_name alone (PgBouncer tracks it per client and
// restores it): it is the second connection that tells. PgBouncer's `SHOW pool_mode` is only
// answered on its admin console; when a pooler answers it, the message says what it said.
void ApplySession::check_direct_session(int64_t holder) {
  const std::string key = std::to_string(apply_lock_key());
  const std::string pid = std::to_string(holder);
  std::vector<std::string> problems;
  auto own_pid = [&](const char* when) {
    const auto now = impl_->exec("SELECT pg_backend_pid()")[0][0].as<int64_t>();
    if (now != holder)
      problems.push_back("the session's server backend changed " + std::string(when) + " (pid " +
                         pid + ", which took the lock, then pid " + std::to_string(now) + ")");
  };
  own_pid("between two statements");

  auto second = schema::live::connect(impl_->conninfo);
  pqxx::nontransaction look(*second, "pgdrift-apply-check");
  auto seen = look.exec(
      "SET application_name = 'pgdrift-apply-check'; "
      "SELECT pg_backend_pid(), "
      "(SELECT string_agg(l.pid::text, ', ' ORDER BY l.pid) FROM pg_locks l WHERE " +
      apply_lock_rows(key) + "), (SELECT state FROM pg_stat_activity WHERE pid = " + pid +
      "), (SELECT application_name FROM pg_stat_activity WHERE pid = " + pid + ")");
  const auto second_pid = seen[0][0].as<int64_t>();
  if (second_pid == holder)
    problems.push_back("a second connection was given the same server backend (pid " + pid +
                       ") that holds the apply's advisory lock");
  const std::string holders = seen[0][1].is_null() ? "" : seen[0][1].c_str();
  if (holders != pid)
    problems.push_back("a second connection sees the advisory lock held by " +
                       (holders.empty() ? std::string("no session") : "pid " + holders) +
                       ", not by pid " + pid + ", which took it");
  // NULL: not visible (another role's session without pg_read_all_stats); 'disabled':
  // track_activities is off. Neither says anything.
  const std::string state = seen[0][2].is_null() ? "" : seen[0][2].c_str();
  if (second_pid != holder && !state.empty() && state != "idle" && state != "disabled")
    problems.push_back("backend pid " + pid + ", which holds the lock, is '" + state +
                       "' while the apply session waits (it serves another client)");
  const std::string name = seen[0][3].is_null() ? "" : seen[0][3].c_str();
  if (second_pid != holder && !seen[0][3].is_null() && name != "pgdrift-apply")
    problems.push_back("backend pid " + pid + ", which holds the lock, has application_name '" +
                       name + "', not pgdrift-apply (it was handed to another client)");
  own_pid("after a second connection looked");
  if (problems.empty()) return;

  // Refused. Under pooling the lock stays with the pooler's server connection when this
  // session closes and would keep every later apply out: release it from whichever of the two
  // connections lands on that backend (a few tries; a direct session releases it at once).
  const std::string unlock = "SELECT CASE WHEN pg_backend_pid() = " + pid +
                             " THEN pg_advisory_unlock(" + key +
                             ") END, EXISTS (SELECT 1 FROM pg_locks l WHERE " +
                             apply_lock_rows(key) + " AND l.pid = " + pid + ")";
  bool released = false;
  for (int attempt = 0; attempt < 10 && !released; ++attempt)
    for (pqxx::nontransaction* work : {impl_->work.get(), &look})
      if (!released) released = !work->exec(unlock)[0][1].as<bool>();

  std::string why;
  for (const auto& p : problems) why += (why.empty() ? "" : "; ") + p;
  try {
    // Only a pooler answers this (PostgreSQL has no such setting).
    auto mode = look.exec("SHOW pool_mode");
    if (!mode.empty() && !mode[0][0].is_null())
      why += "; the pooler says pool_mode = " + std::string(mode[0][0].c_str());
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception&) {
  }
  if (!released)
    why += "; the pooler's server backend pid " + pid +
           " may still hold the pgdrift advisory lock (key " + key +
           "): it is released when the pooler closes that connection, or by SELECT "
           "pg_terminate_backend(" +
           pid + ") on a direct session";
  throw ApplyNotDirect("apply needs a direct session to PostgreSQL: " + why +
                       "; connect --db to the server itself (not through PgBouncer/Supavisor "
                       "in transaction mode)");
}

ApplyResult ApplySession::execute(const Plan& plan, std::vector<Backup>* backups) {
  ApplyResult result = planned_outcomes(plan, StepStatus::Skipped);
  Impl& session = *impl_;
  std::map<int, Backup*> backup_of;  // by step id
  if (backups)
    for (auto& b : *backups)
      if (!b.statement.empty()) backup_of[b.step] = &b;
  // The same groups as the SQL script (planner/plan.h, step_groups).
  for (const StepGroup& group : step_groups(plan)) {
    for (int attempt = 0;; ++attempt) {
      std::vector<size_t> ran;         // steps of this group whose statement completed
      std::vector<Backup*> backed_up;  // backups made in this group (kept when it commits)
      size_t current = group.steps.front();
      bool committing = false;
      bool backing_up = false;
      std::set<std::string> invalid_before;
      try {
        if (group.in_transaction) session.exec("BEGIN");
        for (size_t index : group.steps) {
          current = index;
          const Step& step = plan.steps[index];
          if (!group.in_transaction && is_concurrent_index_build(step))
            invalid_before = session.invalid_indexes();
          if (auto b = backup_of.find(step.id); b != backup_of.end()) {
            // The copy reads the whole table: no statement timeout, the step's lock timeout.
            const std::string set = group.in_transaction ? "SET LOCAL " : "SET ";
            session.exec(set + "lock_timeout = " + std::to_string(step.lock_timeout_ms) + "; " +
                         set + "statement_timeout = 0");
            backing_up = true;
            b->second->rows = session.exec(b->second->statement).affected_rows();
            backing_up = false;
            backed_up.push_back(b->second);
          }
          if (observer_) observer_->step_started(step, index + 1, plan.steps.size());
          try {
            session.run_step(step, group.in_transaction, result.steps[index]);
          } catch (const std::exception& e) {
            if (observer_) {
              StepOutcome failed = result.steps[index];
              failed.status = StepStatus::Failed;
              failed.error = clean_error(e.what());
              observer_->step_finished(step, failed);
            }
            throw;
          }
          if (observer_) {
            StepOutcome done = result.steps[index];
            done.status = StepStatus::Applied;  // its statement completed
            observer_->step_finished(step, done);
          }
          ran.push_back(index);
        }
        if (group.in_transaction) {
          committing = true;
          session.exec("COMMIT");
        }
      } catch (const std::exception& e) {
        // Deferred constraints are checked at COMMIT: such a failure is charged to the last
        // step.
        if (committing) current = group.steps.back();
        StepOutcome& failed = result.steps[current];
        failed.status = StepStatus::Failed;
        if (auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) failed.sqlstate = sql->sqlstate();
        failed.error = clean_error(e.what());
        std::string left_invalid;
        if (dynamic_cast<const pqxx::broken_connection*>(&e))
          failed.remark = "the connection was lost";
        else if (committing)
          failed.remark = "failed at COMMIT; the whole transaction was rolled back";
        else if (backing_up)
          failed.remark =
              "the backup of the values this step destroys failed (--no-backup skips it)";
        if (group.in_transaction) {
          for (size_t index : ran)
            if (index != current) result.steps[index].status = StepStatus::RolledBack;
          try {
            session.exec("ROLLBACK");
          } catch (const std::exception&) {
            // Without a connection the server rolls the transaction back itself.
          }
        } else if (is_concurrent_index_build(plan.steps[current])) {
          left_invalid = session.new_invalid_indexes(invalid_before);
          failed.remark = invalid_index_remark(left_invalid);
        } else if (is_batched_backfill(plan.steps[current])) {
          failed.remark += std::string(failed.remark.empty() ? "" : "; ") +
                           "the batches it committed stay filled: running the step again (or "
                           "apply --to the same target) fills the rows still NULL";
        }
        // --lock-retries: a lock wait that timed out (SQLSTATE 55P03) left nothing behind (the
        // group's transaction rolled back; a concurrent build that left an INVALID index is not
        // retried), so the group runs again after a pause that doubles each time.
        if (failed.sqlstate == "55P03" && !committing && attempt < lock_retries_ &&
            left_invalid.empty()) {
          for (size_t index : group.steps) {
            result.steps[index] = StepOutcome{};
            result.steps[index].id = plan.steps[index].id;
          }
          result.steps[current].lock_retries = attempt + 1;
          std::this_thread::sleep_for(
              std::chrono::milliseconds(std::min(250 << std::min(attempt, 6), 10000)));
          continue;
        }
        return result;
      }
      for (size_t index : ran) result.steps[index].status = StepStatus::Applied;
      for (Backup* b : backed_up) b->taken = true;
      break;
    }
  }
  return result;
}

}  // namespace pgdrift::planner
