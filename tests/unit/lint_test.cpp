// The lint rules (engine/lint.h): each rule on a schema that has the problem and on one that
// does not, and the fixes reconcile --prefer-safer applies.
#include "engine/lint.h"

#include <gtest/gtest.h>

#include <set>

#include "schema/sql/loader.h"

namespace pgdrift {
namespace {

schema::Model load(const std::string& sql) {
  schema::Model model;
  std::vector<schema::sql::LoadWarning> warnings;
  schema::sql::apply_sql(model, sql, "lint.sql", {}, warnings);
  return model;
}

// "rule object" of every finding.
std::set<std::string> found(const schema::Model& model, const engine::LintOptions& options = {}) {
  std::set<std::string> out;
  for (const auto& f : engine::lint_model(model, options)) out.insert(f.rule + " " + f.object);
  return out;
}

const char* kUsers = "CREATE TABLE users (id uuid PRIMARY KEY);\n";

TEST(Lint, MoneyAsFloatNamesTheColumnAndTheExactTypeTheSchemaUses) {
  auto model = load(std::string(kUsers) +
                    "CREATE TABLE orders (id int PRIMARY KEY, total_amount numeric(12,2), "
                    "price double precision, discount_code text, shipping_fee real, "
                    "weight double precision);\n");
  EXPECT_EQ(found(model), (std::set<std::string>{"money-as-float public.orders.price",
                                                 "money-as-float public.orders.shipping_fee"}));
  auto findings = engine::lint_model(model);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].severity, engine::LintSeverity::Error);
  EXPECT_EQ(findings[0].location.file, "lint.sql");
  EXPECT_EQ(findings[0].location.line, 2);
  ASSERT_EQ(findings[0].fixes.size(), 1u);
  EXPECT_EQ(findings[0].fixes[0].type, "numeric(12,2)");
  EXPECT_EQ(findings[0].suggestion,
            "ALTER TABLE public.orders ALTER COLUMN price TYPE numeric(12,2);");
}

TEST(Lint, MoneyAsFloatWithoutAnExactMoneyColumnSuggestsPlainNumeric) {
  auto model = load("CREATE TABLE t (id int PRIMARY KEY, balance float8);");
  auto findings = engine::lint_model(model);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].fixes.at(0).type, "numeric");
}

TEST(Lint, MissingForeignKeyFollowsWhatEveryOtherSameNamedColumnReferences) {
  auto model = load(std::string(kUsers) +
                    "CREATE TABLE a (id int PRIMARY KEY, user_id uuid REFERENCES users ON DELETE "
                    "CASCADE);\n"
                    "CREATE TABLE b (id int PRIMARY KEY, user_id uuid REFERENCES users ON DELETE "
                    "CASCADE);\n"
                    "CREATE TABLE c (id int PRIMARY KEY, user_id varchar(36) NOT NULL);\n"
                    "CREATE TABLE d (id int PRIMARY KEY, user_id uuid);\n"
                    "CREATE INDEX ON a (user_id); CREATE INDEX ON b (user_id);");
  EXPECT_EQ(found(model), (std::set<std::string>{"missing-foreign-key public.c.user_id",
                                                 "missing-foreign-key public.d.user_id"}));
  auto findings = engine::lint_model(model);
  const auto& c = findings.at(0);
  ASSERT_EQ(c.object, "public.c.user_id");
  ASSERT_EQ(c.fixes.size(), 2u);  // retype, then the foreign key
  EXPECT_EQ(c.fixes[0].type, "uuid");
  EXPECT_EQ(c.fixes[1].constraint.name, "c_user_id_fkey");
  EXPECT_EQ(c.fixes[1].constraint.foreign_key->on_delete, 'c');
  EXPECT_EQ(findings.at(1).fixes.size(), 1u);  // d: same type, only the foreign key

  auto applied = engine::apply_lint_fixes(model, findings, {engine::kRuleMissingForeignKey});
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(applied[0].changed_keys,
            (std::vector<std::string>{"public.c.user_id", "public.c constraint c_user_id_fkey"}));
  const auto& table = model.tables.at("public.c");
  EXPECT_EQ(table.find_column("user_id")->type, "uuid");
  EXPECT_TRUE(table.find_column("user_id")->not_null);
  EXPECT_EQ(table.constraints.at("c_user_id_fkey").foreign_key->ref_table, "public.users");
  // Fixed: linting again finds nothing of the rule.
  for (const auto& f : engine::lint_model(model)) EXPECT_NE(f.rule, "missing-foreign-key");
}

TEST(Lint, MissingForeignKeyStaysSilentWhenTheEvidenceDisagreesOrCannotConvert) {
  // Two same-named columns reference different tables: no single meaning.
  auto split = load(
      "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE q (id int PRIMARY KEY);\n"
      "CREATE TABLE a (id int PRIMARY KEY, owner_id int REFERENCES p);\n"
      "CREATE TABLE b (id int PRIMARY KEY, owner_id int REFERENCES q);\n"
      "CREATE TABLE c (id int PRIMARY KEY, owner_id int);");
  for (const auto& f : engine::lint_model(split)) EXPECT_NE(f.rule, "missing-foreign-key");
  // A bigint cannot become an integer key safely: reported, no fix.
  auto narrow = load(
      "CREATE TABLE p (id int PRIMARY KEY);\n"
      "CREATE TABLE a (id int PRIMARY KEY, p_id int REFERENCES p);\n"
      "CREATE TABLE c (id int PRIMARY KEY, p_id bigint);");
  auto findings = engine::lint_model(narrow, {{"foreign-key-without-index"}});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "public.c.p_id");
  EXPECT_TRUE(findings[0].fixes.empty());
  EXPECT_NE(findings[0].message.find("cannot be converted"), std::string::npos);
}

TEST(Lint, InconsistentIdTypeWithoutForeignKeys) {
  auto model = load(
      "CREATE TABLE a (id int PRIMARY KEY, tenant_id text);\n"
      "CREATE TABLE b (id int PRIMARY KEY, tenant_id uuid);\n"
      "CREATE TABLE c (id int PRIMARY KEY, tenant_id uuid);");
  EXPECT_EQ(found(model), (std::set<std::string>{"inconsistent-id-type public.a.tenant_id",
                                                 "inconsistent-id-type public.b.tenant_id",
                                                 "inconsistent-id-type public.c.tenant_id"}));
  auto findings = engine::lint_model(model);
  EXPECT_EQ(findings[0].message, "tenant_id is text here but uuid in 2 tables");
}

TEST(Lint, ForeignKeyTypeMismatchAndMissingIndex) {
  auto model = load(
      "CREATE TABLE p (id bigint PRIMARY KEY);\n"
      "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p, q_id bigint REFERENCES p);\n"
      "CREATE INDEX c_q ON c (q_id, id);");
  EXPECT_EQ(found(model),
            (std::set<std::string>{"foreign-key-type-mismatch public.c constraint c_p_id_fkey",
                                   "foreign-key-without-index public.c constraint c_p_id_fkey"}));
  // A partial index does not serve every lookup; a unique constraint leading with it does.
  auto partial = load(
      "CREATE TABLE p (id int PRIMARY KEY);\n"
      "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p, UNIQUE (p_id, id));\n"
      "CREATE TABLE d (id int PRIMARY KEY, p_id int REFERENCES p);\n"
      "CREATE INDEX d_p ON d (p_id) WHERE id > 0;");
  EXPECT_EQ(found(partial),
            (std::set<std::string>{"foreign-key-without-index public.d constraint d_p_id_fkey"}));
}

TEST(Lint, TablesWithoutPrimaryKeyAndTimestampsWithoutTimeZone) {
  auto model = load(
      "CREATE TABLE log (at timestamp, msg text);\n"
      "CREATE TABLE ok (id int PRIMARY KEY, at timestamptz);\n"
      "CREATE TABLE parted (id int, at timestamptz, PRIMARY KEY (id, at)) PARTITION BY RANGE "
      "(at);\n"
      "CREATE TABLE parted_2025 PARTITION OF parted FOR VALUES FROM ('2025-01-01') TO "
      "('2026-01-01');");
  EXPECT_EQ(found(model), (std::set<std::string>{"table-without-primary-key public.log",
                                                 "timestamp-without-time-zone public.log.at"}));
}

TEST(Lint, DisabledRulesAreNotRunAndUnknownOnesAreAnError) {
  auto model = load("CREATE TABLE log (at timestamp, amount real);");
  EXPECT_EQ(found(model, {{"table-without-primary-key", "timestamp-without-time-zone"}}),
            (std::set<std::string>{"money-as-float public.log.amount"}));
  EXPECT_THROW(engine::lint_model(model, {{"no-such-rule"}}), std::invalid_argument);
}

TEST(Lint, FixesOnlyForTheRulesAsked) {
  auto model = load("CREATE TABLE t (id int PRIMARY KEY, amount real);");
  auto findings = engine::lint_model(model);
  EXPECT_TRUE(engine::apply_lint_fixes(model, findings, {engine::kRuleMissingForeignKey}).empty());
  EXPECT_EQ(model.tables.at("public.t").find_column("amount")->type, "real");
  auto applied = engine::apply_lint_fixes(model, findings, {engine::kRuleMoneyAsFloat});
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].change, "amount real -> numeric");
  EXPECT_EQ(model.tables.at("public.t").find_column("amount")->type, "numeric");
}

}  // namespace
}  // namespace pgdrift
