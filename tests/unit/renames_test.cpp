// Explicit renames: the `-- pgdrift:renamed-from` annotation read by the SQL loader and carried
// by the JSON model, paired by the diff, planned as ALTER ... RENAME and reported by drift.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "engine/diff.h"
#include "engine/drift.h"
#include "planner/plan.h"
#include "schema/json.h"
#include "schema/sql/loader.h"

namespace pgdrift {
namespace {

schema::Model load(const std::string& sql) {
  schema::Model model;
  std::vector<schema::sql::LoadWarning> warnings;
  schema::sql::apply_sql(model, sql, "test.sql", {}, warnings);
  return model;
}

const schema::Table& table(const schema::Model& m, const std::string& key) {
  auto it = m.tables.find(key);
  if (it == m.tables.end()) throw std::runtime_error("no table " + key);
  return it->second;
}

TEST(RenameAnnotation, LoaderReadsItAboveOrOnTheLine) {
  schema::Model m = load(
      "CREATE TABLE keep (id int);\n"
      "-- pgdrift:renamed-from Old_T\n"
      "CREATE TABLE t (\n"
      "  -- pgdrift:renamed-from \"Full Name\"\n"
      "  name text,\n"
      "  qty int, -- pgdrift:renamed-from amount\n"
      "  plain int,\n"
      "  CONSTRAINT qty_positive CHECK (qty > 0)  -- pgdrift:renamed-from t_qty_check\n"
      ");\n"
      "CREATE INDEX t_by_name ON t (name); -- pgdrift:renamed-from t_name_idx\n"
      "CREATE INDEX t_by_qty ON t (qty);\n");
  const schema::Table& t = table(m, "public.t");
  EXPECT_EQ(t.renamed_from.name, "old_t");  // an unquoted name is folded, as SQL reads it
  EXPECT_EQ(t.find_column("name")->renamed_from.name, "Full Name");
  EXPECT_EQ(t.find_column("qty")->renamed_from.name, "amount");
  EXPECT_TRUE(t.find_column("plain")->renamed_from.empty());
  EXPECT_EQ(t.constraints.at("qty_positive").renamed_from.name, "t_qty_check");
  EXPECT_EQ(t.indexes.at("t_by_name").renamed_from.name, "t_name_idx");
  EXPECT_TRUE(t.indexes.at("t_by_qty").renamed_from.empty());
  EXPECT_TRUE(table(m, "public.keep").renamed_from.empty());
}

TEST(RenameAnnotation, IsNotPartOfSchemaEquality) {
  EXPECT_EQ(load("-- pgdrift:renamed-from u\nCREATE TABLE t (a int);"),
            load("CREATE TABLE t (a int);"));
}

TEST(RenameAnnotation, LineAboveBelongsToTheObjectBeginningTheNextLine) {
  schema::Model m = load("-- pgdrift:renamed-from u\nCREATE TABLE t (a int, b int);");
  EXPECT_EQ(table(m, "public.t").renamed_from.name, "u");
  EXPECT_TRUE(table(m, "public.t").find_column("a")->renamed_from.empty());
}

TEST(RenameAnnotation, OneAnnotationForTwoObjectsIsAnError) {
  // The table and its first column start on the annotated line: which is renamed is unclear.
  try {
    load("CREATE TABLE t (a int, -- pgdrift:renamed-from u\n b int);");
    FAIL() << "expected a LoadError";
  } catch (const schema::sql::LoadError& e) {
    EXPECT_NE(e.message().find("applies to both"), std::string::npos) << e.what();
    EXPECT_EQ(e.line(), 1);
  }
}

TEST(RenameAnnotation, JsonModelCarriesIt) {
  schema::Model m = load(
      "-- pgdrift:renamed-from old\n"
      "CREATE TABLE t (\n  a int -- pgdrift:renamed-from b\n);\n"
      "CREATE INDEX t_a ON t (a); -- pgdrift:renamed-from t_a_idx\n");
  nlohmann::json j = schema::model_to_json(m);
  EXPECT_EQ(j["tables"]["public.t"]["renamed_from"], "old");
  EXPECT_EQ(j["tables"]["public.t"]["columns"][0]["renamed_from"], "b");
  EXPECT_EQ(j["tables"]["public.t"]["indexes"]["t_a"]["renamed_from"], "t_a_idx");
  schema::Model back = schema::model_from_json(j);
  EXPECT_EQ(table(back, "public.t").renamed_from.name, "old");
  EXPECT_EQ(table(back, "public.t").find_column("a")->renamed_from.name, "b");
  EXPECT_EQ(table(back, "public.t").indexes.at("t_a").renamed_from.name, "t_a_idx");
  // Drift compares objects by their own JSON: the annotation is not an attribute there.
  EXPECT_FALSE(schema::object_to_json(table(m, "public.t")).contains("renamed_from"));
}

TEST(RenameDiff, PairsTableAndColumnAndComparesTheRest) {
  engine::Changes c =
      engine::diff_models(load("CREATE TABLE a (id int, n int);"),
                          load("-- pgdrift:renamed-from a\nCREATE TABLE b (id int,\n"
                               "  -- pgdrift:renamed-from n\n  m bigint);"));
  ASSERT_EQ(c.renames.size(), 2u);
  EXPECT_EQ(c.renames[0].kind, engine::RenameChange::Kind::Table);
  EXPECT_EQ(c.renames[0].table, "public.b");
  EXPECT_EQ(c.renames[0].from_name, "a");
  EXPECT_EQ(c.renames[1].kind, engine::RenameChange::Kind::Column);
  EXPECT_EQ(c.renames[1].table, "public.b");
  EXPECT_EQ(c.renames[1].from_name, "n");
  EXPECT_EQ(c.renames[1].to_name, "m");
  // No drop or add of the table or column: only the type of the renamed column differs.
  EXPECT_EQ(engine::describe_changes(c),
            (std::vector<std::string>{"rename table public.a to b", "rename column public.b.n to m",
                                      "alter column public.b.m: type"}));
}

TEST(RenameDiff, AnnotationWithoutTheOldNameIsIgnored) {
  engine::Changes c =
      engine::diff_models(load("CREATE TABLE t (id int);"),
                          load("CREATE TABLE t (id int,\n  x int -- pgdrift:renamed-from zzz\n);\n"
                               "-- pgdrift:renamed-from gone\nCREATE TABLE fresh (id int);"));
  EXPECT_TRUE(c.renames.empty());
  EXPECT_EQ(engine::describe_changes(c),
            (std::vector<std::string>{"add column public.t.x", "add table public.fresh"}));
}

TEST(RenameDiff, AlreadyRenamedSourceHasNoChanges) {
  const std::string to = "CREATE TABLE t (id int,\n  m int -- pgdrift:renamed-from n\n);";
  EXPECT_TRUE(engine::diff_models(load("CREATE TABLE t (id int, m int);"), load(to)).empty());
  // ... and drift (live -> desired) has nothing to report either.
  EXPECT_EQ(engine::compute_drift(load(to), load("CREATE TABLE t (id int, m int);")).entries.size(),
            0u);
}

TEST(RenameDiff, BothNamesInTheSourceIsAnError) {
  EXPECT_THROW(engine::diff_models(load("CREATE TABLE t (n int, m int);"),
                                   load("CREATE TABLE t (\n  m int -- pgdrift:renamed-from n\n);")),
               std::runtime_error);
  EXPECT_THROW(engine::diff_models(load("CREATE TABLE a (id int); CREATE TABLE b (id int);"),
                                   load("-- pgdrift:renamed-from a\nCREATE TABLE b (id int);")),
               std::runtime_error);
}

TEST(RenameDiff, RenamedTableKeepsForeignKeysThatReferenceIt) {
  engine::Changes c = engine::diff_models(
      load("CREATE TABLE a (id int PRIMARY KEY); "
           "CREATE TABLE r (a_id int, CONSTRAINT r_fk FOREIGN KEY (a_id) REFERENCES a (id));"),
      load("-- pgdrift:renamed-from a\n"
           "CREATE TABLE b (id int, CONSTRAINT a_pkey PRIMARY KEY (id));\n"
           "CREATE TABLE r (a_id int, CONSTRAINT r_fk FOREIGN KEY (a_id) REFERENCES b (id));"));
  EXPECT_EQ(engine::describe_changes(c), (std::vector<std::string>{"rename table public.a to b"}));
}

TEST(RenameDrift, LiveWithTheOldNameDriftsByName) {
  schema::Model desired = load("CREATE TABLE t (id int,\n  m int -- pgdrift:renamed-from n\n);");
  engine::DatabaseDrift d = engine::compute_drift(desired, load("CREATE TABLE t (id int, n int);"));
  ASSERT_EQ(d.entries.size(), 1u);
  EXPECT_EQ(d.entries[0].object_kind, "column");
  EXPECT_EQ(d.entries[0].name, "public.t.m");
  ASSERT_EQ(d.entries[0].differences.size(), 1u);
  EXPECT_EQ(d.entries[0].differences[0].path, "columns.m.name");
  EXPECT_EQ(d.entries[0].differences[0].desired, "m");
  EXPECT_EQ(d.entries[0].differences[0].live, "n");
}

TEST(RenamePlan, RenameStepsComeFirstAndUseNoDrop) {
  planner::Plan plan =
      planner::make_plan(load("CREATE TABLE a (id int, n int); CREATE INDEX a_n ON a (n);"),
                         load("-- pgdrift:renamed-from a\nCREATE TABLE b (id int,\n"
                              "  -- pgdrift:renamed-from n\n  m bigint NOT NULL);\n"
                              "CREATE INDEX b_m ON b (m); -- pgdrift:renamed-from a_n\n"));
  std::vector<std::string> statements;
  for (const auto& s : plan.steps) statements.push_back(s.statement);
  ASSERT_GE(statements.size(), 4u) << ::testing::PrintToString(statements);
  EXPECT_EQ(statements[0], "ALTER TABLE public.a RENAME TO b;");
  EXPECT_EQ(statements[1], "ALTER TABLE public.b RENAME COLUMN n TO m;");
  EXPECT_EQ(statements[2], "ALTER INDEX public.a_n RENAME TO b_m;");
  for (const auto& s : plan.steps) {
    EXPECT_EQ(s.statement.find("DROP TABLE"), std::string::npos) << s.statement;
    EXPECT_EQ(s.statement.find("DROP COLUMN"), std::string::npos) << s.statement;
    EXPECT_EQ(s.statement.find("DROP INDEX"), std::string::npos) << s.statement;
    EXPECT_EQ(std::count(s.hazards.begin(), s.hazards.end(), planner::Hazard::DataLoss), 0)
        << s.statement;
  }
  bool retyped = false;
  for (const auto& s : statements)
    if (s.find("ALTER TABLE public.b ALTER COLUMN m TYPE bigint") != std::string::npos)
      retyped = true;
  EXPECT_TRUE(retyped) << ::testing::PrintToString(statements);
}

}  // namespace
}  // namespace pgdrift
