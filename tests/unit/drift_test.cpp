// Drift entries from hand-built models, ignore rules, and the shape of every report format
// (JSON parses, JUnit parses as XML, SARIF validates against the SARIF 2.1.0 schema).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/drift.h"
#include "engine/ignore_rules.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::engine {
namespace {

using nlohmann::json;

schema::IndexKey key(const std::string& column) {
  schema::IndexKey k;
  k.column = column;
  return k;
}

schema::Column column(const std::string& name, const std::string& type, bool not_null = false,
                      int line = 0) {
  schema::Column c;
  c.name = name;
  c.type = type;
  c.not_null = not_null;
  c.location = {"schema/expenses.sql", line};
  return c;
}

// public.expenses (id, amount numeric(12,2), user_id uuid) with a primary key, an FK, an index.
schema::Model expenses_model() {
  schema::Model m;
  schema::Table t;
  t.schema = "public";
  t.name = "expenses";
  t.location = {"schema/expenses.sql", 3};
  t.columns = {column("id", "uuid", true, 4), column("amount", "numeric(12,2)", true, 5),
               column("user_id", "uuid", true, 6)};
  schema::Constraint pk;
  pk.name = "expenses_pkey";
  pk.kind = schema::ConstraintKind::PrimaryKey;
  pk.columns = {"id"};
  pk.location = {"schema/expenses.sql", 4};
  t.constraints[pk.name] = pk;
  schema::Constraint fk;
  fk.name = "expenses_user_id_fkey";
  fk.kind = schema::ConstraintKind::ForeignKey;
  fk.columns = {"user_id"};
  fk.foreign_key = schema::ForeignKey{};
  fk.foreign_key->ref_table = "public.users";
  fk.foreign_key->ref_columns = {"id"};
  fk.location = {"schema/expenses.sql", 6};
  t.constraints[fk.name] = fk;
  schema::Index idx;
  idx.name = "expenses_user_idx";
  idx.keys = {key("user_id")};
  idx.location = {"schema/expenses.sql", 9};
  t.indexes[idx.name] = idx;
  m.tables["public.expenses"] = t;
  schema::EnumType mood;
  mood.schema = "public";
  mood.name = "mood";
  mood.values = {"sad", "ok", "happy"};
  mood.location = {"schema/types.sql", 1};
  m.enums["public.mood"] = mood;
  return m;
}

schema::Table& expenses(schema::Model& m) { return m.tables.at("public.expenses"); }

const DriftEntry* find_entry(const DatabaseDrift& db, const std::string& kind,
                             const std::string& name) {
  for (const auto& e : db.entries)
    if (e.object_kind == kind && e.name == name) return &e;
  return nullptr;
}

std::string entries_text(const DatabaseDrift& db) {
  std::string out;
  for (const auto& e : db.entries) out += describe_entry(e) + "\n";
  return out;
}

TEST(Drift, EqualModelsHaveNoDrift) {
  DatabaseDrift db = compute_drift(expenses_model(), expenses_model());
  EXPECT_TRUE(db.entries.empty()) << entries_text(db);
  EXPECT_EQ(db.checked.size(), 2u);  // the table and the enum
  DriftReport report;
  report.databases.push_back(db);
  EXPECT_EQ(report.exit_code(), 0);
}

TEST(Drift, ColumnTypeIsAnAttributeOfTheColumnEntry) {
  schema::Model live = expenses_model();
  expenses(live).find_column("amount")->type = "double precision";
  DatabaseDrift db = compute_drift(expenses_model(), live);
  ASSERT_EQ(db.entries.size(), 1u) << entries_text(db);
  const auto& e = db.entries[0];
  EXPECT_EQ(e.object_kind, "column");
  EXPECT_EQ(e.name, "public.expenses.amount");
  EXPECT_EQ(e.parent, "public.expenses");
  EXPECT_EQ(e.kind, DriftKind::Differs);
  EXPECT_EQ(e.severity, DriftSeverity::Error);
  ASSERT_EQ(e.differences.size(), 1u);
  EXPECT_EQ(e.differences[0].path, "columns.amount.type");
  EXPECT_EQ(e.differences[0].desired, "numeric(12,2)");
  EXPECT_EQ(e.differences[0].live, "double precision");
  EXPECT_EQ(e.location.file, "schema/expenses.sql");
  EXPECT_EQ(e.location.line, 5);
}

TEST(Drift, NullabilityAndDefaultReadAbsentFieldsAsDefaults) {
  schema::Model live = expenses_model();
  expenses(live).find_column("amount")->not_null = false;
  expenses(live).find_column("id")->default_expr = "gen_random_uuid()";
  DatabaseDrift db = compute_drift(expenses_model(), live);
  const auto* amount = find_entry(db, "column", "public.expenses.amount");
  ASSERT_NE(amount, nullptr) << entries_text(db);
  ASSERT_EQ(amount->differences.size(), 1u);
  EXPECT_EQ(amount->differences[0].path, "columns.amount.not_null");
  EXPECT_EQ(amount->differences[0].desired, true);
  EXPECT_EQ(amount->differences[0].live, false);
  const auto* id = find_entry(db, "column", "public.expenses.id");
  ASSERT_NE(id, nullptr) << entries_text(db);
  ASSERT_EQ(id->differences.size(), 1u);
  EXPECT_EQ(id->differences[0].path, "columns.id.default_expr");
  EXPECT_TRUE(id->differences[0].desired.is_null());
  EXPECT_EQ(id->differences[0].live, "gen_random_uuid()");
}

TEST(Drift, MissingAndUnexpectedMembers) {
  schema::Model live = expenses_model();
  auto& t = expenses(live);
  t.constraints.erase("expenses_user_id_fkey");
  t.columns.push_back(column("note", "text"));
  t.indexes.erase("expenses_user_idx");
  schema::Index extra;
  extra.name = "expenses_amount_idx";
  extra.keys = {key("amount")};
  t.indexes[extra.name] = extra;
  DatabaseDrift db = compute_drift(expenses_model(), live);
  EXPECT_EQ(db.entries.size(), 4u) << entries_text(db);

  const auto* fk = find_entry(db, "constraint", "public.expenses.expenses_user_id_fkey");
  ASSERT_NE(fk, nullptr) << entries_text(db);
  EXPECT_EQ(fk->kind, DriftKind::Missing);
  EXPECT_EQ(fk->severity, DriftSeverity::Error);
  EXPECT_EQ(fk->location.line, 6);

  const auto* note = find_entry(db, "column", "public.expenses.note");
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(note->kind, DriftKind::Unexpected);
  EXPECT_EQ(note->location.line, 3) << "an unexpected member points at its desired table";

  const auto* missing_index = find_entry(db, "index", "public.expenses_user_idx");
  ASSERT_NE(missing_index, nullptr);
  EXPECT_EQ(missing_index->kind, DriftKind::Missing);
  EXPECT_EQ(missing_index->severity, DriftSeverity::Error);

  const auto* extra_index = find_entry(db, "index", "public.expenses_amount_idx");
  ASSERT_NE(extra_index, nullptr);
  EXPECT_EQ(extra_index->kind, DriftKind::Unexpected);
  EXPECT_EQ(extra_index->severity, DriftSeverity::Warning);
}

TEST(Drift, MissingTableIsOneEntryWithoutItsMembers) {
  schema::Model live = expenses_model();
  live.tables.clear();
  schema::Table other;
  other.schema = "public";
  other.name = "legacy";
  other.columns = {column("x", "integer")};
  live.tables["public.legacy"] = other;
  DatabaseDrift db = compute_drift(expenses_model(), live);
  ASSERT_EQ(db.entries.size(), 2u) << entries_text(db);
  const auto* missing = find_entry(db, "table", "public.expenses");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->kind, DriftKind::Missing);
  EXPECT_EQ(missing->location.line, 3);
  const auto* extra = find_entry(db, "table", "public.legacy");
  ASSERT_NE(extra, nullptr);
  EXPECT_EQ(extra->kind, DriftKind::Unexpected);
  EXPECT_TRUE(extra->location.empty());
}

TEST(Drift, EnumValuesAndCommentsAreAttributes) {
  schema::Model live = expenses_model();
  live.enums.at("public.mood").values = {"sad", "ok"};
  expenses(live).comment = "old text";
  DatabaseDrift db = compute_drift(expenses_model(), live);
  const auto* mood = find_entry(db, "enum", "public.mood");
  ASSERT_NE(mood, nullptr) << entries_text(db);
  ASSERT_EQ(mood->differences.size(), 1u);
  EXPECT_EQ(mood->differences[0].path, "values");
  EXPECT_EQ(mood->differences[0].desired, json({"sad", "ok", "happy"}));
  EXPECT_EQ(mood->severity, DriftSeverity::Error);
  const auto* table = find_entry(db, "table", "public.expenses");
  ASSERT_NE(table, nullptr) << entries_text(db);
  ASSERT_EQ(table->differences.size(), 1u);
  EXPECT_EQ(table->differences[0].path, "comment");
  EXPECT_EQ(table->severity, DriftSeverity::Warning) << "comment-only drift is a warning";
}

TEST(Drift, SchemaFilterLeavesOtherSchemasOut) {
  schema::Model live = expenses_model();
  schema::Table audit;
  audit.schema = "audit";
  audit.name = "log";
  live.tables["audit.log"] = audit;
  // Sources load only the schemas in scope (schema::filter_schemas); drift compares those.
  schema::Model in_scope = live;
  schema::filter_schemas(in_scope, {}, {"audit"});
  EXPECT_TRUE(compute_drift(expenses_model(), in_scope).entries.empty());
  EXPECT_EQ(compute_drift(expenses_model(), live).entries.size(), 1u);
}

TEST(Drift, FixStepsAttachByNameThenOwner) {
  schema::Model live = expenses_model();
  expenses(live).find_column("amount")->type = "double precision";
  live.tables.at("public.expenses").constraints.erase("expenses_user_id_fkey");
  DatabaseDrift db = compute_drift(expenses_model(), live);
  attach_fix_steps(
      db,
      {{"column",
        "public.expenses.amount",
        {"ALTER TABLE public.expenses ALTER COLUMN amount TYPE numeric(12,2);", {"table_rewrite"}}},
       {"constraint", "public.expenses.expenses_user_id_fkey", {"ADD FK", {}}},
       {"schema", "elsewhere", {"CREATE SCHEMA elsewhere;", {}}}});
  const auto* amount = find_entry(db, "column", "public.expenses.amount");
  ASSERT_NE(amount, nullptr);
  ASSERT_EQ(amount->fix.size(), 1u);
  EXPECT_EQ(amount->fix[0].hazards, std::vector<std::string>{"table_rewrite"});
  const auto* fk = find_entry(db, "constraint", "public.expenses.expenses_user_id_fkey");
  ASSERT_EQ(fk->fix.size(), 1u);
  ASSERT_EQ(db.other_fix.size(), 1u);
  EXPECT_EQ(db.other_fix[0].statement, "CREATE SCHEMA elsewhere;");
}

TEST(IgnoreRules, ParseKindsGlobsAndComments) {
  auto rules = parse_ignore_rules(
      "# accepted drift\n\n  index:public.*_idx  # extra "
      "indexes\ncolumn:public.t.c\npublic.audit_*\n",
      "drift.ignore");
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].kind, "index");
  EXPECT_EQ(rules[0].glob, "public.*_idx");
  EXPECT_EQ(rules[0].line, 3);
  EXPECT_EQ(rules[2].kind, "");
  EXPECT_EQ(rules[2].glob, "public.audit_*");
  EXPECT_THROW(parse_ignore_rules("tabel:public.x\n", "f"), IgnoreRuleError);
  EXPECT_THROW(parse_ignore_rules("table:\n", "f"), IgnoreRuleError);
}

TEST(IgnoreRules, IgnoredEntriesStayButDoNotCount) {
  schema::Model live = expenses_model();
  auto& t = expenses(live);
  t.find_column("amount")->type = "double precision";
  schema::Index extra;
  extra.name = "expenses_amount_idx";
  extra.keys = {key("amount")};
  t.indexes[extra.name] = extra;
  DatabaseDrift db = compute_drift(expenses_model(), live);
  ASSERT_EQ(db.entries.size(), 2u) << entries_text(db);

  DatabaseDrift only_index = db;
  apply_ignore_rules(only_index, parse_ignore_rules("index:public.*_amount_idx\n", "r"));
  EXPECT_EQ(only_index.drift_count(), 1u);
  EXPECT_EQ(only_index.ignored_count(), 1u);
  EXPECT_TRUE(find_entry(only_index, "index", "public.expenses_amount_idx")->ignored);
  EXPECT_EQ(find_entry(only_index, "index", "public.expenses_amount_idx")->ignored_by,
            "index:public.*_amount_idx (r:1)");

  // A kind that does not match leaves the entry alone.
  DatabaseDrift wrong_kind = db;
  apply_ignore_rules(wrong_kind, parse_ignore_rules("column:public.expenses_amount_idx\n", "r"));
  EXPECT_EQ(wrong_kind.drift_count(), 2u);

  // A table rule covers the table's members.
  DatabaseDrift whole_table = db;
  apply_ignore_rules(whole_table, parse_ignore_rules("table:public.expenses\n", "r"));
  EXPECT_EQ(whole_table.drift_count(), 0u);
  DriftReport report;
  report.databases.push_back(whole_table);
  EXPECT_EQ(report.exit_code(), 0);
  report.databases[0] = db;
  EXPECT_EQ(report.exit_code(), 1);
}

// ---- renderers ---------------------------------------------------------------------------

DriftReport sample_report() {
  schema::Model live = expenses_model();
  auto& t = expenses(live);
  t.find_column("amount")->type = "double precision";
  t.constraints.erase("expenses_user_id_fkey");
  schema::Index extra;
  extra.name = "expenses_amount_idx";
  extra.keys = {key("amount")};
  t.indexes[extra.name] = extra;
  live.tables["public.legacy"] = schema::Table{};
  live.tables["public.legacy"].schema = "public";
  live.tables["public.legacy"].name = "legacy";
  DriftReport report;
  report.desired = "schema/";
  report.databases.push_back(compute_drift(expenses_model(), live));
  report.databases[0].label = "prod <&> \"eu\"";
  attach_fix_steps(report.databases[0],
                   {{"column",
                     "public.expenses.amount",
                     {"ALTER TABLE public.expenses ALTER COLUMN amount TYPE numeric(12,2);",
                      {"table_rewrite", "access_exclusive_lock"}}}});
  apply_ignore_rules(report.databases[0], parse_ignore_rules("table:public.legacy\n", "r"));
  DatabaseDrift clean = compute_drift(expenses_model(), expenses_model());
  clean.label = "staging";
  report.databases.push_back(clean);
  DatabaseDrift broken;
  broken.label = "host=db3 user=app password=***";
  broken.error = "connection refused";
  report.databases.push_back(broken);
  return report;
}

std::string temp_file(const std::string& text, const std::string& suffix) {
  std::string path = "/tmp/pgdrift-drift-unit-XXXXXX" + suffix;
  std::vector<char> name(path.begin(), path.end());
  name.push_back('\0');
  int fd = ::mkstemps(name.data(), static_cast<int>(suffix.size()));
  EXPECT_GE(fd, 0);
  ::close(fd);
  std::ofstream(name.data(), std::ios::binary) << text;
  return name.data();
}

// A python3 that can import `module`: Debian's (python3-jsonschema, scripts/install-deps.sh)
// first, then whatever python3 is on PATH.
std::string python_with(const std::string& module) {
  for (const char* python : {"/usr/bin/python3", "python3"}) {
    auto r = testing::run_program({python, "-c", "import " + module});
    if (r.exit_code == 0) return python;
  }
  return "";
}

TEST(DriftRender, JsonIsStableAndComplete) {
  DriftReport report = sample_report();
  std::string text = render_drift_json(report);
  json j = json::parse(text);
  EXPECT_EQ(j["format"], "pgdrift-drift");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["exit_code"], 2);
  EXPECT_EQ(j["summary"]["databases"], 3);
  EXPECT_EQ(j["summary"]["databases_with_errors"], 1);
  EXPECT_EQ(j["summary"]["drift"], report.drift_count());
  EXPECT_EQ(j["summary"]["ignored"], 1);
  const auto& prod = j["databases"][0];
  EXPECT_EQ(prod["status"], "drift");
  bool found = false;
  for (const auto& e : prod["entries"]) {
    if (e["name"] != "public.expenses.amount") continue;
    found = true;
    EXPECT_EQ(e["object_kind"], "column");
    EXPECT_EQ(e["drift"], "differs");
    EXPECT_EQ(e["location"]["file"], "schema/expenses.sql");
    EXPECT_EQ(e["location"]["line"], 5);
    EXPECT_EQ(e["differences"][0]["path"], "columns.amount.type");
    EXPECT_EQ(e["differences"][0]["live"], "double precision");
    EXPECT_EQ(e["fix"][0]["hazards"][0], "table_rewrite");
  }
  EXPECT_TRUE(found) << text;
  EXPECT_EQ(j["databases"][1]["status"], "clean");
  EXPECT_EQ(j["databases"][2]["status"], "error");
  EXPECT_EQ(j["databases"][2]["error"], "connection refused");
  EXPECT_EQ(render_drift_json(report), text) << "same report, same bytes";
}

TEST(DriftRender, JunitParsesWithOneTestcasePerObject) {
  std::string xml = render_drift_junit(sample_report());
  std::string path = temp_file(xml, ".xml");
  // Counts per suite: tests / failures / errors / skipped, as the parser sees them.
  auto r = testing::run_program(
      {"python3", "-c",
       "import sys, xml.etree.ElementTree as E\n"
       "root = E.parse(sys.argv[1]).getroot()\n"
       "assert root.tag == 'testsuites', root.tag\n"
       "for s in root.findall('testsuite'):\n"
       "    cases = s.findall('testcase')\n"
       "    assert int(s.get('tests')) == len(cases)\n"
       "    print(s.get('name'), len(cases), len([c for c in cases if c.find('failure') is not "
       "None]), len([c for c in cases if c.find('error') is not None]), len([c for c in cases "
       "if c.find('skipped') is not None]))\n",
       path});
  std::remove(path.c_str());
  ASSERT_EQ(r.exit_code, 0) << r.err << "\n" << xml;
  // prod: expenses (failure), mood (pass), legacy (skipped: ignored); staging: 2 passing;
  // the broken database: one error testcase.
  EXPECT_EQ(r.out,
            "prod <&> \"eu\" 3 1 0 1\nstaging 2 0 0 0\nhost=db3 user=app password=*** 1 0 1 0\n")
      << xml;
}

TEST(DriftRender, SarifValidatesAgainstTheSarif210Schema) {
  DriftReport report = sample_report();
  std::string sarif = render_drift_sarif(report);
  std::string python = python_with("jsonschema");
  ASSERT_FALSE(python.empty())
      << "python3 with jsonschema is needed (Debian python3-jsonschema, scripts/install-deps.sh)";
  std::string path = temp_file(sarif, ".sarif");
  auto r = testing::run_program(
      {python, "-c",
       "import json, sys, jsonschema\n"
       "schema = json.load(open(sys.argv[1]))\n"
       "log = json.load(open(sys.argv[2]))\n"
       "jsonschema.validate(log, schema)\n"
       "print('valid')\n",
       std::string(PGDRIFT_SOURCE_DIR) + "/tests/data/sarif-schema-2.1.0.json", path});
  std::remove(path.c_str());
  ASSERT_EQ(r.exit_code, 0) << r.err << "\n" << sarif;
  EXPECT_EQ(r.out, "valid\n");

  json log = json::parse(sarif);
  const auto& results = log["runs"][0]["results"];
  bool found = false;
  for (const auto& result : results) {
    // const json::operator[] on a missing key is undefined behaviour: look keys up with value().
    const json locations = result.value("locations", json::array());
    if (locations.empty()) continue;
    const json logical = locations[0].value("logicalLocations", json::array());
    if (logical.empty() || logical[0].value("fullyQualifiedName", "") != "public.expenses.amount")
      continue;
    found = true;
    EXPECT_EQ(result["ruleId"], "drift/differs");
    EXPECT_EQ(result["level"], "error");
    const auto& loc = result["locations"][0]["physicalLocation"];
    EXPECT_EQ(loc["artifactLocation"]["uri"], "schema/expenses.sql");
    EXPECT_EQ(loc["region"]["startLine"], 5);
  }
  EXPECT_TRUE(found) << sarif;
  EXPECT_EQ(log["runs"][0]["invocations"][0]["executionSuccessful"], false);

  // The validator really checks: a result without a message is rejected.
  log["runs"][0]["results"][0].erase("message");
  std::string bad = temp_file(log.dump(), ".sarif");
  auto rejected = testing::run_program(
      {python, "-c",
       "import json, sys, jsonschema\n"
       "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))\n",
       std::string(PGDRIFT_SOURCE_DIR) + "/tests/data/sarif-schema-2.1.0.json", bad});
  std::remove(bad.c_str());
  EXPECT_NE(rejected.exit_code, 0);
}

TEST(DriftRender, GithubAnnotationsPointAtTheDesiredSource) {
  std::string out = render_drift_github(sample_report());
  EXPECT_NE(out.find("::error file=schema/expenses.sql,line=5,title=schema drift%3A differs "
                     "column public.expenses.amount::differs column public.expenses.amount in "
                     "prod <&> \"eu\"%0Acolumns.amount.type: desired numeric(12,2), live double "
                     "precision"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("::warning file=schema/expenses.sql,line=3,"), std::string::npos)
      << "an extra index is a warning at its table\n"
      << out;
  EXPECT_EQ(out.find("public.legacy"), std::string::npos) << "ignored entries are left out";
  EXPECT_NE(out.find("::error title=pgdrift%3A cannot read host=db3 user=app password=***::"),
            std::string::npos)
      << out;
}

TEST(DriftRender, TextGroupsByDatabaseAndColoursOnlyWhenAsked) {
  DriftReport report = sample_report();
  std::string plain = render_drift_text(report);
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  EXPECT_NE(plain.find("database staging\n  no drift\n"), std::string::npos) << plain;
  EXPECT_NE(plain.find("columns.amount.type: desired numeric(12,2), live double precision"),
            std::string::npos)
      << plain;
  EXPECT_NE(plain.find("  error: connection refused"), std::string::npos) << plain;
  // One summary line, last.
  EXPECT_NE(plain.find("drift check failed: 1 database could not be read; 3 differences in 1 of "
                       "3 databases (1 ignored)\n"),
            std::string::npos)
      << plain;
  std::string coloured = render_drift_text(report, {true});
  EXPECT_NE(coloured.find("\033[31m"), std::string::npos);
}

}  // namespace
}  // namespace pgdrift::engine
