// SQL loader errors: every failure names file:line:column and what went wrong.
#include <gtest/gtest.h>

#include <filesystem>

#include "schema/parse_tree.h"
#include "schema/sql/loader.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::schema::sql {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

LoadError load_error(const std::string& sql, LoadOptions options = {}) {
  Model model;
  std::vector<LoadWarning> warnings;
  try {
    apply_sql(model, sql, "schema.sql", options, warnings);
  } catch (const LoadError& e) {
    return e;
  }
  throw std::runtime_error("expected a LoadError for: " + sql);
}

TEST(SqlLoaderErrors, SyntaxErrorHasLineAndColumn) {
  LoadError e = load_error("CREATE TABLE t (a int);\n\nCREATE TABLE u (a int,, b int);");
  EXPECT_EQ(e.file(), "schema.sql");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 23);
  EXPECT_NE(e.message().find("syntax error"), std::string::npos);
  EXPECT_EQ(std::string(e.what()).rfind("schema.sql:3:23: ", 0), 0u) << e.what();
  EXPECT_TRUE(e.syntax_error());
}

// `SELECT 1+1+...+1` with `terms` terms.
std::string chain(int terms, const std::string& first = "1") {
  std::string sql = first;
  for (int i = 1; i < terms; ++i) sql += "+1";
  return sql;
}

// PostgreSQL (default max_stack_depth) takes a view of 5,000 nested operators, and so does the
// loader: apply_sql runs on a large stack of its own (schema/large_stack.h), called here from
// the test's default one, and the canonical form's types are computed once per level.
TEST(SqlLoaderErrors, DeepExpressionsLoad) {
  Model model;
  std::vector<LoadWarning> warnings;
  apply_sql(model,
            "CREATE TABLE t (x numeric);\n"
            "CREATE VIEW v AS SELECT " +
                chain(5000) + " AS a;\nCREATE VIEW w AS SELECT " + chain(5000, "x") +
                " AS b FROM t;\n",
            "schema.sql", {}, warnings);
  ASSERT_EQ(model.views.count("public.v"), 1u);
  const std::string& v = model.views.at("public.v").query;
  EXPECT_EQ(v.rfind("SELECT " + std::string(4998, '(') + "1 + 1) + 1) + 1)", 0), 0u)
      << v.substr(0, 5100);
  const std::string& w = model.views.at("public.w").query;
  EXPECT_EQ(w.rfind("SELECT " + std::string(4998, '(') + "x + 1) + 1) + 1)", 0), 0u)
      << w.substr(0, 5100);
}

// Beyond kMaxTreeDepth (10,000 levels, where PostgreSQL's default max_stack_depth stops too),
// the statement is refused with its place, before anything recursive walks the tree.
TEST(SqlLoaderErrors, TooDeepStatementIsLocated) {
  LoadError e = load_error("CREATE TABLE t (a int);\n\n  /* deep */ CREATE VIEW v AS SELECT " +
                           chain(20000) + ";\nCREATE TABLE u (a int);\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 14);
  EXPECT_TRUE(e.syntax_error());
  EXPECT_EQ(e.message(), "statement nested too deeply: more than 10000 levels of parse-tree nodes");
}

// A long text is scanned first: an expression with more operators and keywords between two
// commas than parse_tree::kMaxScannedNesting is refused without parsing (libpg_query's output is
// quadratic in the depth), at the token that went beyond; long flat texts pass.
TEST(SqlLoaderErrors, LongDeepTextIsRefusedBeforeParsing) {
  LoadError e = load_error("CREATE VIEW v AS SELECT " + chain(1000000) + ";\n");
  EXPECT_EQ(e.line(), 1);
  // The 40,001st operator or keyword: CREATE, VIEW, AS, SELECT and 39,997 `+`.
  EXPECT_EQ(e.column(), 24 + 2 * 39997);
  EXPECT_TRUE(e.syntax_error());
  EXPECT_NE(e.message().find("nested too deeply to parse"), std::string::npos) << e.message();

  // Long flat texts pass: 50,000 operators in one statement, a few per list element; a
  // 16,000-operator AND chain, which PostgreSQL keeps flat.
  std::string flat = "CREATE TABLE t (a int, b int);\nINSERT INTO t VALUES (1 + 2, 3 * 4)";
  for (int i = 0; i < 10000; ++i) flat += ", (1 + 2, 3 * 4)";
  flat += ";\nCREATE VIEW v AS SELECT a FROM t WHERE b = 1";
  for (int i = 0; i < 8000; ++i) flat += " AND a = " + std::to_string(i);
  Model model;
  std::vector<LoadWarning> warnings;
  apply_sql(model, flat + ";\n", "schema.sql", {}, warnings);
  ASSERT_GT(flat.size(), parse_tree::kUnscannedTextBytes);
  EXPECT_EQ(warnings.size(), 1u);  // the INSERT: data, not schema
  EXPECT_EQ(model.views.count("public.v"), 1u);
}

// Unterminated strings, quoted names, comments and dollar quotes end the text: the parser says
// where they start.
TEST(SqlLoaderErrors, UnterminatedConstructsAreLocated) {
  struct Case {
    std::string sql;
    int line, column;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"CREATE TABLE t (a int);\nCOMMENT ON TABLE t IS 'abc;\n", 2, 23,
       "unterminated quoted string"},
      {"CREATE TABLE \"t (a int);\n", 1, 14, "unterminated quoted identifier"},
      {"CREATE TABLE t (a int);\n/* a comment /* nested */\nCREATE TABLE u (a int);\n", 2, 1,
       "unterminated /* comment"},
      {"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1 $$;\n", 1, 49,
       "unterminated dollar-quoted string"},
      {"CREATE TABLE t (a int DEFAULT E'\\');\n", 1, 31, "unterminated quoted string"},
  };
  for (const auto& c : cases) {
    LoadError e = load_error(c.sql);
    EXPECT_EQ(e.line(), c.line) << c.sql << e.what();
    EXPECT_EQ(e.column(), c.column) << c.sql << e.what();
    EXPECT_TRUE(e.syntax_error());
    EXPECT_NE(e.message().find(c.message), std::string::npos) << e.message();
  }
}

TEST(SqlLoaderErrors, UnsupportedStatementIsNamedAndLocated) {
  LoadError e =
      load_error("CREATE TABLE t (a int);\n-- a comment\n  CREATE CAST (text AS int) WITH INOUT;");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 3);
  EXPECT_NE(e.message().find("CreateCastStmt"), std::string::npos) << e.message();
  EXPECT_FALSE(e.syntax_error());
}

TEST(SqlLoaderErrors, RolesAreOutsideTheModel) {
  LoadError e = load_error("CREATE ROLE app;");
  EXPECT_NE(e.message().find("CreateRoleStmt"), std::string::npos);
  EXPECT_NE(e.message().find("roles"), std::string::npos);
}

TEST(SqlLoaderErrors, SkipUnsupportedTurnsErrorsIntoWarnings) {
  Model model;
  std::vector<LoadWarning> warnings;
  LoadOptions options;
  options.skip_unsupported = true;
  apply_sql(model, "CREATE ROLE app;\nCREATE TABLE t (a int);", "schema.sql", options, warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].where.line, 1);
  EXPECT_EQ(model.tables.count("public.t"), 1u);
}

TEST(SqlLoaderErrors, AlterOfMissingTable) {
  LoadError e = load_error("CREATE TABLE t (a int);\nALTER TABLE x ADD COLUMN b int;");
  EXPECT_EQ(e.line(), 2);
  EXPECT_NE(e.message().find("table public.x does not exist"), std::string::npos) << e.message();
}

TEST(SqlLoaderErrors, DumpStatementsAreSkipped) {
  Model model;
  std::vector<LoadWarning> warnings;
  apply_sql(model,
            "SET statement_timeout = 0; BEGIN; SELECT pg_catalog.set_config('search_path', '', "
            "false); CREATE TABLE public.t (a int); ALTER TABLE public.t OWNER TO app; "
            "ALTER TABLE ONLY public.t ALTER COLUMN a SET STATISTICS 100; ANALYZE; COMMIT;",
            "dump.sql", LoadOptions{}, warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(model.tables.count("public.t"), 1u);
}

TEST(SqlLoaderErrors, EmptyDirectory) {
  TempDir dir;
  try {
    load_path(dir.path.string());
    FAIL() << "expected LoadError";
  } catch (const LoadError& e) {
    EXPECT_NE(e.message().find("no .sql files in"), std::string::npos) << e.what();
  }
}

TEST(SqlLoaderErrors, MissingPath) {
  TempDir dir;
  EXPECT_THROW(load_path((dir.path / "nope.sql").string()), LoadError);
}

TEST(SqlLoaderErrors, NonUtf8FileNamesTheByte) {
  TempDir dir;
  fs::path file = dir.write("bad.sql", "CREATE TABLE t (a int);\n-- caf\xe9\n");
  try {
    load_path(file.string());
    FAIL() << "expected LoadError";
  } catch (const LoadError& e) {
    EXPECT_EQ(e.file(), file.string());
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 7);
  }
}

TEST(SqlLoaderErrors, DirectoryLoadsSortedRecursively) {
  TempDir dir;
  dir.write("b/002_alter.sql", "ALTER TABLE t ADD COLUMN b int;");
  dir.write("a/001_create.sql", "CREATE TABLE t (a int);");
  dir.write("notes.txt", "not sql");
  LoadResult result = load_path(dir.path.string());
  ASSERT_EQ(result.model.tables.count("public.t"), 1u);
  EXPECT_EQ(result.model.tables.at("public.t").columns.size(), 2u);
}

TEST(SqlLoaderErrors, LocationsPointAtTheStatement) {
  Model model;
  std::vector<LoadWarning> warnings;
  apply_sql(model, "/* header */\n\n-- t\nCREATE TABLE t (\n  a int\n);", "s.sql", LoadOptions{},
            warnings);
  const Table& t = model.tables.at("public.t");
  EXPECT_EQ(t.location.file, "s.sql");
  EXPECT_EQ(t.location.line, 4);
  EXPECT_EQ(t.columns[0].location.line, 5);
}

}  // namespace
}  // namespace pgdrift::schema::sql
