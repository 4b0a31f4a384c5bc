// Objects a plan drops and creates again get back their comments (as the target declares them)
// and their privileges (as the source had them; with privileges compared, those the target
// keeps), whether or not privileges are compared: re-creating must not revoke. And
// engine::lost_privileges, which apply's verification uses to report a lost grant.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/privileges.h"
#include "planner/plan.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"

namespace pgdrift::planner {
namespace {

Plan plan(const std::string& from, const std::string& to, bool privileges = false) {
  PlanOptions options;
  options.diff.compare_privileges = privileges;
  return make_plan(testing::load_sql_text(from), testing::load_sql_text(to), options);
}

// Index of the only step whose statement is `statement` (-1 when none; fails when several).
int step_of(const Plan& p, const std::string& statement) {
  int found = -1;
  for (size_t i = 0; i < p.steps.size(); ++i)
    if (p.steps[i].statement == statement) {
      EXPECT_EQ(found, -1) << "twice: " << statement;
      found = static_cast<int>(i);
    }
  return found;
}

// Index of the first step whose statement starts with `prefix`, or -1.
int first_with(const Plan& p, const std::string& prefix) {
  for (size_t i = 0; i < p.steps.size(); ++i)
    if (p.steps[i].statement.rfind(prefix, 0) == 0) return static_cast<int>(i);
  return -1;
}

std::string dump(const Plan& p) { return render_plan_sql(p); }

const char* kViewFrom = R"(
  CREATE TABLE t (id int, amount int);
  CREATE VIEW v AS SELECT id, amount FROM t;
  COMMENT ON VIEW v IS 'amounts';
  GRANT SELECT ON v TO app_ro;
  GRANT SELECT ON t TO app_ro;
)";
// The base column's type changes: the view is dropped and created around it. The target SQL
// does not mention privileges (they are not compared).
const char* kViewTo = R"(
  CREATE TABLE t (id int, amount bigint);
  CREATE VIEW v AS SELECT id, amount FROM t;
  COMMENT ON VIEW v IS 'amounts';
)";

TEST(KeptOnRebuild, RebuiltViewGetsItsGrantAndCommentBackWithoutPrivileges) {
  Plan p = plan(kViewFrom, kViewTo);
  int create = first_with(p, "CREATE VIEW public.v");
  ASSERT_GE(create, 0) << dump(p);
  ASSERT_GE(first_with(p, "DROP VIEW public.v"), 0) << dump(p);
  int grant = step_of(p, "GRANT SELECT ON TABLE public.v TO app_ro;");
  int comment = step_of(p, "COMMENT ON VIEW public.v IS 'amounts';");
  ASSERT_GE(grant, 0) << dump(p);
  ASSERT_GE(comment, 0) << dump(p);
  EXPECT_GT(grant, create);
  EXPECT_GT(comment, create);
  // Giving back what existed changes nobody's access: no authz hazard to accept.
  EXPECT_TRUE(p.steps[grant].hazards.empty());
  EXPECT_EQ(p.steps[grant].object_kind, "grant");
  // The table is not re-created: its grant is not re-issued.
  EXPECT_EQ(step_of(p, "GRANT SELECT ON TABLE public.t TO app_ro;"), -1) << dump(p);
  // Privileges stay out of the fingerprints when they are not compared.
  schema::Model stripped = testing::load_sql_text(kViewFrom);
  schema::strip_privileges(stripped);
  EXPECT_EQ(p.source_fingerprint, model_fingerprint(stripped));
}

TEST(KeptOnRebuild, WithPrivilegesTheTargetsGrantsWin) {
  // The target keeps SELECT for app_ro and replaces reader by writer.
  Plan p = plan(std::string(kViewFrom) + "GRANT SELECT ON v TO reader;",
                std::string(kViewTo) +
                    "GRANT SELECT ON v TO app_ro; GRANT SELECT ON v TO writer;"
                    "GRANT SELECT ON t TO app_ro;",
                true);
  int kept = step_of(p, "GRANT SELECT ON TABLE public.v TO app_ro;");
  ASSERT_GE(kept, 0) << dump(p);
  EXPECT_TRUE(p.steps[kept].hazards.empty());  // it stays as it was
  int added = step_of(p, "GRANT SELECT ON TABLE public.v TO writer;");
  ASSERT_GE(added, 0) << dump(p);
  EXPECT_EQ(p.steps[added].hazards, std::vector<Hazard>{Hazard::Authz});  // a real change
  EXPECT_EQ(step_of(p, "GRANT SELECT ON TABLE public.v TO reader;"), -1) << dump(p);
}

TEST(KeptOnRebuild, ViewRebuiltBecauseAViewItReadsChanges) {
  Plan p = plan(R"(
    CREATE TABLE t (id int, amount int);
    CREATE VIEW inner_v AS SELECT id, amount FROM t;
    CREATE VIEW outer_v AS SELECT id FROM inner_v;
    COMMENT ON VIEW outer_v IS 'ids';
    COMMENT ON COLUMN outer_v.id IS 'the id';
    GRANT SELECT ON outer_v TO app_ro;
  )",
                R"(
    CREATE TABLE t (id int, amount int);
    CREATE VIEW inner_v AS SELECT id, amount, amount * 2 AS twice FROM t;
    CREATE VIEW outer_v AS SELECT id FROM inner_v;
    COMMENT ON VIEW outer_v IS 'ids';
    COMMENT ON COLUMN outer_v.id IS 'the id';
  )");
  ASSERT_GE(first_with(p, "DROP VIEW public.outer_v"), 0) << dump(p);
  EXPECT_GE(step_of(p, "GRANT SELECT ON TABLE public.outer_v TO app_ro;"), 0) << dump(p);
  EXPECT_GE(step_of(p, "COMMENT ON VIEW public.outer_v IS 'ids';"), 0) << dump(p);
  EXPECT_GE(step_of(p, "COMMENT ON COLUMN public.outer_v.id IS 'the id';"), 0) << dump(p);
}

TEST(KeptOnRebuild, GeneratedColumnRebuiltKeepsCommentAndColumnGrant) {
  Plan p = plan(R"(
    CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 2) STORED);
    COMMENT ON COLUMN t.g IS 'double';
    GRANT SELECT (a, g) ON t TO app_ro;
  )",
                R"(
    CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 3) STORED);
    COMMENT ON COLUMN t.g IS 'double';
  )");
  int add = first_with(p, "ALTER TABLE public.t ADD COLUMN g");
  ASSERT_GE(add, 0) << dump(p);
  int comment = step_of(p, "COMMENT ON COLUMN public.t.g IS 'double';");
  int grant = step_of(p, "GRANT SELECT (g) ON TABLE public.t TO app_ro;");
  ASSERT_GE(comment, 0) << dump(p);
  ASSERT_GE(grant, 0) << dump(p);
  EXPECT_GT(comment, add);
  EXPECT_GT(grant, add);
  // Column a was not dropped: its privilege is untouched.
  EXPECT_EQ(first_with(p, "GRANT SELECT (a"), -1) << dump(p);
}

TEST(KeptOnRebuild, RecreatedFunctionKeepsExecuteGrantAndComment) {
  Plan p = plan(R"(
    CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
    COMMENT ON FUNCTION f(int) IS 'identity';
    GRANT EXECUTE ON FUNCTION f(int) TO app_ro;
  )",
                R"(
    CREATE FUNCTION f(x int) RETURNS bigint LANGUAGE sql AS 'SELECT x::bigint';
    COMMENT ON FUNCTION f(int) IS 'identity';
  )");
  int create = first_with(p, "CREATE OR REPLACE FUNCTION public.f");
  ASSERT_GE(first_with(p, "DROP FUNCTION public.f(integer)"), 0) << dump(p);
  ASSERT_GE(create, 0) << dump(p);
  int grant = step_of(p, "GRANT EXECUTE ON FUNCTION public.f(integer) TO app_ro;");
  int comment = step_of(p, "COMMENT ON FUNCTION public.f(integer) IS 'identity';");
  ASSERT_GE(grant, 0) << dump(p);
  ASSERT_GE(comment, 0) << dump(p);
  EXPECT_GT(grant, create);
  EXPECT_GT(comment, create);
}

TEST(KeptOnRebuild, PolicyAndForeignKeyRebuiltAroundRetypesKeepTheirComments) {
  // The policy is re-created around the retype of a column it reads, the foreign key around
  // the retype of the key it references; the diff lists neither.
  const std::string rest = R"(
    ALTER TABLE t ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own ON t USING (owner = current_user);
    COMMENT ON CONSTRAINT t_p_id_fkey ON t IS 'parent';
    COMMENT ON POLICY own ON t IS 'rows of the owner';
  )";
  Plan p = plan(
      "CREATE TABLE p (id int PRIMARY KEY);"
      "CREATE TABLE t (id int, p_id int REFERENCES p (id), owner text);" +
          rest,
      "CREATE TABLE p (id bigint PRIMARY KEY);"
      "CREATE TABLE t (id int, p_id int REFERENCES p (id), owner varchar(50));" +
          rest);
  ASSERT_GE(first_with(p, "DROP POLICY IF EXISTS own"), 0) << dump(p);
  EXPECT_GE(step_of(p, "COMMENT ON POLICY own ON public.t IS 'rows of the owner';"), 0) << dump(p);
  ASSERT_GE(first_with(p, "ALTER TABLE public.t DROP CONSTRAINT IF EXISTS t_p_id_fkey"), 0)
      << dump(p);
  EXPECT_GE(step_of(p, "COMMENT ON CONSTRAINT t_p_id_fkey ON public.t IS 'parent';"), 0) << dump(p);
}

TEST(KeptOnRebuild, ConstraintIndexAndTriggerAroundARecreatedFunction) {
  const std::string common = R"(
    CREATE TABLE t (id int, a int, CONSTRAINT a_pos CHECK (pos(a)));
    CREATE INDEX t_pos ON t (pos(a));
    CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW WHEN (pos(NEW.a)) EXECUTE FUNCTION touch();
    COMMENT ON CONSTRAINT a_pos ON t IS 'positive';
    COMMENT ON INDEX t_pos IS 'by sign';
    COMMENT ON TRIGGER t_touch ON t IS 'touches';
  )";
  const std::string touch =
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';";
  Plan p = plan(touch +
                    "CREATE FUNCTION pos(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS "
                    "'SELECT x > 0';" +
                    common,
                touch +
                    "CREATE FUNCTION pos(y int) RETURNS boolean LANGUAGE sql IMMUTABLE AS "
                    "'SELECT y > 0';" +
                    common);
  ASSERT_GE(first_with(p, "DROP FUNCTION public.pos(integer)"), 0) << dump(p);
  EXPECT_GE(step_of(p, "COMMENT ON CONSTRAINT a_pos ON public.t IS 'positive';"), 0) << dump(p);
  EXPECT_GE(step_of(p, "COMMENT ON INDEX public.t_pos IS 'by sign';"), 0) << dump(p);
  EXPECT_GE(step_of(p, "COMMENT ON TRIGGER t_touch ON public.t IS 'touches';"), 0) << dump(p);
}

TEST(LostPrivileges, NamesTheObjectAndThePrivilege) {
  schema::Model before = testing::load_sql_text(R"(
    CREATE TABLE t (a int, b int);
    CREATE VIEW v AS SELECT a FROM t;
    CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
    GRANT SELECT ON v TO app_ro;
    GRANT SELECT ON v TO reader WITH GRANT OPTION;
    GRANT UPDATE (a, b) ON t TO writer;
    GRANT EXECUTE ON FUNCTION f() TO app_ro;
  )");
  EXPECT_TRUE(engine::lost_privileges(before, before).empty());

  schema::Model after = before;
  after.views.at("public.v").grants = {{"reader", "SELECT", {}, false}};  // option lost too
  after.tables.at("public.t").grants = {{"writer", "UPDATE", {"a"}, false}};
  after.functions.clear();  // a dropped object is not compared
  EXPECT_EQ(engine::lost_privileges(before, after),
            (std::vector<std::string>{
                "lost privilege: UPDATE (b) on table public.t to writer",
                "lost privilege: SELECT on view public.v to app_ro",
                "lost privilege: SELECT on view public.v to reader WITH GRANT OPTION",
            }));

  // A column that is gone takes its column privilege with it; a privilege gained is no loss.
  schema::Model dropped = before;
  auto& t = dropped.tables.at("public.t");
  t.columns.pop_back();  // b
  t.grants = {{"writer", "UPDATE", {"a"}, false}, {"app_rw", "INSERT", {}, false}};
  dropped.views.at("public.v").grants.push_back({"writer", "SELECT", {}, false});
  auto lost = engine::lost_privileges(before, dropped);
  EXPECT_TRUE(lost.empty()) << ::testing::PrintToString(lost);
}

}  // namespace
}  // namespace pgdrift::planner
