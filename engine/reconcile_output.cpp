// The reconciled target as a declarative schema directory (engine/reconcile.h). Each object is
// rendered on its own through schema::render_model_sql of a one-object model, so the DDL is
// exactly the canonical DDL `inspect --format sql` writes, preceded by its provenance.
#include <functional>
#include <set>
#include <sstream>

#include "engine/reconcile.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::engine {

namespace {

using schema::Model;

// render_model_sql starts with a banner and puts "\n-- <section>\n" before each group of
// statements: keep only the statements (function bodies, empty lines included, are untouched).
std::string statements_of(const Model& m) {
  static const std::set<std::string> sections = {"-- comments",  "-- extensions",
                                                 "-- functions", "-- grants",
                                                 "-- indexes",   "-- row level security",
                                                 "-- schemas",   "-- sequence ownership",
                                                 "-- sequences", "-- tables",
                                                 "-- triggers",  "-- types",
                                                 "-- views",     "-- collations",
                                                 "-- aggregates"};
  std::istringstream in(schema::render_model_sql(m));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  std::string out;
  for (size_t i = 1; i < lines.size(); ++i) {  // line 0 is the banner
    if (lines[i].empty() && i + 1 < lines.size() && sections.count(lines[i + 1])) {
      ++i;
      continue;
    }
    out += lines[i] + "\n";
  }
  return out;
}

class DirectoryWriter {
 public:
  explicit DirectoryWriter(const ReconcileResult& r) : r_(r) {}

  std::map<std::string, std::string> run() {
    const Model& t = r_.target;
    for (const auto& [name, ns] : t.schemas) {
      Model m;
      m.schemas[name] = ns;
      add("00_schemas_extensions.sql", "schema " + name, m);
    }
    for (const auto& [name, e] : t.extensions) {
      Model m;
      m.extensions[name] = e;
      add("00_schemas_extensions.sql", "extension " + name, m);
    }
    // Collations first: domains and composite types may name them.
    for (const auto& [key, c] : t.collations) {
      Model m;
      m.collations[key] = c;
      add("10_types.sql", "collation " + key, m);
    }
    for (const auto& [key, e] : t.enums) {
      Model m;
      m.enums[key] = e;
      add("10_types.sql", key, m);
    }
    for (const auto& [key, d] : t.domains) {
      Model m;
      m.domains[key] = d;
      add("10_types.sql", key, m);
    }
    for (const auto& [key, c] : t.composite_types) {
      Model m;
      m.composite_types[key] = c;
      add("10_types.sql", key, m);
    }
    // Functions PostgreSQL does not parse at CREATE time (plpgsql, ...) go before the tables,
    // because column defaults and checks may call them; LANGUAGE sql ones after.
    for (const auto& [key, f] : t.functions) {
      if (f.language == "sql") continue;
      Model m;
      m.functions[key] = f;
      add("12_functions.sql", key, m);
    }
    for (const auto& [key, s] : t.sequences) {
      if (!s.owned_by.empty() && t.tables.count(schema::split_owned_by(s.owned_by).first))
        continue;  // written with its table
      Model m;
      m.sequences[key] = s;
      add("15_sequences.sql", key, m);
    }
    std::set<std::string> done;
    for (const auto& [key, table] : t.tables) write_table(key, done);
    for (const auto& [key, table] : t.tables) {
      for (const auto& [name, c] : table.constraints) {
        if (c.kind != schema::ConstraintKind::ForeignKey) continue;
        std::string text = schema::render_add_constraint(key, c) + "\n";
        if (c.comment)
          text += schema::render_comment("CONSTRAINT " + schema::quote_ident(name) + " ON " + key,
                                         c.comment) +
                  "\n";
        add_text("25_foreign_keys.sql", key + " constraint " + name, text);
      }
    }
    write_views();
    for (const auto& [key, f] : t.functions) {
      if (f.language != "sql") continue;
      Model m;
      m.functions[key] = f;
      add("40_functions_triggers.sql", key, m);
    }
    for (const auto& [key, a] : t.aggregates) {
      Model m;
      m.aggregates[key] = a;
      add("40_functions_triggers.sql", key, m);
    }
    auto triggers = [&](const std::string& key, const std::map<std::string, schema::Trigger>& ts) {
      for (const auto& [name, tr] : ts) {
        std::string text = schema::render_create_trigger(key, tr) + "\n";
        if (tr.comment)
          text += schema::render_comment("TRIGGER " + schema::quote_ident(name) + " ON " + key,
                                         tr.comment) +
                  "\n";
        add_text("40_functions_triggers.sql", key + " trigger " + name, text);
      }
    };
    for (const auto& [key, table] : t.tables) triggers(key, table.triggers);
    for (const auto& [key, view] : t.views) triggers(key, view.triggers);
    return files_;
  }

 private:
  const ReconcileResult& r_;
  std::map<std::string, std::string> files_;

  std::string from_lines(const std::string& key) const {
    std::string out;
    auto it = r_.provenance.find(key);
    if (it == r_.provenance.end() || it->second.empty()) return "-- from: (unknown)\n";
    for (const auto& o : it->second) out += "-- from: " + describe_origin(o) + "\n";
    return out;
  }

  void add_text(const std::string& file, const std::string& key, const std::string& text) {
    std::string& f = files_[file];
    if (f.empty()) f = "-- Reconciled by pgdrift reconcile: canonical DDL, one object each.\n";
    f += "\n" + from_lines(key) + text;
  }

  void add(const std::string& file, const std::string& key, const Model& m) {
    add_text(file, key, statements_of(m));
  }

  // Histories a key's definition came from, to say which members came from elsewhere.
  std::set<std::string> histories_of(const std::string& key) const {
    std::set<std::string> out;
    auto it = r_.provenance.find(key);
    if (it != r_.provenance.end())
      for (const auto& o : it->second) out.insert(o.history);
    return out;
  }

  void write_table(const std::string& key, std::set<std::string>& done) {
    if (!done.insert(key).second) return;
    const schema::Table& table = r_.target.tables.at(key);
    // Parents first (partitions, inheritance).
    if (!table.partition_of.empty() && r_.target.tables.count(table.partition_of))
      write_table(table.partition_of, done);
    for (const auto& parent : table.inherits)
      if (r_.target.tables.count(parent)) write_table(parent, done);
    Model m;
    schema::Table own = table;
    std::erase_if(own.constraints, [](const auto& item) {
      return item.second.kind == schema::ConstraintKind::ForeignKey;
    });
    own.triggers.clear();
    m.tables[key] = own;
    for (const auto& [skey, s] : r_.target.sequences)
      if (s.owned_by.rfind(key + ".", 0) == 0) m.sequences[skey] = s;
    // Members whose definition came from other histories than the table's own.
    std::string members;
    auto table_histories = histories_of(key);
    auto note = [&](const std::string& what, const std::string& member_key) {
      auto it = r_.provenance.find(member_key);
      if (it == r_.provenance.end()) return;
      if (histories_of(member_key) == table_histories) return;
      for (const auto& o : it->second)
        members += "--   " + what + " from: " + describe_origin(o) + "\n";
    };
    for (const auto& c : table.columns)
      note("column " + schema::quote_ident(c.name), key + "." + schema::quote_ident(c.name));
    for (const auto& [n, c] : table.constraints) note("constraint " + n, key + " constraint " + n);
    for (const auto& [n, i] : table.indexes) note("index " + n, key + " index " + n);
    for (const auto& [n, p] : table.policies) note("policy " + n, key + " policy " + n);
    for (const auto& [skey, s] : m.sequences) note("sequence " + skey, skey);
    add_text("20_tables.sql", key, members + statements_of(m));
  }

  void write_views() {
    // Dependency order: a view waits for the views its query names.
    std::set<std::string> written;
    const auto& views = r_.target.views;
    auto mentions = [&](const schema::View& v, const schema::View& other) {
      return v.query.find(other.name) != std::string::npos;
    };
    for (size_t pass = 0; written.size() < views.size(); ++pass) {
      bool progress = false;
      for (const auto& [key, v] : views) {
        if (written.count(key)) continue;
        bool ready = pass > views.size();  // a cycle of name mentions: give up ordering
        if (!ready) {
          ready = true;
          for (const auto& [other_key, other] : views)
            if (other_key != key && !written.count(other_key) && mentions(v, other)) ready = false;
        }
        if (!ready) continue;
        Model m;
        schema::View own = v;
        own.triggers.clear();
        m.views[key] = own;
        add("30_views.sql", key, m);
        written.insert(key);
        progress = true;
      }
      if (!progress && pass > views.size() + 1) break;
    }
  }
};

}  // namespace

std::map<std::string, std::string> render_schema_directory(const ReconcileResult& result) {
  return DirectoryWriter(result).run();
}

}  // namespace pgdrift::engine
