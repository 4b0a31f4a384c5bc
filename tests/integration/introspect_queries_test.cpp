// Introspection cost does not grow with the schema: the same number of catalog queries runs for
// a database with one table and one with fifty (set-based queries, never one per object).
#include <gtest/gtest.h>

#include <string>

#include "schema/live/introspect.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

// `tables` tables, each with a key, an index, a check, a comment and a foreign key to the
// previous one, spread over two schemas, plus one view, sequence and function per table.
std::string schema_with_tables(int tables) {
  std::string sql = "CREATE SCHEMA other;\n";
  for (int i = 0; i < tables; ++i) {
    std::string schema = i % 2 == 0 ? "public" : "other";
    std::string name = schema + ".t" + std::to_string(i);
    sql += "CREATE TABLE " + name + " (id int PRIMARY KEY, v text CHECK (v <> ''), prev int";
    if (i > 0) {
      sql += " REFERENCES " + std::string(i % 2 == 1 ? "public" : "other") + ".t" +
             std::to_string(i - 1);
    }
    sql += ");\n";
    sql += "CREATE INDEX ON " + name + " (v);\n";
    sql += "COMMENT ON TABLE " + name + " IS 'table " + std::to_string(i) + "';\n";
    sql +=
        "CREATE VIEW " + schema + ".v" + std::to_string(i) + " AS SELECT id FROM " + name + ";\n";
    sql += "CREATE SEQUENCE " + schema + ".s" + std::to_string(i) + ";\n";
    sql += "CREATE FUNCTION " + schema + ".f" + std::to_string(i) +
           "() RETURNS int LANGUAGE sql AS 'SELECT 1';\n";
  }
  return sql;
}

TEST(IntrospectionQueries, CountDoesNotDependOnSchemaSize) {
  auto small = schema::live::introspect(fresh_database(schema_with_tables(1)));
  auto large = schema::live::introspect(fresh_database(schema_with_tables(50)));
  ASSERT_EQ(small.model.tables.size(), 1u);
  ASSERT_EQ(large.model.tables.size(), 50u);
  EXPECT_GT(small.catalog_queries, 0);
  EXPECT_EQ(small.catalog_queries, large.catalog_queries);
}

TEST(IntrospectionQueries, ProvenanceNamesServerAndDatabase) {
  auto db = create_fresh_database();
  auto result = schema::live::introspect(db.conninfo);
  EXPECT_EQ(result.provenance.database, db.name);
  EXPECT_GE(result.provenance.server_version_num, 150000);
  EXPECT_FALSE(result.provenance.server_version.empty());
  // The URL form reaches the same database.
  EXPECT_EQ(schema::live::introspect(db.url).provenance.database, db.name);
}

}  // namespace
}  // namespace pgdrift::testing
