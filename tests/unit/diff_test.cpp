// The diff: two models loaded from DDL -> typed changes.
#include <gtest/gtest.h>

#include "engine/diff.h"
#include "planner/object_sql.h"
#include "schema/filter.h"
#include "schema/sql/loader.h"

namespace pgdrift::engine {
namespace {

schema::Model load(const std::string& sql) {
  schema::Model model;
  std::vector<schema::sql::LoadWarning> warnings;
  schema::sql::apply_sql(model, sql, "test.sql", {}, warnings);
  return model;
}

Changes diff(const std::string& from, const std::string& to, DiffOptions options = {}) {
  return diff_models(load(from), load(to), options);
}

Changes diff_in_scope(const std::string& from, const std::string& to,
                      const std::vector<std::string>& include,
                      const std::vector<std::string>& exclude) {
  schema::Model a = load(from);
  schema::Model b = load(to);
  schema::SchemaFilter filter;
  filter.include_schemas = include;
  filter.exclude_schemas = exclude;
  schema::filter_schemas(a, filter);
  schema::filter_schemas(b, filter);
  return diff_models(a, b);
}

TEST(Diff, EqualModelsGiveNoChanges) {
  const std::string sql =
      "CREATE TABLE t (id int PRIMARY KEY, name text); CREATE VIEW v AS SELECT id FROM t;";
  Changes changes = diff(sql, sql);
  EXPECT_TRUE(changes.empty()) << ::testing::PrintToString(describe_changes(changes));
}

// WITH NO DATA says how a materialized view is created: a view populated since (REFRESH; every
// view pg_dump -s writes WITH NO DATA) still matches it. A view that must be populated and is
// not differs.
TEST(Diff, PopulatedIsRequiredOnlyByTheTarget) {
  const std::string table = "CREATE TABLE t (a int);";
  const std::string populated = table + "CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;";
  const std::string unpopulated = populated.substr(0, populated.size() - 1) + " WITH NO DATA;";
  EXPECT_TRUE(diff(populated, unpopulated).empty());
  Changes changes = diff(unpopulated, populated);
  ASSERT_EQ(changes.views.size(), 1u);
  EXPECT_TRUE(changes.views[0].definition_changed);
}

TEST(Diff, AddedAndDroppedTables) {
  Changes changes = diff("CREATE TABLE a (x int);", "CREATE TABLE b (x int);");
  ASSERT_EQ(changes.tables.size(), 2u);
  EXPECT_EQ(changes.tables[0].key, "public.a");
  EXPECT_EQ(changes.tables[0].kind, ChangeKind::Drop);
  EXPECT_EQ(changes.tables[1].key, "public.b");
  EXPECT_EQ(changes.tables[1].kind, ChangeKind::Add);
}

TEST(Diff, ColumnChangeSaysWhatChanged) {
  Changes changes = diff("CREATE TABLE t (c varchar(10), d int);",
                         "CREATE TABLE t (c varchar(20) NOT NULL, d int DEFAULT 1, e text);");
  ASSERT_EQ(changes.tables.size(), 1u);
  const auto& cols = changes.tables[0].columns;
  ASSERT_EQ(cols.size(), 3u);
  EXPECT_EQ(cols[0].kind, ChangeKind::Alter);
  EXPECT_EQ(cols[0].to->name, "c");
  EXPECT_EQ(cols[0].changed, unsigned(kColumnType | kColumnNullability));
  EXPECT_EQ(cols[1].to->name, "d");
  EXPECT_EQ(cols[1].changed, unsigned(kColumnDefault));
  EXPECT_EQ(cols[2].kind, ChangeKind::Add);
  EXPECT_EQ(cols[2].to->name, "e");
}

TEST(Diff, EnumValuesAddedVersusRemoved) {
  Changes added =
      diff("CREATE TYPE m AS ENUM ('a', 'c');", "CREATE TYPE m AS ENUM ('a', 'b', 'c');");
  ASSERT_EQ(added.enums.size(), 1u);
  EXPECT_EQ(added.enums[0].added_values, std::vector<std::string>{"b"});
  EXPECT_FALSE(added.enums[0].needs_recreate);
  Changes removed = diff("CREATE TYPE m AS ENUM ('a', 'b');", "CREATE TYPE m AS ENUM ('a');");
  ASSERT_EQ(removed.enums.size(), 1u);
  EXPECT_TRUE(removed.enums[0].needs_recreate);
  Changes reordered =
      diff("CREATE TYPE m AS ENUM ('a', 'b');", "CREATE TYPE m AS ENUM ('b', 'a');");
  ASSERT_EQ(reordered.enums.size(), 1u);
  EXPECT_TRUE(reordered.enums[0].needs_recreate);
}

TEST(Diff, CommentOnlyChangeIsACommentChange) {
  Changes changes =
      diff("CREATE TABLE t (c int);", "CREATE TABLE t (c int); COMMENT ON COLUMN t.c IS 'the c';");
  EXPECT_TRUE(changes.tables.empty());
  ASSERT_EQ(changes.comments.size(), 1u);
  EXPECT_EQ(planner::comment_target(changes.comments[0].object, {}), "COLUMN public.t.c");
  EXPECT_EQ(changes.comments[0].to, std::optional<std::string>("the c"));
}

TEST(Diff, ViewQueryChangeIsADefinitionChange) {
  Changes changes = diff("CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a FROM t;",
                         "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a, b FROM t;");
  ASSERT_EQ(changes.views.size(), 1u);
  EXPECT_TRUE(changes.views[0].definition_changed);
}

TEST(Diff, FunctionBodyVersusSignatureChange) {
  const std::string base = "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'select x';";
  Changes body = diff(base, "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'select x+1';");
  ASSERT_EQ(body.functions.size(), 1u);
  EXPECT_EQ(body.functions[0].kind, ChangeKind::Alter);
  EXPECT_FALSE(body.functions[0].needs_recreate);
  Changes ret = diff(base, "CREATE FUNCTION f(x int) RETURNS bigint LANGUAGE sql AS 'select x';");
  ASSERT_EQ(ret.functions.size(), 1u);
  EXPECT_TRUE(ret.functions[0].needs_recreate);
}

TEST(Diff, GrantsOnlyWhenAsked) {
  const std::string from = "CREATE TABLE t (c int);";
  const std::string to = "CREATE TABLE t (c int); GRANT SELECT ON t TO PUBLIC;";
  EXPECT_TRUE(diff(from, to).empty());
  DiffOptions options;
  options.compare_privileges = true;
  Changes changes = diff(from, to, options);
  ASSERT_EQ(changes.grants.size(), 1u);
  ASSERT_EQ(changes.grants[0].granted.size(), 1u);
  EXPECT_EQ(changes.grants[0].granted[0].privilege, "SELECT");
}

TEST(Diff, SchemaFilter) {
  const std::string from = "CREATE SCHEMA app; CREATE TABLE app.t (c int);";
  const std::string to =
      "CREATE SCHEMA app; CREATE TABLE app.t (c int, d int); CREATE TABLE u (x int);";
  // The sources filter (schema::filter_schemas); the diff compares what it is given.
  Changes changes = diff_in_scope(from, to, {"app"}, {});
  ASSERT_EQ(changes.tables.size(), 1u);
  EXPECT_EQ(changes.tables[0].key, "app.t");
  Changes rest = diff_in_scope(from, to, {}, {"app"});
  ASSERT_EQ(rest.tables.size(), 1u);
  EXPECT_EQ(rest.tables[0].key, "public.u");
}

TEST(Diff, ConstraintAndIndexChanges) {
  Changes changes = diff("CREATE TABLE t (a int, b int, CONSTRAINT ck CHECK (a > 0));",
                         "CREATE TABLE t (a int, b int, CONSTRAINT ck CHECK (a > 1));"
                         "CREATE INDEX t_b ON t (b);");
  ASSERT_EQ(changes.tables.size(), 1u);
  ASSERT_EQ(changes.tables[0].constraints.size(), 1u);
  EXPECT_EQ(changes.tables[0].constraints[0].kind, ChangeKind::Alter);
  ASSERT_EQ(changes.tables[0].indexes.size(), 1u);
  EXPECT_EQ(changes.tables[0].indexes[0].kind, ChangeKind::Add);
  EXPECT_EQ(changes.tables[0].indexes[0].to->name, "t_b");
}

}  // namespace
}  // namespace pgdrift::engine
