// Apply run by hand (issue 18 item 10): on a terminal (a pseudo-terminal from util-linux
// `script`), a summary of the steps, hazards and locked tables and "Apply? [y/N]" before the
// first change; only "y" applies, --yes skips the question, and without a terminal (scripts,
// CI) nothing is asked. Progress goes to stderr as each step starts and ends.
#include <gtest/gtest.h>

#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

const char* kSource =
    "CREATE TABLE t (id int PRIMARY KEY, v double precision);\n"
    "INSERT INTO t SELECT g, g / 4.0 FROM generate_series(1, 100) g;\n";
const char* kTarget = "CREATE TABLE t (id int PRIMARY KEY, v numeric(8,2));\n";

// `command` run by a shell on a pseudo-terminal, with `answer` typed into it (none: stdin
// closed). stdout of the result is what the terminal showed.
CommandOutput on_terminal(const std::string& command, const std::string& answer) {
  const std::string typed = answer.empty() ? "" : "printf '" + answer + "\\n' | ";
  return run_program({"/bin/bash", "-c", typed + "script -qec \"" + command + "\" /dev/null"});
}

std::string column_type(const FreshDatabase& db) {
  return query_value(db.conninfo,
                     "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                     "WHERE attrelid = 't'::regclass AND attname = 'v'");
}

std::string apply_command(const FreshDatabase& db, const std::string& target,
                          const std::string& extra = "") {
  return std::string(PGDRIFT_BINARY) + " apply --db '" + db.url + "' --to '" + target +
         "' --allow-hazards all --accept-rows-at-risk " + extra;
}

TEST(ApplyTerminal, AsksBeforeTheFirstChangeAndOnlyYesApplies) {
  TempDir tmp("pgdrift-terminal");
  const std::string target = tmp.write("target.sql", kTarget);

  auto declined_db = create_fresh_database(kSource);
  CommandOutput declined = on_terminal(apply_command(declined_db, target), "");
  EXPECT_EQ(declined.exit_code, 1) << declined.out << declined.err;
  EXPECT_NE(declined.out.find("about to run 1 step on postgres@"), std::string::npos)
      << declined.out;
  EXPECT_NE(declined.out.find("hazards: table_rewrite"), std::string::npos) << declined.out;
  EXPECT_NE(declined.out.find("step 1 takes ACCESS EXCLUSIVE on public.t: "), std::string::npos)
      << declined.out;
  EXPECT_NE(declined.out.find("Apply? [y/N]"), std::string::npos) << declined.out;
  EXPECT_NE(declined.out.find("result: declined"), std::string::npos) << declined.out;
  EXPECT_EQ(column_type(declined_db), "double precision");

  auto no_db = create_fresh_database(kSource);
  CommandOutput no = on_terminal(apply_command(no_db, target), "n");
  EXPECT_EQ(no.exit_code, 1) << no.out;
  EXPECT_EQ(column_type(no_db), "double precision");

  auto yes_db = create_fresh_database(kSource);
  CommandOutput yes = on_terminal(apply_command(yes_db, target), "y");
  EXPECT_EQ(yes.exit_code, 0) << yes.out;
  EXPECT_NE(yes.out.find("step 1/1 started: alter column public.t.v (ACCESS EXCLUSIVE)"),
            std::string::npos)
      << yes.out;
  EXPECT_EQ(column_type(yes_db), "numeric(8,2)");

  auto flag_db = create_fresh_database(kSource);
  CommandOutput flag = on_terminal(apply_command(flag_db, target, "--yes"), "");
  EXPECT_EQ(flag.exit_code, 0) << flag.out;
  EXPECT_EQ(flag.out.find("Apply? [y/N]"), std::string::npos) << flag.out;
  EXPECT_EQ(column_type(flag_db), "numeric(8,2)");
}

TEST(ApplyTerminal, WithoutATerminalNothingIsAskedAndStepsAreReportedAsTheyRun) {
  TempDir tmp("pgdrift-terminal");
  const std::string target = tmp.write("target.sql", kTarget);
  auto db = create_fresh_database(kSource);
  CommandOutput applied = run_program({PGDRIFT_BINARY, "apply", "--db", db.url, "--to", target,
                                       "--allow-hazards", "all", "--accept-rows-at-risk"});
  EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(applied.err.find("Apply?"), std::string::npos) << applied.err;
  const size_t started =
      applied.err.find("step 1/1 started: alter column public.t.v (ACCESS EXCLUSIVE)");
  const size_t done = applied.err.find("step 1/1 done in ");
  ASSERT_NE(started, std::string::npos) << applied.err;
  ASSERT_NE(done, std::string::npos) << applied.err;
  EXPECT_LT(started, done);
  EXPECT_EQ(column_type(db), "numeric(8,2)");
}

}  // namespace
}  // namespace pgdrift::testing
