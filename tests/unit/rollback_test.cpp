// The rollback of a plan (issue 17 item 2, docs/planner.md "Rollback"): the plan from the target
// back to the source, and for each step whether undoing it is exact or lossy, and why. That the
// rollback converges is the backward direction of every convergence case (the rollback is that
// plan); here: that it is that plan, the classification rules, and the JSON round trip.
#include <gtest/gtest.h>

#include <sstream>

#include "planner/plan.h"
#include "tests/support/fixtures.h"

namespace pgdrift::planner {
namespace {

Plan plan_with_rollback(const std::string& from, const std::string& to) {
  PlanOptions options;
  options.rollback = true;
  return make_plan(testing::load_sql_text(from), testing::load_sql_text(to), options);
}

const Step* step_on(const Plan& p, const std::string& kind, const std::string& name) {
  for (const auto& s : p.steps)
    if (s.object_kind == kind && s.object_name == name) return &s;
  return nullptr;
}

struct InverseCase {
  std::string what;
  std::string from;
  std::string to;
  std::string kind;  // the forward step's object
  std::string name;
  bool exact;
  std::string why;  // a substring of Inverse::why ("" = empty)
};

TEST(Rollback, EachStepSaysWhetherUndoingItIsExact) {
  const std::vector<InverseCase> cases = {
      {"add column", "CREATE TABLE t (id int);", "CREATE TABLE t (id int, note text);", "column",
       "public.t.note", true, "data written to it since is lost"},
      {"drop column", "CREATE TABLE t (id int, note text);", "CREATE TABLE t (id int);", "column",
       "public.t.note", false, "drop column: values lost"},
      {"drop table", "CREATE TABLE t (id int); CREATE TABLE old (id int);",
       "CREATE TABLE t (id int);", "table", "public.old", false, "drop table: rows lost"},
      {"money to numeric", "CREATE TABLE t (amount double precision);",
       "CREATE TABLE t (amount numeric(12,2));", "column", "public.t.amount", false,
       "numeric(12,2) -> double precision: original values were rounded"},
      {"widening", "CREATE TABLE t (n integer);", "CREATE TABLE t (n bigint);", "column",
       "public.t.n", true, ""},
      {"narrowing a number comes back exactly", "CREATE TABLE t (n bigint);",
       "CREATE TABLE t (n integer);", "column", "public.t.n", true, ""},
      {"text read as uuid", "CREATE TABLE t (user_id text);", "CREATE TABLE t (user_id uuid);",
       "column", "public.t.user_id", false, "uuid -> text: values come back as uuid prints them"},
      {"varchar widened", "CREATE TABLE t (c varchar(10));", "CREATE TABLE t (c varchar(20));",
       "column", "public.t.c", true, ""},
      {"add index", "CREATE TABLE t (n int);", "CREATE TABLE t (n int); CREATE INDEX t_n ON t (n);",
       "index", "public.t_n", true, ""},
      {"add table", "", "CREATE TABLE t (id int);", "table", "public.t", true,
       "data written to it since is lost"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const Plan p = plan_with_rollback(c.from, c.to);
    ASSERT_TRUE(p.rollback) << p.rollback_refused;
    const Step* step = step_on(p, c.kind, c.name);
    ASSERT_NE(step, nullptr);
    ASSERT_TRUE(step->inverse);
    EXPECT_EQ(step->inverse->exact, c.exact) << step->inverse->why;
    if (c.why.empty())
      EXPECT_EQ(step->inverse->why, "");
    else
      EXPECT_NE(step->inverse->why.find(c.why), std::string::npos) << step->inverse->why;
    // Its rollback steps work on the same object.
    ASSERT_FALSE(step->inverse->steps.empty());
    for (int id : step->inverse->steps) {
      const Step& back = p.rollback->steps.at(static_cast<size_t>(id - 1));
      EXPECT_EQ(back.object_kind, c.kind);
      EXPECT_EQ(back.object_name, c.name);
    }
  }
}

TEST(Rollback, IsThePlanFromTheTargetBackToTheSource) {
  const std::string from =
      "CREATE TABLE accounts (id int PRIMARY KEY, amount double precision, legacy text);\n"
      "CREATE VIEW v AS SELECT id, amount FROM accounts;\n";
  const std::string to =
      "CREATE TABLE accounts (id int PRIMARY KEY, amount numeric(12,2), email text);\n"
      "CREATE VIEW v AS SELECT id, amount FROM accounts;\n"
      "CREATE TABLE users (id uuid PRIMARY KEY);\n";
  const Plan p = plan_with_rollback(from, to);
  ASSERT_TRUE(p.rollback);
  const Plan back = make_plan(testing::load_sql_text(to), testing::load_sql_text(from));
  ASSERT_EQ(p.rollback->steps.size(), back.steps.size());
  for (size_t i = 0; i < back.steps.size(); ++i)
    EXPECT_EQ(p.rollback->steps[i].statement, back.steps[i].statement);
  EXPECT_EQ(p.rollback->source_fingerprint, p.target_fingerprint);
  EXPECT_EQ(p.rollback->target_fingerprint, p.source_fingerprint);
  // Without the option there is none.
  EXPECT_FALSE(make_plan(testing::load_sql_text(from), testing::load_sql_text(to)).rollback);
}

TEST(Rollback, SurvivesTheJsonRoundTripAndShowsInSqlOnlyAsComments) {
  const Plan p = plan_with_rollback("CREATE TABLE t (id int, amount double precision);",
                                    "CREATE TABLE t (id int, amount numeric(12,2));");
  ASSERT_TRUE(p.rollback);
  const Plan read = read_plan_json(render_plan_json(p), "plan.json");
  ASSERT_TRUE(read.rollback);
  ASSERT_EQ(read.rollback->steps.size(), p.rollback->steps.size());
  EXPECT_EQ(read.rollback->steps[0].statement, p.rollback->steps[0].statement);
  ASSERT_EQ(read.steps.size(), p.steps.size());
  for (size_t i = 0; i < p.steps.size(); ++i) EXPECT_EQ(read.steps[i].inverse, p.steps[i].inverse);
  // A rollback step id that does not exist is refused.
  std::string text = render_plan_json(p);
  const std::string ids = "\"steps\": [\n          1\n        ]";
  ASSERT_NE(text.find(ids), std::string::npos) << text;
  text.replace(text.find(ids), ids.size(), "\"steps\": [9]");
  EXPECT_THROW(read_plan_json(text, "plan.json"), std::runtime_error);

  // In the SQL script every rollback line is a comment: running the plan never runs it.
  const std::string sql = render_plan_sql(p);
  const size_t section = sql.find("-- rollback:");
  ASSERT_NE(section, std::string::npos) << sql;
  std::istringstream lines(sql.substr(section));
  for (std::string line; std::getline(lines, line);) EXPECT_EQ(line.rfind("--", 0), 0u) << line;
  EXPECT_NE(sql.find("--   ALTER TABLE public.t ALTER COLUMN amount TYPE double precision;"),
            std::string::npos)
      << sql;
  EXPECT_NE(render_plan_markdown(p).find("## Rollback"), std::string::npos);
}

TEST(Rollback, ATypeThatCannotBeCastBackIsSaidNotPlanned) {
  // integer -> money has a cast, money -> integer none: the plan stands, its way back cannot
  // be planned, and the plan says why.
  const Plan p = plan_with_rollback("CREATE TABLE t (c integer);", "CREATE TABLE t (c money);");
  EXPECT_FALSE(p.steps.empty());
  EXPECT_FALSE(p.rollback);
  EXPECT_NE(p.rollback_refused.find("money"), std::string::npos) << p.rollback_refused;
  EXPECT_NE(render_plan_sql(p).find("--   none can be planned: "), std::string::npos);
  const Plan read = read_plan_json(render_plan_json(p), "plan.json");
  EXPECT_EQ(read.rollback_refused, p.rollback_refused);
}

}  // namespace
}  // namespace pgdrift::planner
