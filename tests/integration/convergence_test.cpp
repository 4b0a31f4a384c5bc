// Convergence: for each case, in both directions, the plan applied to a database holding the
// `from` schema must make it equal to a database holding the `to` schema (compared by
// introspecting both and diffing the models). Cases are table-driven: from DDL, to DDL, and
// hazards the forward plan must contain.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "engine/diff.h"
#include "planner/plan.h"
#include "schema/live/introspect.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift {
namespace {

struct ConvergenceCase {
  std::string name;
  std::string from;
  std::string to;
  std::vector<planner::Hazard> forward_hazards;  // must appear in the from -> to plan
};

using planner::Hazard;

const std::vector<ConvergenceCase>& cases() {
  static const std::vector<ConvergenceCase> all = {
      {"create_and_drop_table", "", "CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL);", {}},
      {"add_and_drop_column",
       "CREATE TABLE t (id int);",
       "CREATE TABLE t (id int, note text DEFAULT 'x', n int NOT NULL DEFAULT 0);",
       {Hazard::AccessExclusiveLock}},
      {"widen_varchar_no_rewrite",
       "CREATE TABLE t (c varchar(10));",
       "CREATE TABLE t (c varchar(20));",
       {Hazard::AccessExclusiveLock}},
      // PostgreSQL re-parses a CHECK against the old type on ALTER COLUMN TYPE: the planner
      // drops and re-adds it around the change.
      {"check_on_retyped_money_column",
       "CREATE TABLE t (amount double precision CHECK (amount >= 0));",
       "CREATE TABLE t (amount numeric(12,2) CHECK (amount >= 0));",
       {Hazard::PrecisionLoss}},
      {"text_to_uuid",
       "CREATE TABLE t (c text);",
       "CREATE TABLE t (c uuid);",
       {Hazard::ConversionMayFail, Hazard::TableRewrite}},
      {"double_to_numeric",
       "CREATE TABLE t (c double precision);",
       "CREATE TABLE t (c numeric(12,2));",
       {Hazard::PrecisionLoss}},
      {"nullability_and_default",
       "CREATE TABLE t (c int);",
       "CREATE TABLE t (c int NOT NULL DEFAULT 5);",
       {Hazard::ValidationScan}},
      {"identity_column",
       "CREATE TABLE t (id int NOT NULL);",
       "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY);",
       {}},
      {"serial_column", "CREATE TABLE t (x int);", "CREATE TABLE t (x int, id serial);", {}},
      {"check_constraint",
       "CREATE TABLE t (a int);",
       "CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0));",
       {Hazard::ValidationScan}},
      {"unique_and_primary_key",
       "CREATE TABLE t (a int NOT NULL, b int);",
       "CREATE TABLE t (a int PRIMARY KEY, b int UNIQUE);",
       {Hazard::IndexBuild}},
      {"foreign_key",
       "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int);",
       "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p(id) ON DELETE "
       "CASCADE);",
       {Hazard::BlocksWrites, Hazard::ValidationScan}},
      {"mutual_foreign_keys",
       "",
       "CREATE TABLE a (id int PRIMARY KEY, b_id int);"
       "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a(id));"
       "ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b(id);",
       {}},
      {"indexes",
       "CREATE TABLE t (a int, b text);",
       "CREATE TABLE t (a int, b text); CREATE INDEX t_a ON t (a DESC);"
       "CREATE UNIQUE INDEX t_b ON t (lower(b)) WHERE a > 0;",
       {Hazard::IndexBuild}},
      {"sequence", "", "CREATE SEQUENCE s INCREMENT BY 5 START 10;", {}},
      {"sequence_alter",
       "CREATE SEQUENCE s;",
       "CREATE SEQUENCE s INCREMENT BY 2 MAXVALUE 1000;",
       {}},
      {"enum_value_added",
       "CREATE TYPE m AS ENUM ('a', 'c'); CREATE TABLE t (x m);",
       "CREATE TYPE m AS ENUM ('a', 'b', 'c'); CREATE TABLE t (x m);",
       {}},
      {"enum_used_by_column_with_default",
       "CREATE TYPE m AS ENUM ('a', 'b', 'c'); CREATE TABLE t (x m DEFAULT 'a');"
       "CREATE VIEW v AS SELECT x FROM t;",
       "CREATE TYPE m AS ENUM ('a', 'c'); CREATE TABLE t (x m DEFAULT 'a');"
       "CREATE VIEW v AS SELECT x FROM t;",
       {Hazard::DataLoss}},
      {"composite_type",
       "CREATE TYPE pair AS (a int, b text);",
       "CREATE TYPE pair AS (a bigint, c text);",
       {}},
      {"domain",
       "CREATE DOMAIN pos AS int CHECK (VALUE > 0);",
       "CREATE DOMAIN pos AS int DEFAULT 1 NOT NULL CONSTRAINT pos_small CHECK (VALUE < 100);",
       {}},
      {"type_change_with_dependent_views",
       "CREATE TABLE t (a int, b text); CREATE VIEW v AS SELECT a, b FROM t;"
       "CREATE VIEW w AS SELECT a FROM v WHERE a > 1;",
       "CREATE TABLE t (a bigint, b text); CREATE VIEW v AS SELECT a, b FROM t;"
       "CREATE VIEW w AS SELECT a FROM v WHERE a > 1;",
       {Hazard::TableRewrite}},
      {"view_changed_and_views_on_views",
       "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a FROM t;"
       "CREATE VIEW w AS SELECT a FROM v;",
       "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a, b FROM t;"
       "CREATE VIEW w AS SELECT a, b FROM v; CREATE MATERIALIZED VIEW mv AS SELECT a FROM w;"
       "CREATE INDEX mv_a ON mv (a);",
       {}},
      {"function_used_by_default_and_check",
       "CREATE TABLE t (a int);",
       "CREATE FUNCTION pick() RETURNS int LANGUAGE sql AS 'select 7';"
       "CREATE FUNCTION ok(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'select x > 0';"
       "CREATE TABLE t (a int DEFAULT pick() CONSTRAINT a_ok CHECK (ok(a)));",
       {}},
      {"function_body_and_signature",
       "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'select x';"
       "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'select 1';",
       "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'select x + 1';"
       "CREATE FUNCTION g() RETURNS bigint LANGUAGE sql AS 'select 1';",
       {Hazard::UntrackedDependencies}},
      {"trigger",
       "CREATE TABLE t (a int, at timestamptz);"
       "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
       "'begin new.at := now(); return new; end';",
       "CREATE TABLE t (a int, at timestamptz);"
       "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
       "'begin new.at := now(); return new; end';"
       "CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION "
       "touch();",
       {}},
      {"policy_and_rls",
       "CREATE TABLE t (a int, owner text);",
       "CREATE TABLE t (a int, owner text); ALTER TABLE t ENABLE ROW LEVEL SECURITY;"
       "CREATE POLICY own ON t USING (owner = current_user);",
       {Hazard::Authz}},
      {"comments",
       "CREATE TABLE t (a int);",
       "CREATE TABLE t (a int); COMMENT ON TABLE t IS 'the t'; COMMENT ON COLUMN t.a IS 'an a';",
       {}},
      {"schema_and_objects_in_it",
       "",
       "CREATE SCHEMA app; CREATE TYPE app.s AS ENUM ('x');"
       "CREATE TABLE app.t (id int PRIMARY KEY, s app.s); CREATE VIEW app.v AS SELECT id FROM "
       "app.t;",
       {}},
      {"table_options_and_unlogged",
       "CREATE TABLE t (a int);",
       "CREATE UNLOGGED TABLE t (a int) WITH (fillfactor = 70);",
       {Hazard::TableRewrite}},
  };
  return all;
}

std::vector<std::string> remaining_differences(const std::string& from_sql,
                                               const std::string& to_sql, bool check_hazards,
                                               const std::vector<Hazard>& expected,
                                               std::string& script) {
  auto a = testing::create_fresh_database(from_sql);
  auto b = testing::create_fresh_database(to_sql);
  schema::Model from = schema::live::introspect(a.conninfo).model;
  schema::Model to = schema::live::introspect(b.conninfo).model;
  planner::Plan plan = planner::make_plan(from, to);
  script = planner::render_plan_sql(plan);
  std::vector<std::string> problems;
  if (check_hazards)
    for (Hazard h : expected) {
      bool found = false;
      for (const auto& s : plan.steps)
        for (Hazard x : s.hazards) found = found || x == h;
      if (!found) problems.push_back("expected hazard missing: " + planner::hazard_code(h));
    }
  std::string path = "/tmp/pgdrift-convergence-" + a.name + ".sql";
  {
    std::ofstream out(path, std::ios::binary);
    out << script;
  }
  try {
    testing::test_cluster().psql_file(a.name, path);
  } catch (const std::exception& e) {
    std::remove(path.c_str());
    problems.push_back(std::string("plan failed: ") + e.what());
    return problems;
  }
  std::remove(path.c_str());
  schema::Model after = schema::live::introspect(a.conninfo).model;
  for (const auto& line : engine::describe_changes(engine::diff_models(after, to)))
    problems.push_back("still differs: " + line);
  return problems;
}

class Convergence : public ::testing::TestWithParam<ConvergenceCase> {};

TEST_P(Convergence, ForwardAndBackward) {
  const auto& c = GetParam();
  std::string script;
  auto forward = remaining_differences(c.from, c.to, true, c.forward_hazards, script);
  EXPECT_TRUE(forward.empty()) << "from -> to:\n"
                               << ::testing::PrintToString(forward) << "\n"
                               << script;
  auto backward = remaining_differences(c.to, c.from, false, {}, script);
  EXPECT_TRUE(backward.empty()) << "to -> from:\n"
                                << ::testing::PrintToString(backward) << "\n"
                                << script;
}

INSTANTIATE_TEST_SUITE_P(Cases, Convergence, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace pgdrift
