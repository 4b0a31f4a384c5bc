// The JSON Schemas of the reports that need a database (docs/schemas/apply-report.schema.json,
// reconcile-report.schema.json) against real `pgdrift apply` and `pgdrift reconcile --db` output:
// apply reports of every result (applied, no changes, already applied, dry run, refused hazards,
// stale plan, a failed step with rolled-back and skipped steps, not converged) and reconcile
// reports of the MITA database (--prefer-safer with --out and without, and with conflicts left
// unresolved). Broken documents must be rejected at the expected path. Validation runs in
// python3-jsonschema, as in json_schemas_validation_test.cpp.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "pg/session.h"
#include "schema/history/history.h"
#include "tests/support/fixtures.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::set<std::string> values_of(const json& array, const std::string& key) {
  std::set<std::string> out;
  for (const auto& item : array) out.insert(item.at(key).get<std::string>());
  return out;
}

// ---- apply -------------------------------------------------------------------------------

const char* kLiveSql = R"(
  CREATE TYPE public.mood AS ENUM ('sad', 'ok');
  CREATE TABLE public.t (id integer PRIMARY KEY, a integer, b text);
  INSERT INTO public.t SELECT g, g, 'row ' || (g % 7) FROM generate_series(1, 200) g;
)";

// An enum value (outside a transaction), a column with a default, an index built concurrently,
// a new table with a foreign key, NOT NULL with a preflight (online: NOT VALID + VALIDATE).
const char* kTargetSql = R"(
  CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TABLE public.t (id integer PRIMARY KEY, a integer NOT NULL, b text,
                         c text DEFAULT 'new');
  CREATE INDEX t_b_idx ON public.t (b);
  CREATE TABLE public.u (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                         t_id integer REFERENCES public.t (id), m public.mood);
)";

// b holds 'row N': its retype fails. The enum value before it is committed, the new table in
// its transaction is rolled back, the steps after it are skipped.
const char* kFailingTargetSql = R"(
  CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TABLE public.t (id integer PRIMARY KEY, a integer, b integer);
  CREATE TABLE public.w (id integer PRIMARY KEY);
  CREATE INDEX t_a_idx ON public.t (a);
)";

struct ApplyRun {
  std::string what;
  json report;
};

std::vector<ApplyRun> apply_reports(const TempDir& tmp) {
  std::vector<ApplyRun> runs;
  auto run = [&](const std::string& what, int exit_code, std::vector<std::string> args) {
    args.insert(args.begin(), "apply");
    args.insert(args.end(), {"--format", "json"});
    auto r = run_pgdrift(args);
    EXPECT_EQ(r.exit_code, exit_code) << what << "\n" << r.out << r.err;
    runs.push_back({what, parse_json_output(r)});
    return runs.back().report;
  };
  std::string target = tmp.write("target.sql", kTargetSql);
  std::string failing = tmp.write("failing.sql", kFailingTargetSql);

  auto db = create_fresh_database(kLiveSql);
  run("refused", 1, {"--db", db.url, "--to", target, "--allow-hazards", "access_exclusive_lock"});
  run("dry run", 0, {"--db", db.url, "--to", target, "--allow-hazards", "all", "--dry-run"});
  run("applied", 0, {"--db", db.url, "--to", target, "--allow-hazards", "all"});
  run("no changes", 0, {"--db", db.url, "--to", target});

  auto failed_db = create_fresh_database(kLiveSql);
  run("rows at risk", 1, {"--db", failed_db.url, "--to", failing, "--allow-hazards", "all"});
  run("failed", 1,
      {"--db", failed_db.url, "--to", failing, "--allow-hazards", "all", "--accept-rows-at-risk"});

  // A reviewed plan file: applied, already applied, stale; with a step the target lacks, the
  // database does not reach the plan's target fingerprint.
  auto plan_db = create_fresh_database(kLiveSql);
  auto plan = run_pgdrift({"plan", "--from", plan_db.conninfo, "--to", target, "--format", "json",
                           "--no-validate", "--allow-hazards", "all"});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  std::string plan_file = tmp.write("plan.json", plan.out);
  json extra = json::parse(plan.out);
  json step = extra["steps"].back();
  step["id"] = extra["steps"].size() + 1;
  step["statement"] = "CREATE TABLE public.not_in_target (id integer);";
  step["object"] = {{"kind", "table"}, {"name", "public.not_in_target"}};
  step["change"] = "add";
  step["hazards"] = json::array();
  step["transactional"] = true;
  step["lock"] = "";
  step["preflight"] = nullptr;
  step.erase("note");
  extra["steps"].push_back(step);
  std::string extra_file = tmp.write("extra.json", extra.dump(2));
  auto extra_db = create_fresh_database(kLiveSql);
  auto stale_db =
      create_fresh_database(kLiveSql + std::string("ALTER TABLE public.t ADD COLUMN d integer;"));

  run("plan applied", 0, {"--db", plan_db.url, "--plan", plan_file, "--allow-hazards", "all"});
  run("already applied", 0,
      {"--db", plan_db.url, "--plan", plan_file, "--allow-hazards", "all", "--dry-run"});
  run("stale plan", 1, {"--db", stale_db.url, "--plan", plan_file, "--allow-hazards", "all"});
  run("not converged", 1, {"--db", extra_db.url, "--plan", extra_file, "--allow-hazards", "all"});
  // A reviewer's step that deletes rows: the schema converges, the row count check fails.
  json deleting = json::parse(plan.out);
  json delete_step = step;
  delete_step["id"] = deleting["steps"].size() + 1;
  delete_step["statement"] = "DELETE FROM public.t WHERE id > 190;";
  delete_step["object"] = {{"kind", "table"}, {"name", "public.t"}};
  delete_step["change"] = "alter";
  deleting["steps"].push_back(delete_step);
  std::string deleting_file = tmp.write("deleting.json", deleting.dump(2));
  auto deleting_db = create_fresh_database(kLiveSql);
  run("data check failed", 1,
      {"--db", deleting_db.url, "--plan", deleting_file, "--allow-hazards", "all"});
  // --on-failure rollback: a CHECK whose VALIDATE fails after earlier groups committed.
  auto rollback_db = create_fresh_database(kLiveSql);
  std::string checked =
      tmp.write("checked.sql",
                "CREATE TYPE public.mood AS ENUM ('sad', 'ok');\n"
                "CREATE TABLE public.t (id integer PRIMARY KEY, a integer CHECK (a < 100), "
                "b text, c text);\n");
  {
    // A session that holds a lock the steps would wait for.
    auto blocked_db = create_fresh_database(kLiveSql);
    pg::Session holder(blocked_db.conninfo);
    EXPECT_FALSE(holder.run("BEGIN; SELECT count(*) FROM public.t"));
    run("blocked", 1, {"--db", blocked_db.url, "--to", target, "--allow-hazards", "all"});
  }
  run("rolled back", 1,
      {"--db", rollback_db.url, "--to", checked, "--allow-hazards", "all", "--accept-rows-at-risk",
       "--on-failure", "rollback"});
  {
    // On a terminal, a run nobody confirms (stdin closed) is declined: `script` gives apply a
    // pseudo-terminal, the report goes to a file.
    auto declined_db = create_fresh_database(kLiveSql);
    const std::string report_file = tmp.file("declined.json");
    auto r =
        run_program({"script", "-qec",
                     std::string(PGDRIFT_BINARY) + " apply --db '" + declined_db.url + "' --to '" +
                         target + "' --allow-hazards all --format json > '" + report_file + "'",
                     "/dev/null"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    std::ifstream in(report_file);
    std::stringstream text;
    text << in.rdbuf();
    runs.push_back({"declined", json::parse(text.str())});
  }
  // A plan that says not every commit is a safe point is refused unless atomic.
  json unsafe = json::parse(plan.out);
  unsafe["unsafe"] = json::array({"step 1 falls between a drop and its re-creation"});
  std::string unsafe_file = tmp.write("unsafe.json", unsafe.dump(2));
  auto unsafe_db = create_fresh_database(kLiveSql);
  run("refused unsafe", 1,
      {"--db", unsafe_db.url, "--plan", unsafe_file, "--allow-hazards", "all"});
  return runs;
}

TEST(JsonSchemasCli, ApplyReportsOfEveryResultValidate) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  TempDir tmp;
  auto runs = apply_reports(tmp);
  std::vector<json> docs;
  std::set<std::string> results, statuses;
  bool preflight_rows = false, remaining = false;
  for (const auto& r : runs) {
    docs.push_back(r.report);
    results.insert(r.report.value("result", ""));
    for (const auto& s : r.report.value("steps", json::array())) {
      statuses.insert(s["status"].get<std::string>());
      preflight_rows |= s["preflight_rows"].is_number_integer();
    }
    remaining |=
        r.report.value("verify", json()).is_object() && !r.report["verify"]["remaining"].empty();
  }
  // Every result and step status the code has, a preflight count, a failed step's error.
  json schema = json::parse(
      std::ifstream(std::string(PGDRIFT_SOURCE_DIR) + "/docs/schemas/apply-report.schema.json"));
  std::set<std::string> result_enum, status_enum;
  for (const auto& v : schema["properties"]["result"]["enum"]) result_enum.insert(v);
  for (const auto& v : schema["$defs"]["step"]["properties"]["status"]["enum"])
    status_enum.insert(v);
  EXPECT_EQ(results, result_enum);
  EXPECT_EQ(statuses, status_enum);
  EXPECT_TRUE(preflight_rows);
  EXPECT_FALSE(remaining);  // with --plan there is nothing to list; --to converged
  const json& failed = runs[5].report;
  ASSERT_EQ(failed.value("result", ""), "failed") << failed.dump(2);
  EXPECT_TRUE(failed["failed_step"].is_number_integer());
  EXPECT_EQ(values_of(failed["steps"], "status"),
            (std::set<std::string>{"applied", "failed", "rolled_back", "skipped"}))
      << failed.dump(2);

  auto lines = validate_json(python, "apply-report.schema.json", docs);
  for (size_t i = 0; i < runs.size(); ++i)
    EXPECT_EQ(lines[i], "valid") << runs[i].what << "\n" << runs[i].report.dump(2);
}

// `pgdrift audit --format json` over the rows the apply reports of every result wrote (each
// report also carries its audit member), and --verify's document.
TEST(JsonSchemasCli, AuditReportsValidate) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  TempDir tmp;
  std::string target = tmp.write("target.sql", kTargetSql);
  std::string failing = tmp.write("failing.sql", kFailingTargetSql);
  auto db = create_fresh_database(kLiveSql);
  for (auto args : std::vector<std::vector<std::string>>{
           {"--to", failing, "--allow-hazards", "all"},
           {"--to", failing, "--allow-hazards", "all", "--accept-rows-at-risk"},
           {"--to", target, "--allow-hazards", "all", "--dry-run", "--audit-dry-run"},
           {"--to", target, "--allow-hazards", "all", "--actor", "ci", "--ticket", "T-1"},
       }) {
    args.insert(args.begin(), {"apply", "--db", db.url});
    run_pgdrift(args);
  }
  auto listed = run_pgdrift({"audit", "--db", db.url, "--format", "json", "--last", "0"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json rows = parse_json_output(listed);
  std::set<std::string> statuses;
  for (const auto& row : rows["rows"]) statuses.insert(row["status"].get<std::string>());
  EXPECT_EQ(statuses, (std::set<std::string>{"rows_at_risk", "failed", "dry_run", "applied"}));
  auto verified = run_pgdrift({"audit", "--db", db.url, "--format", "json", "--verify"});
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  auto pruned = run_pgdrift(
      {"audit", "--db", db.url, "--format", "json", "--prune-backups", "--older-than", "0"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.out << pruned.err;
  auto lines = validate_json(python, "audit-report.schema.json",
                             {rows, parse_json_output(verified), parse_json_output(pruned)});
  EXPECT_EQ(lines[0], "valid") << rows.dump(2);
  EXPECT_EQ(lines[1], "valid") << verified.out;
  EXPECT_EQ(lines[2], "valid") << pruned.out;
  // The report stored in a row is an apply report without its audit member.
  std::vector<json> stored;
  for (const auto& row : rows["rows"]) stored.push_back(row["report"]);
  auto stored_lines = validate_json(python, "apply-report.schema.json", stored);
  for (size_t i = 0; i < stored.size(); ++i)
    EXPECT_EQ(stored_lines[i], "valid") << stored[i].dump(2);
  json broken = rows;
  broken["rows"][0]["row_hash"] = "not a hash";
  EXPECT_NE(validate_json(python, "audit-report.schema.json", {broken})[0], "valid");
}

TEST(JsonSchemasCli, BrokenApplyReportsAreRejected) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  TempDir tmp;
  std::string failing = tmp.write("failing.sql", kFailingTargetSql);
  auto db = create_fresh_database(kLiveSql);
  auto r = run_pgdrift({"apply", "--db", db.url, "--to", failing, "--allow-hazards", "all",
                        "--accept-rows-at-risk", "--format", "json"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const json good = parse_json_output(r);
  ASSERT_EQ(validate_json(python, "apply-report.schema.json", {good})[0], "valid") << good.dump(2);
  size_t failed = 0, applied = 0;
  for (size_t i = 0; i < good["steps"].size(); ++i) {
    if (good["steps"][i]["status"] == "failed") failed = i;
    if (good["steps"][i]["status"] == "applied") applied = i;
  }
  const std::string f = "steps/" + std::to_string(failed);
  const std::string a = "steps/" + std::to_string(applied);
  expect_rejected(
      python, "apply-report.schema.json", good,
      {
          {"unknown field", "$", [](json& d) { d["duration_ms"] = 3; }},
          {"unknown step field", a, [&](json& d) { d["steps"][applied]["colour"] = "red"; }},
          {"unknown status", a + "/status",
           [&](json& d) { d["steps"][applied]["status"] = "half_done"; }},
          {"unknown result", "result", [](json& d) { d["result"] = "partly"; }},
          {"unknown hazard", a + "/hazards/0",
           [&](json& d) { d["steps"][applied]["hazards"] = json::array({"meteor_strike"}); }},
          {"unknown object kind", a + "/object/kind",
           [&](json& d) { d["steps"][applied]["object"]["kind"] = "banana"; }},
          {"failed step without error", f + "/error",
           [&](json& d) { d["steps"][failed]["error"] = nullptr; }},
          {"error on an applied step", a + "/error",
           [&](json& d) { d["steps"][applied]["error"] = d["steps"][failed]["error"]; }},
          {"failed without failed_step", "failed_step",
           [](json& d) { d["failed_step"] = nullptr; }},
          {"failure with exit code 0", "exit_code", [](json& d) { d["exit_code"] = 0; }},
          {"two failed steps", "steps", [&](json& d) { d["steps"][applied] = d["steps"][failed]; }},
          {"verify after a failure", "verify",
           [](json& d) {
             d["verify"] = {{"converged", false},
                            {"remaining", json::array()},
                            {"live_fingerprint", d["live_fingerprint"]}};
           }},
          {"bad fingerprint", "live_fingerprint",
           [](json& d) { d["live_fingerprint"] = "md5:abc"; }},
          {"other lock key", "lock_key", [](json& d) { d["lock_key"] = 42; }},
          {"wrong format", "format", [](json& d) { d["format"] = "pgdrift-plan/1"; }},
      });
}

// ---- reconcile ---------------------------------------------------------------------------

// Applies the replayed SQL of every migration up to `last`; a migration that fails (its objects
// exist already) is left out, as if stamped. As in reconcile_db_test.cpp.
void apply_chain(const std::string& database, const std::string& dir, const std::string& last) {
  auto history = schema::history::read_history(fixture_path(dir));
  for (const auto& m : history.ordered) {
    std::string sql;
    for (const auto& s : m.statements) sql += s.sql + ";\n";
    try {
      test_cluster().execute(database, sql);
    } catch (const std::exception&) {
    }
    if (m.id == last) return;
  }
}

std::string version_table_sql(const std::string& table, const std::string& version) {
  return "CREATE TABLE " + table + " (version_num varchar(32) NOT NULL PRIMARY KEY); INSERT INTO " +
         table + " VALUES ('" + version + "');";
}

TEST(JsonSchemasCli, ReconcileReportsOfTheMitaDatabaseValidate) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  auto db = create_fresh_database();
  apply_chain(db.name, "mita/alembic/versions", "0006_fix_financial_data_types");
  test_cluster().execute(db.name,
                         version_table_sql("alembic_version", "0006_fix_financial_data_types"));
  apply_chain(db.name, "mita/migrations", "0004_user_timezone");
  test_cluster().execute(db.name,
                         version_table_sql("alembic_version_migrations", "0004_user_timezone"));
  TempDir tmp;
  auto reconcile = [&](int exit_code, std::vector<std::string> extra) {
    std::vector<std::string> args = {"reconcile",
                                     "--history",
                                     "alembic=" + fixture_path("mita/alembic/versions"),
                                     "--history",
                                     "migrations=" + fixture_path("mita/migrations"),
                                     "--db",
                                     db.url,
                                     "--format",
                                     "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_pgdrift(args);
    EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err;
    return parse_json_output(r);
  };
  json written = reconcile(0, {"--prefer-safer", "--out", (tmp.path / "out").string()});
  json not_written = reconcile(0, {"--prefer-safer"});
  json unresolved = reconcile(1, {});

  ASSERT_TRUE(written.contains("live")) << written.dump(2);
  const json& live = written["live"];
  EXPECT_EQ(live["version_tables"].size(), 2u);
  EXPECT_EQ(values_of(live["version_tables"], "claimed_by"),
            (std::set<std::string>{"alembic", "migrations"}));
  EXPECT_EQ(live["plan"]["files"].size(), 2u);
  EXPECT_EQ(live["plan"]["note"], "");
  EXPECT_GT(live["plan"]["steps"].get<int>(), 0);
  EXPECT_FALSE(live["histories"][0]["distances"].empty());
  EXPECT_FALSE(written["harmonised"].empty());
  EXPECT_EQ(not_written["live"]["plan"]["note"], "plan not written: give --out DIR");
  EXPECT_GT(unresolved["unresolved"].get<int>(), 0);
  EXPECT_EQ(unresolved["live"]["plan"]["note"], "no plan: the target has unresolved conflicts");
  EXPECT_FALSE(unresolved["findings"].empty());

  EXPECT_EQ(
      validate_json(python, "reconcile-report.schema.json", {written, not_written, unresolved}),
      (std::vector<std::string>(3, "valid")))
      << written.dump(2);

  expect_rejected(
      python, "reconcile-report.schema.json", written,
      {
          {"unknown live field", "live", [](json& d) { d["live"]["colour"] = "red"; }},
          {"unknown version table kind", "live/version_tables/0/kind",
           [](json& d) { d["live"]["version_tables"][0]["kind"] = "liquibase"; }},
          {"dirty alembic table", "live/version_tables/0/dirty",
           [](json& d) { d["live"]["version_tables"][0]["dirty"] = true; }},
          {"negative distance", "live/histories/0/distances/0/distance",
           [](json& d) { d["live"]["histories"][0]["distances"][0]["distance"] = -1; }},
          {"plan without note", "live/plan", [](json& d) { d["live"]["plan"].erase("note"); }},
          {"unknown harmonised rule", "harmonised/0/rule",
           [](json& d) { d["harmonised"][0]["rule"] = "inconsistent-id-type"; }},
          {"unknown conflict kind", "conflicts/0/kind",
           [](json& d) { d["conflicts"][0]["kind"] = "synonym"; }},
          {"unknown field", "$", [](json& d) { d["elapsed_ms"] = 3; }},
      });
}

}  // namespace
}  // namespace pgdrift::testing
