// The MITA scenario against a real PostgreSQL: one database migrated by two Alembic
// environments. Chain one (fixtures/mita/alembic/versions) ran fully; chain two
// (fixtures/mita/migrations, version table alembic_version_migrations) ran up to
// 0004_user_timezone, its migrations whose objects chain one had already made being stamped.
// `pgdrift reconcile` must list the planted conflicts with both sources, find each chain's
// applied revision, and plan the database to the reconciled target so that it converges.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/diff.h"
#include "schema/history/history.h"
#include "schema/live/introspect.h"
#include "schema/live/version_tables.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_test_env.h"

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
    out_ =
        (fs::temp_directory_path() / ("pgdrift-reconcile-" + std::to_string(::getpid()))).string();
    fs::remove_all(out_);
  }
  void TearDown() override { fs::remove_all(out_); }

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
  std::string out_;
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

TEST_F(ReconcileMita, PreferSaferReportsEveryPlantedConflictWithBothSources) {
  auto run = reconcile({"--prefer-safer"});
  ASSERT_EQ(run.exit_code, 1) << run.err;  // text vs varchar(n) & co: no rule, no guess
  json report = json::parse(run.out);
  EXPECT_GT(report["unresolved"].get<int>(), 0);
  EXPECT_TRUE(report["written"].empty());

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
  EXPECT_TRUE(amount["resolved"].get<bool>());
  EXPECT_EQ(amount["taken"], "alembic");

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

  // Live: each chain's version table, and the schema's best match for chain one.
  json one = live_history(report, "alembic");
  EXPECT_EQ(one["claimed"], json::array({"0006_fix_financial_data_types"}));
  EXPECT_EQ(one["version_table"], "public.alembic_version");
  EXPECT_EQ(one["best_match"], "0006_fix_financial_data_types");
  json two = live_history(report, "migrations");
  EXPECT_EQ(two["claimed"], json::array({"0004_user_timezone"}));
  EXPECT_EQ(two["version_table"], "public.alembic_version_migrations");
  // The schema alone cannot tell that chain two stopped at 0004: chain one already made what
  // its 0005 (push_platform, push_tokens.platform) and 0006 (the same index) make, so the best
  // match is 0006 -- the report says that the version table and the schema disagree.
  EXPECT_EQ(two["best_match"], "0006_transactions_user_created_at_idx");
  auto distance = [&](const std::string& id) {
    for (const auto& d : two["distances"])
      if (d["migration"] == id) return d["distance"].get<int>();
    return -1;
  };
  EXPECT_LT(distance("0004_user_timezone"), distance("0003_budget_advice_table"));
  EXPECT_LT(distance("0006_transactions_user_created_at_idx"),
            distance("0007_ai_advice_templates"));
  EXPECT_EQ(report["live"]["plan"]["steps"], 0);  // no plan for an unresolved target
}

TEST_F(ReconcileMita, ResolvedTargetIsWrittenAndThePlanConverges) {
  // Safer rules first; then the surrogate keys stay uuid as the live data has them (chain two's
  // serial ids cannot take the uuids back); everything else as chain two wrote it.
  fs::create_directories(out_);
  std::string resolutions = out_ + "/resolutions.txt";
  std::ofstream(resolutions) << "public.expenses.id = take alembic\n"
                                "public.moods.id = take alembic\n"
                                "public.push_tokens.id = take alembic\n";
  auto run = reconcile(
      {"--prefer-safer", "--resolutions", resolutions, "--prefer", "migrations", "--out", out_});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  json report = json::parse(run.out);
  EXPECT_EQ(report["unresolved"], 0);

  // The schema directory loads back into the target.
  auto target = schema::sql::load_path(out_ + "/schema").model;
  const auto& expenses = target.tables.at("public.expenses");
  EXPECT_EQ(expenses.find_column("amount")->type, "numeric(12,2)");
  EXPECT_EQ(expenses.find_column("user_id")->type, "uuid");
  EXPECT_TRUE(expenses.constraints.count("expenses_user_id_fkey"));
  EXPECT_EQ(target.tables.at("public.users").find_column("id")->type, "uuid");
  EXPECT_EQ(target.tables.at("public.subscriptions").find_column("price")->type, "numeric(12,2)");
  for (std::string t : {"users", "transactions", "expenses", "goals", "moods", "push_tokens",
                        "subscriptions", "budget_advice", "ai_advice_templates"})
    EXPECT_TRUE(target.tables.count("public." + t)) << t;
  std::ifstream tables(out_ + "/schema/20_tables.sql");
  std::string text((std::istreambuf_iterator<char>(tables)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("-- from: alembic 0006_fix_financial_data_types ("), std::string::npos);
  EXPECT_NE(text.find("-- from: migrations 0001_initial (" +
                      testing::fixture_path("mita/migrations/0001_initial.py") + ":"),
            std::string::npos);
  EXPECT_EQ(target.tables.at("public.users").find_column("email")->type,
            "character varying(255)");  // --prefer migrations

  // The drift of the live database is reported, and the plan is written.
  EXPECT_GT(report["live"]["drift_from_target"]["objects"].get<int>(), 0);
  ASSERT_TRUE(fs::exists(out_ + "/plan.sql"));
  ASSERT_TRUE(fs::exists(out_ + "/plan.md"));

  // Applied to the live database, the plan converges to the target.
  testing::test_cluster().psql_file(db_.name, out_ + "/plan.sql");
  auto live = schema::live::introspect(db_.conninfo).model;
  live.tables.erase("public.alembic_version");
  live.tables.erase("public.alembic_version_migrations");
  auto left = engine::describe_changes(engine::diff_models(live, target));
  std::string joined;
  for (const auto& l : left) joined += l + "\n";
  EXPECT_TRUE(left.empty()) << "after the plan the database still differs:\n" << joined;
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
    if (m.name.find("user_timezone") != std::string::npos) break;
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
  EXPECT_EQ(sql["best_match"], last);
  EXPECT_EQ(sql["best_match_distance"], 0);
  EXPECT_EQ(live_history(report, "alembic")["claimed"], json::array());
}

}  // namespace
}  // namespace pgdrift
