// SQL-file histories: Flyway, golang-migrate, dbmate, plain numbered files, and the output of
// `alembic upgrade --sql`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "schema/history/history.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::schema::history {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

std::vector<std::string> ids(const History& h) {
  std::vector<std::string> out;
  for (const auto& m : h.ordered) out.push_back(m.id);
  return out;
}

TEST(HistorySqlDirs, FlywayOrdersVersionsNumericallyThenRepeatables) {
  TempDir dir("flyway");
  dir.write("V10__ten.sql", "SELECT 10;");
  dir.write("V2__two.sql", "SELECT 2;");
  dir.write("V1.1__one_one.sql", "SELECT 11;");
  dir.write("V1__one.sql", "SELECT 1;");
  dir.write("V2_1__two_one.sql", "SELECT 21;");
  dir.write("R__views.sql", "SELECT 'r';");
  dir.write("U2__undo_two.sql", "SELECT 'undo';");
  History h = read_history(dir.path.string());
  EXPECT_EQ(h.kind, "flyway");
  EXPECT_EQ(ids(h), (std::vector<std::string>{"1", "1.1", "2", "2_1", "10", "R__views"}));
  EXPECT_EQ(h.ordered[1].name, "one one");
  EXPECT_EQ(h.ordered[2].parents, std::vector<std::string>{"1.1"});
  EXPECT_EQ(h.ordered[0].statements.at(0).sql, "SELECT 1;");
  EXPECT_EQ(h.ordered[0].statements.at(0).where.line, 1);
  EXPECT_EQ(h.heads, std::vector<std::string>{"R__views"});
  EXPECT_TRUE(h.problems.empty());
}

TEST(HistorySqlDirs, FlywayDuplicateVersionIsAProblem) {
  TempDir dir("flyway_dup");
  dir.write("V2__a.sql", "SELECT 1;");
  dir.write("V2.0__b.sql", "SELECT 2;");
  EXPECT_EQ(read_flyway(dir.path.string()).problems.size(), 1u);
}

TEST(HistorySqlDirs, GolangMigrateIgnoresDownFiles) {
  TempDir dir("golang");
  dir.write("0002_add.up.sql", "ALTER TABLE t ADD COLUMN b int;");
  dir.write("0002_add.down.sql", "ALTER TABLE t DROP COLUMN b;");
  dir.write("0001_init.up.sql", "CREATE TABLE t (a int);");
  dir.write("0001_init.down.sql", "DROP TABLE t;");
  dir.write("0010_more.up.sql", "SELECT 1;");
  History h = read_history(dir.path.string());
  EXPECT_EQ(h.kind, "golang-migrate");
  EXPECT_EQ(ids(h), (std::vector<std::string>{"0001", "0002", "0010"}));
  EXPECT_EQ(h.ordered[1].statements.at(0).sql, "ALTER TABLE t ADD COLUMN b int;");
}

TEST(HistorySqlDirs, DbmateKeepsOnlyTheUpSectionWithItsLine) {
  TempDir dir("dbmate");
  dir.write("20240101120000_create.sql",
            "-- migrate:up\nCREATE TABLE t (a int);\n\n-- migrate:down\nDROP TABLE t;\n");
  dir.write("20240301000000_add.sql",
            "-- a comment\n-- migrate:up transaction:false\nCREATE INDEX i ON t (a);\n"
            "-- migrate:down\nDROP INDEX i;\n");
  History h = read_history(dir.path.string());
  EXPECT_EQ(h.kind, "dbmate");
  ASSERT_EQ(ids(h), (std::vector<std::string>{"20240101120000", "20240301000000"}));
  EXPECT_EQ(h.ordered[0].statements.at(0).sql, "CREATE TABLE t (a int);\n\n");
  EXPECT_EQ(h.ordered[1].statements.at(0).where.line, 3);
  EXPECT_EQ(h.ordered[1].statements.at(0).sql.find("DROP"), std::string::npos);
}

TEST(HistorySqlDirs, PlainNumberedFiles) {
  TempDir dir("plain");
  dir.write("010_c.sql", "SELECT 3;");
  dir.write("2_b.sql", "SELECT 2;");
  dir.write("001_a.sql", "SELECT 1;");
  dir.write("README.md", "not sql");
  History h = read_history(dir.path.string());
  EXPECT_EQ(h.kind, "plain");
  EXPECT_EQ(ids(h), (std::vector<std::string>{"001", "2", "010"}));
}

TEST(HistorySqlDirs, AlembicOfflineSqlDropsBookkeeping) {
  TempDir dir("offline");
  dir.write("upgrade.sql",
            "BEGIN;\n"                                  // 1
            "\n"                                        // 2
            "CREATE TABLE alembic_version (\n"          // 3
            "    version_num VARCHAR(32) NOT NULL, \n"  // 4
            "    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"
            ");\n"                             // 6
            "\n"                               // 7
            "-- Running upgrade  -> 0001\n"    // 8
            "\n"                               // 9
            "CREATE TABLE users (id uuid);\n"  // 10
            "\n"
            "INSERT INTO alembic_version (version_num) VALUES ('0001') RETURNING "
            "alembic_version.version_num;\n"  // 12
            "\n"
            "-- Running upgrade 0001 -> 0002\n"  // 14
            "\n"
            "ALTER TABLE users ADD COLUMN email text;\n"  // 16
            "\n"
            "UPDATE alembic_version SET version_num='0002' WHERE "
            "alembic_version.version_num = '0001';\n"
            "\n"
            "COMMIT;\n");
  History h = read_history(dir.path.string() + "/upgrade.sql");
  EXPECT_EQ(h.kind, "alembic-sql");
  ASSERT_EQ(ids(h), (std::vector<std::string>{"0001", "0002"}));
  EXPECT_EQ(h.ordered[1].parents, std::vector<std::string>{"0001"});
  const auto& first = h.ordered[0].statements;
  ASSERT_EQ(first.size(), 2u);  // the alembic_version table, then the revision
  EXPECT_NE(first[0].sql.find("CREATE TABLE alembic_version"), std::string::npos);
  EXPECT_EQ(first[0].sql.find("BEGIN"), std::string::npos);
  EXPECT_EQ(first[1].where.line, 9);
  EXPECT_NE(first[1].sql.find("CREATE TABLE users"), std::string::npos);
  // Line numbers are kept: line 10 of the file is line 2 of this statement.
  EXPECT_EQ(first[1].sql.substr(0, first[1].sql.find("CREATE")), "\n");
  EXPECT_EQ(first[1].sql.find("alembic_version"), std::string::npos);
  const auto& second = h.ordered[1].statements.at(0).sql;
  EXPECT_NE(second.find("ADD COLUMN email"), std::string::npos);
  EXPECT_EQ(second.find("UPDATE"), std::string::npos);
  EXPECT_EQ(second.find("COMMIT"), std::string::npos);
  EXPECT_EQ(h.heads, std::vector<std::string>{"0002"});
}

// The `-- Running upgrade` markers in every spelling the old pattern took, and lines of any
// length: the markers and the revision assignments are read by hand (std::regex recursed per
// character and overflowed the stack on a megabyte line).
TEST(HistorySqlDirs, AlembicOfflineSqlMarkersAndLongLines) {
  TempDir dir("offline");
  const std::string long_comment = "-- Running upgrade " + std::string(1 << 20, 'x');
  dir.write("upgrade.sql",
            "-- Running upgrade  -> 0001\n"
            "CREATE TABLE a (id int);\n"
            "--Running upgrade 0001->0002\n"
            "CREATE TABLE b (id int);\n"
            "--   Running upgrade 0002 -> x -> 0003   \n"
            "CREATE TABLE c (id int);\n"
            "-- Running upgrade 0002, 0003 -> 0004\n" +
                long_comment + "\n" + long_comment + " -> \n" +
                "-- Running downgrade 0004 -> 0003\n");
  History h = read_history(dir.path.string() + "/upgrade.sql");
  ASSERT_EQ(ids(h), (std::vector<std::string>{"0001", "0002", "0003", "0004"}));
  EXPECT_EQ(h.ordered[1].parents, std::vector<std::string>{"0001"});
  EXPECT_EQ(h.ordered[2].parents, std::vector<std::string>{"0002 -> x"});
  EXPECT_EQ(h.ordered[3].parents, (std::vector<std::string>{"0002", "0003"}));
  // The long lines are comments of 0004; the downgrade is reported, not replayed.
  EXPECT_NE(h.ordered[3].statements.at(0).sql.find(long_comment), std::string::npos);
  ASSERT_EQ(h.problems.size(), 2u);  // the downgrade, and 0003's parent "0002 -> x"
  EXPECT_EQ(h.problems[0].message, "downgrade scripts are not replayed");
}

TEST(HistorySqlDirs, DetectionReadsLongLines) {
  TempDir dir("detect");
  dir.write("helper.py",
            "revision: " + std::string(1 << 20, 'x') + "\n" + std::string(1 << 20, ' ') + "\n");
  EXPECT_THROW(read_history(dir.path.string()), std::runtime_error);  // no revision: no history
  TempDir other("detect");
  other.write("0001_a.py", "\"\"\"a\"\"\"\nrevision : str = 'a'\ndown_revision = None\n");
  History h = read_history(other.path.string());
  EXPECT_EQ(h.kind, "alembic");
  EXPECT_EQ(ids(h), (std::vector<std::string>{"a"}));
}

TEST(HistorySqlDirs, UnknownDirectoryIsAnError) {
  TempDir dir("empty");
  dir.write("notes.txt", "x");
  EXPECT_THROW(read_history(dir.path.string()), std::runtime_error);
  EXPECT_THROW(read_history(dir.path.string() + "/missing"), std::runtime_error);
}

TEST(HistorySqlDirs, MitaGolangMigrateCopy) {
  History h = read_history(std::string(PGDRIFT_SOURCE_DIR) + "/fixtures/mita/migrations_sql");
  EXPECT_EQ(h.kind, "golang-migrate");
  EXPECT_EQ(h.ordered.size(), 7u);
  EXPECT_TRUE(h.problems.empty());
}

}  // namespace
}  // namespace pgdrift::schema::history
