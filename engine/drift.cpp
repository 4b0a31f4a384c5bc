// Drift entries from two models: both are written as canonical JSON (schema/json.h) and walked
// side by side, so a new model field is compared and reported without any change here.
#include "engine/drift.h"

#include <algorithm>
#include <set>

#include "schema/canonical.h"
#include "schema/json.h"

namespace pgdrift::engine {

using nlohmann::json;

std::string drift_kind_name(DriftKind kind) {
  switch (kind) {
    case DriftKind::Missing:
      return "missing";
    case DriftKind::Unexpected:
      return "unexpected";
    case DriftKind::Differs:
      return "differs";
  }
  return "differs";
}

std::string drift_severity_name(DriftSeverity severity) {
  return severity == DriftSeverity::Error ? "error" : "warning";
}

size_t DatabaseDrift::drift_count() const {
  return static_cast<size_t>(
      std::count_if(entries.begin(), entries.end(), [](const auto& e) { return !e.ignored; }));
}

size_t DatabaseDrift::ignored_count() const { return entries.size() - drift_count(); }

size_t DriftReport::drift_count() const {
  size_t n = 0;
  for (const auto& db : databases) n += db.drift_count();
  return n;
}

size_t DriftReport::error_count() const {
  return static_cast<size_t>(std::count_if(databases.begin(), databases.end(),
                                           [](const auto& db) { return db.error.has_value(); }));
}

int DriftReport::exit_code() const {
  if (error_count() > 0) return 2;
  return drift_count() > 0 ? 1 : 0;
}

std::string describe_entry(const DriftEntry& entry) {
  return drift_kind_name(entry.kind) + " " + entry.object_kind + " " + entry.name;
}

std::string difference_value_text(const json& value) {
  if (value.is_null()) return "(none)";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

namespace {

bool is_comment_path(const std::string& path) {
  auto dot = path.rfind('.');
  std::string last = dot == std::string::npos ? path : path.substr(dot + 1);
  return last == "comment" || path.rfind("column_comments", 0) == 0;
}

}  // namespace

DriftSeverity drift_severity(const DriftEntry& entry) {
  if (entry.kind == DriftKind::Unexpected && entry.object_kind == "index")
    return DriftSeverity::Warning;
  if (entry.kind == DriftKind::Differs && !entry.differences.empty() &&
      std::all_of(entry.differences.begin(), entry.differences.end(),
                  [](const auto& d) { return is_comment_path(d.path); }))
    return DriftSeverity::Warning;
  return DriftSeverity::Error;
}

namespace {

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// An array whose elements are objects with distinct string "name"s (columns, attributes,
// arguments with names): compared element by element, by name, instead of as one value.
bool is_named_array(const json& value) {
  if (!value.is_array() || value.empty()) return false;
  std::set<std::string> names;
  for (const auto& element : value) {
    if (!element.is_object()) return false;
    auto it = element.find("name");
    if (it == element.end() || !it->is_string() || it->get<std::string>().empty()) return false;
    if (!names.insert(it->get<std::string>()).second) return false;
  }
  return true;
}

const json* find_named(const json& array, const std::string& name) {
  for (const auto& element : array)
    if (element.at("name") == name) return &element;
  return nullptr;
}

// Defaulted fields are omitted from the JSON; a missing boolean reads as false.
json as_value(const json& value, const json& other) {
  if (value.is_null() && other.is_boolean()) return false;
  return value;
}

void compare_values(const json& desired, const json& live, const std::string& path,
                    std::vector<AttributeDifference>& out) {
  if (desired == live) return;
  if (desired.is_object() && live.is_object()) {
    std::set<std::string> keys;
    for (const auto& [key, value] : desired.items()) keys.insert(key);
    for (const auto& [key, value] : live.items()) keys.insert(key);
    for (const auto& key : keys) {
      auto d = desired.find(key);
      auto l = live.find(key);
      compare_values(d == desired.end() ? json() : *d, l == live.end() ? json() : *l,
                     join_path(path, key), out);
    }
    return;
  }
  if ((is_named_array(desired) || desired.empty()) && (is_named_array(live) || live.empty()) &&
      desired.is_array() && live.is_array()) {
    std::vector<std::string> names;
    for (const auto& e : desired) names.push_back(e.at("name"));
    for (const auto& e : live)
      if (!find_named(desired, e.at("name"))) names.push_back(e.at("name"));
    for (const auto& name : names) {
      const json* d = find_named(desired, name);
      const json* l = find_named(live, name);
      compare_values(d ? *d : json(), l ? *l : json(), join_path(path, name), out);
    }
    return;
  }
  out.push_back({path, as_value(desired, live), as_value(live, desired)});
}

json without(const json& object, const std::vector<std::string>& keys) {
  json copy = object;
  for (const auto& key : keys) copy.erase(key);
  return copy;
}

const schema::SourceLocation& first_known(const schema::SourceLocation& a,
                                          const schema::SourceLocation& b) {
  return a.empty() ? b : a;
}

// Members reported as entries of their own, per owner section.
struct MemberSection {
  const char* section;  // JSON key in the owner
  const char* kind;     // entry kind
};
constexpr MemberSection kTableMembers[] = {{"columns", "column"},
                                           {"constraints", "constraint"},
                                           {"indexes", "index"},
                                           {"triggers", "trigger"},
                                           {"policies", "policy"}};
constexpr MemberSection kViewMembers[] = {{"indexes", "index"}, {"triggers", "trigger"}};

template <class Map>
schema::SourceLocation map_location(const Map& map, const std::string& name) {
  auto it = map.find(name);
  return it == map.end() ? schema::SourceLocation{} : it->second.location;
}

// Desired location of a member; empty when the desired owner has no such member.
schema::SourceLocation member_location(const schema::Model& model, const std::string& owner,
                                       const std::string& section, const std::string& name) {
  if (auto t = model.tables.find(owner); t != model.tables.end()) {
    const auto& table = t->second;
    if (section == "columns") {
      const auto* c = table.find_column(name);
      return c ? c->location : schema::SourceLocation{};
    }
    if (section == "constraints") return map_location(table.constraints, name);
    if (section == "indexes") return map_location(table.indexes, name);
    if (section == "triggers") return map_location(table.triggers, name);
    if (section == "policies") return map_location(table.policies, name);
  }
  if (auto v = model.views.find(owner); v != model.views.end()) {
    if (section == "indexes") return map_location(v->second.indexes, name);
    if (section == "triggers") return map_location(v->second.triggers, name);
  }
  return {};
}

schema::SourceLocation object_location(const schema::Model& model, const std::string& section,
                                       const std::string& key) {
  if (section == "schemas") return map_location(model.schemas, key);
  if (section == "extensions") return map_location(model.extensions, key);
  if (section == "tables") return map_location(model.tables, key);
  if (section == "views") return map_location(model.views, key);
  if (section == "sequences") return map_location(model.sequences, key);
  if (section == "enums") return map_location(model.enums, key);
  if (section == "composite_types") return map_location(model.composite_types, key);
  if (section == "domains") return map_location(model.domains, key);
  if (section == "functions") return map_location(model.functions, key);
  return {};
}

std::string object_kind(const std::string& section, const json& object) {
  if (section == "schemas") return "schema";
  if (section == "extensions") return "extension";
  if (section == "tables") return "table";
  if (section == "views") return object.value("materialized", false) ? "materialized_view" : "view";
  if (section == "sequences") return "sequence";
  if (section == "enums") return "enum";
  if (section == "composite_types") return "composite_type";
  if (section == "domains") return "domain";
  if (section == "functions") return object.value("procedure", false) ? "procedure" : "function";
  return section;
}

std::string member_name(const std::string& owner, const json& owner_json,
                        const std::string& section, const std::string& name) {
  // Indexes live in their table's schema and are named like relations, as the planner does.
  if (section == "indexes")
    return schema::quote_qualified(owner_json.value("schema", std::string("public")), name);
  return owner + "." + schema::quote_ident(name);
}

// Member name -> member JSON, for both the named columns array and the by-name maps.
std::vector<std::pair<std::string, json>> members_of(const json& owner, const char* section) {
  std::vector<std::pair<std::string, json>> out;
  auto it = owner.find(section);
  if (it == owner.end()) return out;
  if (it->is_array()) {
    for (const auto& element : *it) out.emplace_back(element.value("name", std::string()), element);
  } else if (it->is_object()) {
    for (const auto& [name, value] : it->items()) out.emplace_back(name, value);
  }
  return out;
}

const json* find_member(const std::vector<std::pair<std::string, json>>& members,
                        const std::string& name) {
  for (const auto& [n, value] : members)
    if (n == name) return &value;
  return nullptr;
}

class DriftBuilder {
 public:
  DriftBuilder(const schema::Model& desired, DatabaseDrift& out) : desired_(desired), out_(out) {}

  void section(const std::string& section, const json& desired_all, const json& live_all) {
    std::set<std::string> keys;
    for (const auto& [key, value] : desired_all.items()) keys.insert(key);
    for (const auto& [key, value] : live_all.items()) keys.insert(key);
    for (const auto& key : keys) {
      auto d = desired_all.find(key);
      auto l = live_all.find(key);
      const bool in_desired = d != desired_all.end();
      const bool in_live = l != live_all.end();
      const json& any = in_desired ? *d : *l;
      std::string kind = object_kind(section, any);
      schema::SourceLocation location = object_location(desired_, section, key);
      out_.checked.push_back({kind, key, location});
      if (!in_live) {
        add(kind, key, "", DriftKind::Missing, {}, location);
        continue;
      }
      if (!in_desired) {
        add(kind, key, "", DriftKind::Unexpected, {}, {});
        continue;
      }
      const auto* members = section == "tables"  ? std::begin(kTableMembers)
                            : section == "views" ? std::begin(kViewMembers)
                                                 : nullptr;
      const auto* members_end = section == "tables"  ? std::end(kTableMembers)
                                : section == "views" ? std::end(kViewMembers)
                                                     : nullptr;
      std::vector<std::string> member_keys;
      for (auto* m = members; m != members_end; ++m) member_keys.push_back(m->section);
      std::vector<AttributeDifference> diffs;
      compare_values(without(*d, member_keys), without(*l, member_keys), "", diffs);
      if (!diffs.empty()) add(kind, key, "", DriftKind::Differs, diffs, location);
      for (auto* m = members; m != members_end; ++m) compare_members(key, *d, *l, *m, location);
    }
  }

 private:
  void compare_members(const std::string& owner, const json& desired_owner, const json& live_owner,
                       const MemberSection& member, const schema::SourceLocation& owner_location) {
    auto desired_members = members_of(desired_owner, member.section);
    auto live_members = members_of(live_owner, member.section);
    std::vector<std::string> names;
    for (const auto& [name, value] : desired_members) names.push_back(name);
    for (const auto& [name, value] : live_members)
      if (!find_member(desired_members, name)) names.push_back(name);
    for (const auto& name : names) {
      const json* d = find_member(desired_members, name);
      const json* l = find_member(live_members, name);
      std::string qualified = member_name(owner, desired_owner, member.section, name);
      schema::SourceLocation location =
          first_known(member_location(desired_, owner, member.section, name), owner_location);
      if (!l) {
        add(member.kind, qualified, owner, DriftKind::Missing, {}, location);
      } else if (!d) {
        add(member.kind, qualified, owner, DriftKind::Unexpected, {}, owner_location);
      } else {
        std::vector<AttributeDifference> diffs;
        compare_values(*d, *l, std::string(member.section) + "." + name, diffs);
        if (!diffs.empty()) add(member.kind, qualified, owner, DriftKind::Differs, diffs, location);
      }
    }
  }

  void add(const std::string& kind, const std::string& name, const std::string& parent,
           DriftKind drift, std::vector<AttributeDifference> diffs,
           const schema::SourceLocation& location) {
    DriftEntry entry;
    entry.object_kind = kind;
    entry.name = name;
    entry.parent = parent;
    entry.kind = drift;
    entry.differences = std::move(diffs);
    entry.location = location;
    entry.severity = drift_severity(entry);
    out_.entries.push_back(std::move(entry));
  }

  const schema::Model& desired_;
  DatabaseDrift& out_;
};

}  // namespace

DatabaseDrift compute_drift(const schema::Model& desired, const schema::Model& live,
                            const DiffOptions& options) {
  schema::Model d = filter_model(desired, options);
  schema::Model l = filter_model(live, options);
  json dj = schema::model_to_json(d);
  json lj = schema::model_to_json(l);
  DatabaseDrift out;
  DriftBuilder builder(d, out);
  // Types and functions first, like a migration would create them; then relations.
  for (const char* section : {"schemas", "extensions", "enums", "composite_types", "domains",
                              "sequences", "functions", "tables", "views"}) {
    builder.section(section, dj.value(section, json::object()), lj.value(section, json::object()));
  }
  return out;
}

void attach_fix_steps(DatabaseDrift& db, const std::vector<NamedFixStep>& steps) {
  for (const auto& s : steps) {
    DriftEntry* target = nullptr;
    for (auto& e : db.entries)
      if (e.name == s.object_name) {
        target = &e;
        break;
      }
    if (!target) {
      size_t best = 0;
      for (auto& e : db.entries) {
        const std::string prefix = e.name + ".";
        if (s.object_name.rfind(prefix, 0) == 0 && prefix.size() > best) {
          best = prefix.size();
          target = &e;
        }
      }
    }
    if (target)
      target->fix.push_back(s.step);
    else
      db.other_fix.push_back(s.step);
  }
}

}  // namespace pgdrift::engine
