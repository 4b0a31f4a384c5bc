// Lint of a migration history (`pgdrift lint --history DIR`, docs/lint.md "Migration rules"):
// every statement of every migration judged with the planner's own hazard model, knowing from
// the replay which tables existed before the migration. A lock on a table the same migration
// created is no finding (nobody can be waiting for it), which a statement-only linter cannot
// know.
//
// Each statement is judged twice, and each rule in exactly one of the two places:
//  - the planner: make_plan(model before the statement, model after it) in its plain (not
//    online) form gives the steps PostgreSQL would run and their hazards (a rewrite for a
//    volatile default or a type change, a NOT NULL without a default, a validation scan, data
//    loss); planner/gen_*.cpp stay the one place that knows them;
//  - the statement's parse tree, for what the model cannot show: the form it was written in
//    (CREATE INDEX without CONCURRENTLY, a foreign key or CHECK without NOT VALID, UNIQUE
//    without USING INDEX, renames, SET lock_timeout, DROP COLUMN under a view).
// The model rules of engine/lint.h then run on the replayed model.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "engine/lint.h"
#include "schema/history/history.h"

namespace pgdrift::planner {

// Rule codes, stable (--disable, suppression comments, JSON, docs/lint.md anchors).
inline constexpr const char* kRuleAddingVolatileDefault = "adding-volatile-default";
inline constexpr const char* kRuleAddingNotNullWithoutDefault = "adding-not-null-without-default";
inline constexpr const char* kRuleSettingNotNull = "setting-not-null";
inline constexpr const char* kRuleTypeChangeRewrite = "type-change-rewrite";
inline constexpr const char* kRuleTypeChangeMayFail = "type-change-may-fail";
inline constexpr const char* kRuleDataLoss = "data-loss";
inline constexpr const char* kRuleIndexWithoutConcurrently = "index-without-concurrently";
inline constexpr const char* kRuleDropIndexWithoutConcurrently = "drop-index-without-concurrently";
inline constexpr const char* kRuleForeignKeyWithoutNotValid = "foreign-key-without-not-valid";
inline constexpr const char* kRuleCheckWithoutNotValid = "check-without-not-valid";
inline constexpr const char* kRuleUniqueWithoutIndex = "unique-without-index";
inline constexpr const char* kRuleMissingLockTimeout = "missing-lock-timeout";
inline constexpr const char* kRuleDropColumnUsedByView = "drop-column-used-by-view";
inline constexpr const char* kRuleRenamingColumn = "renaming-column";
inline constexpr const char* kRuleRenamingTable = "renaming-table";

// The migration rules (the model rules are engine::lint_rules()).
const std::vector<engine::LintRuleInfo>& migration_lint_rules();

// "docs/lint.md#<rule>": where a rule is explained (every rule has its anchor there).
std::string lint_rule_help(const std::string& rule);

struct MigrationLintOptions {
  std::set<std::string> disabled;  // migration or model rule codes
};

struct MigrationLintResult {
  // Ordered by file, line, rule; each with its statement's (or column's) file:line.
  std::vector<engine::LintFinding> findings;
  std::vector<schema::history::Problem> problems;  // what the replay could not read
  int migrations = 0;
  int statements = 0;
  int suppressed = 0;  // findings a `pgdrift-lint: disable=` comment accepted
};

// Replays `history` statement by statement and judges each one. Throws std::invalid_argument
// for an unknown code in options.disabled.
MigrationLintResult lint_history(const schema::history::History& history,
                                 const MigrationLintOptions& options = {});

// The codes a suppression comment on `line` names: `-- pgdrift-lint: disable=a,b` (SQL) or
// `# pgdrift-lint: disable=a` (Python); "all" suppresses every rule. Exposed for tests.
std::set<std::string> suppressed_codes(const std::string& line);

}  // namespace pgdrift::planner
