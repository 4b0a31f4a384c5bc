// Identifiers and types in canonical form. Expressions live in canonical_expr.cpp.
#include "schema/canonical.h"

#include "schema/interval_text.h"

#include <pg_query/pg_query.pb-c.h>

#include <map>
#include <vector>

#include "schema/parse_tree.h"
#include "schema/pg_builtins.h"

namespace pgdrift::schema {

std::string quote_ident(const std::string& name) {
  // ruleutils.c quote_identifier: safe = [a-z_][a-z0-9_]* (note: '$' forces quoting) and not
  // a keyword outside the UNRESERVED category.
  bool safe = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) safe = false;
  }
  if (safe && !is_quoted_keyword(name)) return name;
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string quote_qualified(const std::string& schema, const std::string& name) {
  return quote_ident(schema) + "." + quote_ident(name);
}

std::string quote_literal(const std::string& value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  return quoted + "'";
}

namespace {

// Synonyms the grammar does not already map to the pg_catalog name (it maps `integer`,
// `double precision`, `character varying`, ... itself; text input such as "int" or
// "boolean" arrives unmapped when written in a form the grammar does not special-case).
const std::map<std::string, std::string>& simple_type_spellings() {
  static const std::map<std::string, std::string> spellings = {
      {"int2", "smallint"},   {"smallint", "smallint"},
      {"int4", "integer"},    {"int", "integer"},
      {"integer", "integer"}, {"int8", "bigint"},
      {"bigint", "bigint"},   {"float4", "real"},
      {"real", "real"},       {"float8", "double precision"},
      {"bool", "boolean"},    {"boolean", "boolean"},
  };
  return spellings;
}

// intervaltypmodout's spellings of the field bits (schema/interval_text.h).
std::string interval_fields(int mask) {
  using namespace interval_field;
  const int month = kMonth, year = kYear, day = kDay, hour = kHour, minute = kMinute,
            second = kSecond;
  if (mask == kFullRange) return "";
  if (mask == year) return " year";
  if (mask == month) return " month";
  if (mask == day) return " day";
  if (mask == hour) return " hour";
  if (mask == minute) return " minute";
  if (mask == second) return " second";
  if (mask == (year | month)) return " year to month";
  if (mask == (day | hour)) return " day to hour";
  if (mask == (day | hour | minute)) return " day to minute";
  if (mask == (day | hour | minute | second)) return " day to second";
  if (mask == (hour | minute)) return " hour to minute";
  if (mask == (hour | minute | second)) return " hour to second";
  if (mask == (minute | second)) return " minute to second";
  throw CanonicalError("invalid interval typmod " + std::to_string(mask));
}

std::string paren(int value) { return "(" + std::to_string(value) + ")"; }

// format_type() spelling of a pg_catalog type with the typmods written in the SQL.
std::string format_builtin(const std::string& name, const std::vector<int>& mods) {
  auto with_precision = [&](const std::string& base, const std::string& suffix) {
    return mods.empty() ? base + suffix : base + paren(mods[0]) + suffix;
  };
  if (auto it = simple_type_spellings().find(name); it != simple_type_spellings().end()) {
    if (!mods.empty()) throw CanonicalError("type " + name + " takes no modifiers");
    return it->second;
  }
  if (name == "numeric" || name == "decimal") {
    if (mods.empty()) return "numeric";
    int scale = mods.size() > 1 ? mods[1] : 0;
    return "numeric(" + std::to_string(mods[0]) + "," + std::to_string(scale) + ")";
  }
  if (name == "varchar") return with_precision("character varying", "");
  if (name == "bpchar") return mods.empty() ? "bpchar" : "character" + paren(mods[0]);
  if (name == "bit") return with_precision("bit", "");
  if (name == "varbit") return with_precision("bit varying", "");
  if (name == "timestamp") return with_precision("timestamp", " without time zone");
  if (name == "timestamptz") return with_precision("timestamp", " with time zone");
  if (name == "time") return with_precision("time", " without time zone");
  if (name == "timetz") return with_precision("time", " with time zone");
  if (name == "interval") {
    if (mods.empty()) return "interval";
    std::string text = "interval" + interval_fields(mods[0]);
    if (mods.size() > 1 && mods[1] != interval_field::kFullPrecision) text += paren(mods[1]);
    return text;
  }
  std::string text = quote_ident(name);
  if (!mods.empty()) {
    text += "(";
    for (size_t i = 0; i < mods.size(); ++i) text += (i ? "," : "") + std::to_string(mods[i]);
    text += ")";
  }
  return text;
}

std::string string_of(const PgQuery__Node* node) {
  if (node == nullptr || node->node_case != PG_QUERY__NODE__NODE_STRING) {
    throw CanonicalError("unexpected node in type name");
  }
  return node->string->sval;
}

int typmod_of(const PgQuery__Node* node) {
  if (node != nullptr && node->node_case == PG_QUERY__NODE__NODE_A_CONST &&
      node->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
    return node->a_const->ival->ival;
  }
  throw CanonicalError("unsupported type modifier `" +
                       (node ? deparse_expr(node) : std::string("?")) + "`");
}

const std::map<std::string, std::string>& serial_types() {
  static const std::map<std::string, std::string> names = {
      {"serial", "integer"}, {"serial4", "integer"},      {"bigserial", "bigint"},
      {"serial8", "bigint"}, {"smallserial", "smallint"}, {"serial2", "smallint"}};
  return names;
}

}  // namespace

bool is_builtin_type_name(const std::string& name) {
  return is_pg_catalog_type(name) || simple_type_spellings().count(name) > 0 || name == "decimal";
}

std::string canonical_type(const PgQuery__TypeName* type, const std::string& default_schema) {
  if (type == nullptr) throw CanonicalError("missing type");
  if (type->pct_type) throw CanonicalError("%TYPE references are not supported");
  std::vector<std::string> names;
  for (size_t i = 0; i < type->n_names; ++i) names.push_back(string_of(type->names[i]));
  if (names.empty()) throw CanonicalError("empty type name");
  if (names.size() > 3) throw CanonicalError("improper qualified type name");
  std::string name = names.back();
  std::string schema = names.size() >= 2 ? names[names.size() - 2] : "";
  std::vector<int> mods;
  for (size_t i = 0; i < type->n_typmods; ++i) mods.push_back(typmod_of(type->typmods[i]));

  if (schema.empty() && serial_types().count(name) > 0) {
    throw CanonicalError("serial types are expanded by the loader, not canonical: " + name);
  }
  std::string text;
  if (schema == "pg_catalog" || (schema.empty() && is_builtin_type_name(name))) {
    text = format_builtin(name, mods);
  } else {
    text = quote_qualified(schema.empty() ? default_schema : schema, name);
    if (!mods.empty()) {
      text += "(";
      for (size_t i = 0; i < mods.size(); ++i) text += (i ? "," : "") + std::to_string(mods[i]);
      text += ")";
    }
  }
  // format_type prints one "[]" however many dimensions were declared (PostgreSQL does not
  // enforce them), so `integer[][]` and `integer[]` are the same type.
  if (type->n_array_bounds > 0) text += "[]";
  if (type->setof) text = "SETOF " + text;
  return text;
}

namespace {

// `fn` of the TypeName that `type_sql` parses to, as a column's type: a column definition accepts
// every type spelling, including interval fields and SETOF-free array forms; the statement is
// never executed.
template <class F>
auto with_type_name(const std::string& type_sql, F&& fn) {
  auto tree = parse_tree::parse("CREATE TABLE t (c " + type_sql + ")");
  const PgQuery__Node* stmt = parse_tree::first_statement(tree);
  if (tree->n_stmts != 1 || stmt->node_case != PG_QUERY__NODE__NODE_CREATE_STMT ||
      stmt->create_stmt->n_table_elts != 1 ||
      stmt->create_stmt->table_elts[0]->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) {
    throw CanonicalError("not a type: " + type_sql);
  }
  return fn(stmt->create_stmt->table_elts[0]->column_def->type_name);
}

}  // namespace

std::string canonical_type_text(const std::string& type_sql, const std::string& default_schema) {
  return with_type_name(type_sql, [&](const PgQuery__TypeName* type) {
    return canonical_type(type, default_schema);
  });
}

bool TypeReference::builtin() const {
  return (schema.empty() || schema == "pg_catalog") && is_builtin_type_name(name);
}

TypeReference type_reference(const std::string& type_sql) {
  return with_type_name(type_sql, [&](const PgQuery__TypeName* type) {
    if (type == nullptr || type->n_names == 0 || type->n_names > 3 || type->pct_type)
      throw CanonicalError("not a type: " + type_sql);
    TypeReference r;
    r.name = string_of(type->names[type->n_names - 1]);
    if (type->n_names >= 2) r.schema = string_of(type->names[type->n_names - 2]);
    return r;
  });
}

TypeNameParts split_type_name(const std::string& type) {
  TypeNameParts p;
  std::string t = type;
  while (t.size() > 2 && t.compare(t.size() - 2, 2, "[]") == 0) {
    p.array = true;
    t.resize(t.size() - 2);
  }
  size_t open = t.find('(');
  if (open != std::string::npos && t.find('"') == std::string::npos) {
    size_t close = t.find(')', open);
    std::string inside =
        t.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
    for (size_t pos = 0; pos <= inside.size();) {
      size_t comma = inside.find(',', pos);
      try {
        p.mods.push_back(std::stoi(inside.substr(pos, comma - pos)));
      } catch (...) {
      }
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    // "timestamp(3) with time zone": keep the words after the typmod in the base.
    t = t.substr(0, open) + (close == std::string::npos ? "" : t.substr(close + 1));
    while (!t.empty() && t.back() == ' ') t.pop_back();
  }
  p.base = t;
  return p;
}

}  // namespace pgdrift::schema
