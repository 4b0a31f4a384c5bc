// JSON form of the model (docs/json-model.md).
//
// Writing: every field equal to its model default is omitted and nlohmann::json objects keep
// keys sorted, so equal models give byte-identical text. Reading: every field is optional
// except the few that have no sensible default; unknown keys are errors (they are almost
// always typos), and every error names the JSON path where it happened.
#include "schema/json.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace pgdrift::schema {

using nlohmann::json;

namespace {

constexpr const char* kFormatName = "pgdrift-model";
constexpr int kFormatVersion = 1;

// ---- enum <-> word tables ---------------------------------------------------------------

struct CharWord {
  char code;
  const char* word;
};
constexpr CharWord kFkActions[] = {{'a', "no_action"},
                                   {'r', "restrict"},
                                   {'c', "cascade"},
                                   {'n', "set_null"},
                                   {'d', "set_default"}};
constexpr CharWord kFkMatches[] = {{'s', "simple"}, {'f', "full"}, {'p', "partial"}};

template <size_t N>
std::string word_of(const CharWord (&table)[N], char code) {
  for (const auto& entry : table) {
    if (entry.code == code) return entry.word;
  }
  return std::string(1, code);  // unknown code: keep it visible rather than drop it
}

const char* constraint_kind_word(ConstraintKind kind) {
  switch (kind) {
    case ConstraintKind::PrimaryKey:
      return "primary_key";
    case ConstraintKind::Unique:
      return "unique";
    case ConstraintKind::Check:
      return "check";
    case ConstraintKind::ForeignKey:
      return "foreign_key";
    case ConstraintKind::Exclusion:
      return "exclusion";
  }
  return "check";
}

// Single-letter catalog codes stored in the model, and their names in the JSON model.
struct CodeName {
  char code;
  const char* name;
};
// pg_class.relreplident
constexpr CodeName kReplicaIdentities[] = {
    {'d', "default"}, {'f', "full"}, {'n', "nothing"}, {'i', "index"}};
// pg_trigger.tgenabled
constexpr CodeName kTriggerStates[] = {
    {'O', "origin"}, {'D', "disabled"}, {'R', "replica"}, {'A', "always"}};

template <size_t N>
std::string name_of_code(const CodeName (&names)[N], char code) {
  for (const CodeName& n : names)
    if (n.code == code) return n.name;
  return std::string(1, code);  // unknown code: keep it visible rather than drop it
}
// 0 when `name` is none of them.
template <size_t N>
char code_of_name(const CodeName (&names)[N], const std::string& name) {
  for (const CodeName& n : names)
    if (name == n.name) return n.code;
  return 0;
}

const char* identity_word(IdentityKind kind) {
  return kind == IdentityKind::Always ? "always" : "by_default";
}

std::string location_text(const SourceLocation& loc) {
  return loc.file + ":" + std::to_string(loc.line);
}

// ---- writing ----------------------------------------------------------------------------

class Writer {
 public:
  // `with_renames`: write each rename annotation ("renamed_from"), which is model input (a JSON
  // desired model carries it) though not schema: the model JSON has it, the per-object JSON
  // that drift compares does not, so it never shows as a difference.
  explicit Writer(bool with_provenance, bool with_renames = true)
      : with_provenance_(with_provenance), with_renames_(with_renames) {}

  static void put_string(json& j, const char* key, const std::string& value,
                         const std::string& default_value = "") {
    if (value != default_value) j[key] = value;
  }
  static void put_bool(json& j, const char* key, bool value, bool default_value = false) {
    if (value != default_value) j[key] = value;
  }
  static void put_optional(json& j, const char* key, const std::optional<std::string>& value) {
    if (value) j[key] = *value;
  }
  static void put_list(json& j, const char* key, const std::vector<std::string>& values) {
    if (!values.empty()) j[key] = values;
  }
  static void put_string_map(json& j, const char* key,
                             const std::map<std::string, std::string>& values) {
    if (!values.empty()) j[key] = values;
  }
  void put_renamed_from(json& j, const RenamedFrom& renamed) const {
    if (with_renames_ && !renamed.empty()) j["renamed_from"] = renamed.name;
  }
  void put_location(json& j, const SourceLocation& loc) const {
    if (with_provenance_ && !loc.empty()) j["location"] = location_text(loc);
  }

  json grants(const std::vector<Grant>& grants) const {
    json out = json::array();
    for (const auto& g : grants) {
      json j = json::object();
      j["grantee"] = g.grantee;
      j["privilege"] = g.privilege;
      put_list(j, "columns", g.columns);
      put_bool(j, "with_grant_option", g.with_grant_option);
      out.push_back(std::move(j));
    }
    return out;
  }
  void put_grants(json& j, const std::vector<Grant>& g) const {
    if (!g.empty()) j["grants"] = grants(g);
  }

  static json sequence_options(const SequenceOptions& o) {
    // Always complete: the defaults depend on the data type, so omitting them would make the
    // reader guess.
    return json{{"data_type", o.data_type}, {"start", o.start},         {"increment", o.increment},
                {"min_value", o.min_value}, {"max_value", o.max_value}, {"cache", o.cache},
                {"cycle", o.cycle}};
  }

  json column(const Column& c) const {
    json j = json::object();
    j["name"] = c.name;
    j["type"] = c.type;
    put_string(j, "collation", c.collation);
    put_bool(j, "not_null", c.not_null);
    put_optional(j, "default_expr", c.default_expr);
    if (c.identity != IdentityKind::None) j["identity"] = identity_word(c.identity);
    if (c.identity_options) j["identity_options"] = sequence_options(*c.identity_options);
    put_optional(j, "generated_expr", c.generated_expr);
    put_optional(j, "comment", c.comment);
    put_grants(j, c.grants);
    put_renamed_from(j, c.renamed_from);
    put_location(j, c.location);
    return j;
  }

  json constraint(const Constraint& c) const {
    json j = json::object();
    j["kind"] = constraint_kind_word(c.kind);
    put_list(j, "columns", c.columns);
    put_list(j, "include", c.include);
    put_bool(j, "nulls_not_distinct", c.nulls_not_distinct);
    put_string(j, "check_expr", c.check_expr);
    put_bool(j, "no_inherit", c.no_inherit);
    if (c.foreign_key) {
      const ForeignKey& fk = *c.foreign_key;
      json f = json::object();
      f["ref_table"] = fk.ref_table;
      put_list(f, "ref_columns", fk.ref_columns);
      if (fk.on_delete != 'a') f["on_delete"] = word_of(kFkActions, fk.on_delete);
      if (fk.on_update != 'a') f["on_update"] = word_of(kFkActions, fk.on_update);
      if (fk.match != 's') f["match"] = word_of(kFkMatches, fk.match);
      put_list(f, "on_delete_set_columns", fk.on_delete_set_columns);
      j["foreign_key"] = std::move(f);
    }
    put_string(j, "exclusion_method", c.exclusion_method);
    if (!c.exclusion_elements.empty()) {
      json elements = json::array();
      for (const auto& e : c.exclusion_elements) {
        json ej = json::object();
        put_string(ej, "expr", e.expr);
        put_string(ej, "opclass", e.opclass);
        put_bool(ej, "descending", e.descending);
        put_bool(ej, "nulls_first", e.nulls_first);
        put_string(ej, "op", e.op);
        elements.push_back(std::move(ej));
      }
      j["exclusion_elements"] = std::move(elements);
    }
    put_string(j, "where_expr", c.where_expr);
    put_bool(j, "deferrable", c.deferrable);
    put_bool(j, "initially_deferred", c.initially_deferred);
    put_bool(j, "validated", c.validated, true);
    put_string(j, "parent_constraint", c.parent_constraint);
    put_optional(j, "comment", c.comment);
    put_renamed_from(j, c.renamed_from);
    put_location(j, c.location);
    return j;
  }

  json index(const Index& ix) const {
    json j = json::object();
    put_bool(j, "unique", ix.unique);
    put_bool(j, "nulls_not_distinct", ix.nulls_not_distinct);
    put_string(j, "method", ix.method, "btree");
    json keys = json::array();
    for (const auto& k : ix.keys) {
      json kj = json::object();
      put_string(kj, "column", k.column);
      put_string(kj, "expr", k.expr);
      put_string(kj, "opclass", k.opclass);
      put_string(kj, "collation", k.collation);
      put_bool(kj, "descending", k.descending);
      put_bool(kj, "nulls_first", k.nulls_first);
      keys.push_back(std::move(kj));
    }
    j["keys"] = std::move(keys);
    put_list(j, "include", ix.include);
    put_string(j, "where_expr", ix.where_expr);
    put_string_map(j, "options", ix.options);
    put_string(j, "parent_index", ix.parent_index);
    put_bool(j, "valid", ix.valid, true);
    put_optional(j, "comment", ix.comment);
    put_renamed_from(j, ix.renamed_from);
    put_location(j, ix.location);
    return j;
  }

  json trigger(const Trigger& t) const {
    json j = json::object();
    j["timing"] = t.timing;
    j["events"] = t.events;
    put_list(j, "update_columns", t.update_columns);
    put_bool(j, "for_each_row", t.for_each_row);
    put_string(j, "when_expr", t.when_expr);
    j["function"] = t.function;
    put_list(j, "arguments", t.arguments);
    put_bool(j, "constraint_trigger", t.constraint_trigger);
    put_bool(j, "deferrable", t.deferrable);
    put_bool(j, "initially_deferred", t.initially_deferred);
    put_string(j, "old_table", t.old_table);
    put_string(j, "new_table", t.new_table);
    if (t.enabled != 'O') j["enabled"] = name_of_code(kTriggerStates, t.enabled);
    put_optional(j, "comment", t.comment);
    put_location(j, t.location);
    return j;
  }

  json policy(const Policy& p) const {
    json j = json::object();
    put_bool(j, "permissive", p.permissive, true);
    put_string(j, "command", p.command, "ALL");
    put_list(j, "roles", p.roles);
    put_string(j, "using_expr", p.using_expr);
    put_string(j, "check_expr", p.check_expr);
    put_optional(j, "comment", p.comment);
    put_location(j, p.location);
    return j;
  }

  template <typename T, typename F>
  static void put_map(json& j, const char* key, const std::map<std::string, T>& items, F&& f) {
    if (items.empty()) return;
    json out = json::object();
    for (const auto& [name, item] : items) out[name] = f(item);
    j[key] = std::move(out);
  }

  json table(const Table& t) const {
    json j = json::object();
    j["schema"] = t.schema;
    j["name"] = t.name;
    if (t.kind == TableKind::Partitioned) j["kind"] = "partitioned";
    put_bool(j, "unlogged", t.unlogged);
    json columns = json::array();
    for (const auto& c : t.columns) columns.push_back(column(c));
    j["columns"] = std::move(columns);
    put_map(j, "constraints", t.constraints, [this](const Constraint& c) { return constraint(c); });
    put_map(j, "indexes", t.indexes, [this](const Index& i) { return index(i); });
    put_map(j, "triggers", t.triggers, [this](const Trigger& tr) { return trigger(tr); });
    put_map(j, "policies", t.policies, [this](const Policy& p) { return policy(p); });
    put_string(j, "partition_key", t.partition_key);
    put_string(j, "partition_of", t.partition_of);
    put_string(j, "partition_bound", t.partition_bound);
    put_list(j, "inherits", t.inherits);
    put_bool(j, "rls_enabled", t.rls_enabled);
    put_bool(j, "rls_forced", t.rls_forced);
    if (t.replica_identity != 'd')
      j["replica_identity"] = name_of_code(kReplicaIdentities, t.replica_identity);
    put_string(j, "replica_identity_index", t.replica_identity_index);
    put_string_map(j, "options", t.options);
    put_optional(j, "comment", t.comment);
    put_grants(j, t.grants);
    put_string(j, "owner", t.owner);
    put_renamed_from(j, t.renamed_from);
    put_location(j, t.location);
    return j;
  }

  json view(const View& v) const {
    json j = json::object();
    j["schema"] = v.schema;
    j["name"] = v.name;
    put_bool(j, "materialized", v.materialized);
    j["query"] = v.query;
    put_list(j, "column_names", v.column_names);
    put_string_map(j, "options", v.options);
    put_bool(j, "with_data", v.with_data, true);
    put_map(j, "indexes", v.indexes, [this](const Index& i) { return index(i); });
    put_map(j, "triggers", v.triggers, [this](const Trigger& tr) { return trigger(tr); });
    if (!v.column_comments.empty()) {
      json comments = json::object();
      for (const auto& [col, text] : v.column_comments) {
        comments[col] = text ? json(*text) : json(nullptr);
      }
      j["column_comments"] = std::move(comments);
    }
    put_optional(j, "comment", v.comment);
    put_grants(j, v.grants);
    put_string(j, "owner", v.owner);
    put_location(j, v.location);
    return j;
  }

  json sequence(const Sequence& s) const {
    json j = json::object();
    j["schema"] = s.schema;
    j["name"] = s.name;
    j["options"] = sequence_options(s.options);
    put_string(j, "owned_by", s.owned_by);
    put_optional(j, "comment", s.comment);
    put_grants(j, s.grants);
    put_string(j, "owner", s.owner);
    put_location(j, s.location);
    return j;
  }

  json enum_type(const EnumType& e) const {
    json j = json::object();
    j["schema"] = e.schema;
    j["name"] = e.name;
    j["values"] = e.values;
    put_optional(j, "comment", e.comment);
    put_string(j, "owner", e.owner);
    put_location(j, e.location);
    return j;
  }

  json composite_type(const CompositeType& c) const {
    json j = json::object();
    j["schema"] = c.schema;
    j["name"] = c.name;
    json attributes = json::array();
    for (const auto& a : c.attributes) {
      json aj = json::object();
      aj["name"] = a.name;
      aj["type"] = a.type;
      put_string(aj, "collation", a.collation);
      attributes.push_back(std::move(aj));
    }
    j["attributes"] = std::move(attributes);
    put_optional(j, "comment", c.comment);
    put_string(j, "owner", c.owner);
    put_location(j, c.location);
    return j;
  }

  json domain(const Domain& d) const {
    json j = json::object();
    j["schema"] = d.schema;
    j["name"] = d.name;
    j["base_type"] = d.base_type;
    put_string(j, "collation", d.collation);
    put_bool(j, "not_null", d.not_null);
    put_optional(j, "default_expr", d.default_expr);
    put_map(j, "checks", d.checks, [this](const Constraint& c) { return constraint(c); });
    put_optional(j, "comment", d.comment);
    put_string(j, "owner", d.owner);
    put_location(j, d.location);
    return j;
  }

  json function(const Function& f) const {
    json j = json::object();
    j["schema"] = f.schema;
    j["name"] = f.name;
    put_bool(j, "procedure", f.procedure);
    if (!f.arguments.empty()) {
      json arguments = json::array();
      for (const auto& a : f.arguments) {
        json aj = json::object();
        put_string(aj, "mode", a.mode, "IN");
        put_string(aj, "name", a.name);
        aj["type"] = a.type;
        put_optional(aj, "default_expr", a.default_expr);
        arguments.push_back(std::move(aj));
      }
      j["arguments"] = std::move(arguments);
    }
    put_string(j, "returns", f.returns);
    j["language"] = f.language;
    j["body"] = f.body;
    put_string(j, "sql_body", f.sql_body);
    put_string(j, "volatility", f.volatility, "VOLATILE");
    put_bool(j, "strict", f.strict);
    put_bool(j, "security_definer", f.security_definer);
    put_bool(j, "leakproof", f.leakproof);
    put_string(j, "parallel", f.parallel, "UNSAFE");
    if (f.cost != 0) j["cost"] = f.cost;
    if (f.rows != 0) j["rows"] = f.rows;
    put_string_map(j, "config", f.config);
    put_optional(j, "comment", f.comment);
    put_grants(j, f.grants);
    put_string(j, "owner", f.owner);
    put_location(j, f.location);
    return j;
  }

  json aggregate(const Aggregate& a) const {
    json j = json::object();
    j["schema"] = a.schema;
    j["name"] = a.name;
    if (!a.arguments.empty()) {
      json arguments = json::array();
      for (const auto& arg : a.arguments) {
        json aj = json::object();
        put_string(aj, "mode", arg.mode, "IN");
        put_string(aj, "name", arg.name);
        aj["type"] = arg.type;
        arguments.push_back(std::move(aj));
      }
      j["arguments"] = std::move(arguments);
    }
    put_string(j, "kind", a.kind, "normal");
    if (a.direct_arguments != 0) j["direct_arguments"] = a.direct_arguments;
    j["state_function"] = a.state_function;
    j["state_type"] = a.state_type;
    if (a.state_space != 0) j["state_space"] = a.state_space;
    put_string(j, "final_function", a.final_function);
    put_bool(j, "final_extra", a.final_extra);
    put_string(j, "final_modify", a.final_modify, "READ_ONLY");
    put_string(j, "combine_function", a.combine_function);
    put_string(j, "serial_function", a.serial_function);
    put_string(j, "deserial_function", a.deserial_function);
    put_optional(j, "initial_condition", a.initial_condition);
    put_string(j, "moving_state_function", a.moving_state_function);
    put_string(j, "moving_inverse_function", a.moving_inverse_function);
    put_string(j, "moving_state_type", a.moving_state_type);
    if (a.moving_state_space != 0) j["moving_state_space"] = a.moving_state_space;
    put_string(j, "moving_final_function", a.moving_final_function);
    put_bool(j, "moving_final_extra", a.moving_final_extra);
    put_string(j, "moving_final_modify", a.moving_final_modify, "READ_ONLY");
    put_optional(j, "moving_initial_condition", a.moving_initial_condition);
    put_string(j, "sort_operator", a.sort_operator);
    put_string(j, "parallel", a.parallel, "UNSAFE");
    put_optional(j, "comment", a.comment);
    put_grants(j, a.grants);
    put_location(j, a.location);
    return j;
  }

  json collation(const Collation& c) const {
    json j = json::object();
    j["schema"] = c.schema;
    j["name"] = c.name;
    put_string(j, "provider", c.provider, "libc");
    put_string(j, "lc_collate", c.lc_collate);
    put_string(j, "lc_ctype", c.lc_ctype);
    put_string(j, "icu_locale", c.icu_locale);
    put_bool(j, "deterministic", c.deterministic, true);
    put_optional(j, "comment", c.comment);
    put_location(j, c.location);
    return j;
  }

  json extension(const Extension& e) const {
    json j = json::object();
    put_string(j, "schema", e.schema);
    put_string(j, "version", e.version);
    put_optional(j, "comment", e.comment);
    put_location(j, e.location);
    return j;
  }

  json default_privilege(const DefaultPrivilege& d) const {
    json j = json::object();
    put_string(j, "role", d.role);
    put_string(j, "schema", d.schema);
    j["object_type"] = d.object_type;
    j["grants"] = grants(d.grants);  // always: empty says a built-in default was revoked
    put_location(j, d.location);
    return j;
  }

  json name_space(const Namespace& n) const {
    json j = json::object();
    put_optional(j, "comment", n.comment);
    put_grants(j, n.grants);
    put_string(j, "owner", n.owner);
    put_location(j, n.location);
    return j;
  }

 private:
  bool with_provenance_;
  bool with_renames_;
};

// ---- reading ----------------------------------------------------------------------------

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw std::runtime_error("invalid pgdrift model JSON at " + path + ": " + message);
}

std::string child_path(const std::string& path, const std::string& key) {
  bool plain = !key.empty();
  for (char ch : key) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_')) plain = false;
  }
  return plain ? path + "." + key : path + "[" + json(key).dump() + "]";
}

// PostgreSQL keeps at most NAMEDATALEN - 1 = 63 bytes of a name (and so do the SQL loader and
// the database), so a longer schema or object name is no model of a schema: refused, with a
// shortened path. The name filters (std::regex) would also recurse once per byte of it.
constexpr size_t kMaxIdentifierBytes = 63;

void check_identifier(const std::string& name, std::string path) {
  if (name.size() <= kMaxIdentifierBytes) return;
  if (path.size() > 200) path = path.substr(0, 120) + "..." + path.substr(path.size() - 40);
  fail(path, "longer than " + std::to_string(kMaxIdentifierBytes) +
                 " bytes, PostgreSQL's limit for names");
}

std::string index_path(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// A JSON object being read: remembers which keys were consumed so that unknown keys (typos)
// are reported instead of silently ignored.
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) fail(path_, "expected an object");
  }
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  const std::string& path() const { return path_; }
  std::string path_of(const std::string& key) const { return child_path(path_, key); }

  const json* find(const std::string& key) {
    used_.insert(key);
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  const json& require(const std::string& key) {
    const json* v = find(key);
    if (!v) fail(path_, "missing required field \"" + key + "\"");
    return *v;
  }

  std::string string(const std::string& key, const std::string& default_value = "") {
    const json* v = find(key);
    return v ? as_string(*v, path_of(key)) : default_value;
  }
  std::string required_string(const std::string& key) {
    return as_string(require(key), path_of(key));
  }
  // A schema or object name (check_identifier).
  std::string identifier(const std::string& key) {
    std::string name = required_string(key);
    check_identifier(name, path_of(key));
    return name;
  }
  bool boolean(const std::string& key, bool default_value = false) {
    const json* v = find(key);
    if (!v) return default_value;
    if (!v->is_boolean()) fail(path_of(key), "expected true or false");
    return v->get<bool>();
  }
  int64_t optional_integer(const std::string& key, int64_t default_value = 0) {
    const json* v = find(key);
    if (!v) return default_value;
    if (!v->is_number_integer()) fail(path_of(key), "expected an integer");
    return v->get<int64_t>();
  }
  int64_t integer(const std::string& key) {
    const json& v = require(key);
    if (!v.is_number_integer()) fail(path_of(key), "expected an integer");
    return v.get<int64_t>();
  }
  double number(const std::string& key) {
    const json* v = find(key);
    if (!v) return 0;
    if (!v->is_number()) fail(path_of(key), "expected a number");
    return v->get<double>();
  }
  std::optional<std::string> optional_string(const std::string& key) {
    const json* v = find(key);
    if (!v) return std::nullopt;
    return as_string(*v, path_of(key));
  }
  std::vector<std::string> strings(const std::string& key) {
    const json* v = find(key);
    if (!v) return {};
    return as_strings(*v, path_of(key));
  }
  std::vector<std::string> required_strings(const std::string& key) {
    return as_strings(require(key), path_of(key));
  }
  std::map<std::string, std::string> string_map(const std::string& key) {
    std::map<std::string, std::string> out;
    const json* v = find(key);
    if (!v) return out;
    if (!v->is_object()) fail(path_of(key), "expected an object of strings");
    for (const auto& [k, item] : v->items()) {
      out[k] = as_string(item, child_path(path_of(key), k));
    }
    return out;
  }
  SourceLocation location() {
    SourceLocation loc;
    const json* v = find("location");
    if (!v) return loc;
    std::string text = as_string(*v, path_of("location"));
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
      fail(path_of("location"), "expected \"file:line\"");
    }
    loc.file = text.substr(0, colon);
    try {
      size_t used = 0;
      loc.line = std::stoi(text.substr(colon + 1), &used);
      if (used != text.size() - colon - 1) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      fail(path_of("location"), "expected \"file:line\"");
    }
    return loc;
  }

  // Call when done: every key must have been consumed.
  void finish() const {
    for (const auto& [key, value] : j_.items()) {
      if (!used_.count(key)) fail(path_of(key), "unknown field");
    }
  }

  static std::string as_string(const json& v, const std::string& path) {
    if (!v.is_string()) fail(path, "expected a string");
    return v.get<std::string>();
  }
  static std::vector<std::string> as_strings(const json& v, const std::string& path) {
    if (!v.is_array()) fail(path, "expected an array of strings");
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) out.push_back(as_string(v[i], index_path(path, i)));
    return out;
  }

 private:
  const json& j_;
  std::string path_;
  std::set<std::string> used_;
};

template <size_t N>
char code_of(const CharWord (&table)[N], const std::string& word, const std::string& path) {
  std::string allowed;
  for (const auto& entry : table) {
    if (word == entry.word) return entry.code;
    allowed += std::string(allowed.empty() ? "" : ", ") + entry.word;
  }
  fail(path, "unknown value \"" + word + "\" (expected one of " + allowed + ")");
}

ConstraintKind constraint_kind_of(const std::string& word, const std::string& path) {
  for (auto kind : {ConstraintKind::PrimaryKey, ConstraintKind::Unique, ConstraintKind::Check,
                    ConstraintKind::ForeignKey, ConstraintKind::Exclusion}) {
    if (word == constraint_kind_word(kind)) return kind;
  }
  fail(path, "unknown constraint kind \"" + word +
                 "\" (expected primary_key, unique, check, foreign_key or exclusion)");
}

// Iterate a JSON array at `path`.
template <typename F>
void each_element(const json* v, const std::string& path, F&& f) {
  if (!v) return;
  if (!v->is_array()) fail(path, "expected an array");
  for (size_t i = 0; i < v->size(); ++i) f((*v)[i], index_path(path, i));
}

// Iterate a JSON object (name -> item) at `path`.
template <typename F>
void each_member(const json* v, const std::string& path, F&& f) {
  if (!v) return;
  if (!v->is_object()) fail(path, "expected an object");
  for (const auto& [name, item] : v->items()) f(name, item, child_path(path, name));
}

std::vector<Grant> read_grants(ObjectReader& r) {
  std::vector<Grant> out;
  each_element(r.find("grants"), r.path_of("grants"), [&](const json& j, const std::string& p) {
    ObjectReader g(j, p);
    Grant grant;
    grant.grantee = g.required_string("grantee");
    grant.privilege = g.required_string("privilege");
    grant.columns = g.strings("columns");
    grant.with_grant_option = g.boolean("with_grant_option");
    g.finish();
    out.push_back(std::move(grant));
  });
  return out;
}

SequenceOptions read_sequence_options(const json& j, const std::string& path) {
  ObjectReader r(j, path);
  SequenceOptions o;
  o.data_type = r.required_string("data_type");
  o.start = r.integer("start");
  o.increment = r.integer("increment");
  o.min_value = r.integer("min_value");
  o.max_value = r.integer("max_value");
  o.cache = r.integer("cache");
  o.cycle = r.boolean("cycle");
  r.finish();
  return o;
}

Column read_column(const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Column c;
  c.name = r.identifier("name");
  c.type = r.required_string("type");
  c.collation = r.string("collation");
  c.not_null = r.boolean("not_null");
  c.default_expr = r.optional_string("default_expr");
  if (auto identity = r.optional_string("identity")) {
    if (*identity == "always") {
      c.identity = IdentityKind::Always;
    } else if (*identity == "by_default") {
      c.identity = IdentityKind::ByDefault;
    } else {
      fail(r.path_of("identity"), "expected \"always\" or \"by_default\"");
    }
  }
  if (const json* o = r.find("identity_options")) {
    c.identity_options = read_sequence_options(*o, r.path_of("identity_options"));
  }
  if ((c.identity != IdentityKind::None) != c.identity_options.has_value()) {
    fail(path, "\"identity\" and \"identity_options\" must be given together");
  }
  c.generated_expr = r.optional_string("generated_expr");
  c.comment = r.optional_string("comment");
  c.grants = read_grants(r);
  c.renamed_from.name = r.string("renamed_from");
  c.location = r.location();
  r.finish();
  return c;
}

Constraint read_constraint(const std::string& name, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Constraint c;
  c.name = name;
  c.kind = constraint_kind_of(r.required_string("kind"), r.path_of("kind"));
  c.columns = r.strings("columns");
  c.include = r.strings("include");
  c.nulls_not_distinct = r.boolean("nulls_not_distinct");
  c.check_expr = r.string("check_expr");
  c.no_inherit = r.boolean("no_inherit");
  if (const json* fj = r.find("foreign_key")) {
    ObjectReader f(*fj, r.path_of("foreign_key"));
    ForeignKey fk;
    fk.ref_table = f.required_string("ref_table");
    fk.ref_columns = f.strings("ref_columns");
    fk.on_delete = code_of(kFkActions, f.string("on_delete", "no_action"), f.path_of("on_delete"));
    fk.on_update = code_of(kFkActions, f.string("on_update", "no_action"), f.path_of("on_update"));
    fk.match = code_of(kFkMatches, f.string("match", "simple"), f.path_of("match"));
    fk.on_delete_set_columns = f.strings("on_delete_set_columns");
    f.finish();
    c.foreign_key = std::move(fk);
  }
  if ((c.kind == ConstraintKind::ForeignKey) != c.foreign_key.has_value()) {
    fail(path, "\"foreign_key\" is required for, and only allowed on, kind foreign_key");
  }
  c.exclusion_method = r.string("exclusion_method");
  each_element(r.find("exclusion_elements"), r.path_of("exclusion_elements"),
               [&](const json& ej, const std::string& p) {
                 ObjectReader e(ej, p);
                 ExclusionElement element;
                 element.expr = e.string("expr");
                 element.opclass = e.string("opclass");
                 element.descending = e.boolean("descending");
                 element.nulls_first = e.boolean("nulls_first");
                 element.op = e.string("op");
                 e.finish();
                 c.exclusion_elements.push_back(std::move(element));
               });
  c.where_expr = r.string("where_expr");
  c.deferrable = r.boolean("deferrable");
  c.initially_deferred = r.boolean("initially_deferred");
  c.validated = r.boolean("validated", true);
  c.parent_constraint = r.string("parent_constraint");
  c.comment = r.optional_string("comment");
  c.renamed_from.name = r.string("renamed_from");
  c.location = r.location();
  r.finish();
  return c;
}

Index read_index(const std::string& name, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Index ix;
  ix.name = name;
  ix.unique = r.boolean("unique");
  ix.nulls_not_distinct = r.boolean("nulls_not_distinct");
  ix.method = r.string("method", "btree");
  each_element(&r.require("keys"), r.path_of("keys"), [&](const json& kj, const std::string& p) {
    ObjectReader k(kj, p);
    IndexKey key;
    key.column = k.string("column");
    key.expr = k.string("expr");
    if (key.column.empty() == key.expr.empty()) {
      fail(p, "exactly one of \"column\" and \"expr\" is required");
    }
    key.opclass = k.string("opclass");
    key.collation = k.string("collation");
    key.descending = k.boolean("descending");
    key.nulls_first = k.boolean("nulls_first");
    k.finish();
    ix.keys.push_back(std::move(key));
  });
  ix.include = r.strings("include");
  ix.where_expr = r.string("where_expr");
  ix.options = r.string_map("options");
  ix.parent_index = r.string("parent_index");
  ix.valid = r.boolean("valid", true);
  ix.comment = r.optional_string("comment");
  ix.renamed_from.name = r.string("renamed_from");
  ix.location = r.location();
  r.finish();
  return ix;
}

Trigger read_trigger(const std::string& name, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Trigger t;
  t.name = name;
  t.timing = r.required_string("timing");
  t.events = r.required_strings("events");
  t.update_columns = r.strings("update_columns");
  t.for_each_row = r.boolean("for_each_row");
  t.when_expr = r.string("when_expr");
  t.function = r.required_string("function");
  t.arguments = r.strings("arguments");
  t.constraint_trigger = r.boolean("constraint_trigger");
  t.deferrable = r.boolean("deferrable");
  t.initially_deferred = r.boolean("initially_deferred");
  t.old_table = r.string("old_table");
  t.new_table = r.string("new_table");
  t.enabled = code_of_name(kTriggerStates, r.string("enabled", "origin"));
  if (t.enabled == 0)
    fail(r.path_of("enabled"), "expected \"origin\", \"disabled\", \"replica\" or \"always\"");
  t.comment = r.optional_string("comment");
  t.location = r.location();
  r.finish();
  return t;
}

Policy read_policy(const std::string& name, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Policy p;
  p.name = name;
  p.permissive = r.boolean("permissive", true);
  p.command = r.string("command", "ALL");
  p.roles = r.strings("roles");
  p.using_expr = r.string("using_expr");
  p.check_expr = r.string("check_expr");
  p.comment = r.optional_string("comment");
  p.location = r.location();
  r.finish();
  return p;
}

template <typename T, typename F>
std::map<std::string, T> read_map(ObjectReader& r, const std::string& key, F&& read_one) {
  std::map<std::string, T> out;
  each_member(r.find(key), r.path_of(key),
              [&](const std::string& name, const json& j, const std::string& p) {
                out.emplace(name, read_one(name, j, p));
              });
  return out;
}

// Objects keyed by qualified key must carry matching schema/name: a mismatch would make the
// model inconsistent (lookups by key would miss the object).
void check_key(const std::string& key, const std::string& expected, const std::string& path) {
  if (key != expected) {
    fail(path, "key does not match the object's schema and name (expected \"" + expected + "\")");
  }
}

Table read_table(const std::string& key, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Table t;
  t.schema = r.identifier("schema");
  t.name = r.identifier("name");
  check_key(key, qualified_key(t.schema, t.name), path);
  std::string kind = r.string("kind", "regular");
  if (kind == "partitioned") {
    t.kind = TableKind::Partitioned;
  } else if (kind != "regular") {
    fail(r.path_of("kind"), "expected \"regular\" or \"partitioned\"");
  }
  t.unlogged = r.boolean("unlogged");
  each_element(r.find("columns"), r.path_of("columns"), [&](const json& cj, const std::string& p) {
    t.columns.push_back(read_column(cj, p));
  });
  t.constraints = read_map<Constraint>(r, "constraints", read_constraint);
  t.indexes = read_map<Index>(r, "indexes", read_index);
  t.triggers = read_map<Trigger>(r, "triggers", read_trigger);
  t.policies = read_map<Policy>(r, "policies", read_policy);
  t.partition_key = r.string("partition_key");
  t.partition_of = r.string("partition_of");
  t.partition_bound = r.string("partition_bound");
  t.inherits = r.strings("inherits");
  t.rls_enabled = r.boolean("rls_enabled");
  t.rls_forced = r.boolean("rls_forced");
  t.replica_identity = code_of_name(kReplicaIdentities, r.string("replica_identity", "default"));
  if (t.replica_identity == 0)
    fail(r.path_of("replica_identity"), "expected \"default\", \"full\", \"nothing\" or \"index\"");
  t.replica_identity_index = r.string("replica_identity_index");
  if ((t.replica_identity == 'i') == t.replica_identity_index.empty())
    fail(r.path_of("replica_identity_index"),
         "expected exactly when replica_identity is \"index\"");
  t.options = r.string_map("options");
  t.comment = r.optional_string("comment");
  t.grants = read_grants(r);
  t.owner = r.string("owner");
  t.renamed_from.name = r.string("renamed_from");
  t.location = r.location();
  r.finish();
  return t;
}

View read_view(const std::string& key, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  View v;
  v.schema = r.identifier("schema");
  v.name = r.identifier("name");
  check_key(key, qualified_key(v.schema, v.name), path);
  v.materialized = r.boolean("materialized");
  v.query = r.required_string("query");
  v.column_names = r.strings("column_names");
  v.options = r.string_map("options");
  v.with_data = r.boolean("with_data", true);
  v.indexes = read_map<Index>(r, "indexes", read_index);
  v.triggers = read_map<Trigger>(r, "triggers", read_trigger);
  each_member(r.find("column_comments"), r.path_of("column_comments"),
              [&](const std::string& col, const json& cj, const std::string& p) {
                v.column_comments[col] =
                    cj.is_null() ? std::nullopt
                                 : std::optional<std::string>(ObjectReader::as_string(cj, p));
              });
  v.comment = r.optional_string("comment");
  v.grants = read_grants(r);
  v.owner = r.string("owner");
  v.location = r.location();
  r.finish();
  return v;
}

Sequence read_sequence(const std::string& key, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Sequence s;
  s.schema = r.identifier("schema");
  s.name = r.identifier("name");
  check_key(key, qualified_key(s.schema, s.name), path);
  s.options = read_sequence_options(r.require("options"), r.path_of("options"));
  s.owned_by = r.string("owned_by");
  s.comment = r.optional_string("comment");
  s.grants = read_grants(r);
  s.owner = r.string("owner");
  s.location = r.location();
  r.finish();
  return s;
}

EnumType read_enum(const std::string& key, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  EnumType e;
  e.schema = r.identifier("schema");
  e.name = r.identifier("name");
  check_key(key, qualified_key(e.schema, e.name), path);
  e.values = r.required_strings("values");
  e.comment = r.optional_string("comment");
  e.owner = r.string("owner");
  e.location = r.location();
  r.finish();
  return e;
}

CompositeType read_composite(const std::string& key, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  CompositeType c;
  c.schema = r.identifier("schema");
  c.name = r.identifier("name");
  check_key(key, qualified_key(c.schema, c.name), path);
  each_element(&r.require("attributes"), r.path_of("attributes"),
               [&](const json& aj, const std::string& p) {
                 ObjectReader a(aj, p);
                 CompositeAttribute attribute;
                 attribute.name = a.identifier("name");
                 attribute.type = a.required_string("type");
                 attribute.collation = a.string("collation");
                 a.finish();
                 c.attributes.push_back(std::move(attribute));
               });
  c.comment = r.optional_string("comment");
  c.owner = r.string("owner");
  c.location = r.location();
  r.finish();
  return c;
}

Domain read_domain(const std::string& key, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Domain d;
  d.schema = r.identifier("schema");
  d.name = r.identifier("name");
  check_key(key, qualified_key(d.schema, d.name), path);
  d.base_type = r.required_string("base_type");
  d.collation = r.string("collation");
  d.not_null = r.boolean("not_null");
  d.default_expr = r.optional_string("default_expr");
  d.checks = read_map<Constraint>(r, "checks", read_constraint);
  d.comment = r.optional_string("comment");
  d.owner = r.string("owner");
  d.location = r.location();
  r.finish();
  return d;
}

Function read_function(const std::string& key, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Function f;
  f.schema = r.identifier("schema");
  f.name = r.identifier("name");
  f.procedure = r.boolean("procedure");
  each_element(r.find("arguments"), r.path_of("arguments"),
               [&](const json& aj, const std::string& p) {
                 ObjectReader a(aj, p);
                 FunctionArgument argument;
                 argument.mode = a.string("mode", "IN");
                 argument.name = a.string("name");
                 argument.type = a.required_string("type");
                 argument.default_expr = a.optional_string("default_expr");
                 a.finish();
                 f.arguments.push_back(std::move(argument));
               });
  check_key(key, function_key(f), path);
  f.returns = r.string("returns");
  f.language = r.required_string("language");
  f.body = r.required_string("body");
  f.sql_body = r.string("sql_body");
  f.volatility = r.string("volatility", "VOLATILE");
  f.strict = r.boolean("strict");
  f.security_definer = r.boolean("security_definer");
  f.leakproof = r.boolean("leakproof");
  f.parallel = r.string("parallel", "UNSAFE");
  f.cost = r.number("cost");
  f.rows = r.number("rows");
  f.config = r.string_map("config");
  f.comment = r.optional_string("comment");
  f.grants = read_grants(r);
  f.owner = r.string("owner");
  f.location = r.location();
  r.finish();
  return f;
}

Aggregate read_aggregate(const std::string& key, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Aggregate a;
  a.schema = r.identifier("schema");
  a.name = r.identifier("name");
  each_element(r.find("arguments"), r.path_of("arguments"),
               [&](const json& aj, const std::string& p) {
                 ObjectReader arg(aj, p);
                 FunctionArgument argument;
                 argument.mode = arg.string("mode", "IN");
                 argument.name = arg.string("name");
                 argument.type = arg.required_string("type");
                 arg.finish();
                 a.arguments.push_back(std::move(argument));
               });
  a.kind = r.string("kind", "normal");
  a.direct_arguments = static_cast<int>(r.optional_integer("direct_arguments"));
  check_key(key, aggregate_key(a), path);
  a.state_function = r.required_string("state_function");
  a.state_type = r.required_string("state_type");
  a.state_space = r.optional_integer("state_space");
  a.final_function = r.string("final_function");
  a.final_extra = r.boolean("final_extra");
  a.final_modify = r.string("final_modify", "READ_ONLY");
  a.combine_function = r.string("combine_function");
  a.serial_function = r.string("serial_function");
  a.deserial_function = r.string("deserial_function");
  a.initial_condition = r.optional_string("initial_condition");
  a.moving_state_function = r.string("moving_state_function");
  a.moving_inverse_function = r.string("moving_inverse_function");
  a.moving_state_type = r.string("moving_state_type");
  a.moving_state_space = r.optional_integer("moving_state_space");
  a.moving_final_function = r.string("moving_final_function");
  a.moving_final_extra = r.boolean("moving_final_extra");
  a.moving_final_modify = r.string("moving_final_modify", "READ_ONLY");
  a.moving_initial_condition = r.optional_string("moving_initial_condition");
  a.sort_operator = r.string("sort_operator");
  a.parallel = r.string("parallel", "UNSAFE");
  a.comment = r.optional_string("comment");
  a.grants = read_grants(r);
  a.location = r.location();
  r.finish();
  return a;
}

Collation read_collation(const std::string& key, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Collation c;
  c.schema = r.identifier("schema");
  c.name = r.identifier("name");
  check_key(key, qualified_key(c.schema, c.name), path);
  c.provider = r.string("provider", "libc");
  c.lc_collate = r.string("lc_collate");
  c.lc_ctype = r.string("lc_ctype");
  c.icu_locale = r.string("icu_locale");
  c.deterministic = r.boolean("deterministic", true);
  c.comment = r.optional_string("comment");
  c.location = r.location();
  r.finish();
  return c;
}

Extension read_extension(const std::string& name, const json& j, const std::string& path) {
  ObjectReader r(j, path);
  Extension e;
  e.name = name;
  e.schema = r.string("schema");
  e.version = r.string("version");
  e.comment = r.optional_string("comment");
  e.location = r.location();
  r.finish();
  return e;
}

Namespace read_namespace(const std::string& name, const json& j, const std::string& path) {
  check_identifier(name, path);
  ObjectReader r(j, path);
  Namespace n;
  n.name = name;
  n.comment = r.optional_string("comment");
  n.grants = read_grants(r);
  n.owner = r.string("owner");
  n.location = r.location();
  r.finish();
  return n;
}

DefaultPrivilege read_default_privilege(const std::string&, const json& j,
                                        const std::string& path) {
  ObjectReader r(j, path);
  DefaultPrivilege d;
  d.role = r.string("role");
  d.schema = r.string("schema");
  d.object_type = r.required_string("object_type");
  static const std::vector<std::string> kTypes = {"TABLES", "SEQUENCES", "FUNCTIONS", "TYPES",
                                                  "SCHEMAS"};
  if (std::find(kTypes.begin(), kTypes.end(), d.object_type) == kTypes.end())
    fail(r.path_of("object_type"), "expected TABLES, SEQUENCES, FUNCTIONS, TYPES or SCHEMAS");
  d.grants = read_grants(r);
  d.location = r.location();
  r.finish();
  return d;
}

}  // namespace

json model_to_json(const Model& model, bool with_provenance) {
  Writer w(with_provenance);
  json j = json::object();
  j["format"] = kFormatName;
  j["version"] = kFormatVersion;
  // Top-level sections are always present (possibly empty) so that consumers can rely on them.
  auto section = [&j](const char* key, const auto& items, auto&& f) {
    json out = json::object();
    for (const auto& [name, item] : items) out[name] = f(item);
    j[key] = std::move(out);
  };
  section("schemas", model.schemas, [&](const Namespace& n) { return w.name_space(n); });
  section("extensions", model.extensions, [&](const Extension& e) { return w.extension(e); });
  section("tables", model.tables, [&](const Table& t) { return w.table(t); });
  section("views", model.views, [&](const View& v) { return w.view(v); });
  section("sequences", model.sequences, [&](const Sequence& s) { return w.sequence(s); });
  section("enums", model.enums, [&](const EnumType& e) { return w.enum_type(e); });
  section("composite_types", model.composite_types,
          [&](const CompositeType& c) { return w.composite_type(c); });
  section("domains", model.domains, [&](const Domain& d) { return w.domain(d); });
  section("functions", model.functions, [&](const Function& f) { return w.function(f); });
  section("aggregates", model.aggregates, [&](const Aggregate& a) { return w.aggregate(a); });
  section("collations", model.collations, [&](const Collation& c) { return w.collation(c); });
  if (!model.default_privileges.empty())  // the one optional section: most models have none
    section("default_privileges", model.default_privileges,
            [&](const DefaultPrivilege& d) { return w.default_privilege(d); });
  return j;
}

json object_to_json(const Namespace& n) { return Writer(false, false).name_space(n); }
json object_to_json(const Extension& e) { return Writer(false, false).extension(e); }
json object_to_json(const Table& t) { return Writer(false, false).table(t); }
json object_to_json(const View& v) { return Writer(false, false).view(v); }
json object_to_json(const Sequence& s) { return Writer(false, false).sequence(s); }
json object_to_json(const EnumType& e) { return Writer(false, false).enum_type(e); }
json object_to_json(const CompositeType& c) { return Writer(false, false).composite_type(c); }
json object_to_json(const Domain& d) { return Writer(false, false).domain(d); }
json object_to_json(const Function& f) { return Writer(false, false).function(f); }
json object_to_json(const Aggregate& a) { return Writer(false, false).aggregate(a); }
json object_to_json(const Collation& c) { return Writer(false, false).collation(c); }
json object_to_json(const Column& c) { return Writer(false, false).column(c); }
json object_to_json(const Constraint& c) { return Writer(false, false).constraint(c); }
json object_to_json(const Index& i) { return Writer(false, false).index(i); }
json object_to_json(const Trigger& t) { return Writer(false, false).trigger(t); }
json object_to_json(const Policy& p) { return Writer(false, false).policy(p); }
json object_to_json(const std::vector<Grant>& grants) {
  return Writer(false, false).grants(grants);
}

namespace {

// Every type reference of `m` names a type (schema::undefined_type), checked once the whole
// model is read (a column may use a type that a later section defines); the first that does
// not fails with its JSON path.
void check_types(const Model& m) {
  auto check = [&](const std::string& path, const std::string& type) {
    const std::string why = undefined_type(m, type);
    if (!why.empty()) fail(path, why);
  };
  auto section = [](const char* name, const std::string& key) {
    return child_path(child_path("$", name), key);
  };
  auto arguments = [&](const std::string& path, const std::vector<FunctionArgument>& args) {
    for (size_t i = 0; i < args.size(); ++i)
      check(child_path(index_path(child_path(path, "arguments"), i), "type"), args[i].type);
  };
  for (const auto& [key, t] : m.tables) {
    const std::string columns = child_path(section("tables", key), "columns");
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const std::string column = index_path(columns, i);
      check(child_path(column, "type"), t.columns[i].type);
      if (const auto& identity = t.columns[i].identity_options)
        check(child_path(child_path(column, "identity_options"), "data_type"), identity->data_type);
    }
  }
  for (const auto& [key, s] : m.sequences)
    check(child_path(child_path(section("sequences", key), "options"), "data_type"),
          s.options.data_type);
  for (const auto& [key, c] : m.composite_types) {
    const std::string attributes = child_path(section("composite_types", key), "attributes");
    for (size_t i = 0; i < c.attributes.size(); ++i)
      check(child_path(index_path(attributes, i), "type"), c.attributes[i].type);
  }
  for (const auto& [key, d] : m.domains)
    check(child_path(section("domains", key), "base_type"), d.base_type);
  for (const auto& [key, f] : m.functions) {
    const std::string path = section("functions", key);
    arguments(path, f.arguments);
    // RETURNS TABLE (...): its columns are the TABLE arguments.
    if (!f.returns.empty() && f.returns.rfind("TABLE(", 0) != 0)
      check(child_path(path, "returns"), f.returns);
  }
  for (const auto& [key, a] : m.aggregates) {
    const std::string path = section("aggregates", key);
    arguments(path, a.arguments);
    check(child_path(path, "state_type"), a.state_type);
    if (!a.moving_state_type.empty())
      check(child_path(path, "moving_state_type"), a.moving_state_type);
  }
}

}  // namespace

Model model_from_json(const json& j, bool check_type_references) {
  ObjectReader r(j, "$");
  std::string format = r.required_string("format");
  if (format != kFormatName) {
    fail(r.path_of("format"),
         "expected \"" + std::string(kFormatName) + "\", got \"" + format + "\"");
  }
  const json& version = r.require("version");
  if (!version.is_number_integer() || version.get<int64_t>() != kFormatVersion) {
    fail(r.path_of("version"), "unsupported version " + version.dump() + " (this pgdrift reads " +
                                   std::to_string(kFormatVersion) + ")");
  }
  r.find("provenance");  // informational (written by `inspect --with-provenance`), not model
  Model m;
  m.schemas = read_map<Namespace>(r, "schemas", read_namespace);
  m.extensions = read_map<Extension>(r, "extensions", read_extension);
  m.tables = read_map<Table>(r, "tables", read_table);
  m.views = read_map<View>(r, "views", read_view);
  m.sequences = read_map<Sequence>(r, "sequences", read_sequence);
  m.enums = read_map<EnumType>(r, "enums", read_enum);
  m.composite_types = read_map<CompositeType>(r, "composite_types", read_composite);
  m.domains = read_map<Domain>(r, "domains", read_domain);
  m.functions = read_map<Function>(r, "functions", read_function);
  m.aggregates = read_map<Aggregate>(r, "aggregates", read_aggregate);
  m.collations = read_map<Collation>(r, "collations", read_collation);
  m.default_privileges =
      read_map<DefaultPrivilege>(r, "default_privileges", read_default_privilege);
  for (const auto& [key, d] : m.default_privileges)
    if (key != default_privilege_key(d.role, d.schema, d.object_type))
      fail(r.path_of("default_privileges") + "." + key,
           "the key must be \"" + default_privilege_key(d.role, d.schema, d.object_type) + "\"");
  r.finish();
  if (check_type_references) check_types(m);
  return m;
}

std::string dump_model_json(const Model& model, bool with_provenance) {
  return model_to_json(model, with_provenance).dump(2) + "\n";
}

namespace {

// "FILE:LINE:COLUMN" of a byte offset of `text`.
std::string json_place(const std::string& text, size_t offset, const std::string& filename) {
  offset = std::min(offset, text.size());
  int line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return filename + ":" + std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

json parse_json_text(const std::string& text, const std::string& filename) {
  // Nesting first, in one pass over the text (strings skipped); what does not parse is left to
  // the parser's message.
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        throw std::runtime_error(json_place(text, i, filename) +
                                 ": JSON nested too deeply: more than " +
                                 std::to_string(kMaxJsonDepth) + " levels of arrays and objects");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 3: syntax error ...":
    // the place goes in front, as with every other reader.
    std::string message = e.what();
    size_t column = message.find(", column ");
    size_t colon = column == std::string::npos ? column : message.find(": ", column);
    if (colon != std::string::npos) message = message.substr(colon + 2);
    size_t at = e.byte > 0 ? e.byte - 1 : 0;
    throw std::runtime_error(json_place(text, at, filename) + ": not valid JSON: " + message);
  }
}

Model load_model_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  json j = parse_json_text(buffer.str(), path);
  try {
    return model_from_json(j);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace pgdrift::schema
