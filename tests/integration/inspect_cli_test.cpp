// `pgdrift inspect` and `pgdrift --version` run as a user would, through the built binary:
// exit codes, messages and outputs for files, JSON models and unreachable servers; and
// byte-identical JSON for a database and for the SQL it was built from (the end-to-end form of
// the round-trip proof).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "schema/json.h"
#include "tests/support/fixtures.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;

CommandOutput inspect_json(const std::string& source) {
  return run_program({PGDRIFT_BINARY, "inspect", source, "--format", "json"});
}

TEST(CliInspect, VersionExitsZero) {
  CommandOutput run = run_pgdrift({"--version"});
  EXPECT_EQ(run.exit_code, 0);
  std::string text = run.out + run.err;
  ASSERT_EQ(text.rfind("pgdrift ", 0), 0u) << text;
  EXPECT_TRUE(text.size() > 8 && std::isdigit(static_cast<unsigned char>(text[8]))) << text;
}

TEST(CliInspect, HelpExitsZero) {
  CommandOutput run = run_pgdrift({"inspect", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("--with-provenance"), std::string::npos) << run.out;
}

TEST(CliInspect, UnknownOptionIsAUsageError) {
  CommandOutput run = run_pgdrift({"inspect", "--no-such-option", "x.sql"});
  EXPECT_EQ(run.exit_code, 2);
}

TEST(CliInspect, MissingPathExitsTwo) {
  CommandOutput run = run_pgdrift({"inspect", "/nonexistent/pgdrift/schema.sql"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("/nonexistent/pgdrift/schema.sql"), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty());
}

TEST(CliInspect, ClosedPortExitsTwoWithoutPassword) {
  CommandOutput run = run_pgdrift({"inspect", "postgres://u:s3cret@127.0.0.1:1/db"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(run.err.empty());
  EXPECT_EQ(run.err.find("s3cret"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("s3cret"), std::string::npos) << run.out;

  CommandOutput kv =
      run_pgdrift({"inspect", "host=127.0.0.1 port=1 user=u password=s3cret dbname=db"});
  EXPECT_EQ(kv.exit_code, 2);
  EXPECT_FALSE(kv.err.empty());
  EXPECT_EQ(kv.err.find("s3cret"), std::string::npos) << kv.err;
}

TEST(CliInspect, BadJsonModelExitsTwoWithThePath) {
  TempDir tmp("pgdrift-cli-inspect");
  std::string path = tmp.write(
      "bad.json", R"({"format": "pgdrift-model", "version": 1, "tables": {"public.t": []}})");
  CommandOutput run = run_pgdrift({"inspect", path});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("$.tables[\"public.t\"]"), std::string::npos) << run.err;
}

// Issue 18 item 5: a type that neither PostgreSQL has built in nor the model defines is an
// error with its JSON path, exit 2, for every command that reads the model.
TEST(CliInspect, JsonModelWithUnknownTypeExitsTwo) {
  TempDir tmp("pgdrift-cli-inspect");
  const std::string path = tmp.write("model.json", R"({
    "format": "pgdrift-model", "version": 1,
    "tables": {"public.t": {"schema": "public", "name": "t", "columns": [
      {"name": "id", "type": "integer", "not_null": true},
      {"name": "created", "type": "timestamp with time zone"},
      {"name": "token", "type": "uuuid"}]}}})");
  const std::string expected =
      "invalid pgdrift model JSON at $.tables[\"public.t\"].columns[2].type: unknown type "
      "\"uuuid\"";
  CommandOutput run = run_pgdrift({"inspect", path});
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.err.find(path + ": " + expected), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");

  const FreshDatabase db = create_fresh_database("CREATE TABLE public.t (id integer);");
  CommandOutput drift = run_pgdrift({"drift", "--desired", path, "--db", db.url});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  EXPECT_NE(drift.err.find(expected), std::string::npos) << drift.err;
  CommandOutput plan = run_pgdrift({"plan", "--from", db.url, "--to", path});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.err.find(expected), std::string::npos) << plan.err;
}

// The model of a database reads back, with the types it cannot describe: an extension's
// (citext), a type of another schema of the model, and (with --schema) one of a schema left out.
TEST(CliInspect, DatabaseModelsWithOtherSchemasAndExtensionTypesReadBack) {
  TempDir tmp("pgdrift-cli-inspect");
  const FreshDatabase db = create_fresh_database(R"(
    CREATE EXTENSION citext;
    CREATE SCHEMA shared;
    CREATE TYPE shared.status AS ENUM ('new', 'done');
    CREATE SCHEMA app;
    CREATE TABLE app.tickets (id integer PRIMARY KEY, email public.citext,
                              status shared.status, tags public.citext[]);
    CREATE FUNCTION app.open(s shared.status) RETURNS SETOF app.tickets LANGUAGE sql
      AS 'SELECT * FROM app.tickets WHERE status = s';
    CREATE FUNCTION app.activity() RETURNS SETOF pg_stat_activity LANGUAGE sql
      AS 'SELECT * FROM pg_stat_activity';
  )");
  for (const std::vector<std::string>& filter :
       {std::vector<std::string>{}, {"--schema", "app"}, {"--table", "app.tickets"}}) {
    std::vector<std::string> args = {"inspect", db.url, "--format", "json"};
    args.insert(args.end(), filter.begin(), filter.end());
    CommandOutput model = run_pgdrift(args);
    ASSERT_EQ(model.exit_code, 0) << model.err;
    const std::string file = tmp.write("model.json", model.out);
    CommandOutput back = run_pgdrift({"inspect", file, "--format", "json"});
    EXPECT_EQ(back.exit_code, 0) << back.err;
    EXPECT_EQ(back.out, model.out);
  }
}

TEST(CliInspect, JsonModelIsPrintedBackIdentically) {
  schema::Model m;
  schema::EnumType e;
  e.schema = "public";
  e.name = "push_platform";
  e.values = {"ios", "android", "web"};
  m.enums[schema::qualified_key("public", "push_platform")] = e;
  std::string text = schema::dump_model_json(m);
  TempDir tmp("pgdrift-cli-inspect");
  std::string path = tmp.write("model.json", text);
  CommandOutput run = run_pgdrift({"inspect", path});
  CommandOutput sql = run_pgdrift({"inspect", "--format", "sql", path});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, text);
  EXPECT_EQ(sql.exit_code, 0) << sql.err;
  EXPECT_NE(sql.out.find("CREATE TYPE public.push_platform AS ENUM ('ios', 'android', 'web');"),
            std::string::npos)
      << sql.out;
}

TEST(CliInspect, MitaFixtureAsJsonAndSql) {
  std::string fixture = fixture_path("mita/schema");
  CommandOutput json_run = run_pgdrift({"inspect", fixture});
  ASSERT_EQ(json_run.exit_code, 0) << json_run.err;
  auto j = nlohmann::json::parse(json_run.out);
  EXPECT_TRUE(j["tables"].contains("public.transactions"));
  EXPECT_EQ(j["tables"]["public.transactions"].dump().find("\"location\""), std::string::npos);

  CommandOutput provenance = run_pgdrift({"inspect", "--with-provenance", fixture});
  ASSERT_EQ(provenance.exit_code, 0) << provenance.err;
  EXPECT_NE(provenance.out.find("20_transactions.sql:"), std::string::npos);
  // A file source has no server, so no provenance object.
  EXPECT_FALSE(nlohmann::json::parse(provenance.out).contains("provenance"));

  CommandOutput sql_run = run_pgdrift({"inspect", "--format", "sql", fixture});
  ASSERT_EQ(sql_run.exit_code, 0) << sql_run.err;
  EXPECT_NE(sql_run.out.find("CREATE TABLE public.transactions"), std::string::npos);

  CommandOutput filtered = run_pgdrift({"inspect", "--exclude-schema", "public", fixture});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  EXPECT_TRUE(nlohmann::json::parse(filtered.out)["tables"].empty());
}

// Every command that reads a schema takes pg_dump's filter options, and an include pattern that
// selects nothing is an error (exit 2), never an empty schema.
TEST(CliFilter, EveryCommandTakesTheFilterOptions) {
  TempDir tmp;
  const std::string schema =
      "CREATE EXTENSION pgcrypto; CREATE SCHEMA app; CREATE TABLE app.t (id int);"
      " CREATE TABLE app.u (id int); CREATE TABLE public.p (id int);\n";
  const std::string sql = tmp.write("schema.sql", schema);
  tmp.write("migrations/001_init.sql", schema);
  CommandOutput app = run_pgdrift({"inspect", sql, "-n", "app", "-T", "app.u"});
  ASSERT_EQ(app.exit_code, 0) << app.err;
  nlohmann::json model = nlohmann::json::parse(app.out);
  EXPECT_EQ(model["tables"].size(), 1u) << app.out;
  EXPECT_TRUE(model["tables"].contains("app.t")) << app.out;
  EXPECT_TRUE(model["extensions"].empty()) << app.out;  // pgcrypto lives in public
  CommandOutput tables = run_pgdrift({"inspect", sql, "--table", "app.*", "-t", "p"});
  ASSERT_EQ(tables.exit_code, 0) << tables.err;
  EXPECT_EQ(nlohmann::json::parse(tables.out)["tables"].size(), 3u) << tables.out;

  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"inspect", sql},
        {"lint", sql},
        {"plan", "--from", sql, "--to", sql},
        {"drift", "--desired", sql, "--history", (tmp.path / "migrations").string()}}) {
    std::vector<std::string> args = command;
    args.insert(args.end(), {"--schema", "nosuch"});
    CommandOutput run = run_pgdrift(args);
    EXPECT_EQ(run.exit_code, 2) << command[0] << "\n" << run.out << run.err;
    EXPECT_NE(run.err.find("--schema 'nosuch' matched nothing"), std::string::npos)
        << command[0] << ": " << run.err;
    args = command;
    args.insert(args.end(), {"-n", "app", "-N", "x", "-t", "app.t", "-T", "y"});
    run = run_pgdrift(args);
    EXPECT_NE(run.exit_code, 2) << command[0] << "\n" << run.out << run.err;
  }
  CommandOutput help = run_pgdrift({"apply", "--help"});
  EXPECT_NE(help.out.find("-T,--exclude-table"), std::string::npos) << help.out;
}

TEST(CliInspect, OutputFile) {
  TempDir tmp("pgdrift-cli-inspect");
  std::string path = tmp.file("out.sql");
  CommandOutput run =
      run_pgdrift({"inspect", "--format", "sql", "--output", path, fixture_path("mita/schema")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.out.empty());
  std::string written = read_text_file(path);
  EXPECT_NE(written.find("CREATE TABLE public.users"), std::string::npos);
}

void expect_database_inspects_like_file(const std::string& sql_file) {
  ASSERT_TRUE(fs::is_regular_file(sql_file)) << sql_file;
  auto db = create_fresh_database(read_text_file(sql_file));

  auto from_file = inspect_json(sql_file);
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  ASSERT_FALSE(from_file.out.empty());

  auto from_db = inspect_json(db.conninfo);
  ASSERT_EQ(from_db.exit_code, 0) << from_db.err;
  EXPECT_TRUE(from_file.out == from_db.out)
      << "inspect " << sql_file << " (-) vs inspect database (+):\n"
      << line_diff(from_file.out, from_db.out);

  auto from_url = inspect_json(db.url);
  ASSERT_EQ(from_url.exit_code, 0) << from_url.err;
  EXPECT_TRUE(from_db.out == from_url.out)
      << "the URL and key=value forms must read the same database";
}

TEST(CliInspect, MitaLiveDatabaseEqualsItsSql) {
  expect_database_inspects_like_file(fixture_path("mita/live.sql"));
}

TEST(CliInspect, MitaSchemaDatabaseEqualsItsSql) {
  // The schema directory as one file, in load order, so both sides read the same text.
  fs::path dir = fixture_path("mita/schema");
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".sql") files.push_back(entry);
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  TempDir tmp("pgdrift-mita-schema");
  fs::path out = tmp.path / "schema.sql";
  {
    std::ofstream o(out);
    for (const auto& f : files) o << read_text_file(f.string()) << "\n";
  }
  expect_database_inspects_like_file(out);
}

TEST(CliInspect, UnreachableDatabaseIsAnError) {
  auto result = inspect_json("host=/nonexistent-pgdrift-socket-dir port=1 user=nobody dbname=x");
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_TRUE(result.out.empty()) << result.out;
}

}  // namespace
}  // namespace pgdrift::testing
