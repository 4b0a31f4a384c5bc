// Alembic revisions read statically: op.* calls and SQLAlchemy types -> PostgreSQL DDL.
#include <gtest/gtest.h>

#include <filesystem>

#include <fstream>

#include "schema/history/history.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::schema::history {
namespace {

const char* kHeader =
    "from alembic import op\n"
    "import sqlalchemy as sa\n"
    "from sqlalchemy.dialects import postgresql\n"
    "revision = 'r2'\n"
    "down_revision = 'r1'\n"
    "def upgrade():\n";  // body starts at line 7

Migration read_body(const std::string& body, std::vector<std::string>* enums = nullptr) {
  std::vector<std::string> local;
  return read_alembic_text(std::string(kHeader) + body, "rev.py", enums ? *enums : local);
}

std::vector<std::string> sqls(const Migration& m) {
  std::vector<std::string> out;
  for (const auto& s : m.statements) out.push_back(s.sql);
  return out;
}

std::string problems(const Migration& m) {
  std::string out;
  for (const auto& p : m.problems)
    out += p.where.file + ":" + std::to_string(p.where.line) + ": " + p.message + "\n";
  return out;
}

TEST(HistoryAlembic, RevisionAndParents) {
  std::vector<std::string> enums;
  auto m = read_alembic_text(
      "revision: str = 'abc'\ndown_revision: Union[str, None] = ('x', 'y')\n"
      "def upgrade() -> None:\n    pass\n",
      "abc_merge.py", enums);
  EXPECT_EQ(m.id, "abc");
  EXPECT_EQ(m.parents, (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(m.problems.empty()) << problems(m);
  auto root = read_alembic_text("revision = 'a'\ndown_revision = None\ndef upgrade(): pass\n",
                                "a.py", enums);
  EXPECT_TRUE(root.parents.empty());
}

TEST(HistoryAlembic, CreateTableWithColumnsAndConstraints) {
  auto m = read_body(
      "    op.create_table('items',\n"
      "        sa.Column('id', sa.Integer(), primary_key=True),\n"
      "        sa.Column('user_id', postgresql.UUID(as_uuid=True),\n"
      "                  sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),\n"
      "        sa.Column('code', sa.String(20), unique=True),\n"
      "        sa.Column('slug', sa.String(), index=True),\n"
      "        sa.Column('price', sa.Numeric(12, 2), server_default='0'),\n"
      "        sa.Column('created', sa.DateTime(timezone=True), server_default=sa.func.now()),\n"
      "        sa.CheckConstraint('price >= 0', name='items_price_check'),\n"
      "        sa.UniqueConstraint('user_id', 'code'),\n"
      "        sa.Index('items_lower_code', sa.text('lower(code)'), unique=True),\n"
      "        schema='app', comment='Things')\n");
  ASSERT_TRUE(m.problems.empty()) << problems(m);
  EXPECT_EQ(
      sqls(m),
      (std::vector<std::string>{
          // Each column and constraint on its line of the file (one sa.Column( per line):
          // the loader then locates every column at its own line.
          // A column's own constraints and a primary_key=True key follow it, on its line.
          "CREATE TABLE app.items (\nid serial NOT NULL, PRIMARY KEY (id),\n"
          "user_id uuid NOT NULL, FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE "
          "CASCADE,\n\ncode varchar(20), UNIQUE (code),\nslug varchar,\n"
          "price numeric(12,2) DEFAULT '0',\ncreated timestamp with time zone DEFAULT now(),\n"
          "CONSTRAINT items_price_check CHECK (price >= 0),\n"
          "UNIQUE (user_id, code))",
          "CREATE INDEX ix_items_slug ON app.items (slug)",
          "CREATE UNIQUE INDEX items_lower_code ON app.items ((lower(code)))",
          "COMMENT ON TABLE app.items IS 'Things'"}));
  EXPECT_EQ(m.statements[0].where.line, 7);
  EXPECT_FALSE(m.partial);
}

TEST(HistoryAlembic, EverySqlAlchemyType) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"sa.Integer", "integer"},
      {"sa.BigInteger()", "bigint"},
      {"sa.SmallInteger()", "smallint"},
      {"sa.String(50)", "varchar(50)"},
      {"sa.String(length=7)", "varchar(7)"},
      {"sa.String()", "varchar"},
      {"sa.Text()", "text"},
      {"sa.Boolean()", "boolean"},
      {"sa.DateTime()", "timestamp without time zone"},
      {"sa.DateTime(timezone=True)", "timestamp with time zone"},
      {"sa.Date()", "date"},
      {"sa.Time()", "time without time zone"},
      {"sa.Numeric(10, 3)", "numeric(10,3)"},
      {"sa.Numeric(precision=12, scale=2)", "numeric(12,2)"},
      {"sa.Numeric()", "numeric"},
      {"sa.Float()", "double precision"},
      {"sa.LargeBinary()", "bytea"},
      {"sa.JSON()", "json"},
      {"postgresql.JSONB()", "jsonb"},
      {"postgresql.UUID(as_uuid=True)", "uuid"},
      {"sa.Uuid()", "uuid"},
      {"postgresql.ARRAY(sa.Text())", "text[]"},
      {"sa.Interval()", "interval"},
      {"sqlalchemy.CHAR(2)", "char(2)"},
  };
  for (const auto& [python, sql] : cases) {
    auto m = read_body("    op.add_column('t', sa.Column('c', " + python + "))\n");
    ASSERT_TRUE(m.problems.empty()) << python << ": " << problems(m);
    ASSERT_EQ(m.statements.size(), 1u) << python;
    EXPECT_EQ(m.statements[0].sql, "ALTER TABLE t ADD COLUMN c " + sql) << python;
  }
}

TEST(HistoryAlembic, EnumTypesAreCreatedOnceBeforeFirstUse) {
  std::vector<std::string> enums;
  auto m = read_body(
      "    op.add_column('t', sa.Column('s', sa.Enum('a', 'b', name='state'), nullable=False))\n"
      "    op.add_column('u', sa.Column('s', sa.Enum('a', 'b', name='state')))\n"
      "    op.add_column('u', sa.Column('k', postgresql.ENUM('x', name='kind', "
      "create_type=False)))\n",
      &enums);
  ASSERT_TRUE(m.problems.empty()) << problems(m);
  EXPECT_EQ(sqls(m),
            (std::vector<std::string>{
                "CREATE TYPE state AS ENUM ('a', 'b')", "ALTER TABLE t ADD COLUMN s state NOT NULL",
                "ALTER TABLE u ADD COLUMN s state", "ALTER TABLE u ADD COLUMN k kind"}));
  EXPECT_EQ(enums, std::vector<std::string>{"state"});
  auto later = read_body(
      "    op.add_column('v', sa.Column('s', sa.Enum('a', 'b', name='state')))\n", &enums);
  EXPECT_EQ(sqls(later), std::vector<std::string>{"ALTER TABLE v ADD COLUMN s state"});
}

TEST(HistoryAlembic, AlterColumnForms) {
  auto m = read_body(
      "    op.alter_column('expenses', 'amount', existing_type=sa.Float(),\n"
      "                    type_=sa.Numeric(12, 2), postgresql_using='amount::numeric(12,2)',\n"
      "                    nullable=False, server_default=sa.text('0'), existing_nullable=True)\n"
      "    op.alter_column('t', 'old', new_column_name='new', server_default=None)\n"
      "    op.alter_column('t', 'c', nullable=True, server_default=False)\n");
  ASSERT_TRUE(m.problems.empty()) << problems(m);
  EXPECT_EQ(sqls(m), (std::vector<std::string>{
                         "ALTER TABLE expenses ALTER COLUMN amount TYPE numeric(12,2) USING "
                         "amount::numeric(12,2)",
                         "ALTER TABLE expenses ALTER COLUMN amount SET NOT NULL",
                         "ALTER TABLE expenses ALTER COLUMN amount SET DEFAULT 0",
                         "ALTER TABLE t ALTER COLUMN old DROP DEFAULT",
                         "ALTER TABLE t RENAME COLUMN old TO new",
                         "ALTER TABLE t ALTER COLUMN c DROP NOT NULL"}));
}

TEST(HistoryAlembic, IndexesConstraintsAndTables) {
  auto m = read_body(
      "    op.create_index(op.f('ix_t_a'), 't', ['a', sa.text('created_at DESC')], unique=True,\n"
      "                    postgresql_where=sa.text('a IS NOT NULL'), "
      "postgresql_concurrently=True)\n"
      "    op.create_index('t_b_gin', 't', ['b'], postgresql_using='gin',\n"
      "                    postgresql_ops={'b': 'jsonb_path_ops'})\n"
      "    op.drop_index('ix_old', table_name='t', schema='app')\n"
      "    op.create_foreign_key('t_u_fkey', 't', 'users', ['user_id'], ['id'],\n"
      "                          ondelete='SET NULL', onupdate='cascade')\n"
      "    op.create_foreign_key(None, 't', 'users', ['owner_id'], ['id'])\n"
      "    op.create_unique_constraint('t_code_key', 't', ['code'])\n"
      "    op.create_check_constraint('t_pos', 't', 'a > 0')\n"
      "    op.create_primary_key('t_pkey', 't', ['id'])\n"
      "    op.drop_constraint('t_old', 't', type_='foreignkey')\n"
      "    op.rename_table('t', 't2')\n"
      "    op.drop_column('t2', 'x')\n"
      "    op.drop_table('gone')\n");
  ASSERT_TRUE(m.problems.empty()) << problems(m);
  EXPECT_EQ(sqls(m),
            (std::vector<std::string>{
                "CREATE UNIQUE INDEX CONCURRENTLY ix_t_a ON t (a, created_at DESC) WHERE a IS "
                "NOT NULL",
                "CREATE INDEX t_b_gin ON t USING gin (b jsonb_path_ops)", "DROP INDEX app.ix_old",
                "ALTER TABLE t ADD CONSTRAINT t_u_fkey FOREIGN KEY (user_id) REFERENCES users "
                "(id) ON DELETE SET NULL ON UPDATE CASCADE",
                "ALTER TABLE t ADD FOREIGN KEY (owner_id) REFERENCES users (id)",
                "ALTER TABLE t ADD CONSTRAINT t_code_key UNIQUE (code)",
                "ALTER TABLE t ADD CONSTRAINT t_pos CHECK (a > 0)",
                "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id)",
                "ALTER TABLE t DROP CONSTRAINT t_old", "ALTER TABLE t RENAME TO t2",
                "ALTER TABLE t2 DROP COLUMN x", "DROP TABLE gone"}));
}

TEST(HistoryAlembic, IndexOrderingsInAnySpellingAndLength) {
  // The key's ordering, split off by hand: a regex recursed per character and overflowed the
  // stack on a long text.
  const std::string long_key = "coalesce(a, '" + std::string(1 << 20, 'x') + "')";
  auto m = read_body(
      "    op.create_index('i1', 't', [sa.text('lower(name)  asc   NULLS last ')])\n"
      "    op.create_index('i2', 't', [sa.text('b desc')])\n"
      "    op.create_index('i3', 't', [sa.text('desc')])\n"
      "    op.create_index('i4', 't', [sa.text(\"" +
      long_key + " DESC\")])\n");
  ASSERT_TRUE(m.problems.empty()) << problems(m);
  auto sql = sqls(m);
  ASSERT_EQ(sql.size(), 4u);
  EXPECT_EQ(sql[0], "CREATE INDEX i1 ON t ((lower(name)) asc   NULLS last)");
  EXPECT_EQ(sql[1], "CREATE INDEX i2 ON t (b desc)");
  EXPECT_EQ(sql[2], "CREATE INDEX i3 ON t (\"desc\")");
  EXPECT_EQ(sql[3], "CREATE INDEX i4 ON t ((" + long_key + ") DESC)");
}

// A file that is not Python is a broken migration (Problem::broken), with the cause's line and
// column, and nothing of it is read; code the reader does not follow is not.
TEST(HistoryAlembic, SyntaxErrorIsABrokenProblem) {
  auto m = read_body("    op.drop_table('a')\n    x = [1, 2\n");
  EXPECT_TRUE(m.partial);
  ASSERT_EQ(m.problems.size(), 1u) << problems(m);
  EXPECT_TRUE(m.problems[0].broken);
  EXPECT_EQ(m.problems[0].where.line, 8);
  EXPECT_EQ(m.problems[0].column, 9);
  EXPECT_EQ(m.problems[0].message, "Python syntax error: '[' was never closed");
  EXPECT_EQ(problem_text(m.problems[0]), "rev.py:8:9: Python syntax error: '[' was never closed");
  EXPECT_TRUE(m.statements.empty());
  EXPECT_TRUE(m.id.empty());

  auto unreadable = read_body("    if x:\n        op.drop_table('a')\n");
  ASSERT_EQ(unreadable.problems.size(), 1u) << problems(unreadable);
  EXPECT_FALSE(unreadable.problems[0].broken);
}

TEST(HistoryAlembic, ExecuteKeepsTheLineOfTheSqlText) {
  auto m = read_body(
      "    op.execute(\n"
      "        \"\"\"\n"
      "        CREATE VIEW v AS SELECT 1;\n"
      "        \"\"\")\n"
      "    op.execute(sa.text('SELECT 1'))\n");
  ASSERT_TRUE(m.problems.empty()) << problems(m);
  ASSERT_EQ(m.statements.size(), 2u);
  EXPECT_EQ(m.statements[0].where.line, 8);  // the line of the opening quotes
  EXPECT_NE(m.statements[0].sql.find("CREATE VIEW v"), std::string::npos);
  EXPECT_EQ(m.statements[1].sql, "SELECT 1");
}

TEST(HistoryAlembic, BatchAlterTable) {
  auto m = read_body(
      "    with op.batch_alter_table('users', schema='app') as batch_op:\n"
      "        batch_op.add_column(sa.Column('tz', sa.Text(), server_default='UTC'))\n"
      "        batch_op.alter_column('email', type_=sa.Text())\n"
      "        batch_op.create_index('users_tz', ['tz'])\n"
      "        batch_op.create_foreign_key('users_org_fkey', 'orgs', ['org_id'], ['id'])\n"
      "        batch_op.drop_constraint('users_old')\n");
  ASSERT_TRUE(m.problems.empty()) << problems(m);
  EXPECT_EQ(sqls(m), (std::vector<std::string>{
                         "ALTER TABLE app.users ADD COLUMN tz text DEFAULT 'UTC'",
                         "ALTER TABLE app.users ALTER COLUMN email TYPE text",
                         "CREATE INDEX users_tz ON app.users (tz)",
                         "ALTER TABLE app.users ADD CONSTRAINT users_org_fkey FOREIGN KEY (org_id) "
                         "REFERENCES orgs (id)",
                         "ALTER TABLE app.users DROP CONSTRAINT users_old"}));
}

TEST(HistoryAlembic, ImportedNamesAndVariables) {
  std::vector<std::string> enums;
  auto m = read_alembic_text(
      "from alembic import op\n"
      "from sqlalchemy import Column, Numeric\n"
      "from sqlalchemy.dialects.postgresql import UUID as PgUUID\n"
      "revision = 'x'\ndown_revision = None\n"
      "MONEY = Numeric(12, 2)\n"
      "def upgrade():\n"
      "    table = 'accounts'\n"
      "    op.add_column(table, Column('balance', MONEY))\n"
      "    op.add_column(table, Column('owner', PgUUID()))\n",
      "x.py", enums);
  ASSERT_TRUE(m.problems.empty()) << problems(m);
  EXPECT_EQ(sqls(m),
            (std::vector<std::string>{"ALTER TABLE accounts ADD COLUMN balance numeric(12,2)",
                                      "ALTER TABLE accounts ADD COLUMN owner uuid"}));
}

TEST(HistoryAlembic, UnreadableCodeIsReportedWithFileAndLine) {
  auto m = read_body(
      "    conn = op.get_bind()\n"
      "    if conn.dialect.name == 'postgresql':\n"
      "        op.drop_table('x')\n"
      "    for t in ['a', 'b']:\n"
      "        op.drop_table(t)\n"
      "    op.add_column('t', sa.Column('c', MyCustomType()))\n"
      "    op.execute(f'DROP TABLE {name}')\n"
      "    op.create_exclude_constraint('ex', 't', ('period', '&&'))\n"
      "    helper()\n"
      "    op.create_table('ok', sa.Column('id', sa.Integer(), primary_key=True))\n");
  EXPECT_TRUE(m.partial);
  std::vector<int> lines;
  for (const auto& p : m.problems) {
    EXPECT_EQ(p.where.file, "rev.py");
    lines.push_back(p.where.line);
  }
  EXPECT_EQ(lines, (std::vector<int>{7, 8, 10, 12, 13, 14, 15})) << problems(m);
  // What could be read is still there.
  EXPECT_EQ(sqls(m),
            std::vector<std::string>{"CREATE TABLE ok (id serial NOT NULL, PRIMARY KEY (id))"});
}

TEST(HistoryAlembic, DirectoryOrderMergeAndHeads) {
  namespace fs = std::filesystem;
  testing::TempDir tmp("pgdrift-history-alembic");
  const fs::path dir = tmp.path;
  fs::create_directories(dir / "versions");
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / "versions" / name) << text;
  };
  const std::string body = "def upgrade():\n    pass\n";
  // File names deliberately out of chain order.
  write("zz_base.py", "revision = 'base'\ndown_revision = None\n" + body);
  write("aa_left.py", "revision = 'left'\ndown_revision = 'base'\n" + body);
  write("bb_right.py", "revision = 'right'\ndown_revision = 'base'\n" + body);
  write("cc_merge.py", "revision = 'merge'\ndown_revision = ('left', 'right')\n" + body);
  write("dd_other.py", "revision = 'other'\ndown_revision = 'base'\n" + body);
  History h = read_history(dir.string());
  EXPECT_EQ(h.kind, "alembic");
  std::vector<std::string> ids;
  for (const auto& m : h.ordered) ids.push_back(m.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"base", "left", "right", "merge", "other"}));
  EXPECT_EQ(h.heads, (std::vector<std::string>{"merge", "other"}));
  EXPECT_TRUE(h.problems.empty());
  write("ee_orphan.py", "revision = 'orphan'\ndown_revision = 'missing'\n" + body);
  EXPECT_EQ(read_history(dir.string()).problems.size(), 1u);
}

TEST(HistoryAlembic, MitaChainsReadWithoutProblems) {
  for (const char* dir : {"/fixtures/mita/alembic", "/fixtures/mita/migrations"}) {
    History h = read_history(std::string(PGDRIFT_SOURCE_DIR) + dir);
    EXPECT_EQ(h.kind, "alembic");
    EXPECT_TRUE(h.problems.empty()) << dir;
    EXPECT_EQ(h.heads.size(), 1u) << dir;
    for (const auto& m : h.ordered) EXPECT_TRUE(m.problems.empty()) << problems(m);
  }
  History first = read_history(std::string(PGDRIFT_SOURCE_DIR) + "/fixtures/mita/alembic");
  ASSERT_EQ(first.ordered.size(), 7u);
  EXPECT_EQ(first.ordered[5].id, "a0d5ecc53667");
  EXPECT_EQ(first.heads, std::vector<std::string>{"0006_fix_financial_data_types"});
}

}  // namespace
}  // namespace pgdrift::schema::history
