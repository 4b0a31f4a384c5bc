// Bad input through the built binary (issue 18 items 1 and 3): every reader ends with exit 2
// and a "file:line:column: cause" message, quickly and in bounded memory, never with a crash, a
// hang or a report of drift that the broken input made up. Each run has an address-space limit
// and a CPU and wall-clock limit (prlimit, timeout), so that a reader that eats memory or loops
// fails the test instead of taking the machine down; the inputs are small and take well under a
// second when all is well.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/fixtures.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;

// pgdrift with 1 GiB of address space (its large stack reserves 256 MB of it; a normal run needs
// less than 512 MB) and 60 s.
CommandOutput run_bounded(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {
      "prlimit", "--as=1073741824", "--cpu=60", "--", "timeout", "-s", "KILL",
      "60",      PGDRIFT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv);
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const char* kRevisionHeader =
    "from alembic import op\n"
    "revision = \"0001_init\"\n"
    "down_revision = None\n"
    "def upgrade():\n";  // the body starts at line 5

// A history directory holding one revision whose upgrade() body is `body`.
std::string one_revision_history(const TempDir& tmp, const std::string& body) {
  tmp.write("h/0001_init.py", std::string(kRevisionHeader) + body);
  return tmp.file("h");
}

CommandOutput drift_history(const std::string& history) {
  return run_bounded({"drift", "--desired", fixture_path("mita/schema"), "--history", history});
}

// ---- item 1: the Alembic reader -------------------------------------------------------------

TEST(BadInputCli, AlembicListNeverClosed) {
  TempDir tmp;
  std::string dir = one_revision_history(tmp, "    x = [1, 2\n");
  CommandOutput r = drift_history(dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(has(r.err, dir + "/0001_init.py:5:9: Python syntax error: '[' was never closed"))
      << r.err;
}

TEST(BadInputCli, AlembicCallNeverClosed) {
  TempDir tmp;
  std::string dir = one_revision_history(tmp, "    op.create_table((\n");
  CommandOutput r = drift_history(dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(has(r.err, "/0001_init.py:5:21: Python syntax error: '(' was never closed")) << r.err;
}

TEST(BadInputCli, AlembicBracketClosedByTheWrongKind) {
  TempDir tmp;
  std::string dir = one_revision_history(tmp, "    b = [)\n");
  CommandOutput r = drift_history(dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(has(r.err,
                  "/0001_init.py:5:10: Python syntax error: closing parenthesis ')' does not "
                  "match opening parenthesis '['"))
      << r.err;
}

TEST(BadInputCli, AlembicTenThousandOpenBrackets) {
  TempDir tmp;
  std::string dir = one_revision_history(tmp, "    x = " + std::string(10000, '[') + "\n");
  CommandOutput r = drift_history(dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // CPython's limit: the 201st bracket, at column 9 + 200.
  EXPECT_TRUE(has(r.err, "/0001_init.py:5:209: Python syntax error: too many nested parentheses"))
      << r.err;
}

TEST(BadInputCli, AlembicUnterminatedTripleQuotedString) {
  TempDir tmp;
  std::string dir = one_revision_history(tmp, "    op.execute(\"\"\"CREATE TABLE t (a int)\n\n");
  CommandOutput r = drift_history(dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(has(r.err,
                  "/0001_init.py:5:16: Python syntax error: unterminated triple-quoted "
                  "string literal (detected at line 6)"))
      << r.err;
}

TEST(BadInputCli, ReconcileStopsAtABrokenHistory) {
  TempDir tmp;
  std::string dir = one_revision_history(tmp, "    x = [1, 2\n");
  CommandOutput r = run_bounded({"reconcile", "--history", "broken=" + dir, "--history",
                                 "mita=" + fixture_path("mita/migrations")});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(has(r.err, dir + "/0001_init.py:5:9: Python syntax error: '[' was never closed"))
      << r.err;
}

// ---- item 1: SQL nested deeper than a default stack holds ------------------------------------

// `CREATE VIEW v AS SELECT 1+1+...+1` with `terms` terms.
std::string deep_view(int terms) {
  std::string sql = "CREATE VIEW v AS SELECT 1";
  for (int i = 1; i < terms; ++i) sql += "+1";
  return sql + ";\n";
}

TEST(BadInputCli, ViewOfFiveThousandTermsIsRead) {
  TempDir tmp;
  std::string file = tmp.write("deep.sql", deep_view(5000));
  CommandOutput r = run_bounded({"inspect", file, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "\"public.v\"")) << r.out.substr(0, 500);
  EXPECT_TRUE(has(r.out, "+ 1) + 1")) << r.out.substr(0, 500);
}

TEST(BadInputCli, ViewNestedTooDeeplyIsLocated) {
  TempDir tmp;
  std::string file = tmp.write("deep.sql", "CREATE TABLE t (a int);\n  " + deep_view(20000));
  CommandOutput r = run_bounded({"inspect", file});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(has(r.err, file + ":2:3: statement nested too deeply: more than 10000 levels"))
      << r.err;
}

TEST(BadInputCli, VeryLongDeepExpressionIsRefusedBeforeParsing) {
  TempDir tmp;
  std::string file = tmp.write("deep.sql", deep_view(500000));  // 1 MB
  CommandOutput r = run_bounded({"inspect", file});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(has(r.err, file + ":1:")) << r.err;
  EXPECT_TRUE(has(r.err, "nested too deeply to parse")) << r.err;
}

TEST(BadInputCli, ViewOfFiveThousandTermsIsReadFromADatabase) {
  FreshDatabase db = create_fresh_database(deep_view(5000));
  CommandOutput r = run_bounded({"inspect", db.url, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "\"public.v\"")) << r.out.substr(0, 500);
}

// ---- item 1: JSON ------------------------------------------------------------------------------

// nlohmann parses any depth, but the reader printed the value it rejected, recursively.
TEST(BadInputCli, DeeplyNestedJsonModelIsLocated) {
  TempDir tmp;
  std::string file = tmp.write(
      "deep.json", "{\"format\": \"pgdrift-model\", \"version\": " + std::string(100000, '[') +
                       std::string(100000, ']') + "}");
  CommandOutput r = run_bounded({"inspect", file});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(has(r.err, file + ":1:551: JSON nested too deeply")) << r.err;
}

// A megabyte table name, which the -t filter's std::regex recursed through once per byte.
TEST(BadInputCli, JsonModelNameLongerThanPostgresAllowsIsRefused) {
  TempDir tmp;
  const std::string name(1 << 20, 'a');
  std::string file =
      tmp.write("long.json",
                "{\"format\": \"pgdrift-model\", \"version\": 1, \"tables\": {\"public." + name +
                    "\": {\"schema\": \"public\", \"name\": \"" + name + "\", \"columns\": []}}}");
  CommandOutput r = run_bounded({"inspect", file, "-t", "a*"});
  EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 500);
  EXPECT_TRUE(has(r.err, "].name: longer than 63 bytes, PostgreSQL's limit for names"))
      << r.err.substr(0, 500);
  EXPECT_LT(r.err.size(), 500u);
}

TEST(BadInputCli, BrokenJsonModelIsLocated) {
  TempDir tmp;
  std::string file =
      tmp.write("bad.json", "{\n  \"format\": \"pgdrift-model\",\n  \"tables\": ,\n}\n");
  CommandOutput r = run_bounded({"inspect", file});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(has(r.err, file + ":3:13: not valid JSON: ")) << r.err;
}

// ---- item 3: a broken migration file is an error, not drift -----------------------------------

// A copy of a MITA fixture directory in `tmp`, to break.
std::string copy_fixture(const TempDir& tmp, const std::string& fixture, const std::string& name) {
  fs::path to = tmp.path / name;
  fs::copy(fixture_path(fixture), to, fs::copy_options::recursive);
  return to.string();
}

// Replaces the first `from` in `file` by `to`.
void edit(const std::string& file, const std::string& from, const std::string& to) {
  std::string text = read_text_file(file);
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << file << " has no " << from;
  text.replace(at, from.size(), to);
  std::ofstream(file, std::ios::binary) << text;
}

TEST(BadInputCli, SqlMigrationWithASyntaxErrorIsAnError) {
  TempDir tmp;
  std::string dir = copy_fixture(tmp, "mita/migrations_sql", "migrations_sql");
  std::string file = dir + "/0003_budget_advice_table.up.sql";
  edit(file, "CREATE TABLE", "CREATE TABL");
  CommandOutput r = drift_history(dir);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  const std::string cause = file + ":3:8: migration 0003: syntax error at or near \"TABL\"";
  EXPECT_TRUE(has(r.err, cause)) << r.err;
  EXPECT_TRUE(has(r.out, "1 database could not be read; 0 differences")) << r.out;

  // Asked for, the replay goes on without the file: a warning, and the drift it causes.
  CommandOutput lenient = run_bounded(
      {"drift", "--desired", fixture_path("mita/schema"), "--history", dir, "--skip-unsupported"});
  EXPECT_EQ(lenient.exit_code, 1) << lenient.err;
  EXPECT_TRUE(has(lenient.err, "warning: " + cause)) << lenient.err;
}

TEST(BadInputCli, AlembicMigrationWithASyntaxErrorIsAnError) {
  TempDir tmp;
  std::string dir = copy_fixture(tmp, "mita/alembic", "alembic");
  std::string file = dir + "/versions/0003_goals.py";
  edit(file, "def upgrade():\n", "def upgrade():\n    goals = {'name': 'x'\n");
  CommandOutput r = drift_history(dir);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(has(r.err, file + ":17:13: Python syntax error: '{' was never closed")) << r.err;
  // The cause, not its consequence (0004's parent missing from the history).
  EXPECT_FALSE(has(r.err, "is not in the history")) << r.err;

  CommandOutput lenient = run_bounded(
      {"drift", "--desired", fixture_path("mita/schema"), "--history", dir, "--skip-unsupported"});
  EXPECT_EQ(lenient.exit_code, 1) << lenient.err;
  EXPECT_TRUE(has(lenient.err, "warning: " + file + ":17:13: Python syntax error")) << lenient.err;

  CommandOutput reconcile = run_bounded({"reconcile", "--history", "one=" + dir, "--history",
                                         "two=" + fixture_path("mita/migrations")});
  EXPECT_EQ(reconcile.exit_code, 2) << reconcile.out << reconcile.err;
  EXPECT_TRUE(has(reconcile.err, file + ":17:13: Python syntax error")) << reconcile.err;
  CommandOutput reconcile_lenient =
      run_bounded({"reconcile", "--history", "one=" + dir, "--history",
                   "two=" + fixture_path("mita/migrations"), "--skip-unsupported"});
  EXPECT_NE(reconcile_lenient.exit_code, 2) << reconcile_lenient.err;
  EXPECT_TRUE(has(reconcile_lenient.out, file + ":17:13: Python syntax error"))
      << reconcile_lenient.out;
}

}  // namespace
}  // namespace pgdrift::testing
