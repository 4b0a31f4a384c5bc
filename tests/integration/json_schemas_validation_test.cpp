// The published JSON Schemas (docs/schemas/*.schema.json) against real output built in-process:
// a drift report with every kind of entry (every object kind, missing / unexpected / differs,
// both severities, ignored entries, fix steps with hazards, an unreadable database, a replayed
// history), a plan with hazards, preflights, notes and non-transactional steps, and the model of
// the MITA fixture plus a snippet with every object kind; the lint and reconcile reports of the
// built binary (every lint rule, every conflict kind; no database needed: the apply reports and
// reconcile's live section are in json_schemas_cli_test.cpp). Validation runs in
// python3-jsonschema (installed by scripts/install-deps.sh), a child process, so these are
// integration tests; the enums of the schemas against the code are unit tests
// (tests/unit/json_schemas_enums_test.cpp). Broken documents must be rejected, so the schemas
// really constrain something.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "engine/drift.h"
#include "engine/ignore_rules.h"
#include "engine/lint.h"
#include "engine/reconcile.h"
#include "planner/apply.h"
#include "planner/plan.h"
#include "schema/history/history.h"
#include "schema/json.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::enum_of;
using testing::expect_rejected;
using testing::JsonMutation;
using testing::kNoJsonschema;
using testing::python_with_jsonschema;
using testing::schema_path;
using testing::TempDir;

json read_json(const std::string& path) { return json::parse(testing::read_text_file(path)); }

std::string validate_one(const std::string& python, const std::string& schema_file,
                         const json& document) {
  return testing::validate_json(python, schema_file, {document})[0];
}

// ---- inputs ------------------------------------------------------------------------------

schema::Model load_sql(const std::string& sql, const std::string& file) {
  schema::Model model;
  std::vector<schema::sql::LoadWarning> warnings;
  schema::sql::apply_sql(model, sql, file, {}, warnings);
  EXPECT_TRUE(warnings.empty());
  return model;
}

// The desired schema: one object of every kind the drift report names.
const char* kDesiredSql = R"sql(
CREATE SCHEMA billing;
CREATE EXTENSION pgcrypto;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE pair AS (a integer, b text);
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE SEQUENCE counter START 10;
CREATE FUNCTION answer() RETURNS integer LANGUAGE sql AS $$ SELECT 42 $$;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE PROCEDURE cleanup() LANGUAGE sql AS $$ SELECT 1 $$;
CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer);
CREATE COLLATION bytes (locale = 'C');
CREATE TABLE users (
  id integer PRIMARY KEY,
  email text NOT NULL,
  balance numeric(12,2),
  feeling mood
);
CREATE TABLE posts (
  id integer PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  CONSTRAINT posts_id_check CHECK (id > 0)
);
CREATE INDEX posts_user_idx ON posts (user_id);
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_self ON users USING (id > 0);
CREATE VIEW active_users AS SELECT id FROM users WHERE id > 0;
CREATE MATERIALIZED VIEW user_counts AS SELECT count(*) AS n FROM users;
CREATE TABLE audit (id integer);
COMMENT ON TABLE users IS 'People who log in.';
)sql";

// The "live" schema: each object above drifted in some way.
const char* kLiveSql = R"sql(
CREATE SCHEMA legacy;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TYPE pair AS (a integer, b varchar);
CREATE DOMAIN positive AS integer CHECK (VALUE >= 0);
CREATE SEQUENCE counter START 1;
CREATE FUNCTION answer() RETURNS integer LANGUAGE sql AS $$ SELECT 41 $$;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE PROCEDURE cleanup() LANGUAGE sql AS $$ SELECT 2 $$;
CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
CREATE TABLE users (
  id integer PRIMARY KEY,
  email text,
  balance double precision,
  feeling mood,
  nickname text
);
CREATE TABLE posts (
  id integer PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id)
);
CREATE INDEX posts_id_user_idx ON posts (id, user_id);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_self ON users USING (id >= 0);
CREATE VIEW active_users AS SELECT id FROM users WHERE id > 10;
CREATE MATERIALIZED VIEW user_counts AS SELECT count(*) + 1 AS n FROM users;
CREATE TABLE legacy_log (id integer);
COMMENT ON TABLE users IS 'Old comment.';
)sql";

// What `pgdrift drift` does for one database (cli/cmd_drift.cpp): drift, the planner's fix
// steps with their hazard codes, then the ignore rules.
engine::DatabaseDrift drift_of(const std::string& label, const schema::Model& desired,
                               const schema::Model& live,
                               const std::vector<engine::IgnoreRule>& rules,
                               bool privileges = false) {
  planner::PlanOptions options;
  options.diff.compare_privileges = privileges;
  engine::DatabaseDrift db = engine::compute_drift(desired, live, options.diff);
  db.label = label;
  std::vector<engine::NamedFixStep> steps;
  try {
    for (const auto& s : planner::make_plan(live, desired, options).steps) {
      engine::FixStep step{s.statement, {}};
      for (auto h : s.hazards) step.hazards.push_back(planner::hazard_code(h));
      steps.push_back({s.object_kind, s.object_name, std::move(step)});
    }
  } catch (const planner::PlanRefused&) {
    // As in the CLI: no fix statements when no plan can be made (the replayed MITA history
    // has an integer id that the desired schema makes a uuid, which PostgreSQL cannot cast).
  }
  // A step that belongs to no entry lands in other_fix.
  steps.push_back(
      {"grant", "public.nowhere", {"GRANT SELECT ON public.nowhere TO app;", {"authz"}}});
  // As in the CLI, only a database with drift gets fix steps.
  if (!db.entries.empty()) engine::attach_fix_steps(db, steps);
  engine::apply_ignore_rules(db, rules);
  return db;
}

engine::DriftReport full_drift_report() {
  schema::Model desired = load_sql(kDesiredSql, "schema/desired.sql");
  schema::Model live = load_sql(kLiveSql, "live.sql");
  auto rules =
      engine::parse_ignore_rules("table:public.legacy_log\nschema:legacy\n", ".pgdriftignore");
  engine::DriftReport report;
  report.desired = "schema/desired.sql";
  report.databases.push_back(drift_of("prod", desired, live, rules));
  report.databases.push_back(drift_of("staging", desired, desired, rules));
  // Clean but with an ignored entry.
  schema::Model live_plus_log = desired;
  live_plus_log.tables["public.legacy_log"] = live.tables.at("public.legacy_log");
  report.databases.push_back(drift_of("replica", desired, live_plus_log, rules));
  // `--history`: a replayed migration chain (here the MITA fixture's, against its schema).
  std::string history_dir = testing::fixture_path("mita/migrations_sql");
  schema::Model replayed =
      schema::history::replay(schema::history::read_history(history_dir)).model;
  schema::Model mita = schema::sql::load_path(testing::fixture_path("mita/schema")).model;
  report.databases.push_back(drift_of("history:" + history_dir, mita, replayed, {}));
  engine::DatabaseDrift broken;
  broken.label = "host=db3 user=app password=***";
  broken.error = "connection refused";
  report.databases.push_back(broken);
  // `--privileges`: default privileges are entries of their own.
  schema::Model with_defaults = desired;
  schema::DefaultPrivilege defaults{"", "", "TABLES", {{"app_ro", "SELECT", {}, false}}, {}};
  with_defaults.default_privileges["ON TABLES"] = defaults;
  report.databases.push_back(drift_of("privileges", with_defaults, desired, {}, true));
  return report;
}

// A model with every object kind and most optional fields, in a schema of its own so that it
// can be added to the MITA fixture's model.
const char* kRichSql = R"sql(
CREATE SCHEMA rich;
COMMENT ON SCHEMA rich IS 'Everything at once.';
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA rich;
CREATE TYPE rich.state AS ENUM ('new', 'done');
CREATE TYPE rich.point2 AS (x double precision, y double precision);
CREATE DOMAIN rich.percent AS numeric(5,2) NOT NULL DEFAULT 0
  CONSTRAINT percent_range CHECK (VALUE >= 0 AND VALUE <= 100);
CREATE SEQUENCE rich.ticket_seq AS integer START 100 INCREMENT 5 CACHE 10 CYCLE;
CREATE FUNCTION rich.add(a integer, b integer DEFAULT 1) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 5 AS $$ SELECT a + b $$;
CREATE FUNCTION rich.stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = rich AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE PROCEDURE rich.tidy(INOUT n integer) LANGUAGE sql AS $$ SELECT n $$;
CREATE AGGREGATE rich.total(integer) (SFUNC = rich.add, STYPE = integer, INITCOND = '0',
  PARALLEL = SAFE);
COMMENT ON AGGREGATE rich.total(integer) IS 'Sums.';
GRANT EXECUTE ON FUNCTION rich.total(integer) TO app_ro;
CREATE COLLATION rich.bytes (locale = 'C');
COMMENT ON COLLATION rich.bytes IS 'Byte order.';
CREATE TABLE rich.accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text COLLATE "C" NOT NULL UNIQUE,
  state rich.state NOT NULL DEFAULT 'new',
  share rich.percent,
  doubled integer GENERATED ALWAYS AS (id * 2) STORED,
  updated_at timestamptz,
  during tstzrange,
  room integer,
  CONSTRAINT accounts_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)
) WITH (fillfactor = 70);
COMMENT ON COLUMN rich.accounts.email IS 'Login.';
ALTER TABLE rich.accounts ADD CONSTRAINT accounts_room_check CHECK (room > 0) NOT VALID;
CREATE TABLE rich.orders (
  id integer NOT NULL,
  account_id bigint,
  placed date NOT NULL,
  ticket integer DEFAULT nextval('rich.ticket_seq'),
  PRIMARY KEY (id, placed),
  CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES rich.accounts (id) MATCH FULL
    ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED
) PARTITION BY RANGE (placed);
CREATE TABLE rich.orders_2026 PARTITION OF rich.orders
  FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE UNLOGGED TABLE rich.scratch (note text);
CREATE TABLE rich.scratch_child (extra integer) INHERITS (rich.scratch);
ALTER SEQUENCE rich.ticket_seq OWNED BY rich.orders.ticket;
CREATE UNIQUE INDEX accounts_lower_email ON rich.accounts (lower(email) DESC NULLS LAST)
  INCLUDE (state) WHERE state <> 'done';
CREATE INDEX accounts_email_hash ON rich.accounts USING hash (email);
CREATE TRIGGER accounts_stamp BEFORE INSERT OR UPDATE OF email ON rich.accounts
  FOR EACH ROW WHEN (NEW.email IS NOT NULL) EXECUTE FUNCTION rich.stamp();
ALTER TABLE rich.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE rich.accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY accounts_mine ON rich.accounts AS RESTRICTIVE FOR UPDATE TO PUBLIC
  USING (id > 0) WITH CHECK (room > 0);
CREATE VIEW rich.active AS SELECT id, email FROM rich.accounts WHERE state = 'new'
  WITH CASCADED CHECK OPTION;
COMMENT ON COLUMN rich.active.email IS 'Shown address.';
CREATE MATERIALIZED VIEW rich.account_counts (state, n) AS
  SELECT state, count(*) FROM rich.accounts GROUP BY state WITH NO DATA;
CREATE UNIQUE INDEX account_counts_state ON rich.account_counts (state);
GRANT USAGE ON SCHEMA rich TO PUBLIC;
GRANT SELECT, UPDATE (email) ON rich.accounts TO app_ro WITH GRANT OPTION;
GRANT EXECUTE ON FUNCTION rich.add(integer, integer) TO PUBLIC;
GRANT USAGE ON SEQUENCE rich.ticket_seq TO PUBLIC;
)sql";

schema::Model rich_model() {
  schema::Model model = schema::sql::load_path(testing::fixture_path("mita/schema")).model;
  std::vector<schema::sql::LoadWarning> warnings;
  schema::sql::apply_sql(model, kRichSql, "rich.sql", {}, warnings);
  EXPECT_TRUE(warnings.empty());
  return model;
}

// Every value `key` takes anywhere in `j`.
void collect(const json& j, const std::string& key, std::set<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == key && v.is_string()) out.insert(v.get<std::string>());
      collect(v, key, out);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) collect(v, key, out);
  }
}
std::set<std::string> values_of(const json& j, const std::string& key) {
  std::set<std::string> out;
  collect(j, key, out);
  return out;
}
// True when some object in `j` has `key`.
bool has_key(const json& j, const std::string& key) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items())
      if (k == key || has_key(v, key)) return true;
  } else if (j.is_array()) {
    for (const auto& v : j)
      if (has_key(v, key)) return true;
  }
  return false;
}

// ---- the schema files --------------------------------------------------------------------

TEST(JsonSchemas, FilesAreValidDraft202012SchemasWithPgdriftIds) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  for (const std::string name :
       {"drift-report.schema.json", "plan.schema.json", "model.schema.json",
        "lint-report.schema.json", "apply-report.schema.json", "reconcile-report.schema.json"}) {
    json schema = read_json(schema_path(name));
    EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema") << name;
    EXPECT_EQ(schema["$id"], "https://pgdrift.dev/schemas/" + name) << name;
    EXPECT_EQ(schema["additionalProperties"], false) << name;
    // check_schema runs before any document: a broken schema exits 3.
    EXPECT_EQ(validate_one(python, name, json::object()).rfind("invalid", 0), 0u) << name;
  }
  // The checker is real: a schema with a wrongly typed keyword is refused.
  TempDir tmp;
  std::string bad = (tmp.path / "bad.schema.json").string();
  std::ofstream(bad) << R"({"$schema": "https://json-schema.org/draft/2020-12/schema",
                            "type": "object", "required": "format"})";
  auto r = testing::run_program({python, "-c", testing::kJsonSchemaValidator, bad});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
}

// ---- drift report ------------------------------------------------------------------------

TEST(JsonSchemas, DriftReportWithEveryKindOfEntryValidates) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  json report = json::parse(engine::render_drift_json(full_drift_report()));

  // The report really exercises the schema: every object kind, drift kind, severity and status,
  // ignored entries, parents, locations, fix steps with hazards, other_fix and an error.
  const auto& kinds = engine::drift_object_kinds();
  std::set<std::string> reported = values_of(report["databases"][0], "object_kind");
  reported.merge(values_of(report["databases"][5], "object_kind"));  // default_privileges
  EXPECT_EQ(reported, std::set<std::string>(kinds.begin(), kinds.end()));
  EXPECT_EQ(values_of(report, "drift"),
            (std::set<std::string>{"missing", "unexpected", "differs"}));
  EXPECT_EQ(values_of(report, "severity"), (std::set<std::string>{"error", "warning"}));
  EXPECT_EQ(values_of(report, "status"), (std::set<std::string>{"clean", "drift", "error"}));
  EXPECT_EQ(report["databases"][2]["status"], "clean");
  EXPECT_EQ(report["databases"][2]["ignored_count"], 1);
  for (const char* key : {"ignored_by", "parent", "location", "error"})
    EXPECT_TRUE(has_key(report, key)) << key;
  EXPECT_FALSE(report["databases"][0]["other_fix"].empty());
  bool fix_with_hazards = false;
  for (const auto& e : report["databases"][0]["entries"])
    for (const auto& f : e["fix"]) fix_with_hazards |= !f["hazards"].empty();
  EXPECT_TRUE(fix_with_hazards);

  EXPECT_EQ(validate_one(python, "drift-report.schema.json", report), "valid") << report.dump(2);

  // A clean, single-database report and an empty one are valid too.
  engine::DriftReport clean;
  clean.desired = "x.sql";
  schema::Model desired = load_sql(kDesiredSql, "x.sql");
  clean.databases.push_back(drift_of("only", desired, desired, {}));
  engine::DriftReport none;
  // A shard's report (drift --shard 1/2) keeps the positions in the full targets list.
  engine::DriftReport shard = clean;
  shard.shard = engine::DriftShard{1, 2};
  shard.databases[0].target_index = 3;
  const json shard_json = json::parse(engine::render_drift_json(shard));
  EXPECT_EQ(shard_json["shard"]["count"], 2);
  EXPECT_EQ(shard_json["databases"][0]["target_index"], 3);
  EXPECT_FALSE(shard_json["databases"][0]["checked"].empty());
  EXPECT_EQ(testing::validate_json(python, "drift-report.schema.json",
                                   {json::parse(engine::render_drift_json(clean)),
                                    json::parse(engine::render_drift_json(none)), shard_json}),
            (std::vector<std::string>{"valid", "valid", "valid"}));
}

// Index of the first entry of database 0 with drift `drift` and no differences.
size_t entry_index(const json& report, const std::string& drift) {
  const auto& entries = report["databases"][0]["entries"];
  for (size_t i = 0; i < entries.size(); ++i)
    if (entries[i]["drift"] == drift) return i;
  ADD_FAILURE() << "no " << drift << " entry";
  return 0;
}

TEST(JsonSchemas, BrokenDriftReportsAreRejected) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  const json good = json::parse(engine::render_drift_json(full_drift_report()));
  const size_t missing = entry_index(good, "missing");
  const size_t differs = entry_index(good, "differs");
  const std::string entry = "databases/0/entries/" + std::to_string(missing);
  // Each mutation of `good` must be invalid, with an error at its JSON path.
  std::vector<JsonMutation> mutations;
  auto add = [&](const std::string& what, const std::string& where, auto&& mutate) {
    mutations.push_back({what, where, mutate});
  };
  add("unknown drift kind", entry + "/drift",
      [&](json& d) { d["databases"][0]["entries"][missing]["drift"] = "renamed"; });
  add("unknown object kind", entry + "/object_kind",
      [&](json& d) { d["databases"][0]["entries"][missing]["object_kind"] = "synonym"; });
  add("missing severity", entry,
      [&](json& d) { d["databases"][0]["entries"][missing].erase("severity"); });
  add("unknown field", entry,
      [&](json& d) { d["databases"][0]["entries"][missing]["colour"] = "red"; });
  add("unknown hazard", "databases/0/other_fix/0/hazards/0",
      [&](json& d) { d["databases"][0]["other_fix"][0]["hazards"][0] = "meteor_strike"; });
  add("differs without differences",
      "databases/0/entries/" + std::to_string(differs) + "/differences",
      [&](json& d) { d["databases"][0]["entries"][differs]["differences"] = json::array(); });
  add("ignored without ignored_by", entry, [&](json& d) {
    d["databases"][0]["entries"][missing]["ignored"] = true;
    d["databases"][0]["entries"][missing].erase("ignored_by");
  });
  add("error database without error", "databases/4",
      [&](json& d) { d["databases"][4].erase("error"); });
  add("wrong format", "format", [&](json& d) { d["format"] = "pgdrift-plan/1"; });
  add("missing summary", "$", [&](json& d) { d.erase("summary"); });
  add("negative count", "summary/drift", [&](json& d) { d["summary"]["drift"] = -1; });
  add("missing target_index", "databases/1",
      [&](json& d) { d["databases"][1].erase("target_index"); });
  add("checked objects of an unreadable database", "databases/4/checked",
      [&](json& d) { d["databases"][4]["checked"] = d["databases"][0]["checked"]; });
  add("checked object without a name", "databases/0/checked/0",
      [&](json& d) { d["databases"][0]["checked"][0].erase("name"); });
  add("shard of zero shards", "shard/count", [&](json& d) {
    d["shard"] = {{"index", 0}, {"count", 0}};
  });
  add("line as text", entry + "/location/line",
      [&](json& d) { d["databases"][0]["entries"][missing]["location"]["line"] = "7"; });

  expect_rejected(python, "drift-report.schema.json", good, mutations);
}

// ---- plan --------------------------------------------------------------------------------

TEST(JsonSchemas, PlanWithHazardsPreflightsAndNonTransactionalStepsValidates) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  schema::Model desired = load_sql(kDesiredSql, "desired.sql");
  schema::Model live = load_sql(kLiveSql, "live.sql");
  json plan = json::parse(planner::render_plan_json(planner::make_plan(live, desired)));
  bool hazards = false, preflight = false, non_transactional = false, note = false;
  for (const auto& s : plan["steps"]) {
    hazards |= !s["hazards"].empty();
    preflight |= !s["preflight"].is_null();
    non_transactional |= s["transactional"] == false;
    note |= s.contains("note");
  }
  EXPECT_TRUE(hazards && preflight && non_transactional && note) << plan.dump(2);
  // Offline forms and the reverse direction give other step shapes (drops, plain locks).
  planner::PlanOptions offline;
  offline.online = false;
  json offline_plan =
      json::parse(planner::render_plan_json(planner::make_plan(live, desired, offline)));
  json reverse = json::parse(planner::render_plan_json(planner::make_plan(desired, live)));
  json rich = json::parse(planner::render_plan_json(planner::make_plan({}, rich_model())));
  json empty = json::parse(planner::render_plan_json(planner::make_plan(desired, desired)));
  EXPECT_TRUE(empty["steps"].empty());
  EXPECT_EQ(testing::validate_json(python, "plan.schema.json",
                                   {plan, offline_plan, reverse, rich, empty}),
            (std::vector<std::string>(5, "valid")))
      << plan.dump(2);
}

TEST(JsonSchemas, BrokenPlansAreRejected) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  schema::Model desired = load_sql(kDesiredSql, "desired.sql");
  schema::Model live = load_sql(kLiveSql, "live.sql");
  const json good = json::parse(planner::render_plan_json(planner::make_plan(live, desired)));
  ASSERT_FALSE(good["steps"].empty());
  // Each mutation of `good` must be invalid, with an error at its JSON path.
  std::vector<JsonMutation> mutations;
  auto add = [&](const std::string& what, const std::string& where, auto&& mutate) {
    mutations.push_back({what, where, mutate});
  };
  add("unknown object kind", "steps/0/object/kind",
      [](json& d) { d["steps"][0]["object"]["kind"] = "banana"; });
  add("unknown change", "steps/0/change", [](json& d) { d["steps"][0]["change"] = "rename"; });
  add("missing statement", "steps/0", [](json& d) { d["steps"][0].erase("statement"); });
  add("unknown hazard", "steps/0/hazards/0",
      [](json& d) { d["steps"][0]["hazards"] = json::array({"meteor_strike"}); });
  add("not_transactional but transactional", "steps/0/transactional", [](json& d) {
    d["steps"][0]["hazards"] = json::array({"not_transactional"});
    d["steps"][0]["transactional"] = true;
  });
  add("made-up lock", "steps/0/lock", [](json& d) { d["steps"][0]["lock"] = "EVERYTHING"; });
  add("bad fingerprint", "source_fingerprint",
      [](json& d) { d["source_fingerprint"] = "md5:abc"; });
  add("preflight as number", "steps/0/preflight", [](json& d) { d["steps"][0]["preflight"] = 3; });
  add("wrong format", "format", [](json& d) { d["format"] = "pgdrift-plan/2"; });
  expect_rejected(python, "plan.schema.json", good, mutations);
}

// ---- model -------------------------------------------------------------------------------

TEST(JsonSchemas, ModelWithEveryObjectKindValidates) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  schema::Model model = rich_model();
  // As a database with a failed CREATE INDEX CONCURRENTLY reads.
  model.tables.at("rich.accounts").indexes.at("accounts_email_hash").valid = false;
  json plain = schema::model_to_json(model);
  json with_locations = schema::model_to_json(model, true);
  for (const char* section : {"schemas", "extensions", "tables", "views", "sequences", "enums",
                              "composite_types", "domains", "functions"})
    EXPECT_FALSE(plain[section].empty()) << section;
  EXPECT_EQ(values_of(plain["tables"], "kind"),
            (std::set<std::string>{"primary_key", "unique", "check", "foreign_key", "exclusion",
                                   "partitioned"}));
  for (const char* key : {"identity_options",
                          "generated_expr",
                          "exclusion_elements",
                          "expr",
                          "include",
                          "where_expr",
                          "policies",
                          "triggers",
                          "column_comments",
                          "grants",
                          "partition_of",
                          "inherits",
                          "options",
                          "checks",
                          "config",
                          "owned_by",
                          "on_delete",
                          "validated",
                          "unlogged",
                          "with_data",
                          "valid"})
    EXPECT_TRUE(has_key(plain, key)) << key;
  EXPECT_TRUE(has_key(with_locations, "location"));
  // As `pgdrift inspect --with-provenance` writes it for a database.
  json with_provenance = with_locations;
  with_provenance["provenance"] = {
      {"server_version", "15.20"}, {"server_version_num", 150020}, {"database", "app"}};
  json empty = schema::model_to_json(schema::Model{});
  EXPECT_EQ(testing::validate_json(python, "model.schema.json",
                                   {plain, with_locations, with_provenance, empty}),
            (std::vector<std::string>(4, "valid")))
      << plain.dump(2);
}

TEST(JsonSchemas, BrokenModelsAreRejected) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  const json good = schema::model_to_json(rich_model(), true);
  const std::string accounts = "tables/rich.accounts";
  // Each mutation of `good` must be invalid, with an error at its JSON path.
  std::vector<JsonMutation> mutations;
  auto add = [&](const std::string& what, const std::string& where, auto&& mutate) {
    mutations.push_back({what, where, mutate});
  };
  add("unknown constraint kind", accounts + "/constraints/accounts_room_check/kind", [](json& d) {
    d["tables"]["rich.accounts"]["constraints"]["accounts_room_check"]["kind"] = "bogus";
  });
  add("column without type", accounts + "/columns/1",
      [](json& d) { d["tables"]["rich.accounts"]["columns"][1].erase("type"); });
  add("foreign_key on a check", accounts + "/constraints/accounts_room_check", [](json& d) {
    d["tables"]["rich.accounts"]["constraints"]["accounts_room_check"]["foreign_key"] = {
        {"ref_table", "rich.accounts"}};
  });
  add("identity without options", accounts + "/columns/0",
      [](json& d) { d["tables"]["rich.accounts"]["columns"][0].erase("identity_options"); });
  add("index key with column and expr", "tables/rich.accounts/indexes/accounts_email_hash/keys/0",
      [](json& d) {
        d["tables"]["rich.accounts"]["indexes"]["accounts_email_hash"]["keys"][0]["expr"] = "1";
      });
  add("index valid not a boolean", accounts + "/indexes/accounts_email_hash/valid", [](json& d) {
    d["tables"]["rich.accounts"]["indexes"]["accounts_email_hash"]["valid"] = "no";
  });
  add("unknown table field", accounts,
      [](json& d) { d["tables"]["rich.accounts"]["colour"] = "red"; });
  add("missing section", "$", [](json& d) { d.erase("views"); });
  add("wrong version", "version", [](json& d) { d["version"] = 2; });
  add("bad trigger timing", accounts + "/triggers/accounts_stamp/timing", [](json& d) {
    d["tables"]["rich.accounts"]["triggers"]["accounts_stamp"]["timing"] = "SOON";
  });
  add("location without line", "tables/public.goals/location",
      [](json& d) { d["tables"]["public.goals"]["location"] = "schema.sql"; });
  add("sequence options incomplete", "sequences/rich.ticket_seq/options",
      [](json& d) { d["sequences"]["rich.ticket_seq"]["options"].erase("cache"); });
  expect_rejected(python, "model.schema.json", good, mutations);
  // The reader agrees on the ones it checks (it is the format's other definition).
  for (size_t i : {0u, 1u, 2u, 3u, 4u, 5u, 6u}) {
    json doc = good;
    mutations[i].mutate(doc);
    EXPECT_THROW(schema::model_from_json(doc), std::runtime_error) << mutations[i].what;
  }
  EXPECT_NO_THROW(schema::model_from_json(good));
}

// ---- lint, apply and reconcile reports ---------------------------------------------------

// Index of the first element of `array` whose `key` is `value`.
size_t index_where(const json& array, const std::string& key, const json& value) {
  for (size_t i = 0; i < array.size(); ++i)
    if (array[i].value(key, json()) == value) return i;
  ADD_FAILURE() << "no element with " << key << " = " << value.dump();
  return 0;
}

// Every lint rule fires once at least: float money (fixable), a varchar user_id without the
// foreign key the other user_id has (fixable), tenant_id text vs uuid, an integer key to a
// bigint, a foreign key without an index, a table without a primary key, a timestamp.
const char* kLintEveryRuleSql = R"sql(
CREATE TABLE users (id uuid PRIMARY KEY, tenant_id text);
CREATE TABLE orders (id uuid PRIMARY KEY, user_id uuid REFERENCES users (id) ON DELETE CASCADE,
                     amount double precision, created timestamp, tenant_id uuid);
CREATE TABLE notes (id uuid PRIMARY KEY, user_id varchar(36));
CREATE TABLE big (id bigint PRIMARY KEY);
CREATE TABLE small (id integer PRIMARY KEY, big_id integer REFERENCES big (id));
CREATE INDEX small_big_idx ON small (big_id);
CREATE TABLE log (msg text);
)sql";

json lint_every_rule_report(const TempDir& tmp) {
  std::string file = tmp.write("every_rule.sql", kLintEveryRuleSql);
  auto r = testing::run_pgdrift({"lint", file, "--format", "json", "--fail-on", "warning"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  return testing::parse_json_output(r);
}

TEST(JsonSchemas, LintReportWithEveryRuleValidates) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  TempDir tmp;
  json report = lint_every_rule_report(tmp);
  std::set<std::string> rules;
  for (const auto& r : engine::lint_rules()) rules.insert(r.name);
  EXPECT_EQ(values_of(report["findings"], "rule"), rules) << report.dump(2);
  EXPECT_EQ(values_of(report["findings"], "severity"), (std::set<std::string>{"error", "warning"}));
  std::set<bool> fixable;
  for (const auto& f : report["findings"]) fixable.insert(f["fixable"].get<bool>());
  EXPECT_EQ(fixable, (std::set<bool>{false, true}));
  EXPECT_TRUE(has_key(report["findings"], "location"));
  EXPECT_EQ(report["failed"], true);

  // A JSON model (inspect without --with-provenance) has no locations.
  auto model =
      testing::run_pgdrift({"inspect", (tmp.path / "every_rule.sql").string(), "--format", "json"});
  ASSERT_EQ(model.exit_code, 0) << model.err;
  std::string model_file = tmp.write("model.json", model.out);
  auto from_model =
      testing::run_pgdrift({"lint", model_file, "--format", "json", "--fail-on", "never"});
  EXPECT_EQ(from_model.exit_code, 0) << from_model.err;
  json unlocated = testing::parse_json_output(from_model);
  EXPECT_EQ(unlocated["findings"].size(), report["findings"].size());
  EXPECT_FALSE(has_key(unlocated, "location"));
  EXPECT_EQ(unlocated["failed"], false);

  std::string clean_file = tmp.write("clean.sql", "CREATE TABLE t (id integer PRIMARY KEY);");
  auto clean = testing::run_pgdrift({"lint", clean_file, "--format", "json"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  json nothing = testing::parse_json_output(clean);
  EXPECT_TRUE(nothing["findings"].empty());

  // lint --history: migration rules with their help links.
  auto history =
      testing::run_pgdrift({"lint", "--history", testing::fixture_path("mita/alembic/versions"),
                            "--format", "json", "--fail-on", "never"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  json migrations = testing::parse_json_output(history);

  EXPECT_EQ(testing::validate_json(python, "lint-report.schema.json",
                                   {report, unlocated, nothing, migrations}),
            (std::vector<std::string>(4, "valid")))
      << report.dump(2) << migrations.dump(2);
}

TEST(JsonSchemas, BrokenLintReportsAreRejected) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  TempDir tmp;
  const json good = lint_every_rule_report(tmp);
  ASSERT_FALSE(good["findings"].empty());
  const size_t money = index_where(good["findings"], "rule", "money-as-float");
  const size_t no_pk = index_where(good["findings"], "rule", "table-without-primary-key");
  const std::string m = "findings/" + std::to_string(money);
  const std::string p = "findings/" + std::to_string(no_pk);
  expect_rejected(
      python, "lint-report.schema.json", good,
      {
          {"unknown rule", m + "/rule", [&](json& d) { d["findings"][money]["rule"] = "no-tabs"; }},
          {"unknown field", m, [&](json& d) { d["findings"][money]["colour"] = "red"; }},
          {"unknown top-level field", "$", [](json& d) { d["elapsed_ms"] = 3; }},
          {"unknown severity", p + "/severity",
           [&](json& d) { d["findings"][no_pk]["severity"] = "info"; }},
          {"money-as-float as a warning", m + "/severity",
           [&](json& d) { d["findings"][money]["severity"] = "warning"; }},
          {"fixable rule without fix", p + "/fixable",
           [&](json& d) { d["findings"][no_pk]["fixable"] = true; }},
          {"line as text", m + "/location/line",
           [&](json& d) { d["findings"][money]["location"]["line"] = "7"; }},
          {"unknown fail_on", "fail_on", [](json& d) { d["fail_on"] = "sometimes"; }},
          {"failed with --fail-on never", "failed", [](json& d) { d["fail_on"] = "never"; }},
          {"missing counts", "$", [](json& d) { d.erase("counts"); }},
          {"negative count", "counts/error", [](json& d) { d["counts"]["error"] = -1; }},
          {"wrong format", "format", [](json& d) { d["format"] = "pgdrift-lint/2"; }},
      });
}

// Two plain SQL histories that disagree on one object of every kind reconcile knows; chain b
// alone has tables the consistency pass judges. The resolutions file takes users.id from b and
// orders.user_id from a, so their foreign key no longer fits (kind "foreign key"), omits the
// view and gives the sequence as SQL.
const char* kHistoryA = R"sql(
CREATE SCHEMA s;
COMMENT ON SCHEMA s IS 'from a';
CREATE EXTENSION pgcrypto;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TYPE pair AS (x integer, y text);
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE SEQUENCE counter START 10;
CREATE FUNCTION answer() RETURNS integer LANGUAGE sql AS $$ SELECT 42 $$;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE users (id uuid PRIMARY KEY, email text,
                    CONSTRAINT users_email_check CHECK (email <> ''));
COMMENT ON TABLE users IS 'from a';
CREATE TABLE orders (id integer PRIMARY KEY, user_id uuid REFERENCES users (id),
                     amount numeric(12,2));
CREATE INDEX orders_user_idx ON orders (user_id);
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_self ON users USING (true);
CREATE VIEW v AS SELECT 1 AS one;
)sql";

const char* kHistoryB = R"sql(
CREATE SCHEMA s;
COMMENT ON SCHEMA s IS 'from b';
CREATE EXTENSION pgcrypto WITH SCHEMA s;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE pair AS (x integer, y varchar(5));
CREATE DOMAIN positive AS integer CHECK (VALUE >= 0);
CREATE SEQUENCE counter START 20;
CREATE FUNCTION answer() RETURNS integer LANGUAGE sql AS $$ SELECT 41 $$;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE users (id integer PRIMARY KEY, email varchar(10),
                    CONSTRAINT users_email_check CHECK (length(email) > 0));
COMMENT ON TABLE users IS 'from b';
CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id),
                     amount double precision);
CREATE INDEX orders_user_idx ON orders (user_id, id);
CREATE INDEX orders_amount_idx ON orders (amount);
CREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_self ON users USING (false);
CREATE VIEW v AS SELECT 2 AS one;
CREATE TABLE big (id bigint PRIMARY KEY);
CREATE TABLE small (id integer PRIMARY KEY, big_id integer REFERENCES big (id), tenant_id text);
CREATE TABLE budget (id integer PRIMARY KEY, user_id text, total double precision,
                     tenant_id uuid);
)sql";

struct ReconcileReports {
  json unresolved;  // resolutions file only: most conflicts open, exit 1
  json complete;    // --prefer-safer --prefer a --out DIR: exit 0, files written, harmonised
  json mita;        // the MITA chains with --prefer-safer, no --out
};

ReconcileReports reconcile_reports(const TempDir& tmp) {
  std::string a = (tmp.path / "a").string(), b = (tmp.path / "b").string();
  tmp.write("a/001_init.sql", kHistoryA);
  tmp.write("b/001_init.sql", kHistoryB);
  std::string resolutions = tmp.write("resolutions.txt",
                                      "public.users.id = take b\n"
                                      "public.orders.user_id = take a\n"
                                      "public.v = omit\n"
                                      "public.counter = sql: CREATE SEQUENCE public.counter "
                                      "START 30\n");
  ReconcileReports out;
  auto open = testing::run_pgdrift({"reconcile", "--history", "a=" + a, "--history", "b=" + b,
                                    "--resolutions", resolutions, "--format", "json"});
  EXPECT_EQ(open.exit_code, 1) << open.out << open.err;
  out.unresolved = testing::parse_json_output(open);
  auto done = testing::run_pgdrift({"reconcile", "--history", "a=" + a, "--history", "b=" + b,
                                    "--prefer-safer", "--prefer", "a", "--out",
                                    (tmp.path / "out").string(), "--format", "json"});
  EXPECT_EQ(done.exit_code, 0) << done.out << done.err;
  out.complete = testing::parse_json_output(done);
  auto mita = testing::run_pgdrift(
      {"reconcile", "--history", "alembic=" + testing::fixture_path("mita/alembic/versions"),
       "--history", "migrations=" + testing::fixture_path("mita/migrations"), "--prefer-safer",
       "--format", "json"});
  EXPECT_EQ(mita.exit_code, 0) << mita.out << mita.err;
  out.mita = testing::parse_json_output(mita);
  return out;
}

TEST(JsonSchemas, ReconcileReportsWithEveryConflictKindValidate) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  TempDir tmp;
  ReconcileReports r = reconcile_reports(tmp);
  json schema = read_json(schema_path("reconcile-report.schema.json"));

  std::set<std::string> kinds;
  for (const auto& c : r.unresolved["conflicts"]) kinds.insert(c["kind"].get<std::string>());
  EXPECT_EQ(kinds, enum_of(schema["$defs"]["conflict"]["properties"]["kind"]))
      << r.unresolved.dump(2);
  std::set<std::string> taken;
  for (const auto& c : r.unresolved["conflicts"]) taken.insert(c["taken"].get<std::string>());
  EXPECT_EQ(taken, (std::set<std::string>{"", "a", "b", "omit", "sql"}));
  EXPECT_GT(r.unresolved["unresolved"].get<int>(), 0);
  EXPECT_TRUE(r.unresolved["written"].empty());
  EXPECT_TRUE(r.unresolved.contains("out_note"));
  EXPECT_EQ(values_of(r.unresolved["findings"], "rule"), engine::consistency_rules());

  EXPECT_EQ(r.complete["unresolved"], 0);
  EXPECT_FALSE(r.complete["written"].empty());
  EXPECT_FALSE(r.complete.contains("out_note"));
  EXPECT_FALSE(r.complete["harmonised"].empty());
  EXPECT_EQ(values_of(r.mita["harmonised"], "rule"),
            (std::set<std::string>{"money-as-float", "missing-foreign-key"}));
  EXPECT_EQ(values_of(r.mita["histories"], "kind"), (std::set<std::string>{"alembic"}));

  for (const auto* report : {&r.unresolved, &r.complete, &r.mita})
    EXPECT_EQ(report->at("format"), "pgdrift-reconcile/1");
  // Structured provenance (issue 18 item 12): the comment on transactions.amount is credited to
  // the op.execute that added it, the column itself to its own sa.Column( line.
  const json* amount = nullptr;
  for (const auto& c : r.mita["conflicts"])
    if (c["key"] == "public.transactions.amount") amount = &c;
  ASSERT_TRUE(amount) << r.mita.dump(2);
  const json& side = amount->at("sides").at(0);
  EXPECT_EQ(side["history"], "alembic");
  EXPECT_TRUE(side["file"].get<std::string>().ends_with("versions/0001_initial.py")) << side;
  EXPECT_EQ(side["line"], 60) << side;
  ASSERT_EQ(side["aspects"].size(), 1u) << side;
  EXPECT_EQ(side["aspects"][0]["aspect"], "comment");
  EXPECT_EQ(side["aspects"][0]["migration"], "a0d5ecc53667");
  EXPECT_TRUE(
      side["aspects"][0]["file"].get<std::string>().ends_with("a0d5ecc53667_sync_models.py"));
  EXPECT_EQ(side["aspects"][0]["line"], 31);
  EXPECT_EQ(testing::validate_json(python, "reconcile-report.schema.json",
                                   {r.unresolved, r.complete, r.mita}),
            (std::vector<std::string>(3, "valid")));
}

TEST(JsonSchemas, BrokenReconcileReportsAreRejected) {
  const std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << kNoJsonschema;
  TempDir tmp;
  const json good = reconcile_reports(tmp).unresolved;
  ASSERT_FALSE(good["conflicts"].empty());
  const size_t open = index_where(good["conflicts"], "resolved", false);
  const size_t decided = index_where(good["conflicts"], "taken", "b");
  const std::string o = "conflicts/" + std::to_string(open);
  const std::string t = "conflicts/" + std::to_string(decided);
  expect_rejected(
      python, "reconcile-report.schema.json", good,
      {
          {"unknown conflict kind", o + "/kind",
           [&](json& d) { d["conflicts"][open]["kind"] = "synonym"; }},
          {"unknown conflict field", o, [&](json& d) { d["conflicts"][open]["colour"] = "red"; }},
          {"unknown top-level field", "$", [](json& d) { d["elapsed_ms"] = 3; }},
          {"resolved without taken", o + "/taken",
           [&](json& d) { d["conflicts"][open]["resolved"] = true; }},
          {"unresolved but taken", t + "/taken",
           [&](json& d) { d["conflicts"][decided]["resolved"] = false; }},
          {"conflict without sides", o + "/sides",
           [&](json& d) { d["conflicts"][open]["sides"] = json::array(); }},
          {"unknown history kind", "histories/0/kind",
           [](json& d) { d["histories"][0]["kind"] = "liquibase"; }},
          {"non-consistency finding", "findings/0/rule",
           [](json& d) { d["findings"][0]["rule"] = "table-without-primary-key"; }},
          {"unresolved target written", "written",
           [](json& d) { d["written"] = json::array({"out/schema/20_tables.sql"}); }},
          {"unknown live field", "live",
           [](json& d) {
             d["live"] = {{"database", "x"}};
           }},
          {"missing format", "$", [](json& d) { d.erase("format"); }},
          {"wrong format", "format", [](json& d) { d["format"] = "pgdrift-reconcile/2"; }},
          {"exit code 0 with unresolved conflicts", "exit_code",
           [](json& d) { d["exit_code"] = 0; }},
          {"finding without fixable", "findings/0",
           [](json& d) { d["findings"][0].erase("fixable"); }},
          {"finding location without line", "findings/0/location",
           [](json& d) {
             d["findings"][0]["location"] = {{"file", "a.py"}};
           }},
      });
}

}  // namespace
}  // namespace pgdrift
