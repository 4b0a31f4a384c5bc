// The planner: from DDL, to DDL -> ordered steps with the expected forms and hazards.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "planner/data_checks.h"
#include "planner/plan.h"
#include "schema/sql/loader.h"

namespace pgdrift::planner {
namespace {

schema::Model load(const std::string& sql) {
  schema::Model model;
  std::vector<schema::sql::LoadWarning> warnings;
  schema::sql::apply_sql(model, sql, "test.sql", {}, warnings);
  return model;
}

Plan plan(const std::string& from, const std::string& to, PlanOptions options = {}) {
  return make_plan(load(from), load(to), options);
}

// Index of the first step whose statement contains `text`, or -1.
int find(const Plan& p, const std::string& text) {
  for (size_t i = 0; i < p.steps.size(); ++i)
    if (p.steps[i].statement.find(text) != std::string::npos) return static_cast<int>(i);
  return -1;
}

bool has(const Step& s, Hazard h) {
  return std::find(s.hazards.begin(), s.hazards.end(), h) != s.hazards.end();
}

std::string dump(const Plan& p) { return render_plan_sql(p); }

TEST(Planner, NoChangesGivesEmptyPlan) {
  const std::string sql = "CREATE TABLE t (id int PRIMARY KEY);";
  Plan p = plan(sql, sql);
  EXPECT_TRUE(p.empty());
  EXPECT_NE(render_plan_sql(p).find("-- no changes"), std::string::npos);
  EXPECT_NE(render_plan_json(p).find("\"steps\": []"), std::string::npos);
  EXPECT_EQ(p.source_fingerprint, p.target_fingerprint);
}

TEST(Planner, FingerprintsAreSha256AndIgnoreColumnPosition) {
  schema::Model a = load("CREATE TABLE t (id int, b text, a int);");
  std::string fp = model_fingerprint(a);
  ASSERT_EQ(fp.size(), 7u + 64u) << fp;
  EXPECT_EQ(fp.substr(0, 7), "sha256:");
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef", 7), std::string::npos) << fp;
  // The same columns in another order (ADD COLUMN appends): same fingerprint.
  schema::Model reordered = load("CREATE TABLE t (a int, id int, b text);");
  EXPECT_FALSE(a == reordered);  // the model itself keeps attribute order
  EXPECT_EQ(model_fingerprint(reordered), fp);
  // Anything else the plan controls changes it.
  EXPECT_NE(model_fingerprint(load("CREATE TABLE t (id int, b text, a bigint);")), fp);
  EXPECT_NE(model_fingerprint(load("CREATE TABLE t (id int, b text, a int NOT NULL);")), fp);
  EXPECT_NE(model_fingerprint(load("CREATE TABLE t (id int, b text, c int);")), fp);
  EXPECT_NE(model_fingerprint(load("CREATE TABLE t (id int, b text);")), fp);
  // Composite type attributes: ALTER TYPE ... ADD ATTRIBUTE appends too.
  EXPECT_EQ(model_fingerprint(load("CREATE TYPE p AS (x int, y text);")),
            model_fingerprint(load("CREATE TYPE p AS (y text, x int);")));
  EXPECT_NE(model_fingerprint(load("CREATE TYPE p AS (x int, y text);")),
            model_fingerprint(load("CREATE TYPE p AS (x int, y varchar);")));
}

TEST(Planner, HazardCodesRoundTrip) {
  for (Hazard h : all_hazards()) EXPECT_EQ(hazard_from_code(hazard_code(h)), h);
  EXPECT_EQ(hazard_code(Hazard::DataLoss), "data_loss");
  EXPECT_EQ(hazard_code(Hazard::TableRewrite), "table_rewrite");
  EXPECT_FALSE(hazard_from_code("nope").has_value());
}

struct TypeCase {
  std::string from, to;
  bool rewrite;
  bool using_cast;
  std::vector<Hazard> hazards;  // expected besides rewrite / lock
};

TEST(Planner, TypeChangesAreClassified) {
  const std::vector<TypeCase> cases = {
      {"varchar(10)", "varchar(20)", false, false, {}},
      {"varchar(10)", "text", false, false, {}},
      {"numeric(10,2)", "numeric(12,2)", false, false, {}},
      {"numeric(10,2)", "numeric", false, false, {}},
      {"integer", "bigint", true, false, {}},
      {"varchar(20)", "varchar(10)", true, false, {Hazard::ConversionMayFail}},
      {"text", "uuid", true, true, {Hazard::ConversionMayFail}},
      {"text", "integer", true, true, {Hazard::ConversionMayFail}},
      {"double precision",
       "numeric(12,2)",
       true,
       false,
       {Hazard::PrecisionLoss, Hazard::ConversionMayFail}},
      {"numeric(12,4)", "numeric(12,2)", true, false, {Hazard::PrecisionLoss}},
  };
  for (const auto& c : cases) {
    Plan p = plan("CREATE TABLE t (c " + c.from + ");", "CREATE TABLE t (c " + c.to + ");");
    int i = find(p, "ALTER COLUMN c TYPE");
    ASSERT_GE(i, 0) << c.from << " -> " << c.to << "\n" << dump(p);
    const Step& s = p.steps[i];
    EXPECT_EQ(has(s, Hazard::TableRewrite), c.rewrite) << c.from << " -> " << c.to;
    EXPECT_EQ(s.statement.find("USING") != std::string::npos, c.using_cast)
        << c.from << " -> " << c.to << ": " << s.statement;
    for (Hazard h : c.hazards)
      EXPECT_TRUE(has(s, h)) << c.from << " -> " << c.to << " " << hazard_code(h);
    EXPECT_TRUE(has(s, Hazard::AccessExclusiveLock));
  }
}

TEST(Planner, PreflightQueriesCountRowsAtRisk) {
  Plan uuid = plan("CREATE TABLE t (c text);", "CREATE TABLE t (c uuid);");
  int i = find(uuid, "TYPE uuid");
  ASSERT_GE(i, 0);
  ASSERT_TRUE(uuid.steps[i].preflight.has_value());
  EXPECT_NE(uuid.steps[i].preflight->count_sql.find("c !~* '^"), std::string::npos);
  Plan money = plan("CREATE TABLE t (c double precision);", "CREATE TABLE t (c numeric(12,2));");
  i = find(money, "TYPE numeric(12,2)");
  ASSERT_GE(i, 0);
  ASSERT_TRUE(money.steps[i].preflight.has_value());
  EXPECT_NE(money.steps[i].preflight->count_sql.find("round(c::numeric, 2)"), std::string::npos);
  EXPECT_NE(money.steps[i].preflight->count_sql.find("abs(round(c::numeric, 2)) >= 1e10"),
            std::string::npos);
}

TEST(Planner, ForeignKeyOnlineAndOffline) {
  const std::string from = "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int);";
  const std::string to =
      "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p(id));";
  Plan online = plan(from, to);
  int add = find(online, "FOREIGN KEY");
  int validate = find(online, "VALIDATE CONSTRAINT");
  ASSERT_GE(add, 0);
  ASSERT_GT(validate, add);
  EXPECT_NE(online.steps[add].statement.find("NOT VALID"), std::string::npos);
  EXPECT_TRUE(has(online.steps[add], Hazard::BlocksWrites));
  EXPECT_FALSE(has(online.steps[add], Hazard::ValidationScan));
  EXPECT_TRUE(has(online.steps[validate], Hazard::ValidationScan));
  EXPECT_EQ(online.steps[validate].lock, "SHARE UPDATE EXCLUSIVE");

  PlanOptions offline;
  offline.online = false;
  Plan plain = plan(from, to, offline);
  ASSERT_EQ(plain.steps.size(), 1u) << dump(plain);
  EXPECT_EQ(plain.steps[0].statement.find("NOT VALID"), std::string::npos);
  EXPECT_TRUE(has(plain.steps[0], Hazard::ValidationScan));
}

TEST(Planner, IndexConcurrentlyOnExistingTablePlainOnNewTable) {
  Plan existing =
      plan("CREATE TABLE t (a int);", "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);");
  int i = find(existing, "CREATE INDEX");
  ASSERT_GE(i, 0);
  EXPECT_NE(existing.steps[i].statement.find("CONCURRENTLY"), std::string::npos);
  EXPECT_FALSE(existing.steps[i].transactional);
  EXPECT_TRUE(has(existing.steps[i], Hazard::IndexBuild));

  Plan fresh = plan("", "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);");
  i = find(fresh, "CREATE INDEX");
  ASSERT_GE(i, 0);
  EXPECT_EQ(fresh.steps[i].statement.find("CONCURRENTLY"), std::string::npos);
  EXPECT_TRUE(fresh.steps[i].transactional);
  EXPECT_GT(i, find(fresh, "CREATE TABLE"));
}

TEST(Planner, SetNotNullOnlineUsesAValidatedCheck) {
  Plan p = plan("CREATE TABLE t (c int);", "CREATE TABLE t (c int NOT NULL);");
  int check = find(p, "CHECK (c IS NOT NULL) NOT VALID");
  int validate = find(p, "VALIDATE CONSTRAINT");
  int set = find(p, "SET NOT NULL");
  int drop = find(p, "DROP CONSTRAINT");
  ASSERT_GE(check, 0) << dump(p);
  EXPECT_LT(check, validate);
  EXPECT_LT(validate, set);
  EXPECT_LT(set, drop);
}

TEST(Planner, UniqueOnlineUsesIndexThenConstraint) {
  Plan p = plan("CREATE TABLE t (a int);", "CREATE TABLE t (a int CONSTRAINT t_a_key UNIQUE);");
  int build = find(p, "CREATE UNIQUE INDEX CONCURRENTLY t_a_key");
  int attach = find(p, "USING INDEX t_a_key");
  ASSERT_GE(build, 0) << dump(p);
  EXPECT_GT(attach, build);
}

TEST(Planner, DropTableIsDataLoss) {
  Plan p = plan("CREATE TABLE t (a int);", "");
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_TRUE(has(p.steps[0], Hazard::DataLoss));
  EXPECT_EQ(disallowed_hazards(p, {}),
            (std::vector<Hazard>{Hazard::DataLoss, Hazard::AccessExclusiveLock}));
  EXPECT_TRUE(disallowed_hazards(p, {Hazard::DataLoss, Hazard::AccessExclusiveLock}).empty());
}

TEST(Planner, MutualForeignKeysAreAddedAfterBothTables) {
  Plan p = plan("",
                "CREATE TABLE a (id int PRIMARY KEY, b_id int);"
                "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a(id));"
                "ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b(id);");
  int last_table = std::max(find(p, "CREATE TABLE public.a"), find(p, "CREATE TABLE public.b"));
  int first_fk = find(p, "FOREIGN KEY");
  ASSERT_GE(first_fk, 0) << dump(p);
  EXPECT_GT(first_fk, last_table);
  // And dropping both works without CASCADE: the FKs go first.
  Plan back = plan(
      "CREATE TABLE a (id int PRIMARY KEY, b_id int);"
      "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a(id));"
      "ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b(id);",
      "");
  int first_drop_table =
      std::min(find(back, "DROP TABLE public.a"), find(back, "DROP TABLE public.b"));
  int drop_fk = find(back, "DROP CONSTRAINT");
  ASSERT_GE(drop_fk, 0) << dump(back);
  EXPECT_LT(drop_fk, first_drop_table);
}

TEST(Planner, ViewsAreRecreatedAroundAColumnTypeChange) {
  Plan p = plan(
      "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a FROM t;"
      "CREATE VIEW w AS SELECT a FROM v;",
      "CREATE TABLE t (a bigint, b int); CREATE VIEW v AS SELECT a FROM t;"
      "CREATE VIEW w AS SELECT a FROM v;");
  int drop_w = find(p, "DROP VIEW public.w");
  int drop_v = find(p, "DROP VIEW public.v");
  int alter = find(p, "ALTER COLUMN a TYPE bigint");
  int create_v = find(p, "CREATE VIEW public.v");
  int create_w = find(p, "CREATE VIEW public.w");
  ASSERT_TRUE(drop_w >= 0 && drop_v >= 0 && alter >= 0 && create_v >= 0 && create_w >= 0)
      << dump(p);
  EXPECT_LT(drop_w, drop_v);
  EXPECT_LT(drop_v, alter);
  EXPECT_LT(alter, create_v);
  EXPECT_LT(create_v, create_w);
}

TEST(Planner, FunctionsAndTypesBeforeTheColumnsThatUseThem) {
  Plan p = plan("",
                "CREATE TABLE t (id int DEFAULT public.next_id(), m public.mood,"
                " CHECK (public.ok(id)));"
                "CREATE TYPE mood AS ENUM ('a');"
                "CREATE FUNCTION next_id() RETURNS int LANGUAGE sql AS 'select 1';"
                "CREATE FUNCTION ok(x int) RETURNS boolean LANGUAGE sql AS 'select true';");
  int table = find(p, "CREATE TABLE");
  ASSERT_GE(table, 0) << dump(p);
  EXPECT_LT(find(p, "CREATE TYPE"), table);
  EXPECT_LT(find(p, "FUNCTION public.next_id"), table);
  EXPECT_LT(find(p, "FUNCTION public.ok"), table);
}

TEST(Planner, PlansAreDeterministic) {
  const std::string from = "CREATE TABLE a (x int); CREATE TABLE b (y int);";
  const std::string to =
      "CREATE TABLE c (x int); CREATE TABLE d (y int REFERENCES c(x));"
      "CREATE VIEW v AS SELECT y FROM d;";
  // (c.x is not unique: the FK is only used for ordering here; the plan is not applied.)
  EXPECT_EQ(dump(plan(from, to)), dump(plan(from, to)));
}

TEST(Planner, EnumValueAddedOutsideTransactions) {
  Plan p = plan("CREATE TYPE m AS ENUM ('a', 'c');", "CREATE TYPE m AS ENUM ('a', 'b', 'c');");
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_EQ(p.steps[0].statement, "ALTER TYPE public.m ADD VALUE 'b' BEFORE 'c';");
  EXPECT_FALSE(p.steps[0].transactional);
}

TEST(Planner, TimeoutsFollowOptions) {
  PlanOptions options;
  options.lock_timeout_ms = 1234;
  options.statement_timeout_ms = 777;
  Plan p = plan("CREATE TABLE t (a int);",
                "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a);", options);
  for (const auto& s : p.steps) {
    EXPECT_EQ(s.lock_timeout_ms, 1234);
    if (s.statement.find("INDEX") != std::string::npos)
      EXPECT_EQ(s.statement_timeout_ms, 0);
    else
      EXPECT_EQ(s.statement_timeout_ms, 777);
  }
  EXPECT_NE(render_plan_sql(p).find("SET lock_timeout = '1234ms';"), std::string::npos);
}

TEST(Planner, MarkdownHasSummaryStepsAndObjectDiff) {
  Plan p = plan("CREATE TABLE t (a int);", "CREATE TABLE t (a int, b text);");
  std::string md = render_plan_markdown(p);
  EXPECT_NE(md.find("## Summary"), std::string::npos);
  EXPECT_NE(md.find("| 1 | add column"), std::string::npos) << md;
  EXPECT_NE(md.find("+    b text"), std::string::npos) << md;
}

TEST(Planner, EnumToDifferentEnumGoesThroughText) {
  Plan p = plan(
      "CREATE TYPE old_s AS ENUM ('a', 'b', 'c');"
      "CREATE TABLE t (s old_s DEFAULT 'a');",
      "CREATE TYPE new_s AS ENUM ('a', 'b');"
      "CREATE TABLE t (s new_s DEFAULT 'a');");
  int create = find(p, "CREATE TYPE public.new_s");
  int drop_default = find(p, "ALTER COLUMN s DROP DEFAULT");
  int retype = find(p, "TYPE public.new_s USING s::text::public.new_s");
  int set_default = find(p, "SET DEFAULT 'a'::public.new_s");
  int drop = find(p, "DROP TYPE public.old_s");
  ASSERT_GE(retype, 0) << dump(p);
  EXPECT_LT(create, retype) << dump(p);
  EXPECT_LT(drop_default, retype) << dump(p);
  EXPECT_LT(retype, set_default) << dump(p);
  EXPECT_LT(retype, drop) << dump(p);
  EXPECT_TRUE(has(p.steps[retype], Hazard::ConversionMayFail));
  ASSERT_TRUE(p.steps[retype].preflight.has_value());
  EXPECT_NE(p.steps[retype].preflight->count_sql.find("s::text NOT IN ('a', 'b')"),
            std::string::npos)
      << p.steps[retype].preflight->count_sql;
}

TEST(Planner, ForeignKeyOnDroppedReferencedColumnIsDroppedFirst) {
  Plan p = plan(
      "CREATE TABLE users (id int PRIMARY KEY);"
      "CREATE TABLE tags (user_id int, CONSTRAINT tags_user FOREIGN KEY (user_id) REFERENCES "
      "users (id));",
      "CREATE TABLE users (user_id int PRIMARY KEY);");
  int drop_tags = find(p, "DROP TABLE public.tags");
  int drop_column = find(p, "DROP COLUMN id");
  ASSERT_GE(drop_tags, 0) << dump(p);
  EXPECT_LT(drop_tags, drop_column) << dump(p);
}

TEST(Planner, UnchangedForeignKeyIsRebuiltAroundReferencedKeyChange) {
  const std::string child =
      "CREATE TABLE c (p bigint, CONSTRAINT c_p FOREIGN KEY (p) REFERENCES p (id));";
  Plan p = plan("CREATE TABLE p (id int PRIMARY KEY);" + child,
                "CREATE TABLE p (id bigint PRIMARY KEY);" + child);
  int drop_fk = find(p, "DROP CONSTRAINT IF EXISTS c_p");
  int retype = find(p, "ALTER COLUMN id TYPE bigint");
  int add_fk = find(p, "ADD CONSTRAINT c_p FOREIGN KEY");
  ASSERT_GE(drop_fk, 0) << dump(p);
  ASSERT_GE(add_fk, 0) << dump(p);
  EXPECT_LT(drop_fk, retype) << dump(p);
  EXPECT_LT(retype, add_fk) << dump(p);
  // A change that does not touch the referenced key leaves the FK alone.
  Plan q = plan("CREATE TABLE p (id int PRIMARY KEY, x int);" + child,
                "CREATE TABLE p (id int PRIMARY KEY, x bigint);" + child);
  EXPECT_EQ(find(q, "c_p"), -1) << dump(q);
}

TEST(Planner, IdentityBoundsExcludingOldStartRestart) {
  Plan p = plan(
      "CREATE TABLE v (x int GENERATED BY DEFAULT AS IDENTITY (START WITH -200 INCREMENT BY 10 "
      "MINVALUE -200 MAXVALUE 200));",
      "CREATE TABLE v (x int GENERATED BY DEFAULT AS IDENTITY (START WITH -100 INCREMENT BY 5 "
      "MINVALUE -100 MAXVALUE 100));");
  EXPECT_GE(find(p, "SET MINVALUE -100"), 0) << dump(p);
  EXPECT_GE(find(p, "RESTART WITH -100"), 0) << dump(p);
  // Bounds that still contain the old START need no restart.
  Plan q = plan("CREATE TABLE v (x int GENERATED BY DEFAULT AS IDENTITY (START WITH 1));",
                "CREATE TABLE v (x int GENERATED BY DEFAULT AS IDENTITY (START WITH 1 MAXVALUE "
                "1000));");
  EXPECT_GE(find(q, "SET MAXVALUE 1000"), 0) << dump(q);
  EXPECT_EQ(find(q, "RESTART"), -1) << dump(q);
  Plan s = plan("CREATE SEQUENCE s START 1;", "CREATE SEQUENCE s START 50 MINVALUE 10;");
  EXPECT_GE(find(s, "RESTART WITH 50"), 0) << dump(s);
}

TEST(Planner, RenderedSqlQuotesFunctionSettingsAndParenthesisesDefaults) {
  Plan p = plan("",
                "CREATE FUNCTION f() RETURNS void LANGUAGE sql SET statement_timeout = '30s' AS "
                "'select';"
                "CREATE TABLE t (at timestamp DEFAULT (now() AT TIME ZONE 'utc'));");
  EXPECT_GE(find(p, "SET statement_timeout TO '30s'"), 0) << dump(p);
  EXPECT_GE(find(p, "DEFAULT (now() AT TIME ZONE 'utc')"), 0) << dump(p);
}

}  // namespace
}  // namespace pgdrift::planner

namespace pgdrift::planner {
namespace {

// Steps grouped for execution: consecutive transactional steps together, a CONCURRENTLY step
// alone outside a transaction, a VALIDATE in its own transaction after its NOT VALID add.
TEST(PlanTransactions, GroupsFollowWhatPostgresAllowsAndWhatTheOnlineFormNeeds) {
  Plan p = plan(
      "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, p_id int, n int);",
      "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, p_id int "
      "REFERENCES p, n bigint, m text); CREATE INDEX c_n ON c (n);");
  auto groups = step_groups(p);
  std::string shape;
  for (const auto& g : groups) {
    shape += g.in_transaction ? "[" : "(";
    for (size_t i : g.steps) {
      const Step& s = p.steps[i];
      shape += s.statement.find("VALIDATE") != std::string::npos ? "V"
               : !s.transactional                                ? "C"
                                                                 : "s";
    }
    shape += g.in_transaction ? "]" : ")";
  }
  // Every step is in exactly one group, in plan order.
  std::vector<size_t> order;
  for (const auto& g : groups) order.insert(order.end(), g.steps.begin(), g.steps.end());
  std::vector<size_t> expected(p.steps.size());
  for (size_t i = 0; i < expected.size(); ++i) expected[i] = i;
  EXPECT_EQ(order, expected);
  EXPECT_NE(shape.find("(C)"), std::string::npos) << shape << "\n" << dump(p);
  EXPECT_NE(shape.find("[V]"), std::string::npos) << shape << "\n" << dump(p);
  EXPECT_EQ(shape.find("sV"), std::string::npos) << shape;
  EXPECT_EQ(shape.find("Vs"), std::string::npos) << shape;
  // No two transactional groups are adjacent unless a validation separates them.
  EXPECT_EQ(shape.find("s][s"), std::string::npos) << shape;

  // The script says the same: the concurrent build is outside BEGIN/COMMIT.
  std::string sql = dump(p);
  size_t build = sql.find("CREATE INDEX CONCURRENTLY");
  ASSERT_NE(build, std::string::npos) << sql;
  size_t last_begin = sql.rfind("BEGIN;", build), last_commit = sql.rfind("COMMIT;", build);
  EXPECT_TRUE(last_begin == std::string::npos ||
              (last_commit != std::string::npos && last_commit > last_begin))
      << sql;
}

}  // namespace
}  // namespace pgdrift::planner

namespace pgdrift::planner {
namespace {

// Steps whose statement contains `text`.
int count(const Plan& p, const std::string& text) {
  int n = 0;
  for (const auto& s : p.steps) n += s.statement.find(text) != std::string::npos;
  return n;
}

bool plan_has(const Plan& p, Hazard h) {
  for (const auto& s : p.steps)
    if (has(s, h)) return true;
  return false;
}

const std::string kBareTable = "CREATE TABLE t (id int);";

TEST(PlanVolatileDefault, OnlineAddsBareColumnThenSetsDefaultThenBackfills) {
  Plan p = plan(kBareTable,
                "CREATE TABLE t (id int, created_at timestamptz DEFAULT clock_timestamp());");
  int add = find(p, "ADD COLUMN created_at");
  int set_default = find(p, "ALTER COLUMN created_at SET DEFAULT clock_timestamp()");
  int fill =
      find(p, "UPDATE public.t SET created_at = clock_timestamp() WHERE created_at IS NULL;");
  ASSERT_GE(add, 0) << dump(p);
  ASSERT_GE(set_default, 0) << dump(p);
  ASSERT_GE(fill, 0) << dump(p);
  EXPECT_LT(add, set_default) << dump(p);
  EXPECT_LT(set_default, fill) << dump(p);
  EXPECT_EQ(p.steps[add].statement.find("DEFAULT"), std::string::npos) << dump(p);
  EXPECT_FALSE(plan_has(p, Hazard::TableRewrite)) << dump(p);
  const Step& backfill = p.steps[fill];
  EXPECT_TRUE(has(backfill, Hazard::Backfill));
  EXPECT_FALSE(has(backfill, Hazard::AccessExclusiveLock));
  EXPECT_TRUE(backfill.long_running);
  EXPECT_EQ(backfill.statement_timeout_ms, 0);
  // The backfill runs in a transaction of its own: the ADD COLUMN's ACCESS EXCLUSIVE lock is
  // released before the UPDATE starts.
  for (const auto& g : step_groups(p))
    if (std::find(g.steps.begin(), g.steps.end(), static_cast<size_t>(fill)) != g.steps.end()) {
      EXPECT_TRUE(g.in_transaction);
      EXPECT_EQ(g.steps.size(), 1u) << dump(p);
    }
  std::string sql = dump(p);
  size_t update = sql.find("UPDATE public.t");
  ASSERT_NE(update, std::string::npos);
  EXPECT_GT(sql.rfind("COMMIT;", update), sql.find("ADD COLUMN created_at")) << sql;
}

TEST(PlanVolatileDefault, NotNullGoesThroughTheOnlineNotNullPathAfterTheBackfill) {
  Plan p =
      plan(kBareTable, "CREATE TABLE t (id int, token uuid NOT NULL DEFAULT gen_random_uuid());");
  int add = find(p, "ADD COLUMN token");
  int fill = find(p, "UPDATE public.t SET token = gen_random_uuid()");
  int check = find(p, "CHECK (token IS NOT NULL) NOT VALID");
  int validate = find(p, "VALIDATE CONSTRAINT");
  int set_not_null = find(p, "ALTER COLUMN token SET NOT NULL");
  ASSERT_GE(add, 0) << dump(p);
  EXPECT_EQ(p.steps[add].statement.find("NOT NULL"), std::string::npos) << dump(p);
  EXPECT_FALSE(has(p.steps[add], Hazard::ConversionMayFail)) << dump(p);
  ASSERT_GE(fill, 0) << dump(p);
  ASSERT_GE(check, 0) << dump(p);
  EXPECT_LT(fill, check) << dump(p);
  EXPECT_LT(check, validate) << dump(p);
  EXPECT_LT(validate, set_not_null) << dump(p);
  EXPECT_FALSE(plan_has(p, Hazard::TableRewrite)) << dump(p);
}

TEST(PlanVolatileDefault, OfflineKeepsTheSingleRewritingStatement) {
  PlanOptions offline;
  offline.online = false;
  Plan p = plan(kBareTable,
                "CREATE TABLE t (id int, r double precision NOT NULL DEFAULT random());", offline);
  ASSERT_EQ(p.steps.size(), 1u) << dump(p);
  EXPECT_NE(p.steps[0].statement.find("ADD COLUMN r double precision DEFAULT random() NOT NULL"),
            std::string::npos)
      << dump(p);
  EXPECT_TRUE(has(p.steps[0], Hazard::TableRewrite));
  EXPECT_TRUE(has(p.steps[0], Hazard::AccessExclusiveLock));
  EXPECT_FALSE(plan_has(p, Hazard::Backfill));
}

TEST(PlanVolatileDefault, VolatilityComesFromTheCatalogListAndTheModel) {
  struct Case {
    std::string functions;  // model functions
    std::string column;
    bool volatile_default;
  };
  const std::vector<Case> cases = {
      {"", "c timestamptz DEFAULT now()", false},
      {"", "c text DEFAULT 'x'", false},
      {"", "c bigint DEFAULT txid_current()", false},  // STABLE in pg_proc
      {"", "c text DEFAULT lower('X')", false},
      {"", "c timestamp DEFAULT (now() AT TIME ZONE 'utc')", false},
      {"", "c timestamptz DEFAULT clock_timestamp()", true},
      {"", "c text DEFAULT timeofday()", true},
      {"", "c int DEFAULT (random() * 10)::int", true},
      // Not in the model and not a built-in: taken as volatile.
      {"", "c uuid DEFAULT uuid_generate_v4()", true},
      {"", "c int DEFAULT other.pick()", true},
      {"CREATE FUNCTION pick() RETURNS int LANGUAGE sql STABLE AS 'select 7';",
       "c int DEFAULT pick()", false},
      {"CREATE FUNCTION pick() RETURNS int LANGUAGE sql AS 'select 7';", "c int DEFAULT pick()",
       true},
      // A model function does not hide the volatile built-in of the same name.
      {"CREATE FUNCTION random() RETURNS double precision LANGUAGE sql IMMUTABLE AS 'select 1';",
       "c double precision DEFAULT random()", true},
  };
  for (const auto& c : cases) {
    Plan p =
        plan(c.functions + kBareTable, c.functions + "CREATE TABLE t (id int, " + c.column + ");");
    EXPECT_EQ(find(p, "UPDATE public.t") >= 0, c.volatile_default) << c.column << "\n" << dump(p);
    EXPECT_EQ(plan_has(p, Hazard::Backfill), c.volatile_default) << c.column;
    EXPECT_FALSE(plan_has(p, Hazard::TableRewrite)) << c.column << "\n" << dump(p);
    PlanOptions offline;
    offline.online = false;
    Plan q = plan(c.functions + kBareTable,
                  c.functions + "CREATE TABLE t (id int, " + c.column + ");", offline);
    EXPECT_EQ(plan_has(q, Hazard::TableRewrite), c.volatile_default) << c.column << "\n" << dump(q);
  }
}

TEST(PlanVolatileDefault, SerialColumnIsBackfilledFromItsNewSequence) {
  Plan p = plan("CREATE TABLE t (x int);", "CREATE TABLE t (x int, id serial);");
  int sequence = find(p, "CREATE SEQUENCE");
  int fill = find(p, "UPDATE public.t SET id = nextval(");
  int owned = find(p, "OWNED BY");
  ASSERT_GE(sequence, 0) << dump(p);
  ASSERT_GE(fill, 0) << dump(p);
  EXPECT_LT(sequence, fill) << dump(p);
  if (owned >= 0) {
    EXPECT_LT(find(p, "ADD COLUMN id"), owned) << dump(p);
  }
  EXPECT_GE(find(p, "ALTER COLUMN id SET NOT NULL"), 0) << dump(p);
  EXPECT_FALSE(plan_has(p, Hazard::TableRewrite)) << dump(p);
}

// The online backfill of a table with a key: one DO block, batches by keyset pagination, a
// COMMIT after each (issue 17 item 7).
const std::string kKeyedTable = "CREATE TABLE t (id int PRIMARY KEY);";

const Step* backfill_step(const Plan& p) {
  for (const auto& s : p.steps)
    if (has(s, Hazard::Backfill)) return &s;
  return nullptr;
}

TEST(PlanBatchedBackfill, PagesByThePrimaryKeyAndCommitsEachBatch) {
  Plan p = plan(kKeyedTable,
                "CREATE TABLE t (id int PRIMARY KEY, token uuid DEFAULT gen_random_uuid());");
  const Step* fill = backfill_step(p);
  ASSERT_NE(fill, nullptr) << dump(p);
  EXPECT_EQ(fill->statement,
            "DO $pgdrift$\n"
            "DECLARE\n"
            "  pgdrift_last_1 \"public\".\"t\".\"id\"%TYPE;\n"
            "BEGIN\n"
            "  -- batches of 10000 rows in key order, each committed; a re-run skips the rows "
            "filled\n"
            "  WITH pgdrift_batch AS (\n"
            "    SELECT id FROM public.t ORDER BY id LIMIT 10000\n"
            "  ), pgdrift_fill AS (\n"
            "    UPDATE public.t AS pgdrift_row SET token = gen_random_uuid() FROM pgdrift_batch\n"
            "    WHERE pgdrift_row.id = pgdrift_batch.id AND pgdrift_row.token IS NULL\n"
            "  )\n"
            "  SELECT id INTO pgdrift_last_1 FROM pgdrift_batch ORDER BY id DESC LIMIT 1;\n"
            "  WHILE FOUND LOOP\n"
            "    COMMIT;\n"
            "    WITH pgdrift_batch AS (\n"
            "      SELECT id FROM public.t WHERE id > pgdrift_last_1 ORDER BY id LIMIT 10000\n"
            "    ), pgdrift_fill AS (\n"
            "      UPDATE public.t AS pgdrift_row SET token = gen_random_uuid() FROM "
            "pgdrift_batch\n"
            "      WHERE pgdrift_row.id = pgdrift_batch.id AND pgdrift_row.token IS NULL\n"
            "    )\n"
            "    SELECT id INTO pgdrift_last_1 FROM pgdrift_batch ORDER BY id DESC LIMIT 1;\n"
            "  END LOOP;\n"
            "END\n"
            "$pgdrift$;");
  // COMMIT in a DO block needs a top-level statement outside a transaction block: the step
  // runs alone, in autocommit, after the ADD COLUMN and SET DEFAULT committed.
  EXPECT_FALSE(fill->transactional);
  EXPECT_EQ(fill->hazards, std::vector<Hazard>{Hazard::Backfill});
  EXPECT_EQ(fill->lock, "ROW EXCLUSIVE (row locks on one batch at a time)");
  EXPECT_TRUE(fill->long_running);
  EXPECT_EQ(fill->statement_timeout_ms, 0);
  EXPECT_NE(fill->note.find("batches of 10000 rows in key order (id)"), std::string::npos)
      << fill->note;
  EXPECT_NE(fill->note.find("finishes an interrupted backfill"), std::string::npos) << fill->note;
  EXPECT_TRUE(p.unsafe.empty());
  const size_t at = static_cast<size_t>(fill->id - 1);
  EXPECT_LT(find(p, "ALTER COLUMN token SET DEFAULT"), static_cast<int>(at)) << dump(p);
  for (const auto& g : step_groups(p))
    if (std::find(g.steps.begin(), g.steps.end(), at) != g.steps.end()) {
      EXPECT_FALSE(g.in_transaction) << dump(p);
      EXPECT_EQ(g.steps.size(), 1u) << dump(p);
      EXPECT_TRUE(g.safe_point_after);
    }
  // The script runs it outside BEGIN ... COMMIT.
  std::string sql = dump(p);
  size_t block = sql.find("DO $pgdrift$");
  ASSERT_NE(block, std::string::npos) << sql;
  EXPECT_GT(sql.rfind("COMMIT;", block), sql.rfind("BEGIN;", block)) << sql;
  const size_t outside = sql.find("-- runs outside a transaction block\n");
  EXPECT_TRUE(outside != std::string::npos && outside < block) << sql;
}

TEST(PlanBatchedBackfill, CompositeKeyComparesRowsAndTheBatchSizeIsTheOption) {
  PlanOptions options;
  options.backfill_batch_rows = 500;
  Plan p = plan("CREATE TABLE t (a int, b text, PRIMARY KEY (a, b));",
                "CREATE TABLE t (a int, b text, PRIMARY KEY (a, b), "
                "at timestamptz NOT NULL DEFAULT clock_timestamp());",
                options);
  const Step* fill = backfill_step(p);
  ASSERT_NE(fill, nullptr) << dump(p);
  const std::string& s = fill->statement;
  EXPECT_NE(s.find("  pgdrift_last_1 \"public\".\"t\".\"a\"%TYPE;\n"
                   "  pgdrift_last_2 \"public\".\"t\".\"b\"%TYPE;\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("SELECT a, b FROM public.t ORDER BY a, b LIMIT 500\n"), std::string::npos) << s;
  EXPECT_NE(s.find("SELECT a, b FROM public.t WHERE (a, b) > (pgdrift_last_1, pgdrift_last_2) "
                   "ORDER BY a, b LIMIT 500\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("WHERE pgdrift_row.a = pgdrift_batch.a AND pgdrift_row.b = pgdrift_batch.b "
                   "AND pgdrift_row.at IS NULL"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("SELECT a, b INTO pgdrift_last_1, pgdrift_last_2 FROM pgdrift_batch ORDER BY "
                   "a DESC, b DESC LIMIT 1;"),
            std::string::npos)
      << s;
  EXPECT_NE(fill->note.find("batches of 500 rows in key order (a, b)"), std::string::npos)
      << fill->note;
  // NOT NULL comes after it, online; the new column has no NULLs to count before the plan.
  int validate = find(p, "VALIDATE CONSTRAINT");
  ASSERT_GE(validate, 0) << dump(p);
  EXPECT_LT(fill->id - 1, validate) << dump(p);
  EXPECT_FALSE(p.steps[validate].preflight.has_value());
}

TEST(PlanBatchedBackfill, QuotedNamesAndNamesTakenByColumns) {
  // A UNIQUE constraint over NOT NULL columns pages when there is no PRIMARY KEY; the loop
  // variables avoid the table's column names; every name is quoted where it must be.
  Plan p = plan(
      "CREATE TABLE \"Order Items\" (\"Order Id\" int NOT NULL UNIQUE, "
      "pgdrift_last_1 int);",
      "CREATE TABLE \"Order Items\" (\"Order Id\" int NOT NULL UNIQUE, "
      "pgdrift_last_1 int, \"Token\" uuid DEFAULT gen_random_uuid());");
  const Step* fill = backfill_step(p);
  ASSERT_NE(fill, nullptr) << dump(p);
  const std::string& s = fill->statement;
  EXPECT_FALSE(fill->transactional) << s;
  EXPECT_NE(s.find("  _pgdrift_last_1 \"public\".\"Order Items\".\"Order Id\"%TYPE;"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("SELECT \"Order Id\" FROM public.\"Order Items\" WHERE \"Order Id\" > "
                   "_pgdrift_last_1 ORDER BY \"Order Id\" LIMIT 10000"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("UPDATE public.\"Order Items\" AS pgdrift_row SET \"Token\" = "
                   "gen_random_uuid() FROM pgdrift_batch"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("AND pgdrift_row.\"Token\" IS NULL"), std::string::npos) << s;
}

TEST(PlanBatchedBackfill, SingleUpdateWithoutAKeyAtomicOrBatchZero) {
  const std::string to_column = "token uuid DEFAULT gen_random_uuid()";
  auto single = [](const Plan& p) {
    const Step* fill = backfill_step(p);
    return fill && fill->transactional &&
           fill->statement ==
               "UPDATE public.t SET token = gen_random_uuid() WHERE token IS NULL;" &&
           fill->lock == "ROW EXCLUSIVE (row locks on every row)";
  };
  // No key to page by: a table without one, a UNIQUE over a nullable column, a key the plan
  // drops, an inheritance parent (its UPDATE fills the children's rows too).
  struct Case {
    std::string from, to, why;
  };
  const std::vector<Case> cases = {
      {"CREATE TABLE t (id int);", "CREATE TABLE t (id int, " + to_column + ");",
       "public.t has no primary key or UNIQUE constraint over NOT NULL columns"},
      {"CREATE TABLE t (id int UNIQUE);", "CREATE TABLE t (id int UNIQUE, " + to_column + ");",
       "public.t has no primary key"},
      {"CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY);",
       "CREATE TABLE t (id int, " + to_column + ");", "public.t has no primary key"},
      {"CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE c (x int) INHERITS (t);",
       "CREATE TABLE t (id int PRIMARY KEY, " + to_column +
           "); CREATE TABLE c (x int) INHERITS (t);",
       "inheritance child public.c"},
  };
  for (const auto& c : cases) {
    Plan p = plan(c.from, c.to);
    EXPECT_TRUE(single(p)) << c.from << "\n" << dump(p);
    const Step* fill = backfill_step(p);
    ASSERT_NE(fill, nullptr) << dump(p);
    EXPECT_NE(fill->note.find("(not batched: "), std::string::npos) << fill->note;
    EXPECT_NE(fill->note.find(c.why), std::string::npos) << fill->note;
  }
  const std::string to = "CREATE TABLE t (id int PRIMARY KEY, " + to_column + ");";
  // --atomic plans use the plain forms: one rewriting ADD COLUMN, as before batching.
  PlanOptions atomic;
  atomic.atomic = true;
  Plan a = plan(kKeyedTable, to, atomic);
  EXPECT_EQ(backfill_step(a), nullptr) << dump(a);
  EXPECT_GE(find(a, "ADD COLUMN token uuid DEFAULT gen_random_uuid()"), 0) << dump(a);
  EXPECT_EQ(a.groups.size(), 1u) << dump(a);
  // --backfill-batch 0: one UPDATE in a transaction of its own.
  PlanOptions zero;
  zero.backfill_batch_rows = 0;
  Plan z = plan(kKeyedTable, to, zero);
  EXPECT_TRUE(single(z)) << dump(z);
  EXPECT_EQ(backfill_step(z)->note.find("not batched"), std::string::npos);
  // --no-online: the rewriting ADD COLUMN, no backfill at all.
  PlanOptions offline;
  offline.online = false;
  Plan o = plan(kKeyedTable, to, offline);
  EXPECT_EQ(backfill_step(o), nullptr) << dump(o);
  EXPECT_GE(find(o, "ADD COLUMN token uuid DEFAULT gen_random_uuid()"), 0) << dump(o);
}

TEST(PlanBatchedBackfill, InsideATransactionItBecomesTheSingleUpdate) {
  // Where the arranger must run the backfill inside a transaction (here: the online plan
  // arranged as one transaction after the fact), the DO block, which commits, gives way to its
  // single UPDATE.
  Plan p = plan(kKeyedTable,
                "CREATE TABLE t (id int PRIMARY KEY, token uuid DEFAULT gen_random_uuid());");
  ASSERT_NE(backfill_step(p), nullptr);
  ASSERT_FALSE(backfill_step(p)->transactional) << dump(p);
  arrange_transactions(p, true);
  const Step* fill = backfill_step(p);
  EXPECT_TRUE(p.unsafe.empty()) << ::testing::PrintToString(p.unsafe);
  EXPECT_TRUE(fill->transactional);
  EXPECT_EQ(fill->statement, "UPDATE public.t SET token = gen_random_uuid() WHERE token IS NULL;");
  EXPECT_EQ(fill->lock, "ROW EXCLUSIVE (row locks on every row)");
  EXPECT_NE(fill->note.find("--atomic: runs in the plan's single transaction"), std::string::npos)
      << fill->note;
}

TEST(PlanBatchedBackfill, AnInterruptedBackfillIsFinishedBeforeNotNull) {
  // An online ADD COLUMN with a volatile default interrupted during its backfill leaves the
  // column nullable, with its default, some rows NULL: the plan to the same target fills them,
  // then sets NOT NULL; the NULLs are not "at risk" (the backfill fills them).
  const std::string to =
      "CREATE TABLE t (id int PRIMARY KEY, token uuid NOT NULL DEFAULT gen_random_uuid());";
  Plan p = plan("CREATE TABLE t (id int PRIMARY KEY, token uuid DEFAULT gen_random_uuid());", to);
  const Step* fill = backfill_step(p);
  ASSERT_NE(fill, nullptr) << dump(p);
  EXPECT_EQ(fill->change_kind, engine::ChangeKind::Alter);
  EXPECT_FALSE(fill->transactional);
  EXPECT_NE(fill->statement.find("UPDATE public.t AS pgdrift_row SET token = gen_random_uuid()"),
            std::string::npos)
      << fill->statement;
  EXPECT_NE(fill->note.find("fills the rows an interrupted backfill left NULL"), std::string::npos)
      << fill->note;
  int check = find(p, "CHECK (token IS NOT NULL) NOT VALID");
  int validate = find(p, "VALIDATE CONSTRAINT");
  int set_not_null = find(p, "ALTER COLUMN token SET NOT NULL");
  ASSERT_GE(check, 0) << dump(p);
  EXPECT_LT(fill->id - 1, check) << dump(p);
  EXPECT_LT(check, validate) << dump(p);
  EXPECT_LT(validate, set_not_null) << dump(p);
  EXPECT_FALSE(p.steps[validate].preflight.has_value()) << dump(p);
  EXPECT_TRUE(p.unsafe.empty());

  // Without a key: the single UPDATE of the NULL rows.
  Plan bare = plan("CREATE TABLE t (id int, token uuid DEFAULT gen_random_uuid());",
                   "CREATE TABLE t (id int, token uuid NOT NULL DEFAULT gen_random_uuid());");
  ASSERT_NE(backfill_step(bare), nullptr) << dump(bare);
  EXPECT_EQ(backfill_step(bare)->statement,
            "UPDATE public.t SET token = gen_random_uuid() WHERE token IS NULL;");
  EXPECT_NE(backfill_step(bare)->note.find("one UPDATE of the rows whose token is NULL"),
            std::string::npos)
      << backfill_step(bare)->note;

  // Not the state a backfill leaves: a stable default, a changed default, offline. The NULLs
  // stay rows at risk of the NOT NULL.
  for (const auto& [from_sql, to_sql, online] :
       std::vector<std::tuple<std::string, std::string, bool>>{
           {"CREATE TABLE t (id int PRIMARY KEY, n int DEFAULT 0);",
            "CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);", true},
           {"CREATE TABLE t (id int PRIMARY KEY, token uuid);", to, true},
           {"CREATE TABLE t (id int PRIMARY KEY, token uuid DEFAULT gen_random_uuid());", to,
            false}}) {
    PlanOptions options;
    options.online = online;
    Plan q = plan(from_sql, to_sql, options);
    EXPECT_EQ(backfill_step(q), nullptr) << from_sql << "\n" << dump(q);
    bool counted = false;
    for (const auto& s : q.steps) counted = counted || s.preflight.has_value();
    EXPECT_TRUE(counted) << from_sql << "\n" << dump(q);
  }
}

TEST(PlanIndexOptions, OnlyStorageParametersChangedIsAlterIndex) {
  const std::string table = "CREATE TABLE t (a int, v tsvector, r int4range);";
  Plan p = plan(table + "CREATE INDEX i ON t (a) WITH (fillfactor = 70, deduplicate_items = off);",
                table + "CREATE INDEX i ON t (a) WITH (fillfactor = 80);");
  EXPECT_EQ(count(p, "DROP INDEX"), 0) << dump(p);
  EXPECT_EQ(count(p, "CREATE INDEX"), 0) << dump(p);
  int reset = find(p, "ALTER INDEX public.i RESET (deduplicate_items);");
  int set = find(p, "ALTER INDEX public.i SET (fillfactor = 80);");
  ASSERT_GE(reset, 0) << dump(p);
  ASSERT_GE(set, 0) << dump(p);
  EXPECT_EQ(p.steps[set].lock, "SHARE UPDATE EXCLUSIVE");
  EXPECT_TRUE(p.steps[set].hazards.empty()) << dump(p);
  EXPECT_FALSE(plan_has(p, Hazard::IndexBuild));

  // gin fastupdate takes ACCESS EXCLUSIVE.
  Plan g = plan(table + "CREATE INDEX g ON t USING gin (v);",
                table + "CREATE INDEX g ON t USING gin (v) WITH (fastupdate = off);");
  int gs = find(g, "ALTER INDEX public.g SET (fastupdate = off);");
  ASSERT_GE(gs, 0) << dump(g);
  EXPECT_TRUE(has(g.steps[gs], Hazard::AccessExclusiveLock));
  EXPECT_EQ(count(g, "DROP INDEX"), 0) << dump(g);
}

TEST(PlanIndexOptions, RebuildWhenMoreThanOptionsChangeOrAlterCannotApplyThem) {
  const std::string table = "CREATE TABLE t (a int, b int);";
  // Key and options change: a rebuild (online: the new definition built under a temporary
  // name, then the old index dropped and the new one renamed in one transaction), never SET.
  Plan k = plan(table + "CREATE INDEX i ON t (a) WITH (fillfactor = 70);",
                table + "CREATE INDEX i ON t (b) WITH (fillfactor = 80);");
  EXPECT_EQ(count(k, "SET ("), 0) << dump(k);
  EXPECT_EQ(count(k, "RENAME TO i;"), 1) << dump(k);
  EXPECT_EQ(count(k, "DROP INDEX"), 1) << dump(k);
  // brin keeps pages_per_range in its metapage: only a rebuild applies it.
  Plan b = plan(table + "CREATE INDEX i ON t USING brin (a) WITH (pages_per_range = 32);",
                table + "CREATE INDEX i ON t USING brin (a) WITH (pages_per_range = 64);");
  EXPECT_EQ(count(b, "SET ("), 0) << dump(b);
  EXPECT_EQ(count(b, "DROP INDEX"), 1) << dump(b);
  // Partitioned indexes do not support ALTER INDEX SET.
  const std::string parted = "CREATE TABLE p (a int) PARTITION BY RANGE (a);";
  Plan q = plan(parted + "CREATE INDEX pi ON p (a) WITH (fillfactor = 70);",
                parted + "CREATE INDEX pi ON p (a) WITH (fillfactor = 80);");
  EXPECT_EQ(count(q, "ALTER INDEX"), 0) << dump(q);
  EXPECT_EQ(count(q, "DROP INDEX"), 1) << dump(q);
}

TEST(PlanTableOptions, StorageParametersTakeTheLockPostgresTakes) {
  Plan p = plan("CREATE TABLE t (a int) WITH (fillfactor = 70, autovacuum_enabled = false);",
                "CREATE TABLE t (a int) WITH (fillfactor = 80);");
  int reset = find(p, "ALTER TABLE public.t RESET (autovacuum_enabled);");
  int set = find(p, "ALTER TABLE public.t SET (fillfactor = 80);");
  ASSERT_GE(reset, 0) << dump(p);
  ASSERT_GE(set, 0) << dump(p);
  EXPECT_EQ(p.steps[set].lock, "SHARE UPDATE EXCLUSIVE");
  EXPECT_FALSE(plan_has(p, Hazard::AccessExclusiveLock)) << dump(p);
  Plan u =
      plan("CREATE TABLE t (a int);", "CREATE TABLE t (a int) WITH (user_catalog_table = true);");
  int us = find(u, "SET (user_catalog_table = true)");
  ASSERT_GE(us, 0) << dump(u);
  EXPECT_TRUE(has(u.steps[us], Hazard::AccessExclusiveLock));
}

TEST(PlanHazards, BackfillIsCatalogued) {
  EXPECT_EQ(hazard_code(Hazard::Backfill), "backfill");
  EXPECT_EQ(hazard_from_code("backfill"), Hazard::Backfill);
  EXPECT_FALSE(hazard_description(Hazard::Backfill).empty());
}

}  // namespace
}  // namespace pgdrift::planner

namespace pgdrift::planner {
namespace {

// The group (index into step_groups) of the first step whose statement contains `text`.
int group_of(const Plan& p, const std::string& text) {
  const auto groups = step_groups(p);
  int step = find(p, text);
  for (size_t g = 0; g < groups.size(); ++g)
    for (size_t i : groups[g].steps)
      if (static_cast<int>(i) == step) return static_cast<int>(g);
  return -1;
}

const std::string kLedgerFrom =
    "CREATE TABLE p (id int PRIMARY KEY);\n"
    "CREATE TABLE t (id int PRIMARY KEY, p_id int, amount double precision CHECK (amount >= 0));\n"
    "CREATE VIEW v AS SELECT id, amount FROM t;\n";
const std::string kLedgerTo =
    "CREATE TABLE p (id int PRIMARY KEY);\n"
    "CREATE TABLE t (id int PRIMARY KEY, p_id int REFERENCES p, amount numeric(12,2) CHECK "
    "(amount >= 0));\n"
    "CREATE VIEW v AS SELECT id, amount FROM t;\n"
    "CREATE INDEX t_amount ON t (amount);\n";

TEST(PlanSafePoints, DependentsComeBackInTheTransactionThatDroppedThem) {
  Plan p = plan(kLedgerFrom, kLedgerTo);
  ASSERT_GE(find(p, "DROP VIEW"), 0) << dump(p);
  EXPECT_EQ(group_of(p, "DROP VIEW"), group_of(p, "CREATE VIEW")) << dump(p);
  EXPECT_EQ(group_of(p, "DROP CONSTRAINT IF EXISTS t_amount_check"),
            group_of(p, "TYPE numeric(12,2)"))
      << dump(p);
  EXPECT_EQ(group_of(p, "DROP VIEW"), group_of(p, "TYPE numeric(12,2)")) << dump(p);
  // The online forms stay online, outside that transaction: the index is built after it, the
  // foreign key validated in a transaction of its own.
  EXPECT_GT(group_of(p, "CREATE INDEX CONCURRENTLY"), group_of(p, "CREATE VIEW")) << dump(p);
  EXPECT_NE(group_of(p, "VALIDATE CONSTRAINT"), group_of(p, "CREATE VIEW")) << dump(p);
  EXPECT_GT(group_of(p, "VALIDATE CONSTRAINT"), group_of(p, "NOT VALID")) << dump(p);
  for (const auto& g : step_groups(p)) EXPECT_TRUE(g.safe_point_after) << dump(p);
  EXPECT_TRUE(p.unsafe.empty());
  EXPECT_FALSE(p.atomic);
}

TEST(PlanSafePoints, AtomicIsOneTransactionWithInTransactionForms) {
  PlanOptions options;
  options.atomic = true;
  Plan p = plan(kLedgerFrom, kLedgerTo, options);
  ASSERT_EQ(step_groups(p).size(), 1u) << dump(p);
  EXPECT_TRUE(step_groups(p)[0].in_transaction);
  EXPECT_TRUE(p.atomic);
  EXPECT_EQ(find(p, "CONCURRENTLY"), -1) << dump(p);
  EXPECT_EQ(find(p, "VALIDATE CONSTRAINT"), -1) << dump(p);
  for (const auto& s : p.steps) EXPECT_TRUE(s.transactional) << s.statement;
  EXPECT_TRUE(has(p.steps[static_cast<size_t>(find(p, "CREATE INDEX"))], Hazard::BlocksWrites));
  // The JSON carries the groups, and reading it back gives the same groups.
  Plan back = read_plan_json(render_plan_json(p), "plan.json");
  ASSERT_EQ(back.groups.size(), 1u);
  EXPECT_EQ(back.groups[0].steps.size(), p.steps.size());
  EXPECT_TRUE(back.atomic);
}

TEST(PlanSafePoints, ChangedIndexIsBuiltNextToTheOldOneThenSwapped) {
  const std::string table = "CREATE TABLE t (id int PRIMARY KEY, a int, b int);";
  Plan p = plan(table + "CREATE INDEX t_ab ON t (a);", table + "CREATE INDEX t_ab ON t (a, b);");
  ASSERT_EQ(p.steps.size(), 3u) << dump(p);
  EXPECT_NE(p.steps[0].statement.find("CREATE INDEX CONCURRENTLY t_ab_pgdrift_new"),
            std::string::npos)
      << dump(p);
  EXPECT_EQ(p.steps[1].statement, "DROP INDEX public.t_ab;");
  EXPECT_EQ(p.steps[2].statement, "ALTER INDEX public.t_ab_pgdrift_new RENAME TO t_ab;");
  EXPECT_EQ(group_of(p, "DROP INDEX"), group_of(p, "RENAME TO")) << dump(p);
  // A 63-byte name keeps its temporary name within PostgreSQL's limit.
  const std::string long_name(63, 'x');
  Plan l = plan(table + "CREATE INDEX " + long_name + " ON t (a);",
                table + "CREATE INDEX " + long_name + " ON t (b);");
  ASSERT_GE(find(l, "_pgdrift_new"), 0) << dump(l);
  EXPECT_NE(l.steps[0].statement.find(std::string(51, 'x') + "_pgdrift_new ON"), std::string::npos)
      << dump(l);
}

TEST(PlanSafePoints, ReadingAPlanRefusesDeepOrBrokenJsonWithItsPlace) {
  auto error = [](const std::string& text) -> std::string {
    try {
      read_plan_json(text, "plan.json");
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error("{\"steps\": " + std::string(100000, '[') + "}").substr(0, 45),
            "plan.json:1:522: JSON nested too deeply: more");
  EXPECT_EQ(error("{\n\"steps\": [,]}").rfind("plan.json:2:11: not valid JSON: ", 0), 0u)
      << error("{\n\"steps\": [,]}");
}

TEST(PlanSafePoints, ReadingAPlanChecksItsGroups) {
  Plan p = plan(kLedgerFrom, kLedgerTo);
  auto json = nlohmann::json::parse(render_plan_json(p));
  json["transactions"][0]["steps"] = nlohmann::json::array({2});
  EXPECT_THROW(read_plan_json(json.dump(), "plan.json"), std::runtime_error);
  // A step removed while the groups still name it.
  json = nlohmann::json::parse(render_plan_json(p));
  json["steps"].erase(json["steps"].size() - 1);
  EXPECT_THROW(read_plan_json(json.dump(), "plan.json"), std::runtime_error);
  // Steps appended after the listed groups (a reviewer's addition) join the last transaction.
  json = nlohmann::json::parse(render_plan_json(p));
  auto extra = json["steps"].back();
  extra["id"] = json["steps"].size() + 1;
  extra["transactional"] = true;
  extra["statement"] = "UPDATE public.t SET amount = 0 WHERE amount < 0;";
  json["steps"].push_back(extra);
  Plan read = read_plan_json(json.dump(), "plan.json");
  ASSERT_EQ(read.groups.size(),
            step_groups(p).size() + (step_groups(p).back().in_transaction ? 0 : 1));
  EXPECT_EQ(read.groups.back().steps.back(), p.steps.size());
}

}  // namespace
}  // namespace pgdrift::planner

namespace pgdrift::planner {
namespace {

// A SQL-standard body is resolved when the function is created and holds on to what it uses:
// created after its tables, columns and functions, dropped (or replaced) before them.
TEST(Planner, SqlStandardBodiesComeAfterWhatTheyUse) {
  const std::string schema =
      "CREATE TABLE t (id int, amount numeric);"
      "CREATE FUNCTION zz_base(x int) RETURNS int LANGUAGE sql IMMUTABLE RETURN x * 2;"
      "CREATE FUNCTION aa_total(x int) RETURNS numeric LANGUAGE sql STABLE"
      "  RETURN (SELECT sum(amount) FROM t WHERE id = zz_base(x));";
  Plan up = plan("", schema);
  EXPECT_LT(find(up, "CREATE TABLE public.t"), find(up, "FUNCTION public.aa_total")) << dump(up);
  EXPECT_LT(find(up, "FUNCTION public.zz_base"), find(up, "FUNCTION public.aa_total")) << dump(up);
  Plan down = plan(schema, "");
  EXPECT_LT(find(down, "DROP FUNCTION public.aa_total"), find(down, "DROP TABLE public.t"))
      << dump(down);
  EXPECT_LT(find(down, "DROP FUNCTION public.aa_total"), find(down, "DROP FUNCTION public.zz_base"))
      << dump(down);
  // A body that stops reading a column is replaced before the column goes.
  Plan column = plan(
      "CREATE TABLE t (id int, old int); CREATE FUNCTION f() RETURNS int RETURN (SELECT max(old) "
      "FROM t);",
      "CREATE TABLE t (id int); CREATE FUNCTION f() RETURNS int RETURN (SELECT max(id) FROM t);");
  EXPECT_LT(find(column, "RETURN (SELECT max(id) FROM t)"), find(column, "DROP COLUMN old"))
      << dump(column);
}

// PostgreSQL refuses to retype a column a SQL-standard body reads, or to drop a function one
// calls: the body is swapped for the same statements as a string body around the change, in
// the same transaction.
TEST(Planner, SqlStandardBodiesAreDetachedAroundRebuilds) {
  Plan p = plan(
      "CREATE TABLE t (price numeric(8,2));"
      "CREATE FUNCTION top() RETURNS numeric LANGUAGE sql RETURN (SELECT max(price) FROM t);",
      "CREATE TABLE t (price numeric(12,2));"
      "CREATE FUNCTION top() RETURNS numeric LANGUAGE sql RETURN (SELECT max(price) FROM t);");
  const int detach = find(p, "AS $function$SELECT (SELECT max(price) FROM t)$function$");
  const int retype = find(p, "TYPE numeric(12,2)");
  const int reattach = find(p, "RETURN (SELECT max(price) FROM t);");
  ASSERT_GE(detach, 0) << dump(p);
  EXPECT_LT(detach, retype) << dump(p);
  EXPECT_LT(retype, reattach) << dump(p);
  EXPECT_EQ(group_of(p, "AS $function$SELECT"), group_of(p, "RETURN (SELECT max(price)"))
      << dump(p);

  Plan callee = plan(
      "CREATE FUNCTION inner_f() RETURNS int LANGUAGE sql RETURN 1;"
      "CREATE FUNCTION outer_f() RETURNS bigint LANGUAGE sql RETURN inner_f() + 1;",
      "CREATE FUNCTION inner_f() RETURNS bigint LANGUAGE sql RETURN 1;"
      "CREATE FUNCTION outer_f() RETURNS bigint LANGUAGE sql RETURN inner_f() + 1;");
  const int outer_detached = find(callee, "AS $function$SELECT inner_f() + 1$function$");
  ASSERT_GE(outer_detached, 0) << dump(callee);
  EXPECT_LT(outer_detached, find(callee, "DROP FUNCTION public.inner_f()")) << dump(callee);
  EXPECT_LT(find(callee, "RETURNS bigint\n    LANGUAGE sql\nRETURN 1;"),
            find(callee, "RETURN inner_f() + 1;"))
      << dump(callee);
}

// DROP COLUMN / DROP TABLE drop the sequences the column owns: a sequence the target keeps
// changes owner first.
TEST(Planner, SequenceChangesOwnerBeforeItsOwnerGoes) {
  Plan p = plan(
      "CREATE TABLE t (id int, \"Some Col\" bigint);"
      "CREATE SEQUENCE \"my sequence\" OWNED BY t.\"Some Col\";",
      "CREATE TABLE t (id int); CREATE SEQUENCE \"my sequence\" OWNED BY t.id;");
  EXPECT_LT(find(p, "OWNED BY public.t.id"), find(p, "DROP COLUMN \"Some Col\"")) << dump(p);
  Plan table = plan("CREATE TABLE t (\"a.b\" bigint); CREATE SEQUENCE s OWNED BY t.\"a.b\";",
                    "CREATE SEQUENCE s;");
  EXPECT_LT(find(table, "OWNED BY NONE"), find(table, "DROP TABLE public.t")) << dump(table);
}

TEST(Planner, AggregatesFollowTheirSupportFunctionsAndViewsFollowThem) {
  const std::string step =
      "CREATE FUNCTION step(s int, v int) RETURNS int LANGUAGE sql AS 'select s';";
  Plan added =
      plan("CREATE TABLE t (n int);", "CREATE TABLE t (n int);" + step +
                                          "CREATE AGGREGATE agg(int) (SFUNC = step, STYPE = int);"
                                          "CREATE VIEW v AS SELECT agg(n) FROM t;");
  int function = find(added, "CREATE FUNCTION public.step");
  int aggregate = find(added, "CREATE AGGREGATE public.agg(integer)");
  int view = find(added, "CREATE VIEW public.v");
  ASSERT_GE(function, 0) << dump(added);
  EXPECT_LT(function, aggregate) << dump(added);
  EXPECT_LT(aggregate, view) << dump(added);

  Plan dropped = plan(step + "CREATE AGGREGATE agg(int) (SFUNC = step, STYPE = int);", "");
  EXPECT_LT(find(dropped, "DROP AGGREGATE public.agg(integer);"),
            find(dropped, "DROP FUNCTION public.step(integer, integer);"))
      << dump(dropped);

  // Any change re-creates the aggregate; the view calling it is re-created around it.
  Plan changed = plan(
      "CREATE TABLE t (n int); CREATE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int);"
      "CREATE VIEW v AS SELECT agg(n) FROM t;",
      "CREATE TABLE t (n int); CREATE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int,"
      " INITCOND = '0'); CREATE VIEW v AS SELECT agg(n) FROM t;");
  int drop_view = find(changed, "DROP VIEW public.v");
  int drop_aggregate = find(changed, "DROP AGGREGATE public.agg(integer);");
  int create_aggregate = find(changed, "CREATE AGGREGATE public.agg(integer)");
  int create_view = find(changed, "CREATE VIEW public.v");
  ASSERT_GE(drop_view, 0) << dump(changed);
  EXPECT_LT(drop_view, drop_aggregate) << dump(changed);
  EXPECT_LT(drop_aggregate, create_aggregate) << dump(changed);
  EXPECT_LT(create_aggregate, create_view) << dump(changed);
}

TEST(Planner, CollationsComeBeforeWhatNamesThemAndGoAfter) {
  Plan added = plan("",
                    "CREATE COLLATION bytes (locale = 'C');"
                    "CREATE TABLE t (a text COLLATE bytes);");
  int collation = find(added, "CREATE COLLATION public.bytes");
  ASSERT_GE(collation, 0) << dump(added);
  EXPECT_LT(collation, find(added, "CREATE TABLE public.t")) << dump(added);

  Plan dropped = plan(
      "CREATE COLLATION bytes (locale = 'C');"
      "CREATE TABLE t (a text COLLATE bytes, b text);"
      "CREATE INDEX t_b ON t (b COLLATE bytes);",
      "CREATE TABLE t (a text, b text);");
  int drop = find(dropped, "DROP COLLATION public.bytes;");
  ASSERT_GE(drop, 0) << dump(dropped);
  EXPECT_LT(find(dropped, "ALTER COLUMN a TYPE text"), drop) << dump(dropped);
  EXPECT_LT(find(dropped, "DROP INDEX"), drop) << dump(dropped);
}

// The table a step's object belongs to: the longest table key followed by '.', also when quoted
// names hold dots or one table's name is a prefix of another's.
TEST(TableOfObject, LongestTableKeyBeforeADot) {
  schema::Model m = load(
      "CREATE TABLE t (a int); CREATE TABLE \"t.x\" (b int); CREATE SCHEMA \"s.1\";"
      "CREATE TABLE \"s.1\".\"u.v\" (c int);");
  struct Case {
    std::string object, table;
  };
  for (const auto& c : std::vector<Case>{
           {"public.t", "public.t"},
           {"public.t.a", "public.t"},
           {"public.t.t_a_check", "public.t"},
           {"public.\"t.x\".b", "public.\"t.x\""},
           {"public.\"t.x\"", "public.\"t.x\""},
           {"\"s.1\".\"u.v\".c", "\"s.1\".\"u.v\""},
           {"\"s.1\".\"u.v\".\"a.b\"", "\"s.1\".\"u.v\""},
           {"public.missing.a", ""},
           {"public", ""},
       })
    EXPECT_EQ(table_of_object(m, c.object), c.table) << c.object;
}

}  // namespace
}  // namespace pgdrift::planner
