// `pgdrift inspect` and `pgdrift --version` run as a user would: the built binary via popen.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "schema/json.h"
#include "tests/support/fixtures.h"

namespace {

struct CommandRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// CommandRun the pgdrift binary with `args` (already shell-quoted).
CommandRun run_pgdrift(const std::string& args) {
  static int counter = 0;
  std::string err_file =
      (std::filesystem::temp_directory_path() / ("pgdrift_cli_test_" + std::to_string(::getpid()) +
                                                 "_" + std::to_string(counter++) + ".err"))
          .string();
  std::string command = std::string(PGDRIFT_BINARY) + " " + args + " 2>" + err_file;
  CommandRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.out.append(buffer.data(), n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_file);
  run.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  std::filesystem::remove(err_file);
  return run;
}

TEST(CliInspect, VersionExitsZero) {
  CommandRun run = run_pgdrift("--version");
  EXPECT_EQ(run.exit_code, 0);
  std::string text = run.out + run.err;
  ASSERT_EQ(text.rfind("pgdrift ", 0), 0u) << text;
  EXPECT_TRUE(text.size() > 8 && std::isdigit(static_cast<unsigned char>(text[8]))) << text;
}

TEST(CliInspect, HelpExitsZero) {
  CommandRun run = run_pgdrift("inspect --help");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("--with-provenance"), std::string::npos) << run.out;
}

TEST(CliInspect, UnknownOptionIsAUsageError) {
  CommandRun run = run_pgdrift("inspect --no-such-option x.sql");
  EXPECT_EQ(run.exit_code, 2);
}

TEST(CliInspect, MissingPathExitsTwo) {
  CommandRun run = run_pgdrift("inspect /nonexistent/pgdrift/schema.sql");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("/nonexistent/pgdrift/schema.sql"), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty());
}

TEST(CliInspect, ClosedPortExitsTwoWithoutPassword) {
  CommandRun run = run_pgdrift("inspect 'postgres://u:s3cret@127.0.0.1:1/db'");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(run.err.empty());
  EXPECT_EQ(run.err.find("s3cret"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("s3cret"), std::string::npos) << run.out;

  CommandRun kv = run_pgdrift("inspect 'host=127.0.0.1 port=1 user=u password=s3cret dbname=db'");
  EXPECT_EQ(kv.exit_code, 2);
  EXPECT_FALSE(kv.err.empty());
  EXPECT_EQ(kv.err.find("s3cret"), std::string::npos) << kv.err;
}

TEST(CliInspect, BadJsonModelExitsTwoWithThePath) {
  auto path = std::filesystem::temp_directory_path() /
              ("pgdrift_cli_bad_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << R"({"format": "pgdrift-model", "version": 1, "tables": {"public.t": []}})";
  CommandRun run = run_pgdrift("inspect " + path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("$.tables[\"public.t\"]"), std::string::npos) << run.err;
}

TEST(CliInspect, JsonModelIsPrintedBackIdentically) {
  auto path = std::filesystem::temp_directory_path() /
              ("pgdrift_cli_model_" + std::to_string(::getpid()) + ".json");
  pgdrift::schema::Model m;
  pgdrift::schema::EnumType e;
  e.schema = "public";
  e.name = "push_platform";
  e.values = {"ios", "android", "web"};
  m.enums[pgdrift::schema::qualified_key("public", "push_platform")] = e;
  std::string text = pgdrift::schema::dump_model_json(m);
  std::ofstream(path) << text;
  CommandRun run = run_pgdrift("inspect " + path.string());
  CommandRun sql = run_pgdrift("inspect --format sql " + path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, text);
  EXPECT_EQ(sql.exit_code, 0) << sql.err;
  EXPECT_NE(sql.out.find("CREATE TYPE public.push_platform AS ENUM ('ios', 'android', 'web');"),
            std::string::npos)
      << sql.out;
}

TEST(CliInspect, MitaFixtureAsJsonAndSql) {
  std::string fixture = pgdrift::testing::fixture_path("mita/schema");
  CommandRun json_run = run_pgdrift("inspect " + fixture);
  ASSERT_EQ(json_run.exit_code, 0) << json_run.err;
  auto j = nlohmann::json::parse(json_run.out);
  EXPECT_TRUE(j["tables"].contains("public.transactions"));
  EXPECT_EQ(j["tables"]["public.transactions"].dump().find("\"location\""), std::string::npos);

  CommandRun provenance = run_pgdrift("inspect --with-provenance " + fixture);
  ASSERT_EQ(provenance.exit_code, 0) << provenance.err;
  EXPECT_NE(provenance.out.find("20_transactions.sql:"), std::string::npos);
  // A file source has no server, so no provenance object.
  EXPECT_FALSE(nlohmann::json::parse(provenance.out).contains("provenance"));

  CommandRun sql_run = run_pgdrift("inspect --format sql " + fixture);
  ASSERT_EQ(sql_run.exit_code, 0) << sql_run.err;
  EXPECT_NE(sql_run.out.find("CREATE TABLE public.transactions"), std::string::npos);

  CommandRun filtered = run_pgdrift("inspect --exclude-schema public " + fixture);
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  EXPECT_TRUE(nlohmann::json::parse(filtered.out)["tables"].empty());
}

TEST(CliInspect, OutputFile) {
  auto path = std::filesystem::temp_directory_path() /
              ("pgdrift_cli_out_" + std::to_string(::getpid()) + ".sql");
  CommandRun run = run_pgdrift("inspect --format sql --output " + path.string() + " " +
                               pgdrift::testing::fixture_path("mita/schema"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.out.empty());
  std::ifstream in(path);
  std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  EXPECT_NE(written.find("CREATE TABLE public.users"), std::string::npos);
}

}  // namespace
