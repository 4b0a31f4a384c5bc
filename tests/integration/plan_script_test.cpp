// The plan as a psql script (issue 14, item 6): the script turns ON_ERROR_STOP on itself, so a
// plain `psql -f plan.sql` stops at the first failing step (non-zero exit) instead of running
// the later steps against a database the failed step did not change.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pg/scratch_cluster.h"
#include "planner/plan.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

planner::Step plan_step(int id, const std::string& name, const std::string& statement,
                        bool transactional) {
  planner::Step s;
  s.id = id;
  s.object_kind = "table";
  s.object_name = name;
  s.change_kind = engine::ChangeKind::Add;
  s.statement = statement;
  s.transactional = transactional;
  s.lock_timeout_ms = 5000;
  s.statement_timeout_ms = 30000;
  return s;
}

// Three steps in three transactions: step 2 fails (its table does not exist).
planner::Plan failing_second_step() {
  planner::Plan plan;
  plan.source_fingerprint = "sha256:" + std::string(64, '0');
  plan.target_fingerprint = "sha256:" + std::string(64, '1');
  plan.steps.push_back(plan_step(1, "public.first", "CREATE TABLE public.first (id int)", true));
  plan.steps.push_back(plan_step(2, "public.existing_id",
                                 "CREATE INDEX CONCURRENTLY existing_id ON public.missing (id)",
                                 false));
  plan.steps.push_back(plan_step(3, "public.third", "CREATE TABLE public.third (id int)", true));
  return plan;
}

CommandOutput run_psql_file(const std::string& conninfo, const std::string& path) {
  // No -v ON_ERROR_STOP=1: the script must stop by itself.
  return run_program(
      {pg::ScratchCluster::find_bindir() + "/psql", "-X", "-q", "-d", conninfo, "-f", path});
}

bool table_exists(const std::string& conninfo, const std::string& table) {
  return query_value(conninfo, "SELECT to_regclass('" + table + "') IS NOT NULL") == "t";
}

TEST(PlanScript, SaysItIsAPsqlScriptAndStopsOnError) {
  planner::Plan plan = failing_second_step();
  std::string sql = planner::render_plan_sql(plan);
  EXPECT_EQ(sql.rfind("-- pgdrift plan: a psql script", 0), 0u) << sql;
  // The first line that is not a comment or blank turns ON_ERROR_STOP on.
  std::istringstream lines(sql);
  std::string line, first;
  while (std::getline(lines, line))
    if (!line.empty() && line.rfind("--", 0) != 0) {
      first = line;
      break;
    }
  EXPECT_EQ(first, "\\set ON_ERROR_STOP on") << sql;

  TempDir tmp;
  std::string path = tmp.write("plan.sql", sql);
  auto db = create_fresh_database();
  CommandOutput r = run_psql_file(db.conninfo, path);
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("missing"), std::string::npos) << r.err;
  EXPECT_TRUE(table_exists(db.conninfo, "public.first"));  // committed before the failure
  EXPECT_FALSE(table_exists(db.conninfo, "public.third")) << "psql ran on after step 2";

  // The same script without the line runs on (and psql exits 0): what the line prevents.
  std::string without = sql;
  without.erase(without.find("\\set ON_ERROR_STOP on\n"), 22);
  std::string path2 = tmp.write("plan-without.sql", without);
  auto db2 = create_fresh_database();
  CommandOutput r2 = run_psql_file(db2.conninfo, path2);
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_TRUE(table_exists(db2.conninfo, "public.third"));
}

TEST(PlanScript, EmptyPlanSaysNoChanges) {
  planner::Plan plan;
  std::string sql = planner::render_plan_sql(plan);
  EXPECT_EQ(sql.rfind("-- pgdrift plan: a psql script", 0), 0u) << sql;
  EXPECT_NE(sql.find("-- no changes"), std::string::npos) << sql;
}

}  // namespace
}  // namespace pgdrift::testing
