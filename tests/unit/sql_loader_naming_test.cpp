// SQL loader: implicit index / constraint names stay exact when earlier names are dropped,
// renamed or moved away (the loader's name registry must forget them). Expected names are the
// ones PostgreSQL 15 chose for the same scripts.
#include <gtest/gtest.h>

#include <set>

#include "schema/sql/loader.h"

namespace pgdrift::schema::sql {
namespace {

Model load(const std::string& sql) {
  Model model;
  std::vector<LoadWarning> warnings;
  apply_sql(model, sql, "test.sql", LoadOptions{}, warnings);
  return model;
}

// Index names plus PK / UNIQUE constraint names of a table (each owns an index).
std::set<std::string> index_names(const Model& m, const std::string& key) {
  auto it = m.tables.find(key);
  if (it == m.tables.end()) throw std::runtime_error("no table " + key);
  std::set<std::string> names;
  for (const auto& [name, index] : it->second.indexes) names.insert(name);
  for (const auto& [name, c] : it->second.constraints)
    if (c.kind == ConstraintKind::PrimaryKey || c.kind == ConstraintKind::Unique)
      names.insert(name);
  return names;
}

std::set<std::string> constraint_names(const Model& m, const std::string& key) {
  std::set<std::string> names;
  for (const auto& [name, c] : m.tables.at(key).constraints) names.insert(name);
  return names;
}

using Names = std::set<std::string>;

TEST(SqlLoaderNaming, DroppedConstraintFreesItsName) {
  Model m = load(
      "CREATE TABLE t (a int UNIQUE);"
      "ALTER TABLE t DROP CONSTRAINT t_a_key;"
      "ALTER TABLE t ADD UNIQUE (a);");
  EXPECT_EQ(index_names(m, "public.t"), (Names{"t_a_key"}));
}

TEST(SqlLoaderNaming, RenamedIndexFreesItsName) {
  Model m = load(
      "CREATE TABLE t (a int UNIQUE);"
      "ALTER INDEX t_a_key RENAME TO other;"
      "ALTER TABLE t ADD UNIQUE (a);");
  EXPECT_EQ(index_names(m, "public.t"), (Names{"other", "t_a_key"}));
}

TEST(SqlLoaderNaming, RenamedTableKeepsItsIndexNames) {
  Model m = load(
      "CREATE TABLE t (a int); CREATE INDEX ON t (a);"
      "ALTER TABLE t RENAME TO u;"
      "CREATE TABLE t (a int); CREATE INDEX ON t (a);");
  EXPECT_EQ(index_names(m, "public.u"), (Names{"t_a_idx"}));
  EXPECT_EQ(index_names(m, "public.t"), (Names{"t_a_idx1"}));
}

TEST(SqlLoaderNaming, DroppedTableFreesItsNames) {
  Model m = load(
      "CREATE TABLE t (a int UNIQUE); DROP TABLE t;"
      "CREATE TABLE t (a int UNIQUE);");
  EXPECT_EQ(index_names(m, "public.t"), (Names{"t_a_key"}));
}

TEST(SqlLoaderNaming, DroppedIndexFreesItsName) {
  Model m = load(
      "CREATE TABLE t (a int); CREATE INDEX ON t (a); CREATE INDEX ON t (a);"
      "DROP INDEX t_a_idx; CREATE INDEX ON t (a);");
  EXPECT_EQ(index_names(m, "public.t"), (Names{"t_a_idx", "t_a_idx1"}));
}

TEST(SqlLoaderNaming, NamesChosenEarlierInTheSameStatementCollide) {
  Model m = load("CREATE TABLE t (a int UNIQUE, b int, UNIQUE (a));");
  EXPECT_EQ(index_names(m, "public.t"), (Names{"t_a_key", "t_a_key1"}));
}

TEST(SqlLoaderNaming, AlterTableAddedNamesCollide) {
  Model m = load(
      "CREATE TABLE t (a int);"
      "ALTER TABLE t ADD UNIQUE (a); ALTER TABLE t ADD UNIQUE (a);");
  EXPECT_EQ(index_names(m, "public.t"), (Names{"t_a_key", "t_a_key1"}));
}

TEST(SqlLoaderNaming, DroppedCheckFreesItsName) {
  Model m = load(
      "CREATE TABLE t (a int CHECK (a > 0));"
      "ALTER TABLE t DROP CONSTRAINT t_a_check;"
      "ALTER TABLE t ADD CHECK (a > 1);");
  EXPECT_EQ(constraint_names(m, "public.t"), (Names{"t_a_check"}));
}

TEST(SqlLoaderNaming, NamesInOtherSchemasDoNotCollide) {
  Model m = load(
      "CREATE SCHEMA s; CREATE TABLE s.t (a int); CREATE INDEX ON s.t (a);"
      "CREATE TABLE t (a int); CREATE INDEX ON t (a); CREATE INDEX ON s.t (a);");
  EXPECT_EQ(index_names(m, "public.t"), (Names{"t_a_idx"}));
  EXPECT_EQ(index_names(m, "s.t"), (Names{"t_a_idx", "t_a_idx1"}));
}

TEST(SqlLoaderNaming, IndexOfAnotherTableCollides) {
  // Index names share the schema's relation namespace, whatever table they belong to.
  Model m = load(
      "CREATE TABLE t (a int); CREATE INDEX x_a_idx ON t (a);"
      "CREATE TABLE x (a int); CREATE INDEX ON x (a);");
  EXPECT_EQ(index_names(m, "public.x"), (Names{"x_a_idx1"}));
}

}  // namespace
}  // namespace pgdrift::schema::sql
