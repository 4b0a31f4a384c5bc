// An INVALID index made the way it happens (issue 18 item 4): a CREATE UNIQUE INDEX CONCURRENTLY
// over duplicate values fails and leaves the index behind, INVALID. Once the duplicates are gone,
// `pgdrift drift` reports it (exit 1, naming it INVALID), `pgdrift plan` drops it and builds it
// again concurrently, `pgdrift apply` does so (the index is valid afterwards) and a second drift
// is clean. The unit side (diff, plan forms, rollback): tests/unit/invalid_index_test.cpp.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

const char* const kDesired = R"(
  CREATE TABLE public.accounts (id integer PRIMARY KEY, email text);
  CREATE UNIQUE INDEX accounts_email_key ON public.accounts (email);
)";

std::string index_valid(const std::string& conninfo) {
  return query_value(conninfo,
                     "SELECT indisvalid AND indisready FROM pg_index "
                     "WHERE indexrelid = 'public.accounts_email_key'::regclass");
}

// A database whose public.accounts_email_key is INVALID: its concurrent build met duplicates.
FreshDatabase database_with_invalid_index() {
  FreshDatabase db = create_fresh_database(R"(
    CREATE TABLE public.accounts (id integer PRIMARY KEY, email text);
    INSERT INTO public.accounts
      SELECT g, 'user' || (g % 50) || '@example.com' FROM generate_series(1, 200) AS g;
  )");
  pqxx::connection c(db.conninfo);
  pqxx::nontransaction w(c);
  EXPECT_THROW(
      w.exec("CREATE UNIQUE INDEX CONCURRENTLY accounts_email_key ON public.accounts (email)"),
      pqxx::unique_violation);
  // The duplicates go; the INVALID index stays.
  w.exec("DELETE FROM public.accounts WHERE id > 50");
  EXPECT_EQ(index_valid(db.conninfo), "f");
  return db;
}

TEST(InvalidIndexApply, DriftReportsItPlanAndApplyRebuildIt) {
  TempDir tmp;
  const FreshDatabase db = database_with_invalid_index();
  const std::string desired = tmp.write("desired.sql", kDesired);

  // The model read from the database says so; the JSON reads back.
  CommandOutput inspect = run_pgdrift({"inspect", db.url, "--format", "json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  nlohmann::json model = parse_json_output(inspect);
  EXPECT_EQ(model["tables"]["public.accounts"]["indexes"]["accounts_email_key"]["valid"], false)
      << inspect.out;
  const std::string model_file = tmp.write("live.json", inspect.out);
  CommandOutput reread = run_pgdrift({"inspect", model_file, "--format", "json"});
  EXPECT_EQ(reread.exit_code, 0) << reread.err;
  EXPECT_EQ(reread.out, inspect.out);

  CommandOutput drift = run_pgdrift({"drift", "--desired", desired, "--db", db.url});
  EXPECT_EQ(drift.exit_code, 1) << drift.out << drift.err;
  EXPECT_NE(drift.out.find("differs index public.accounts_email_key"), std::string::npos)
      << drift.out;
  EXPECT_NE(drift.out.find("valid: desired true, live false"), std::string::npos) << drift.out;
  EXPECT_NE(drift.out.find("INVALID"), std::string::npos) << drift.out;
  EXPECT_NE(drift.out.find("fix: DROP INDEX CONCURRENTLY IF EXISTS public.accounts_email_key;"),
            std::string::npos)
      << drift.out;

  CommandOutput drift_json =
      run_pgdrift({"drift", "--desired", desired, "--db", db.url, "--format", "json"});
  EXPECT_EQ(drift_json.exit_code, 1) << drift_json.err;
  const nlohmann::json report = parse_json_output(drift_json);
  if (const std::string python = python_with_jsonschema(); !python.empty()) {
    EXPECT_EQ(validate_json(python, "drift-report.schema.json", {report}),
              std::vector<std::string>{"valid"});
  }

  CommandOutput plan =
      run_pgdrift({"plan", "--from", db.url, "--to", desired, "--allow-hazards", "all"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  const size_t drop = plan.out.find("DROP INDEX CONCURRENTLY IF EXISTS public.accounts_email_key;");
  const size_t build = plan.out.find(
      "CREATE UNIQUE INDEX CONCURRENTLY accounts_email_key ON public.accounts (email);");
  ASSERT_NE(drop, std::string::npos) << plan.out;
  ASSERT_NE(build, std::string::npos) << plan.out;
  EXPECT_LT(drop, build) << plan.out;

  CommandOutput apply = run_pgdrift(
      {"apply", "--db", db.url, "--to", desired, "--allow-hazards", "all", "--format", "json"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  const nlohmann::json applied = parse_json_output(apply);
  EXPECT_EQ(applied["result"], "applied") << apply.out;
  EXPECT_EQ(applied["verify"]["converged"], true) << apply.out;
  EXPECT_EQ(index_valid(db.conninfo), "t");

  CommandOutput clean = run_pgdrift({"drift", "--desired", desired, "--db", db.url});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
}

TEST(InvalidIndexApply, ATargetsInvalidIndexIsBuiltValid) {
  // A database read as the target: its INVALID index stands for the index it was meant to be.
  const FreshDatabase target = database_with_invalid_index();
  const FreshDatabase db =
      create_fresh_database("CREATE TABLE public.accounts (id integer PRIMARY KEY, email text);");
  CommandOutput apply =
      run_pgdrift({"apply", "--db", db.url, "--to", target.url, "--allow-hazards", "all"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(index_valid(db.conninfo), "t");
  CommandOutput drift = run_pgdrift({"drift", "--desired", target.url, "--db", db.url});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;
}

}  // namespace
}  // namespace pgdrift::testing
