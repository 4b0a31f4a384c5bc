// Finding what an expression, a view query, a SQL-standard function body or a type refers to, by
// walking the libpg_query JSON parse tree for RangeVar / FuncCall / TypeName nodes (and the
// columns a function body names) and resolving their names against the model (unqualified
// names: public first, then any schema that has exactly one match). A live model and a file
// model hold the same canonical text, so they give the same keys.
#include <pg_query.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "planner/generators.h"
#include "schema/canonical.h"

namespace pgdrift::planner {

using schema::qualified_key;

std::string schema_key(const std::string& schema_name) {
  return "schema:" + schema::quote_ident(schema_name);
}

namespace {

struct Name {
  std::string schema;  // empty = unqualified
  std::string name;
};

struct Refs {
  std::vector<Name> relations;
  std::vector<Name> functions;
  std::vector<Name> types;
  std::vector<Name> sequences;
};

std::vector<std::string> strings_of(const nlohmann::json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const auto& item : list)
    if (item.contains("String")) out.push_back(item["String"].value("sval", ""));
  return out;
}

Name name_of(const std::vector<std::string>& parts) {
  if (parts.empty()) return {};
  if (parts.size() == 1) return {"", parts[0]};
  return {parts[parts.size() - 2], parts.back()};
}

// "public.s", "s", "\"My\".\"Seq\"" as written inside nextval('...').
Name parse_regclass_literal(const std::string& text) {
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
        cur += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == '.' && !quoted) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += quoted ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  parts.push_back(cur);
  return name_of(parts);
}

void collect_string_constants(const nlohmann::json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    if (node.contains("A_Const") && node["A_Const"].contains("sval"))
      out.push_back(node["A_Const"]["sval"].value("sval", ""));
    for (const auto& [k, v] : node.items()) collect_string_constants(v, out);
  } else if (node.is_array()) {
    for (const auto& v : node) collect_string_constants(v, out);
  }
}

void walk(const nlohmann::json& node, Refs& refs) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      // The target of INSERT / UPDATE / DELETE is a RangeVar message, not a RangeVar node.
      if (key == "RangeVar" ||
          (key == "relation" && value.is_object() && value.contains("relname"))) {
        refs.relations.push_back({value.value("schemaname", ""), value.value("relname", "")});
      } else if (key == "FuncCall") {
        Name fn = name_of(strings_of(value["funcname"]));
        refs.functions.push_back(fn);
        if (fn.name == "nextval" || fn.name == "currval" || fn.name == "setval") {
          std::vector<std::string> literals;
          if (value.contains("args")) collect_string_constants(value["args"], literals);
          if (!literals.empty()) refs.sequences.push_back(parse_regclass_literal(literals[0]));
        }
      } else if (key == "TypeName" || key == "typeName") {
        if (value.contains("names")) {
          std::vector<std::string> parts = strings_of(value["names"]);
          if (!parts.empty() && parts[0] != "pg_catalog") refs.types.push_back(name_of(parts));
        }
      }
      walk(value, refs);
    }
  } else if (node.is_array()) {
    for (const auto& v : node) walk(v, refs);
  }
}

Refs parse_refs(const std::string& sql) {
  Refs refs;
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  if (!result.error && result.parse_tree) {
    try {
      walk(nlohmann::json::parse(result.parse_tree), refs);
    } catch (const std::exception&) {
      // An unparsable tree only means fewer known dependencies; ordering falls back to phases.
    }
  }
  pg_query_free_parse_result(result);
  return refs;
}

template <class Pred>
std::string resolve(const Name& name, Pred exists, const std::vector<std::string>& schemas) {
  if (name.name.empty()) return "";
  if (!name.schema.empty()) {
    std::string key = qualified_key(name.schema, name.name);
    return exists(key) ? key : "";
  }
  if (exists(qualified_key("public", name.name))) return qualified_key("public", name.name);
  std::string found;
  for (const auto& s : schemas) {
    std::string key = qualified_key(s, name.name);
    if (exists(key)) {
      if (!found.empty()) return "";  // ambiguous: leave it to the phases
      found = key;
    }
  }
  return found;
}

void add_unique(std::vector<std::string>& out, const std::string& key) {
  if (!key.empty() && std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
}

std::string strip_type_decorations(std::string type) {
  while (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0)
    type.resize(type.size() - 2);
  // A typmod "(...)" at the end (user types rarely have one, but domains over varchar do not
  // show it in the column type anyway).
  if (!type.empty() && type.back() == ')') {
    size_t open = type.rfind('(');
    if (open != std::string::npos && type.find('"', open) == std::string::npos) type.resize(open);
  }
  return type;
}

// The names a SQL-standard body uses for relations (alias, else relation name) and the columns
// it names: `q.c` through q, `c` against every relation of the body, INSERT column lists and
// UPDATE SET targets against their target. Scopes are ignored: an over-approximation, which
// only adds ordering.
struct BodyColumns {
  std::map<std::string, std::vector<Name>> relations;        // name used in the body -> relations
  std::vector<std::pair<std::string, std::string>> columns;  // (qualifier or "", column)
};

void add_body_relation(const nlohmann::json& rv, BodyColumns& out) {
  Name name{rv.value("schemaname", ""), rv.value("relname", "")};
  std::string used = name.name;
  if (rv.contains("alias") && rv["alias"].is_object()) used = rv["alias"].value("aliasname", used);
  out.relations[used].push_back(name);
}

void walk_body(const nlohmann::json& node, BodyColumns& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "RangeVar") add_body_relation(value, out);
      if ((key == "InsertStmt" || key == "UpdateStmt" || key == "DeleteStmt") &&
          value.contains("relation")) {
        add_body_relation(value["relation"], out);
        std::string target = value["relation"].value("relname", "");
        if (value["relation"].contains("alias"))
          target = value["relation"]["alias"].value("aliasname", target);
        const char* list = key == "InsertStmt" ? "cols" : key == "UpdateStmt" ? "targetList" : "";
        if (*list && value.contains(list))
          for (const auto& item : value[list])
            if (item.contains("ResTarget") && item["ResTarget"].contains("name"))
              out.columns.emplace_back(target, item["ResTarget"].value("name", ""));
      }
      if (key == "ColumnRef") {
        std::vector<std::string> fields = strings_of(value["fields"]);
        if (fields.size() == 1) out.columns.emplace_back("", fields[0]);
        if (fields.size() == 2) out.columns.emplace_back(fields[0], fields[1]);
      }
      walk_body(value, out);
    }
  } else if (node.is_array()) {
    for (const auto& v : node) walk_body(v, out);
  }
}

}  // namespace

Dependencies::Dependencies(const schema::Model& model) : model_(model) {
  for (const auto& [key, view] : model.views)
    for (const auto& dep : of_query(view.query)) view_readers_[dep].insert(key);
  for (const auto& [key, function] : model.functions)
    for (const auto& dep : of_sql_body(function)) body_readers_[dep].insert(key);
  for (const auto& [key, table] : model.tables)
    if (!table.partition_of.empty()) partitions_[table.partition_of].push_back(&table);
}

const std::vector<const schema::Table*>& Dependencies::partitions_of(
    const std::string& table_key) const {
  static const std::vector<const schema::Table*> none;
  auto it = partitions_.find(table_key);
  return it == partitions_.end() ? none : it->second;
}

std::vector<std::string> Dependencies::of_sql_body(const schema::Function& function) const {
  if (function.sql_body.empty()) return {};
  const std::string sql = "CREATE FUNCTION f() " + function.sql_body;
  std::vector<std::string> out = collect(sql);
  // The columns it names, as "column:" keys of the tables it reads.
  BodyColumns body;
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  if (!result.error && result.parse_tree) {
    try {
      walk_body(nlohmann::json::parse(result.parse_tree), body);
    } catch (const std::exception&) {
      // fewer known columns only means fewer ordering edges
    }
  }
  pg_query_free_parse_result(result);
  std::vector<std::string> schemas{"public"};
  for (const auto& [name, ns] : model_.schemas) schemas.push_back(name);
  auto is_table = [this](const std::string& k) { return model_.tables.count(k) > 0; };
  auto add_column = [&](const Name& relation, const std::string& column) {
    std::string table = resolve(relation, is_table, schemas);
    if (table.empty()) return;
    if (model_.tables.at(table).find_column(column))
      add_unique(out, "column:" + table + "." + schema::quote_ident(column));
  };
  for (const auto& [qualifier, column] : body.columns) {
    if (qualifier.empty()) {
      for (const auto& [used, relations] : body.relations)
        for (const Name& relation : relations) add_column(relation, column);
    } else if (auto it = body.relations.find(qualifier); it != body.relations.end()) {
      for (const Name& relation : it->second) add_column(relation, column);
    }
  }
  // A recursive call is no dependency on another object.
  const std::string self = "function:" + qualified_key(function.schema, function.name);
  out.erase(std::remove(out.begin(), out.end(), self), out.end());
  return out;
}

std::set<std::string> Dependencies::dependent_functions(const std::string& key) const {
  auto it = body_readers_.find(key);
  return it == body_readers_.end() ? std::set<std::string>() : it->second;
}

std::vector<std::string> Dependencies::collect(const std::string& sql) const {
  Refs refs = parse_refs(sql);
  std::vector<std::string> schemas;
  schemas.push_back("public");
  for (const auto& [name, ns] : model_.schemas) schemas.push_back(name);
  std::vector<std::string> out;
  auto has = [](const auto& map) {
    return [&map](const std::string& k) { return map.count(k) > 0; };
  };
  std::set<std::string> function_names;
  for (const auto& [key, f] : model_.functions)
    function_names.insert(qualified_key(f.schema, f.name));
  for (const auto& r : refs.relations) {
    if (auto k = resolve(r, has(model_.tables), schemas); !k.empty()) add_unique(out, "table:" + k);
    if (auto k = resolve(r, has(model_.views), schemas); !k.empty()) add_unique(out, "view:" + k);
    if (auto k = resolve(r, has(model_.sequences), schemas); !k.empty())
      add_unique(out, "sequence:" + k);
  }
  std::set<std::string> aggregate_names;
  for (const auto& [key, a] : model_.aggregates)
    aggregate_names.insert(qualified_key(a.schema, a.name));
  for (const auto& f : refs.functions) {
    if (auto k = resolve(f, has(function_names), schemas); !k.empty())
      add_unique(out, "function:" + k);
    if (auto k = resolve(f, has(aggregate_names), schemas); !k.empty())
      add_unique(out, "aggregate:" + k);
  }
  for (const auto& s : refs.sequences)
    if (auto k = resolve(s, has(model_.sequences), schemas); !k.empty())
      add_unique(out, "sequence:" + k);
  for (const auto& t : refs.types) {
    auto is_type = [this](const std::string& k) {
      return model_.enums.count(k) || model_.composite_types.count(k) || model_.domains.count(k);
    };
    if (auto k = resolve(t, is_type, schemas); !k.empty()) add_unique(out, "type:" + k);
    if (auto k = resolve(t, has(model_.tables), schemas); !k.empty()) add_unique(out, "table:" + k);
  }
  return out;
}

std::vector<std::string> Dependencies::of_expr(const std::string& expr) const {
  if (expr.empty()) return {};
  return collect("SELECT (" + expr + ")");
}

std::vector<std::string> Dependencies::of_query(const std::string& query) const {
  if (query.empty()) return {};
  return collect(query);
}

std::vector<std::string> Dependencies::of_type(const std::string& type) const {
  std::string base = strip_type_decorations(type);
  if (model_.enums.count(base) || model_.composite_types.count(base) || model_.domains.count(base))
    return {"type:" + base};
  if (model_.tables.count(base)) return {"table:" + base};
  if (model_.views.count(base)) return {"view:" + base};
  return {};
}

std::vector<std::string> Dependencies::of_collation(const std::string& collation) const {
  if (model_.collations.count(collation)) return {"collation:" + collation};
  return {};
}

std::vector<std::string> Dependencies::of_aggregate(const schema::Aggregate& aggregate) const {
  std::vector<std::string> out{schema_key(aggregate.schema)};
  for (const auto& a : aggregate.arguments)
    for (const auto& d : of_type(a.type)) add_unique(out, d);
  for (const auto* type : {&aggregate.state_type, &aggregate.moving_state_type})
    for (const auto& d : of_type(*type)) add_unique(out, d);
  std::set<std::string> function_names;
  for (const auto& [key, f] : model_.functions)
    function_names.insert(qualified_key(f.schema, f.name));
  for (const auto* name :
       {&aggregate.state_function, &aggregate.final_function, &aggregate.combine_function,
        &aggregate.serial_function, &aggregate.deserial_function, &aggregate.moving_state_function,
        &aggregate.moving_inverse_function, &aggregate.moving_final_function})
    if (function_names.count(*name)) add_unique(out, "function:" + *name);
  return out;
}

std::vector<std::string> Dependencies::of_column(const schema::Column& column) const {
  std::vector<std::string> out = of_type(column.type);
  for (const auto& d : of_collation(column.collation)) add_unique(out, d);
  if (column.default_expr)
    for (const auto& d : of_expr(*column.default_expr)) add_unique(out, d);
  if (column.generated_expr)
    for (const auto& d : of_expr(*column.generated_expr)) add_unique(out, d);
  return out;
}

std::vector<std::string> Dependencies::of_table(const schema::Table& table) const {
  std::vector<std::string> out{schema_key(table.schema)};
  for (const auto& c : table.columns)
    for (const auto& d : of_column(c)) add_unique(out, d);
  for (const auto& [name, c] : table.constraints)
    if (c.kind == schema::ConstraintKind::Check)
      for (const auto& d : of_expr(c.check_expr)) add_unique(out, d);
  for (const auto& p : table.inherits) add_unique(out, "table:" + p);
  if (!table.partition_of.empty()) add_unique(out, "table:" + table.partition_of);
  std::string self = "table:" + qualified_key(table.schema, table.name);
  out.erase(std::remove(out.begin(), out.end(), self), out.end());
  return out;
}

std::vector<std::string> Dependencies::of_view(const schema::View& view) const {
  std::vector<std::string> out{schema_key(view.schema)};
  for (const auto& d : of_query(view.query)) add_unique(out, d);
  return out;
}

std::vector<std::string> Dependencies::of_function(const schema::Function& function) const {
  std::vector<std::string> out{schema_key(function.schema)};
  for (const auto& a : function.arguments) {
    for (const auto& d : of_type(a.type)) add_unique(out, d);
    if (a.default_expr)
      for (const auto& d : of_expr(*a.default_expr)) add_unique(out, d);
  }
  std::string ret = function.returns;
  if (ret.rfind("SETOF ", 0) == 0) ret = ret.substr(6);
  for (const auto& d : of_type(ret)) add_unique(out, d);
  for (const auto& d : of_sql_body(function)) add_unique(out, d);
  return out;
}

std::set<std::string> Dependencies::dependent_views(const std::string& key) const {
  std::set<std::string> out;
  std::vector<std::string> todo{key};
  while (!todo.empty()) {
    std::string k = todo.back();
    todo.pop_back();
    auto it = view_readers_.find(k);
    if (it == view_readers_.end()) continue;
    for (const auto& v : it->second)
      if (out.insert(v).second) todo.push_back("view:" + v);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Dependencies::columns_of_type(
    const std::string& type_key) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, table] : model_.tables)
    for (const auto& c : table.columns)
      for (const auto& d : of_type(c.type))
        if (d == type_key) out.emplace_back(key, c.name);
  return out;
}

}  // namespace pgdrift::planner
