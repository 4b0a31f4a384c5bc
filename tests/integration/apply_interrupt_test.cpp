// An apply that is cut off mid-step (issue 14, item 7): pgdrift killed with SIGKILL, or its
// server connection terminated, while a long step runs on a table of over a million rows. The
// server rolls the open transaction back, so the database is left at a safe point (here: as it
// was, since the long step is in the first transaction), and a second apply finishes the job.
// The killed apply's audit row stays `running` until that second apply closes it as
// `interrupted` (issue 17 item 1).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <chrono>
#include <thread>

#include "engine/diff.h"
#include "planner/plan.h"
#include "schema/json.h"
#include "schema/live/introspect.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A table big enough that retyping it takes seconds, a CHECK and a view that the retype must
// drop and re-create, and a grant and comment on the view.
const char* kSource =
    "CREATE TABLE ledger (id int PRIMARY KEY, amount double precision CHECK (amount >= 0), "
    "memo text);\n"
    "INSERT INTO ledger SELECT g, g / 100.0, 'memo ' || g FROM generate_series(1, 1200000) g;\n"
    "CREATE VIEW ledger_totals AS SELECT count(*) AS n, sum(amount) AS total FROM ledger;\n"
    "COMMENT ON VIEW ledger_totals IS 'for the finance dashboard';\n";

const char* kTarget =
    "CREATE TABLE ledger (id int PRIMARY KEY, amount numeric(12,2) CHECK (amount >= 0), "
    "memo varchar(200));\n"
    "CREATE VIEW ledger_totals AS SELECT count(*) AS n, sum(amount) AS total FROM ledger;\n"
    "COMMENT ON VIEW ledger_totals IS 'for the finance dashboard';\n";

std::string write_target(const TempDir& tmp) { return tmp.write("target.sql", kTarget); }

// Waits until the apply session runs a statement containing `text`; false after 60 s.
bool wait_for_statement(const std::string& conninfo, const std::string& text) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    std::string n = query_value(
        conninfo,
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgdrift-apply' AND "
        "state = 'active' AND position('" +
            text + "' in query) > 0");
    if (n != "0") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Waits until no pgdrift-apply backend is left (the server noticed the client is gone).
void wait_for_backends_to_end(const std::string& conninfo) {
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline &&
         query_value(conninfo,
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                     "'pgdrift-apply'") != "0")
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

std::string model_json(const std::string& conninfo) {
  return schema::dump_model_json(schema::live::introspect(conninfo).model);
}

TEST(ApplyInterrupt, KilledDuringALongStepLeavesASafePointAndASecondApplyConverges) {
  auto db = create_fresh_database(kSource);
  const std::string before = model_json(db.conninfo);
  TempDir tmp("pgdrift-interrupt");
  const std::string target = write_target(tmp);

  pid_t pid = spawn_pgdrift({"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all",
                             "--statement-timeout", "0"});
  ASSERT_GT(pid, 0);
  // The retype of the 1.2 million rows: the view and the CHECK were dropped before it, in the
  // same transaction.
  const bool caught = wait_for_statement(db.conninfo, "TYPE numeric");
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(caught) << "the apply never reached the retype";
  ASSERT_TRUE(WIFSIGNALED(status));

  wait_for_backends_to_end(db.conninfo);
  // The killed transaction is rolled back by the server: the view, its comment and the CHECK
  // are there, exactly as before.
  EXPECT_EQ(model_json(db.conninfo), before) << line_diff(before, model_json(db.conninfo));
  EXPECT_EQ(query_value(db.conninfo, "SELECT n FROM ledger_totals"), "1200000");

  // The killed apply's audit row was committed before its first step and stays `running`.
  EXPECT_EQ(query_value(db.conninfo, "SELECT status FROM pgdrift.audit_log WHERE id = 1"),
            "running");

  CommandOutput again =
      run_program({PGDRIFT_BINARY, "apply", "--db", db.conninfo, "--to", target, "--allow-hazards",
                   "all", "--lock-wait", "60000", "--statement-timeout", "0"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("verify: converged"), std::string::npos) << again.out;
  EXPECT_EQ(
      query_value(db.conninfo, "SELECT obj_description('ledger_totals'::regclass, 'pg_class')"),
      "for the finance dashboard");
  // The next apply reported it and closed it as interrupted; the chain still verifies.
  EXPECT_NE(again.out.find("audit: row 1 (started "), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("was still running"), std::string::npos) << again.out;
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT string_agg(status, ' ' ORDER BY seq) FROM pgdrift.audit_log"),
            "interrupted applied");
  CommandOutput verified = run_program({PGDRIFT_BINARY, "audit", "--db", db.conninfo, "--verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

TEST(ApplyInterrupt, LostConnectionIsAFailureNamingTheStepNotASuccess) {
  auto db = create_fresh_database(kSource);
  const std::string before = model_json(db.conninfo);
  TempDir tmp("pgdrift-interrupt");
  const std::string target = write_target(tmp);

  // The connection is terminated from another session while the retype runs.
  std::thread terminator([&] {
    if (wait_for_statement(db.conninfo, "TYPE numeric"))
      query_value(db.conninfo,
                  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                  "application_name = 'pgdrift-apply'");
  });
  CommandOutput cut = run_program({PGDRIFT_BINARY, "apply", "--db", db.conninfo, "--to", target,
                                   "--allow-hazards", "all", "--statement-timeout", "0"});
  terminator.join();
  EXPECT_EQ(cut.exit_code, 1) << cut.out << cut.err;
  EXPECT_NE(cut.out.find("failed"), std::string::npos) << cut.out;
  EXPECT_EQ(cut.out.find("verify: converged"), std::string::npos) << cut.out;
  EXPECT_NE(cut.err.find("ledger.amount"), std::string::npos) << cut.err;
  EXPECT_EQ(model_json(db.conninfo), before);

  // The audit row is on a connection of its own: the failure is recorded, not lost with the
  // apply session.
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT status || ' ' || exit_code FROM pgdrift.audit_log WHERE id = 1"),
            "failed 1");

  CommandOutput again =
      run_program({PGDRIFT_BINARY, "apply", "--db", db.conninfo, "--to", target, "--allow-hazards",
                   "all", "--lock-wait", "60000", "--statement-timeout", "0"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

}  // namespace
}  // namespace pgdrift::testing
