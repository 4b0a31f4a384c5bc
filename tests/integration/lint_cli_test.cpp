// `pgdrift lint` end to end: a real database with MITA's planted drift, exit codes, output
// formats, and a connection failure that must not look like "no findings".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/fixtures.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift {
namespace {

using nlohmann::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

testing::CommandOutput lint(std::vector<std::string> args) {
  args.insert(args.begin(), {PGDRIFT_BINARY, "lint"});
  return testing::run_program(args);
}

TEST(LintCli, LiveDatabaseWithPlantedDriftFails) {
  auto db = testing::create_fresh_database(read_file(testing::fixture_path("mita/live.sql")));
  auto run = lint({db.url, "--format", "json"});
  ASSERT_EQ(run.exit_code, 1) << run.err << run.out;
  json report = json::parse(run.out);
  std::set<std::string> found;
  for (const auto& f : report["findings"])
    found.insert(f["rule"].get<std::string>() + " " + f["object"].get<std::string>());
  // live.sql's planted drift: float money and a text user_id without its foreign key.
  EXPECT_TRUE(found.count("money-as-float public.expenses.amount")) << run.out;
  EXPECT_TRUE(found.count("money-as-float public.transactions.amount")) << run.out;
  EXPECT_TRUE(found.count("missing-foreign-key public.expenses.user_id")) << run.out;
  EXPECT_GT(report["counts"]["error"].get<int>(), 0);
  EXPECT_EQ(report["failed"], true);

  // The desired schema has none of the errors.
  auto desired = lint({testing::fixture_path("mita/schema")});
  EXPECT_EQ(desired.exit_code, 0) << desired.out << desired.err;
  EXPECT_EQ(desired.out.find("money-as-float"), std::string::npos) << desired.out;

  // Findings can be accepted one by one, or the threshold lowered.
  EXPECT_EQ(lint({db.url, "--fail-on", "never"}).exit_code, 0);
  std::vector<std::string> args = {db.url, "--format", "json"};
  for (const auto& f : report["findings"])
    if (f["severity"] == "error")
      args.insert(args.end(), {"--ignore", f["rule"].get<std::string>() + ":" +
                                               f["object"].get<std::string>()});
  auto accepted = lint(args);
  EXPECT_EQ(accepted.exit_code, 0) << accepted.out;
  EXPECT_EQ(json::parse(accepted.out)["counts"]["error"], 0);
  EXPECT_EQ(lint({db.url, "--fail-on", "warning", "--disable", "money-as-float"}).exit_code, 1);
}

TEST(LintCli, SqlFileFindingsNameFileAndLine) {
  testing::TempDir tmp("pgdrift-lint-cli");
  std::string path = tmp.file("lint_cli.sql");
  std::ofstream(path) << "CREATE TABLE users (id uuid PRIMARY KEY);\n\n"
                         "CREATE TABLE payments (\n  id int PRIMARY KEY,\n  amount real\n);\n";
  auto run = lint({path});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.out.find(path + ":5: error [money-as-float] public.payments.amount"),
            std::string::npos)
      << run.out;
  auto github = lint({path, "--format", "github"});
  EXPECT_NE(github.out.find("::error file=" + path + ",line=5,title=pgdrift money-as-float::"),
            std::string::npos)
      << github.out;
}

// A finding of a --history report: "rule file-name:line".
std::set<std::string> history_findings(const json& report) {
  std::set<std::string> out;
  for (const auto& f : report["findings"]) {
    if (!f.contains("location")) continue;
    out.insert(f["rule"].get<std::string>() + " " +
               std::filesystem::path(f["location"]["file"].get<std::string>()).filename().string() +
               ":" + std::to_string(f["location"]["line"].get<int>()));
  }
  return out;
}

TEST(LintCli, HistoryFindingsOfMitasMigrationsWithFileLineAndHelp) {
  // The golang-migrate copy: 0006 indexes transactions, which 0001 created, without
  // CONCURRENTLY; 0003 creates budget_advice and indexes it in the same migration (no finding).
  auto sql = lint({"--history", testing::fixture_path("mita/migrations_sql"), "--format", "json"});
  ASSERT_EQ(sql.exit_code, 1) << sql.err << sql.out;
  json report = json::parse(sql.out);
  auto found = history_findings(report);
  EXPECT_TRUE(
      found.count("index-without-concurrently 0006_transactions_user_created_at_idx.up.sql:3"))
      << sql.out;
  EXPECT_TRUE(found.count("missing-lock-timeout 0006_transactions_user_created_at_idx.up.sql:3"))
      << sql.out;
  for (const auto& f : found)
    EXPECT_EQ(f.rfind("index-without-concurrently 0003", 0), std::string::npos) << f;
  for (const auto& f : report["findings"])
    EXPECT_EQ(f["help"], "docs/lint.md#" + f["rule"].get<std::string>());

  // The Alembic original: the same finding at the op.create_index call.
  auto alembic = lint({"--history", testing::fixture_path("mita/migrations"), "--format", "json"});
  ASSERT_EQ(alembic.exit_code, 1) << alembic.err << alembic.out;
  EXPECT_TRUE(history_findings(json::parse(alembic.out))
                  .count("index-without-concurrently 0006_transactions_user_created_at_idx.py:16"))
      << alembic.out;

  // Text: the help link under the finding; --disable and a SOURCE with --history.
  auto text = lint({"--history", testing::fixture_path("mita/migrations_sql")});
  EXPECT_NE(text.out.find("  help: docs/lint.md#index-without-concurrently"), std::string::npos)
      << text.out;
  auto disabled = lint({"--history", testing::fixture_path("mita/migrations_sql"), "--format",
                        "json", "--disable", "index-without-concurrently"});
  EXPECT_EQ(history_findings(json::parse(disabled.out))
                .count("index-without-concurrently 0006_transactions_user_created_at_idx.up.sql:3"),
            0u);
  EXPECT_EQ(lint({testing::fixture_path("mita/schema"), "--history",
                  testing::fixture_path("mita/migrations_sql")})
                .exit_code,
            2);
}

TEST(LintCli, BadInputAndUnreachableDatabaseExitTwo) {
  auto unknown = lint({testing::fixture_path("mita/schema"), "--disable", "no-such-rule"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown lint rule: no-such-rule"), std::string::npos) << unknown.err;
  auto down = lint({"postgresql://app:hunter2secret@127.0.0.1:1/nowhere?connect_timeout=2"});
  EXPECT_EQ(down.exit_code, 2);
  EXPECT_EQ((down.out + down.err).find("hunter2secret"), std::string::npos) << down.err;
  EXPECT_EQ(lint({}).exit_code, 2);
}

}  // namespace
}  // namespace pgdrift
