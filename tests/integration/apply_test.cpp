// `pgdrift apply` against real databases: --to converges (plan and drift are empty afterwards,
// MITA too), CREATE INDEX CONCURRENTLY runs outside any transaction (a failed one names its
// INVALID index), a failing step (or COMMIT) rolls back its transaction group and names itself,
// VALIDATE runs in its own transaction, --lock-timeout stops a waiting step, refused hazards /
// stale plans / a held advisory lock / --dry-run / a malformed plan file leave the database
// unchanged, a reviewed plan file is run exactly (and not twice), and connection failures exit
// 2 without showing the password.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sstream>

#include "planner/apply.h"
#include "tests/support/fixtures.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The canonical model of the database, to compare "before" and "after".
std::string model_of(const std::string& conninfo) {
  auto r = run_pgdrift({"inspect", conninfo, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

std::string query_value(const std::string& conninfo, const std::string& sql) {
  pqxx::connection c(conninfo);
  pqxx::nontransaction w(c);
  auto r = w.exec(sql);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

const json* step_with(const json& report, const std::string& statement_part) {
  for (const auto& s : report.at("steps"))
    if (s.at("statement").get<std::string>().find(statement_part) != std::string::npos) return &s;
  return nullptr;
}

const char* kLiveSql = R"(
  CREATE TYPE public.mood AS ENUM ('sad', 'ok');
  CREATE TABLE public.t (id integer PRIMARY KEY, a integer, b text);
  INSERT INTO public.t SELECT g, g, 'row ' || (g % 7) FROM generate_series(1, 200) g;
)";

// Adds a column with a default, an index (CONCURRENTLY on the existing table), a new table with
// a foreign key, an enum value and a NOT NULL (online: NOT VALID + VALIDATE).
const char* kTargetSql = R"(
  CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TABLE public.t (id integer PRIMARY KEY, a integer NOT NULL, b text,
                         c text DEFAULT 'new');
  CREATE INDEX t_b_idx ON public.t (b);
  CREATE TABLE public.u (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                         t_id integer REFERENCES public.t (id), m public.mood);
)";

TEST(Apply, ToTargetConvergesAndLeavesNothingToPlan) {
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql);
  std::string target = tmp.write("target.sql", kTargetSql);

  auto r = run_pgdrift(
      {"apply", "--db", db.url, "--to", target, "--allow-hazards", "all", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = parse_json_output(r);
  EXPECT_EQ(report["result"], "applied");
  EXPECT_EQ(report["verify"]["converged"], true) << report.dump(2);
  ASSERT_GE(report["steps"].size(), 5u);
  for (const auto& s : report["steps"]) EXPECT_EQ(s["status"], "applied") << s.dump();
  EXPECT_EQ(report["committed_steps"].size(), report["steps"].size());

  auto plan = run_pgdrift(
      {"plan", "--from", db.conninfo, "--to", target, "--format", "json", "--no-validate"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_TRUE(parse_json_output(plan)["steps"].empty()) << plan.out;
  auto drift = run_pgdrift({"drift", "--desired", target, "--db", db.conninfo});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM public.t WHERE c = 'new'"), "200");
}

// Two databases are read at the same time (cli/sources.h load_sources): the plan from one to
// the other is the plan to its SQL, applying it leaves no drift, and a --to database that
// cannot be read is exit 2 naming it, whatever the --from read does meanwhile.
TEST(Apply, PlanFromADatabaseToADatabase) {
  TempDir tmp;
  auto live = create_fresh_database(kLiveSql);
  auto target_db = create_fresh_database(kTargetSql);
  std::string target = tmp.write("target.sql", kTargetSql);
  auto to_db = run_pgdrift({"plan", "--from", live.conninfo, "--to", target_db.conninfo, "--format",
                            "sql", "--no-validate"});
  ASSERT_EQ(to_db.exit_code, 0) << to_db.err;
  auto to_file = run_pgdrift(
      {"plan", "--from", live.conninfo, "--to", target, "--format", "sql", "--no-validate"});
  ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_EQ(to_db.out, to_file.out);
  EXPECT_NE(to_db.out.find("ALTER TABLE"), std::string::npos) << to_db.out;
  // A later key=value overrides an earlier one in libpq.
  auto missing = run_pgdrift({"plan", "--from", live.conninfo, "--to",
                              live.conninfo + " dbname=pgdrift_no_such_database", "--no-validate"});
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("pgdrift_no_such_database"), std::string::npos) << missing.err;
}

// The MITA case (mita_plan_test applies the plan with psql): type conversions with preflights,
// NOT VALID + VALIDATE foreign keys, a recreated view, a concurrent index drop.
TEST(Apply, MitaFixtureConverges) {
  std::ifstream live_sql(fixture_path("mita/live.sql"), std::ios::binary);
  std::stringstream sql;
  sql << live_sql.rdbuf();
  auto db = create_fresh_database(sql.str());
  const std::string desired = fixture_path("mita/schema");
  auto r = run_pgdrift({"apply", "--db", db.conninfo, "--to", desired, "--allow-hazards", "all",
                        "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = parse_json_output(r);
  EXPECT_GE(report["steps"].size(), 20u);
  EXPECT_EQ(report["verify"]["converged"], true);
  auto drift = run_pgdrift({"drift", "--desired", desired, "--db", db.conninfo});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;
}

TEST(Apply, ConcurrentIndexBuildRunsOutsideTheTransaction) {
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql);
  // A transactional step before and after the concurrent build: the build must not be inside
  // their transaction (PostgreSQL would refuse: "cannot run inside a transaction block").
  std::string target = tmp.write("target.sql", R"(
    CREATE TYPE public.mood AS ENUM ('sad', 'ok');
    CREATE TABLE public.t (id integer PRIMARY KEY, a integer, b text, c integer);
    CREATE INDEX t_b_idx ON public.t (b);
    CREATE TABLE public.v (id integer);
    COMMENT ON INDEX public.t_b_idx IS 'built online';
  )");
  auto r = run_pgdrift(
      {"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = parse_json_output(r);
  const json* build = step_with(report, "CREATE INDEX CONCURRENTLY");
  ASSERT_NE(build, nullptr) << report.dump(2);
  EXPECT_EQ((*build)["transactional"], false);
  EXPECT_EQ((*build)["status"], "applied");
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT i.indisvalid FROM pg_index i "
                        "WHERE i.indexrelid = 'public.t_b_idx'::regclass"),
            "t");
  EXPECT_EQ(query_value(db.conninfo, "SELECT obj_description('public.t_b_idx'::regclass)"),
            "built online");
}

TEST(Apply, FailedConcurrentBuildNamesTheInvalidIndex) {
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql);  // b has duplicates
  std::string target = tmp.write("target.sql", R"(
    CREATE TYPE public.mood AS ENUM ('sad', 'ok');
    CREATE TABLE public.t (id integer PRIMARY KEY, a integer, b text);
    CREATE UNIQUE INDEX t_b_key ON public.t (b);
  )");
  // The preflight counts the duplicates; accepting them lets the build run (and fail).
  auto r = run_pgdrift({"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all",
                        "--accept-rows-at-risk"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("SQLSTATE 23505"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("INVALID index public.t_b_key"), std::string::npos) << r.err;
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT i.indisvalid FROM pg_index i "
                        "WHERE i.indexrelid = 'public.t_b_key'::regclass"),
            "f");
}

TEST(Apply, FailingStepRollsBackItsTransactionAndIsNamed) {
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql);
  // b holds 'row N': the retype to integer fails. The enum value (non-transactional) is
  // committed before; the new table is in the failing step's transaction.
  std::string target = tmp.write("target.sql", R"(
    CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
    CREATE TABLE public.t (id integer PRIMARY KEY, a integer, b integer);
    CREATE TABLE public.w (id integer PRIMARY KEY);
  )");
  // Past the preflight (which counts those rows) so that the step itself fails.
  auto r = run_pgdrift({"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all",
                        "--accept-rows-at-risk", "--format", "json"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = parse_json_output(r);
  EXPECT_EQ(report["result"], "failed");
  const json* failing = step_with(report, "TYPE integer");
  const json* enum_value = step_with(report, "ADD VALUE");
  const json* new_table = step_with(report, "CREATE TABLE public.w");
  ASSERT_TRUE(failing && enum_value && new_table) << report.dump(2);
  EXPECT_LT((*new_table)["id"].get<int>(), (*failing)["id"].get<int>());
  EXPECT_EQ((*failing)["status"], "failed");
  EXPECT_EQ(report["failed_step"], (*failing)["id"]);
  EXPECT_EQ((*failing)["error"]["sqlstate"], "22P02") << failing->dump();
  EXPECT_EQ((*enum_value)["status"], "applied");
  EXPECT_EQ((*new_table)["status"], "rolled_back");
  EXPECT_EQ(report["committed_steps"], json::array({(*enum_value)["id"]}));
  for (const auto& s : report["steps"]) {
    if (s["id"].get<int>() > (*failing)["id"].get<int>()) {
      EXPECT_EQ(s["status"], "skipped");
    }
  }
  EXPECT_EQ(report["verify"], nullptr);

  std::string id = std::to_string((*failing)["id"].get<int>());
  EXPECT_NE(r.err.find("step " + id + " (alter column public.t.b) failed"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("ALTER TABLE public.t ALTER COLUMN b TYPE integer"), std::string::npos)
      << r.err;
  EXPECT_EQ(query_value(db.conninfo, "SELECT to_regclass('public.w')"), "");
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM pg_enum WHERE enumlabel = 'happy'"),
            "1");
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT format_type(atttypid, NULL) FROM pg_attribute "
                        "WHERE attrelid = 'public.t'::regclass AND attname = 'b'"),
            "text");
}

// Online NOT NULL: ADD CHECK ... NOT VALID (ACCESS EXCLUSIVE, brief), then VALIDATE (SHARE UPDATE
// EXCLUSIVE, long). The VALIDATE runs in a transaction of its own, so the NOT VALID step is
// committed before the scan starts and stays when the validation fails.
TEST(Apply, ValidateRunsInItsOwnTransaction) {
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql + std::string("UPDATE public.t SET a = NULL "
                                                         "WHERE id % 50 = 0;"));
  std::string target = tmp.write("target.sql", R"(
    CREATE TYPE public.mood AS ENUM ('sad', 'ok');
    CREATE TABLE public.t (id integer PRIMARY KEY, a integer NOT NULL, b text);
  )");
  auto r = run_pgdrift({"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all",
                        "--accept-rows-at-risk", "--format", "json"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = parse_json_output(r);
  const json* not_valid = step_with(report, "NOT VALID");
  const json* validate = step_with(report, "VALIDATE CONSTRAINT");
  ASSERT_TRUE(not_valid && validate) << report.dump(2);
  EXPECT_EQ((*not_valid)["status"], "applied");
  EXPECT_EQ((*validate)["status"], "failed");
  EXPECT_EQ((*validate)["error"]["sqlstate"], "23514");
  EXPECT_EQ((*validate)["preflight_rows"], 4);
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.t'::regclass "
                        "AND contype = 'c' AND NOT convalidated"),
            "1");
}

TEST(Apply, RefusedHazardsChangeNothing) {
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql);
  std::string target = tmp.write("target.sql", kTargetSql);
  std::string before = model_of(db.conninfo);
  auto r = run_pgdrift(
      {"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "access_exclusive_lock"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("not allowed: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("index_build"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("access_exclusive_lock"), std::string::npos) << r.err;
  EXPECT_EQ(model_of(db.conninfo), before);
}

TEST(Apply, StalePlanFileIsRefused) {
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql);
  std::string target = tmp.write("target.sql", kTargetSql);
  auto plan = run_pgdrift({"plan", "--from", db.conninfo, "--to", target, "--format", "json",
                           "--no-validate", "--allow-hazards", "all"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  std::string plan_file = tmp.write("plan.json", plan.out);

  test_cluster().execute(db.name, "ALTER TABLE public.t ADD COLUMN sneaked_in integer;");
  std::string before = model_of(db.conninfo);
  auto r =
      run_pgdrift({"apply", "--db", db.conninfo, "--plan", plan_file, "--allow-hazards", "all"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("database changed since the plan was made"), std::string::npos) << r.err;
  EXPECT_EQ(model_of(db.conninfo), before);
}

TEST(Apply, ReviewedPlanFileIsRunExactly) {
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql);
  std::string target = tmp.write("target.sql", kTargetSql);
  auto plan = run_pgdrift({"plan", "--from", db.conninfo, "--to", target, "--format", "json",
                           "--no-validate", "--allow-hazards", "all"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  // The reviewer adds a data backfill (not part of the schema model, so the fingerprints still
  // hold): only a run of the file's own statements performs it.
  json reviewed = json::parse(plan.out);
  json backfill = reviewed["steps"].back();
  backfill["id"] = reviewed["steps"].size() + 1;
  backfill["statement"] = "UPDATE public.t SET b = 'reviewed' WHERE id <= 10;";
  backfill["object"] = {{"kind", "table"}, {"name", "public.t"}};
  backfill["hazards"] = json::array();
  backfill["transactional"] = true;
  backfill["lock"] = "ROW EXCLUSIVE";
  backfill["preflight"] = "SELECT count(*) FROM public.t WHERE id <= 10";
  backfill["accept_rows_at_risk"] = 10;  // the reviewer accepts the 10 rows it changes
  backfill.erase("note");
  backfill.erase("rows_at_risk");
  reviewed["steps"].push_back(backfill);
  std::string plan_file = tmp.write("plan.json", reviewed.dump(2));

  // Hazards in the file are checked too.
  auto refused = run_pgdrift({"apply", "--db", db.conninfo, "--plan", plan_file});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("not allowed"), std::string::npos) << refused.err;

  auto r = run_pgdrift({"apply", "--db", db.conninfo, "--plan", plan_file, "--allow-hazards", "all",
                        "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = parse_json_output(r);
  ASSERT_EQ(report["steps"].size(), reviewed["steps"].size());
  for (size_t i = 0; i < reviewed["steps"].size(); ++i) {
    EXPECT_EQ(report["steps"][i]["statement"], reviewed["steps"][i]["statement"]);
    EXPECT_EQ(report["steps"][i]["status"], "applied");
  }
  EXPECT_EQ(report["steps"].back()["preflight_rows"], 10);
  EXPECT_EQ(report["verify"]["converged"], true);
  EXPECT_EQ(report["verify"]["live_fingerprint"], reviewed["target_fingerprint"]);
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM public.t WHERE b = 'reviewed'"), "10");
  auto drift = run_pgdrift({"drift", "--desired", target, "--db", db.conninfo});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;

  // Run again: the database is at the plan's target, so nothing runs (the backfill neither).
  test_cluster().execute(db.name, "UPDATE public.t SET b = 'changed' WHERE id <= 10;");
  auto again = run_pgdrift({"apply", "--db", db.conninfo, "--plan", plan_file, "--allow-hazards",
                            "all", "--format", "json"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(parse_json_output(again)["result"], "already_applied");
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM public.t WHERE b = 'reviewed'"), "0");
}

// A deferred foreign key is checked at COMMIT: the failure is charged to the transaction's last
// step and every step of the transaction is rolled back.
TEST(Apply, FailureAtCommitRollsBackTheWholeTransaction) {
  TempDir tmp;
  const std::string live = R"(
    CREATE TABLE public.p (id integer PRIMARY KEY);
    CREATE TABLE public.c (p_id integer REFERENCES public.p (id) DEFERRABLE INITIALLY DEFERRED);
  )";
  auto db = create_fresh_database(live);
  std::string target =
      tmp.write("target.sql", live + std::string("COMMENT ON TABLE public.p IS 'parents';"));
  auto plan = run_pgdrift(
      {"plan", "--from", db.conninfo, "--to", target, "--format", "json", "--no-validate"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  json reviewed = json::parse(plan.out);
  ASSERT_EQ(reviewed["steps"].size(), 1u) << plan.out;
  json orphan = reviewed["steps"][0];
  orphan["id"] = 2;
  orphan["statement"] = "INSERT INTO public.c VALUES (42);";
  orphan["object"] = {{"kind", "table"}, {"name", "public.c"}};
  orphan.erase("note");
  reviewed["steps"].push_back(orphan);
  std::string plan_file = tmp.write("plan.json", reviewed.dump(2));

  auto r = run_pgdrift({"apply", "--db", db.conninfo, "--plan", plan_file, "--format", "json"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = parse_json_output(r);
  EXPECT_EQ(report["steps"][0]["status"], "rolled_back");
  EXPECT_EQ(report["steps"][1]["status"], "failed");
  EXPECT_EQ(report["steps"][1]["error"]["sqlstate"], "23503");
  EXPECT_NE(report["steps"][1]["error"]["remark"].get<std::string>().find("COMMIT"),
            std::string::npos);
  EXPECT_EQ(query_value(db.conninfo, "SELECT obj_description('public.p'::regclass)"), "");
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM public.c"), "0");
}

TEST(Apply, AdvisoryLockHeldElsewhereRefusesWithExitTwo) {
  EXPECT_EQ(planner::apply_lock_key(), -601851002690663325LL);  // docs/apply.md names it
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql);
  std::string target = tmp.write("target.sql", kTargetSql);
  std::string before = model_of(db.conninfo);
  {
    pqxx::connection holder(db.conninfo);
    pqxx::nontransaction w(holder);
    w.exec("SET application_name = 'lock-holder-test'");
    w.exec("SELECT pg_advisory_lock(" + std::to_string(planner::apply_lock_key()) + ")");
    auto r = run_pgdrift({"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all",
                          "--lock-wait", "300"});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("lock-holder-test"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("advisory lock"), std::string::npos) << r.err;
    EXPECT_EQ(model_of(db.conninfo), before);
  }
  // The holder is gone: the same apply now runs.
  auto r = run_pgdrift({"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(model_of(db.conninfo), before);
}

TEST(Apply, ConnectionFailureExitsTwoWithoutThePassword) {
  TempDir tmp;
  std::string target = tmp.write("target.sql", kTargetSql);
  const std::string secret = "Sup3r-secret-Pw9";
  auto db = create_fresh_database();
  const std::vector<std::string> targets = {
      "postgresql://pgdrift_nobody:" + secret + "@127.0.0.1:1/postgres",
      "host=/nonexistent-pgdrift-socket port=1 user=x password=" + secret + " dbname=x",
      // Reachable server, missing database: PostgreSQL answers with an error.
      db.conninfo + " password=" + secret + " dbname=no_such_database_pgdrift",
  };
  for (const auto& conninfo : targets) {
    for (const char* format : {"text", "json"}) {
      auto r = run_pgdrift({"apply", "--db", conninfo, "--to", target, "--allow-hazards", "all",
                            "--format", format});
      EXPECT_EQ(r.exit_code, 2) << conninfo << "\n" << r.out << r.err;
      EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
      EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("***"), std::string::npos) << "names the redacted target: " << r.err;
    }
  }
  // The test cluster trusts local connections, so a password in the conninfo is accepted and
  // ignored: the report of a run that connects names the database without it.
  for (const char* format : {"text", "json"}) {
    auto r = run_pgdrift({"apply", "--db", db.conninfo + " password=" + secret, "--to", target,
                          "--allow-hazards", "all", "--dry-run", "--format", format});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("password=***"), std::string::npos) << r.out;
  }
}

TEST(Apply, DryRunChangesNothing) {
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql);
  std::string target = tmp.write("target.sql", kTargetSql);
  std::string before = model_of(db.conninfo);
  auto r = run_pgdrift({"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all",
                        "--dry-run", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = parse_json_output(r);
  EXPECT_EQ(report["result"], "dry_run");
  ASSERT_FALSE(report["steps"].empty());
  for (const auto& s : report["steps"]) EXPECT_EQ(s["status"], "planned");
  EXPECT_NE(step_with(report, "CREATE INDEX CONCURRENTLY"), nullptr) << report.dump(2);
  EXPECT_EQ(model_of(db.conninfo), before);

  auto text = run_pgdrift(
      {"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all", "--dry-run"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("CREATE INDEX CONCURRENTLY t_b_idx"), std::string::npos) << text.out;
  EXPECT_EQ(model_of(db.conninfo), before);
}

TEST(Apply, StepLockTimeoutStopsAWaitingStatement) {
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql);
  std::string target = tmp.write("target.sql", R"(
    CREATE TYPE public.mood AS ENUM ('sad', 'ok');
    CREATE TABLE public.t (id integer PRIMARY KEY, a integer, b text, c integer);
  )");
  // A reader holds ACCESS SHARE on t; ADD COLUMN needs ACCESS EXCLUSIVE and must give up after
  // --lock-timeout. Should apply not set it, PGOPTIONS makes it give up after 20 s instead of
  // hanging the test (and the elapsed-time check fails). --ignore-blockers: without it apply
  // refuses before the first step, naming the reader (AuditCli.ASessionHoldingALock...).
  pqxx::connection reader(db.conninfo);
  pqxx::work read(reader);
  read.exec("LOCK TABLE public.t IN ACCESS SHARE MODE");
  ::setenv("PGOPTIONS", "-c lock_timeout=20000", 1);
  auto r = run_pgdrift({"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all",
                        "--lock-timeout", "200", "--format", "json", "--ignore-blockers"});
  ::unsetenv("PGOPTIONS");
  read.abort();
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = parse_json_output(r);
  const json* add = step_with(report, "ADD COLUMN c");
  ASSERT_NE(add, nullptr) << report.dump(2);
  EXPECT_EQ((*add)["status"], "failed");
  EXPECT_EQ((*add)["error"]["sqlstate"], "55P03") << add->dump();  // lock_not_available
  EXPECT_LT((*add)["elapsed_ms"].get<double>(), 5000.0);
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT count(*) FROM information_schema.columns "
                        "WHERE table_name = 't' AND column_name = 'c'"),
            "0");
}

TEST(Apply, MalformedPlanFileIsAnInputError) {
  TempDir tmp;
  auto db = create_fresh_database(kLiveSql);
  std::string before = model_of(db.conninfo);
  const std::vector<std::string> broken = {
      "not json",
      R"({"format": "pgdrift-plan/2", "source_fingerprint": "x", "target_fingerprint": "y",
          "steps": []})",
      R"({"format": "pgdrift-plan/1", "source_fingerprint": "x", "target_fingerprint": "y",
          "steps": [{"id": 1, "statement": "DROP TABLE public.t;"}]})",
  };
  for (const auto& text : broken) {
    std::string file = tmp.write("plan.json", text);
    auto r = run_pgdrift({"apply", "--db", db.conninfo, "--plan", file, "--allow-hazards", "all"});
    EXPECT_EQ(r.exit_code, 2) << text << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
  }
  auto both = run_pgdrift({"apply", "--db", db.conninfo, "--plan", "x.json", "--to", "y.sql"});
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_EQ(model_of(db.conninfo), before);
}

}  // namespace
}  // namespace pgdrift::testing
