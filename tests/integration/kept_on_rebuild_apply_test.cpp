// `pgdrift apply` on real databases: whatever a plan drops and creates again keeps its grants
// and comments, with and without --privileges, and verification reports a privilege a reviewed
// plan lost (a reviewer removed the re-grant).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

using nlohmann::json;

// Applies `target_sql` to `conninfo` and expects it applied and verified.
json apply_to(const std::string& conninfo, const std::string& target_sql,
              std::vector<std::string> extra = {}) {
  TempDir tmp;
  std::string target = tmp.write("target.sql", target_sql);
  std::vector<std::string> args = {"apply",           "--db", conninfo,   "--to", target,
                                   "--allow-hazards", "all",  "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_pgdrift(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = parse_json_output(r);
  EXPECT_EQ(report["result"], "applied") << report.dump(2);
  EXPECT_EQ(report["verify"]["converged"], true) << report.dump(2);
  return report;
}

bool statement_ran(const json& report, const std::string& prefix) {
  for (const auto& s : report["steps"])
    if (s["statement"].get<std::string>().rfind(prefix, 0) == 0 && s["status"] == "applied")
      return true;
  return false;
}

std::string view_state(const std::string& conninfo, const std::string& view) {
  return query_value(conninfo, "SELECT has_table_privilege('app_ro', '" + view +
                                   "', 'SELECT')::text || ' ' || "
                                   "coalesce(obj_description('" +
                                   view + "'::regclass, 'pg_class'), '-')");
}

const char* kViewLive = R"(
  CREATE TABLE public.t (id int, amount int);
  INSERT INTO public.t VALUES (1, 10), (2, 20);
  CREATE VIEW public.v AS SELECT id, amount FROM t;
  COMMENT ON VIEW public.v IS 'amounts';
  GRANT SELECT ON public.v TO app_ro;
)";
// amount changes type: v must be dropped and created around it.
const char* kViewTarget = R"(
  CREATE TABLE public.t (id int, amount bigint);
  CREATE VIEW public.v AS SELECT id, amount FROM t;
  COMMENT ON VIEW public.v IS 'amounts';
)";

TEST(KeptOnRebuild, RebuiltViewKeepsGrantAndCommentWithoutPrivileges) {
  auto db = create_fresh_database(kViewLive);
  ASSERT_EQ(view_state(db.conninfo, "public.v"), "true amounts");
  json report = apply_to(db.conninfo, kViewTarget);
  ASSERT_TRUE(statement_ran(report, "DROP VIEW public.v")) << report.dump(2);
  EXPECT_TRUE(statement_ran(report, "GRANT SELECT ON TABLE public.v TO app_ro")) << report.dump(2);
  EXPECT_EQ(view_state(db.conninfo, "public.v"), "true amounts");
  EXPECT_EQ(query_value(db.conninfo, "SELECT sum(amount) FROM public.v"), "30");
}

TEST(KeptOnRebuild, RebuiltViewKeepsGrantAndCommentWithPrivileges) {
  auto db = create_fresh_database(kViewLive);
  json report =
      apply_to(db.conninfo, std::string(kViewTarget) + "GRANT SELECT ON public.v TO app_ro;",
               {"--privileges"});
  ASSERT_TRUE(statement_ran(report, "DROP VIEW public.v")) << report.dump(2);
  EXPECT_EQ(view_state(db.conninfo, "public.v"), "true amounts");
}

TEST(KeptOnRebuild, ViewRebuiltOnlyBecauseAViewItReadsChanges) {
  auto db = create_fresh_database(R"(
    CREATE TABLE public.t (id int, amount int);
    CREATE VIEW public.inner_v AS SELECT id, amount FROM t;
    CREATE VIEW public.outer_v AS SELECT id FROM inner_v;
    COMMENT ON VIEW public.outer_v IS 'ids';
    GRANT SELECT ON public.outer_v TO app_ro;
  )");
  json report = apply_to(db.conninfo, R"(
    CREATE TABLE public.t (id int, amount int);
    CREATE VIEW public.inner_v AS SELECT id, amount, amount * 2 AS twice FROM t;
    CREATE VIEW public.outer_v AS SELECT id FROM inner_v;
    COMMENT ON VIEW public.outer_v IS 'ids';
  )");
  ASSERT_TRUE(statement_ran(report, "DROP VIEW public.outer_v")) << report.dump(2);
  EXPECT_EQ(view_state(db.conninfo, "public.outer_v"), "true ids");
}

TEST(KeptOnRebuild, GeneratedColumnRebuiltKeepsCommentAndColumnGrant) {
  auto db = create_fresh_database(R"(
    CREATE TABLE public.t (a int, g int GENERATED ALWAYS AS (a * 2) STORED);
    INSERT INTO public.t (a) VALUES (1), (2);
    COMMENT ON COLUMN public.t.g IS 'derived';
    GRANT SELECT (a, g) ON public.t TO app_ro;
  )");
  json report = apply_to(db.conninfo, R"(
    CREATE TABLE public.t (a int, g int GENERATED ALWAYS AS (a * 3) STORED);
    COMMENT ON COLUMN public.t.g IS 'derived';
  )");
  ASSERT_TRUE(statement_ran(report, "ALTER TABLE public.t DROP COLUMN g")) << report.dump(2);
  EXPECT_EQ(
      query_value(db.conninfo,
                  "SELECT col_description('public.t'::regclass, (SELECT attnum FROM pg_attribute "
                  "WHERE attrelid = 'public.t'::regclass AND attname = 'g')) || ' ' || "
                  "has_column_privilege('app_ro', 'public.t', 'g', 'SELECT')::text || ' ' ||"
                  "has_column_privilege('app_ro', 'public.t', 'a', 'SELECT')::text"),
      "derived true true");
  EXPECT_EQ(query_value(db.conninfo, "SELECT sum(g) FROM public.t"), "9");
}

TEST(KeptOnRebuild, RecreatedFunctionKeepsExecuteGrantAndComment) {
  auto db = create_fresh_database(R"(
    CREATE FUNCTION public.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
    COMMENT ON FUNCTION public.f(int) IS 'identity';
    GRANT EXECUTE ON FUNCTION public.f(int) TO app_ro;
  )");
  const std::string acl =
      "SELECT (proacl::text LIKE '%app_ro=X/%')::text || ' ' || "
      "obj_description(oid, 'pg_proc') || ' ' || prorettype::regtype::text "
      "FROM pg_proc WHERE proname = 'f'";
  ASSERT_EQ(query_value(db.conninfo, acl), "true identity integer");
  json report = apply_to(db.conninfo, R"(
    CREATE FUNCTION public.f(x int) RETURNS bigint LANGUAGE sql AS 'SELECT x::bigint';
    COMMENT ON FUNCTION public.f(int) IS 'identity';
  )");
  ASSERT_TRUE(statement_ran(report, "DROP FUNCTION public.f(integer)")) << report.dump(2);
  EXPECT_EQ(query_value(db.conninfo, acl), "true identity bigint");
}

// A reviewer removed the re-grant from the plan file: apply runs it, and verification names
// the privilege the view lost although --privileges was not given.
TEST(KeptOnRebuild, VerificationReportsALostGrant) {
  TempDir tmp;
  auto db = create_fresh_database(kViewLive);
  std::string target = tmp.write("target.sql", kViewTarget);
  auto made = run_pgdrift({"plan", "--from", db.conninfo, "--to", target, "--format", "json",
                           "--no-validate", "--allow-hazards", "all"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  json plan = parse_json_output(made);
  json steps = json::array();
  bool removed = false;
  for (const auto& s : plan["steps"]) {
    if (s["statement"] == "GRANT SELECT ON TABLE public.v TO app_ro;") {
      removed = true;
      continue;
    }
    json copy = s;
    copy["id"] = steps.size() + 1;
    steps.push_back(copy);
  }
  ASSERT_TRUE(removed) << plan.dump(2);
  plan["steps"] = steps;
  // The groups named the removed step: without them, apply groups the steps by the rule.
  plan.erase("transactions");
  std::string file = tmp.write("plan.json", plan.dump(2));
  auto r = run_pgdrift({"apply", "--db", db.conninfo, "--plan", file, "--allow-hazards", "all"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(
      r.out.find("verify: NOT converged\n  lost privilege: SELECT on view public.v to app_ro"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("1 privilege(s) lost"), std::string::npos) << r.err;
  EXPECT_EQ(view_state(db.conninfo, "public.v"), "false amounts");

  // The same plan on a second copy, reported as JSON: valid against the published schema.
  auto copy = create_fresh_database(kViewLive);
  auto j = run_pgdrift({"apply", "--db", copy.conninfo, "--plan", file, "--allow-hazards", "all",
                        "--format", "json"});
  EXPECT_EQ(j.exit_code, 1) << j.out << j.err;
  json report = parse_json_output(j);
  EXPECT_EQ(report["result"], "not_converged");
  EXPECT_EQ(report["verify"]["converged"], false);
  EXPECT_EQ(report["verify"]["remaining"],
            json::array({"lost privilege: SELECT on view public.v to app_ro"}));
  std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  EXPECT_EQ(validate_json(python, "apply-report.schema.json", {report}),
            std::vector<std::string>{"valid"});
}

}  // namespace
}  // namespace pgdrift::testing
