// Preflight queries as the planner writes them (no database:
// tests/integration/preflight_db_test.cpp runs them): which steps get one, that they only use what
// exists in the source (source tables, columns and column types), and how they travel through the
// JSON, SQL and Markdown plans.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "planner/plan.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"

namespace pgdrift::planner {
namespace {

Plan plan(const std::string& from, const std::string& to, PlanOptions options = {}) {
  return make_plan(testing::load_sql_text(from), testing::load_sql_text(to), options);
}

// The step whose statement contains `text` (the last one when several do), or nullptr.
const Step* step_with(const Plan& p, const std::string& text) {
  const Step* found = nullptr;
  for (const auto& s : p.steps)
    if (s.statement.find(text) != std::string::npos) found = &s;
  return found;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

PlanOptions offline() {
  PlanOptions o;
  o.online = false;
  return o;
}

TEST(Preflight, ForeignKeyCountsOrphansOnlineAndOffline) {
  const std::string from =
      "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, p_id int);";
  const std::string to =
      "CREATE TABLE p (id int PRIMARY KEY); "
      "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p (id));";
  Plan online = plan(from, to);
  const Step* validate = step_with(online, "VALIDATE CONSTRAINT");
  ASSERT_NE(validate, nullptr) << render_plan_sql(online);
  ASSERT_TRUE(validate->preflight.has_value());
  EXPECT_EQ(validate->preflight->count_sql,
            "SELECT count(*) FROM public.c WHERE public.c.p_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM public.p AS pgdrift_parent WHERE pgdrift_parent.id = public.c.p_id)");
  EXPECT_TRUE(contains(validate->preflight->sample_sql, "SELECT id::text FROM public.c WHERE"));
  EXPECT_TRUE(contains(validate->preflight->sample_sql, "ORDER BY 1 LIMIT 5"));
  EXPECT_TRUE(contains(validate->preflight->description, "no match in public.p"));
  const Step* not_valid = step_with(online, "NOT VALID");
  ASSERT_NE(not_valid, nullptr);
  EXPECT_FALSE(not_valid->preflight.has_value());  // one count per constraint

  Plan plain = plan(from, to, offline());
  const Step* add = step_with(plain, "FOREIGN KEY");
  ASSERT_NE(add, nullptr);
  ASSERT_TRUE(add->preflight.has_value());
  EXPECT_EQ(add->preflight->count_sql, validate->preflight->count_sql);
}

TEST(Preflight, ForeignKeyOverARetypedColumnComparesAsText) {
  // Before the plan, c.p_id is text and p.id uuid: `=` between them does not exist.
  Plan p =
      plan("CREATE TABLE p (id uuid PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, p_id text);",
           "CREATE TABLE p (id uuid PRIMARY KEY); "
           "CREATE TABLE c (id int PRIMARY KEY, p_id uuid REFERENCES p (id));");
  const Step* validate = step_with(p, "VALIDATE CONSTRAINT");
  ASSERT_NE(validate, nullptr);
  ASSERT_TRUE(validate->preflight.has_value());
  EXPECT_TRUE(
      contains(validate->preflight->count_sql, "pgdrift_parent.id::text = public.c.p_id::text"))
      << validate->preflight->count_sql;
}

TEST(Preflight, ForeignKeyToANewTableCountsEveryReferencingRow) {
  Plan p = plan("CREATE TABLE c (id int PRIMARY KEY, p_id int);",
                "CREATE TABLE p (id int PRIMARY KEY); "
                "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p (id));");
  const Step* validate = step_with(p, "VALIDATE CONSTRAINT");
  ASSERT_NE(validate, nullptr) << render_plan_sql(p);
  ASSERT_TRUE(validate->preflight.has_value());
  EXPECT_EQ(validate->preflight->count_sql,
            "SELECT count(*) FROM public.c WHERE public.c.p_id IS NOT NULL");
  EXPECT_TRUE(contains(validate->preflight->description, "which is new"));
}

TEST(Preflight, NewTablesAndNewColumnsHaveNone) {
  // A new table is empty; a new column holds only its default.
  Plan p =
      plan("CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY);",
           "CREATE TABLE p (id int PRIMARY KEY); "
           "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p (id), "
           "n int CHECK (n > 0), u int UNIQUE); "
           "CREATE TABLE d (id int PRIMARY KEY, p_id int REFERENCES p (id) CHECK (p_id > 0));");
  for (const auto& s : p.steps) EXPECT_FALSE(s.preflight.has_value()) << s.statement;
}

TEST(Preflight, UniqueAndPrimaryKeyCountDuplicates) {
  Plan unique = plan("CREATE TABLE t (id int PRIMARY KEY, a int, b int);",
                     "CREATE TABLE t (id int PRIMARY KEY, a int, b int, UNIQUE (a, b));");
  const Step* build = step_with(unique, "CREATE UNIQUE INDEX CONCURRENTLY");
  ASSERT_NE(build, nullptr) << render_plan_sql(unique);
  ASSERT_TRUE(build->preflight.has_value());
  const auto& u = *build->preflight;
  EXPECT_TRUE(contains(u.count_sql,
                       "WHERE a IS NOT NULL AND b IS NOT NULL GROUP BY a, b HAVING "
                       "count(*) > 1"))
      << u.count_sql;
  EXPECT_FALSE(contains(u.count_sql, " IS NULL)"));
  EXPECT_TRUE(contains(u.sample_sql, "ROW(a, b)::text AS k"));
  EXPECT_TRUE(contains(u.description, "(a, b) is not unique"));

  Plan pk = plan("CREATE TABLE t (a int, b text);", "CREATE TABLE t (a int PRIMARY KEY, b text);",
                 offline());
  const Step* add = step_with(pk, "PRIMARY KEY");
  ASSERT_NE(add, nullptr) << render_plan_sql(pk);
  ASSERT_TRUE(add->preflight.has_value());
  EXPECT_TRUE(
      contains(add->preflight->count_sql, "+ (SELECT count(*) FROM public.t WHERE a IS NULL)"))
      << add->preflight->count_sql;

  Plan nnd = plan("CREATE TABLE t (id int PRIMARY KEY, a int);",
                  "CREATE TABLE t (id int PRIMARY KEY, a int UNIQUE NULLS NOT DISTINCT);");
  const Step* nnd_build = step_with(nnd, "CREATE UNIQUE INDEX");
  ASSERT_NE(nnd_build, nullptr);
  ASSERT_TRUE(nnd_build->preflight.has_value());
  EXPECT_FALSE(contains(nnd_build->preflight->count_sql, "IS NOT NULL"))
      << "NULLs collide with NULLS NOT DISTINCT: " << nnd_build->preflight->count_sql;

  Plan index =
      plan("CREATE TABLE t (id int PRIMARY KEY, a int);",
           "CREATE TABLE t (id int PRIMARY KEY, a int); CREATE UNIQUE INDEX t_a ON t (a);");
  const Step* index_build = step_with(index, "CREATE UNIQUE INDEX");
  ASSERT_NE(index_build, nullptr);
  ASSERT_TRUE(index_build->preflight.has_value());
  EXPECT_TRUE(contains(index_build->preflight->count_sql, "GROUP BY a HAVING count(*) > 1"));
}

TEST(Preflight, SetNotNullCountsNullsOfExistingColumnsOnly) {
  Plan p = plan("CREATE TABLE t (id int PRIMARY KEY, a int);",
                "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL);");
  const Step* validate = step_with(p, "VALIDATE CONSTRAINT");
  ASSERT_NE(validate, nullptr);
  ASSERT_TRUE(validate->preflight.has_value());
  EXPECT_EQ(validate->preflight->count_sql, "SELECT count(*) FROM public.t WHERE a IS NULL");
  EXPECT_EQ(validate->preflight->description, "rows whose a is NULL");

  // A new NOT NULL column with a volatile default (online: add, backfill, NOT NULL): the column
  // does not exist before the plan, so there is nothing to count there.
  Plan added = plan("CREATE TABLE t (id int PRIMARY KEY);",
                    "CREATE TABLE t (id int PRIMARY KEY, r float8 NOT NULL DEFAULT random());");
  const Step* backfill_validate = step_with(added, "VALIDATE CONSTRAINT");
  ASSERT_NE(backfill_validate, nullptr) << render_plan_sql(added);
  EXPECT_FALSE(backfill_validate->preflight.has_value()) << backfill_validate->preflight->count_sql;
}

TEST(Preflight, CheckCountsRowsWhereItIsFalseWhenTheSourceCanEvaluateIt) {
  Plan p = plan("CREATE TABLE t (id int PRIMARY KEY, amount float8);",
                "CREATE TABLE t (id int PRIMARY KEY, amount numeric(12,2) CHECK (amount >= 0));");
  const Step* validate = step_with(p, "VALIDATE CONSTRAINT");
  ASSERT_NE(validate, nullptr) << render_plan_sql(p);
  ASSERT_TRUE(validate->preflight.has_value()) << "float8 -> numeric compares alike";
  EXPECT_TRUE(contains(validate->preflight->count_sql, ") IS FALSE"))
      << validate->preflight->count_sql;

  // A CHECK written for uuid cannot be evaluated on the old text column: no preflight.
  Plan retyped = plan("CREATE TABLE t (id int PRIMARY KEY, u text);",
                      "CREATE TABLE t (id int PRIMARY KEY, u uuid "
                      "CHECK (u <> '00000000-0000-0000-0000-000000000000'::uuid));");
  const Step* check = step_with(retyped, "VALIDATE CONSTRAINT");
  ASSERT_NE(check, nullptr) << render_plan_sql(retyped);
  EXPECT_FALSE(check->preflight.has_value()) << check->preflight->count_sql;
}

TEST(Preflight, NumericRangeRoundsAndLeavesNaNAlone) {
  Plan p = plan("CREATE TABLE t (id int PRIMARY KEY, x float8);",
                "CREATE TABLE t (id int PRIMARY KEY, x numeric(5,2));");
  const Step* retype = step_with(p, "TYPE numeric(5,2)");
  ASSERT_NE(retype, nullptr);
  ASSERT_TRUE(retype->preflight.has_value());
  EXPECT_TRUE(contains(retype->preflight->count_sql,
                       "(x::numeric <> 'NaN' AND abs(round(x::numeric, 2)) >= 1e3)"))
      << retype->preflight->count_sql;
  EXPECT_TRUE(contains(retype->preflight->description, "is out of range for numeric(5,2)"));

  // numeric(12,4) -> numeric(10,2): the same integer digits, but rounding can carry.
  Plan carry = plan("CREATE TABLE t (id int PRIMARY KEY, x numeric(12,4));",
                    "CREATE TABLE t (id int PRIMARY KEY, x numeric(10,2));");
  const Step* narrowed = step_with(carry, "TYPE numeric(10,2)");
  ASSERT_NE(narrowed, nullptr);
  ASSERT_TRUE(narrowed->preflight.has_value());
  EXPECT_TRUE(contains(narrowed->preflight->count_sql, "abs(round(x, 2)) >= 1e8"))
      << narrowed->preflight->count_sql;
}

TEST(Preflight, VarcharNarrowingCountsCharacters) {
  Plan p = plan("CREATE TABLE t (id int PRIMARY KEY, s varchar(10));",
                "CREATE TABLE t (id int PRIMARY KEY, s varchar(3));");
  const Step* retype = step_with(p, "TYPE character varying(3)");
  ASSERT_NE(retype, nullptr) << render_plan_sql(p);
  ASSERT_TRUE(retype->preflight.has_value());
  EXPECT_TRUE(contains(retype->preflight->count_sql, "char_length(s) > 3"));
  EXPECT_TRUE(contains(retype->preflight->sample_sql, "SELECT id::text"));
}

TEST(Preflight, SamplesFallBackToTheValueWithoutAPrimaryKey) {
  Plan p = plan("CREATE TABLE t (s text);", "CREATE TABLE t (s uuid);");
  const Step* retype = step_with(p, "TYPE uuid");
  ASSERT_NE(retype, nullptr);
  ASSERT_TRUE(retype->preflight.has_value());
  EXPECT_TRUE(contains(retype->preflight->sample_sql, "SELECT s::text FROM public.t"));
  EXPECT_EQ(retype->preflight->description, "rows whose s is not a valid uuid");
}

TEST(Preflight, TravelsThroughPlanJsonSqlAndMarkdown) {
  Plan p = plan("CREATE TABLE t (id int PRIMARY KEY, s text);",
                "CREATE TABLE t (id int PRIMARY KEY, s uuid);");
  ASSERT_EQ(p.steps.size(), 1u) << render_plan_sql(p);
  p.steps[0].rows_at_risk = RowsAtRisk{2, {"7", "9\n; DROP TABLE t; --"}};
  p.steps[0].accept_rows_at_risk = 2;

  Plan back = read_plan_json(render_plan_json(p), "plan.json");
  ASSERT_EQ(back.steps.size(), 1u);
  EXPECT_EQ(back.steps[0].preflight, p.steps[0].preflight);
  EXPECT_EQ(back.steps[0].rows_at_risk, p.steps[0].rows_at_risk);
  EXPECT_EQ(back.steps[0].accept_rows_at_risk, std::optional<int64_t>(2));

  // The older form: the count query as a string.
  nlohmann::json old = nlohmann::json::parse(render_plan_json(p));
  old["steps"][0]["preflight"] = "SELECT count(*) FROM public.t";
  Plan legacy = read_plan_json(old.dump(), "old.json");
  ASSERT_TRUE(legacy.steps[0].preflight.has_value());
  EXPECT_EQ(legacy.steps[0].preflight->count_sql, "SELECT count(*) FROM public.t");
  EXPECT_EQ(legacy.steps[0].preflight->sample_sql, "");
  old["steps"][0]["preflight"] = 3;
  EXPECT_THROW(read_plan_json(old.dump(), "bad.json"), std::runtime_error);
  old["steps"][0]["preflight"] = {{"count", "SELECT 1"}, {"samples", ""}};
  EXPECT_THROW(read_plan_json(old.dump(), "bad.json"), std::runtime_error);

  std::string sql = render_plan_sql(p);
  EXPECT_TRUE(contains(sql, "-- preflight: rows whose s is not a valid uuid\n")) << sql;
  EXPECT_TRUE(contains(sql, "-- preflight count (rows at risk, expect 0): SELECT count(*)"));
  EXPECT_TRUE(contains(sql, "-- rows at risk when planned: 2 (samples: 7, 9 ; DROP TABLE t; --)\n"))
      << "a sample's line break stays inside the comment:\n"
      << sql;
  EXPECT_FALSE(contains(sql, "\n; DROP TABLE t"));
  EXPECT_TRUE(contains(sql, "-- accepted rows at risk (reviewed): 2\n"));

  std::string md = render_plan_markdown(p);
  EXPECT_TRUE(contains(md, "| rows at risk |")) << md;
  EXPECT_TRUE(contains(md, "| 2 | `ALTER TABLE")) << md;
  EXPECT_TRUE(contains(md, "## Preflights")) << md;
  p.steps[0].rows_at_risk.reset();
  EXPECT_TRUE(contains(render_plan_markdown(p), "| not counted |"));
}

}  // namespace
}  // namespace pgdrift::planner
