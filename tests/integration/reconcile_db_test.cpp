// The MITA scenario against a real PostgreSQL: one database migrated by two Alembic
// environments. Chain one (fixtures/mita/alembic/versions) ran fully; chain two
// (fixtures/mita/migrations, version table alembic_version_migrations) ran up to
// 0004_user_timezone, its migrations whose objects chain one had already made being stamped.
// `pgdrift reconcile` must list the planted conflicts with both sources, find each chain's
// applied revision, and plan the database to the reconciled target so that it converges.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/diff.h"
#include "engine/reconcile.h"
#include "schema/history/history.h"
#include "schema/live/introspect.h"
#include "schema/live/version_tables.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* kVersionTable =
    "CREATE TABLE %s (version_num varchar(32) NOT NULL, "
    "CONSTRAINT %s_pkc PRIMARY KEY (version_num));";

std::string version_table_sql(const std::string& table, const std::string& version) {
  char buf[512];
  std::snprintf(buf, sizeof buf, kVersionTable, table.c_str(), table.c_str());
  return std::string(buf) + "INSERT INTO " + table + " VALUES ('" + version + "');";
}

// Applies the replayed SQL of every migration up to `last` (inclusive), each migration in one
// transaction as Alembic runs it. A migration that fails (its tables or columns exist already)
// is stamped instead: counted in `stamped`, nothing of it applied.
void apply_chain(const std::string& database, const std::string& dir, const std::string& last,
                 std::vector<std::string>& stamped) {
  auto history = schema::history::read_history(testing::fixture_path(dir));
  for (const auto& m : history.ordered) {
    std::string sql;
    for (const auto& s : m.statements) sql += s.sql + ";\n";
    try {
      testing::test_cluster().execute(database, sql);
    } catch (const std::exception&) {
      stamped.push_back(m.id);
    }
    if (m.id == last) return;
  }
}

json find_conflict(const json& report, const std::string& key) {
  for (const auto& c : report["conflicts"])
    if (c["key"] == key) return c;
  return json();
}

json live_history(const json& report, const std::string& name) {
  for (const auto& h : report["live"]["histories"])
    if (h["name"] == name) return h;
  return json();
}

class ReconcileMita : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::create_fresh_database();
    std::vector<std::string> stamped_one, stamped_two;
    apply_chain(db_.name, "mita/alembic/versions", "0006_fix_financial_data_types", stamped_one);
    ASSERT_TRUE(stamped_one.empty()) << "chain one must apply cleanly: " << stamped_one[0];
    testing::test_cluster().execute(
        db_.name, version_table_sql("alembic_version", "0006_fix_financial_data_types"));
    apply_chain(db_.name, "mita/migrations", "0004_user_timezone", stamped_two);
    // 0001 (tables exist) and 0002 (subscription columns exist) are stamped; 0003 and 0004 ran.
    ASSERT_EQ(stamped_two,
              (std::vector<std::string>{"0001_initial", "0002_subscription_plan_dates"}));
    testing::test_cluster().execute(
        db_.name, version_table_sql("alembic_version_migrations", "0004_user_timezone"));
    out_ = tmp_.file("out");
  }

  testing::CommandOutput reconcile(std::vector<std::string> extra) {
    std::vector<std::string> args = {
        PGDRIFT_BINARY, "reconcile",
        "--history",    "alembic=" + testing::fixture_path("mita/alembic/versions"),
        "--history",    "migrations=" + testing::fixture_path("mita/migrations"),
        "--db",         db_.url,
        "--format",     "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_program(args);
  }

  testing::FreshDatabase db_;
  testing::TempDir tmp_{"pgdrift-reconcile"};
  std::string out_;  // tmp_/out, made by the tests that need it
};

TEST_F(ReconcileMita, VersionTablesAreRead) {
  auto tables = schema::live::read_version_tables(db_.conninfo);
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].table, "public.alembic_version");
  EXPECT_EQ(tables[0].kind, "alembic");
  EXPECT_EQ(tables[0].versions, std::vector<std::string>{"0006_fix_financial_data_types"});
  EXPECT_EQ(tables[1].table, "public.alembic_version_migrations");
  EXPECT_EQ(tables[1].versions, std::vector<std::string>{"0004_user_timezone"});
}

TEST_F(ReconcileMita, PreferSaferAloneResolvesEveryPlantedConflictWithBothSources) {
  auto run = reconcile({"--prefer-safer"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  json report = json::parse(run.out);
  EXPECT_EQ(report["unresolved"], 0);
  for (const auto& c : report["conflicts"]) {
    // Every conflict names both sources and says which rule decided it.
    EXPECT_EQ(c["sides"].size(), 2u) << c["key"];
    EXPECT_EQ(c["resolution"].get<std::string>().rfind("prefer-safer: ", 0), 0u) << c["key"];
  }

  // Two 0001_initial definitions of users.id: uuid vs String(36), both sources named.
  json users_id = find_conflict(report, "public.users.id");
  ASSERT_FALSE(users_id.is_null());
  EXPECT_EQ(users_id["sides"][0]["migration"], "0001_initial");
  EXPECT_EQ(users_id["sides"][1]["migration"], "0001_initial");
  EXPECT_NE(
      users_id["sides"][0]["origin"].get<std::string>().find("alembic/versions/0001_initial.py:"),
      std::string::npos);
  EXPECT_NE(users_id["sides"][1]["origin"].get<std::string>().find("migrations/0001_initial.py:"),
            std::string::npos);
  EXPECT_EQ(users_id["taken"], "alembic");

  json amount = find_conflict(report, "public.expenses.amount");
  ASSERT_FALSE(amount.is_null());
  EXPECT_EQ(amount["sides"][0]["ddl"], "amount numeric(12,2) NOT NULL");
  EXPECT_EQ(amount["sides"][0]["migration"], "0006_fix_financial_data_types");
  EXPECT_EQ(amount["sides"][1]["ddl"], "amount double precision NOT NULL");
  EXPECT_EQ(amount["sides"][1]["migration"], "0001_initial");
  EXPECT_EQ(amount["taken"], "alembic");
  EXPECT_EQ(amount["resolution"], "prefer-safer: exact numeric over float (money-like column)");

  json user_id = find_conflict(report, "public.expenses.user_id");
  ASSERT_FALSE(user_id.is_null());
  EXPECT_EQ(user_id["sides"][1]["ddl"], "user_id character varying(36) NOT NULL");
  EXPECT_EQ(user_id["taken"], "alembic");

  for (std::string fk : {"public.expenses constraint expenses_user_id_fkey",
                         "public.moods constraint moods_user_id_fkey",
                         "public.transactions constraint transactions_user_id_fkey"}) {
    json c = find_conflict(report, fk);
    ASSERT_FALSE(c.is_null()) << fk;
    EXPECT_EQ(c["sides"][1]["ddl"], "(absent)") << fk;
    EXPECT_EQ(c["resolution"], "prefer-safer: foreign key over none") << fk;
  }
  json email = find_conflict(report, "public.users.email");
  ASSERT_FALSE(email.is_null());
  EXPECT_EQ(email["taken"], "alembic");
  EXPECT_NE(email["resolution"].get<std::string>().find("wider text type"), std::string::npos);

  // Live: each chain's applied revision. Chain one: its version table and the schema agree.
  json one = live_history(report, "alembic");
  EXPECT_EQ(one["claimed"], json::array({"0006_fix_financial_data_types"}));
  EXPECT_EQ(one["version_table"], "public.alembic_version");
  EXPECT_EQ(one["best_match"], "0006_fix_financial_data_types");
  EXPECT_EQ(one["tied"], json::array({"0006_fix_financial_data_types"}));
  EXPECT_TRUE(one["claim_consistent"].get<bool>());
  // Chain two stopped at 0004. What its 0005 (push_platform, push_tokens.platform) and 0006
  // (the same index) make, chain one had made already, so the schema matches 0004..0006
  // equally -- and the version table's 0004 lies within: consistent.
  json two = live_history(report, "migrations");
  EXPECT_EQ(two["claimed"], json::array({"0004_user_timezone"}));
  EXPECT_EQ(two["version_table"], "public.alembic_version_migrations");
  EXPECT_EQ(two["tied"], json::array({"0004_user_timezone", "0005_push_token_platform",
                                      "0006_transactions_user_created_at_idx"}))
      << two.dump(2);
  EXPECT_EQ(two["matches"], "0004_user_timezone..0006_transactions_user_created_at_idx");
  EXPECT_TRUE(two["claim_consistent"].get<bool>());
  auto distance = [&](const std::string& id) {
    for (const auto& d : two["distances"])
      if (d["migration"] == id) return d["distance"].get<int>();
    return -1;
  };
  // 0003 lacks users.timezone, 0007 adds ai_advice_templates: only chain two makes those.
  EXPECT_GT(distance("0003_budget_advice_table"), distance("0004_user_timezone"));
  EXPECT_GT(distance("0007_ai_advice_templates"),
            distance("0006_transactions_user_created_at_idx"));
  EXPECT_GT(report["live"]["plan"]["steps"].get<int>(), 0);
}

// Reads the live database without its version tables.
schema::Model live_model(const testing::FreshDatabase& db) {
  auto live = schema::live::introspect(db.conninfo).model;
  live.tables.erase("public.alembic_version");
  live.tables.erase("public.alembic_version_migrations");
  return live;
}

std::string remaining_drift(const schema::Model& live, const schema::Model& target) {
  std::string joined;
  for (const auto& l : engine::describe_changes(engine::diff_models(live, target)))
    joined += l + "\n";
  return joined;
}

TEST_F(ReconcileMita, SaferTargetIsWrittenAndThePlanConverges) {
  fs::create_directories(out_);
  // A row in the table only chain two defines, its user id stored as text: the plan must carry
  // it across the varchar -> uuid change and under the new foreign key.
  const std::string user = "6f1c2a52-3d3e-4a5e-9a40-1f7a0c2b9d11";
  testing::test_cluster().execute(
      db_.name, "INSERT INTO users (id, email, password_hash) VALUES ('" + user +
                    "', 'a@example.com', 'x');\n"
                    "INSERT INTO budget_advice (user_id, month, advice_type, advice_text, "
                    "suggested_limit) VALUES ('" +
                    user + "', '2025-09-01', 'limit', 'Spend less on coffee', 120.25);");
  auto run = reconcile({"--prefer-safer", "--out", out_});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  json report = json::parse(run.out);
  EXPECT_EQ(report["unresolved"], 0);

  // The schema directory loads back into the target.
  auto target = schema::sql::load_path(out_ + "/schema").model;
  for (const auto& [table, col] : testing::mita_money_columns())
    EXPECT_EQ(target.tables.at("public." + table).find_column(col)->type, "numeric(12,2)")
        << table << "." << col;
  EXPECT_EQ(target.tables.at("public.users").find_column("id")->type, "uuid");
  for (std::string t : {"transactions", "expenses", "goals", "moods", "push_tokens",
                        "subscriptions", "budget_advice"}) {
    const auto& table = target.tables.at("public." + t);
    EXPECT_EQ(table.find_column("user_id")->type, "uuid") << t;
    ASSERT_TRUE(table.constraints.count(t + "_user_id_fkey")) << t;
    EXPECT_EQ(table.constraints.at(t + "_user_id_fkey").foreign_key->ref_table, "public.users");
  }
  // The acceptance, over the whole target rather than a list: every money-like column is exact
  // numeric, every user_id is a uuid with a foreign key to users.
  for (const auto& [key, table] : target.tables) {
    for (const auto& c : table.columns) {
      if (engine::is_money_like_column(c.name)) {
        EXPECT_FALSE(engine::is_float_type(c.type)) << key << "." << c.name << " " << c.type;
      }
      if (c.name != "user_id") continue;
      EXPECT_EQ(c.type, "uuid") << key;
      bool referenced = false;
      for (const auto& [n, con] : table.constraints)
        referenced |= con.foreign_key && con.columns == std::vector<std::string>{"user_id"} &&
                      con.foreign_key->ref_table == "public.users";
      EXPECT_TRUE(referenced) << key << ".user_id has no foreign key to users";
    }
  }
  // budget_advice is defined by chain two alone: the consistency pass made it so, and says so.
  std::set<std::string> harmonised;
  for (const auto& h : report["harmonised"])
    harmonised.insert(h["rule"].get<std::string>() + " " + h["object"].get<std::string>());
  EXPECT_EQ(harmonised,
            (std::set<std::string>{"money-as-float public.budget_advice.suggested_limit",
                                   "missing-foreign-key public.budget_advice.user_id"}));
  EXPECT_TRUE(report["findings"].empty()) << report["findings"].dump(2);
  // The union of the tables of both chains.
  std::set<std::string> tables;
  for (const auto& [key, t] : target.tables) tables.insert(key);
  EXPECT_EQ(tables, (std::set<std::string>{"public.users", "public.transactions", "public.expenses",
                                           "public.goals", "public.moods", "public.push_tokens",
                                           "public.subscriptions", "public.budget_advice",
                                           "public.ai_advice_templates"}));
  std::ifstream file(out_ + "/schema/20_tables.sql");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("-- from: alembic 0006_fix_financial_data_types ("), std::string::npos);
  EXPECT_NE(text.find("-- from: migrations 0003_budget_advice_table (" +
                      testing::fixture_path("mita/migrations/0003_budget_advice_table.py") + ":"),
            std::string::npos);

  // The live database differs (chain two's 0007 never ran), and the plan is written.
  EXPECT_GT(report["live"]["drift_from_target"]["objects"].get<int>(), 0);
  ASSERT_TRUE(fs::exists(out_ + "/plan.sql"));
  ASSERT_TRUE(fs::exists(out_ + "/plan.md"));
  EXPECT_FALSE(remaining_drift(live_model(db_), target).empty());

  // Applied to the live database, the plan converges to the target.
  testing::test_cluster().psql_file(db_.name, out_ + "/plan.sql");
  std::string left = remaining_drift(live_model(db_), target);
  EXPECT_TRUE(left.empty()) << "after the plan the database still differs:\n" << left;
  EXPECT_EQ(testing::query_value(
                db_.conninfo, "SELECT user_id::text || ' ' || suggested_limit FROM budget_advice"),
            user + " 120.25");
}

TEST_F(ReconcileMita, ResolutionsOverrideTheSaferRulesAndThePlanConverges) {
  // The user keeps chain two's varchar(n) limits: the plan then narrows text columns.
  fs::create_directories(out_);
  std::string resolutions = out_ + "/resolutions.txt";
  std::ofstream(resolutions) << "public.users.email = take migrations\n"
                                "public.goals.title = take migrations\n";
  auto run = reconcile({"--prefer-safer", "--resolutions", resolutions, "--out", out_});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  json report = json::parse(run.out);
  EXPECT_EQ(find_conflict(report, "public.users.email")["resolution"],
            "resolutions file (" + resolutions + ":1)");
  auto target = schema::sql::load_path(out_ + "/schema").model;
  EXPECT_EQ(target.tables.at("public.users").find_column("email")->type, "character varying(255)");
  EXPECT_EQ(target.tables.at("public.goals").find_column("title")->type, "character varying(200)");
  testing::test_cluster().psql_file(db_.name, out_ + "/plan.sql");
  std::string left = remaining_drift(live_model(db_), target);
  EXPECT_TRUE(left.empty()) << "after the plan the database still differs:\n" << left;
}

// Chain two as golang-migrate files, applied up to version 4 on its own: schema_migrations
// holds 4 (a number), the history's id is "0004"; the schema matches 0004 exactly.
TEST(ReconcileGolangMigrate, VersionTableAndSchemaAgree) {
  auto db = testing::create_fresh_database();
  auto history = schema::history::read_history(testing::fixture_path("mita/migrations_sql"));
  std::string last;
  for (const auto& m : history.ordered) {
    for (const auto& s : m.statements) testing::test_cluster().execute(db.name, s.sql);
    last = m.id;
    if (m.file.find("0004_user_timezone") != std::string::npos) break;
  }
  testing::test_cluster().execute(
      db.name,
      "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT "
      "NULL); INSERT INTO schema_migrations VALUES (4, false);");
  auto run = testing::run_program(
      {PGDRIFT_BINARY, "reconcile", "--history",
       "alembic=" + testing::fixture_path("mita/alembic/versions"), "--history",
       "sql=" + testing::fixture_path("mita/migrations_sql"), "--db", db.url, "--format", "json"});
  ASSERT_EQ(run.exit_code, 1) << run.err;
  json report = json::parse(run.out);
  ASSERT_EQ(report["live"]["version_tables"].size(), 1u);
  EXPECT_EQ(report["live"]["version_tables"][0]["kind"], "golang-migrate");
  EXPECT_EQ(report["live"]["version_tables"][0]["claimed_by"], "sql");
  json sql = live_history(report, "sql");
  EXPECT_EQ(sql["claimed"], json::array({"4"}));
  EXPECT_EQ(last, "0004");
  EXPECT_EQ(sql["best_match"], last);
  EXPECT_EQ(sql["tied"], json::array({"0004"}));
  EXPECT_EQ(sql["best_match_distance"], 0);
  EXPECT_TRUE(sql["claim_consistent"].get<bool>()) << sql.dump(2);  // "4" is migration 0004
  EXPECT_EQ(live_history(report, "alembic")["claimed"], json::array());
}

// The demo's core job (scripts/demo.sh, issue 18 item 13), end to end through the binary: a
// production database that ran the SQL chain, with rows; reconcile of the Alembic and SQL chains
// with --prefer-safer writes one target; apply migrates production to it, keeping every row;
// drift against the target exits 0.
TEST(ReconcileCli, DemoPathReconcilesAppliesAndEndsWithoutDrift) {
  auto db = testing::create_fresh_database();
  auto history = schema::history::read_history(testing::fixture_path("mita/migrations_sql"));
  for (const auto& m : history.ordered)
    for (const auto& s : m.statements) testing::test_cluster().execute(db.name, s.sql);
  testing::test_cluster().execute(
      db.name,
      "INSERT INTO users (id, email, password_hash) VALUES "
      "('7b0c3a52-0c1e-4c47-9a57-4d2a1e8f0a11', 'a@example.com', 'x');");
  testing::TempDir tmp("pgdrift-demo-path");
  const std::string out = tmp.file("reconciled");
  auto reconciled =
      testing::run_program({PGDRIFT_BINARY, "reconcile", "--history",
                            "alembic=" + testing::fixture_path("mita/alembic/versions"),
                            "--history", "sql=" + testing::fixture_path("mita/migrations_sql"),
                            "--prefer-safer", "--db", db.url, "--out", out});
  ASSERT_EQ(reconciled.exit_code, 0) << reconciled.out << reconciled.err;
  EXPECT_NE(reconciled.out.find("prefer-safer"), std::string::npos) << reconciled.out;
  auto applied = testing::run_program(
      {PGDRIFT_BINARY, "apply", "--db", db.url, "--to", out + "/schema", "--allow-hazards", "all"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  auto drift =
      testing::run_program({PGDRIFT_BINARY, "drift", "--desired", out + "/schema", "--db", db.url});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;
  EXPECT_EQ(testing::query_value(db.conninfo, "SELECT email FROM users"), "a@example.com");
}

// No rule decides what ON DELETE should do: --prefer-safer leaves it open, exit 1.
TEST(ReconcileCli, GenuinelyAmbiguousConflictStaysUnresolved) {
  testing::TempDir dir("pgdrift-reconcile-cli");
  std::string users = "CREATE TABLE users (id uuid PRIMARY KEY, email varchar(100));\n";
  dir.write("a/001_init.sql", users +
                                  "CREATE TABLE orders (id uuid PRIMARY KEY, user_id uuid "
                                  "REFERENCES users(id) ON DELETE CASCADE);\n");
  dir.write("b/001_init.sql",
            users +
                "CREATE TABLE orders (id uuid PRIMARY KEY, user_id uuid REFERENCES users(id));\n"
                "ALTER TABLE users ALTER COLUMN email TYPE text;\n");
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {PGDRIFT_BINARY,  "reconcile",
                                     "--history",     "a=" + (dir.path / "a").string(),
                                     "--history",     "b=" + (dir.path / "b").string(),
                                     "--format",      "json",
                                     "--prefer-safer"};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_program(args);
  };
  auto safer = run({});
  ASSERT_EQ(safer.exit_code, 1) << safer.err << safer.out;
  json report = json::parse(safer.out);
  EXPECT_EQ(report["unresolved"], 1);
  json fk = find_conflict(report, "public.orders constraint orders_user_id_fkey");
  ASSERT_FALSE(fk.is_null());
  EXPECT_FALSE(fk["resolved"].get<bool>());
  EXPECT_TRUE(find_conflict(report, "public.users.email")["resolved"].get<bool>());  // wider
  auto decided = run({"--prefer", "b"});
  EXPECT_EQ(decided.exit_code, 0) << decided.err << decided.out;
}

// `drift --history DIR` replays an Alembic versions directory as the "database": equal to a
// schema written from the same history, and drifted from the MITA schema (chain two's objects).
TEST(DriftAlembicHistory, ReplayedChainComparedWithADesiredSchema) {
  testing::TempDir dir("pgdrift-reconcile-cli");
  std::string chain = testing::fixture_path("mita/alembic/versions");
  auto written = testing::run_program({PGDRIFT_BINARY, "reconcile", "--history", "a=" + chain,
                                       "--history", "b=" + chain, "--out", dir.path.string()});
  ASSERT_EQ(written.exit_code, 0) << written.err << written.out;
  auto clean =
      testing::run_program({PGDRIFT_BINARY, "drift", "--desired", (dir.path / "schema").string(),
                            "--history", chain, "--format", "json"});
  EXPECT_EQ(clean.exit_code, 0) << clean.err << clean.out;
  EXPECT_EQ(json::parse(clean.out)["databases"][0]["name"], "history:" + chain);

  auto drifted = testing::run_program({PGDRIFT_BINARY, "drift", "--desired",
                                       testing::fixture_path("mita/schema"), "--history", chain,
                                       "--format", "json"});
  ASSERT_EQ(drifted.exit_code, 1) << drifted.err << drifted.out;
  std::set<std::string> entries;
  json report = json::parse(drifted.out);
  for (const auto& e : report["databases"][0]["entries"])
    entries.insert(e["drift"].get<std::string>() + " " + e["name"].get<std::string>());
  EXPECT_TRUE(entries.count("missing public.budget_advice")) << drifted.out;
  EXPECT_TRUE(entries.count("missing public.users.timezone")) << drifted.out;
  EXPECT_FALSE(entries.count("missing public.users")) << drifted.out;  // the chain made it
}

}  // namespace
}  // namespace pgdrift
