// Drift entries: a view of the typed diff (engine/diff.h). Every entry is one change (or the
// comment and grant changes of one object); the JSON form of a changed object only names the
// attributes that differ, by path, so a new model field is reported without any change here.
#include "engine/drift.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

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

void DriftTotals::add(const DatabaseDrift& db) {
  ++databases;
  if (db.error) ++errors;
  const size_t n = db.drift_count();
  drift += n;
  ignored += db.ignored_count();
  if (!db.error && n > 0) ++with_drift;
}

int DriftTotals::exit_code() const {
  if (errors > 0) return 2;
  return drift > 0 ? 1 : 0;
}

std::unique_ptr<DriftWriter> make_drift_writer(const std::string& format, std::ostream& out,
                                               const std::string& desired,
                                               const std::optional<DriftShard>& shard,
                                               const TextRenderOptions& options) {
  if (format == "json") return make_drift_json_writer(out, desired, shard);
  if (format == "junit") return make_drift_junit_writer(out, desired, shard);
  if (format == "sarif") return make_drift_sarif_writer(out, desired, shard);
  if (format == "github") return make_drift_github_writer(out, desired, shard);
  return make_drift_text_writer(out, desired, shard, options);
}

std::string render_drift(const DriftReport& report, const std::string& format,
                         const TextRenderOptions& options) {
  std::ostringstream out;
  auto writer = make_drift_writer(format, out, report.desired, report.shard, options);
  writer->begin();
  for (const auto& db : report.databases) writer->add(db);
  writer->end();
  return out.str();
}

std::string render_drift_text(const DriftReport& report, const TextRenderOptions& options) {
  return render_drift(report, "text", options);
}
std::string render_drift_json(const DriftReport& report) { return render_drift(report, "json"); }
std::string render_drift_junit(const DriftReport& report) { return render_drift(report, "junit"); }
std::string render_drift_sarif(const DriftReport& report) { return render_drift(report, "sarif"); }
std::string render_drift_github(const DriftReport& report) {
  return render_drift(report, "github");
}

std::string dump_json_at(const json& value, size_t indent) {
  // Strings in dumped JSON hold no raw newline, so every newline starts a line of the layout.
  const std::string text = value.dump(2);
  const std::string pad(indent, ' ');
  std::string out = pad;
  out.reserve(text.size() + indent);
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

std::string describe_entry(const DriftEntry& entry) {
  return drift_kind_name(entry.kind) + " " + entry.object_kind + " " + entry.name;
}

std::string difference_value_text(const json& value) {
  if (value.is_null()) return "(none)";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string describe_difference(const AttributeDifference& d) {
  return d.path + ": desired " + difference_value_text(d.desired) + ", live " +
         difference_value_text(d.live) + (d.note.empty() ? "" : " (" + d.note + ")");
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

// Defaulted fields are omitted from the JSON: a missing boolean facing a present one is its
// default, which is the other value (validated, permissive, with_data and an index's valid
// default to true).
json as_value(const json& value, const json& other) {
  if (value.is_null() && other.is_boolean()) return !other.get<bool>();
  return value;
}

// The attributes in which two JSON forms of one object differ, by path. Only ever called for
// an object the diff found changed: it says *where*, the diff has already said *whether*.
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

// Keys of an owner's JSON that are reported elsewhere: members get entries of their own, and
// comments and grants come from the diff's comment and grant changes.
const std::vector<std::string> kOwnAttributesOnly = {"comment",  "grants",      "column_comments",
                                                     "columns",  "constraints", "indexes",
                                                     "triggers", "policies"};

template <class T>
std::vector<AttributeDifference> differences(const T& desired, const T& live,
                                             const std::string& path, bool owner) {
  json d = schema::object_to_json(desired);
  json l = schema::object_to_json(live);
  for (auto* j : {&d, &l}) {
    j->erase("grants");
    j->erase("owner");  // compared on its own (only with privileges): OwnerChange
    if (owner)
      for (const auto& key : kOwnAttributesOnly) j->erase(key);
  }
  std::vector<AttributeDifference> out;
  compare_values(d, l, path, out);
  // The diff saw a change the JSON form does not show: report the object as a whole rather
  // than an entry without attributes.
  if (out.empty()) out.push_back({path.empty() ? "definition" : path, d, l});
  return out;
}

json grants_value(const std::vector<schema::Grant>& grants) {
  return grants.empty() ? json() : schema::object_to_json(grants);
}

const schema::SourceLocation& first_known(const schema::SourceLocation& a,
                                          const schema::SourceLocation& b) {
  return a.empty() ? b : a;
}

// Report order: types and functions first, like a migration would create them; then relations.
enum Section : int {
  kDefaultPrivileges,
  kSchemas,
  kExtensions,
  kCollations,
  kEnums,
  kComposites,
  kDomains,
  kSequences,
  kFunctions,
  kAggregates,
  kTables,
  kViews
};
// Members after their owner, by kind, the desired ones first (in desired order), then the rest.
enum MemberSection : int { kOwner, kColumns, kConstraints, kIndexes, kTriggers, kPolicies };

struct Placed {
  DriftEntry entry;
  int section = 0;
  std::string owner;
  int member_section = kOwner;
  bool only_live = false;
  size_t position = 0;      // column position, or 0 for by-name members
  bool structural = false;  // from the object's own add/drop/alter, not a comment or grant
};

int section_of(const std::string& kind) {
  if (kind == "schema") return kSchemas;
  if (kind == "extension") return kExtensions;
  if (kind == "enum") return kEnums;
  if (kind == "composite_type") return kComposites;
  if (kind == "domain") return kDomains;
  if (kind == "sequence") return kSequences;
  if (kind == "function" || kind == "procedure") return kFunctions;
  if (kind == "aggregate") return kAggregates;
  if (kind == "collation") return kCollations;
  if (kind == "table") return kTables;
  return kViews;
}

int member_section_of(const std::string& kind) {
  if (kind == "column") return kColumns;
  if (kind == "constraint") return kConstraints;
  if (kind == "index") return kIndexes;
  if (kind == "trigger") return kTriggers;
  return kPolicies;
}

const char* member_path(const std::string& kind) {
  if (kind == "column") return "columns";
  if (kind == "constraint") return "constraints";
  if (kind == "index") return "indexes";
  if (kind == "trigger") return "triggers";
  return "policies";
}

const char* const kInvalidIndexNote =
    "INVALID: a CREATE INDEX CONCURRENTLY failed or was cancelled and left it; PostgreSQL "
    "maintains it on every write but uses it for no query. The fix drops it and builds it again";

DriftKind drift_kind(ChangeKind kind) {
  return kind == ChangeKind::Add    ? DriftKind::Missing
         : kind == ChangeKind::Drop ? DriftKind::Unexpected
                                    : DriftKind::Differs;
}

// Builds the entries from the typed changes (live -> desired: an added object is missing).
class DriftView {
 public:
  DriftView(const schema::Model& desired, const schema::Model& live)
      : desired_(desired), live_(live) {}

  // `live` and `desired`: std::optional<T>, or const T* (TableChange).
  template <class Nullable>
  void object(const std::string& kind, const std::string& key, ChangeKind change,
              const Nullable& live, const Nullable& desired, bool owner = false) {
    Placed& p =
        place(kind, key, "", change, desired ? desired->location : schema::SourceLocation{});
    p.section = section_of(kind);
    p.owner = key;
    if (change == ChangeKind::Alter) add_differences(p, differences(*desired, *live, "", owner));
  }

  template <class Change>
  void member(const std::string& kind, const std::string& owner, const std::string& name,
              const std::string& member_name, const Change& c,
              const schema::SourceLocation& owner_location, size_t position, bool only_live) {
    const auto& object = c.to ? *c.to : *c.from;
    schema::SourceLocation location =
        c.kind == ChangeKind::Drop ? owner_location : first_known(object.location, owner_location);
    Placed& p = place(kind, name, owner, c.kind, location);
    p.section = section_of(owner_kind_of(owner));
    p.owner = owner;
    p.member_section = member_section_of(kind);
    p.position = position;
    p.only_live = only_live;
    if (c.kind == ChangeKind::Alter)
      add_differences(p, differences(*c.to, *c.from,
                                     std::string(member_path(kind)) + "." + member_name, false));
  }

  void table(const TableChange& t) {
    // A table whose members alone changed has no entry of its own.
    if (t.kind != ChangeKind::Alter || t.changed)
      object(std::string("table"), t.key, t.kind, t.from, t.to, true);
    if (t.kind != ChangeKind::Alter) return;
    const schema::Table& desired = *t.to;
    const schema::Table& live = *t.from;
    for (const auto& c : t.columns) {
      const std::string& name = c.to ? c.to->name : c.from->name;
      size_t position = 0;
      bool only_live = c.kind == ChangeKind::Drop;
      const auto& columns = only_live ? live.columns : desired.columns;
      while (position < columns.size() && columns[position].name != name) ++position;
      member("column", t.key, t.key + "." + schema::quote_ident(name), name, c, desired.location,
             position, only_live);
    }
    members("constraint", t.key, t.constraints, desired.location);
    indexes(t.key, t.indexes, desired.location);
    members("trigger", t.key, t.triggers, desired.location);
    members("policy", t.key, t.policies, desired.location);
  }

  void view(const ViewChange& v) {
    const schema::View& any = v.to ? *v.to : *v.from;
    const std::string kind = any.materialized ? "materialized_view" : "view";
    if (v.kind != ChangeKind::Alter || v.definition_changed || v.options_changed)
      object(kind, v.key, v.kind, v.from, v.to, true);
    if (v.kind != ChangeKind::Alter) return;
    indexes(v.key, v.indexes, v.to->location);
    members("trigger", v.key, v.triggers, v.to->location);
  }

  // A rename is a difference in the name of the (desired) object; whatever else differs on it
  // is already in its entry.
  void rename(const RenameChange& r) {
    ObjectRef o;
    std::string path = "name";
    switch (r.kind) {
      case RenameChange::Kind::Table:
        o = top_level_ref("table", r.table);
        break;
      case RenameChange::Kind::Column:
      case RenameChange::Kind::Constraint:
        o = member_ref(r.kind_name(), "table", r.table, r.to_name);
        path = std::string(member_path(r.kind_name())) + "." + r.to_name + ".name";
        break;
      case RenameChange::Kind::Index:
        o = index_ref("table", r.table, r.schema, r.to_name);
        path = "indexes." + r.to_name + ".name";
        break;
    }
    Placed& p = attribute_entry(o);
    p.structural = true;
    add_differences(p, {{path, r.to_name, r.from_name}});
  }

  void comment(const CommentChange& c) {
    const ObjectRef& o = c.object;
    if (gone(o)) return;
    if (!o.is_member()) {
      add_differences(attribute_entry(o), {{"comment", json_text(c.to), json_text(c.from)}});
      return;
    }
    if (o.kind == "column" && (o.owner_kind == "view" || o.owner_kind == "materialized_view")) {
      // View columns are not members of their own: the comment is an attribute of the view.
      add_differences(attribute_entry(owner_ref(o)),
                      {{"column_comments." + o.member, json_text(c.to), json_text(c.from)}});
      return;
    }
    if (o.owner_kind == "domain") {
      Placed& p = attribute_entry(owner_ref(o));
      if (!p.structural)  // a changed domain's differences already show its checks
        add_differences(p,
                        {{"checks." + o.member + ".comment", json_text(c.to), json_text(c.from)}});
      return;
    }
    // A member that changed (or is re-created) shows its comment among its own attributes.
    auto it = index_.find(id(o.kind, o.name));
    if (it != index_.end() && entries_[it->second].structural) return;
    Placed& p = attribute_entry(o);
    add_differences(p, {{std::string(member_path(o.kind)) + "." + o.member + ".comment",
                         json_text(c.to), json_text(c.from)}});
  }

  void grant(const GrantChange& g) {
    if (g.object_dropped || gone(g.object)) return;
    add_differences(attribute_entry(g.object),
                    {{"grants", grants_value(g.to), grants_value(g.from)}});
  }

  void owner(const OwnerChange& o) {
    if (gone(o.object)) return;
    add_differences(attribute_entry(o.object),
                    {{"owner", json(o.to), o.from.empty() ? json() : json(o.from)}});
  }

  // Default privileges are a difference of their own, first in the report: absent on a side
  // means PostgreSQL's built-in defaults.
  void default_privilege(const DefaultPrivilegeChange& d) {
    auto it = desired_.default_privileges.find(d.key);
    Placed& p = place(
        "default_privileges", d.key, "", ChangeKind::Alter,
        it == desired_.default_privileges.end() ? schema::SourceLocation{} : it->second.location);
    p.section = kDefaultPrivileges;
    p.owner = d.key;
    add_differences(p, {{"grants", grants_value(d.to), grants_value(d.from)}});
  }

  void checked(DatabaseDrift& out) const {
    auto section = [&](const auto& desired, const auto& live, auto kind_of) {
      std::set<std::string> keys;
      for (const auto& [key, value] : desired) keys.insert(key);
      for (const auto& [key, value] : live) keys.insert(key);
      for (const auto& key : keys) {
        auto d = desired.find(key);
        const auto& any = d != desired.end() ? d->second : live.at(key);
        out.checked.push_back({kind_of(any), key,
                               d != desired.end() ? d->second.location : schema::SourceLocation{}});
      }
    };
    auto fixed = [](const char* kind) { return [kind](const auto&) { return std::string(kind); }; };
    section(desired_.schemas, live_.schemas, fixed("schema"));
    section(desired_.extensions, live_.extensions, fixed("extension"));
    section(desired_.enums, live_.enums, fixed("enum"));
    section(desired_.composite_types, live_.composite_types, fixed("composite_type"));
    section(desired_.domains, live_.domains, fixed("domain"));
    section(desired_.sequences, live_.sequences, fixed("sequence"));
    section(desired_.functions, live_.functions, [](const schema::Function& f) {
      return std::string(f.procedure ? "procedure" : "function");
    });
    section(desired_.aggregates, live_.aggregates, fixed("aggregate"));
    section(desired_.collations, live_.collations, fixed("collation"));
    section(desired_.tables, live_.tables, fixed("table"));
    section(desired_.views, live_.views, [](const schema::View& v) {
      return std::string(v.materialized ? "materialized_view" : "view");
    });
  }

  std::vector<DriftEntry> entries() {
    std::stable_sort(entries_.begin(), entries_.end(), [](const Placed& a, const Placed& b) {
      return std::tie(a.section, a.owner, a.member_section, a.only_live, a.position, a.entry.name) <
             std::tie(b.section, b.owner, b.member_section, b.only_live, b.position, b.entry.name);
    });
    std::vector<DriftEntry> out;
    out.reserve(entries_.size());
    for (auto& p : entries_) {
      p.entry.severity = drift_severity(p.entry);
      out.push_back(std::move(p.entry));
    }
    return out;
  }

 private:
  static std::string id(const std::string& kind, const std::string& name) {
    return kind + "\n" + name;
  }
  static json json_text(const std::optional<std::string>& text) {
    return text ? json(*text) : json();
  }
  static ObjectRef owner_ref(const ObjectRef& o) { return {o.owner_kind, o.key, "", "", o.key}; }

  std::string owner_kind_of(const std::string& owner) const {
    return desired_.tables.count(owner) || live_.tables.count(owner) ? "table" : "view";
  }

  template <class Changes>
  void members(const std::string& kind, const std::string& owner, const Changes& changes,
               const schema::SourceLocation& owner_location) {
    for (const auto& c : changes) {
      const std::string& name = c.to ? c.to->name : c.from->name;
      member(kind, owner, owner + "." + schema::quote_ident(name), name, c, owner_location, 0,
             c.kind == ChangeKind::Drop);
    }
  }
  void indexes(const std::string& owner, const std::vector<IndexChange>& changes,
               const schema::SourceLocation& owner_location) {
    for (const auto& c : changes) {
      const std::string& name = c.to ? c.to->name : c.from->name;
      member("index", owner, schema::quote_qualified(c.schema, name), name, c, owner_location, 0,
             c.kind == ChangeKind::Drop);
      if (c.rebuilds_invalid())
        for (auto& d : entries_.back().entry.differences)
          if (d.path == std::string(member_path("index")) + "." + name + ".valid")
            d.note = kInvalidIndexNote;
    }
  }

  // The object, or its owner, is missing or unexpected as a whole: nothing more to say.
  bool gone(const ObjectRef& o) const {
    for (const std::string& key : {id(o.kind, o.name), id(o.owner_kind, o.key)}) {
      auto it = index_.find(key);
      if (it != index_.end() && entries_[it->second].entry.kind != DriftKind::Differs) return true;
    }
    return false;
  }

  Placed& place(const std::string& kind, const std::string& name, const std::string& parent,
                ChangeKind change, const schema::SourceLocation& location) {
    index_[id(kind, name)] = entries_.size();
    Placed p;
    p.entry.object_kind = kind;
    p.entry.name = name;
    p.entry.parent = parent;
    p.entry.kind = drift_kind(change);
    p.entry.location = location;
    p.structural = true;
    entries_.push_back(std::move(p));
    return entries_.back();
  }

  // The Differs entry that a comment or grant change adds to: the object's own, or a new one.
  Placed& attribute_entry(const ObjectRef& o) {
    auto it = index_.find(id(o.kind, o.name));
    if (it != index_.end()) return entries_[it->second];
    schema::SourceLocation location = location_of(o);
    Placed& p = place(o.kind, o.name, o.is_member() ? o.key : "", ChangeKind::Alter, location);
    p.structural = false;
    p.owner = o.key;
    if (o.is_member()) {
      p.section = section_of(o.owner_kind);
      p.member_section = member_section_of(o.kind);
      if (o.kind == "column")
        if (auto t = desired_.tables.find(o.key); t != desired_.tables.end())
          for (size_t i = 0; i < t->second.columns.size(); ++i)
            if (t->second.columns[i].name == o.member) p.position = i;
    } else {
      p.section = section_of(o.kind);
    }
    return p;
  }

  schema::SourceLocation location_of(const ObjectRef& o) const {
    auto in = [](const auto& map, const std::string& key) {
      auto it = map.find(key);
      return it == map.end() ? schema::SourceLocation{} : it->second.location;
    };
    if (o.is_member()) {
      auto t = desired_.tables.find(o.key);
      if (t == desired_.tables.end()) return {};
      const schema::Table& table = t->second;
      schema::SourceLocation own;
      if (o.kind == "column") {
        if (const auto* c = table.find_column(o.member)) own = c->location;
      } else if (o.kind == "constraint") {
        own = in(table.constraints, o.member);
      } else if (o.kind == "index") {
        own = in(table.indexes, o.member);
      } else if (o.kind == "trigger") {
        own = in(table.triggers, o.member);
      } else if (o.kind == "policy") {
        own = in(table.policies, o.member);
      }
      return first_known(own, table.location);
    }
    if (o.kind == "schema") return in(desired_.schemas, o.key);
    if (o.kind == "extension") return in(desired_.extensions, o.key);
    if (o.kind == "table") return in(desired_.tables, o.key);
    if (o.kind == "view" || o.kind == "materialized_view") return in(desired_.views, o.key);
    if (o.kind == "sequence") return in(desired_.sequences, o.key);
    if (o.kind == "enum") return in(desired_.enums, o.key);
    if (o.kind == "composite_type") return in(desired_.composite_types, o.key);
    if (o.kind == "domain") return in(desired_.domains, o.key);
    if (o.kind == "aggregate") return in(desired_.aggregates, o.key);
    if (o.kind == "collation") return in(desired_.collations, o.key);
    return in(desired_.functions, o.key);
  }

  static void add_differences(Placed& p, std::vector<AttributeDifference> diffs) {
    for (auto& d : diffs) p.entry.differences.push_back(std::move(d));
  }

  const schema::Model& desired_;
  const schema::Model& live_;
  std::vector<Placed> entries_;
  std::map<std::string, size_t> index_;
};

}  // namespace

DatabaseDrift drift_from_changes(const Changes& changes, const schema::Model& desired,
                                 const schema::Model& live) {
  DriftView view(desired, live);
  for (const auto& c : changes.schemas) view.object("schema", c.key, c.kind, c.from, c.to);
  for (const auto& c : changes.extensions) view.object("extension", c.key, c.kind, c.from, c.to);
  for (const auto& c : changes.enums) view.object("enum", c.key, c.kind, c.from, c.to);
  for (const auto& c : changes.composite_types)
    view.object("composite_type", c.key, c.kind, c.from, c.to);
  for (const auto& c : changes.domains) view.object("domain", c.key, c.kind, c.from, c.to);
  for (const auto& c : changes.sequences) view.object("sequence", c.key, c.kind, c.from, c.to);
  for (const auto& c : changes.functions) {
    const schema::Function& any = c.to ? *c.to : *c.from;
    view.object(any.procedure ? "procedure" : "function", c.key, c.kind, c.from, c.to);
  }
  for (const auto& c : changes.aggregates) view.object("aggregate", c.key, c.kind, c.from, c.to);
  for (const auto& c : changes.collations) view.object("collation", c.key, c.kind, c.from, c.to);
  for (const auto& t : changes.tables) view.table(t);
  for (const auto& v : changes.views) view.view(v);
  for (const auto& c : changes.comments) view.comment(c);
  for (const auto& g : changes.grants) view.grant(g);
  for (const auto& o : changes.owners) view.owner(o);
  for (const auto& d : changes.default_privileges) view.default_privilege(d);
  for (const auto& r : changes.renames) view.rename(r);
  DatabaseDrift out;
  out.entries = view.entries();
  view.checked(out);
  return out;
}

DatabaseDrift compute_drift(const schema::Model& desired, const schema::Model& live,
                            const DiffOptions& options) {
  return drift_from_changes(diff_models(live, desired, options), desired, live);
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
