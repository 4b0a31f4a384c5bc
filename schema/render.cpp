// Canonical DDL for model objects (render.h).
//
// Names in the model are exact identifiers and go through quote_ident here; qualified keys
// (ref_table, trigger function, owned_by, partition_of) are already quoted and are written as
// they are. Expressions and types are canonical SQL text and are written as they are.
#include "schema/render.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <functional>
#include <set>
#include <sstream>

#include <pg_query.h>

#include "schema/canonical.h"
#include "schema/pg_builtins.h"
#include "schema/sql/naming.h"

namespace pgdrift::schema {

namespace {

// " DEFAULT expr": the DEFAULT clause only takes a restricted expression (b_expr), so an
// expression such as `now() AT TIME ZONE 'utc'` needs parentheses there.
std::string default_clause(const std::string& expr) {
  std::string probe = "CREATE TABLE t (c int DEFAULT " + expr + ")";
  PgQueryParseResult result = pg_query_parse(probe.c_str());
  bool plain = result.error == nullptr;
  pg_query_free_parse_result(result);
  return " DEFAULT " + (plain ? expr : "(" + expr + ")");
}

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const auto& n : names) quoted.push_back(quote_ident(n));
  return join(quoted);
}

// A reloption / GUC value: bare when it is a plain word or number, else a string literal.
std::string option_value(const std::string& value) {
  bool bare = !value.empty();
  for (char ch : value) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (!(std::islower(c) || std::isdigit(c) || c == '_' || c == '.')) bare = false;
  }
  return bare ? value : quote_literal(value);
}

std::string options_clause(const std::map<std::string, std::string>& options) {
  std::vector<std::string> items;
  for (const auto& [key, value] : options) items.push_back(key + "=" + option_value(value));
  return "WITH (" + join(items) + ")";
}

std::string grantee_sql(const std::string& grantee) {
  return grantee == "PUBLIC" || grantee == "public" ? "PUBLIC" : quote_ident(grantee);
}

// PostgreSQL's defaults for a sequence of `data_type` with `increment` (see CREATE SEQUENCE).
SequenceOptions default_sequence_options(const std::string& data_type, int64_t increment) {
  SequenceOptions o;
  o.data_type = data_type;
  o.increment = increment;
  int64_t type_max = data_type == "smallint"  ? 32767
                     : data_type == "integer" ? INT32_MAX
                                              : INT64_MAX;
  int64_t type_min = data_type == "smallint"  ? -32768
                     : data_type == "integer" ? INT32_MIN
                                              : INT64_MIN;
  if (increment > 0) {
    o.min_value = 1;
    o.max_value = type_max;
    o.start = o.min_value;
  } else {
    o.min_value = type_min;
    o.max_value = -1;
    o.start = o.max_value;
  }
  return o;
}

// The option clauses that differ from PostgreSQL's defaults, in CREATE SEQUENCE order.
std::vector<std::string> sequence_option_clauses(const SequenceOptions& o, bool with_type) {
  std::vector<std::string> out;
  // An identity column's sequence takes its type from the column.
  std::string data_type = o.data_type;
  if (with_type && o.data_type != "bigint") out.push_back("AS " + o.data_type);
  SequenceOptions d = default_sequence_options(data_type, o.increment);
  if (o.increment != 1) out.push_back("INCREMENT BY " + std::to_string(o.increment));
  if (o.min_value != d.min_value) out.push_back("MINVALUE " + std::to_string(o.min_value));
  if (o.max_value != d.max_value) out.push_back("MAXVALUE " + std::to_string(o.max_value));
  // START defaults to MINVALUE (ascending) / MAXVALUE (descending) *as given*.
  int64_t default_start = o.increment > 0 ? o.min_value : o.max_value;
  if (o.start != default_start) out.push_back("START WITH " + std::to_string(o.start));
  if (o.cache != 1) out.push_back("CACHE " + std::to_string(o.cache));
  if (o.cycle) out.push_back("CYCLE");
  return out;
}

std::string index_key_sql(const IndexKey& k) {
  std::string out = k.expr.empty() ? quote_ident(k.column) : "(" + k.expr + ")";
  if (!k.collation.empty()) out += " COLLATE " + k.collation;
  if (!k.opclass.empty()) out += " " + k.opclass;
  if (k.descending) out += " DESC";
  // Only spell NULLS when it differs from the direction's default.
  if (k.nulls_first != k.descending) out += k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  return out;
}

// Dollar-quote a function body with a tag that does not occur in it.
std::string dollar_quote(const std::string& body) {
  std::string tag = "$function$";
  for (int n = 1; body.find(tag) != std::string::npos; ++n) tag = "$fn" + std::to_string(n) + "$";
  return tag + body + tag;
}

// A proconfig value as pg_get_functiondef writes it after `SET name TO`: a list of identifiers
// (GUC_LIST_QUOTE, proconfig `search_path="", public`) as one string literal per element
// (`'', 'public'`: a zero-length "" is no identifier), any other value as one literal.
std::string setting_value(const std::string& name, const std::string& value) {
  if (!is_list_quoted_setting(name)) return quote_literal(value);
  std::vector<std::string> elements;
  size_t i = 0;
  while (i <= value.size()) {
    while (i < value.size() && std::isspace(static_cast<unsigned char>(value[i]))) ++i;
    std::string element;
    if (i < value.size() && value[i] == '"') {
      for (++i; i < value.size(); ++i) {
        if (value[i] == '"' && i + 1 < value.size() && value[i + 1] == '"') {
          element += '"';
          ++i;
        } else if (value[i] == '"') {
          ++i;
          break;
        } else {
          element += value[i];
        }
      }
      while (i < value.size() && value[i] != ',') ++i;
    } else {
      size_t end = value.find(',', i);
      if (end == std::string::npos) end = value.size();
      element = value.substr(i, end - i);
      while (!element.empty() && std::isspace(static_cast<unsigned char>(element.back())))
        element.pop_back();
      i = end;
    }
    elements.push_back(quote_literal(element));
    ++i;  // past the comma (or the end)
  }
  return join(elements);
}

std::string function_signature(const Function& f) {
  return quote_qualified(f.schema, f.name) + "(" + f.identity_arguments() + ")";
}

std::string function_what(const Function& f) {
  return std::string(f.procedure ? "PROCEDURE " : "FUNCTION ") + function_signature(f);
}

bool mentions_word(const std::string& text, const std::string& word) {
  for (size_t pos = text.find(word); pos != std::string::npos; pos = text.find(word, pos + 1)) {
    auto is_word = [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '$';
    };
    bool left = pos == 0 || !is_word(text[pos - 1]);
    size_t end = pos + word.size();
    bool right = end >= text.size() || !is_word(text[end]);
    if (left && right) return true;
  }
  return false;
}

// Views in an order where each view comes after the views its query names. "Names" is a word
// match on the view name, so a false match only reorders, never drops; cycles (which can only
// come from false matches) are broken by visiting order.
std::vector<const View*> views_in_dependency_order(const Model& model) {
  std::vector<const View*> out;
  std::set<std::string> done, visiting;
  std::function<void(const std::string&, const View&)> visit = [&](const std::string& key,
                                                                   const View& v) {
    if (done.count(key) || visiting.count(key)) return;
    visiting.insert(key);
    for (const auto& [other_key, other] : model.views) {
      if (other_key != key && mentions_word(v.query, other.name)) visit(other_key, other);
    }
    visiting.erase(key);
    done.insert(key);
    out.push_back(&v);
  };
  for (const auto& [key, v] : model.views) visit(key, v);
  return out;
}

// The functions `include` selects, each after the functions its SQL-standard body names
// (PostgreSQL resolves them when it creates the function). A word match on the function name,
// as for views: a false match only reorders.
std::vector<const Function*> functions_in_dependency_order(
    const Model& model, const std::function<bool(const Function&)>& include) {
  std::vector<const Function*> out;
  std::set<const Function*> done, visiting;
  std::function<void(const Function&)> visit = [&](const Function& f) {
    if (done.count(&f) || visiting.count(&f)) return;
    visiting.insert(&f);
    for (const auto& [key, other] : model.functions)
      if (&other != &f && include(other) && mentions_word(f.sql_body, other.name)) visit(other);
    visiting.erase(&f);
    done.insert(&f);
    out.push_back(&f);
  };
  for (const auto& [key, f] : model.functions)
    if (include(f)) visit(f);
  return out;
}

// Tables with their parents (INHERITS / PARTITION OF) first.
std::vector<const Table*> tables_in_dependency_order(const Model& model) {
  std::vector<const Table*> out;
  std::set<std::string> done;
  std::function<void(const std::string&)> visit = [&](const std::string& key) {
    auto it = model.tables.find(key);
    if (it == model.tables.end() || done.count(key)) return;
    done.insert(key);  // before recursing: a cycle is impossible in a valid model anyway
    if (!it->second.partition_of.empty()) visit(it->second.partition_of);
    for (const auto& parent : it->second.inherits) visit(parent);
    out.push_back(&it->second);
  };
  for (const auto& [key, t] : model.tables) visit(key);
  return out;
}

// A constraint that goes into CREATE TABLE (FKs and NOT VALID checks are added afterwards).
bool inline_constraint(const Constraint& c) {
  if (c.kind == ConstraintKind::ForeignKey) return false;
  if (c.kind == ConstraintKind::Check && !c.validated) return false;
  return true;
}

void add_comment(std::ostringstream& out, const std::string& what,
                 const std::optional<std::string>& comment) {
  if (comment) out << render_comment(what, comment) << "\n";
}

}  // namespace

std::string identity_type_of(const std::string& column_type) {
  if (column_type == "smallint" || column_type == "integer") return column_type;
  return "bigint";
}

const char* fk_action_sql(char code) {
  switch (code) {
    case 'r':
      return "RESTRICT";
    case 'c':
      return "CASCADE";
    case 'n':
      return "SET NULL";
    case 'd':
      return "SET DEFAULT";
    default:
      return "NO ACTION";
  }
}

std::string render_type(const std::string& canonical_type) { return canonical_type; }

std::string render_column_definition(const Column& c) {
  std::string out = quote_ident(c.name) + " " + render_type(c.type);
  if (!c.collation.empty()) out += " COLLATE " + c.collation;
  if (c.identity != IdentityKind::None) {
    out += c.identity == IdentityKind::Always ? " GENERATED ALWAYS AS IDENTITY"
                                              : " GENERATED BY DEFAULT AS IDENTITY";
    if (c.identity_options) {
      // The sequence's type is the column's here (PostgreSQL rejects an AS of its own); one
      // typed apart (CREATE TABLE ... LIKE copies bounds, not type) is altered after.
      SequenceOptions o = *c.identity_options;
      o.data_type = identity_type_of(c.type);
      auto clauses = sequence_option_clauses(o, false);
      if (!clauses.empty()) out += " (" + join(clauses, " ") + ")";
    }
  }
  if (c.generated_expr) out += " GENERATED ALWAYS AS (" + *c.generated_expr + ") STORED";
  if (c.default_expr) out += default_clause(*c.default_expr);
  if (c.not_null) out += " NOT NULL";
  return out;
}

std::string render_constraint_definition(const Constraint& c) {
  std::string out;
  auto include = [&c]() {
    return c.include.empty() ? "" : " INCLUDE (" + quoted_list(c.include) + ")";
  };
  switch (c.kind) {
    case ConstraintKind::PrimaryKey:
      out = "PRIMARY KEY (" + quoted_list(c.columns) + ")" + include();
      break;
    case ConstraintKind::Unique:
      out = std::string("UNIQUE") + (c.nulls_not_distinct ? " NULLS NOT DISTINCT" : "") + " (" +
            quoted_list(c.columns) + ")" + include();
      break;
    case ConstraintKind::Check:
      out = "CHECK (" + c.check_expr + ")" + (c.no_inherit ? " NO INHERIT" : "");
      break;
    case ConstraintKind::ForeignKey: {
      out = "FOREIGN KEY (" + quoted_list(c.columns) + ") REFERENCES ";
      if (c.foreign_key) {
        const ForeignKey& fk = *c.foreign_key;
        out += fk.ref_table;
        if (!fk.ref_columns.empty()) out += "(" + quoted_list(fk.ref_columns) + ")";
        if (fk.match == 'f') out += " MATCH FULL";
        if (fk.match == 'p') out += " MATCH PARTIAL";
        if (fk.on_update != 'a') out += std::string(" ON UPDATE ") + fk_action_sql(fk.on_update);
        if (fk.on_delete != 'a') {
          out += std::string(" ON DELETE ") + fk_action_sql(fk.on_delete);
          if (!fk.on_delete_set_columns.empty()) {
            out += " (" + quoted_list(fk.on_delete_set_columns) + ")";
          }
        }
      }
      break;
    }
    case ConstraintKind::Exclusion: {
      std::vector<std::string> elements;
      for (const auto& e : c.exclusion_elements) {
        IndexKey k;
        // A plain column name is written bare, anything else as a parenthesised expression.
        bool plain = !e.expr.empty() && quote_ident(e.expr) == e.expr;
        (plain ? k.column : k.expr) = e.expr;
        k.opclass = e.opclass;
        k.descending = e.descending;
        k.nulls_first = e.nulls_first;
        elements.push_back(index_key_sql(k) + " WITH " + e.op);
      }
      out = "EXCLUDE USING " + (c.exclusion_method.empty() ? "gist" : c.exclusion_method) + " (" +
            join(elements) + ")" + include();
      if (!c.where_expr.empty()) out += " WHERE (" + c.where_expr + ")";
      break;
    }
  }
  if (c.deferrable) out += " DEFERRABLE";
  if (c.initially_deferred) out += " INITIALLY DEFERRED";
  if (!c.validated) out += " NOT VALID";
  return out;
}

std::string render_create_table(const Table& t, bool with_constraints, const Table* parent) {
  std::string name = quote_qualified(t.schema, t.name);
  std::vector<std::string> items;
  if (t.partition_of.empty()) {
    for (const auto& c : t.columns) items.push_back(render_column_definition(c));
  } else if (parent != nullptr) {
    // `col WITH OPTIONS DEFAULT ... NOT NULL`: what the partition adds to the parent's column.
    for (const auto& c : t.columns) {
      const Column* inherited = parent->find_column(c.name);
      if (inherited == nullptr) continue;
      std::string options;
      if (c.default_expr && c.default_expr != inherited->default_expr)
        options += default_clause(*c.default_expr);
      if (c.not_null && !inherited->not_null) options += " NOT NULL";
      if (!options.empty()) items.push_back(quote_ident(c.name) + " WITH OPTIONS" + options);
    }
  }
  if (with_constraints) {
    for (const auto& [cname, c] : t.constraints) {
      if (inline_constraint(c) && c.parent_constraint.empty()) {
        items.push_back("CONSTRAINT " + quote_ident(cname) + " " + render_constraint_definition(c));
      }
    }
  }
  std::string out = std::string("CREATE ") + (t.unlogged ? "UNLOGGED " : "") + "TABLE " + name;
  if (!t.partition_of.empty()) {
    out += " PARTITION OF " + t.partition_of;
    if (!items.empty()) out += " (\n    " + join(items, ",\n    ") + "\n)";
    out += " " + t.partition_bound;
  } else {
    out += " (\n    " + join(items, ",\n    ") + (items.empty() ? "" : "\n") + ")";
    if (!t.inherits.empty()) out += " INHERITS (" + join(t.inherits) + ")";
  }
  if (!t.partition_key.empty()) out += " PARTITION BY " + t.partition_key;
  if (!t.options.empty()) out += " " + options_clause(t.options);
  return out + ";";
}

std::string render_add_constraint(const std::string& table_key, const Constraint& c) {
  return "ALTER TABLE " + table_key + " ADD CONSTRAINT " + quote_ident(c.name) + " " +
         render_constraint_definition(c) + ";";
}

std::string render_invalid_index_note(const Index& index) {
  if (index.valid) return "";
  return "-- INVALID in the database: a failed CREATE INDEX CONCURRENTLY left it, and no query "
         "uses it (a plan drops it and builds it again)\n";
}

std::string render_create_index(const std::string& schema, const std::string& table_name,
                                const Index& ix, bool concurrently, bool only) {
  std::vector<std::string> keys;
  for (const auto& k : ix.keys) keys.push_back(index_key_sql(k));
  std::string out = std::string("CREATE ") + (ix.unique ? "UNIQUE " : "") + "INDEX " +
                    (concurrently ? "CONCURRENTLY " : "") + quote_ident(ix.name) + " ON " +
                    (only ? "ONLY " : "") + quote_qualified(schema, table_name);
  if (ix.method != "btree") out += " USING " + ix.method;
  out += " (" + join(keys) + ")";
  if (!ix.include.empty()) out += " INCLUDE (" + quoted_list(ix.include) + ")";
  if (ix.nulls_not_distinct) out += " NULLS NOT DISTINCT";
  if (!ix.options.empty()) out += " " + options_clause(ix.options);
  if (!ix.where_expr.empty()) out += " WHERE (" + ix.where_expr + ")";
  return out + ";";
}

std::string render_create_sequence(const Sequence& s) {
  std::string out = "CREATE SEQUENCE " + quote_qualified(s.schema, s.name);
  auto clauses = sequence_option_clauses(s.options, true);
  if (!clauses.empty()) out += " " + join(clauses, " ");
  return out + ";";
}

std::string render_create_enum(const EnumType& e) {
  std::vector<std::string> values;
  for (const auto& v : e.values) values.push_back(quote_literal(v));
  return "CREATE TYPE " + quote_qualified(e.schema, e.name) + " AS ENUM (" + join(values) + ");";
}

std::string render_create_composite_type(const CompositeType& c) {
  std::vector<std::string> attributes;
  for (const auto& a : c.attributes) {
    attributes.push_back(quote_ident(a.name) + " " + render_type(a.type) +
                         (a.collation.empty() ? "" : " COLLATE " + a.collation));
  }
  return "CREATE TYPE " + quote_qualified(c.schema, c.name) + " AS (" + join(attributes) + ");";
}

std::string render_create_domain(const Domain& d) {
  std::string out =
      "CREATE DOMAIN " + quote_qualified(d.schema, d.name) + " AS " + render_type(d.base_type);
  if (!d.collation.empty()) out += " COLLATE " + d.collation;
  if (d.default_expr) out += default_clause(*d.default_expr);
  if (d.not_null) out += " NOT NULL";
  for (const auto& [name, c] : d.checks) {
    if (c.validated) out += " CONSTRAINT " + quote_ident(name) + " CHECK (" + c.check_expr + ")";
  }
  out += ";";
  // NOT VALID only exists for ALTER DOMAIN ADD CONSTRAINT.
  for (const auto& [name, c] : d.checks) {
    if (!c.validated) {
      out += "\nALTER DOMAIN " + quote_qualified(d.schema, d.name) + " ADD CONSTRAINT " +
             quote_ident(name) + " CHECK (" + c.check_expr + ") NOT VALID;";
    }
  }
  return out;
}

std::string render_create_view(const View& v) {
  std::string out = std::string("CREATE ") + (v.materialized ? "MATERIALIZED " : "") + "VIEW " +
                    quote_qualified(v.schema, v.name);
  if (!v.column_names.empty()) out += " (" + quoted_list(v.column_names) + ")";
  if (!v.options.empty()) out += " " + options_clause(v.options);
  out += " AS\n" + v.query;
  if (v.materialized && !v.with_data) out += "\nWITH NO DATA";
  return out + ";";
}

std::string aggregate_what(const Aggregate& a) {
  return "AGGREGATE " + quote_qualified(a.schema, a.name) + "(" + a.signature() + ")";
}

std::string aggregate_grant_what(const Aggregate& a) {
  return "FUNCTION " + quote_qualified(a.schema, a.name) + "(" + a.argument_types() + ")";
}

std::string render_create_aggregate(const Aggregate& a) {
  std::string arguments;
  for (size_t i = 0; i < a.arguments.size(); ++i) {
    const FunctionArgument& arg = a.arguments[i];
    if (a.kind != "normal" && static_cast<int>(i) == a.direct_arguments)
      arguments += i > 0 ? " ORDER BY " : "ORDER BY ";
    else if (i > 0)
      arguments += ", ";
    if (arg.mode == "VARIADIC") arguments += "VARIADIC ";
    if (!arg.name.empty()) arguments += quote_ident(arg.name) + " ";
    arguments += render_type(arg.type);
  }
  if (a.arguments.empty()) arguments = "*";
  std::vector<std::string> options;
  auto option = [&](const char* name, const std::string& value) {
    if (!value.empty()) options.push_back(std::string(name) + " = " + value);
  };
  auto literal = [&](const char* name, const std::optional<std::string>& value) {
    if (value) options.push_back(std::string(name) + " = " + quote_literal(*value));
  };
  const std::string default_modify = a.kind == "normal" ? "READ_ONLY" : "READ_WRITE";
  option("SFUNC", a.state_function);
  option("STYPE", render_type(a.state_type));
  if (a.state_space != 0) option("SSPACE", std::to_string(a.state_space));
  option("FINALFUNC", a.final_function);
  if (a.final_extra) options.push_back("FINALFUNC_EXTRA");
  if (a.final_modify != default_modify) option("FINALFUNC_MODIFY", a.final_modify);
  option("COMBINEFUNC", a.combine_function);
  option("SERIALFUNC", a.serial_function);
  option("DESERIALFUNC", a.deserial_function);
  literal("INITCOND", a.initial_condition);
  option("MSFUNC", a.moving_state_function);
  option("MINVFUNC", a.moving_inverse_function);
  if (!a.moving_state_type.empty()) option("MSTYPE", render_type(a.moving_state_type));
  if (a.moving_state_space != 0) option("MSSPACE", std::to_string(a.moving_state_space));
  option("MFINALFUNC", a.moving_final_function);
  if (a.moving_final_extra) options.push_back("MFINALFUNC_EXTRA");
  if (a.moving_final_modify != default_modify) option("MFINALFUNC_MODIFY", a.moving_final_modify);
  literal("MINITCOND", a.moving_initial_condition);
  option("SORTOP", a.sort_operator);
  if (a.parallel != "UNSAFE") option("PARALLEL", a.parallel);
  if (a.kind == "hypothetical") options.push_back("HYPOTHETICAL");
  std::string out =
      "CREATE AGGREGATE " + quote_qualified(a.schema, a.name) + "(" + arguments + ") (";
  for (size_t i = 0; i < options.size(); ++i) out += (i ? ", " : "") + options[i];
  return out + ");";
}

std::string render_create_collation(const Collation& c) {
  std::string out =
      "CREATE COLLATION " + quote_qualified(c.schema, c.name) + " (provider = " + c.provider;
  if (c.provider == "icu") {
    out += ", locale = " + quote_literal(c.icu_locale);
  } else if (c.lc_collate == c.lc_ctype) {
    out += ", locale = " + quote_literal(c.lc_collate);
  } else {
    out += ", lc_collate = " + quote_literal(c.lc_collate) +
           ", lc_ctype = " + quote_literal(c.lc_ctype);
  }
  if (!c.deterministic) out += ", deterministic = false";
  return out + ");";
}

std::string render_create_function(const Function& f) {
  std::vector<std::string> arguments;
  for (const auto& a : f.arguments) {
    if (a.mode == "TABLE") continue;  // part of RETURNS TABLE(...)
    std::string arg;
    if (a.mode != "IN") arg += a.mode + " ";
    if (!a.name.empty()) arg += quote_ident(a.name) + " ";
    arg += render_type(a.type);
    if (a.default_expr) arg += " DEFAULT " + *a.default_expr;
    arguments.push_back(arg);
  }
  std::string out = std::string("CREATE ") + (f.procedure ? "PROCEDURE " : "FUNCTION ") +
                    quote_qualified(f.schema, f.name) + "(" + join(arguments) + ")";
  if (!f.procedure && !f.returns.empty()) out += "\n    RETURNS " + f.returns;
  out += "\n    LANGUAGE " + f.language;
  if (!f.procedure && f.volatility != "VOLATILE") out += "\n    " + f.volatility;
  if (f.strict) out += "\n    STRICT";
  if (f.security_definer) out += "\n    SECURITY DEFINER";
  if (f.leakproof) out += "\n    LEAKPROOF";
  if (!f.procedure && f.parallel != "UNSAFE") out += "\n    PARALLEL " + f.parallel;
  auto number = [](double value) {
    std::ostringstream s;
    s << value;
    return s.str();
  };
  if (f.cost != 0) out += "\n    COST " + number(f.cost);
  if (f.rows != 0) out += "\n    ROWS " + number(f.rows);
  for (const auto& [name, value] : f.config)
    out += "\n    SET " + name + " TO " + setting_value(name, value);
  // A SQL-standard body is written as it is (pg_get_functiondef starts it on its own line).
  if (!f.sql_body.empty()) return out + "\n" + f.sql_body + ";";
  out += "\n    AS " + dollar_quote(f.body) + ";";
  return out;
}

std::string render_replica_identity(const std::string& table_key, const Table& table) {
  std::string identity;
  switch (table.replica_identity) {
    case 'f':
      identity = "FULL";
      break;
    case 'n':
      identity = "NOTHING";
      break;
    case 'i':
      identity = "USING INDEX " + quote_ident(table.replica_identity_index);
      break;
    default:
      identity = "DEFAULT";
  }
  return "ALTER TABLE " + table_key + " REPLICA IDENTITY " + identity + ";";
}

std::string render_reloption(const std::string& name, const std::string& value) {
  return name + "=" + option_value(value);
}

std::string render_trigger_state(const std::string& table_key, const Trigger& trigger) {
  const char* state = trigger.enabled == 'D'   ? "DISABLE"
                      : trigger.enabled == 'R' ? "ENABLE REPLICA"
                      : trigger.enabled == 'A' ? "ENABLE ALWAYS"
                                               : "ENABLE";
  return "ALTER TABLE " + table_key + " " + state + " TRIGGER " + quote_ident(trigger.name) + ";";
}

std::string render_create_trigger(const std::string& table_key, const Trigger& t) {
  std::vector<std::string> events;
  for (const auto& e : t.events) {
    if (e == "UPDATE" && !t.update_columns.empty()) {
      events.push_back("UPDATE OF " + quoted_list(t.update_columns));
    } else {
      events.push_back(e);
    }
  }
  std::string out = std::string("CREATE ") + (t.constraint_trigger ? "CONSTRAINT " : "") +
                    "TRIGGER " + quote_ident(t.name) + " " + t.timing + " " + join(events, " OR ") +
                    " ON " + table_key;
  if (t.deferrable) out += " DEFERRABLE";
  if (t.initially_deferred) out += " INITIALLY DEFERRED";
  if (!t.old_table.empty() || !t.new_table.empty()) {
    out += " REFERENCING";
    if (!t.old_table.empty()) out += " OLD TABLE AS " + quote_ident(t.old_table);
    if (!t.new_table.empty()) out += " NEW TABLE AS " + quote_ident(t.new_table);
  }
  out += t.for_each_row ? " FOR EACH ROW" : " FOR EACH STATEMENT";
  if (!t.when_expr.empty()) out += " WHEN (" + t.when_expr + ")";
  std::vector<std::string> arguments;
  for (const auto& a : t.arguments) arguments.push_back(quote_literal(a));
  return out + " EXECUTE FUNCTION " + t.function + "(" + join(arguments) + ");";
}

std::string render_create_policy(const std::string& table_key, const Policy& p) {
  std::string out = "CREATE POLICY " + quote_ident(p.name) + " ON " + table_key;
  if (!p.permissive) out += " AS RESTRICTIVE";
  if (p.command != "ALL") out += " FOR " + p.command;
  bool only_public = p.roles.empty() || (p.roles.size() == 1 && p.roles[0] == "public");
  if (!only_public) {
    std::vector<std::string> roles;
    for (const auto& r : p.roles) roles.push_back(grantee_sql(r));
    out += " TO " + join(roles);
  }
  if (!p.using_expr.empty()) out += " USING (" + p.using_expr + ")";
  if (!p.check_expr.empty()) out += " WITH CHECK (" + p.check_expr + ")";
  return out + ";";
}

std::string render_create_extension(const Extension& e) {
  std::string out = "CREATE EXTENSION " + quote_ident(e.name);
  if (!e.schema.empty()) out += " SCHEMA " + quote_ident(e.schema);
  if (!e.version.empty()) out += " VERSION " + quote_literal(e.version);
  return out + ";";
}

std::string render_create_schema(const Namespace& ns) {
  return "CREATE SCHEMA " + quote_ident(ns.name) + ";";
}

std::string render_comment(const std::string& what, const std::optional<std::string>& comment) {
  return "COMMENT ON " + what + " IS " +
         (comment && !comment->empty() ? quote_literal(*comment) : std::string("NULL")) + ";";
}

std::string render_grant(const std::string& what, const Grant& g) {
  std::string privilege = g.privilege;
  if (!g.columns.empty()) privilege += " (" + quoted_list(g.columns) + ")";
  return "GRANT " + privilege + " ON " + what + " TO " + grantee_sql(g.grantee) +
         (g.with_grant_option ? " WITH GRANT OPTION" : "") + ";";
}

std::string render_revoke(const std::string& what, const Grant& g) {
  std::string privilege = g.privilege;
  if (!g.columns.empty()) privilege += " (" + quoted_list(g.columns) + ")";
  return "REVOKE " + privilege + " ON " + what + " FROM " + grantee_sql(g.grantee) + ";";
}

std::string render_identity_sequence_type(const std::string& table_key, const Column& column) {
  const SequenceOptions& o = *column.identity_options;
  return "DO $pgdrift$ BEGIN EXECUTE format('ALTER SEQUENCE %s AS " + o.data_type + " MINVALUE " +
         std::to_string(o.min_value) + " MAXVALUE " + std::to_string(o.max_value) +
         "', pg_get_serial_sequence(" + quote_literal(table_key) + ", " +
         quote_literal(column.name) + ")); END $pgdrift$;";
}

std::string render_revoke_grant_option(const std::string& what, const Grant& g) {
  return "REVOKE GRANT OPTION FOR " + render_revoke(what, g).substr(std::string("REVOKE ").size());
}

std::string render_model_sql(const Model& model) {
  std::ostringstream out;
  auto section = [&out](const char* title) { out << "\n-- " << title << "\n"; };
  out << "-- Generated by pgdrift: canonical DDL of the schema model.\n";

  // Function bodies written as strings are not checked (check_function_bodies is off, as in
  // pg_dump), so those functions go before the tables, whose defaults, CHECKs and triggers may
  // call them. A SQL-standard body is resolved when created, and a function whose signature
  // names a table's row type needs the table: both wait until the tables exist.
  auto relation_type = [&model](std::string type) {
    if (type.rfind("SETOF ", 0) == 0) type.erase(0, 6);
    while (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0)
      type.resize(type.size() - 2);
    for (const std::string& key : {type, "public." + type})
      if (model.tables.count(key) || model.views.count(key)) return true;
    return false;
  };
  auto created_after_tables = [&](const Function& f) {
    if (!f.sql_body.empty() || relation_type(f.returns)) return true;
    for (const auto& a : f.arguments)
      if (relation_type(a.type)) return true;
    return false;
  };
  out << "SET check_function_bodies = false;\n";

  if (!model.schemas.empty()) section("schemas");
  for (const auto& [name, ns] : model.schemas) out << render_create_schema(ns) << "\n";
  if (!model.extensions.empty()) section("extensions");
  for (const auto& [name, e] : model.extensions) out << render_create_extension(e) << "\n";
  // Collations before the types and tables whose COLLATE clauses name them.
  if (!model.collations.empty()) section("collations");
  for (const auto& [key, c] : model.collations) out << render_create_collation(c) << "\n";
  if (!model.enums.empty() || !model.domains.empty() || !model.composite_types.empty()) {
    section("types");
  }
  for (const auto& [key, e] : model.enums) out << render_create_enum(e) << "\n";
  for (const auto& [key, d] : model.domains) out << render_create_domain(d) << "\n";
  for (const auto& [key, c] : model.composite_types) {
    out << render_create_composite_type(c) << "\n";
  }
  if (!model.sequences.empty()) section("sequences");
  for (const auto& [key, s] : model.sequences) out << render_create_sequence(s) << "\n";
  bool any_early_function = false;
  for (const auto& [key, f] : model.functions) any_early_function |= !created_after_tables(f);
  if (any_early_function) section("functions");
  for (const auto& [key, f] : model.functions) {
    if (!created_after_tables(f)) out << render_create_function(f) << "\n";
  }

  auto tables = tables_in_dependency_order(model);
  auto parent_of = [&](const Table& t) -> const Table* {
    auto it = model.tables.find(t.partition_of);
    return it == model.tables.end() ? nullptr : &it->second;
  };
  // Defaults and CHECKs that call a function created after the tables are set after it (as
  // pg_dump does): the table is created without them.
  std::vector<std::string> late_function_names;
  for (const auto& [key, f] : model.functions)
    if (created_after_tables(f)) late_function_names.push_back(f.name);
  auto calls_late_function = [&](const std::string& expr) {
    for (const auto& name : late_function_names)
      if (mentions_word(expr, name)) return true;
    return false;
  };
  std::vector<std::string> late_table_parts;
  if (!tables.empty()) section("tables");
  for (const Table* t : tables) {
    const std::string key = quote_qualified(t->schema, t->name);
    Table early = *t;
    for (Column& c : early.columns)
      if (c.default_expr && calls_late_function(*c.default_expr)) {
        late_table_parts.push_back("ALTER TABLE " + key + " ALTER COLUMN " + quote_ident(c.name) +
                                   " SET DEFAULT " + *c.default_expr + ";");
        c.default_expr.reset();
      }
    for (auto it = early.constraints.begin(); it != early.constraints.end();)
      if (it->second.kind == ConstraintKind::Check && it->second.parent_constraint.empty() &&
          calls_late_function(it->second.check_expr)) {
        late_table_parts.push_back(render_add_constraint(key, it->second));
        it = early.constraints.erase(it);
      } else {
        ++it;
      }
    out << render_create_table(early, true, parent_of(*t)) << "\n";
  }

  // A partition's clones of its parent's keys are named by PostgreSQL when the partition is
  // created; one with another name is renamed.
  bool any_renamed = false;
  for (const Table* t : tables) {
    const Table* parent = parent_of(*t);
    if (parent == nullptr) continue;
    for (const auto& [name, c] : t->constraints) {
      auto pc = parent->constraints.find(c.parent_constraint);
      if (pc == parent->constraints.end() || pc->second.kind == ConstraintKind::Check ||
          pc->second.kind == ConstraintKind::ForeignKey)
        continue;
      const std::string expected = sql::expected_clone_name(sql::clone_name_parts(*t, pc->second));
      if (expected == name) continue;
      if (!any_renamed) section("partition keys named apart from their parent's");
      any_renamed = true;
      out << "ALTER TABLE " << quote_qualified(t->schema, t->name) << " RENAME CONSTRAINT "
          << quote_ident(expected) << " TO " << quote_ident(name) << ";\n";
    }
  }

  bool any_owned = false;
  for (const auto& [key, s] : model.sequences) {
    if (s.owned_by.empty()) continue;
    if (!any_owned) section("sequence ownership");
    any_owned = true;
    out << "ALTER SEQUENCE " << key << " OWNED BY " << s.owned_by << ";\n";
  }

  // An index attached to its parent's comes from the parent's CREATE INDEX, named by
  // PostgreSQL. One named otherwise is created first (children before parents), and the
  // parent's CREATE INDEX attaches it; indexes of the partitions alone come after the parents',
  // so that no parent index takes one of them for its own.
  bool any_index = false;
  auto index_line = [&](const Table& t, const Index& ix) {
    if (!any_index) section("indexes");
    any_index = true;
    out << render_invalid_index_note(ix) << render_create_index(t.schema, t.name, ix) << "\n";
  };
  // Copies of parent indexes that share a base name are numbered by PostgreSQL in the order the
  // parent's indexes are created (base, base1, base2, ...: here, parent index name order). A
  // group numbered otherwise is created in full, in that same order: each parent CREATE INDEX
  // attaches the first matching index not attached yet, so the k-th parent index gets the
  // k-th of them even when their definitions are identical.
  for (auto t = tables.rbegin(); t != tables.rend(); ++t) {
    const Table* parent = parent_of(**t);
    if (parent == nullptr) continue;
    std::map<std::string, std::vector<std::pair<std::string, const Index*>>> by_base;
    for (const auto& [name, ix] : (*t)->indexes) {
      if (ix.parent_index.empty()) continue;
      auto pi = parent->indexes.find(ix.parent_index);
      if (pi == parent->indexes.end()) {
        index_line(**t, ix);
        continue;
      }
      by_base[sql::expected_clone_name(sql::clone_name_parts(**t, pi->second))].push_back(
          {ix.parent_index, &ix});
    }
    for (auto& [base, copies] : by_base) {
      std::sort(copies.begin(), copies.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      const auto& first_parent = parent->indexes.at(copies.front().first);
      sql::CloneNameParts parts = sql::clone_name_parts(**t, first_parent);
      bool as_postgres_numbers_them = true;
      for (size_t k = 0; k < copies.size(); ++k) {
        sql::CloneNameParts numbered = parts;
        if (k > 0) numbered.label += std::to_string(k);
        as_postgres_numbers_them = as_postgres_numbers_them &&
                                   sql::expected_clone_name(numbered) == copies[k].second->name;
      }
      if (as_postgres_numbers_them) continue;
      for (const auto& copy : copies) index_line(**t, *copy.second);
    }
  }
  for (const Table* t : tables)
    for (const auto& [name, ix] : t->indexes)
      if (ix.parent_index.empty() || parent_of(*t) == nullptr) index_line(*t, ix);

  bool any_sequence_type = false;
  for (const Table* t : tables)
    for (const Column& c : t->columns)
      if (c.identity_options && c.identity_options->data_type != identity_type_of(c.type)) {
        if (!any_sequence_type) section("identity sequences typed apart from their columns");
        any_sequence_type = true;
        out << render_identity_sequence_type(quote_qualified(t->schema, t->name), c) << "\n";
      }

  bool any_late_constraint = false;
  for (const Table* t : tables) {
    for (const auto& [name, c] : t->constraints) {
      if (inline_constraint(c) || !c.parent_constraint.empty()) continue;
      if (!any_late_constraint) section("foreign keys and NOT VALID checks");
      any_late_constraint = true;
      out << render_add_constraint(quote_qualified(t->schema, t->name), c) << "\n";
    }
  }

  bool any_late_function = false;
  for (const Function* f : functions_in_dependency_order(model, created_after_tables)) {
    if (!any_late_function) section("functions resolved against the tables");
    any_late_function = true;
    out << render_create_function(*f) << "\n";
  }
  if (!late_table_parts.empty()) section("defaults and checks that call those functions");
  for (const auto& line : late_table_parts) out << line << "\n";

  // Aggregates after every function their state and final functions may be.
  if (!model.aggregates.empty()) section("aggregates");
  for (const auto& [key, a] : model.aggregates) out << render_create_aggregate(a) << "\n";

  bool any_replica_identity = false;
  for (const Table* t : tables) {
    if (t->replica_identity == 'd') continue;
    if (!any_replica_identity) section("replica identity");
    any_replica_identity = true;
    out << render_replica_identity(quote_qualified(t->schema, t->name), *t) << "\n";
  }

  auto views = views_in_dependency_order(model);
  if (!views.empty()) section("views");
  for (const View* v : views) {
    out << render_create_view(*v) << "\n";
    for (const auto& [name, ix] : v->indexes) {
      out << render_invalid_index_note(ix) << render_create_index(v->schema, v->name, ix) << "\n";
    }
  }

  bool any_trigger = false;
  auto triggers_of = [&](const std::string& key, const std::map<std::string, Trigger>& triggers) {
    for (const auto& [name, t] : triggers) {
      if (!any_trigger) section("triggers");
      any_trigger = true;
      out << render_create_trigger(key, t) << "\n";
      if (t.enabled != 'O') out << render_trigger_state(key, t) << "\n";
    }
  };
  for (const Table* t : tables) triggers_of(quote_qualified(t->schema, t->name), t->triggers);
  for (const View* v : views) triggers_of(quote_qualified(v->schema, v->name), v->triggers);

  bool any_rls = false;
  for (const Table* t : tables) {
    std::string key = quote_qualified(t->schema, t->name);
    if (t->rls_enabled || t->rls_forced || !t->policies.empty()) {
      if (!any_rls) section("row level security");
      any_rls = true;
    }
    if (t->rls_enabled) out << "ALTER TABLE " << key << " ENABLE ROW LEVEL SECURITY;\n";
    if (t->rls_forced) out << "ALTER TABLE " << key << " FORCE ROW LEVEL SECURITY;\n";
    for (const auto& [name, p] : t->policies) out << render_create_policy(key, p) << "\n";
  }

  // Comments, then grants, collected so that a section header is printed only when needed.
  std::ostringstream comments;
  for (const auto& [name, ns] : model.schemas) {
    add_comment(comments, "SCHEMA " + quote_ident(name), ns.comment);
  }
  for (const auto& [name, e] : model.extensions) {
    add_comment(comments, "EXTENSION " + quote_ident(name), e.comment);
  }
  for (const auto& [key, e] : model.enums) add_comment(comments, "TYPE " + key, e.comment);
  for (const auto& [key, c] : model.composite_types) {
    add_comment(comments, "TYPE " + key, c.comment);
  }
  for (const auto& [key, d] : model.domains) {
    add_comment(comments, "DOMAIN " + key, d.comment);
    for (const auto& [name, c] : d.checks) {
      add_comment(comments, "CONSTRAINT " + quote_ident(name) + " ON DOMAIN " + key, c.comment);
    }
  }
  for (const auto& [key, s] : model.sequences) add_comment(comments, "SEQUENCE " + key, s.comment);
  for (const auto& [key, f] : model.functions) add_comment(comments, function_what(f), f.comment);
  for (const auto& [key, a] : model.aggregates) add_comment(comments, aggregate_what(a), a.comment);
  for (const auto& [key, c] : model.collations)
    add_comment(comments, "COLLATION " + key, c.comment);
  for (const Table* t : tables) {
    std::string key = quote_qualified(t->schema, t->name);
    add_comment(comments, "TABLE " + key, t->comment);
    for (const auto& c : t->columns) {
      add_comment(comments, "COLUMN " + key + "." + quote_ident(c.name), c.comment);
    }
    for (const auto& [name, c] : t->constraints) {
      add_comment(comments, "CONSTRAINT " + quote_ident(name) + " ON " + key, c.comment);
    }
    for (const auto& [name, ix] : t->indexes) {
      add_comment(comments, "INDEX " + quote_qualified(t->schema, name), ix.comment);
    }
    for (const auto& [name, tr] : t->triggers) {
      add_comment(comments, "TRIGGER " + quote_ident(name) + " ON " + key, tr.comment);
    }
    for (const auto& [name, p] : t->policies) {
      add_comment(comments, "POLICY " + quote_ident(name) + " ON " + key, p.comment);
    }
  }
  for (const View* v : views) {
    std::string key = quote_qualified(v->schema, v->name);
    add_comment(comments, std::string(v->materialized ? "MATERIALIZED VIEW " : "VIEW ") + key,
                v->comment);
    for (const auto& [column, comment] : v->column_comments) {
      add_comment(comments, "COLUMN " + key + "." + quote_ident(column), comment);
    }
    for (const auto& [name, ix] : v->indexes) {
      add_comment(comments, "INDEX " + quote_qualified(v->schema, name), ix.comment);
    }
    for (const auto& [name, tr] : v->triggers) {
      add_comment(comments, "TRIGGER " + quote_ident(name) + " ON " + key, tr.comment);
    }
  }
  if (!comments.str().empty()) section("comments");
  out << comments.str();

  std::ostringstream grants;
  auto grants_of = [&grants](const std::string& what, const std::vector<Grant>& list) {
    for (const auto& g : list) grants << render_grant(what, g) << "\n";
  };
  for (const auto& [name, ns] : model.schemas) grants_of("SCHEMA " + quote_ident(name), ns.grants);
  for (const auto& [key, s] : model.sequences) grants_of("SEQUENCE " + key, s.grants);
  for (const auto& [key, f] : model.functions) grants_of(function_what(f), f.grants);
  for (const auto& [key, a] : model.aggregates) grants_of(aggregate_grant_what(a), a.grants);
  for (const Table* t : tables) {
    std::string what = "TABLE " + quote_qualified(t->schema, t->name);
    grants_of(what, t->grants);
    for (const auto& c : t->columns) {
      for (Grant g : c.grants) {
        if (g.columns.empty()) g.columns = {c.name};
        grants << render_grant(what, g) << "\n";
      }
    }
  }
  for (const View* v : views) grants_of("TABLE " + quote_qualified(v->schema, v->name), v->grants);
  if (!grants.str().empty()) section("grants");
  out << grants.str();

  std::ostringstream owners;
  auto owner_of = [&owners](const std::string& what, const std::string& owner) {
    if (!owner.empty()) owners << "ALTER " << what << " OWNER TO " << quote_ident(owner) << ";\n";
  };
  for (const auto& [name, ns] : model.schemas) owner_of("SCHEMA " + quote_ident(name), ns.owner);
  for (const auto& [key, e] : model.enums) owner_of("TYPE " + key, e.owner);
  for (const auto& [key, c] : model.composite_types) owner_of("TYPE " + key, c.owner);
  for (const auto& [key, d] : model.domains) owner_of("DOMAIN " + key, d.owner);
  for (const auto& [key, f] : model.functions) owner_of(function_what(f), f.owner);
  for (const Table* t : tables) owner_of("TABLE " + quote_qualified(t->schema, t->name), t->owner);
  // A table's sequences take its owner: theirs come after.
  for (const auto& [key, s] : model.sequences) owner_of("SEQUENCE " + key, s.owner);
  for (const View* v : views)
    owner_of(std::string(v->materialized ? "MATERIALIZED VIEW " : "VIEW ") +
                 quote_qualified(v->schema, v->name),
             v->owner);
  if (!owners.str().empty()) section("owners");
  out << owners.str();

  // Last: default privileges apply to the objects created after them.
  std::ostringstream defaults;
  for (const auto& [key, d] : model.default_privileges) {
    std::string prefix = "ALTER DEFAULT PRIVILEGES ";
    if (!d.role.empty()) prefix += "FOR ROLE " + quote_ident(d.role) + " ";
    if (!d.schema.empty()) prefix += "IN SCHEMA " + quote_ident(d.schema) + " ";
    for (const Grant& g :
         d.schema.empty() ? builtin_default_grants(d.object_type) : std::vector<Grant>{})
      if (std::find(d.grants.begin(), d.grants.end(), g) == d.grants.end())
        defaults << prefix << render_revoke(d.object_type, g) << "\n";
    for (const Grant& g : d.grants) defaults << prefix << render_grant(d.object_type, g) << "\n";
  }
  if (!defaults.str().empty()) section("default privileges");
  out << defaults.str();
  return out.str();
}

}  // namespace pgdrift::schema
