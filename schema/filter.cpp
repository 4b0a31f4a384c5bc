#include "schema/filter.h"

#include <cctype>
#include <cstring>
#include <set>

namespace pgdrift::schema {

namespace {

// psql's processSQLNamePattern: the regular expression of each dot-separated part of `text`.
std::vector<std::string> pattern_parts(const std::string& text) {
  std::vector<std::string> parts(1);
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
        parts.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (!quoted && c == '.') {
      parts.emplace_back();
    } else if (!quoted && c == '*') {
      parts.back() += ".*";
    } else if (!quoted && c == '?') {
      parts.back() += '.';
    } else if (!quoted && std::isupper(static_cast<unsigned char>(c))) {
      parts.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (c == '$' || (quoted && std::strchr("|*+?()[]{}.^\\", c) != nullptr)) {
      parts.back() += '\\';
      parts.back() += c;
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

std::regex whole_name(const std::string& part, const std::string& option, const std::string& text) {
  try {
    return std::regex("^(" + part + ")$", std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw PatternError(option + " '" + text + "': invalid pattern (" + e.what() + ")");
  }
}

bool matches_any(const std::vector<NamePattern>& patterns, const std::string& schema) {
  for (const NamePattern& p : patterns)
    if (p.matches_schema(schema)) return true;
  return false;
}

bool matches_any(const std::vector<NamePattern>& patterns, const std::string& schema,
                 const std::string& name) {
  for (const NamePattern& p : patterns)
    if (p.matches(schema, name)) return true;
  return false;
}

std::vector<NamePattern> compile(const std::vector<std::string>& texts, const std::string& option,
                                 bool qualified) {
  std::vector<NamePattern> patterns;
  for (const std::string& text : texts) patterns.emplace_back(text, option, qualified);
  return patterns;
}

// "public" for the extensions stored without a schema.
std::string extension_schema(const Extension& e) { return e.schema.empty() ? "public" : e.schema; }

}  // namespace

NamePattern::NamePattern(const std::string& text, const std::string& option, bool qualified)
    : text_(text) {
  std::vector<std::string> parts = pattern_parts(text);
  if (parts.size() > (qualified ? 2u : 1u)) {
    throw PatternError(option + " '" + text + "': improper qualified name (too many dotted names" +
                       (qualified ? "; write schema.table" : "; quote a name holding a dot") + ")");
  }
  name_ = whole_name(parts.back(), option, text);
  if (parts.size() == 2) {
    any_schema_ = parts[0].empty();
    schema_ = whole_name(parts[0], option, text);
  } else if (qualified) {
    schema_ = std::regex("^public$");  // the default schema of unqualified names
  } else {
    schema_ = name_;
  }
}

bool NamePattern::matches_schema(const std::string& schema) const {
  return any_schema_ || std::regex_match(schema, schema_);
}

bool NamePattern::matches(const std::string& schema, const std::string& name) const {
  return matches_schema(schema) && std::regex_match(name, name_);
}

ObjectSelection::ObjectSelection(const SchemaFilter& filter)
    : everything_(filter.empty()),
      include_schemas_(compile(filter.include_schemas, "--schema", false)),
      exclude_schemas_(compile(filter.exclude_schemas, "--exclude-schema", false)),
      include_tables_(compile(filter.include_tables, "--table", true)),
      exclude_tables_(compile(filter.exclude_tables, "--exclude-table", true)) {}

bool ObjectSelection::may_select_in(const std::string& schema) const {
  if (!include_tables_.empty()) return matches_any(include_tables_, schema);
  return selects_schema_object(schema);
}

bool ObjectSelection::selects_schema_object(const std::string& schema) const {
  if (!include_tables_.empty()) return false;
  return (include_schemas_.empty() || matches_any(include_schemas_, schema)) &&
         !matches_any(exclude_schemas_, schema);
}

bool ObjectSelection::selects_relation(const std::string& schema, const std::string& name) const {
  const bool included = include_tables_.empty() ? selects_schema_object(schema)
                                                : matches_any(include_tables_, schema, name);
  return included && !matches_any(exclude_tables_, schema, name);
}

namespace {

template <typename Map, typename Keep>
void erase_unless(Map& items, const Keep& keep) {
  for (auto it = items.begin(); it != items.end();)
    it = keep(it->second) ? std::next(it) : items.erase(it);
}

// The schema names of the model: its schemas, public, and every object's.
std::set<std::string> schema_names(const Model& m) {
  std::set<std::string> names = {"public"};
  for (const auto& [name, ns] : m.schemas) names.insert(name);
  auto add = [&](const auto& map) {
    for (const auto& [key, object] : map) names.insert(object.schema);
  };
  add(m.tables);
  add(m.views);
  add(m.sequences);
  add(m.enums);
  add(m.composite_types);
  add(m.domains);
  add(m.functions);
  add(m.aggregates);
  add(m.collations);
  for (const auto& [name, e] : m.extensions) names.insert(extension_schema(e));
  return names;
}

UnmatchedPatterns unmatched_patterns(const Model& m, const ObjectSelection& selection) {
  UnmatchedPatterns unmatched;
  if (selection.include_tables().empty()) {
    const std::set<std::string> schemas = schema_names(m);
    for (const NamePattern& p : selection.include_schemas()) {
      bool found = false;
      for (const std::string& schema : schemas) found = found || p.matches_schema(schema);
      if (!found) unmatched.patterns.push_back("--schema '" + p.text() + "'");
    }
    return unmatched;
  }
  for (const NamePattern& p : selection.include_tables()) {
    bool found = false;
    auto look = [&](const auto& map) {
      for (const auto& [key, object] : map) found = found || p.matches(object.schema, object.name);
    };
    look(m.tables);
    look(m.views);
    look(m.sequences);
    if (!found) unmatched.patterns.push_back("--table '" + p.text() + "'");
  }
  return unmatched;
}

}  // namespace

UnmatchedPatterns filter_schemas(Model& m, const SchemaFilter& filter) {
  if (filter.empty()) return {};
  const ObjectSelection selection(filter);
  UnmatchedPatterns unmatched = unmatched_patterns(m, selection);

  // A sequence a table owns (serial, OWNED BY) follows its table, whatever its own name.
  std::set<std::string> kept_tables;
  for (const auto& [key, table] : m.tables)
    if (selection.selects_relation(table.schema, table.name)) kept_tables.insert(key);
  auto owner_of = [](const Sequence& s) {
    // owned_by is "qualified_table_key.column": the table key is everything before the last
    // dot outside quotes.
    bool quoted = false;
    size_t last_dot = std::string::npos;
    for (size_t i = 0; i < s.owned_by.size(); ++i) {
      if (s.owned_by[i] == '"') quoted = !quoted;
      if (s.owned_by[i] == '.' && !quoted) last_dot = i;
    }
    return last_dot == std::string::npos ? std::string() : s.owned_by.substr(0, last_dot);
  };
  erase_unless(m.sequences, [&](const Sequence& s) {
    const std::string owner = owner_of(s);
    if (!owner.empty() && m.tables.count(owner)) return kept_tables.count(owner) > 0;
    return selection.selects_relation(s.schema, s.name);
  });
  erase_unless(m.tables, [&](const Table& t) {
    return kept_tables.count(qualified_key(t.schema, t.name)) > 0;
  });
  erase_unless(m.views,
               [&](const View& v) { return selection.selects_relation(v.schema, v.name); });

  auto schema_object = [&](const auto& object) {
    return selection.selects_schema_object(object.schema);
  };
  for (auto it = m.schemas.begin(); it != m.schemas.end();)
    it = selection.selects_schema_object(it->first) ? std::next(it) : m.schemas.erase(it);
  erase_unless(m.extensions, [&](const Extension& e) {
    return selection.selects_schema_object(extension_schema(e));
  });
  erase_unless(m.enums, schema_object);
  erase_unless(m.composite_types, schema_object);
  erase_unless(m.domains, schema_object);
  erase_unless(m.functions, schema_object);
  erase_unless(m.aggregates, schema_object);
  erase_unless(m.collations, schema_object);
  return unmatched;
}

}  // namespace pgdrift::schema
