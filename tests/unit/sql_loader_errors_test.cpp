// SQL loader errors: every failure names file:line:column and what went wrong.
#include <gtest/gtest.h>

#include <filesystem>

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
}

TEST(SqlLoaderErrors, UnsupportedStatementIsNamedAndLocated) {
  LoadError e =
      load_error("CREATE TABLE t (a int);\n-- a comment\n  CREATE CAST (text AS int) WITH INOUT;");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 3);
  EXPECT_NE(e.message().find("CreateCastStmt"), std::string::npos) << e.message();
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
