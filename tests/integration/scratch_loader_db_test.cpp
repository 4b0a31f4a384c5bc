// schema::scratch::ScratchLoader in-process: the static loader and PostgreSQL must agree on
// SQL both can read (the MITA fixtures: a schema directory, an Alembic history and a SQL
// history), which checks the static loader against PostgreSQL; and one loader's loads do not
// see each other (each in its own database, the roles made for it removed again).
#include <gtest/gtest.h>

#include "engine/diff.h"
#include "schema/history/history.h"
#include "schema/scratch/scratch_loader.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

std::vector<std::string> differences(const schema::Model& from, const schema::Model& to) {
  engine::DiffOptions options;
  options.compare_privileges = true;
  return engine::describe_changes(engine::diff_models(from, to, options));
}

TEST(ScratchLoaderDb, StaticLoaderAndPostgresqlAgreeOnTheMitaFixtures) {
  schema::scratch::ScratchLoader loader;

  const std::string schema_dir = fixture_path("mita/schema");
  schema::Model statically = schema::sql::load_path(schema_dir).model;
  schema::Model in_postgresql = loader.load_path(schema_dir);
  EXPECT_EQ(differences(statically, in_postgresql), std::vector<std::string>{});
  EXPECT_FALSE(in_postgresql.tables.empty());

  for (const char* chain : {"mita/alembic", "mita/migrations_sql"}) {
    SCOPED_TRACE(chain);
    auto history = schema::history::read_history(fixture_path(chain));
    schema::history::ReplayOptions options;
    options.keep_per_migration = true;
    auto replayed = schema::history::replay(history, options);
    ASSERT_TRUE(replayed.problems.empty());
    auto run = loader.replay(history, options);
    EXPECT_TRUE(run.problems.empty());
    EXPECT_EQ(differences(replayed.model, run.model), std::vector<std::string>{});
    // Model by model after each migration, and who changed what last.
    ASSERT_EQ(run.per_migration.size(), history.ordered.size());
    for (size_t i = 0; i < history.ordered.size(); ++i)
      EXPECT_EQ(differences(replayed.per_migration[i], run.per_migration[i]),
                std::vector<std::string>{})
          << "after migration " << history.ordered[i].id;
    EXPECT_EQ(run.last_changed_by, replayed.last_changed_by);
  }
}

TEST(ScratchLoaderDb, LoadsDoNotSeeEachOther) {
  TempDir tmp("pgdrift-scratch-loader");
  // Creates a role and grants to one it does not create: the loader makes "auditor" first.
  const std::string file = tmp.write("roles.sql",
                                     "CREATE ROLE app_owner_x NOLOGIN;\n"
                                     "CREATE TABLE t (id int);\n"
                                     "ALTER TABLE t OWNER TO app_owner_x;\n"
                                     "GRANT SELECT ON t TO auditor;\n");
  schema::scratch::ScratchLoader loader;
  schema::Model first = loader.load_path(file);
  // The same file again in the same cluster: its CREATE ROLE would fail if the first load's
  // role were still there, and its table would clash if it ran in the same database.
  schema::Model second = loader.load_path(file);
  EXPECT_EQ(differences(first, second), std::vector<std::string>{});
  ASSERT_EQ(first.tables.count("public.t"), 1u);
  ASSERT_EQ(first.tables.at("public.t").grants.size(), 1u);
  EXPECT_EQ(first.tables.at("public.t").grants[0].grantee, "auditor");

  // A load that fails leaves nothing behind for the next one either.
  const std::string bad = tmp.write("bad.sql", "CREATE ROLE app_owner_x;\nSELECT 1/0;\n");
  EXPECT_THROW(loader.load_path(bad), schema::scratch::ScratchLoadError);
  EXPECT_EQ(differences(first, loader.load_path(file)), std::vector<std::string>{});
}

TEST(ScratchLoaderDb, MigrationWithoutCompleteSqlIsRefusedClearly) {
  TempDir tmp("pgdrift-scratch-alembic");
  tmp.write("versions/0001_init.py",
            "revision = '0001'\n"
            "down_revision = None\n"
            "from alembic import op\n"
            "import sqlalchemy as sa\n"
            "def upgrade():\n"
            "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n"
            "    conn = op.get_bind()\n");
  auto history = schema::history::read_history(tmp.file("versions"));
  schema::scratch::ScratchLoader loader;
  try {
    loader.replay(history);
    FAIL() << "replayed a migration that has no complete SQL";
  } catch (const schema::scratch::ScratchLoadError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("migration 0001"), std::string::npos) << message;
    EXPECT_NE(message.find("could not turn all of it into SQL"), std::string::npos) << message;
    EXPECT_NE(message.find("0001_init.py:7: "), std::string::npos) << message;
    EXPECT_NE(message.find("get_bind"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace pgdrift::testing
