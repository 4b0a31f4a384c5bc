// Replaying histories through the SQL loader: the resulting model, object provenance, and
// loader errors reported at the migration's file:line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "schema/history/history.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::schema::history {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& relative) {
  return std::string(PGDRIFT_SOURCE_DIR) + "/fixtures/" + relative;
}

std::string problems_text(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& p : problems)
    out += p.where.file + ":" + std::to_string(p.where.line) + ": " + p.message + "\n";
  return out;
}

TEST(HistoryReplay, ProvenanceAndPerMigrationModels) {
  testing::TempDir tmp("pgdrift-replay");
  const fs::path dir = tmp.path;
  std::ofstream(dir / "0001_init.up.sql") << "CREATE TABLE users (id int PRIMARY KEY, name text);\n"
                                             "CREATE TABLE logs (id int);\n";
  std::ofstream(dir / "0002_email.up.sql") << "ALTER TABLE users ADD COLUMN email text;\n"
                                              "DROP TABLE logs;\n";
  std::ofstream(dir / "0003_bad.up.sql") << "\n\nALTER TABLE missing ADD COLUMN x int;\n";
  History h = read_history(dir.string());
  ReplayOptions options;
  options.keep_per_migration = true;
  ReplayResult r = replay(h, options);

  ASSERT_EQ(r.per_migration.size(), 3u);
  EXPECT_EQ(r.per_migration[0].tables.count("public.logs"), 1u);
  EXPECT_EQ(r.per_migration[1].tables.count("public.logs"), 0u);
  ASSERT_EQ(r.model.tables.count("public.users"), 1u);
  EXPECT_EQ(r.last_changed_by.at("public.users"), "0002");
  EXPECT_EQ(r.last_changed_by.at("public.users.id"), "0001");
  EXPECT_EQ(r.last_changed_by.at("public.users.email"), "0002");
  EXPECT_EQ(r.last_changed_by.at("public.users constraint users_pkey"), "0001");
  EXPECT_EQ(r.last_changed_by.count("public.logs"), 0u);  // dropped objects have no entry
  ASSERT_EQ(r.problems.size(), 1u) << problems_text(r.problems);
  EXPECT_NE(r.problems[0].where.file.find("0003_bad.up.sql"), std::string::npos);
  EXPECT_EQ(r.problems[0].where.line, 3);
}

// A migration that does not parse is broken (the CLI stops there unless --skip-unsupported);
// a statement the loader does not support, or rejects, is not.
TEST(HistoryReplay, SyntaxErrorsAreBrokenMigrations) {
  testing::TempDir tmp("pgdrift-replay");
  const fs::path dir = tmp.path;
  std::ofstream(dir / "0001_init.up.sql") << "CREATE TABLE users (id int);\n"
                                             "CREATE ROLE app;\n";
  std::ofstream(dir / "0002_bad.up.sql") << "-- typo\nCREATE TABL logs (id int);\n";
  std::ofstream(dir / "0003_missing.up.sql") << "ALTER TABLE missing ADD COLUMN x int;\n";
  ReplayResult r = replay(read_history(dir.string()));
  ASSERT_EQ(r.problems.size(), 3u) << problems_text(r.problems);
  EXPECT_FALSE(r.problems[0].broken);  // CREATE ROLE: not supported
  EXPECT_TRUE(r.problems[1].broken);
  EXPECT_EQ(problem_text(r.problems[1]),
            (dir / "0002_bad.up.sql").string() +
                ":2:8: migration 0002: syntax error at or near \"TABL\"");
  EXPECT_FALSE(r.problems[2].broken);  // a statement PostgreSQL would reject too
  EXPECT_EQ(r.model.tables.count("public.users"), 1u);
}

TEST(HistoryReplay, AlembicLoaderErrorsPointAtThePythonCall) {
  std::vector<std::string> enums;
  History h;
  h.kind = "alembic";
  h.ordered.push_back(read_alembic_text(
      "from alembic import op\nimport sqlalchemy as sa\n"
      "revision = 'a'\ndown_revision = None\n"
      "def upgrade():\n"
      "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n"
      "    op.drop_column('nope', 'x')\n",
      "a.py", enums));
  ReplayResult r = replay(h);
  ASSERT_EQ(r.problems.size(), 1u) << problems_text(r.problems);
  EXPECT_EQ(r.problems[0].where.file, "a.py");
  EXPECT_EQ(r.problems[0].where.line, 7);
  const Table& t = r.model.tables.at("public.t");
  EXPECT_EQ(t.location.line, 6);  // object locations are the Python lines too
  EXPECT_EQ(t.columns.at(0).type, "integer");
  // Integer primary key -> serial: a sequence and a nextval() default.
  EXPECT_NE(t.columns.at(0).default_expr.value_or("").find("nextval("), std::string::npos);
  EXPECT_EQ(r.model.sequences.count("public.t_id_seq"), 1u);
}

TEST(HistoryReplay, MitaAlembicChainFixesMoneyTypes) {
  ReplayResult r = replay(read_history(fixture("mita/alembic")));
  ASSERT_TRUE(r.problems.empty()) << problems_text(r.problems);
  const Table& expenses = r.model.tables.at("public.expenses");
  EXPECT_EQ(expenses.find_column("amount")->type, "numeric(12,2)");
  EXPECT_EQ(expenses.constraints.count("expenses_user_id_fkey"), 1u);
  EXPECT_EQ(r.model.tables.at("public.users").find_column("id")->type, "uuid");
  EXPECT_EQ(r.model.enums.count("public.push_platform"), 1u);
  EXPECT_EQ(r.last_changed_by.at("public.expenses.amount"), "0006_fix_financial_data_types");
  EXPECT_EQ(r.last_changed_by.at("public.expenses.category"), "0001_initial");
  EXPECT_EQ(r.last_changed_by.at("public.users.referral_code"), "a0d5ecc53667");
  EXPECT_EQ(r.last_changed_by.at("public.moods"), "0002_mood");
}

TEST(HistoryReplay, MitaSecondChainConflicts) {
  ReplayResult r = replay(read_history(fixture("mita/migrations")));
  ASSERT_TRUE(r.problems.empty()) << problems_text(r.problems);
  EXPECT_EQ(r.model.tables.at("public.users").find_column("id")->type, "character varying(36)");
  EXPECT_EQ(r.model.tables.at("public.expenses").find_column("amount")->type, "double precision");
  for (const auto& [name, c] : r.model.tables.at("public.expenses").constraints)
    EXPECT_NE(c.kind, ConstraintKind::ForeignKey) << name;  // the missing foreign key
  EXPECT_EQ(r.last_changed_by.at("public.users.timezone"), "0004_user_timezone");
  EXPECT_EQ(r.last_changed_by.at("public.ai_advice_templates"), "0007_ai_advice_templates");
}

TEST(HistoryReplay, MitaGolangMigrateCopyEqualsTheSecondAlembicChain) {
  ReplayResult sql = replay(read_history(fixture("mita/migrations_sql")));
  ReplayResult alembic = replay(read_history(fixture("mita/migrations")));
  ASSERT_TRUE(sql.problems.empty()) << problems_text(sql.problems);
  EXPECT_TRUE(sql.model == alembic.model);
  EXPECT_EQ(sql.model.tables.size(), alembic.model.tables.size());
}

// Column provenance (ReplayOptions::column_provenance, issue 18 item 12): every aspect of a
// column is attributed to the migration and line that last set it. A new column's aspects are at
// its own line (the sa.Column( of op.create_table, the column's line in CREATE TABLE); a later
// ALTER, COMMENT or SET NOT NULL moves only the aspects it changes, to its own line; renames of
// the column or its table keep them.
TEST(HistoryReplay, ColumnAspectsAreAttributedToTheLineThatSetThem) {
  testing::TempDir tmp("pgdrift-aspects");
  const fs::path alembic = tmp.path / "alembic";
  const fs::path sql = tmp.path / "sql";
  fs::create_directories(alembic);
  fs::create_directories(sql);
  std::ofstream(alembic / "0001_init.py")
      << "from alembic import op\n"
         "import sqlalchemy as sa\n"
         "revision = '0001'\n"
         "down_revision = None\n"
         "def upgrade():\n"
         "    op.create_table(\n"
         "        'accounts',\n"
         "        sa.Column('id', sa.Integer(), primary_key=True),\n"
         "        sa.Column('balance', sa.Float(), nullable=False,\n"
         "                  comment='old'),\n"
         "        sa.Column('note', sa.Text()),\n"
         "    )\n";
  std::ofstream(alembic / "0002_fix.py")
      << "from alembic import op\n"
         "import sqlalchemy as sa\n"
         "revision = '0002'\n"
         "down_revision = '0001'\n"
         "def upgrade():\n"
         "    op.alter_column('accounts', 'balance',\n"
         "                    type_=sa.Numeric(12, 2))\n"
         "    op.execute(\"COMMENT ON COLUMN accounts.balance IS 'cents'\")\n"
         "    op.alter_column('accounts', 'note', new_column_name='memo')\n"
         "    op.add_column('accounts',\n"
         "                  sa.Column('owner', sa.Text()))\n";
  std::ofstream(sql / "0001_init.up.sql") << "CREATE TABLE t (\n"
                                             "  id int PRIMARY KEY,\n"
                                             "  price float8 DEFAULT 0\n"
                                             ");\n";
  std::ofstream(sql / "0002_money.up.sql") << "-- money is exact\n"
                                              "ALTER TABLE t\n"
                                              "  ALTER COLUMN price TYPE numeric(10,2);\n"
                                              "ALTER TABLE t RENAME TO items;\n"
                                              "ALTER TABLE items ALTER COLUMN price SET NOT NULL;\n"
                                              "ALTER TABLE items RENAME COLUMN id TO item_id;\n";
  struct Case {
    std::string history, column, aspect, migration, file;
    int line;
  };
  const std::vector<Case> cases = {
      {"alembic", "public.accounts.balance", "type", "0002", "0002_fix.py", 6},
      {"alembic", "public.accounts.balance", "comment", "0002", "0002_fix.py", 8},
      {"alembic", "public.accounts.balance", "not null", "0001", "0001_init.py", 9},
      {"alembic", "public.accounts.balance", "default", "0001", "0001_init.py", 9},
      {"alembic", "public.accounts.id", "type", "0001", "0001_init.py", 8},
      {"alembic", "public.accounts.memo", "type", "0001", "0001_init.py", 11},  // renamed
      {"alembic", "public.accounts.owner", "type", "0002", "0002_fix.py", 11},
      {"sql", "public.items.price", "type", "0002", "0002_money.up.sql", 2},
      {"sql", "public.items.price", "not null", "0002", "0002_money.up.sql", 5},
      {"sql", "public.items.price", "default", "0001", "0001_init.up.sql", 3},
      {"sql", "public.items.item_id", "type", "0001", "0001_init.up.sql", 2},
  };
  ReplayOptions options;
  options.column_provenance = true;
  std::map<std::string, ReplayResult> replayed;
  replayed["alembic"] = replay(read_history(alembic.string()), options);
  replayed["sql"] = replay(read_history(sql.string()), options);
  for (const auto& [name, r] : replayed) {
    ASSERT_TRUE(r.problems.empty()) << name << "\n" << problems_text(r.problems);
    EXPECT_EQ(r.column_aspects.count("public.accounts.note") +
                  r.column_aspects.count("public.t.price") +
                  r.column_aspects.count("public.items.id"),
              0u)
        << "columns that no longer exist keep no provenance";
  }
  for (const auto& c : cases) {
    SCOPED_TRACE(c.history + " " + c.column + " " + c.aspect);
    const auto& aspects = replayed[c.history].column_aspects;
    ASSERT_EQ(aspects.count(c.column), 1u);
    ASSERT_EQ(aspects.at(c.column).count(c.aspect), 1u);
    const AspectChange& change = aspects.at(c.column).at(c.aspect);
    EXPECT_EQ(change.migration, c.migration);
    EXPECT_EQ(fs::path(change.where.file).filename().string(), c.file);
    EXPECT_EQ(change.where.line, c.line);
  }
  // Off by default: the replay of every other command pays nothing for it.
  EXPECT_TRUE(replay(read_history(sql.string())).column_aspects.empty());
}

// The MITA Alembic chain: the comment on transactions.amount is a0d5ecc53667's op.execute at
// line 31, the money type 0006's alter_column, each at its own line.
TEST(HistoryReplay, MitaColumnAspectsPointAtTheirOwnLines) {
  ReplayOptions options;
  options.column_provenance = true;
  ReplayResult r = replay(read_history(fixture("mita/alembic")), options);
  ASSERT_TRUE(r.problems.empty()) << problems_text(r.problems);
  const auto& amount = r.column_aspects.at("public.transactions.amount");
  EXPECT_EQ(amount.at("comment").migration, "a0d5ecc53667");
  EXPECT_EQ(fs::path(amount.at("comment").where.file).filename(), "a0d5ecc53667_sync_models.py");
  EXPECT_EQ(amount.at("comment").where.line, 31);
  EXPECT_EQ(amount.at("type").migration, "0006_fix_financial_data_types");
  EXPECT_EQ(amount.at("type").where.line, 25);
}

}  // namespace
}  // namespace pgdrift::schema::history
