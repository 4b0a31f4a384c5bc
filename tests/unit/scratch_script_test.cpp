// schema/scratch/script.h without a database: how SQL text is split into the statements the
// scratch loader sends, which file line PostgreSQL's errors point at, and what a script needs
// from the server (roles, extensions) before it runs.
#include <gtest/gtest.h>

#include "schema/scratch/script.h"

namespace pgdrift::schema::scratch {
namespace {

TEST(ScratchScript, SplitKeepsDoBlocksAndAtomicBodiesWhole) {
  const std::string text =
      "-- leading comment\n"
      "CREATE TABLE a (id int);\n"
      "DO $$\n"
      "BEGIN\n"
      "  PERFORM 1; PERFORM 2;\n"
      "END $$;\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
      "BEGIN ATOMIC\n"
      "  SELECT 1; SELECT 2;\n"
      "END;\n"
      "/* trailing */\n";
  auto statements = split_statements(text);
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0].sql, "CREATE TABLE a (id int)");
  EXPECT_EQ(line_of(text, statements[0].offset), 2);
  EXPECT_EQ(statements[1].sql.rfind("DO $$", 0), 0u) << statements[1].sql;
  EXPECT_NE(statements[1].sql.find("PERFORM 2;"), std::string::npos) << statements[1].sql;
  EXPECT_EQ(line_of(text, statements[1].offset), 3);
  EXPECT_NE(statements[2].sql.find("SELECT 2;"), std::string::npos) << statements[2].sql;
  EXPECT_EQ(line_of(text, statements[2].offset), 7);
}

TEST(ScratchScript, TextThatDoesNotParseIsOneStatement) {
  const std::string text = "\n\nCREATE TABLE a (id int);\nCREATE TABLE b (id int;\n";
  auto statements = split_statements(text);
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0].offset, 2);
  EXPECT_EQ(statements[0].sql, text.substr(2));
}

TEST(ScratchScript, EmptyAndCommentOnlyTextHasNoStatements) {
  EXPECT_TRUE(split_statements("").empty());
  EXPECT_TRUE(split_statements("-- nothing\n/* at all */\n").empty());
}

TEST(ScratchScript, ErrorLineFollowsThePosition) {
  const std::string text = "SELECT 1;\nCREATE TABLE t (\n  a nosuchtype\n);\n";
  auto statements = split_statements(text);
  ASSERT_EQ(statements.size(), 2u);
  pg::StatementError error;
  error.sqlstate = "42704";
  error.position = static_cast<int>(statements[1].sql.find("nosuchtype")) + 1;  // 1-based
  EXPECT_EQ(error_line(text, statements[1], error), 3);
  // Without a position: the statement's first line.
  EXPECT_EQ(error_line(text, statements[1], pg::StatementError{}), 2);
}

TEST(ScratchScript, ErrorPositionCountsCharactersNotBytes) {
  // "SELECT 'ääää'," is 14 characters but 18 bytes; "nosuch" starts at character 18.
  const std::string text = "SELECT 'ääää',\n  nosuch;\n";
  auto statements = split_statements(text);
  ASSERT_EQ(statements.size(), 1u);
  pg::StatementError error;
  error.position = 18;
  EXPECT_EQ(error_line(text, statements[0], error), 2);
}

TEST(ScratchScript, ErrorInsideADoBlockPointsAtItsBodyLine) {
  const std::string text =
      "CREATE TABLE a (id int);\n"                    // 1
      "DO LANGUAGE plpgsql\n"                         // 2
      "$body$\n"                                      // 3: PL/pgSQL line 1
      "BEGIN\n"                                       // 4: line 2
      "  PERFORM 1;\n"                                // 5: line 3
      "  EXECUTE 'CREATE TABLE nosuch.t (a int)';\n"  // 6: line 4
      "END $body$;\n";
  auto statements = split_statements(text);
  ASSERT_EQ(statements.size(), 2u);
  pg::StatementError error;
  error.sqlstate = "3F000";
  error.context = "PL/pgSQL function inline_code_block line 4 at EXECUTE";
  EXPECT_EQ(error_line(text, statements[1], error), 6);

  // A body that does not compile names the line the same way.
  error.context = "compilation of PL/pgSQL function \"inline_code_block\" near line 2";
  EXPECT_EQ(error_line(text, statements[1], error), 4);

  // The context of a function the block calls does not count: only the block's own line.
  error.context =
      "PL/pgSQL function f() line 12 at RAISE\n"
      "SQL statement \"SELECT f()\"\n"
      "PL/pgSQL function inline_code_block line 3 at PERFORM";
  EXPECT_EQ(error_line(text, statements[1], error), 5);
}

TEST(ScratchScript, NeedsRolesNamedButNotCreated) {
  ScriptNeeds needs;
  needs.add(
      "CREATE ROLE app;\n"
      "GRANT SELECT ON t TO reader, PUBLIC;\n"
      "ALTER TABLE t OWNER TO app;\n"
      "CREATE POLICY p ON t TO auditor, CURRENT_USER USING (true);\n"
      "GRANT admin TO app;\n"
      "ALTER DEFAULT PRIVILEGES FOR ROLE owner_role GRANT SELECT ON TABLES TO reader;\n",
      "roles.sql");
  std::set<std::string> expected = {"admin", "auditor", "owner_role", "reader"};
  EXPECT_EQ(needs.roles_named_not_created(), expected);
}

TEST(ScratchScript, NeedsExtensionsWithTheirFileLine) {
  ScriptNeeds needs;
  needs.add("CREATE TABLE a (id int);\n\n  CREATE EXTENSION IF NOT EXISTS citext;\n", "a.sql");
  // A migration's SQL starting at line 10 of its file.
  needs.add("CREATE EXTENSION pg_trgm;", "versions/0002.py", 10);
  // Text that does not parse adds nothing: PostgreSQL reports it.
  needs.add("CREATE EXTENSION hstore; CREATE TABLE (", "b.sql");
  ASSERT_EQ(needs.extensions().size(), 2u);
  EXPECT_EQ(needs.extensions()[0].name, "citext");
  EXPECT_EQ(needs.extensions()[0].file, "a.sql");
  EXPECT_EQ(needs.extensions()[0].line, 3);
  EXPECT_EQ(needs.extensions()[1].name, "pg_trgm");
  EXPECT_EQ(needs.extensions()[1].line, 10);
}

}  // namespace
}  // namespace pgdrift::schema::scratch
