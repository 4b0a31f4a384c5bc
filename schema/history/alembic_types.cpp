// SQLAlchemy values in Alembic revisions -> PostgreSQL SQL text: types, columns, server
// defaults and foreign keys, rendered the way SQLAlchemy's PostgreSQL dialect renders them.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "schema/canonical.h"
#include "schema/history/alembic_reader.h"

namespace pgdrift::schema::history::alembic {

namespace {

const Value* positional(const Value& call, size_t index, const char* keyword) {
  if (index < call.items.size()) return call.items[index].get();
  return keyword ? call.kwarg(keyword) : nullptr;
}

bool is_integer_text(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

bool RevisionReader::flag(const Value* value, bool fallback) const {
  value = deref(value);
  if (!value || value->kind != Value::Bool) return fallback;
  return value->text == "True";
}

std::optional<std::string> RevisionReader::string_value(const Value* value,
                                                        const std::string& what) {
  value = deref(value);
  if (!value) {
    problem(0, what + " is missing");
    return std::nullopt;
  }
  if (value->kind == Value::String && !value->formatted) return value->text;
  // op.f("name") marks a name as final (no naming convention applied): same text for us.
  if (value->kind == Value::Call && resolve(value->text) == "alembic.op.f" &&
      value->items.size() == 1)
    return string_value(value->items[0].get(), what);
  if (value->kind == Value::Call && sqlalchemy_name(value->text) == "schema.conv" &&
      value->items.size() == 1)
    return string_value(value->items[0].get(), what);
  problem(value->line, what + " is not a static string");
  return std::nullopt;
}

std::optional<std::vector<std::string>> RevisionReader::string_list(const Value* value,
                                                                    const std::string& what) {
  value = deref(value);
  std::vector<std::string> out;
  if (value && value->kind == Value::String) return std::vector<std::string>{value->text};
  if (!value || (value->kind != Value::List && value->kind != Value::Tuple)) {
    problem(value ? value->line : 0, what + " is not a static list of names");
    return std::nullopt;
  }
  for (const auto& item : value->items) {
    auto s = string_value(item.get(), what);
    if (!s) return std::nullopt;
    out.push_back(*s);
  }
  return out;
}

std::optional<std::string> RevisionReader::sql_text(const Value* value, const std::string& what) {
  value = deref(value);
  if (value && value->kind == Value::Call) {
    std::string sa = sqlalchemy_name(value->text);
    if ((sa == "text" || sa == "literal_column") && !value->items.empty())
      return string_value(value->items[0].get(), what);
  }
  if (value && value->kind == Value::String && !value->formatted) return value->text;
  problem(value ? value->line : 0, what + " is not static SQL text");
  return std::nullopt;
}

std::optional<std::string> RevisionReader::server_default(const Value* value) {
  value = deref(value);
  if (!value) return std::nullopt;
  if (value->kind == Value::String && !value->formatted) return quote_literal(value->text);
  if (value->kind == Value::Call) {
    std::string sa = sqlalchemy_name(value->text);
    if (sa == "text" || sa == "literal_column") return sql_text(value, "server_default");
    if (sa == "true" || sa == "false" || sa == "null") return upper(sa);
    if (sa.rfind("func.", 0) == 0) {
      std::string fn = sa.substr(5);
      std::string sql = fn + "(";
      for (size_t i = 0; i < value->items.size(); ++i) {
        const Value* arg = deref(value->items[i].get());
        if (i) sql += ", ";
        if (arg->kind == Value::String)
          sql += quote_literal(arg->text);
        else if (arg->kind == Value::Number)
          sql += arg->text;
        else {
          problem(arg->line, "argument of sa.func." + fn + "() is not a literal");
          return std::nullopt;
        }
      }
      // SQLAlchemy renders these ANSI functions without parentheses.
      if (fn == "current_timestamp" || fn == "current_date" || fn == "current_time" ||
          fn == "localtimestamp" || fn == "current_user")
        return upper(fn);
      return sql + ")";
    }
  }
  problem(value->line, "server_default is not statically readable (use a string or sa.text())");
  return std::nullopt;
}

std::optional<std::string> RevisionReader::type_sql(const Value* value, int line) {
  value = deref(value);
  if (!value || (value->kind != Value::Name && value->kind != Value::Call)) {
    problem(value ? value->line : line, "column type is not statically readable");
    return std::nullopt;
  }
  std::string sa = sqlalchemy_name(value->text);
  static const Value no_args;
  const Value& call = value->kind == Value::Call ? *value : no_args;
  auto int_arg = [&](size_t index, const char* keyword) -> std::optional<std::string> {
    const Value* v = deref(positional(call, index, keyword));
    if (v && v->kind == Value::Number && is_integer_text(v->text)) return v->text;
    return std::nullopt;
  };
  auto timezone = [&](size_t index) { return flag(positional(call, index, "timezone"), false); };

  static const std::map<std::string, std::string> simple = {
      {"Integer", "integer"},
      {"INTEGER", "integer"},
      {"INT", "integer"},
      {"BigInteger", "bigint"},
      {"BIGINT", "bigint"},
      {"SmallInteger", "smallint"},
      {"SMALLINT", "smallint"},
      {"Text", "text"},
      {"TEXT", "text"},
      {"UnicodeText", "text"},
      {"CLOB", "text"},
      {"Boolean", "boolean"},
      {"BOOLEAN", "boolean"},
      {"Date", "date"},
      {"DATE", "date"},
      {"REAL", "real"},
      {"DOUBLE_PRECISION", "double precision"},
      {"Double", "double precision"},
      {"DOUBLE", "double precision"},
      {"LargeBinary", "bytea"},
      {"BYTEA", "bytea"},
      {"BLOB", "bytea"},
      {"JSON", "json"},
      {"JSONB", "jsonb"},
      {"UUID", "uuid"},
      {"Uuid", "uuid"},
      {"INET", "inet"},
      {"CIDR", "cidr"},
      {"MACADDR", "macaddr"},
      {"TSVECTOR", "tsvector"},
      {"MONEY", "money"},
      {"OID", "oid"},
      {"HSTORE", "hstore"},
      {"CITEXT", "citext"},
      {"INT4RANGE", "int4range"},
      {"TSTZRANGE", "tstzrange"},
      {"DATERANGE", "daterange"},
      {"BIT", "bit"}};
  if (auto it = simple.find(sa); it != simple.end()) return it->second;
  if (sa == "String" || sa == "VARCHAR" || sa == "Unicode" || sa == "NVARCHAR") {
    auto n = int_arg(0, "length");
    return n ? "varchar(" + *n + ")" : std::string("varchar");
  }
  if (sa == "CHAR" || sa == "NCHAR") {
    auto n = int_arg(0, "length");
    return n ? "char(" + *n + ")" : std::string("char");
  }
  if (sa == "DateTime" || sa == "TIMESTAMP") {
    auto precision = sa == "TIMESTAMP" ? int_arg(99, "precision") : std::nullopt;
    return std::string("timestamp") + (precision ? "(" + *precision + ")" : "") +
           (timezone(0) ? " with time zone" : " without time zone");
  }
  if (sa == "Time" || sa == "TIME")
    return std::string("time") + (timezone(0) ? " with time zone" : " without time zone");
  if (sa == "Interval" || sa == "INTERVAL") return std::string("interval");
  if (sa == "Numeric" || sa == "NUMERIC" || sa == "DECIMAL") {
    auto p = int_arg(0, "precision");
    auto s = int_arg(1, "scale");
    if (p && s) return "numeric(" + *p + "," + *s + ")";
    if (p) return "numeric(" + *p + ")";
    return std::string("numeric");
  }
  if (sa == "Float" || sa == "FLOAT") {
    // SQLAlchemy renders FLOAT, which PostgreSQL reads as double precision.
    auto p = int_arg(0, "precision");
    return p ? "float(" + *p + ")" : std::string("double precision");
  }
  if (sa == "ARRAY") {
    auto item = type_sql(positional(call, 0, "item_type"), line);
    if (!item) return std::nullopt;
    return *item + "[]";
  }
  if (sa == "Enum" || sa == "ENUM") {
    std::vector<std::string> values;
    for (const auto& item : call.items) {
      const Value* v = deref(item.get());
      if (v->kind != Value::String) {
        problem(v->line, "enum values are not string literals (Python enum classes are not read)");
        return std::nullopt;
      }
      values.push_back(v->text);
    }
    const Value* name_value = call.kwarg("name");
    if (!name_value) {
      problem(value->line, "enum type without name= (PostgreSQL needs a type name)");
      return std::nullopt;
    }
    if (!flag(call.kwarg("native_enum"), true)) {
      problem(value->line, "non-native enum (native_enum=False) is not supported");
      return std::nullopt;
    }
    auto name = string_value(name_value, "enum name");
    if (!name) return std::nullopt;
    std::string type = quote_ident(*name);
    if (const Value* schema = call.kwarg("schema")) {
      auto s = string_value(schema, "enum schema");
      if (!s) return std::nullopt;
      type = quote_qualified(*s, *name);
    }
    bool create = flag(call.kwarg("create_type"), true) && !values.empty();
    if (create &&
        std::find(created_enums_.begin(), created_enums_.end(), type) == created_enums_.end()) {
      std::string sql = "CREATE TYPE " + type + " AS ENUM (";
      for (size_t i = 0; i < values.size(); ++i) sql += (i ? ", " : "") + quote_literal(values[i]);
      emit(line, sql + ")");
      created_enums_.push_back(type);
    }
    return type;
  }
  problem(value->line, "SQLAlchemy type " + value->text + " is not supported");
  return std::nullopt;
}

std::optional<std::string> RevisionReader::fk_actions(const Value& options) {
  static const std::set<std::string> actions = {"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT",
                                                "NO ACTION"};
  std::string sql;
  for (const char* key : {"ondelete", "onupdate"}) {
    const Value* v = deref(options.kwarg(key));
    if (!v || v->kind == Value::None) continue;
    auto action = string_value(v, key);
    if (!action) return std::nullopt;
    if (!actions.count(upper(*action))) {
      problem(v->line, std::string(key) + "='" + *action + "' is not a foreign key action");
      return std::nullopt;
    }
    sql += std::string(key[2] == 'd' ? " ON DELETE " : " ON UPDATE ") + upper(*action);
  }
  if (const Value* v = deref(options.kwarg("match")); v && v->kind != Value::None) {
    auto match = string_value(v, "match");
    if (!match) return std::nullopt;
    sql += " MATCH " + upper(*match);
  }
  if (flag(options.kwarg("deferrable"), false)) sql += " DEFERRABLE";
  if (const Value* v = deref(options.kwarg("initially")); v && v->kind != Value::None) {
    auto initially = string_value(v, "initially");
    if (!initially) return std::nullopt;
    sql += " INITIALLY " + upper(*initially);
  }
  return sql;
}

std::optional<std::string> RevisionReader::foreign_key_clause(
    const std::vector<std::string>& local, const std::vector<std::string>& targets,
    const Value& options) {
  std::string table;
  std::vector<std::string> ref_columns;
  for (const auto& target : targets) {
    size_t dot = target.rfind('.');
    if (dot == std::string::npos) {
      problem(options.line, "foreign key target '" + target + "' is not table.column");
      return std::nullopt;
    }
    std::string t = target.substr(0, dot);
    size_t schema_dot = t.find('.');
    t = schema_dot == std::string::npos
            ? quote_ident(t)
            : quote_qualified(t.substr(0, schema_dot), t.substr(schema_dot + 1));
    if (!table.empty() && table != t) {
      problem(options.line, "foreign key targets name different tables");
      return std::nullopt;
    }
    table = t;
    ref_columns.push_back(quote_ident(target.substr(dot + 1)));
  }
  if (targets.size() != local.size() || targets.empty()) {
    problem(options.line, "foreign key column lists differ in length");
    return std::nullopt;
  }
  std::string sql;
  if (const Value* name = deref(options.kwarg("name")); name && name->kind != Value::None) {
    auto n = string_value(name, "constraint name");
    if (!n) return std::nullopt;
    sql += "CONSTRAINT " + quote_ident(*n) + " ";
  }
  auto join = [](const std::vector<std::string>& v, bool quote) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + (quote ? quote_ident(v[i]) : v[i]);
    return s;
  };
  auto actions = fk_actions(options);
  if (!actions) return std::nullopt;
  return sql + "FOREIGN KEY (" + join(local, true) + ") REFERENCES " + table + " (" +
         join(ref_columns, false) + ")" + *actions;
}

std::optional<ColumnSql> RevisionReader::column(const Value* value) {
  value = deref(value);
  if (!value || value->kind != Value::Call || sqlalchemy_name(value->text) != "Column") {
    problem(value ? value->line : 0, "expected sa.Column(...)");
    return std::nullopt;
  }
  ColumnSql c;
  c.line = value->line;
  const Value* type = value->kwarg("type_");
  std::vector<const Value*> extras;  // ForeignKey, Identity, Computed, ...
  size_t next = 0;
  if (const Value* name = value->kwarg("name")) {
    auto n = string_value(name, "column name");
    if (!n) return std::nullopt;
    c.name = *n;
  } else if (!value->items.empty()) {
    auto n = string_value(value->items[0].get(), "column name");
    if (!n) return std::nullopt;
    c.name = *n;
    next = 1;
  } else {
    problem(value->line, "sa.Column() without a name");
    return std::nullopt;
  }
  for (size_t i = next; i < value->items.size(); ++i) {
    const Value* item = deref(value->items[i].get());
    std::string sa =
        item->kind == Value::Call || item->kind == Value::Name ? sqlalchemy_name(item->text) : "";
    if (sa == "ForeignKey" || sa == "Identity" || sa == "Computed" || sa == "Sequence" ||
        sa == "CheckConstraint")
      extras.push_back(item);
    else if (!type)
      type = item;
    else {
      problem(item->line, "unexpected argument of sa.Column('" + c.name + "')");
      return std::nullopt;
    }
  }
  if (!type) {
    problem(value->line, "column '" + c.name + "' has no type (inferred types are not read)");
    return std::nullopt;
  }
  auto type_text = type_sql(type, value->line);
  if (!type_text) return std::nullopt;
  c.base_type = *type_text;
  c.primary_key = flag(value->kwarg("primary_key"), false);
  bool nullable = flag(value->kwarg("nullable"), !c.primary_key);
  std::string def = quote_ident(c.name) + " " + *type_text;
  for (const Value* extra : extras) {
    std::string sa = sqlalchemy_name(extra->text);
    if (sa == "ForeignKey") {
      auto target =
          string_value(extra->items.empty() ? extra->kwarg("column") : extra->items[0].get(),
                       "ForeignKey target");
      if (!target) return std::nullopt;
      auto clause = foreign_key_clause({c.name}, {*target}, *extra);
      if (!clause) return std::nullopt;
      c.constraints.push_back(*clause);
      c.has_foreign_key = true;
    } else if (sa == "Identity") {
      bool always = flag(extra->kwarg("always"), false);
      def += always ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY";
      c.identity = true;
    } else if (sa == "Computed") {
      auto expr =
          sql_text(extra->items.empty() ? nullptr : extra->items[0].get(), "Computed expression");
      if (!expr) return std::nullopt;
      def += " GENERATED ALWAYS AS (" + *expr + ") STORED";
    } else if (sa == "CheckConstraint") {
      auto expr = sql_text(extra->items.empty() ? nullptr : extra->items[0].get(),
                           "CheckConstraint condition");
      if (!expr) return std::nullopt;
      std::string clause;
      if (const Value* name = extra->kwarg("name")) {
        auto n = string_value(name, "constraint name");
        if (!n) return std::nullopt;
        clause = "CONSTRAINT " + quote_ident(*n) + " ";
      }
      c.constraints.push_back(clause + "CHECK (" + *expr + ")");
    } else {
      problem(extra->line, "sa." + sa + "() in a column is not supported");
      return std::nullopt;
    }
  }
  if (!nullable) def += " NOT NULL";
  if (const Value* d = deref(value->kwarg("server_default")); d && d->kind != Value::None) {
    auto sql = server_default(d);
    if (!sql) return std::nullopt;
    def += " DEFAULT " + *sql;
    c.has_default = true;
  }
  const Value* autoincrement = deref(value->kwarg("autoincrement"));
  c.autoincrement_off =
      autoincrement && autoincrement->kind == Value::Bool && autoincrement->text == "False";
  c.index = flag(value->kwarg("index"), false);
  bool unique = flag(value->kwarg("unique"), false);
  if (unique && c.index)
    c.unique_index = true;  // SQLAlchemy makes a unique index, not a constraint
  else if (unique)
    c.constraints.push_back("UNIQUE (" + quote_ident(c.name) + ")");
  if (const Value* comment = deref(value->kwarg("comment"));
      comment && comment->kind != Value::None) {
    auto text = string_value(comment, "column comment");
    if (!text) return std::nullopt;
    c.comment = *text;
  }
  c.definition = def;
  return c;
}

}  // namespace pgdrift::schema::history::alembic
