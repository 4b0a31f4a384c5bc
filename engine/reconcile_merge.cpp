// The merge of replayed histories into one target: take / merge / conflict per object, then
// resolutions, the --prefer-safer rules (engine/reconcile_rules.cpp) and --prefer, the
// foreign-key check and the consistency pass (engine/reconcile.h, docs/reconcile.md).
#include "engine/reconcile.h"

#include <algorithm>
#include <optional>
#include <set>

#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::engine {

using schema::Model;
using schema::quote_ident;

std::string describe_origin(const Origin& origin) {
  std::string out = origin.history;
  if (!origin.migration.empty()) out += " " + origin.migration;
  const auto& loc = origin.location;
  std::string at =
      loc.file.empty() ? "" : loc.file + (loc.line > 0 ? ":" + std::to_string(loc.line) : "");
  if (origin.migration_file.empty() || origin.migration_file == loc.file) {
    if (!at.empty()) out += " (" + at + ")";
  } else {
    // Changed by a later migration than the one that defined it: name both.
    out += " (" + origin.migration_file + (at.empty() ? "" : "; defined at " + at) + ")";
  }
  return out;
}

std::string describe_aspect_origin(const AspectOrigin& origin) {
  std::string out = origin.aspect + ":";
  out += origin.migration.empty() ? " (unknown)" : " " + origin.migration;
  if (!origin.where.file.empty())
    out += " (" + origin.where.file +
           (origin.where.line > 0 ? ":" + std::to_string(origin.where.line) : "") + ")";
  return out;
}

size_t ReconcileResult::unresolved() const {
  return std::count_if(conflicts.begin(), conflicts.end(),
                       [](const Conflict& c) { return !c.resolved; });
}

namespace {

// One object as held by the histories that hold it.
template <class T>
struct Candidates {
  std::vector<int> holders;  // history indexes
  std::vector<const T*> values;
};

// What settle() decided for one object.
template <class T>
struct Settled {
  std::optional<T> value;  // nullopt: omitted (resolution "omit")
};

// The comment rule works on every object kind with an optional comment.
template <class T>
RuleDecision comment_rule(const T& a, const T& b) {
  T x = a, y = b;
  x.comment.reset();
  y.comment.reset();
  return comment_only(x == y, a.comment.has_value(), b.comment.has_value());
}

std::string with_comment(std::string ddl, const std::string& what,
                         const std::optional<std::string>& comment) {
  if (comment) ddl += "\n" + schema::render_comment(what, comment);
  return ddl;
}

// Types whose values PostgreSQL can compare in a foreign key (same btree operator family).
std::string type_family(const std::string& type) {
  if (type.ends_with("[]")) return type;
  std::string base = type.substr(0, type.find('('));
  if (is_text_like_type(type)) return "text";
  if (base == "smallint" || base == "integer" || base == "bigint") return "integer";
  if (base == "timestamp with time zone" || base == "timestamp without time zone" || base == "date")
    return "datetime";
  return base;
}

// One object of a model, as a conflict key names it.
struct ObjectRef {
  std::string kind;   // column, constraint, index, trigger, policy, table, or a top-level kind
  std::string table;  // table key for members
  std::string name;   // member name, or the top-level map key
};

// The one spelling of conflict keys (Conflict::key): "schema s", "extension e", "public.t"
// (tables, views, types, ...), "public.t.\"Col\"" (columns), "public.t index i" (members).
std::string key_of(const ObjectRef& ref) {
  if (ref.table.empty())
    return ref.kind == "schema" || ref.kind == "extension" ? ref.kind + " " + ref.name : ref.name;
  if (ref.kind == "column") return ref.table + "." + quote_ident(ref.name);
  return ref.table + " " + ref.kind + " " + ref.name;
}

// Calls f(kind, member) for every top-level map of a Model.
template <class F>
void for_each_top_map(F&& f) {
  f("schema", &Model::schemas);
  f("extension", &Model::extensions);
  f("enum", &Model::enums);
  f("composite type", &Model::composite_types);
  f("domain", &Model::domains);
  f("sequence", &Model::sequences);
  f("function", &Model::functions);
  f("aggregate", &Model::aggregates);
  f("collation", &Model::collations);
  f("view", &Model::views);
  f("table", &Model::tables);
}

// Calls f(map) with the model's map for a top-level kind.
template <class M, class F>
bool with_top_map(M& m, const std::string& kind, F&& f) {
  bool found = false;
  for_each_top_map([&](const std::string& k, auto member) {
    if (k != kind) return;
    f(m.*member);
    found = true;
  });
  return found;
}

// The object `key` names in the first history that has one.
std::optional<ObjectRef> find_object(const std::vector<NamedHistory>& histories,
                                     const std::string& key) {
  for (const auto& h : histories) {
    std::optional<ObjectRef> found;
    auto consider = [&](ObjectRef ref) {
      if (!found && key_of(ref) == key) found = std::move(ref);
    };
    for_each_top_map([&](const std::string& kind, auto member) {
      for (const auto& [k, v] : h.model.*member) consider({kind, "", k});
    });
    for (const auto& [k, t] : h.model.tables) {
      for (const auto& c : t.columns) consider({"column", k, c.name});
      for (const auto& [n, v] : t.constraints) consider({"constraint", k, n});
      for (const auto& [n, v] : t.indexes) consider({"index", k, n});
      for (const auto& [n, v] : t.triggers) consider({"trigger", k, n});
      for (const auto& [n, v] : t.policies) consider({"policy", k, n});
    }
    if (found) return found;
  }
  return std::nullopt;
}

// Removes one object from a model (a table's members go with it).
void erase_object(Model& m, const ObjectRef& ref) {
  if (ref.table.empty()) {
    with_top_map(m, ref.kind, [&](auto& map) { map.erase(ref.name); });
    return;
  }
  auto t = m.tables.find(ref.table);
  if (t == m.tables.end()) return;
  auto& columns = t->second.columns;
  if (ref.kind == "column")
    columns.erase(std::remove_if(columns.begin(), columns.end(),
                                 [&](const schema::Column& c) { return c.name == ref.name; }),
                  columns.end());
  if (ref.kind == "constraint") t->second.constraints.erase(ref.name);
  if (ref.kind == "index") t->second.indexes.erase(ref.name);
  if (ref.kind == "trigger") t->second.triggers.erase(ref.name);
  if (ref.kind == "policy") t->second.policies.erase(ref.name);
}

class Reconciler {
 public:
  Reconciler(const std::vector<NamedHistory>& histories, const ReconcileOptions& options)
      : histories_(histories), options_(options) {
    std::set<std::string> names;
    for (const auto& h : histories) {
      if (h.name.empty()) throw ReconcileError("every history needs a name");
      if (!names.insert(h.name).second) throw ReconcileError("history named twice: " + h.name);
    }
    if (!options.prefer.empty() && !names.count(options.prefer))
      throw ReconcileError("--prefer " + options.prefer + ": no history of that name");
    for (const auto& r : options.resolutions) {
      if (!r.take.empty() && !names.count(r.take))
        throw ReconcileError(r.where + ": no history named " + r.take);
      if (!by_key_.emplace(r.key, &r).second)
        throw ReconcileError(r.where + ": second resolution for " + r.key);
    }
  }

  ReconcileResult run() {
    merge_top("schema", &Model::schemas, [](const schema::Namespace& n) {
      return with_comment(schema::render_create_schema(n), "SCHEMA " + quote_ident(n.name),
                          n.comment);
    });
    merge_top("extension", &Model::extensions,
              [](const schema::Extension& e) { return schema::render_create_extension(e); });
    merge_top("enum", &Model::enums,
              [](const schema::EnumType& e) { return schema::render_create_enum(e); });
    merge_top("composite type", &Model::composite_types, [](const schema::CompositeType& t) {
      return schema::render_create_composite_type(t);
    });
    merge_top("domain", &Model::domains,
              [](const schema::Domain& d) { return schema::render_create_domain(d); });
    merge_top("sequence", &Model::sequences,
              [](const schema::Sequence& s) { return schema::render_create_sequence(s); });
    merge_top("function", &Model::functions,
              [](const schema::Function& f) { return schema::render_create_function(f); });
    merge_top("aggregate", &Model::aggregates,
              [](const schema::Aggregate& a) { return schema::render_create_aggregate(a); });
    merge_top("collation", &Model::collations,
              [](const schema::Collation& c) { return schema::render_create_collation(c); });
    merge_top("view", &Model::views,
              [](const schema::View& v) { return schema::render_create_view(v); });
    std::set<std::string> table_keys;
    for (const auto& h : histories_)
      for (const auto& [k, t] : h.model.tables) table_keys.insert(k);
    for (const auto& k : table_keys) merge_table(k);

    for (const auto& p : pending_sql_) apply_sql_resolution(p);
    check_foreign_keys();
    drop_orphan_serial_sequences();
    harmonise();
    for (const auto& r : options_.resolutions)
      if (!used_.count(r.key))
        throw ReconcileError(r.where + ": " + r.key +
                             " is not a conflict (keys are listed in the report)");
    return std::move(result_);
  }

 private:
  const std::vector<NamedHistory>& histories_;
  const ReconcileOptions& options_;
  std::map<std::string, const Resolution*> by_key_;
  std::set<std::string> used_;
  ReconcileResult result_;
  struct PendingSql {
    const Resolution* resolution;
    ObjectRef ref;
    size_t conflict;
  };
  std::vector<PendingSql> pending_sql_;
  // Column conflicts, for the foreign-key pass: key -> (conflict index, values per side).
  struct ColumnConflict {
    size_t conflict;
    ObjectRef ref;
    std::vector<schema::Column> values;
  };
  std::map<std::string, ColumnConflict> column_conflicts_;

  Origin origin(int h, const std::string& key, const schema::SourceLocation& location) const {
    const NamedHistory& history = histories_[h];
    Origin o{history.name, "", "", location};
    auto it = history.last_changed_by.find(key);
    if (it != history.last_changed_by.end()) {
      o.migration = it->second;
      auto f = history.migration_files.find(it->second);
      if (f != history.migration_files.end()) o.migration_file = f->second;
    }
    return o;
  }

  // Where history `h` last set each of `aspects` of column `key`.
  std::vector<AspectOrigin> aspect_origins(int h, const std::string& key,
                                           const std::vector<std::string>& aspects) const {
    const NamedHistory& history = histories_[h];
    auto column = history.column_aspects.find(key);
    std::vector<AspectOrigin> out;
    for (const auto& aspect : aspects) {
      AspectOrigin o{aspect, "", {}};
      if (column != history.column_aspects.end())
        if (auto it = column->second.find(aspect); it != column->second.end()) {
          o.migration = it->second.migration;
          o.where = it->second.where;
        }
      out.push_back(std::move(o));
    }
    return out;
  }

  // The heart of it: take / merge / conflict for one object held by `c.holders`.
  template <class T, class Render, class Rule>
  std::optional<T> settle(const std::string& key, const ObjectRef& ref, const Candidates<T>& c,
                          Render render, Rule rule) {
    auto& prov = result_.provenance[key];
    bool all_equal = std::all_of(c.values.begin(), c.values.end(),
                                 [&](const T* v) { return *v == *c.values[0]; });
    if (all_equal) {
      for (size_t i = 0; i < c.holders.size(); ++i)
        prov.push_back(origin(c.holders[i], key, c.values[i]->location));
      return *c.values[0];
    }
    Conflict conflict;
    conflict.key = key;
    conflict.object_kind = ref.kind;
    for (size_t i = 0; i < c.holders.size(); ++i) {
      Origin o = origin(c.holders[i], key, c.values[i]->location);
      conflict.sides.push_back({histories_[c.holders[i]].name, render(*c.values[i]), o});
    }
    if constexpr (std::is_same_v<T, schema::Column>) {
      std::set<std::string> seen;
      for (size_t i = 1; i < c.values.size(); ++i)
        for (const auto& a : schema::differing_column_aspects(*c.values[0], *c.values[i]))
          if (seen.insert(a).second) conflict.aspects.push_back(a);
      for (size_t i = 0; i < c.holders.size(); ++i)
        conflict.sides[i].aspects = aspect_origins(c.holders[i], key, conflict.aspects);
    }
    int chosen = -1;        // index into holders; -2 = omit; -3 = SQL (pending)
    int comment_from = -1;  // index into holders: the comment rule kept this side's comment
    if (auto r = by_key_.find(key); r != by_key_.end()) {
      used_.insert(key);
      const Resolution& res = *r->second;
      if (res.omit) {
        chosen = -2;
        conflict.taken = "omit";
      } else if (!res.sql.empty()) {
        chosen = -3;
        conflict.taken = "sql";
      } else {
        for (size_t i = 0; i < c.holders.size(); ++i)
          if (histories_[c.holders[i]].name == res.take) chosen = static_cast<int>(i);
        if (chosen < 0)
          throw ReconcileError(res.where + ": " + res.take + " has no definition of " + key);
      }
      conflict.resolution = "resolutions file (" + res.where + ")";
    }
    if (chosen == -1 && options_.prefer_safer) {
      // Rules compare two definitions: they apply when the histories hold exactly two.
      std::vector<size_t> distinct;
      for (size_t i = 0; i < c.values.size(); ++i)
        if (std::none_of(distinct.begin(), distinct.end(),
                         [&](size_t d) { return *c.values[d] == *c.values[i]; }))
          distinct.push_back(i);
      if (distinct.size() == 2) {
        RuleDecision d = rule(*c.values[distinct[0]], *c.values[distinct[1]]);
        if (d.decided) {
          chosen = static_cast<int>(distinct[d.side]);
          conflict.resolution = "prefer-safer: " + d.reason;
          if (d.keep_other_comment) comment_from = static_cast<int>(distinct[1 - d.side]);
        }
      }
    }
    if (chosen == -1 && !options_.prefer.empty()) {
      for (size_t i = 0; i < c.holders.size(); ++i)
        if (histories_[c.holders[i]].name == options_.prefer) {
          chosen = static_cast<int>(i);
          conflict.resolution = "--prefer " + options_.prefer;
        }
    }
    size_t index = result_.conflicts.size();
    if constexpr (std::is_same_v<T, schema::Column>) {
      ColumnConflict cc{index, ref, {}};
      for (const auto* v : c.values) cc.values.push_back(*v);
      column_conflicts_[key] = std::move(cc);
    }
    conflict.resolved = chosen != -1;
    if (chosen >= 0) conflict.taken = histories_[c.holders[chosen]].name;
    result_.conflicts.push_back(std::move(conflict));
    if (chosen == -2) {
      result_.provenance.erase(key);
      return std::nullopt;
    }
    if (chosen == -3) pending_sql_.push_back({by_key_[key], ref, index});
    // Unresolved and SQL: the first side stands in (an unresolved target is never written).
    int from = chosen >= 0 ? chosen : 0;
    for (size_t i = 0; i < c.holders.size(); ++i)
      if (*c.values[i] == *c.values[from])
        prov.push_back(origin(c.holders[i], key, c.values[i]->location));
    if constexpr (std::is_same_v<T, schema::Column>) {
      if (comment_from >= 0) {
        // The type came from one side, the comment from the other (comment over none).
        T merged = *c.values[from];
        merged.comment = c.values[comment_from]->comment;
        prov.push_back(origin(c.holders[comment_from], key, c.values[comment_from]->location));
        return merged;
      }
    }
    return *c.values[from];
  }

  template <class T, class Render>
  void merge_top(const std::string& kind, std::map<std::string, T> Model::*member, Render render) {
    std::set<std::string> keys;
    for (const auto& h : histories_)
      for (const auto& [k, v] : h.model.*member) keys.insert(k);
    for (const auto& k : keys) {
      Candidates<T> c;
      for (size_t i = 0; i < histories_.size(); ++i) {
        auto it = (histories_[i].model.*member).find(k);
        if (it != (histories_[i].model.*member).end()) {
          c.holders.push_back(static_cast<int>(i));
          c.values.push_back(&it->second);
        }
      }
      ObjectRef ref{kind, "", k};
      auto value = settle(key_of(ref), ref, c, render,
                          [](const T& a, const T& b) { return comment_rule(a, b); });
      if (value) (result_.target.*member)[k] = std::move(*value);
    }
  }

  // Members of one kind (constraints, indexes, ...) of a table held by several histories.
  template <class T, class Render>
  std::map<std::string, T> merge_members(const std::string& table_key, const std::string& kind,
                                         const std::vector<const schema::Table*>& tables,
                                         const std::vector<int>& holders,
                                         std::map<std::string, T> schema::Table::*member,
                                         Render render) {
    std::set<std::string> names;
    for (const auto* t : tables)
      for (const auto& [n, v] : t->*member) names.insert(n);
    std::map<std::string, T> out;
    for (const auto& n : names) {
      Candidates<T> c;
      for (size_t i = 0; i < tables.size(); ++i) {
        auto it = (tables[i]->*member).find(n);
        if (it != (tables[i]->*member).end()) {
          c.holders.push_back(holders[i]);
          c.values.push_back(&it->second);
        }
      }
      ObjectRef ref{kind, table_key, n};
      std::string key = key_of(ref);
      auto value =
          settle(key, ref, c, render, [](const T& a, const T& b) { return comment_rule(a, b); });
      // Constraints and indexes that some of the table's histories lack are a conflict of
      // their own: "absent" is a definition too (a history may have left a foreign key out on
      // purpose). Triggers and policies in one history only are taken, like columns.
      bool presence_matters = kind == "constraint" || kind == "index";
      if (value && presence_matters && c.holders.size() < holders.size()) {
        const T& present = *value;
        bool fk = false;
        if constexpr (std::is_same_v<T, schema::Constraint>)
          fk = present.kind == schema::ConstraintKind::ForeignKey;
        std::string rule = fk                     ? "foreign key over none"
                           : kind == "constraint" ? "union of constraints"
                                                  : "union of indexes";
        if (!keep_present(key, kind, table_key, n, tables, holders, c.holders, render(present),
                          rule))
          value.reset();
      }
      if (value) out[n] = std::move(*value);
    }
    return out;
  }

  // Present in some of the table's histories, absent in others: decide whether to keep it.
  bool keep_present(const std::string& key, const std::string& kind, const std::string& table_key,
                    const std::string& name, const std::vector<const schema::Table*>& tables,
                    const std::vector<int>& table_holders, const std::vector<int>& present,
                    const std::string& ddl, const std::string& rule) {
    Conflict conflict;
    conflict.key = key;
    conflict.object_kind = kind;
    std::string in, out;
    for (size_t i = 0; i < table_holders.size(); ++i) {
      int h = table_holders[i];
      bool has = std::find(present.begin(), present.end(), h) != present.end();
      (has ? in : out) += (((has ? in : out).empty()) ? "" : ", ") + histories_[h].name;
      Origin o = has ? result_.provenance[key].empty() ? Origin{histories_[h].name, "", "", {}}
                                                       : result_.provenance[key].front()
                     : origin(h, table_key, tables[i]->location);
      if (has)
        for (const auto& p : result_.provenance[key])
          if (p.history == histories_[h].name) o = p;
      conflict.sides.push_back({histories_[h].name, has ? ddl : "(absent)", o});
    }
    conflict.aspects = {"only in " + in, "absent in " + out};
    int keep = -1;  // 1 keep, 0 leave out
    auto holds = [&](const std::string& name) {
      for (int h : table_holders)
        if (histories_[h].name == name) return true;
      return false;
    };
    auto present_in = [&](const std::string& name) {
      for (int h : present)
        if (histories_[h].name == name) return true;
      return false;
    };
    if (auto r = by_key_.find(key); r != by_key_.end()) {
      used_.insert(key);
      const Resolution& res = *r->second;
      conflict.resolution = "resolutions file (" + res.where + ")";
      if (res.omit) {
        keep = 0;
      } else if (!res.sql.empty()) {
        keep = 1;  // the SQL replaces the definition (settle() queued it only if it conflicted)
        pending_sql_.push_back({&res, ObjectRef{kind, table_key, name}, result_.conflicts.size()});
        conflict.taken = "sql";
      } else {
        if (!holds(res.take))
          throw ReconcileError(res.where + ": " + res.take + " has no table " + table_key);
        keep = present_in(res.take) ? 1 : 0;
        conflict.taken = res.take;
      }
    }
    if (keep == -1 && options_.prefer_safer) {
      keep = 1;
      conflict.resolution = "prefer-safer: " + rule;
      conflict.taken = histories_[present.front()].name;
    }
    if (keep == -1 && !options_.prefer.empty() && holds(options_.prefer)) {
      keep = present_in(options_.prefer) ? 1 : 0;
      conflict.resolution = "--prefer " + options_.prefer;
      conflict.taken = options_.prefer;
    }
    conflict.resolved = keep != -1;
    if (keep == 0 && conflict.taken.empty()) conflict.taken = "omit";
    result_.conflicts.push_back(std::move(conflict));
    if (keep == 0) result_.provenance.erase(key);
    return keep != 0;
  }

  void merge_table(const std::string& key) {
    std::vector<int> holders;
    std::vector<const schema::Table*> tables;
    for (size_t i = 0; i < histories_.size(); ++i) {
      auto it = histories_[i].model.tables.find(key);
      if (it != histories_[i].model.tables.end()) {
        holders.push_back(static_cast<int>(i));
        tables.push_back(&it->second);
      }
    }
    // Table-level attributes (comment, options, partitioning, RLS, ...) without the members.
    std::vector<schema::Table> shells;
    for (const auto* t : tables) {
      schema::Table s = *t;
      s.columns.clear();
      s.constraints.clear();
      s.indexes.clear();
      s.triggers.clear();
      s.policies.clear();
      shells.push_back(std::move(s));
    }
    Candidates<schema::Table> shell_candidates{holders, {}};
    for (const auto& s : shells) shell_candidates.values.push_back(&s);
    auto render_shell = [&](const schema::Table& t) {
      std::string ddl = schema::render_create_table(t, false);
      // The members are compared one by one: show the table-level part only.
      if (auto open = ddl.find("(\n"); open != std::string::npos) {
        auto close = ddl.find(')', open);
        if (close != std::string::npos) ddl.replace(open, close - open + 1, "(...)");
      }
      return with_comment(ddl, "TABLE " + key, t.comment);
    };
    auto table =
        settle(key, ObjectRef{"table", "", key}, shell_candidates, render_shell,
               [](const schema::Table& a, const schema::Table& b) { return comment_rule(a, b); });
    if (!table) return;  // omitted
    // Columns in the first holder's order, then those only later histories have.
    std::vector<std::string> names;
    for (const auto* t : tables)
      for (const auto& col : t->columns)
        if (std::find(names.begin(), names.end(), col.name) == names.end())
          names.push_back(col.name);
    for (const auto& n : names) {
      Candidates<schema::Column> c;
      for (size_t i = 0; i < tables.size(); ++i)
        if (const auto* col = tables[i]->find_column(n)) {
          c.holders.push_back(holders[i]);
          c.values.push_back(col);
        }
      ObjectRef ref{"column", key, n};
      auto column = settle(
          key_of(ref), ref, c,
          [&](const schema::Column& col) {
            return with_comment(schema::render_column_definition(col),
                                "COLUMN " + key + "." + quote_ident(col.name), col.comment);
          },
          safer_column);
      if (column) table->columns.push_back(std::move(*column));
    }
    table->constraints = merge_members<schema::Constraint>(
        key, "constraint", tables, holders, &schema::Table::constraints,
        [&](const schema::Constraint& c) { return schema::render_add_constraint(key, c); });
    table->indexes = merge_members<schema::Index>(
        key, "index", tables, holders, &schema::Table::indexes, [&](const schema::Index& i) {
          return schema::render_create_index(table->schema, table->name, i);
        });
    table->triggers = merge_members<schema::Trigger>(
        key, "trigger", tables, holders, &schema::Table::triggers,
        [&](const schema::Trigger& t) { return schema::render_create_trigger(key, t); });
    table->policies = merge_members<schema::Policy>(
        key, "policy", tables, holders, &schema::Table::policies,
        [&](const schema::Policy& p) { return schema::render_create_policy(key, p); });
    result_.target.tables[key] = std::move(*table);
  }

  // ---- SQL resolutions ------------------------------------------------------------------
  // The caller loaded the SQL into definition_context(key) (Resolution::definition): the
  // engine only copies the object the key names from that model into the target.
  void apply_sql_resolution(const PendingSql& p) {
    const Resolution& r = *p.resolution;
    const ObjectRef& ref = p.ref;
    bool member = !ref.table.empty();
    if (!r.definition)
      throw ReconcileError(r.where + ": SQL for " + r.key +
                           " was not loaded (Resolution::definition is empty)");
    const Model& defined = *r.definition;
    auto missing = [&]() {
      return ReconcileError(r.where + ": SQL for " + r.key + " does not define " + ref.kind + " " +
                            ref.name);
    };
    if (member) {
      auto defined_table = defined.tables.find(ref.table);
      if (defined_table == defined.tables.end()) throw missing();
      const auto& from = defined_table->second;
      auto& to = result_.target.tables.at(ref.table);
      if (ref.kind == "column") {
        const auto* col = from.find_column(ref.name);
        if (!col) throw missing();
        auto it = std::find_if(to.columns.begin(), to.columns.end(),
                               [&](const schema::Column& c) { return c.name == ref.name; });
        *it = *col;
      } else {
        auto move_member = [&](auto& src, auto& dst) {
          auto it = src.find(ref.name);
          if (it == src.end()) throw missing();
          dst[ref.name] = it->second;
        };
        if (ref.kind == "constraint") move_member(from.constraints, to.constraints);
        if (ref.kind == "index") move_member(from.indexes, to.indexes);
        if (ref.kind == "trigger") move_member(from.triggers, to.triggers);
        if (ref.kind == "policy") move_member(from.policies, to.policies);
      }
    } else {
      Model& target = result_.target;
      with_top_map(defined, ref.kind, [&](auto& m) {
        auto it = m.find(ref.name);
        if (it == m.end()) throw missing();
        with_top_map(target, ref.kind, [&](auto& dst) {
          using Map = std::decay_t<decltype(dst)>;
          if constexpr (std::is_same_v<Map, std::decay_t<decltype(m)>>) dst[ref.name] = it->second;
        });
      });
    }
    result_.provenance[r.key] = {Origin{"resolutions", "", "", schema::SourceLocation{r.where, 0}}};
  }

  // ---- foreign keys must still hold in the target ----------------------------------------
  const schema::Column* target_column(const std::string& table, const std::string& column) {
    auto t = result_.target.tables.find(table);
    return t == result_.target.tables.end() ? nullptr : t->second.find_column(column);
  }

  // Switch a column conflict to its uuid definition (prefer-safer: the FK partner is uuid).
  bool take_uuid(const std::string& column_key, const std::string& why) {
    auto it = column_conflicts_.find(column_key);
    if (it == column_conflicts_.end()) return false;
    Conflict& c = result_.conflicts[it->second.conflict];
    if (c.taken == "sql" || c.taken == "omit" || c.resolution.starts_with("resolutions file"))
      return false;  // an explicit decision is never overridden
    for (size_t i = 0; i < it->second.values.size(); ++i) {
      if (it->second.values[i].type != "uuid") continue;
      schema::Table& t = result_.target.tables.at(it->second.ref.table);
      auto col = std::find_if(t.columns.begin(), t.columns.end(), [&](const schema::Column& x) {
        return x.name == it->second.ref.name;
      });
      if (col == t.columns.end()) return false;
      *col = it->second.values[i];
      c.resolved = true;
      c.taken = c.sides[i].history;
      c.resolution = "prefer-safer: uuid to match " + why;
      result_.provenance[column_key] = {c.sides[i].origin};
      return true;
    }
    return false;
  }

  void check_foreign_keys() {
    for (int round = 0; round < 3; ++round) {  // a switch can make another FK consistent
      bool switched = false;
      for (auto& [tkey, table] : result_.target.tables) {
        for (auto& [cname, con] : table.constraints) {
          if (con.kind != schema::ConstraintKind::ForeignKey || !con.foreign_key) continue;
          const auto& fk = *con.foreign_key;
          for (size_t i = 0; i < con.columns.size() && i < fk.ref_columns.size(); ++i) {
            const auto* local = target_column(tkey, con.columns[i]);
            const auto* ref = target_column(fk.ref_table, fk.ref_columns[i]);
            if (!local || !ref || type_family(local->type) == type_family(ref->type)) continue;
            if (!options_.prefer_safer) continue;
            std::string local_key = tkey + "." + quote_ident(con.columns[i]);
            std::string ref_key = fk.ref_table + "." + quote_ident(fk.ref_columns[i]);
            std::string why = "foreign key " + cname + " on " + tkey;
            if (local->type == "uuid")
              switched |= take_uuid(ref_key, why);
            else if (ref->type == "uuid")
              switched |= take_uuid(local_key, why);
          }
        }
      }
      if (!switched) break;
    }
    // Whatever still does not fit is a conflict nobody decided.
    for (auto& [tkey, table] : result_.target.tables) {
      for (auto& [cname, con] : table.constraints) {
        if (con.kind != schema::ConstraintKind::ForeignKey || !con.foreign_key) continue;
        const auto& fk = *con.foreign_key;
        std::string problem;
        if (!result_.target.tables.count(fk.ref_table))
          problem = "references " + fk.ref_table + ", which is not in the target";
        for (size_t i = 0; problem.empty() && i < con.columns.size(); ++i) {
          const auto* local = target_column(tkey, con.columns[i]);
          const auto* ref =
              i < fk.ref_columns.size() ? target_column(fk.ref_table, fk.ref_columns[i]) : nullptr;
          if (!local || !ref)
            problem = "a column of the foreign key is not in the target";
          else if (type_family(local->type) != type_family(ref->type))
            problem = "column types differ: " + tkey + "." + quote_ident(local->name) + " " +
                      local->type + " vs " + fk.ref_table + "." + quote_ident(ref->name) + " " +
                      ref->type;
        }
        if (problem.empty()) continue;
        std::string key = tkey + " constraint " + cname;
        Conflict c;
        c.key = key;
        c.object_kind = "foreign key";
        c.aspects = {problem};
        auto prov = result_.provenance.find(key);
        Origin o = prov != result_.provenance.end() && !prov->second.empty() ? prov->second.front()
                                                                             : Origin{};
        c.sides.push_back({o.history, schema::render_add_constraint(tkey, con), o});
        c.resolution = "unresolved: " + problem + " (resolve the column conflict, or omit " +
                       "the constraint in a resolutions file)";
        result_.conflicts.push_back(std::move(c));
      }
    }
  }

  // The consistency pass (ReconcileResult::findings). Runs after the conflicts are settled, so
  // it sees the types the rules chose (numeric(12,2) money, uuid user ids) and carries them to
  // the tables only one history defines.
  void harmonise() {
    LintOptions only;
    for (const auto& r : lint_rules())
      if (!consistency_rules().count(r.name)) only.disabled.insert(r.name);
    auto findings = lint_model(result_.target, only);
    if (options_.prefer_safer) {
      result_.harmonised =
          apply_lint_fixes(result_.target, findings, {kRuleMoneyAsFloat, kRuleMissingForeignKey});
      for (const auto& fix : result_.harmonised) {
        Origin rule{"prefer-safer", fix.rule, "", {}};
        for (const auto& key : fix.changed_keys) result_.provenance[key].push_back(rule);
      }
      // What is left: findings the fixes did not settle (a later lint sees the fixed model).
      findings = lint_model(result_.target, only);
    }
    result_.findings = std::move(findings);
  }

  // A serial's sequence follows its column: when the column's definition was taken from a
  // history where it is not a serial, the sequence is left out (it would own nothing).
  void drop_orphan_serial_sequences() {
    for (auto it = result_.target.sequences.begin(); it != result_.target.sequences.end();) {
      const auto& seq = it->second;
      bool drop = false;
      auto owner = column_conflicts_.find(seq.owned_by);
      bool owner_undecided =
          owner != column_conflicts_.end() && !result_.conflicts[owner->second.conflict].resolved;
      if (!seq.owned_by.empty() && !owner_undecided) {
        // owned_by is "<table key>.<quoted column>"; find the column by its quoted name.
        auto [table_key, quoted] = schema::split_owned_by(seq.owned_by);
        auto t = result_.target.tables.find(table_key);
        if (t != result_.target.tables.end()) {
          for (const auto& col : t->second.columns) {
            if (quote_ident(col.name) != quoted) continue;
            drop = !col.default_expr || col.default_expr->find(seq.name) == std::string::npos;
          }
        }
      }
      if (drop) {
        result_.notes.push_back("sequence " + it->first + " left out: its column " + seq.owned_by +
                                " was taken from a history where it is not a " + "serial");
        result_.provenance.erase(it->first);
        it = result_.target.sequences.erase(it);
      } else {
        ++it;
      }
    }
  }
};

}  // namespace

const std::set<std::string>& consistency_rules() {
  static const std::set<std::string> rules = {kRuleMoneyAsFloat, kRuleMissingForeignKey,
                                              kRuleInconsistentIdType, kRuleForeignKeyTypeMismatch};
  return rules;
}

std::optional<schema::Model> definition_context(const std::vector<NamedHistory>& histories,
                                                const std::string& key) {
  auto ref = find_object(histories, key);
  if (!ref) return std::nullopt;
  // Every object of every history, the first history's definition where they differ; a table
  // held by several histories gets the members the later ones add.
  Model context;
  for (const auto& h : histories) {
    for_each_top_map([&](const std::string&, auto member) {
      for (const auto& [k, v] : h.model.*member) (context.*member).emplace(k, v);
    });
    for (const auto& [k, theirs] : h.model.tables) {
      schema::Table& t = context.tables.at(k);
      for (const auto& c : theirs.columns)
        if (!t.find_column(c.name)) t.columns.push_back(c);
      t.constraints.insert(theirs.constraints.begin(), theirs.constraints.end());
      t.indexes.insert(theirs.indexes.begin(), theirs.indexes.end());
      t.triggers.insert(theirs.triggers.begin(), theirs.triggers.end());
      t.policies.insert(theirs.policies.begin(), theirs.policies.end());
    }
  }
  erase_object(context, *ref);
  return context;
}

ReconcileResult reconcile(const std::vector<NamedHistory>& histories,
                          const ReconcileOptions& options) {
  return Reconciler(histories, options).run();
}

}  // namespace pgdrift::engine
