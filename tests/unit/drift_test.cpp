// Drift entries from hand-built models, ignore rules, and the report formats (the JUnit and SARIF
// files checked by external parsers: tests/integration/drift_render_validation_test.cpp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/drift.h"
#include "engine/ignore_rules.h"
#include "engine/text_diff.h"
#include "schema/filter.h"
#include "tests/support/drift_samples.h"

namespace pgdrift::engine {
namespace {

using nlohmann::json;
using testing::expenses;
using testing::expenses_model;
using testing::index_key;
using testing::sample_report;

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

// Booleans that default to true (with_data, validated, permissive) are omitted when true too.
TEST(Drift, AbsentBooleansReadAsTheirDefaultsWhenTheDefaultIsTrue) {
  schema::Model desired = expenses_model();
  schema::View view;
  view.schema = "public";
  view.name = "totals";
  view.materialized = true;
  view.query = "SELECT amount FROM expenses";
  desired.views["public.totals"] = view;  // populated (with_data = true, the default)
  schema::Model live = desired;
  live.views["public.totals"].with_data = false;
  DatabaseDrift db = compute_drift(desired, live);
  const auto* totals = find_entry(db, "materialized_view", "public.totals");
  ASSERT_NE(totals, nullptr) << entries_text(db);
  ASSERT_EQ(totals->differences.size(), 1u);
  EXPECT_EQ(totals->differences[0].path, "with_data");
  EXPECT_EQ(totals->differences[0].desired, true);
  EXPECT_EQ(totals->differences[0].live, false);
}

TEST(Drift, MissingAndUnexpectedMembers) {
  schema::Model live = expenses_model();
  auto& t = expenses(live);
  t.constraints.erase("expenses_user_id_fkey");
  t.columns.push_back(testing::column("note", "text"));
  t.indexes.erase("expenses_user_idx");
  schema::Index extra;
  extra.name = "expenses_amount_idx";
  extra.keys = {index_key("amount")};
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
  other.columns = {testing::column("x", "integer")};
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

TEST(Drift, CommentsOfViewMembersAreAttributesOfTheirOwnEntries) {
  schema::Model desired = expenses_model();
  schema::View v;
  v.schema = "public";
  v.name = "totals";
  v.materialized = true;
  v.query = "SELECT 1 AS n";
  schema::Index idx;
  idx.name = "totals_n_idx";
  idx.keys = {index_key("n")};
  v.indexes[idx.name] = idx;
  v.column_comments["n"] = "the n";
  desired.views["public.totals"] = v;
  schema::Model live = desired;
  desired.views.at("public.totals").indexes.at("totals_n_idx").comment = "fast";
  DatabaseDrift db = compute_drift(desired, live);
  const auto* index = find_entry(db, "index", "public.totals_n_idx");
  ASSERT_NE(index, nullptr) << entries_text(db);
  ASSERT_EQ(index->differences.size(), 1u);
  EXPECT_EQ(index->differences[0].path, "indexes.totals_n_idx.comment");
  EXPECT_EQ(index->severity, DriftSeverity::Warning);
  // A view column's comment is an attribute of the view itself.
  live.views.at("public.totals").column_comments["n"] = "old";
  db = compute_drift(desired, live);
  const auto* view = find_entry(db, "materialized_view", "public.totals");
  ASSERT_NE(view, nullptr) << entries_text(db);
  ASSERT_EQ(view->differences.size(), 1u);
  EXPECT_EQ(view->differences[0].path, "column_comments.n");
}

TEST(Drift, SchemaFilterLeavesOtherSchemasOut) {
  schema::Model live = expenses_model();
  schema::Table audit;
  audit.schema = "audit";
  audit.name = "log";
  live.tables["audit.log"] = audit;
  // Sources load only the schemas in scope (schema::filter_schemas); drift compares those.
  schema::Model in_scope = live;
  schema::SchemaFilter filter;
  filter.exclude_schemas = {"audit"};
  schema::filter_schemas(in_scope, filter);
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
  extra.keys = {index_key("amount")};
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

// Issue 18 item 11: a view query or function body that differs reads as a diff of it laid out
// one clause per line, not as two long lines.
TEST(DriftRender, LongDefinitionsDifferAsAUnifiedDiffOfPrettySql) {
  const std::string desired =
      "SELECT e.user_id, date_trunc('month', e.spent_at) AS month, sum(e.amount) AS total FROM "
      "public.expenses e JOIN public.users u ON u.id = e.user_id WHERE e.amount > 0 GROUP BY "
      "e.user_id, date_trunc('month', e.spent_at)";
  std::string live = desired;
  live.replace(live.find("e.amount > 0"), 12, "e.amount >= 0");
  DriftEntry e;
  e.object_kind = "view";
  e.name = "public.monthly";
  e.differences = {{"query", desired, live}};
  DatabaseDrift db;
  db.label = "prod";
  db.entries = {e};
  DriftReport report;
  report.databases = {db};
  const std::string text = render_drift_text(report);
  EXPECT_NE(text.find("      query:\n        --- desired\n        +++ live\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("        -WHERE e.amount > 0\n        +WHERE e.amount >= 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("         FROM public.expenses e\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("desired SELECT"), std::string::npos) << text;
  // Short values stay on one line.
  EXPECT_EQ(render_drift_text(sample_report()).find("--- desired"), std::string::npos);
}

TEST(TextDiff, PrettySqlBreaksTopLevelClausesOnly) {
  EXPECT_EQ(pretty_sql("SELECT a, (SELECT max(b) FROM t WHERE x) AS m, 'FROM x' FROM u LEFT "
                       "JOIN v ON true WHERE a = $$ WHERE $$ ORDER BY 1"),
            "SELECT a,\n    (SELECT max(b) FROM t WHERE x) AS m,\n    'FROM x'\nFROM u\nLEFT JOIN "
            "v ON true\nWHERE a = $$ WHERE $$\nORDER BY 1");
  EXPECT_EQ(pretty_sql("SELECT 1 UNION ALL SELECT 2"), "SELECT 1\nUNION ALL\nSELECT 2");
  EXPECT_EQ(pretty_sql("BEGIN\n  RETURN 1;\nEND"), "BEGIN\n  RETURN 1;\nEND");  // as written
  EXPECT_EQ(pretty_sql("select_from(fromage)"), "select_from(fromage)");        // whole words
  EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n"), "");
  EXPECT_EQ(unified_diff("a\nb\nc\n", "a\nB\nc\n"),
            "--- before\n+++ after\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
}

}  // namespace
}  // namespace pgdrift::engine
