#include "engine/ignore_rules.h"

#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "schema/text.h"

namespace pgdrift::engine {

const std::vector<std::string>& drift_object_kinds() {
  static const std::vector<std::string> kinds = {"schema",
                                                 "extension",
                                                 "table",
                                                 "column",
                                                 "constraint",
                                                 "index",
                                                 "trigger",
                                                 "policy",
                                                 "view",
                                                 "materialized_view",
                                                 "sequence",
                                                 "enum",
                                                 "composite_type",
                                                 "domain",
                                                 "function",
                                                 "procedure",
                                                 "aggregate",
                                                 "collation",
                                                 "default_privileges"};
  return kinds;
}

namespace {

bool glob_matches(const std::string& glob, const std::string& name) {
  return ::fnmatch(glob.c_str(), name.c_str(), 0) == 0;
}

// Kinds of owners whose rules also cover their members.
bool is_owner_kind(const std::string& kind) {
  return kind.empty() || kind == "table" || kind == "view" || kind == "materialized_view";
}

}  // namespace

std::vector<IgnoreRule> parse_ignore_rules(const std::string& text, const std::string& file) {
  std::vector<IgnoreRule> rules;
  std::istringstream in(text);
  std::string raw;
  int line_number = 0;
  while (std::getline(in, raw)) {
    ++line_number;
    std::string line = schema::trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    IgnoreRule rule;
    rule.text = line;
    rule.file = file;
    rule.line = line_number;
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      rule.kind = schema::trim(line.substr(0, colon));
      rule.glob = schema::trim(line.substr(colon + 1));
      const auto& kinds = drift_object_kinds();
      if (std::find(kinds.begin(), kinds.end(), rule.kind) == kinds.end())
        throw IgnoreRuleError(file + ":" + std::to_string(line_number) + ": unknown object kind '" +
                              rule.kind +
                              "' (expected one of: table, column, constraint, "
                              "index, view, function, ...)");
    } else {
      rule.glob = line;
    }
    if (rule.glob.empty())
      throw IgnoreRuleError(file + ":" + std::to_string(line_number) + ": empty name pattern");
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::vector<IgnoreRule> load_ignore_rules(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IgnoreRuleError(path + ": cannot read ignore file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_ignore_rules(text.str(), path);
}

bool ignore_rule_matches(const IgnoreRule& rule, const DriftEntry& entry) {
  if ((rule.kind.empty() || rule.kind == entry.object_kind) && glob_matches(rule.glob, entry.name))
    return true;
  // A rule on a table or view covers its members too.
  return !entry.parent.empty() && is_owner_kind(rule.kind) && glob_matches(rule.glob, entry.parent);
}

void apply_ignore_rules(DatabaseDrift& db, const std::vector<IgnoreRule>& rules) {
  for (auto& entry : db.entries) {
    for (const auto& rule : rules) {
      if (!ignore_rule_matches(rule, entry)) continue;
      entry.ignored = true;
      entry.ignored_by = rule.text + " (" + rule.file + ":" + std::to_string(rule.line) + ")";
      break;
    }
  }
}

}  // namespace pgdrift::engine
