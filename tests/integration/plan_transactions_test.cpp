// The plan script's transactions on a real PostgreSQL: a failing step leaves the database as
// the group found it, and the script's CONCURRENTLY / VALIDATE steps run where PostgreSQL
// allows them.
#include <gtest/gtest.h>

#include "engine/diff.h"
#include "planner/plan.h"
#include "schema/live/introspect.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift {
namespace {

std::string write_plan(const testing::TempDir& tmp, const planner::Plan& plan) {
  return tmp.write("plan.sql", planner::render_plan_sql(plan));
}

TEST(PlanTransactions, FailingStepRollsBackItsWholeGroup) {
  const std::string from =
      "CREATE TABLE t (id int PRIMARY KEY, a int, c text);\n"
      "INSERT INTO t VALUES (1, 1, 'not a number');\n";
  auto db = testing::create_fresh_database(from);
  schema::Model before = schema::live::introspect(db.conninfo).model;
  // Widen a, add d, and retype c to integer: the retype fails on 'not a number'.
  schema::Model to =
      testing::load_sql_text("CREATE TABLE t (id int PRIMARY KEY, a bigint, c integer, d int);");
  planner::Plan plan = planner::make_plan(before, to);
  auto groups = planner::step_groups(plan);
  ASSERT_EQ(groups.size(), 1u) << planner::render_plan_sql(plan);
  ASSERT_GE(plan.steps.size(), 3u);

  testing::TempDir tmp("pgdrift-plan-tx");
  std::string path = write_plan(tmp, plan);
  EXPECT_ANY_THROW(testing::test_cluster().psql_file(db.name, path));
  schema::Model after = schema::live::introspect(db.conninfo).model;
  EXPECT_TRUE(engine::diff_models(before, after).empty())
      << "a failed group left changes behind:\n"
      << planner::render_plan_sql(planner::make_plan(before, after));
  EXPECT_EQ(testing::query_value(db.conninfo, "SELECT c FROM t"), "not a number");
}

TEST(PlanTransactions, ConcurrentIndexAndValidationRunFromTheScript) {
  auto db = testing::create_fresh_database(
      "CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (1);\n"
      "CREATE TABLE c (id int PRIMARY KEY, p_id int); INSERT INTO c VALUES (1, 1);\n");
  schema::Model to = testing::load_sql_text(
      "CREATE TABLE p (id int PRIMARY KEY);\n"
      "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p, n int DEFAULT 0);\n"
      "CREATE INDEX c_p ON c (p_id);");
  planner::Plan plan = planner::make_plan(schema::live::introspect(db.conninfo).model, to);
  std::string sql = planner::render_plan_sql(plan);
  ASSERT_NE(sql.find("CONCURRENTLY"), std::string::npos) << sql;
  ASSERT_NE(sql.find("VALIDATE CONSTRAINT"), std::string::npos) << sql;
  ASSERT_NE(sql.find("BEGIN;"), std::string::npos) << sql;
  testing::TempDir tmp("pgdrift-plan-tx");
  std::string path = write_plan(tmp, plan);
  testing::test_cluster().psql_file(db.name, path);  // throws when a step is misplaced
  auto left = engine::diff_models(schema::live::introspect(db.conninfo).model, to);
  EXPECT_TRUE(left.empty()) << sql;
}

}  // namespace
}  // namespace pgdrift
