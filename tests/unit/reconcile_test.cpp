// Reconciling hand-built histories: take / merge / conflict, each --prefer-safer rule,
// --prefer, resolutions files, unresolved conflicts, and the schema directory loading back.
#include "engine/reconcile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "engine/reconcile_live.h"
#include "schema/history/history.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::engine {
namespace {

namespace fs = std::filesystem;

NamedHistory history(const std::string& name, const std::string& sql) {
  NamedHistory h;
  h.name = name;
  std::vector<schema::sql::LoadWarning> warnings;
  schema::sql::apply_sql(h.model, sql, name + ".sql", {}, warnings);
  return h;
}

// What pgdrift reconcile does before reconcile(): each `sql:` resolution loaded into its
// definition_context (the engine never parses SQL).
ReconcileOptions with_sql_loaded(const std::vector<NamedHistory>& histories,
                                 ReconcileOptions options) {
  for (auto& r : options.resolutions) {
    auto context = r.sql.empty() ? std::nullopt : definition_context(histories, r.key);
    if (!context) continue;
    std::vector<schema::sql::LoadWarning> warnings;
    schema::sql::apply_sql(*context, r.sql, r.where, {}, warnings);
    r.definition = std::move(context);
  }
  return options;
}

const Conflict* find_conflict(const ReconcileResult& r, const std::string& key) {
  for (const auto& c : r.conflicts)
    if (c.key == key) return &c;
  return nullptr;
}

const schema::Column& column(const ReconcileResult& r, const std::string& table,
                             const std::string& name) {
  const auto* c = r.target.tables.at(table).find_column(name);
  if (!c) throw std::runtime_error("no column " + table + "." + name);
  return *c;
}

TEST(Reconcile, TakesMergesAndReportsConflicts) {
  auto a = history("a",
                   "CREATE TABLE t (id integer PRIMARY KEY, note text);"
                   "CREATE TABLE only_a (x integer);");
  auto b = history("b",
                   "CREATE TABLE t (id integer PRIMARY KEY, note varchar(10), extra int);"
                   "CREATE TABLE only_b (y integer);");
  auto r = reconcile({a, b});
  EXPECT_TRUE(r.target.tables.count("public.only_a"));
  EXPECT_TRUE(r.target.tables.count("public.only_b"));
  const auto& t = r.target.tables.at("public.t");
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.columns[0].name, "id");
  EXPECT_EQ(t.columns[2].name, "extra");                 // in b only: taken
  EXPECT_EQ(r.provenance.at("public.t.id").size(), 2u);  // merged: both histories
  ASSERT_EQ(r.conflicts.size(), 1u);
  const Conflict& c = r.conflicts[0];
  EXPECT_EQ(c.key, "public.t.note");
  EXPECT_EQ(c.object_kind, "column");
  EXPECT_EQ(c.aspects, std::vector<std::string>{"type"});
  ASSERT_EQ(c.sides.size(), 2u);
  EXPECT_EQ(c.sides[0].ddl, "note text");
  EXPECT_EQ(c.sides[1].ddl, "note character varying(10)");
  EXPECT_EQ(c.sides[1].origin.location.file, "b.sql");
  EXPECT_FALSE(c.resolved);
  EXPECT_FALSE(r.complete());
}

TEST(Reconcile, PreferTakesTheNamedHistoryForEveryConflict) {
  auto a = history("a", "CREATE TABLE t (note text, amount double precision);");
  auto b = history("b", "CREATE TABLE t (note varchar(10), amount numeric(12,2));");
  ReconcileOptions options;
  options.prefer = "a";
  auto r = reconcile({a, b}, options);
  EXPECT_TRUE(r.complete());
  EXPECT_EQ(column(r, "public.t", "note").type, "text");
  EXPECT_EQ(column(r, "public.t", "amount").type, "double precision");
  for (const auto& c : r.conflicts) EXPECT_EQ(c.resolution, "--prefer a");
  options.prefer = "nope";
  EXPECT_THROW(reconcile({a, b}, options), ReconcileError);
}

TEST(Reconcile, SaferTakesExactNumericForMoneyColumnsInEitherOrder) {
  auto a = history("a", "CREATE TABLE t (amount double precision, ratio double precision);");
  auto b = history("b", "CREATE TABLE t (amount numeric(12,2), ratio numeric(5,4));");
  ReconcileOptions options;
  options.prefer_safer = true;
  for (bool swap : {false, true}) {
    auto r = swap ? reconcile({b, a}, options) : reconcile({a, b}, options);
    EXPECT_EQ(column(r, "public.t", "amount").type, "numeric(12,2)");
    const Conflict* amount = find_conflict(r, "public.t.amount");
    ASSERT_TRUE(amount);
    EXPECT_TRUE(amount->resolved);
    EXPECT_EQ(amount->taken, "b");
    EXPECT_NE(amount->resolution.find("exact numeric over float"), std::string::npos);
    // Not money-like: no guess.
    const Conflict* ratio = find_conflict(r, "public.t.ratio");
    ASSERT_TRUE(ratio);
    EXPECT_FALSE(ratio->resolved);
  }
}

TEST(Reconcile, SaferTakesUuidForIdColumnsAndTheColumnsTheyReference) {
  // users.key is not an id column by name, but orders.user_id (uuid by the id rule) references
  // it, so it takes uuid too; the foreign key exists in `a` only and is kept.
  auto a = history("a",
                   "CREATE TABLE users (key uuid PRIMARY KEY DEFAULT gen_random_uuid());"
                   "CREATE TABLE orders (user_id uuid REFERENCES users(key));");
  auto b = history("b",
                   "CREATE TABLE users (key varchar(36) PRIMARY KEY);"
                   "CREATE TABLE orders (user_id varchar(36));");
  ReconcileOptions options;
  options.prefer_safer = true;
  auto r = reconcile({b, a}, options);
  EXPECT_EQ(column(r, "public.orders", "user_id").type, "uuid");
  EXPECT_EQ(column(r, "public.users", "key").type, "uuid");
  EXPECT_EQ(column(r, "public.users", "key").default_expr, "gen_random_uuid()");
  const Conflict* key = find_conflict(r, "public.users.key");
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->resolved);
  EXPECT_NE(key->resolution.find("uuid to match foreign key orders_user_id_fkey"),
            std::string::npos);
  const Conflict* fk = find_conflict(r, "public.orders constraint orders_user_id_fkey");
  ASSERT_TRUE(fk);
  EXPECT_TRUE(fk->resolved);
  EXPECT_EQ(fk->resolution, "prefer-safer: foreign key over none");
  EXPECT_EQ(fk->sides[0].ddl, "(absent)");
  EXPECT_TRUE(r.target.tables.at("public.orders").constraints.count("orders_user_id_fkey"));
  EXPECT_TRUE(r.complete());
}

TEST(Reconcile, ForeignKeyWhoseColumnTypesCannotMatchStaysUnresolved) {
  // The resolutions file takes varchar for orders.owner, but the FK (from a only, kept by the
  // safer rule) references a uuid column: an explicit decision is never overridden, and
  // nothing may be guessed, so the foreign key is an unresolved conflict.
  auto a = history("a",
                   "CREATE TABLE users (id uuid PRIMARY KEY);"
                   "CREATE TABLE orders (owner uuid REFERENCES users(id));");
  auto b = history("b", "CREATE TABLE orders (owner varchar(36));");
  ReconcileOptions options;
  options.prefer_safer = true;
  options.resolutions = parse_resolutions("public.orders.owner = take b\n", "res.txt");
  auto r = reconcile({a, b}, options);
  EXPECT_EQ(column(r, "public.orders", "owner").type, "character varying(36)");
  const Conflict* fk = nullptr;
  for (const auto& c : r.conflicts)
    if (c.object_kind == "foreign key") fk = &c;
  ASSERT_TRUE(fk);
  EXPECT_FALSE(fk->resolved);
  EXPECT_EQ(fk->key, "public.orders constraint orders_owner_fkey");
  EXPECT_FALSE(r.complete());
  // Without the explicit decision, the safer rules make the column uuid to fit the key.
  options.resolutions.clear();
  options.prefer = "b";
  auto fixed = reconcile({a, b}, options);
  EXPECT_EQ(column(fixed, "public.orders", "owner").type, "uuid");
  EXPECT_TRUE(fixed.complete());
}

TEST(Reconcile, SaferNotNullAndCommentRules) {
  auto a = history("a",
                   "CREATE TABLE t (c timestamptz DEFAULT now(), d text, e text);"
                   "COMMENT ON COLUMN t.d IS 'documented';");
  auto b = history("b",
                   "CREATE TABLE t (c timestamptz NOT NULL DEFAULT now(), d text,"
                   " e text DEFAULT 'x');");
  ReconcileOptions options;
  options.prefer_safer = true;
  auto r = reconcile({a, b}, options);
  EXPECT_TRUE(column(r, "public.t", "c").not_null);
  EXPECT_EQ(find_conflict(r, "public.t.c")->resolution, "prefer-safer: NOT NULL over nullable");
  EXPECT_EQ(column(r, "public.t", "d").comment, "documented");
  EXPECT_FALSE(find_conflict(r, "public.t.e")->resolved);  // a default: no rule
}

TEST(Reconcile, IndexesAndConstraintsInOneHistoryOnly) {
  auto a = history("a", "CREATE TABLE t (x int CHECK (x > 0)); CREATE INDEX t_x ON t (x);");
  auto b = history("b", "CREATE TABLE t (x int); CREATE INDEX t_x2 ON t (x DESC);");
  ReconcileOptions safer;
  safer.prefer_safer = true;
  auto r = reconcile({a, b}, safer);
  const auto& t = r.target.tables.at("public.t");
  EXPECT_EQ(t.indexes.size(), 2u);  // union of indexes
  EXPECT_EQ(t.constraints.size(), 1u);
  EXPECT_TRUE(r.complete());
  ReconcileOptions prefer_b;
  prefer_b.prefer = "b";
  auto rb = reconcile({a, b}, prefer_b);
  EXPECT_EQ(rb.target.tables.at("public.t").indexes.size(), 1u);
  EXPECT_TRUE(rb.target.tables.at("public.t").constraints.empty());
  // Without any option, presence differences are conflicts too.
  auto none = reconcile({a, b});
  EXPECT_EQ(none.unresolved(), 3u);
}

TEST(Reconcile, ResolutionForAConstraintInOneHistoryOnly) {
  auto a = history("a", "CREATE TABLE t (x int CONSTRAINT t_x_check CHECK (x > 0));");
  auto b = history("b", "CREATE TABLE t (x int);");
  ReconcileOptions options;
  options.resolutions = parse_resolutions(
      "public.t constraint t_x_check = sql: ALTER TABLE t ADD CONSTRAINT t_x_check CHECK (x > 1)\n",
      "res.txt");
  auto r = reconcile({a, b}, with_sql_loaded({a, b}, options));
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.target.tables.at("public.t").constraints.at("t_x_check").check_expr, "x > 1");
  options.resolutions = parse_resolutions("public.t constraint t_x_check = take b\n", "res.txt");
  auto rb = reconcile({a, b}, options);
  EXPECT_TRUE(rb.target.tables.at("public.t").constraints.empty());  // b: absent
}

TEST(Reconcile, ResolutionsFileTakesGivesSqlAndOmits) {
  auto a = history("a", "CREATE TABLE t (note text, size int, flag bool);");
  auto b = history("b", "CREATE TABLE t (note varchar(10), size bigint, flag int);");
  ReconcileOptions options;
  options.resolutions = parse_resolutions(
      "# decisions\n"
      "public.t.note = take b\n"
      "public.t.size = sql: ALTER TABLE t ADD COLUMN size numeric(20) NOT NULL\n"
      "public.t.flag = omit\n",
      "res.txt");
  auto r = reconcile({a, b}, with_sql_loaded({a, b}, options));
  EXPECT_TRUE(r.complete());
  const auto& t = r.target.tables.at("public.t");
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[0].type, "character varying(10)");
  EXPECT_EQ(t.columns[1].name, "size");  // the SQL definition keeps the column's place
  EXPECT_EQ(t.columns[1].type, "numeric(20,0)");
  EXPECT_TRUE(t.columns[1].not_null);
  EXPECT_EQ(find_conflict(r, "public.t.note")->resolution, "resolutions file (res.txt:2)");

  // JSON form.
  options.resolutions = parse_resolutions(
      R"({"public.t.note": "a", "public.t.size": {"take": "b"}, "public.t.flag": {"omit": true}})",
      "res.json");
  auto rj = reconcile({a, b}, options);
  EXPECT_EQ(column(rj, "public.t", "note").type, "text");
  EXPECT_EQ(column(rj, "public.t", "size").type, "bigint");

  // Mistakes are errors, never ignored.
  options.resolutions = parse_resolutions("public.t.nope = take a\n", "bad.txt");
  EXPECT_THROW(reconcile({a, b}, options), ReconcileError);
  options.resolutions = parse_resolutions("public.t.note = take c\n", "bad.txt");
  EXPECT_THROW(reconcile({a, b}, options), ReconcileError);
  options.resolutions = parse_resolutions("public.t.note = sql: ALTER TABLE t ADD x int\n", "b");
  EXPECT_THROW(reconcile({a, b}, with_sql_loaded({a, b}, options)),
               ReconcileError);  // does not define note
  EXPECT_THROW(parse_resolutions("public.t.note take a\n", "bad.txt"), ReconcileError);
  EXPECT_THROW(parse_resolutions("{\"k\": 3}", "bad.json"), ReconcileError);
}

TEST(Reconcile, ResolutionsFileOfDeepOrBrokenJsonIsRefusedWithItsPlace) {
  auto error = [](const std::string& text) -> std::string {
    try {
      parse_resolutions(text, "res.json");
    } catch (const ReconcileError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error("{\"a\": " + std::string(100000, '{')).substr(0, 43),
            "res.json:1:518: JSON nested too deeply: mor");
  // nlohmann's place: the last character of the token it did not expect.
  EXPECT_EQ(error("{\"a\": \"take b\",\n \"b\" \"take a\"}").rfind("res.json:2:13: ", 0), 0u)
      << error("{\"a\": \"take b\",\n \"b\" \"take a\"}");
}

TEST(Reconcile, WholeObjectConflictsAndSerialSequencesFollowTheirColumn) {
  auto a = history("a",
                   "CREATE TYPE mood AS ENUM ('ok');"
                   "CREATE TABLE t (id uuid PRIMARY KEY);");
  auto b = history("b",
                   "CREATE TYPE mood AS ENUM ('ok', 'bad');"
                   "CREATE TABLE t (id serial PRIMARY KEY);");
  ReconcileOptions options;
  options.prefer = "a";
  auto r = reconcile({a, b}, options);
  EXPECT_EQ(find_conflict(r, "public.mood")->object_kind, "enum");
  EXPECT_EQ(r.target.enums.at("public.mood").values, std::vector<std::string>{"ok"});
  EXPECT_TRUE(r.target.sequences.empty());  // t.id is uuid: t_id_seq would own nothing
  ASSERT_EQ(r.notes.size(), 1u);
  options.prefer = "b";
  auto rb = reconcile({a, b}, options);
  EXPECT_EQ(rb.target.sequences.size(), 1u);
}

void expect_loads_back(const ReconcileResult& r, const std::string& name) {
  testing::TempDir tmp("pgdrift-reconcile-" + name);
  const std::string dir = tmp.path.string();
  auto files = render_schema_directory(r);
  ASSERT_FALSE(files.empty());
  for (const auto& [file, text] : files) {
    std::ofstream(fs::path(dir) / file) << text;
    EXPECT_NE(text.find("-- from: "), std::string::npos) << file;
  }
  auto loaded = schema::sql::load_path(dir);
  EXPECT_TRUE(loaded.model == r.target) << "schema directory does not load back: " << dir;
}

TEST(Reconcile, SchemaDirectoryLoadsBackIntoTheTarget) {
  auto a = history("a",
                   "CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('ok', 'bad');"
                   "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n\n"
                   "  RETURN NEW;\nEND;\n$$;"
                   "CREATE TABLE app.users (id uuid PRIMARY KEY, m app.mood);"
                   "CREATE TABLE orders (id serial PRIMARY KEY, user_id uuid REFERENCES "
                   "app.users(id), amount numeric(12,2));"
                   "CREATE INDEX orders_user ON orders (user_id);"
                   "CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE "
                   "FUNCTION touch();"
                   "CREATE VIEW big AS SELECT id FROM orders WHERE amount > 100;"
                   "CREATE VIEW bigger AS SELECT id FROM big;"
                   "COMMENT ON TABLE orders IS 'orders';");
  auto b = history("b",
                   "CREATE TABLE orders (id serial PRIMARY KEY, user_id varchar(36), "
                   "amount double precision);");
  ReconcileOptions options;
  options.prefer_safer = true;
  auto r = reconcile({a, b}, options);
  ASSERT_TRUE(r.complete());
  expect_loads_back(r, "hand");
}

TEST(Reconcile, MitaHistoriesReconcileWithTheSaferRulesAlone) {
  std::vector<NamedHistory> named;
  std::set<std::string> all_tables;
  for (auto [name, dir] : std::vector<std::pair<std::string, std::string>>{
           {"alembic", "mita/alembic/versions"}, {"migrations", "mita/migrations"}}) {
    auto h = schema::history::read_history(testing::fixture_path(dir));
    schema::history::ReplayOptions ro;
    ro.column_provenance = true;
    auto replayed = schema::history::replay(h, ro);
    ASSERT_TRUE(replayed.problems.empty());
    NamedHistory n{name, replayed.model, replayed.last_changed_by, {}, replayed.column_aspects};
    for (const auto& m : h.ordered) n.migration_files[m.id] = m.file;
    for (const auto& [key, t] : n.model.tables) all_tables.insert(key);
    named.push_back(n);
  }
  EXPECT_FALSE(reconcile(named).complete());  // the conflicts are there
  ReconcileOptions options;
  options.prefer_safer = true;
  auto r = reconcile(named, options);
  std::string open;
  for (const auto& c : r.conflicts)
    if (!c.resolved) open += c.key + "\n";
  ASSERT_TRUE(r.complete()) << "unresolved:\n" << open;
  // Money exact, as chain one fixed it.
  for (const auto& [table, col] : testing::mita_money_columns())
    EXPECT_EQ(column(r, "public." + table, col).type, "numeric(12,2)") << table << "." << col;
  // uuid ids and user ids, with their foreign keys, in every table both chains have.
  for (std::string t :
       {"transactions", "expenses", "goals", "moods", "push_tokens", "subscriptions"}) {
    EXPECT_EQ(column(r, "public." + t, "id").type, "uuid") << t;
    EXPECT_EQ(column(r, "public." + t, "user_id").type, "uuid") << t;
    const auto& fk = r.target.tables.at("public." + t).constraints.at(t + "_user_id_fkey");
    EXPECT_EQ(fk.kind, schema::ConstraintKind::ForeignKey) << t;
    EXPECT_EQ(fk.foreign_key->ref_table, "public.users") << t;
  }
  EXPECT_EQ(column(r, "public.users", "id").type, "uuid");
  // The union of the tables of both chains.
  std::set<std::string> target_tables;
  for (const auto& [key, t] : r.target.tables) target_tables.insert(key);
  EXPECT_EQ(target_tables, all_tables);
  EXPECT_TRUE(target_tables.count("public.budget_advice"));        // chain two only
  EXPECT_TRUE(target_tables.count("public.ai_advice_templates"));  // chain two only
  EXPECT_EQ(column(r, "public.users", "email").type, "text");      // wider text type
  EXPECT_EQ(column(r, "public.users", "timezone").type, "character varying(64)");  // chain two
  const Conflict* amount = find_conflict(r, "public.expenses.amount");
  ASSERT_TRUE(amount);
  EXPECT_EQ(amount->sides[0].origin.migration, "0006_fix_financial_data_types");
  EXPECT_EQ(amount->sides[1].origin.migration, "0001_initial");
  // Provenance at the level users fix things (issue 18 item 12): each side's column at its own
  // sa.Column( line, each differing aspect at the line that set it in that history.
  const Conflict* commented = find_conflict(r, "public.transactions.amount");
  ASSERT_TRUE(commented);
  ASSERT_EQ(commented->aspects, std::vector<std::string>{"comment"});
  ASSERT_EQ(commented->sides.size(), 2u);
  auto file_of = [](const std::string& path) {
    return std::filesystem::path(path).filename().string();
  };
  const ConflictSide& alembic = commented->sides[0];
  EXPECT_EQ(file_of(alembic.origin.location.file), "0001_initial.py");
  EXPECT_EQ(alembic.origin.location.line, 60);  // not the op.create_table( at 53
  ASSERT_EQ(alembic.aspects.size(), 1u);
  EXPECT_EQ(alembic.aspects[0].aspect, "comment");
  EXPECT_EQ(alembic.aspects[0].migration, "a0d5ecc53667");
  EXPECT_EQ(file_of(alembic.aspects[0].where.file), "a0d5ecc53667_sync_models.py");
  EXPECT_EQ(alembic.aspects[0].where.line, 31);
  EXPECT_EQ(describe_aspect_origin(alembic.aspects[0]),
            "comment: a0d5ecc53667 (" + alembic.aspects[0].where.file + ":31)");
  const ConflictSide& migrations = commented->sides[1];
  EXPECT_EQ(migrations.origin.location.line, 36);
  ASSERT_EQ(migrations.aspects.size(), 1u);
  EXPECT_EQ(migrations.aspects[0].migration, "0001_initial");  // created without a comment
  EXPECT_EQ(migrations.aspects[0].where.line, 36);
  expect_loads_back(r, "mita");
}

TEST(Reconcile, SaferTakesTheWiderType) {
  EXPECT_EQ(wider_type("text", "character varying(255)").side, 0);
  EXPECT_EQ(wider_type("character varying(10)", "character varying(20)").side, 1);
  EXPECT_EQ(wider_type("character varying", "character varying(10)").side, 0);
  EXPECT_EQ(wider_type("character(2)", "character varying(3)").side, 1);
  EXPECT_FALSE(wider_type("character(3)", "character varying(3)").decided);  // style only
  EXPECT_EQ(wider_type("integer", "bigint").side, 1);
  EXPECT_EQ(wider_type("smallint", "integer").side, 1);
  EXPECT_EQ(wider_type("timestamp with time zone", "timestamp without time zone").side, 0);
  EXPECT_FALSE(wider_type("uuid", "text").decided);
  EXPECT_FALSE(wider_type("integer", "numeric(12,2)").decided);
  EXPECT_FALSE(wider_type("text[]", "character varying(3)[]").decided);

  auto a = history("a",
                   "CREATE TABLE t (note text, code varchar(10), n smallint, big bigint,"
                   " at timestamp, cc char(3));");
  auto b = history("b",
                   "CREATE TABLE t (note varchar(255), code varchar(20), n integer, big int,"
                   " at timestamptz, cc varchar(3));");
  ReconcileOptions options;
  options.prefer_safer = true;
  for (bool swap : {false, true}) {
    auto r = swap ? reconcile({b, a}, options) : reconcile({a, b}, options);
    EXPECT_EQ(column(r, "public.t", "note").type, "text");
    EXPECT_EQ(column(r, "public.t", "code").type, "character varying(20)");
    EXPECT_EQ(column(r, "public.t", "n").type, "integer");
    EXPECT_EQ(column(r, "public.t", "big").type, "bigint");
    EXPECT_EQ(column(r, "public.t", "at").type, "timestamp with time zone");
    EXPECT_EQ(find_conflict(r, "public.t.note")->resolution,
              "prefer-safer: wider text type: text over character varying(255) (no existing "
              "value is too long for it)");
    EXPECT_FALSE(find_conflict(r, "public.t.cc")->resolved);
    EXPECT_EQ(r.unresolved(), 1u);
  }
}

TEST(Reconcile, TypeRuleKeepsTheOtherSidesComment) {
  // The type rule takes b's integer column (with its default); a's comment is not tied to the
  // type and b has none: comment over none keeps it.
  auto a = history("a",
                   "CREATE TABLE t (score smallint NOT NULL);"
                   "COMMENT ON COLUMN t.score IS '1 to 5';");
  auto b = history("b", "CREATE TABLE t (score integer NOT NULL DEFAULT 3);");
  ReconcileOptions options;
  options.prefer_safer = true;
  auto r = reconcile({a, b}, options);
  const auto& score = column(r, "public.t", "score");
  EXPECT_EQ(score.type, "integer");
  EXPECT_EQ(score.default_expr, "3");
  EXPECT_EQ(score.comment, "1 to 5");
  const Conflict* c = find_conflict(r, "public.t.score");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->taken, "b");
  EXPECT_EQ(c->resolution,
            "prefer-safer: wider integer type: integer over smallint (no existing value overflows "
            "it) (the whole column: default too); comment over none (the other definition's "
            "comment)");
  EXPECT_EQ(r.provenance.at("public.t.score").size(), 2u);  // both definitions contributed
  expect_loads_back(r, "comment");
}

TEST(Reconcile, GenuinelyAmbiguousConflictsStayUnresolvedUnderPreferSafer) {
  // Each of these is a decision about meaning no rule can make: which surrogate keys (serial
  // values cannot become uuids), whether deleting a user deletes the orders, whether status is
  // a closed set, whether an omitted note becomes 'x', blank-padded or not.
  auto a = history("a",
                   "CREATE TYPE order_status AS ENUM ('new', 'paid');"
                   "CREATE TABLE users (id uuid PRIMARY KEY);"
                   "CREATE TABLE orders (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
                   " user_id uuid REFERENCES users(id) ON DELETE CASCADE,"
                   " status order_status NOT NULL, note text DEFAULT 'x', code char(3));");
  auto b = history("b",
                   "CREATE TABLE users (id uuid PRIMARY KEY);"
                   "CREATE TABLE orders (id serial PRIMARY KEY,"
                   " user_id uuid REFERENCES users(id),"
                   " status varchar(20) NOT NULL, note text, code varchar(3));");
  ReconcileOptions options;
  options.prefer_safer = true;
  auto r = reconcile({a, b}, options);
  std::set<std::string> unresolved;
  for (const auto& c : r.conflicts)
    if (!c.resolved) unresolved.insert(c.key);
  EXPECT_EQ(unresolved, (std::set<std::string>{"public.orders.id", "public.orders.status",
                                               "public.orders.note", "public.orders.code",
                                               "public.orders constraint orders_user_id_fkey"}));
  EXPECT_FALSE(r.complete());
}

TEST(Reconcile, BestMatchingMigrationPrefersTheLatestOnTies) {
  auto m1 = history("x", "CREATE TABLE a (x int);").model;
  auto m2 = history("x", "CREATE TABLE a (x int); CREATE TABLE b (y int);").model;
  auto m3 = history("x", "CREATE TABLE a (x int, z int); CREATE TABLE b (y int);").model;
  auto best = best_matching_migration({"1", "2", "3"}, {m1, m2, m3}, m2);
  EXPECT_EQ(best.id, "2");
  EXPECT_EQ(best.distance, 0u);
  EXPECT_EQ(best.distances[0].distance, 1u);
  EXPECT_EQ(best.distances[2].distance, 2u);  // the table and its column
  EXPECT_EQ(best.tied, std::vector<std::string>{"2"});
  EXPECT_EQ(best.tie_text(), "2");
  // m1 and a model with one extra object are equally far from m2 + c: the later wins.
  auto tie = best_matching_migration({"1", "2"}, {m1, m1}, m2);
  EXPECT_EQ(tie.id, "2");
  EXPECT_EQ(tie.tied, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(tie.tie_text(), "1..2");
  auto gap = best_matching_migration({"1", "2", "3"}, {m2, m1, m2}, m2);
  EXPECT_EQ(gap.tie_text(), "1, 3");
}

TEST(Reconcile, BestMatchLeavesOutWhatAnotherHistoryExplains) {
  // This history: 1 makes a, 2 makes b, 3 makes c (also made by the other history, with t.y),
  // 4 makes d. The live database has a, b, c, t(x, y): it ran to 2 or 3, the schema cannot
  // tell which, because the other history made c.
  auto m1 = history("x", "CREATE TABLE a (i int); CREATE TABLE t (x int);").model;
  auto m2 =
      history("x", "CREATE TABLE a (i int); CREATE TABLE b (i int); CREATE TABLE t (x int);").model;
  auto m3 = m2;
  m3.tables["public.c"] = history("x", "CREATE TABLE c (i int);").model.tables.at("public.c");
  auto m4 = m3;
  m4.tables["public.d"] = history("x", "CREATE TABLE d (i int);").model.tables.at("public.d");
  auto live = history("live",
                      "CREATE TABLE a (i int); CREATE TABLE b (i int); CREATE TABLE c (i int);"
                      "CREATE TABLE t (x int, y int);")
                  .model;
  auto other =
      history("other", "CREATE TABLE c (i int); CREATE TABLE t (x int, y int, z int);").model;
  std::vector<std::string> ids = {"1", "2", "3", "4"};
  auto plain = best_matching_migration(ids, {m1, m2, m3, m4}, live);
  EXPECT_EQ(plain.tied, std::vector<std::string>{"3"});  // c and t.y count against 2
  auto explained = best_matching_migration(ids, {m1, m2, m3, m4}, live, {other});
  EXPECT_EQ(explained.id, "3");
  EXPECT_EQ(explained.distance, 0u);  // t.y is the other history's column: not counted
  EXPECT_EQ(explained.tied, (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(explained.tie_text(), "2..3");
  EXPECT_EQ(explained.distances[0].distance, 1u);  // b is missing: only this history makes it
  EXPECT_EQ(explained.distances[3].distance, 1u);  // d is not there
}

}  // namespace
}  // namespace pgdrift::engine
