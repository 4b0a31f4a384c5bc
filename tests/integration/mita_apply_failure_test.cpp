// Issue 14's acceptance on MITA with data in the tables: for each kind of row a plan cannot
// carry, an apply that is told to go ahead anyway (--accept-rows-at-risk) fails mid-plan and
// leaves every view, CHECK, policy, grant and comment that the database had and the target
// keeps; with --atomic it leaves the database byte-identical to before. (That the default apply
// refuses before any change is tested with the preflights, preflight_db_test.cpp.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "schema/json.h"
#include "schema/live/introspect.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/schema_facts.h"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;

// What MITA's operators added by hand, in the database and in the desired schema alike: a
// grant and a comment on the view the money retypes rebuild, and a row-level policy on the
// expenses whose user_id the plan retypes.
std::string extras() {
  const std::string role = test_roles().at(0);
  return "GRANT SELECT ON monthly_spending TO " + role +
         ";\n"
         "COMMENT ON VIEW monthly_spending IS 'finance dashboard';\n"
         "ALTER TABLE expenses ENABLE ROW LEVEL SECURITY;\n"
         "CREATE POLICY expenses_owner ON expenses USING (user_id = current_setting('app.user', "
         "true));\n";
}

// The desired schema with the same extras (the policy compares a uuid there).
std::string desired_dir(const TempDir& tmp) {
  for (const auto& entry : fs::directory_iterator(fixture_path("mita/schema")))
    tmp.write("schema/" + entry.path().filename().string(), read_text_file(entry.path().string()));
  const std::string role = test_roles().at(0);
  tmp.write("schema/zz_extras.sql", "GRANT SELECT ON monthly_spending TO " + role +
                                        ";\n"
                                        "COMMENT ON VIEW monthly_spending IS 'finance dashboard';\n"
                                        "ALTER TABLE expenses ENABLE ROW LEVEL SECURITY;\n"
                                        "CREATE POLICY expenses_owner ON expenses USING (user_id = "
                                        "current_setting('app.user', true)::uuid);\n");
  return (tmp.path / "schema").string();
}

struct RowKind {
  std::string name;
  std::string setup;  // run after live.sql and the extras
};

const std::string kUser = "(SELECT id FROM users LIMIT 1)";

// A user to hang rows on, then the row the plan cannot carry.
const std::vector<RowKind>& row_kinds() {
  static const std::vector<RowKind> kinds = {
      {"UnconvertibleUuid",
       "INSERT INTO expenses (user_id, category, amount, expense_date) "
       "VALUES ('legacy-42', 'food', 1.5, '2024-01-01');"},
      {"MoneyBeyondNumeric", "INSERT INTO transactions (user_id, category, amount) VALUES (" +
                                 kUser + ", 'house', 1e12);"},
      {"OrphanForNewForeignKey",
       "INSERT INTO goals (user_id, title, target_amount) "
       "VALUES (gen_random_uuid(), 'orphan goal', 100);"},
      // A hand fix dropped the CHECK; the target has it again.
      {"CheckViolation",
       "ALTER TABLE goals DROP CONSTRAINT goals_status_check;\n"
       "INSERT INTO goals (user_id, title, target_amount, status) VALUES (" +
           kUser + ", 'odd goal', 100, 'paused');"},
      // A hand fix dropped the unique index; the target has it again.
      {"DuplicateForNewUnique",
       "DROP INDEX users_email_lower_key;\n"
       "INSERT INTO users (email, password_hash) VALUES ('Twin@example.com', 'x'), "
       "('twin@example.com', 'y');"},
  };
  return kinds;
}

void PrintTo(const RowKind& k, std::ostream* os) { *os << k.name; }

class MitaApplyFailure : public ::testing::TestWithParam<RowKind> {};

TEST_P(MitaApplyFailure, FailsMidPlanAtASafePointOrAtomicallyChangingNothing) {
  TempDir tmp;
  const std::string desired = desired_dir(tmp);
  const schema::Model target = schema::sql::load_path(desired).model;
  const std::string setup =
      read_text_file(fixture_path("mita/live.sql")) + extras() +
      "INSERT INTO users (email, password_hash) VALUES ('someone@example.com', 'x');\n" +
      GetParam().setup + "\n";

  // Told to go ahead: the failing step's transaction rolls back, and every commit before it
  // was a safe point.
  auto db = create_fresh_database(setup);
  const schema::Model source = schema::live::introspect(db.conninfo).model;
  auto run = run_pgdrift({"apply", "--db", db.conninfo, "--to", desired, "--allow-hazards", "all",
                          "--accept-rows-at-risk"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.err.find("SQLSTATE"), std::string::npos) << run.err;
  const schema::Model after = schema::live::introspect(db.conninfo).model;
  std::string lacking;
  for (const auto& f : missing_facts(source, target, after)) lacking += "  " + f + "\n";
  EXPECT_TRUE(lacking.empty()) << "after the failed apply the database lacks:\n"
                               << lacking << run.out;

  // Atomic: nothing changes.
  auto atomic_db = create_fresh_database(setup);
  const std::string before =
      schema::dump_model_json(schema::live::introspect(atomic_db.conninfo).model);
  auto atomic = run_pgdrift({"apply", "--db", atomic_db.conninfo, "--to", desired,
                             "--allow-hazards", "all", "--accept-rows-at-risk", "--atomic"});
  EXPECT_EQ(atomic.exit_code, 1) << atomic.out << atomic.err;
  const std::string atomic_after =
      schema::dump_model_json(schema::live::introspect(atomic_db.conninfo).model);
  EXPECT_EQ(atomic_after, before) << line_diff(before, atomic_after);
}

INSTANTIATE_TEST_SUITE_P(Rows, MitaApplyFailure, ::testing::ValuesIn(row_kinds()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace pgdrift::testing
