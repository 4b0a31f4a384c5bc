// Lint: rules that judge one schema model on its own (no second model to compare with), for
// `pgdrift lint` and for reconcile's consistency pass (docs/lint.md lists every rule and why).
//
// Each rule reports findings; a few have a fix that changes the model (retype a float money
// column, add the foreign key every same-named column has). Fixes are applied only when asked:
// `reconcile --prefer-safer` applies the consistency fixes to its target and reports each one.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "schema/model.h"

namespace pgdrift::engine {

// The column vocabulary the lint rules and reconcile's --prefer-safer rules share (defined in
// engine/reconcile_rules.cpp, where the rules were first written).
bool is_money_like_column(const std::string& column_name);  // amount, total_price, fee, ...
bool is_id_column(const std::string& column_name);          // id, *_id
bool is_float_type(const std::string& type);                // real, double precision, float(p)
bool is_exact_numeric_type(const std::string& type);        // numeric, numeric(p,s)
bool is_text_like_type(const std::string& type);            // text, varchar(n), char(n)

enum class LintSeverity { Warning, Error };
std::string lint_severity_name(LintSeverity severity);  // "warning", "error"

// Rule names, stable (used in --disable, JSON output and docs/lint.md).
inline constexpr const char* kRuleMoneyAsFloat = "money-as-float";
inline constexpr const char* kRuleMissingForeignKey = "missing-foreign-key";
inline constexpr const char* kRuleForeignKeyTypeMismatch = "foreign-key-type-mismatch";
inline constexpr const char* kRuleInconsistentIdType = "inconsistent-id-type";
inline constexpr const char* kRuleForeignKeyWithoutIndex = "foreign-key-without-index";
inline constexpr const char* kRuleTableWithoutPrimaryKey = "table-without-primary-key";
inline constexpr const char* kRuleTimestampWithoutTimeZone = "timestamp-without-time-zone";

struct LintRuleInfo {
  std::string name;
  LintSeverity severity;
  bool fixable;  // has a model fix (apply_lint_fixes)
  std::string summary;
};
const std::vector<LintRuleInfo>& lint_rules();

// What a fix does to the model, for apply_lint_fixes.
struct LintFix {
  enum class Kind { None, RetypeColumn, AddForeignKey };
  Kind kind = Kind::None;
  std::string table;              // table key
  std::string column;             // RetypeColumn
  std::string type;               // RetypeColumn: the new canonical type
  schema::Constraint constraint;  // AddForeignKey (may follow a RetypeColumn of its column)
};

struct LintFinding {
  std::string rule;
  LintSeverity severity = LintSeverity::Warning;
  // The object, keyed like reconcile's keys: "public.t.c" (column), "public.t" (table),
  // "public.t constraint c" (constraint).
  std::string object;
  std::string message;
  schema::SourceLocation location;
  std::string suggestion;      // DDL that would fix it, or empty
  std::vector<LintFix> fixes;  // empty: the rule has no safe fix for this finding
};

// A finding as JSON, the same in `lint --format json` and reconcile's report (docs/lint.md):
// rule, severity, object, message, suggestion, fixable, and location {file, line} when known.
nlohmann::json lint_finding_json(const LintFinding& finding);

struct LintOptions {
  std::set<std::string> disabled;  // rule names
};

// Findings in a stable order (by object, then rule). Throws std::invalid_argument for an
// unknown rule name in options.disabled.
std::vector<LintFinding> lint_model(const schema::Model& model, const LintOptions& options = {});

// One change a fix made, for reports.
struct AppliedFix {
  std::string rule;
  std::string object;  // the finding's object
  std::string change;  // "double precision -> numeric(12,2)", "added budget_advice_user_id_fkey"
  std::string reason;  // the finding's message
  std::vector<std::string> changed_keys;  // keys of the changed / added objects (provenance)
};

// Applies the fixes of the findings whose rule is in `rules` to `model`, in order. A fix whose
// object no longer matches (changed by an earlier fix) is skipped.
std::vector<AppliedFix> apply_lint_fixes(schema::Model& model,
                                         const std::vector<LintFinding>& findings,
                                         const std::set<std::string>& rules);

}  // namespace pgdrift::engine
