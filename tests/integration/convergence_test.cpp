// Convergence: for each case, in both directions, the plan applied to a database holding the
// `from` schema must make it equal to a database holding the `to` schema (compared by
// introspecting both and diffing the models). Every case runs in two modes: the target model
// introspected from a database built from the `to` SQL, and the target model loaded from the
// `to` SQL text by the SQL loader (then the database after the plan must introspect equal to
// the loaded model: loader and introspector must agree). Cases are table-driven: from DDL, to
// DDL, and hazards the forward plan must contain.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "engine/diff.h"
#include "planner/plan.h"
#include "schema/live/introspect.h"
#include "schema/sql/loader.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift {
namespace {

struct ConvergenceCase {
  std::string name;
  std::string from;
  std::string to;
  std::vector<planner::Hazard> forward_hazards;  // must appear in the from -> to plan
  bool privileges = false;                       // compare (and plan) grants too
  bool offline = false;                          // plan with --no-online
  // Run on the migrated database after the forward plan; must return 0 (e.g. rows a backfill
  // left NULL). Empty = none.
  std::string check_after{};
};

enum class Target { Introspected, Loaded };

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
      {"materialized_view_added_changed_dropped",
       "CREATE TABLE t (a int, b int); CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;"
       "CREATE MATERIALIZED VIEW old_mv AS SELECT b FROM t;",
       "CREATE TABLE t (a int, b int); CREATE MATERIALIZED VIEW mv AS SELECT a, b FROM t WHERE "
       "a > 0; CREATE MATERIALIZED VIEW new_mv AS SELECT count(*) AS n FROM t;",
       {}},
      {"procedure",
       "CREATE TABLE log (m text);"
       "CREATE PROCEDURE note(m text) LANGUAGE sql AS $$ INSERT INTO log VALUES (m) $$;",
       "CREATE TABLE log (m text);"
       "CREATE PROCEDURE note(m text) LANGUAGE sql AS $$ INSERT INTO log VALUES (upper(m)) $$;"
       "CREATE PROCEDURE wipe() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM log; END $$;",
       {}},
      {"extension_and_column_of_its_type",
       "CREATE TABLE t (id int);",
       "CREATE EXTENSION citext; CREATE TABLE t (id int, email citext);",
       {}},
      {"partition_added_and_dropped",
       "CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);"
       "CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
       "CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);"
       "CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
       {Hazard::DataLoss}},
      {"generated_columns",
       "CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a + 1) STORED);",
       "CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 2) STORED,"
       " h bigint GENERATED ALWAYS AS (a) STORED);",
       {Hazard::TableRewrite}},
      {"column_collation",
       "CREATE TABLE t (c text, d varchar(5));",
       "CREATE TABLE t (c text COLLATE \"C\", d varchar(5) COLLATE \"POSIX\");",
       {Hazard::AccessExclusiveLock}},
      {"exclusion_constraint",
       "CREATE TABLE r (span int4range);",
       "CREATE TABLE r (span int4range, CONSTRAINT no_overlap EXCLUDE USING gist (span WITH &&));",
       {Hazard::AccessExclusiveLock}},
      {"grants_on_tables_and_columns",
       "CREATE TABLE t (a int, b int); GRANT SELECT ON t TO app_ro;",
       "CREATE TABLE t (a int, b int); GRANT SELECT, INSERT ON t TO reader;"
       "GRANT UPDATE (b) ON t TO writer;",
       {Hazard::Authz},
       true},
      {"index_method_opclass_include_predicate",
       "CREATE TABLE t (a int, b text);"
       "CREATE INDEX i_method ON t (a); CREATE INDEX i_opclass ON t (b);"
       "CREATE INDEX i_include ON t (a); CREATE INDEX i_pred ON t (a) WHERE a > 0;",
       "CREATE TABLE t (a int, b text);"
       "CREATE INDEX i_method ON t USING hash (a); CREATE INDEX i_opclass ON t (b "
       "text_pattern_ops); CREATE INDEX i_include ON t (a) INCLUDE (b);"
       "CREATE INDEX i_pred ON t (a) WHERE a > 1;",
       {Hazard::IndexBuild, Hazard::IndexDropped}},
      {"enum_to_different_enum",
       "CREATE TYPE old_s AS ENUM ('a', 'b', 'c'); CREATE TABLE t (s old_s DEFAULT 'a');",
       "CREATE TYPE new_s AS ENUM ('a', 'b'); CREATE TABLE t (s new_s DEFAULT 'a');",
       {Hazard::ConversionMayFail}},
      {"enum_type_renamed",
       "CREATE TYPE st AS ENUM ('x', 'y'); CREATE TABLE t (s st DEFAULT 'x', u st[]);"
       "CREATE TABLE w (s st);",
       "CREATE TYPE status AS ENUM ('x', 'y'); CREATE TABLE t (s status DEFAULT 'x', u "
       "status[]); CREATE TABLE w (s status);",
       {Hazard::ConversionMayFail}},
      {"foreign_key_on_retyped_primary_key",
       "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p (id));",
       "CREATE TABLE p (id bigint PRIMARY KEY); CREATE TABLE c (p bigint REFERENCES p (id));",
       {Hazard::ValidationScan}},
      {"foreign_key_on_dropped_primary_key",
       "CREATE TABLE users (id int PRIMARY KEY);"
       "CREATE TABLE taggings (user_id int NOT NULL REFERENCES users (id));",
       "CREATE TABLE users (user_id int PRIMARY KEY, name text);",
       {Hazard::DataLoss}},
      {"identity_and_sequence_bounds_exclude_old_start",
       "CREATE TABLE v (x int GENERATED BY DEFAULT AS IDENTITY (START WITH -200 INCREMENT BY 10"
       " MINVALUE -200 MAXVALUE 200)); CREATE SEQUENCE s START 1;",
       "CREATE TABLE v (x int GENERATED BY DEFAULT AS IDENTITY (START WITH -100 INCREMENT BY 5"
       " MINVALUE -100 MAXVALUE 100)); CREATE SEQUENCE s START 50 MINVALUE 10;",
       {}},
      {"retyped_column_read_by_policy_trigger_and_generated_column",
       "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';"
       "CREATE TABLE t (a int, b int, o int, g int GENERATED ALWAYS AS (a + 1) STORED);"
       "COMMENT ON COLUMN t.g IS 'derived'; ALTER TABLE t ENABLE ROW LEVEL SECURITY;"
       "CREATE POLICY p ON t USING (o > 0);"
       "CREATE TRIGGER tw BEFORE UPDATE ON t FOR EACH ROW WHEN (new.a > 0) EXECUTE FUNCTION tf();"
       "CREATE TRIGGER tu BEFORE UPDATE OF b ON t FOR EACH ROW EXECUTE FUNCTION tf();",
       "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';"
       "CREATE TABLE t (a bigint, b text, o bigint, g int GENERATED ALWAYS AS (a + 1) STORED);"
       "COMMENT ON COLUMN t.g IS 'derived'; ALTER TABLE t ENABLE ROW LEVEL SECURITY;"
       "CREATE POLICY p ON t USING (o > 0);"
       "CREATE TRIGGER tw BEFORE UPDATE ON t FOR EACH ROW WHEN (new.a > 0) EXECUTE FUNCTION tf();"
       "CREATE TRIGGER tu BEFORE UPDATE OF b ON t FOR EACH ROW EXECUTE FUNCTION tf();",
       {Hazard::TableRewrite, Hazard::Authz}},
      {"domain_base_type_with_columns_and_view",
       "CREATE DOMAIN d AS int; CREATE TABLE t (x d DEFAULT 1); CREATE VIEW v AS SELECT x FROM t;",
       "CREATE DOMAIN d AS bigint CHECK (VALUE > 0); CREATE TABLE t (x d DEFAULT 1);"
       "CREATE VIEW v AS SELECT x FROM t;",
       {Hazard::ConversionMayFail}},
      {"foreign_key_on_primary_key_retyped_to_text",
       "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p (id));",
       "CREATE TABLE p (id text PRIMARY KEY); CREATE TABLE c (p text REFERENCES p (id));",
       {Hazard::ValidationScan}},
      {"function_recreated_under_table_dependents",
       "CREATE FUNCTION ok(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'select x > 0';"
       "CREATE FUNCTION pick() RETURNS int LANGUAGE sql AS 'select 7';"
       "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';"
       "CREATE TABLE t (a int DEFAULT pick() CONSTRAINT a_ok CHECK (ok(a)),"
       " g boolean GENERATED ALWAYS AS (ok(a)) STORED);"
       "CREATE INDEX i ON t (a) WHERE ok(a); ALTER TABLE t ENABLE ROW LEVEL SECURITY;"
       "CREATE POLICY p ON t USING (ok(a));"
       "CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW WHEN (ok(new.a)) EXECUTE FUNCTION "
       "tf();",
       "CREATE FUNCTION ok(y int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'select y > 0';"
       "CREATE FUNCTION pick() RETURNS bigint LANGUAGE sql AS 'select 7';"
       "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';"
       "CREATE TABLE t (a int DEFAULT pick() CONSTRAINT a_ok CHECK (ok(a)),"
       " g boolean GENERATED ALWAYS AS (ok(a)) STORED);"
       "CREATE INDEX i ON t (a) WHERE ok(a); ALTER TABLE t ENABLE ROW LEVEL SECURITY;"
       "CREATE POLICY p ON t USING (ok(a));"
       "CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW WHEN (ok(new.a)) EXECUTE FUNCTION "
       "tf();",
       {Hazard::UntrackedDependencies, Hazard::IndexBuild}},
      {"function_settings",
       "",
       "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = public"
       " SET statement_timeout = '30s' SET work_mem = '64MB' AS 'select 1';",
       {}},
      {"default_at_time_zone",
       "CREATE TABLE e (id int);",
       "CREATE TABLE e (id int, at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'));",
       {}},
      // Volatile defaults on a table with rows: online, the column is added bare, the default
      // set and the rows backfilled (each row its own value); offline, one rewriting ADD.
      {"volatile_defaults_added_online_with_rows",
       "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 50);",
       "CREATE TABLE t (id int, created_at timestamptz DEFAULT clock_timestamp(),"
       " token uuid DEFAULT gen_random_uuid(), r double precision DEFAULT random());",
       {Hazard::Backfill},
       false,
       false,
       "SELECT (SELECT count(*) FROM t WHERE created_at IS NULL OR token IS NULL OR r IS NULL)"
       " + (SELECT count(*) - count(DISTINCT token) FROM t) + (SELECT 50 - count(*) FROM t)"},
      {"volatile_defaults_added_offline_with_rows",
       "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 50);",
       "CREATE TABLE t (id int, created_at timestamptz DEFAULT clock_timestamp(),"
       " token uuid DEFAULT gen_random_uuid());",
       {Hazard::TableRewrite},
       false,
       true,
       "SELECT (SELECT count(*) FROM t WHERE created_at IS NULL OR token IS NULL)"
       " + (SELECT count(*) - count(DISTINCT token) FROM t)"},
      {"volatile_default_not_null_online_with_rows",
       "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 50);",
       "CREATE TABLE t (id int, token uuid NOT NULL DEFAULT gen_random_uuid());",
       {Hazard::Backfill, Hazard::ValidationScan},
       false,
       false,
       "SELECT (SELECT count(*) - count(DISTINCT token) FROM t) + (SELECT 50 - count(*) FROM t)"},
      {"volatile_default_not_null_offline_with_rows",
       "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 50);",
       "CREATE TABLE t (id int, token uuid NOT NULL DEFAULT gen_random_uuid());",
       {Hazard::TableRewrite},
       false,
       true,
       "SELECT count(*) - count(DISTINCT token) FROM t"},
      {"serial_column_added_with_rows",
       "CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 30);",
       "CREATE TABLE t (x int, id serial);",
       {Hazard::Backfill},
       false,
       false,
       "SELECT (SELECT count(*) FROM t WHERE id IS NULL) + (SELECT count(*) - count(DISTINCT id)"
       " FROM t)"},
      {"index_storage_parameters",
       "CREATE TABLE t (a int, v tsvector);"
       "CREATE INDEX i ON t (a) WITH (fillfactor = 70, deduplicate_items = off);"
       "CREATE INDEX g ON t USING gin (v);",
       "CREATE TABLE t (a int, v tsvector); CREATE INDEX i ON t (a) WITH (fillfactor = 80);"
       "CREATE INDEX g ON t USING gin (v) WITH (fastupdate = off, gin_pending_list_limit = 128);",
       {Hazard::AccessExclusiveLock}},
      {"table_storage_parameters",
       "CREATE TABLE t (a int) WITH (fillfactor = 70, autovacuum_enabled = false);",
       "CREATE TABLE t (a int) WITH (fillfactor = 80, parallel_workers = 2);",
       {}},
  };
  return all;
}

schema::Model load_sql(const std::string& sql) {
  schema::Model model;
  std::vector<schema::sql::LoadWarning> warnings;
  schema::sql::apply_sql(model, sql, "to.sql", {}, warnings);
  return model;
}

std::vector<std::string> remaining_differences(const std::string& from_sql,
                                               const std::string& to_sql, Target target,
                                               bool privileges, bool check_hazards,
                                               const std::vector<Hazard>& expected,
                                               std::string& script, bool online = true,
                                               const std::string& check_after = "") {
  auto a = testing::create_fresh_database(from_sql);
  schema::Model from = schema::live::introspect(a.conninfo).model;
  schema::Model to;
  if (target == Target::Introspected)
    to = schema::live::introspect(testing::create_fresh_database(to_sql).conninfo).model;
  else
    to = load_sql(to_sql);
  planner::PlanOptions options;
  options.diff.compare_privileges = privileges;
  options.online = online;
  planner::Plan plan = planner::make_plan(from, to, options);
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
  if (!check_after.empty()) {
    std::string value = testing::query_value(a.conninfo, check_after);
    if (value != "0")
      problems.push_back("check after the plan returned " + value + ": " + check_after);
  }
  schema::Model after = schema::live::introspect(a.conninfo).model;
  for (const auto& line : engine::describe_changes(engine::diff_models(after, to, options.diff)))
    problems.push_back("still differs: " + line);
  return problems;
}

class Convergence : public ::testing::TestWithParam<ConvergenceCase> {};

void expect_convergence(const ConvergenceCase& c, Target target) {
  std::string script;
  auto forward = remaining_differences(c.from, c.to, target, c.privileges, true, c.forward_hazards,
                                       script, !c.offline, c.check_after);
  EXPECT_TRUE(forward.empty()) << "from -> to:\n"
                               << ::testing::PrintToString(forward) << "\n"
                               << script;
  auto backward =
      remaining_differences(c.to, c.from, target, c.privileges, false, {}, script, !c.offline);
  EXPECT_TRUE(backward.empty()) << "to -> from:\n"
                                << ::testing::PrintToString(backward) << "\n"
                                << script;
}

TEST_P(Convergence, ForwardAndBackward) { expect_convergence(GetParam(), Target::Introspected); }

// The target taken from the SQL text (as `pgdrift plan --to schema.sql` does).
TEST_P(Convergence, ForwardAndBackwardToLoadedSql) {
  expect_convergence(GetParam(), Target::Loaded);
}

INSTANTIATE_TEST_SUITE_P(Cases, Convergence, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace pgdrift
