// `pgdrift drift` against real databases: clean databases exit 0, every kind of drift is found
// with the right attribute and source location (exit 1), unreadable databases exit 2 without
// leaking passwords while the other databases are still reported, the MITA fixture reports
// exactly its planted drift, and a fleet of databases is checked concurrently.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/support/fixtures.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandOutput drift(std::vector<std::string> args) {
  args.insert(args.begin(), {PGDRIFT_BINARY, "drift"});
  return run_program(args);
}

// "drift object_kind name" of every entry of database `index`, sorted.
std::set<std::string> entry_set(const json& report, size_t index = 0) {
  std::set<std::string> out;
  for (const auto& e : report["databases"][index]["entries"])
    out.insert(e["drift"].get<std::string>() + " " + e["object_kind"].get<std::string>() + " " +
               e["name"].get<std::string>());
  return out;
}

const json* entry(const json& report, const std::string& name, size_t index = 0) {
  for (const auto& e : report["databases"][index]["entries"])
    if (e["name"] == name) return &e;
  return nullptr;
}

std::string dump(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += "  " + i + "\n";
  return out;
}

// The desired schema: one file, so locations are easy to predict (line numbers below).
const char* kDesiredSql =
    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n"                           // 1
    "CREATE TABLE users (\n"                                                       // 2
    "  id integer PRIMARY KEY,\n"                                                  // 3
    "  email text NOT NULL,\n"                                                     // 4
    "  country text DEFAULT 'US',\n"                                               // 5
    "  balance numeric(12,2),\n"                                                   // 6
    "  timezone text\n"                                                            // 7
    ");\n"                                                                         // 8
    "CREATE TABLE posts (\n"                                                       // 9
    "  id integer PRIMARY KEY,\n"                                                  // 10
    "  user_id integer NOT NULL,\n"                                                // 11
    "  CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id)\n"     // 12
    ");\n"                                                                         // 13
    "CREATE INDEX posts_user_idx ON posts (user_id);\n"                            // 14
    "CREATE TABLE audit (id integer);\n"                                           // 15
    "CREATE VIEW active_users AS SELECT id, email FROM users WHERE id > 0;\n"      // 16
    "CREATE FUNCTION answer() RETURNS integer LANGUAGE sql AS $$ SELECT 42 $$;\n"  // 17
    "COMMENT ON TABLE users IS 'People who log in.';\n";                           // 18

// The same schema with one drift of each kind (see the expectations in EveryKindOfDrift).
const char* kDriftedSql =
    "CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
    "CREATE TABLE users (\n"
    "  id integer PRIMARY KEY,\n"
    "  email text,\n"
    "  country text DEFAULT 'FR',\n"
    "  balance double precision,\n"
    "  nickname text\n"
    ");\n"
    "CREATE TABLE posts (\n"
    "  id integer PRIMARY KEY,\n"
    "  user_id integer NOT NULL\n"
    ");\n"
    "CREATE INDEX posts_id_user_idx ON posts (id, user_id);\n"
    "CREATE TABLE legacy (id integer);\n"
    "CREATE VIEW active_users AS SELECT id, email FROM users WHERE id > 10;\n"
    "CREATE FUNCTION answer() RETURNS integer LANGUAGE sql AS $$ SELECT 41 $$;\n"
    "COMMENT ON TABLE users IS 'Old comment.';\n";

TEST(DriftCli, SameSchemaIsNoDrift) {
  TempDir tmp;
  std::string desired = tmp.write("schema.sql", kDesiredSql);
  auto db = create_fresh_database(kDesiredSql);
  auto r = drift({"--desired", desired, "--db", db.url, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = parse_json_output(r);
  EXPECT_EQ(report["databases"][0]["status"], "clean") << r.out;
  EXPECT_TRUE(report["databases"][0]["entries"].empty()) << r.out;

  auto text = drift({"--desired", desired, "--db", db.conninfo});
  EXPECT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("no drift in 1 database"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find('\033'), std::string::npos) << "no colour when stdout is not a TTY";
}

TEST(DriftCli, EveryKindOfDriftIsFoundWithAttributeAndLocation) {
  TempDir tmp;
  std::string desired = tmp.write("schema.sql", kDesiredSql);
  auto db = create_fresh_database(kDriftedSql);
  auto r = drift({"--desired", desired, "--db", db.conninfo, "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = parse_json_output(r);
  std::set<std::string> expected = {
      "differs enum public.mood",                       // enum value
      "differs column public.users.email",              // nullability
      "differs column public.users.country",            // default
      "differs column public.users.balance",            // type
      "missing column public.users.timezone",           // missing column
      "unexpected column public.users.nickname",        // extra column
      "differs table public.users",                     // comment
      "missing constraint public.posts.posts_user_fk",  // missing constraint
      "missing index public.posts_user_idx",            // missing index
      "unexpected index public.posts_id_user_idx",      // extra index
      "missing table public.audit",                     // missing table
      "unexpected table public.legacy",                 // extra table
      "differs view public.active_users",               // view body
      "differs function public.answer()",               // function body
  };
  EXPECT_EQ(entry_set(report), expected) << "got:\n"
                                         << dump(entry_set(report)) << "expected:\n"
                                         << dump(expected);

  struct Attribute {
    std::string entry, path, desired, live;
    int line;
  };
  const std::vector<Attribute> attributes = {
      {"public.users.balance", "columns.balance.type", "\"numeric(12,2)\"", "\"double precision\"",
       6},
      {"public.users.email", "columns.email.not_null", "true", "false", 4},
      {"public.users.country", "columns.country.default_expr", "\"'US'\"", "\"'FR'\"", 5},
      {"public.mood", "values", "[\"sad\",\"ok\",\"happy\"]", "[\"sad\",\"ok\"]", 1},
      {"public.users", "comment", "\"People who log in.\"", "\"Old comment.\"", 2},
      {"public.active_users", "query", "", "", 16},
      {"public.answer()", "body", "\" SELECT 42 \"", "\" SELECT 41 \"", 17},
  };
  for (const auto& a : attributes) {
    const json* e = entry(report, a.entry);
    ASSERT_NE(e, nullptr) << a.entry;
    ASSERT_EQ((*e)["differences"].size(), 1u) << (*e).dump(2);
    const auto& d = (*e)["differences"][0];
    EXPECT_EQ(d["path"], a.path) << (*e).dump(2);
    // Canonical expression text is the canonicaliser's business: compare only when given.
    if (!a.desired.empty()) {
      EXPECT_EQ(d["desired"].dump(), a.desired) << (*e).dump(2);
    }
    if (!a.live.empty()) {
      EXPECT_EQ(d["live"].dump(), a.live) << (*e).dump(2);
    }
    EXPECT_NE(d["desired"], d["live"]);
    EXPECT_EQ((*e)["location"]["file"], desired) << a.entry;
    EXPECT_EQ((*e)["location"]["line"], a.line) << a.entry;
  }
  // Severity: an extra index and a comment-only difference are warnings.
  EXPECT_EQ((*entry(report, "public.posts_id_user_idx"))["severity"], "warning");
  EXPECT_EQ((*entry(report, "public.users"))["severity"], "warning");
  EXPECT_EQ((*entry(report, "public.users.balance"))["severity"], "error");
  // Fix statements come from the planner, with hazards.
  const auto& fix = (*entry(report, "public.users.balance"))["fix"];
  ASSERT_FALSE(fix.empty()) << r.out;
  EXPECT_NE(fix[0]["statement"].get<std::string>().find("numeric(12,2)"), std::string::npos);
  EXPECT_FALSE(fix[0]["hazards"].empty());
}

TEST(DriftCli, FormatsAndIgnoreFile) {
  TempDir tmp;
  std::string desired = tmp.write("schema.sql", kDesiredSql);
  auto db = create_fresh_database(kDriftedSql);
  // Ignore everything that drifted: the exit code becomes 0, the entries stay (ignored).
  std::string rules =
      tmp.write("drift.ignore",
                "# accepted\npublic.users*\ntable:public.*\nindex:public.posts_*\n"
                "enum:public.mood\nview:public.active_users\nfunction:public.answer*\n"
                "constraint:public.posts.*\n");
  auto r =
      drift({"--desired", desired, "--db", db.conninfo, "--format", "json", "--ignore", rules});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = parse_json_output(r);
  EXPECT_EQ(report["summary"]["drift"], 0);
  EXPECT_EQ(report["summary"]["ignored"], 14);

  auto bad_rules = tmp.write("bad.ignore", "tabel:public.x\n");
  auto bad = drift({"--desired", desired, "--db", db.conninfo, "--ignore", bad_rules});
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;

  for (const char* format : {"junit", "sarif", "github", "text"}) {
    std::string out = (tmp.path / (std::string("report.") + format)).string();
    auto f =
        drift({"--desired", desired, "--db", db.conninfo, "--format", format, "--output", out});
    EXPECT_EQ(f.exit_code, 1) << format << f.err;
    EXPECT_TRUE(f.out.empty()) << format << ": --output writes to the file only";
    EXPECT_NE(read_text(out).find("public.users.balance"), std::string::npos) << format;
  }
  std::string github = read_text((tmp.path / "report.github").string());
  EXPECT_NE(github.find("::error file=" + desired + ",line=6,"), std::string::npos) << github;
}

// A second cluster whose non-superuser roles must give a password (the shared test cluster
// trusts everyone): pg_hba.conf is rewritten and reloaded.
TEST(DriftCli, UnreadableDatabasesExitTwoWithoutPasswords) {
  TempDir tmp;
  std::string desired = tmp.write("schema.sql", kDesiredSql);
  const std::string secret = "Xy7-secret-Pw";
  const std::string wrong = "Wr0ng-pass-Qz9";

  auto cluster = pg::ScratchCluster::start();
  cluster->execute("postgres", "CREATE ROLE drift_app LOGIN PASSWORD '" + secret + "';");
  {
    std::ofstream hba(cluster->dir() + "/data/pg_hba.conf", std::ios::trunc);
    hba << "local all postgres trust\nlocal all all scram-sha-256\n";
  }
  cluster->execute("postgres", "SELECT pg_reload_conf();");
  const std::string socket = "host=" + cluster->dir() + " port=" + std::to_string(cluster->port());

  struct Case {
    std::string what, conninfo;
  };
  const std::vector<Case> cases = {
      {"wrong password", socket + " user=drift_app password=" + wrong + " dbname=postgres"},
      {"closed port", "postgresql://drift_app:" + secret + "@127.0.0.1:1/postgres"},
      {"missing database",
       socket + " user=drift_app password=" + secret + " dbname=no_such_database_x"},
  };
  for (const auto& c : cases) {
    for (const char* format : {"text", "json", "sarif"}) {
      auto r = drift({"--desired", desired, "--db", c.conninfo, "--format", format});
      EXPECT_EQ(r.exit_code, 2) << c.what << " " << format << "\n" << r.out << r.err;
      for (const auto& pw : {secret, wrong}) {
        EXPECT_EQ(r.out.find(pw), std::string::npos) << c.what << " leaks a password:\n" << r.out;
        EXPECT_EQ(r.err.find(pw), std::string::npos) << c.what << " leaks a password:\n" << r.err;
      }
      if (std::string(format) == "json") {
        EXPECT_EQ(parse_json_output(r)["databases"][0]["status"], "error") << r.out;
      }
    }
  }
  // The right password works: the failure above was the password, not the setup.
  auto ok = drift({"--desired", desired, "--db",
                   socket + " user=drift_app password=" + secret + " dbname=postgres"});
  EXPECT_EQ(ok.exit_code, 1) << ok.out << ok.err;  // an empty database lacks everything
}

TEST(DriftCli, DriftAndUnreachableDatabaseReportsBoth) {
  TempDir tmp;
  std::string desired = tmp.write("schema.sql", kDesiredSql);
  auto db = create_fresh_database(kDriftedSql);
  auto r = drift({"--desired", desired, "--db", "prod=" + db.url, "--db",
                  "down=postgresql://u:Pw-4-down@127.0.0.1:1/x", "--format", "json"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  json report = parse_json_output(r);
  ASSERT_EQ(report["databases"].size(), 2u) << r.out;
  EXPECT_EQ(report["databases"][0]["name"], "prod");
  EXPECT_EQ(report["databases"][0]["status"], "drift");
  EXPECT_EQ(report["databases"][0]["entries"].size(), 14u);
  EXPECT_EQ(report["databases"][1]["name"], "down");
  EXPECT_EQ(report["databases"][1]["status"], "error");
  EXPECT_EQ(r.out.find("Pw-4-down"), std::string::npos);
  EXPECT_EQ(r.err.find("Pw-4-down"), std::string::npos);

  // The real output (drift with fix steps, and an error database) matches the published schema.
  std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << "python3-jsonschema is missing (scripts/install-deps.sh)";
  auto valid = run_program(
      {python, "-c",
       "import json, sys, jsonschema\n"
       "schema = json.load(open(sys.argv[1]))\n"
       "jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))\n",
       std::string(PGDRIFT_SOURCE_DIR) + "/docs/schemas/drift-report.schema.json",
       tmp.write("report.json", r.out)});
  EXPECT_EQ(valid.exit_code, 0) << valid.err << "\n" << r.out;
}

TEST(DriftCli, MitaReportsExactlyItsPlantedDrift) {
  auto db = create_fresh_database(read_text(fixture_path("mita/live.sql")));
  auto r =
      drift({"--desired", fixture_path("mita/schema"), "--db", db.conninfo, "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = parse_json_output(r);
  // The header comment of fixtures/mita/live.sql lists these drifts and nothing else.
  std::set<std::string> expected = {
      // 1. money columns are double precision
      "differs column public.transactions.amount",
      "differs column public.expenses.amount",
      "differs column public.goals.target_amount",
      "differs column public.goals.current_amount",
      "differs column public.subscriptions.price",
      // 2. expenses.user_id is text, and its foreign key is absent
      "differs column public.expenses.user_id",
      "missing constraint public.expenses.expenses_user_id_fkey",
      // 3. two missing foreign keys
      "missing constraint public.goals.goals_user_id_fkey",
      "missing constraint public.moods.moods_user_id_fkey",
      // 4. one extra index
      "unexpected index public.transactions_created_at_idx",
      // 5. one missing column
      "missing column public.users.timezone",
  };
  EXPECT_EQ(entry_set(report), expected) << "got:\n"
                                         << dump(entry_set(report)) << "expected:\n"
                                         << dump(expected);
  for (const auto& e : report["databases"][0]["entries"]) {
    if (e["drift"] != "differs" || e["object_kind"] != "column") continue;
    ASSERT_EQ(e["differences"].size(), 1u) << e.dump(2);
    EXPECT_EQ(e["differences"][0]["path"].get<std::string>().substr(0, 8), "columns.");
    EXPECT_TRUE(e["differences"][0]["live"] == "double precision" ||
                e["differences"][0]["live"] == "text")
        << e.dump(2);
    EXPECT_NE(e["location"]["file"].get<std::string>().find("fixtures/mita/schema/"),
              std::string::npos);
  }
}

TEST(DriftCli, FleetOfTwentyDatabasesWithFourJobs) {
  TempDir tmp;
  std::string desired = tmp.write("schema.sql", kDesiredSql);
  std::string targets = "# fleet\n";
  std::vector<bool> drifted;
  for (int i = 0; i < 20; ++i) {
    // Every third database lacks users.timezone; the others match.
    bool drift_here = i % 3 == 0;
    std::string sql = kDesiredSql;
    if (drift_here) sql += "ALTER TABLE users DROP COLUMN timezone;\n";
    auto db = create_fresh_database(sql);
    targets += (i % 2 ? "db" + std::to_string(i) + "=" + db.url : db.conninfo) + "\n";
    drifted.push_back(drift_here);
  }
  std::string file = tmp.write("targets.txt", targets);
  auto r = drift({"--desired", desired, "--targets", file, "--jobs", "4", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = parse_json_output(r);
  ASSERT_EQ(report["databases"].size(), 20u) << r.out;
  for (size_t i = 0; i < 20; ++i) {
    const auto& db = report["databases"][i];
    if (i % 2) {
      EXPECT_EQ(db["name"], "db" + std::to_string(i));
    }
    if (drifted[i]) {
      EXPECT_EQ(entry_set(report, i), std::set<std::string>{"missing column public.users.timezone"})
          << i;
    } else {
      EXPECT_EQ(db["status"], "clean") << i << db.dump(2);
    }
  }
}

TEST(DriftCli, HistoryReplayNeedsNoDatabase) {
  TempDir tmp;
  std::string desired =
      tmp.write("schema.sql", "CREATE TABLE t (id integer PRIMARY KEY, name text);\n");
  tmp.write("migrations/001_create.sql", "CREATE TABLE t (id integer PRIMARY KEY);\n");
  tmp.write("migrations/002_name.sql", "ALTER TABLE t ADD COLUMN name text;\n");
  std::string dir = (tmp.path / "migrations").string();
  auto clean = drift({"--desired", desired, "--history", dir, "--format", "json"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_EQ(parse_json_output(clean)["databases"][0]["name"], "history:" + dir);

  tmp.write("migrations/003_drop.sql", "ALTER TABLE t DROP COLUMN name;\n");
  auto drifted = drift({"--desired", desired, "--history", dir, "--format", "json"});
  EXPECT_EQ(drifted.exit_code, 1) << drifted.out << drifted.err;
  EXPECT_EQ(entry_set(parse_json_output(drifted)),
            std::set<std::string>{"missing column public.t.name"});

  auto missing = drift({"--desired", desired, "--history", (tmp.path / "nope").string()});
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
}

// A role without USAGE on schema public reads every name of public back qualified
// (`public.gen_random_bytes(6)`, `FROM public.transactions`): the canonical form drops the
// qualifier, so the MITA schema still has no drift.
TEST(DriftCli, RoleWithoutUsageOnPublicSeesNoFalseDrift) {
  test_cluster().execute("postgres",
                         "DO $$ BEGIN CREATE ROLE pgdrift_no_public LOGIN; EXCEPTION WHEN "
                         "duplicate_object THEN NULL; END $$;");
  std::string sql;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fixture_path("mita/schema")))
    if (entry.path().extension() == ".sql") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) sql += read_text(file.string()) + "\n";
  auto db = create_fresh_database(sql + "REVOKE USAGE ON SCHEMA public FROM PUBLIC;");
  const std::string as_role = test_cluster().conninfo(db.name) + " user=pgdrift_no_public";
  ASSERT_NE(
      query_value(as_role,
                  "SELECT pg_get_viewdef(oid) FROM pg_class WHERE relname = 'monthly_spending'")
          .find("public.transactions"),
      std::string::npos)
      << "the role should read public's names qualified";
  auto r = drift({"--desired", fixture_path("mita/schema"), "--db", as_role});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// --schema filters both sides the same way: pgcrypto, installed in public, is out of scope on
// the database side and on the desired side alike.
const char* kAppWithExtensionSql =
    "CREATE EXTENSION pgcrypto;\n"
    "CREATE SCHEMA app;\n"
    "CREATE TABLE app.accounts (id integer PRIMARY KEY, token text DEFAULT "
    "encode(gen_random_bytes(8), 'hex'));\n"
    "CREATE TABLE app_audit (id integer);\n"
    "CREATE SCHEMA app_log;\n"
    "CREATE TABLE app_log.entries (id integer);\n";

TEST(DriftCli, SchemaFilterAppliesToBothSides) {
  TempDir tmp;
  const std::string desired = tmp.write("schema.sql", kAppWithExtensionSql);
  auto db = create_fresh_database(kAppWithExtensionSql);
  for (const std::vector<std::string>& filter : {std::vector<std::string>{"--schema", "app"},
                                                 {"-n", "app"},
                                                 {"-n", "app*"},
                                                 {"--schema", "public"},
                                                 {"-N", "app", "--exclude-schema", "app_log"},
                                                 {"-t", "app.accounts"},
                                                 {"--table", "app_audit"},
                                                 {"-n", "app", "-T", "app.acc*"}}) {
    std::vector<std::string> args = {"--desired", desired, "--db", db.url, "--format", "json"};
    args.insert(args.end(), filter.begin(), filter.end());
    auto r = drift(args);
    EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(filter) << "\n" << r.out << r.err;
  }
  // The database drifts inside and outside the filter: only what is selected is reported.
  test_cluster().execute(db.name,
                         "DROP TABLE app_audit; DROP TABLE app_log.entries;"
                         " ALTER TABLE app.accounts ADD COLUMN note text;");
  auto in_app = drift({"--desired", desired, "--db", db.url, "--format", "json", "-n", "app"});
  EXPECT_EQ(in_app.exit_code, 1) << in_app.out << in_app.err;
  EXPECT_EQ(entry_set(parse_json_output(in_app)),
            std::set<std::string>{"unexpected column app.accounts.note"});
  auto log = drift({"--desired", desired, "--db", db.url, "--format", "json", "-n", "app_l?g"});
  EXPECT_EQ(entry_set(parse_json_output(log)),
            std::set<std::string>{"missing table app_log.entries"});
}

TEST(DriftCli, PatternThatMatchesNothingIsAnError) {
  TempDir tmp;
  const std::string desired = tmp.write("schema.sql", kAppWithExtensionSql);
  auto db = create_fresh_database(kAppWithExtensionSql);
  auto nosuch = drift({"--desired", desired, "--db", db.url, "--schema", "nosuch"});
  EXPECT_EQ(nosuch.exit_code, 2) << nosuch.out << nosuch.err;
  EXPECT_NE(nosuch.err.find("--schema 'nosuch' matched nothing in the desired schema or the "
                            "database"),
            std::string::npos)
      << nosuch.err;
  EXPECT_EQ(nosuch.out.find("no drift"), std::string::npos) << nosuch.out;
  auto table = drift({"--desired", desired, "--db", db.url, "-t", "app.nosuch"});
  EXPECT_EQ(table.exit_code, 2) << table.out << table.err;
  EXPECT_NE(table.err.find("--table 'app.nosuch'"), std::string::npos) << table.err;
  // One side is enough: a schema only the desired side has is drift, not a mistake.
  const std::string more =
      tmp.write("more.sql", std::string(kAppWithExtensionSql) + "CREATE SCHEMA billing;\n");
  auto missing = drift({"--desired", more, "--db", db.url, "--format", "json", "-n", "billing"});
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_EQ(entry_set(parse_json_output(missing)), std::set<std::string>{"missing schema billing"});
  auto bad = drift({"--desired", desired, "--db", db.url, "-n", "app.x.y"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("too many dotted names"), std::string::npos) << bad.err;
}

TEST(DriftCli, UsageErrorsExitTwo) {
  TempDir tmp;
  std::string desired = tmp.write("schema.sql", kDesiredSql);
  EXPECT_EQ(drift({"--desired", desired}).exit_code, 2) << "no target";
  EXPECT_EQ(drift({"--desired", (tmp.path / "missing.sql").string(), "--db", "host=/x dbname=y"})
                .exit_code,
            2);
  EXPECT_EQ(drift({"--desired", desired, "--db", "host=/x", "--format", "xml"}).exit_code, 2);
}

}  // namespace
}  // namespace pgdrift::testing
