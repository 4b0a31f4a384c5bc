// JSON model I/O: exact round trips, omitted defaults, enum words, errors that name the path.
#include <gtest/gtest.h>

#include "schema/json.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"

namespace pgdrift::schema {
namespace {

using nlohmann::json;

Grant grant(std::string grantee, std::string privilege, std::vector<std::string> columns = {},
            bool with_grant_option = false) {
  return Grant{std::move(grantee), std::move(privilege), std::move(columns), with_grant_option};
}

// A model that uses every object kind and sets every field away from its default somewhere.
Model every_kind_model() {
  Model m;
  m.schemas["app"] = Namespace{"app", "application objects", {grant("app_ro", "USAGE")}, {}, {}};
  m.extensions["pgcrypto"] = Extension{"pgcrypto", "public", "1.3", "crypto", {}};
  m.extensions["citext"] = Extension{"citext", "", "", std::nullopt, {}};

  EnumType mood{"app",         "mood",      {"bad", "ok", "good"},
                "how it went", "app_owner", {"01_types.sql", 3}};
  m.enums[qualified_key("app", "mood")] = mood;
  CompositeType money{
      "app",    "money_pair", {{"amount", "numeric(12,2)", ""}, {"code", "text", "\"C\""}},
      "a pair", {},           {}};
  m.composite_types[qualified_key("app", "money_pair")] = money;
  Domain positive{"app", "positive", "numeric(12,2)", "", true, "0", {}, "non-negative", {}, {}};
  Constraint domain_check;
  domain_check.name = "positive_check";
  domain_check.kind = ConstraintKind::Check;
  domain_check.check_expr = "VALUE >= 0";
  domain_check.validated = false;
  positive.checks["positive_check"] = domain_check;
  m.domains[qualified_key("app", "positive")] = positive;

  Sequence seq;
  seq.schema = "app";
  seq.name = "order_no";
  seq.options = SequenceOptions{"integer", 100, -2, -1000, 1000, 20, true};
  seq.owned_by = "app.orders.order_no";
  seq.comment = "order numbers";
  seq.grants = {grant("app_rw", "USAGE")};
  m.sequences[qualified_key("app", "order_no")] = seq;

  Function touch;
  touch.schema = "app";
  touch.name = "touch";
  touch.returns = "trigger";
  touch.language = "plpgsql";
  touch.body = "\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n";
  m.functions[function_key(touch)] = touch;
  Function add;
  add.schema = "app";
  add.name = "add";
  add.arguments = {{"IN", "a", "integer", std::nullopt},
                   {"IN", "b", "integer", "1"},
                   {"OUT", "total", "integer", std::nullopt}};
  add.language = "sql";
  add.body = "SELECT a + b";
  add.volatility = "IMMUTABLE";
  add.strict = true;
  add.security_definer = true;
  add.leakproof = true;
  add.parallel = "SAFE";
  add.cost = 2.5;
  add.rows = 0;
  add.config = {{"search_path", "app, pg_temp"}};
  add.comment = "adds";
  add.grants = {grant("PUBLIC", "EXECUTE")};
  m.functions[function_key(add)] = add;
  Function proc;
  proc.schema = "app";
  proc.name = "cleanup";
  proc.procedure = true;
  proc.arguments = {{"INOUT", "n", "bigint", std::nullopt}};
  proc.language = "plpgsql";
  proc.body = "BEGIN n := 0; END";
  m.functions[function_key(proc)] = proc;

  Table users;
  users.schema = "app";
  users.name = "users";
  Column id;
  id.name = "id";
  id.type = "bigint";
  id.not_null = true;
  id.identity = IdentityKind::Always;
  id.identity_options = SequenceOptions{};
  Column email;
  email.name = "email";
  email.type = "text";
  email.collation = "\"C\"";
  email.not_null = true;
  email.comment = "login";
  email.grants = {grant("app_ro", "SELECT", {"email"})};
  email.location = {"10_users.sql", 4};
  Column lowered;
  lowered.name = "email_lower";
  lowered.type = "text";
  lowered.generated_expr = "lower(email)";
  Column mood_col;
  mood_col.name = "Mood";
  mood_col.type = "app.mood";
  mood_col.default_expr = "'ok'::app.mood";
  users.columns = {id, email, lowered, mood_col};
  Constraint pk;
  pk.name = "users_pkey";
  pk.kind = ConstraintKind::PrimaryKey;
  pk.columns = {"id"};
  pk.include = {"email"};
  users.constraints[pk.name] = pk;
  Constraint uq;
  uq.name = "users_email_key";
  uq.kind = ConstraintKind::Unique;
  uq.columns = {"email"};
  uq.nulls_not_distinct = true;
  uq.deferrable = true;
  uq.initially_deferred = true;
  uq.comment = "one account per email";
  users.constraints[uq.name] = uq;
  Constraint ck;
  ck.name = "users_email_check";
  ck.kind = ConstraintKind::Check;
  ck.check_expr = "email ~~ '%@%'::text";
  ck.no_inherit = true;
  users.constraints[ck.name] = ck;
  Constraint ex;
  ex.name = "users_no_overlap";
  ex.kind = ConstraintKind::Exclusion;
  ex.exclusion_method = "gist";
  ex.exclusion_elements = {{"email", "", false, false, "="},
                           {"lower(email)", "text_ops", true, true, "<>"}};
  ex.where_expr = "id > 0";
  users.constraints[ex.name] = ex;
  Index ix;
  ix.name = "users_lower_email_idx";
  ix.unique = true;
  ix.nulls_not_distinct = true;
  ix.method = "hash";
  ix.keys = {IndexKey{"", "lower(email)", "text_pattern_ops", "\"C\"", true, true},
             IndexKey{"id", "", "", "", false, false}};
  ix.include = {"Mood"};
  ix.where_expr = "id > 10";
  ix.options = {{"fillfactor", "70"}, {"deduplicate_items", "off"}};
  ix.comment = "lookup";
  users.indexes[ix.name] = ix;
  Trigger tr;
  tr.name = "users_touch";
  tr.timing = "BEFORE";
  tr.events = {"INSERT", "UPDATE"};
  tr.update_columns = {"email"};
  tr.for_each_row = true;
  tr.when_expr = "new.email IS NOT NULL";
  tr.function = function_key(touch).substr(0, function_key(touch).find('('));
  tr.arguments = {"a", "it's"};
  tr.comment = "keeps updated_at";
  users.triggers[tr.name] = tr;
  Trigger ctr;
  ctr.name = "users_audit";
  ctr.timing = "AFTER";
  ctr.events = {"DELETE"};
  ctr.function = "app.touch";
  ctr.constraint_trigger = true;
  ctr.deferrable = true;
  ctr.initially_deferred = true;
  ctr.old_table = "old_rows";
  ctr.new_table = "new_rows";
  ctr.enabled = 'R';
  users.triggers[ctr.name] = ctr;
  Policy own;
  own.name = "own_rows";
  own.permissive = false;
  own.command = "SELECT";
  own.roles = {"app_ro", "public"};
  own.using_expr = "id = 1";
  own.check_expr = "id > 0";
  own.comment = "only yours";
  users.policies[own.name] = own;
  users.rls_enabled = true;
  users.rls_forced = true;
  users.replica_identity = 'i';
  users.replica_identity_index = ix.name;
  users.unlogged = true;
  users.options = {{"fillfactor", "70"}};
  users.comment = "people";
  users.grants = {grant("app_ro", "SELECT"), grant("app_rw", "UPDATE", {"email"}, true)};
  users.location = {"10_users.sql", 1};
  m.tables[qualified_key("app", "users")] = users;

  Table events;
  events.schema = "app";
  events.name = "events";
  events.kind = TableKind::Partitioned;
  Column user_id;
  user_id.name = "user_id";
  user_id.type = "bigint";
  Column at;
  at.name = "at";
  at.type = "timestamp with time zone";
  events.columns = {user_id, at};
  events.partition_key = "RANGE (at)";
  Constraint fk;
  fk.name = "events_user_id_fkey";
  fk.kind = ConstraintKind::ForeignKey;
  fk.columns = {"user_id"};
  fk.foreign_key = ForeignKey{qualified_key("app", "users"), {"id"}, 'n', 'c', 'f', {"user_id"}};
  fk.validated = false;
  events.constraints[fk.name] = fk;
  m.tables[qualified_key("app", "events")] = events;

  Table events_2026 = events;
  events_2026.name = "events_2026";
  events_2026.kind = TableKind::Regular;
  events_2026.partition_key.clear();
  events_2026.constraints.clear();
  events_2026.partition_of = qualified_key("app", "events");
  events_2026.partition_bound = "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')";
  m.tables[qualified_key("app", "events_2026")] = events_2026;

  Table child;
  child.schema = "public";
  child.name = "child";
  child.columns = {user_id};
  child.inherits = {qualified_key("app", "events")};
  m.tables[qualified_key("public", "child")] = child;

  View v;
  v.schema = "app";
  v.name = "active_users";
  v.query = "SELECT id, email FROM app.users";
  v.column_names = {"id", "email"};
  v.options = {{"check_option", "local"}, {"security_barrier", "true"}};
  v.column_comments = {{"id", "the id"}, {"email", std::nullopt}};
  v.comment = "users that are active";
  v.grants = {grant("app_ro", "SELECT")};
  Trigger instead;
  instead.name = "active_users_insert";
  instead.timing = "INSTEAD OF";
  instead.events = {"INSERT"};
  instead.for_each_row = true;
  instead.function = "app.touch";
  v.triggers[instead.name] = instead;
  m.views[qualified_key("app", "active_users")] = v;
  View mv;
  mv.schema = "app";
  mv.name = "user_counts";
  mv.materialized = true;
  mv.with_data = false;
  mv.query = "SELECT count(*) AS n FROM app.users";
  Index mvix;
  mvix.name = "user_counts_n_idx";
  mvix.keys = {IndexKey{"n", "", "", "", false, false}};
  mv.indexes[mvix.name] = mvix;
  m.views[qualified_key("app", "user_counts")] = mv;
  Aggregate agg;
  agg.schema = "app";
  agg.name = "pick";
  agg.arguments = {{"IN", "k", "integer", std::nullopt}, {"IN", "", "integer", std::nullopt}};
  agg.kind = "ordered_set";
  agg.direct_arguments = 1;
  agg.state_function = "app.pick_step";
  agg.state_type = "integer[]";
  agg.state_space = 64;
  agg.final_function = "app.pick_final";
  agg.final_extra = true;
  agg.final_modify = "READ_WRITE";
  agg.initial_condition = "{}";
  agg.moving_state_function = "app.pick_step";
  agg.moving_inverse_function = "app.pick_undo";
  agg.moving_state_type = "integer[]";
  agg.moving_initial_condition = "";
  agg.sort_operator = "OPERATOR(app.<)";
  agg.parallel = "SAFE";
  agg.comment = "picks";
  agg.grants = {grant("app_ro", "EXECUTE")};
  m.aggregates[aggregate_key(agg)] = agg;
  Collation ci;
  ci.schema = "app";
  ci.name = "Case Insensitive";
  ci.provider = "icu";
  ci.icu_locale = "und-u-ks-level2";
  ci.deterministic = false;
  ci.comment = "ci";
  m.collations[qualified_key(ci.schema, ci.name)] = ci;
  Collation bytes;
  bytes.schema = "app";
  bytes.name = "bytes";
  bytes.lc_collate = "C";
  bytes.lc_ctype = "POSIX";
  m.collations[qualified_key(bytes.schema, bytes.name)] = bytes;
  return m;
}

void expect_exact_round_trip(const Model& model, bool with_provenance) {
  std::string text = dump_model_json(model, with_provenance);
  Model back = model_from_json(json::parse(text));
  EXPECT_EQ(back, model);
  EXPECT_EQ(dump_model_json(back, with_provenance), text);
}

TEST(JsonModel, EveryObjectKindRoundTripsExactly) {
  expect_exact_round_trip(every_kind_model(), false);
}

TEST(JsonModel, ProvenanceRoundTripsExactly) {
  Model m = every_kind_model();
  std::string text = dump_model_json(m, true);
  EXPECT_NE(text.find("\"location\": \"10_users.sql:4\""), std::string::npos);
  Model back = model_from_json(json::parse(text));
  EXPECT_EQ(back.tables.at("app.users").columns[1].location.file, "10_users.sql");
  EXPECT_EQ(back.tables.at("app.users").columns[1].location.line, 4);
  expect_exact_round_trip(m, true);
}

TEST(JsonModel, LocationOnlyWithProvenance) {
  std::string text = dump_model_json(every_kind_model(), false);
  EXPECT_EQ(text.find("\"location\""), std::string::npos);
}

TEST(JsonModel, EmptyModelHasHeaderAndSections) {
  json j = model_to_json(Model{});
  EXPECT_EQ(j["format"], "pgdrift-model");
  EXPECT_EQ(j["version"], 1);
  for (const char* section :
       {"schemas", "extensions", "tables", "views", "sequences", "enums", "composite_types",
        "domains", "functions", "aggregates", "collations"}) {
    ASSERT_TRUE(j.contains(section)) << section;
    EXPECT_TRUE(j[section].empty()) << section;
  }
  EXPECT_EQ(model_from_json(j), Model{});
}

TEST(JsonModel, AggregateKeysAndModelsWithoutTheNewSections) {
  const Model m = every_kind_model();
  EXPECT_EQ(m.aggregates.begin()->first, "app.pick(integer ORDER BY integer)");
  json j = model_to_json(m);
  EXPECT_THROW(
      {
        json wrong = j;
        json agg = wrong["aggregates"]["app.pick(integer ORDER BY integer)"];
        wrong["aggregates"].erase("app.pick(integer ORDER BY integer)");
        wrong["aggregates"]["app.pick(integer, integer)"] = agg;
        model_from_json(wrong);
      },
      std::runtime_error);
  // Models written before aggregates and collations were modelled still read.
  j.erase("aggregates");
  j.erase("collations");
  Model back = model_from_json(j);
  EXPECT_TRUE(back.aggregates.empty());
  EXPECT_TRUE(back.collations.empty());
}

TEST(JsonModel, DefaultsAreOmittedAndEnumsAreWords) {
  json j = model_to_json(every_kind_model());
  const json& users = j["tables"]["app.users"];
  // A column that only has a name and a type gives exactly those two keys.
  EXPECT_EQ(users["columns"][2],
            (json{{"name", "email_lower"}, {"type", "text"}, {"generated_expr", "lower(email)"}}));
  EXPECT_EQ(users["columns"][0]["identity"], "always");
  EXPECT_FALSE(users["columns"][0].contains("comment"));
  EXPECT_FALSE(users["columns"][2].contains("not_null"));
  EXPECT_EQ(users["constraints"]["users_pkey"]["kind"], "primary_key");
  EXPECT_EQ(users["constraints"]["users_no_overlap"]["kind"], "exclusion");
  EXPECT_FALSE(users["constraints"]["users_pkey"].contains("validated"));
  const json& fk = j["tables"]["app.events"]["constraints"]["events_user_id_fkey"];
  EXPECT_EQ(fk["kind"], "foreign_key");
  EXPECT_EQ(fk["validated"], false);
  EXPECT_EQ(fk["foreign_key"]["on_delete"], "set_null");
  EXPECT_EQ(fk["foreign_key"]["on_update"], "cascade");
  EXPECT_EQ(fk["foreign_key"]["match"], "full");
  EXPECT_EQ(j["tables"]["app.events"]["kind"], "partitioned");
  EXPECT_FALSE(j["tables"]["public.child"].contains("kind"));
  EXPECT_EQ(j["views"]["app.active_users"]["column_comments"]["email"], nullptr);
}

TEST(JsonModel, ForeignKeyDefaultsAreOmitted) {
  Model m;
  Table t;
  t.schema = "public";
  t.name = "t";
  Constraint fk;
  fk.name = "t_fk";
  fk.kind = ConstraintKind::ForeignKey;
  fk.columns = {"a"};
  ForeignKey ref;
  ref.ref_table = "public.u";
  ref.ref_columns = {"id"};
  fk.foreign_key = ref;
  t.constraints[fk.name] = fk;
  m.tables["public.t"] = t;
  json j = model_to_json(m)["tables"]["public.t"]["constraints"]["t_fk"]["foreign_key"];
  EXPECT_EQ(j, (json{{"ref_table", "public.u"}, {"ref_columns", {"id"}}}));
  expect_exact_round_trip(m, false);
}

// model_from_json must fail with a message that contains `needle`.
void expect_error(const json& j, const std::string& needle) {
  try {
    model_from_json(j);
    ADD_FAILURE() << "no error; expected one mentioning " << needle;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(JsonModel, ErrorsNameTheJsonPath) {
  json good = model_to_json(every_kind_model());

  json bad_type = good;
  bad_type["tables"]["app.users"]["columns"][1]["type"] = 42;
  expect_error(bad_type, "$.tables[\"app.users\"].columns[1].type: expected a string");

  json unknown = good;
  unknown["tables"]["app.users"]["constraints"]["users_pkey"]["colums"] = json::array();
  expect_error(unknown, "$.tables[\"app.users\"].constraints.users_pkey.colums");
  expect_error(unknown, "unknown field");

  json bad_action = good;
  bad_action["tables"]["app.events"]["constraints"]["events_user_id_fkey"]["foreign_key"]
            ["on_delete"] = "explode";
  expect_error(bad_action, "on_delete: unknown value \"explode\"");

  json bad_kind = good;
  bad_kind["tables"]["app.users"]["constraints"]["users_pkey"]["kind"] = "primary";
  expect_error(bad_kind, "unknown constraint kind \"primary\"");

  json missing = good;
  missing["enums"]["app.mood"].erase("values");
  expect_error(missing, "$.enums[\"app.mood\"]: missing required field \"values\"");

  json wrong_key = good;
  wrong_key["tables"]["app.people"] = wrong_key["tables"]["app.users"];
  expect_error(wrong_key, "key does not match");

  json bad_identity = good;
  bad_identity["tables"]["app.users"]["replica_identity"] = "sideways";
  expect_error(bad_identity, "replica_identity: expected \"default\", \"full\"");
  json identity_without_index = good;
  identity_without_index["tables"]["app.users"].erase("replica_identity_index");
  expect_error(identity_without_index,
               "replica_identity_index: expected exactly when replica_identity is \"index\"");

  json bad_location = good;
  bad_location["tables"]["app.users"]["location"] = "nowhere";
  expect_error(bad_location, "expected \"file:line\"");
}

// Every JSON reader (models, plans, resolutions) takes its text through parse_json_text: JSON
// nested deeper than kMaxJsonDepth, which nlohmann would parse but copying, comparing and
// printing values would recurse through, and JSON that does not parse are refused with
// file:line:column.
TEST(JsonModel, TextIsRefusedWithItsPlace) {
  auto error = [](const std::string& text) -> std::string {
    try {
      parse_json_text(text, "m.json");
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error(std::string(100000, '[') + std::string(100000, ']')),
            "m.json:1:513: JSON nested too deeply: more than 512 levels of arrays and objects");
  EXPECT_EQ(error("{\"a\":\n  " + std::string(600, '{')).substr(0, 16), "m.json:2:514: JS");
  // Brackets inside strings are text.
  EXPECT_EQ(error("[\"" + std::string(1000, '[') + "\\\"[\"]"), "no error");
  EXPECT_EQ(error(std::string(512, '[') + std::string(512, ']')), "no error");
  EXPECT_EQ(error("{\n  \"format\": \"pgdrift-model\",\n  \"tables\": ,\n}\n"),
            "m.json:3:13: not valid JSON: syntax error while parsing value - unexpected ','; "
            "expected '[', '{', or a literal");
  EXPECT_EQ(error("[1, 2").rfind("m.json:1:6: not valid JSON: ", 0), 0u) << error("[1, 2");
  EXPECT_EQ(error("\"abc").rfind("m.json:1:5: not valid JSON: ", 0), 0u) << error("\"abc");
}

// PostgreSQL keeps 63 bytes of a name: a longer one in a model is refused, with the path
// shortened (the name filters' std::regex recursed once per byte of a megabyte name).
TEST(JsonModel, NamesLongerThanPostgresAllowsAreRefused) {
  json j = model_to_json(every_kind_model());
  const std::string name63(63, 'n');
  json table = j["tables"]["app.users"];
  table["name"] = name63;
  j["tables"]["app." + name63] = table;
  EXPECT_EQ(model_from_json(j).tables.count("app." + name63), 1u);

  json long_table = j;
  table["name"] = std::string(1 << 20, 'n');
  long_table["tables"]["app." + table["name"].get<std::string>()] = table;
  try {
    model_from_json(long_table);
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_LT(what.size(), 400u);
    EXPECT_NE(what.find("$.tables[\"app.nnn"), std::string::npos) << what;
    EXPECT_NE(what.find("nnn\"].name: longer than 63 bytes, PostgreSQL's limit for names"),
              std::string::npos)
        << what;
  }
  json long_schema = j;
  long_schema["schemas"][std::string(64, 's')] = json::object();
  expect_error(long_schema, "longer than 63 bytes");
}

TEST(JsonModel, HeaderIsChecked) {
  json j = model_to_json(Model{});
  json wrong_format = j;
  wrong_format["format"] = "something-else";
  expect_error(wrong_format, "$.format");
  json wrong_version = j;
  wrong_version["version"] = 2;
  expect_error(wrong_version, "unsupported version 2");
  json no_header = json::object();
  expect_error(no_header, "missing required field \"format\"");
  expect_error(json::array(), "$: expected an object");
}

TEST(JsonModel, ProvenanceObjectIsAccepted) {
  json j = model_to_json(every_kind_model());
  j["provenance"] = {{"server_version", "15.20"}};
  EXPECT_EQ(model_from_json(j), every_kind_model());
}

TEST(JsonModel, MitaFixturesRoundTripExactly) {
  for (const char* fixture : {"mita/schema", "mita/live.sql"}) {
    SCOPED_TRACE(fixture);
    auto loaded = sql::load_path(testing::fixture_path(fixture));
    EXPECT_FALSE(loaded.model.tables.empty());
    expect_exact_round_trip(loaded.model, false);
    expect_exact_round_trip(loaded.model, true);
  }
}

}  // namespace
}  // namespace pgdrift::schema
