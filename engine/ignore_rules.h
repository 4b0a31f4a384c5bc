// Ignore rules for drift reports (docs/drift.md): known, accepted differences that should not
// fail CI. File format: one rule per line, `[kind:]glob`, `#` starts a comment. The glob
// (fnmatch: `*`, `?`, `[...]`) matches the entry's qualified name as reported
// ("public.users.timezone", "public.audit_*"); `kind` restricts it to one object kind. A rule
// that matches a table or view also covers that object's members (columns, indexes, ...).
// Ignored entries stay in the report, marked ignored, and do not count as drift.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/drift.h"

namespace pgdrift::engine {

struct IgnoreRule {
  std::string kind;  // empty = any kind
  std::string glob;
  std::string text;  // the rule as written, for reports
  std::string file;
  int line = 0;
};

// A rule file that cannot be read or has a bad line; what() is "file:line: message".
class IgnoreRuleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parse rules from text (named `file` in messages). Throws IgnoreRuleError on an unknown kind
// or an empty glob.
std::vector<IgnoreRule> parse_ignore_rules(const std::string& text, const std::string& file);
std::vector<IgnoreRule> load_ignore_rules(const std::string& path);

// True when `rule` matches `entry` (directly, or through the entry's owning table / view).
bool ignore_rule_matches(const IgnoreRule& rule, const DriftEntry& entry);

// Mark the entries that a rule matches (first matching rule wins).
void apply_ignore_rules(DatabaseDrift& db, const std::vector<IgnoreRule>& rules);

// The object kinds a rule may name.
const std::vector<std::string>& drift_object_kinds();

}  // namespace pgdrift::engine
