// Safe points on a real PostgreSQL (docs/planner.md, "Safe points and transactions"): each plan
// is run one transaction group at a time, and after every group the database is checked
// against the rule: every object (and comment, and grant) that the source had and the target
// keeps is present. The check reads the database with the introspector and does not use the
// planner's own bookkeeping, so it can catch a plan that commits between a drop and its
// re-creation.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/diff.h"
#include "planner/plan.h"
#include "schema/live/introspect.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/schema_facts.h"
#include "tests/support/temp_dir.h"

namespace pgdrift {
namespace {

using planner::Plan;

// The plan restricted to one of its groups, as a script.
std::string group_script(const Plan& plan, const planner::StepGroup& group) {
  Plan part;
  planner::StepGroup only = group;
  only.steps.clear();
  for (size_t index : group.steps) {
    only.steps.push_back(part.steps.size());
    part.steps.push_back(plan.steps[index]);
  }
  part.groups = {only};
  return planner::render_plan_sql(part);
}

// Runs `plan` one group at a time on the database; after each group checks the safe-point rule.
// Returns the number of groups run. The database must converge at the end.
size_t run_checking_safe_points(const testing::FreshDatabase& db, const schema::Model& source,
                                const schema::Model& target, const Plan& plan) {
  const auto groups = planner::step_groups(plan);
  testing::TempDir tmp("pgdrift-safe-points");
  const std::string path = tmp.file("group.sql");
  for (size_t g = 0; g < groups.size(); ++g) {
    std::ofstream(path) << group_script(plan, groups[g]);
    testing::test_cluster().psql_file(db.name, path);
    const schema::Model live = schema::live::introspect(db.conninfo).model;
    const auto lacking = testing::missing_facts(source, target, live);
    std::string list;
    for (const auto& f : lacking) list += "  " + f + "\n";
    EXPECT_TRUE(lacking.empty()) << "after group " << g + 1 << " of " << groups.size()
                                 << " the database lacks:\n"
                                 << list << planner::render_plan_sql(plan);
    EXPECT_TRUE(groups[g].safe_point_after) << "group " << g + 1;
  }
  const auto left = engine::diff_models(schema::live::introspect(db.conninfo).model, target);
  EXPECT_TRUE(left.empty()) << planner::render_plan_sql(plan);
  return groups.size();
}

struct SafePointCase {
  std::string name;
  std::string from;
  std::string to;
};

// Each case mixes a change that drops dependents (a retype under a view, a CHECK, a policy, a
// foreign key) with steps that must run apart (CONCURRENTLY, VALIDATE, backfill, ADD VALUE).
const std::vector<SafePointCase>& cases() {
  static const std::vector<SafePointCase> list = {
      {"ViewAndCheckOverRetypedColumnWithConcurrentIndex",
       "CREATE TABLE t (id int PRIMARY KEY, amount double precision CHECK (amount >= 0));\n"
       "CREATE VIEW v AS SELECT id, amount FROM t;\n"
       "COMMENT ON VIEW v IS 'totals';\n"
       "CREATE TABLE u (id int PRIMARY KEY, n int);\n",
       "CREATE TABLE t (id int PRIMARY KEY, amount numeric(12,2) CHECK (amount >= 0));\n"
       "CREATE VIEW v AS SELECT id, amount FROM t;\n"
       "COMMENT ON VIEW v IS 'totals';\n"
       "CREATE TABLE u (id int PRIMARY KEY, n int);\n"
       "CREATE INDEX u_n ON u (n);\n"
       "CREATE INDEX t_amount ON t (amount);\n"},
      {"ForeignKeyValidatedWhileAViewIsRebuilt",
       "CREATE TABLE p (id int PRIMARY KEY);\n"
       "CREATE TABLE c (id int PRIMARY KEY, p_id int, amount real);\n"
       "CREATE VIEW cv AS SELECT p_id, amount FROM c;\n",
       "CREATE TABLE p (id int PRIMARY KEY);\n"
       "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p, amount numeric(10,2));\n"
       "CREATE VIEW cv AS SELECT p_id, amount FROM c;\n"},
      {"PolicyOverRetypedColumnAndNotNullOnline",
       "CREATE TABLE d (id int PRIMARY KEY, owner text, note text);\n"
       "ALTER TABLE d ENABLE ROW LEVEL SECURITY;\n"
       "CREATE POLICY own ON d USING (owner = current_user);\n",
       "CREATE TABLE d (id int PRIMARY KEY, owner varchar(64), note text NOT NULL);\n"
       "ALTER TABLE d ENABLE ROW LEVEL SECURITY;\n"
       "CREATE POLICY own ON d USING (owner = current_user);\n"},
      {"ChangedIndexDefinitionKeepsItsComment",
       "CREATE TABLE t (id int PRIMARY KEY, a int, b int);\n"
       "CREATE INDEX t_ab ON t (a);\n"
       "COMMENT ON INDEX t_ab IS 'lookups by a';\n"
       "CREATE TABLE u (id int PRIMARY KEY, code text);\n"
       "CREATE UNIQUE INDEX u_code ON u (code);\n",
       "CREATE TABLE t (id int PRIMARY KEY, a int, b int);\n"
       "CREATE INDEX t_ab ON t (a, b);\n"
       "COMMENT ON INDEX t_ab IS 'lookups by a';\n"
       "CREATE TABLE u (id int PRIMARY KEY, code text);\n"
       "CREATE UNIQUE INDEX u_code ON u (lower(code));\n"},
      {"ReferencedKeyRetypedWithNewUniqueOnline",
       "CREATE TABLE p (id int PRIMARY KEY, code text);\n"
       "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p);\n",
       "CREATE TABLE p (id bigint PRIMARY KEY, code text UNIQUE);\n"
       "CREATE TABLE c (id int PRIMARY KEY, p_id bigint REFERENCES p);\n"},
      {"EnumValueAddedAndViewRebuilt",
       "CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
       "CREATE TABLE m (id int PRIMARY KEY, mood mood, score int);\n"
       "CREATE VIEW mv AS SELECT mood, score FROM m;\n",
       "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n"
       "CREATE TABLE m (id int PRIMARY KEY, mood mood, score bigint);\n"
       "CREATE VIEW mv AS SELECT mood, score FROM m;\n"},
      {"GeneratedColumnRebuiltWithVolatileDefaultBackfill",
       "CREATE TABLE g (id int PRIMARY KEY, a int, twice int GENERATED ALWAYS AS (a * 2) "
       "STORED);\n"
       "CREATE VIEW gv AS SELECT id, twice FROM g;\n",
       "CREATE TABLE g (id int PRIMARY KEY, a int, twice int GENERATED ALWAYS AS (a + a) "
       "STORED, token uuid DEFAULT gen_random_uuid());\n"
       "CREATE VIEW gv AS SELECT id, twice FROM g;\n"},
  };
  return list;
}

void PrintTo(const SafePointCase& c, std::ostream* os) { *os << c.name; }

class SafePoints : public ::testing::TestWithParam<SafePointCase> {};

TEST_P(SafePoints, EveryCommitLeavesACompleteSchema) {
  const auto& c = GetParam();
  for (bool atomic : {false, true}) {
    SCOPED_TRACE(atomic ? "atomic" : "online");
    auto db = testing::create_fresh_database(c.from);
    const schema::Model source = schema::live::introspect(db.conninfo).model;
    const schema::Model target = testing::load_sql_text(c.to);
    planner::PlanOptions options;
    options.atomic = atomic;
    Plan plan = planner::make_plan(source, target, options);
    ASSERT_FALSE(plan.empty());
    EXPECT_TRUE(plan.unsafe.empty()) << planner::render_plan_sql(plan);
    size_t groups = run_checking_safe_points(db, source, target, plan);
    if (atomic) {
      EXPECT_EQ(groups, 1u) << planner::render_plan_sql(plan);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, SafePoints, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

// The case: on MITA, the first transaction used to drop the view and the money CHECKs
// and commit before the retypes that needed them gone.
TEST(SafePointsMita, EveryCommitLeavesACompleteSchema) {
  auto db = testing::create_fresh_database(
      testing::read_text_file(testing::fixture_path("mita/live.sql")));
  const schema::Model source = schema::live::introspect(db.conninfo).model;
  const schema::Model target = schema::sql::load_path(testing::fixture_path("mita/schema")).model;
  Plan plan = planner::make_plan(source, target);
  EXPECT_TRUE(plan.unsafe.empty()) << planner::render_plan_sql(plan);
  EXPECT_GT(run_checking_safe_points(db, source, target, plan), 1u)
      << "the online plan should still run its validations apart";
}

}  // namespace
}  // namespace pgdrift
