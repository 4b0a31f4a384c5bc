// How the command line treats its user (issue 18 items 6, 7, 8): `plan` exits 0 whatever the
// plan's hazards and 1 only for --fail-on-hazards, so `plan -o plan.sql && psql -f plan.sql`
// works; hazard lists are comma- or space-separated everywhere; a mistyped command or option is
// named with the closest real one; every command's --help ends with its exit codes.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

CommandOutput run(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {PGDRIFT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv);
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Dropping a column: data_loss and access_exclusive_lock.
const char* kFrom = "CREATE TABLE t (id int PRIMARY KEY, gone text);\n";
const char* kTo = "CREATE TABLE t (id int PRIMARY KEY);\n";

TEST(UsageCli, PlanExitsZeroWhateverItsHazardsAndOneOnlyForFailOnHazards) {
  TempDir tmp("pgdrift-usage");
  const std::string from = tmp.write("from.sql", kFrom);
  const std::string to = tmp.write("to.sql", kTo);
  const std::string out = tmp.file("plan.sql");

  CommandOutput written = run({"plan", "--from", from, "--to", to, "-o", out, "--no-validate"});
  EXPECT_EQ(written.exit_code, 0) << written.err;
  EXPECT_NE(file_text(out).find("DROP COLUMN gone"), std::string::npos);

  CommandOutput failing = run({"plan", "--from", from, "--to", to, "--no-validate",
                               "--fail-on-hazards", "index_build", "data_loss"});
  EXPECT_EQ(failing.exit_code, 1) << failing.err;
  EXPECT_NE(failing.out.find("DROP COLUMN gone"), std::string::npos);  // written all the same
  EXPECT_NE(failing.err.find("--fail-on-hazards: data_loss"), std::string::npos) << failing.err;

  CommandOutput absent = run({"plan", "--from", from, "--to", to, "--no-validate",
                              "--fail-on-hazards", "index_build,table_rewrite"});
  EXPECT_EQ(absent.exit_code, 0) << absent.err;
  CommandOutput all =
      run({"plan", "--from", from, "--to", to, "--no-validate", "--fail-on-hazards", "all"});
  EXPECT_EQ(all.exit_code, 1) << all.err;
  CommandOutput typo =
      run({"plan", "--from", from, "--to", to, "--no-validate", "--fail-on-hazards", "data_los"});
  EXPECT_EQ(typo.exit_code, 2) << typo.err;
  EXPECT_NE(typo.err.find("unknown hazard 'data_los' in --fail-on-hazards"), std::string::npos)
      << typo.err;
}

TEST(UsageCli, HazardListsAreCommaOrSpaceSeparatedInApply) {
  TempDir tmp("pgdrift-usage");
  const std::string to = tmp.write("to.sql", kTo);
  for (const auto& allow :
       std::vector<std::vector<std::string>>{{"data_loss", "access_exclusive_lock"},
                                             {"data_loss,access_exclusive_lock"},
                                             {"data_loss,access_exclusive_lock", "data_loss"}}) {
    auto db = create_fresh_database(kFrom);
    std::vector<std::string> args = {"apply", "--db", db.url, "--to", to, "--allow-hazards"};
    args.insert(args.end(), allow.begin(), allow.end());
    args.push_back("--no-audit");
    CommandOutput applied = run(args);
    EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    EXPECT_EQ(query_value(db.conninfo,
                          "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND "
                          "attname = 'gone' AND NOT attisdropped"),
              "0");
  }
  // One hazard left out: refused, exit 1.
  auto db = create_fresh_database(kFrom);
  CommandOutput refused =
      run({"apply", "--db", db.url, "--to", to, "--allow-hazards", "data_loss", "--no-audit"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("access_exclusive_lock"), std::string::npos) << refused.err;
}

TEST(UsageCli, MistypedCommandsAndOptionsAreNamedWithTheClosestOne) {
  CommandOutput command = run({"drfit"});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_NE(command.err.find("unknown command 'drfit'; did you mean 'drift'?"), std::string::npos)
      << command.err;
  CommandOutput option = run({"drift", "--desried", "schema.sql", "--db", "postgresql://x/y"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_NE(option.err.find("unknown option '--desried' for drift; did you mean --desired?"),
            std::string::npos)
      << option.err;
  CommandOutput with_value = run({"plan", "--formt=json", "--from", "a", "--to", "b"});
  EXPECT_EQ(with_value.exit_code, 2);
  EXPECT_NE(with_value.err.find("did you mean --format?"), std::string::npos) << with_value.err;
  CommandOutput nested = run({"scratch-cluster", "start", "--dri", "x"});
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_NE(nested.err.find("did you mean --dir?"), std::string::npos) << nested.err;
  // Nothing close: no guess.
  CommandOutput far = run({"zzzzzzzz"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
  EXPECT_NE(far.err.find("unknown command 'zzzzzzzz'"), std::string::npos) << far.err;
}

// Issue 18 item 9: like psql, a command without --db reads DATABASE_URL, else the PG*
// environment, and says which (labelled user@host:port/dbname, never a password).
TEST(UsageCli, WithoutDbTheEnvironmentNamesTheDatabase) {
  auto db = create_fresh_database(kFrom);
  TempDir tmp("pgdrift-usage");
  const std::string same = tmp.write("same.sql", kFrom);
  const std::string other = tmp.write("other.sql", kTo);
  auto& cluster = test_cluster();
  const std::vector<std::string> pg_env = {"/usr/bin/env",
                                           "-u",
                                           "DATABASE_URL",
                                           "PGHOST=" + cluster.dir(),
                                           "PGPORT=" + std::to_string(cluster.port()),
                                           "PGUSER=postgres",
                                           "PGDATABASE=" + db.name};
  auto with_env = [](std::vector<std::string> env, const std::vector<std::string>& args) {
    env.push_back(PGDRIFT_BINARY);
    env.insert(env.end(), args.begin(), args.end());
    return run_program(env);
  };
  const std::string label =
      "postgres@" + cluster.dir() + ":" + std::to_string(cluster.port()) + "/" + db.name;
  CommandOutput clean = with_env(pg_env, {"drift", "--desired", same});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_NE(clean.err.find("--db not given: using the PG* environment (" + label + ")"),
            std::string::npos)
      << clean.err;
  CommandOutput drifted = with_env(pg_env, {"drift", "--desired", other});
  EXPECT_EQ(drifted.exit_code, 1) << drifted.out << drifted.err;
  // "postgresql://" alone is the environment too.
  CommandOutput explicit_env =
      with_env(pg_env, {"drift", "--desired", same, "--db", "postgresql://"});
  EXPECT_EQ(explicit_env.exit_code, 0) << explicit_env.err;

  // DATABASE_URL wins over PG*, and its password is never shown.
  const std::string url = "postgresql://postgres:s3cret-pw@/" + db.name + "?host=" + cluster.dir() +
                          "&port=" + std::to_string(cluster.port());
  CommandOutput from_url = with_env({"/usr/bin/env", "DATABASE_URL=" + url, "PGDATABASE=nope"},
                                    {"audit", "--last", "1"});
  EXPECT_EQ(from_url.exit_code, 2) << from_url.err;  // no audit log in that database yet
  EXPECT_NE(from_url.err.find("using DATABASE_URL (" + label + ")"), std::string::npos)
      << from_url.err;
  EXPECT_EQ(from_url.err.find("s3cret-pw"), std::string::npos) << from_url.err;

  // Nothing set: a usage error saying what to set.
  CommandOutput nothing =
      with_env({"/usr/bin/env", "-u", "DATABASE_URL", "-u", "PGHOST", "-u", "PGPORT", "-u",
                "PGDATABASE", "-u", "PGUSER", "-u", "PGSERVICE", "-u", "PGHOSTADDR"},
               {"drift", "--desired", same});
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_NE(nothing.err.find("--db is required (or set DATABASE_URL"), std::string::npos)
      << nothing.err;
}

TEST(UsageCli, EveryCommandsHelpEndsWithItsExitCodes) {
  for (const char* command : {"inspect", "plan", "drift", "reconcile", "apply", "audit", "rollback",
                              "lint", "scratch-cluster", "report"}) {
    CommandOutput help = run({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.out.find("Exit codes: 0 "), std::string::npos) << command << "\n" << help.out;
  }
  CommandOutput top = run({"--help"});
  EXPECT_NE(top.out.find("drift: 0 no drift; 1 drift found; 2 "), std::string::npos) << top.out;
  EXPECT_NE(top.out.find("report: 0 no drift in the merged reports; 1 "), std::string::npos)
      << top.out;
  // A command's own subcommands show them too.
  CommandOutput merge = run({"report", "merge", "--help"});
  EXPECT_NE(merge.out.find("Exit codes: 0 no drift in the merged reports"), std::string::npos)
      << merge.out;
}

}  // namespace
}  // namespace pgdrift::testing
