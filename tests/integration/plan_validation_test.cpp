// Issue 14, items 5 and 6, against a real PostgreSQL:
// - a reviewed plan applies cleanly: `plan --format json -o plan.json` then `apply --plan` on the
//   MITA database converges (its target fingerprint is what the plan produces, although ADD
//   COLUMN appends), drift then finds nothing, and a second apply says already_applied;
// - every plan that is written was validated: `plan -o` and `reconcile --db --out` write no plan
//   that fails on a scratch copy of the source (exit 2, the failing step and its SQLSTATE
//   named), and refuse a type change PostgreSQL cannot cast (exit 2, the column named).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/fixtures.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(ReviewedPlan, MitaPlanFileAppliesAndConverges) {
  TempDir tmp;
  auto db = create_fresh_database(read_text_file(fixture_path("mita/live.sql")));
  const std::string desired = fixture_path("mita/schema");
  const std::string plan_file = (tmp.path / "plan.json").string();

  auto planned = run_pgdrift({"plan", "--from", db.url, "--to", desired, "--format", "json", "-o",
                              plan_file, "--allow-hazards", "all"});
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  json plan = json::parse(read_text_file(plan_file));
  ASSERT_FALSE(plan["steps"].empty());
  EXPECT_EQ(plan["source_fingerprint"].get<std::string>().rfind("sha256:", 0), 0u);
  // The plan adds columns that the desired schema has in the middle of their tables.
  bool adds_column = false;
  for (const auto& s : plan["steps"])
    adds_column =
        adds_column || s["statement"].get<std::string>().find(" ADD COLUMN ") != std::string::npos;
  EXPECT_TRUE(adds_column) << plan.dump(2);

  auto applied = run_pgdrift(
      {"apply", "--db", db.url, "--plan", plan_file, "--allow-hazards", "all", "--format", "json"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  json report = parse_json_output(applied);
  EXPECT_EQ(report["result"], "applied") << report.dump(2);
  EXPECT_EQ(report["verify"]["converged"], true) << report.dump(2);
  EXPECT_EQ(report["verify"]["live_fingerprint"], plan["target_fingerprint"]);

  auto drift = run_pgdrift({"drift", "--desired", desired, "--db", db.url});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;

  // A retried job: nothing runs.
  auto again = run_pgdrift(
      {"apply", "--db", db.url, "--plan", plan_file, "--allow-hazards", "all", "--format", "json"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(parse_json_output(again)["result"], "already_applied") << again.out;
}

// Column type public.mood -> integer: the planner cannot judge casts of user types, so it plans
// `USING m::integer`; PostgreSQL refuses it, which validation finds on the scratch copy.
const char* const kEnumLive =
    "CREATE TYPE public.mood AS ENUM ('sad', 'ok');\n"
    "CREATE TABLE public.t (id integer PRIMARY KEY, m public.mood);\n";
const char* const kEnumTarget =
    "CREATE TYPE public.mood AS ENUM ('sad', 'ok');\n"
    "CREATE TABLE public.t (id integer PRIMARY KEY, m integer, n text);\n";

void expect_names_failing_step(const std::string& err) {
  EXPECT_NE(err.find("validation failed"), std::string::npos) << err;
  EXPECT_NE(err.find("(alter column public.t.m) failed"), std::string::npos) << err;
  EXPECT_NE(err.find("SQLSTATE 42846"), std::string::npos) << err;
  EXPECT_NE(err.find("cannot cast type mood to integer"), std::string::npos) << err;
}

TEST(PlanValidation, PlanThatFailsIsNotWritten) {
  TempDir tmp;
  auto db = create_fresh_database(kEnumLive);
  std::string target = tmp.write("target.sql", kEnumTarget);
  std::string out = (tmp.path / "plan.sql").string();
  auto r = run_pgdrift({"plan", "--from", db.url, "--to", target, "--allow-hazards", "all", "-o",
                        out, "--validate"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  expect_names_failing_step(r.err);
  EXPECT_FALSE(fs::exists(out));
  // --no-validate writes it (and psql then fails on the step validation named).
  auto unchecked = run_pgdrift({"plan", "--from", db.url, "--to", target, "--allow-hazards", "all",
                                "-o", out, "--no-validate"});
  EXPECT_EQ(unchecked.exit_code, 0) << unchecked.err;
  EXPECT_TRUE(fs::exists(out));
}

TEST(PlanValidation, UncastableTypeChangeIsRefusedAtPlanTime) {
  TempDir tmp;
  auto db = create_fresh_database("CREATE TABLE public.t (id integer PRIMARY KEY, u uuid);");
  std::string target =
      tmp.write("target.sql", "CREATE TABLE public.t (id integer PRIMARY KEY, u integer);");
  auto r = run_pgdrift({"plan", "--from", db.url, "--to", target, "--allow-hazards", "all"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("public.t.u: cannot change type uuid to integer: PostgreSQL has no cast"),
            std::string::npos)
      << r.err;
}

// Two identical plain-SQL histories (no conflicts) whose target is `schema`.
struct Histories {
  TempDir dir{"pgdrift-reconcile-validate"};
  explicit Histories(const std::string& schema) {
    dir.write("a/001_init.sql", schema);
    dir.write("b/001_init.sql", schema);
  }
  CommandOutput reconcile(const std::string& db, const std::string& out) {
    return run_pgdrift({"reconcile", "--history", "a=" + (dir.path / "a").string(), "--history",
                        "b=" + (dir.path / "b").string(), "--db", db, "--out", out, "--format",
                        "json"});
  }
};

TEST(ReconcileValidation, PlanThatFailsValidationIsNotWritten) {
  Histories h(kEnumTarget);
  TempDir out;
  auto db = create_fresh_database(kEnumLive);
  out.write("plan.sql", "-- an earlier run's plan\n");  // removed, not left to be run
  auto r = h.reconcile(db.url, out.path.string());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  expect_names_failing_step(r.err);
  EXPECT_FALSE(fs::exists(out.path / "plan.sql"));
  EXPECT_FALSE(fs::exists(out.path / "plan.md"));
}

TEST(ReconcileValidation, UncastableTypeChangeIsRefused) {
  Histories h("CREATE TABLE public.t (id integer PRIMARY KEY, u integer);\n");
  TempDir out;
  auto db = create_fresh_database("CREATE TABLE public.t (id integer PRIMARY KEY, u uuid);");
  auto r = h.reconcile(db.url, out.path.string());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("public.t.u: cannot change type uuid to integer"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out.path / "plan.sql"));
}

TEST(ReconcileValidation, ValidPlanIsWrittenAndRuns) {
  Histories h(kEnumTarget);
  TempDir out;
  // Live: m is already an integer; the plan adds n.
  auto db = create_fresh_database(
      "CREATE TYPE public.mood AS ENUM ('sad', 'ok');\n"
      "CREATE TABLE public.t (id integer PRIMARY KEY, m integer);\n"
      "INSERT INTO public.t VALUES (1, 7);\n");
  auto r = h.reconcile(db.url, out.path.string());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = parse_json_output(r);
  EXPECT_EQ(report["live"]["plan"]["note"], "") << report.dump(2);
  std::string plan_sql = (out.path / "plan.sql").string();
  ASSERT_TRUE(fs::exists(plan_sql));
  std::string text = read_text_file(plan_sql);
  EXPECT_NE(text.find("\\set ON_ERROR_STOP on"), std::string::npos) << text;
  EXPECT_NE(text.find("ADD COLUMN n text"), std::string::npos) << text;
  auto psql = run_program(
      {pg::ScratchCluster::find_bindir() + "/psql", "-X", "-q", "-d", db.conninfo, "-f", plan_sql});
  EXPECT_EQ(psql.exit_code, 0) << psql.err;
  auto drift = run_pgdrift({"drift", "--desired", (out.path / "schema").string(), "--db", db.url});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;
}

}  // namespace
}  // namespace pgdrift::testing
