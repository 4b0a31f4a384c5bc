// The migration rules (planner/migration_lint.h): each rule on a small numbered-SQL history
// with and without the problem, the exemption of tables created in the same migration, and the
// suppression comments.
#include "planner/migration_lint.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/support/temp_dir.h"

namespace pgdrift {
namespace {

const char* kBase =
    "CREATE TABLE users (id bigint PRIMARY KEY, email text, name varchar(100));\n"
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, amount numeric(12,2));\n";

// Lints a history whose first migration is kBase and whose second is `second` (and third
// `third` when given); returns "rule file:line" of every migration-rule finding (the model
// rules are disabled unless `model_rules`).
struct Linted {
  std::set<std::string> found;
  planner::MigrationLintResult result;
};

Linted lint(const std::string& second, const std::string& third = "",
            std::set<std::string> disabled = {}) {
  testing::TempDir dir("pgdrift-migration-lint");
  dir.write("001_base.sql", kBase);
  dir.write("002_change.sql", second);
  if (!third.empty()) dir.write("003_more.sql", third);
  for (const auto& r : engine::lint_rules()) disabled.insert(r.name);
  planner::MigrationLintOptions options;
  options.disabled = disabled;
  Linted out;
  out.result = planner::lint_history(schema::history::read_history(dir.path.string()), options);
  for (const auto& f : out.result.findings)
    out.found.insert(f.rule + " " + std::filesystem::path(f.location.file).filename().string() +
                     ":" + std::to_string(f.location.line));
  return out;
}

// The same without the lock_timeout rule, to look at one rule at a time.
std::set<std::string> rules(const std::string& second) {
  return lint(second, "", {planner::kRuleMissingLockTimeout}).found;
}

TEST(MigrationLint, VolatileDefaultOnAnExistingTableButNotAConstantOne) {
  EXPECT_EQ(rules("ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();"),
            (std::set<std::string>{"adding-volatile-default 002_change.sql:1"}));
  EXPECT_EQ(rules("ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;"),
            std::set<std::string>{});
}

TEST(MigrationLint, TablesCreatedInTheSameMigrationAreExempt) {
  EXPECT_EQ(lint("CREATE TABLE moods (id bigint PRIMARY KEY, user_id bigint);\n"
                 "ALTER TABLE moods ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
                 "ALTER TABLE moods ADD COLUMN note text NOT NULL;\n"
                 "CREATE INDEX moods_user_id_idx ON moods (user_id);\n"
                 "ALTER TABLE moods ADD CONSTRAINT moods_user_fk FOREIGN KEY (user_id) "
                 "REFERENCES users;\n")
                .found,
            std::set<std::string>{});
  // The same table in a later migration: it exists, every statement locks it.
  auto later = lint("CREATE TABLE moods (id bigint PRIMARY KEY, user_id bigint);\n",
                    "\nCREATE INDEX moods_user_id_idx ON moods (user_id);\n");
  EXPECT_EQ(later.found, (std::set<std::string>{"index-without-concurrently 003_more.sql:2",
                                                "missing-lock-timeout 003_more.sql:2"}));
}

TEST(MigrationLint, NotNullWithoutDefaultAndSetNotNull) {
  EXPECT_EQ(rules("ALTER TABLE users ADD COLUMN phone text NOT NULL;"),
            (std::set<std::string>{"adding-not-null-without-default 002_change.sql:1"}));
  EXPECT_EQ(rules("ALTER TABLE users ALTER COLUMN email SET NOT NULL;"),
            (std::set<std::string>{"setting-not-null 002_change.sql:1"}));
  EXPECT_EQ(rules("ALTER TABLE users ADD COLUMN phone text;"), std::set<std::string>{});
}

TEST(MigrationLint, IndexesWithAndWithoutConcurrently) {
  EXPECT_EQ(rules("CREATE INDEX users_email_idx ON users (email);"),
            (std::set<std::string>{"index-without-concurrently 002_change.sql:1"}));
  EXPECT_EQ(rules("CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"),
            std::set<std::string>{});
  EXPECT_EQ(lint("CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
                 "DROP INDEX users_email_idx;", {planner::kRuleMissingLockTimeout})
                .found,
            (std::set<std::string>{"drop-index-without-concurrently 003_more.sql:1"}));
}

TEST(MigrationLint, TypeChangesThePlannerSaysRewriteOrFail) {
  EXPECT_EQ(rules("ALTER TABLE orders ALTER COLUMN user_id TYPE text;"),
            (std::set<std::string>{"type-change-rewrite 002_change.sql:1"}));
  // varchar(n) -> text is binary-coercible: no rewrite.
  EXPECT_EQ(rules("ALTER TABLE users ALTER COLUMN name TYPE text;"), (std::set<std::string>{}));
  // A narrower numeric rewrites (as PostgreSQL does) and may fail on the larger amounts.
  EXPECT_EQ(rules("ALTER TABLE orders ALTER COLUMN amount TYPE numeric(10,2);"),
            (std::set<std::string>{"type-change-may-fail 002_change.sql:1",
                                   "type-change-rewrite 002_change.sql:1"}));
}

TEST(MigrationLint, ConstraintsWithoutNotValidOrUsingIndex) {
  EXPECT_EQ(rules("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) "
                  "REFERENCES users;"),
            (std::set<std::string>{"foreign-key-without-not-valid 002_change.sql:1"}));
  EXPECT_EQ(rules("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) "
                  "REFERENCES users NOT VALID;"),
            std::set<std::string>{});
  EXPECT_EQ(rules("ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0);"),
            (std::set<std::string>{"check-without-not-valid 002_change.sql:1"}));
  EXPECT_EQ(rules("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"),
            (std::set<std::string>{"unique-without-index 002_change.sql:1"}));
}

TEST(MigrationLint, DropsRenamesAndViews) {
  EXPECT_EQ(rules("ALTER TABLE users DROP COLUMN name;"),
            (std::set<std::string>{"data-loss 002_change.sql:1"}));
  EXPECT_EQ(lint("CREATE VIEW named AS SELECT id, name FROM users;",
                 "ALTER TABLE users DROP COLUMN name CASCADE;", {planner::kRuleMissingLockTimeout})
                .found.count("drop-column-used-by-view 003_more.sql:1"),
            1u);
  EXPECT_EQ(lint("CREATE VIEW named AS SELECT id, name FROM users;",
                 "ALTER TABLE users DROP COLUMN email;", {planner::kRuleMissingLockTimeout})
                .found.count("drop-column-used-by-view 003_more.sql:1"),
            0u);
  EXPECT_EQ(rules("ALTER TABLE users RENAME COLUMN name TO full_name;"),
            (std::set<std::string>{"renaming-column 002_change.sql:1"}));
  EXPECT_EQ(rules("ALTER TABLE users RENAME TO people;"),
            (std::set<std::string>{"renaming-table 002_change.sql:1"}));
}

TEST(MigrationLint, LockTimeoutOncePerMigrationUnlessSetFirst) {
  auto without = lint(
      "ALTER TABLE users ADD COLUMN phone text;\nALTER TABLE users ADD COLUMN "
      "fax text;\n");
  EXPECT_EQ(without.found, (std::set<std::string>{"missing-lock-timeout 002_change.sql:1"}));
  EXPECT_EQ(lint("SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN phone text;\n").found,
            std::set<std::string>{});
}

TEST(MigrationLint, SuppressionCommentsAndDisable) {
  auto suppressed = lint(
      "-- pgdrift-lint: disable=index-without-concurrently\n"
      "CREATE INDEX users_email_idx ON users (email);\n"
      "CREATE INDEX users_name_idx ON users (name); -- pgdrift-lint: disable=all\n",
      "", {planner::kRuleMissingLockTimeout});
  EXPECT_EQ(suppressed.found, std::set<std::string>{});
  EXPECT_EQ(suppressed.result.suppressed, 2);
  EXPECT_EQ(planner::suppressed_codes("# pgdrift-lint: disable=renaming-column, data-loss"),
            (std::set<std::string>{"renaming-column", "data-loss"}));
  EXPECT_EQ(lint("CREATE INDEX users_email_idx ON users (email);", "",
                 {planner::kRuleMissingLockTimeout, planner::kRuleIndexWithoutConcurrently})
                .found,
            std::set<std::string>{});
  EXPECT_THROW(lint("SELECT 1;", "", {"no-such-rule"}), std::invalid_argument);
}

TEST(MigrationLint, ModelRulesRunOnTheReplayedModelWithTheirMigrationLine) {
  testing::TempDir dir("pgdrift-migration-lint");
  dir.write("001_base.sql", kBase);
  dir.write("002_fx.sql", "\nALTER TABLE orders ADD COLUMN price double precision;\n");
  auto result = planner::lint_history(schema::history::read_history(dir.path.string()));
  bool money = false;
  for (const auto& f : result.findings)
    if (f.rule == "money-as-float") {
      money = true;
      EXPECT_EQ(std::filesystem::path(f.location.file).filename(), "002_fx.sql");
      EXPECT_EQ(f.location.line, 2);
    }
  EXPECT_TRUE(money);
  EXPECT_EQ(planner::lint_rule_help("money-as-float"), "docs/lint.md#money-as-float");
}

}  // namespace
}  // namespace pgdrift
