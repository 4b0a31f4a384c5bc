// op.* calls of an Alembic upgrade() -> PostgreSQL DDL, as Alembic's PostgreSQL
// implementation would emit it. batch_op.* calls are the same calls with the table name of
// their `with op.batch_alter_table(...)` block put in.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "schema/canonical.h"
#include "schema/history/alembic_reader.h"

namespace pgdrift::schema::history::alembic {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool equals_word(const std::string& text, size_t begin, size_t end, const char* word) {
  size_t n = std::char_traits<char>::length(word);
  if (end - begin != n) return false;
  for (size_t i = 0; i < n; ++i)
    if (std::toupper(static_cast<unsigned char>(text[begin + i])) != word[i]) return false;
  return true;
}

// An index key with a trailing ordering, "created_at DESC" or "lower(name) ASC NULLS LAST"
// (any case, any spacing): the key and the ordering as written, or nothing. By hand, in one
// pass over the words: std::regex recurses per character and overflows on long texts.
std::optional<std::pair<std::string, std::string>> split_ordering(const std::string& text) {
  std::vector<std::pair<size_t, size_t>> words;  // [begin, end) of the last four words
  for (size_t end = text.size(); end > 0 && words.size() < 4;) {
    while (end > 0 && is_space(text[end - 1])) --end;
    if (end == 0) break;
    size_t begin = end;
    while (begin > 0 && !is_space(text[begin - 1])) --begin;
    words.emplace_back(begin, end);
    end = begin;
  }
  auto is = [&](size_t i, const char* word) {
    return equals_word(text, words[i].first, words[i].second, word);
  };
  size_t first;  // index (from the end) of ASC / DESC
  if (words.size() >= 4 && (is(0, "FIRST") || is(0, "LAST")) && is(1, "NULLS") &&
      (is(2, "ASC") || is(2, "DESC")))
    first = 2;
  else if (words.size() >= 2 && (is(0, "ASC") || is(0, "DESC")))
    first = 0;
  else
    return std::nullopt;
  size_t key_end = words[first + 1].second;
  size_t key_begin = 0;
  while (key_begin < key_end && is_space(text[key_begin])) ++key_begin;
  return std::make_pair(text.substr(key_begin, key_end - key_begin),
                        text.substr(words[first].first, words[0].second - words[first].first));
}

bool is_plain_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string join(const std::vector<std::string>& parts, const std::string& sep = ", ") {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::vector<std::string> quoted(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& n : names) out.push_back(quote_ident(n));
  return out;
}

// Positional index of the table argument of each batch_op method (the rest shift right).
const std::map<std::string, size_t>& batch_table_position() {
  static const std::map<std::string, size_t> positions = {{"add_column", 0},
                                                          {"drop_column", 0},
                                                          {"alter_column", 0},
                                                          {"create_index", 1},
                                                          {"drop_index", 1},
                                                          {"create_foreign_key", 1},
                                                          {"create_unique_constraint", 1},
                                                          {"create_check_constraint", 1},
                                                          {"create_primary_key", 1},
                                                          {"drop_constraint", 1},
                                                          {"create_table_comment", 0},
                                                          {"drop_table_comment", 0}};
  return positions;
}

}  // namespace

void RevisionReader::op_call(const std::string& name, const Value& call,
                             const std::string& batch_table, const Value* batch_schema) {
  const int line = call.line;
  const bool batch = !batch_table.empty();
  size_t table_pos = SIZE_MAX;
  if (batch) {
    auto it = batch_table_position().find(name);
    if (it == batch_table_position().end()) {
      problem(line, "batch_op." + name + "() is not supported");
      return;
    }
    table_pos = it->second;
  }
  Value batch_table_value;
  batch_table_value.kind = Value::String;
  batch_table_value.text = batch_table;
  batch_table_value.line = line;
  // Argument `index` (positional) or `keyword`, with the batch table put in.
  auto arg = [&](size_t index, const char* keyword) -> const Value* {
    if (batch && index == table_pos) return &batch_table_value;
    size_t i = batch && index > table_pos ? index - 1 : index;
    if (index != SIZE_MAX && i < call.items.size()) return deref(call.items[i].get());
    return keyword ? deref(call.kwarg(keyword)) : nullptr;
  };
  auto present = [](const Value* v) { return v && v->kind != Value::None; };
  auto table_ref = [&](const Value* table, const Value* schema) -> std::optional<std::string> {
    auto t = string_value(table, "table name");
    if (!t) return std::nullopt;
    if (!present(schema) && batch) schema = deref(batch_schema);
    if (present(schema)) {
      auto s = string_value(schema, "schema");
      if (!s) return std::nullopt;
      return quote_qualified(*s, *t);
    }
    return quote_ident(*t);
  };
  auto schema_kw = [&](const char* keyword = "schema") { return deref(call.kwarg(keyword)); };
  auto comment_sql = [&](const std::string& what, const Value* comment) {
    auto text = string_value(comment, "comment");
    if (text) emit(line, "COMMENT ON " + what + " IS " + quote_literal(*text));
  };
  auto index_column = [&](const Value* v, const Value* ops) -> std::optional<std::string> {
    v = deref(v);
    std::string text;
    if (v && v->kind == Value::String && !v->formatted) {
      text = v->text;
    } else if (v && v->kind == Value::Call &&
               (sqlalchemy_name(v->text) == "text" ||
                sqlalchemy_name(v->text) == "literal_column")) {
      auto t = sql_text(v, "index expression");
      if (!t) return std::nullopt;
      text = *t;
    } else {
      problem(v ? v->line : line, "index column is not a static name or sa.text()");
      return std::nullopt;
    }
    // "created_at DESC": the ordering goes after the key, outside its parentheses.
    std::string suffix;
    if (auto split = split_ordering(text)) {
      text = split->first;
      suffix = " " + split->second;
    }
    bool plain = is_plain_identifier(text);
    std::string sql = plain ? quote_ident(text) : "(" + text + ")";
    if (plain && ops && ops->kind == Value::Dict) {
      for (size_t i = 0; i < ops->keys.size(); ++i)
        if (ops->keys[i] == text && ops->items[i]->kind == Value::String)
          sql += " " + ops->items[i]->text;
    }
    return sql + suffix;
  };
  // CREATE INDEX from a name, table and key values, with postgresql_* options of `options`.
  auto index_sql = [&](const std::string& index_name, const std::string& table,
                       const std::vector<const Value*>& keys,
                       const Value& options) -> std::optional<std::string> {
    std::vector<std::string> key_sql;
    const Value* ops = deref(options.kwarg("postgresql_ops"));
    for (const Value* k : keys) {
      auto s = index_column(k, ops);
      if (!s) return std::nullopt;
      key_sql.push_back(*s);
    }
    std::string sql = "CREATE ";
    if (flag(options.kwarg("unique"), false)) sql += "UNIQUE ";
    sql += "INDEX ";
    if (flag(options.kwarg("postgresql_concurrently"), false)) sql += "CONCURRENTLY ";
    if (flag(options.kwarg("if_not_exists"), false)) sql += "IF NOT EXISTS ";
    sql += quote_ident(index_name) + " ON " + table;
    if (const Value* using_ = deref(options.kwarg("postgresql_using")); present(using_)) {
      auto method = string_value(using_, "postgresql_using");
      if (!method) return std::nullopt;
      sql += " USING " + *method;
    }
    sql += " (" + join(key_sql) + ")";
    if (const Value* include = deref(options.kwarg("postgresql_include")); present(include)) {
      auto cols = string_list(include, "postgresql_include");
      if (!cols) return std::nullopt;
      sql += " INCLUDE (" + join(quoted(*cols)) + ")";
    }
    if (const Value* where = deref(options.kwarg("postgresql_where")); present(where)) {
      auto text = sql_text(where, "postgresql_where");
      if (!text) return std::nullopt;
      sql += " WHERE " + *text;
    }
    return sql;
  };
  auto constraint_prefix = [&](const Value* name) -> std::optional<std::string> {
    if (!present(name)) return std::string();
    auto n = string_value(name, "constraint name");
    if (!n) return std::nullopt;
    return "CONSTRAINT " + quote_ident(*n) + " ";
  };

  if (name == "create_table") {
    auto table_name = string_value(arg(0, "table_name"), "table name");
    auto table = table_ref(arg(0, "table_name"), schema_kw());
    if (!table_name || !table) return;
    std::vector<ColumnSql> columns;
    std::vector<std::string> pk_columns;
    std::string pk_prefix;
    int pk_line = 0;  // of a PrimaryKeyConstraint; 0 when the columns say primary_key=True
    std::vector<std::pair<int, std::string>> table_constraints;  // (line, clause)
    std::vector<std::string> after;                              // CREATE INDEX statements
    for (size_t i = 1; i < call.items.size(); ++i) {
      const Value* item = deref(call.items[i].get());
      std::string sa = item->kind == Value::Call ? sqlalchemy_name(item->text) : "";
      if (sa == "Column") {
        auto c = column(item);
        if (!c) return;
        if (c->primary_key) pk_columns.push_back(c->name);
        columns.push_back(*c);
      } else if (sa == "PrimaryKeyConstraint") {
        for (const auto& v : item->items) {
          auto n = string_value(v.get(), "primary key column");
          if (!n) return;
          if (std::find(pk_columns.begin(), pk_columns.end(), *n) == pk_columns.end())
            pk_columns.push_back(*n);
        }
        auto prefix = constraint_prefix(deref(item->kwarg("name")));
        if (!prefix) return;
        pk_prefix = *prefix;
        pk_line = item->line;
      } else if (sa == "UniqueConstraint") {
        std::vector<std::string> cols;
        for (const auto& v : item->items) {
          auto n = string_value(v.get(), "unique column");
          if (!n) return;
          cols.push_back(*n);
        }
        auto prefix = constraint_prefix(deref(item->kwarg("name")));
        if (!prefix) return;
        table_constraints.push_back({item->line, *prefix + "UNIQUE (" + join(quoted(cols)) + ")"});
      } else if (sa == "CheckConstraint") {
        auto expr = sql_text(item->items.empty() ? item->kwarg("sqltext") : item->items[0].get(),
                             "CheckConstraint condition");
        auto prefix = constraint_prefix(deref(item->kwarg("name")));
        if (!expr || !prefix) return;
        table_constraints.push_back({item->line, *prefix + "CHECK (" + *expr + ")"});
      } else if (sa == "ForeignKeyConstraint") {
        auto local =
            string_list(item->items.size() > 0 ? item->items[0].get() : item->kwarg("columns"),
                        "foreign key columns");
        auto targets =
            string_list(item->items.size() > 1 ? item->items[1].get() : item->kwarg("refcolumns"),
                        "foreign key targets");
        if (!local || !targets) return;
        auto clause = foreign_key_clause(*local, *targets, *item);
        if (!clause) return;
        table_constraints.push_back({item->line, *clause});
      } else if (sa == "Index") {
        if (item->items.empty()) {
          problem(item->line, "sa.Index() without a name");
          return;
        }
        auto index_name = string_value(item->items[0].get(), "index name");
        if (!index_name) return;
        std::vector<const Value*> keys;
        for (size_t k = 1; k < item->items.size(); ++k) keys.push_back(item->items[k].get());
        auto sql = index_sql(*index_name, *table, keys, *item);
        if (!sql) return;
        after.push_back(*sql);
      } else {
        problem(item->line, "argument of op.create_table() is not statically readable: " +
                                (item->text.empty() ? "expression" : item->text));
        return;
      }
    }
    // Each column's own constraints (sa.ForeignKey, unique=True) follow it, and a primary key
    // given by primary_key=True follows its first column: all at that column's line.
    std::vector<std::pair<int, std::string>> defs;  // (line, column or constraint clause)
    const std::string pk_clause =
        pk_columns.empty() ? "" : pk_prefix + "PRIMARY KEY (" + join(quoted(pk_columns)) + ")";
    for (auto& c : columns) {
      // SQLAlchemy's autoincrement: a lone integer primary key without a default, foreign key
      // or identity becomes SERIAL / BIGSERIAL / SMALLSERIAL.
      if (pk_columns.size() == 1 && pk_columns[0] == c.name && !c.has_default &&
          !c.has_foreign_key && !c.identity && !c.autoincrement_off) {
        static const std::map<std::string, std::string> serial = {
            {"integer", "serial"}, {"bigint", "bigserial"}, {"smallint", "smallserial"}};
        if (auto it = serial.find(c.base_type); it != serial.end())
          c.definition.replace(quote_ident(c.name).size() + 1, c.base_type.size(), it->second);
      }
      defs.push_back({c.line, c.definition});
      if (pk_line == 0 && !pk_columns.empty() && pk_columns[0] == c.name)
        defs.push_back({c.line, pk_clause});
      for (const auto& clause : c.constraints) defs.push_back({c.line, clause});
    }
    if (pk_line != 0) defs.push_back({pk_line, pk_clause});
    for (const auto& clause : table_constraints) defs.push_back(clause);
    // Each column and constraint on the line of the file it comes from, so that the loader
    // locates a column at its own sa.Column( line (reconcile's provenance), not at the call.
    std::string create = "CREATE TABLE " + *table + " (";
    int at = line;
    for (size_t i = 0; i < defs.size(); ++i) {
      if (i > 0) create += ",";
      if (at < defs[i].first)
        for (; at < defs[i].first; ++at) create += "\n";
      else if (i > 0)
        create += " ";
      create += defs[i].second;
    }
    emit(line, create + ")");
    for (const auto& c : columns)
      if (c.index)
        emit(c.line, std::string("CREATE ") + (c.unique_index ? "UNIQUE " : "") + "INDEX " +
                         quote_ident("ix_" + *table_name + "_" + c.name) + " ON " + *table + " (" +
                         quote_ident(c.name) + ")");
    for (const auto& sql : after) emit(line, sql);
    if (const Value* comment = deref(call.kwarg("comment")); present(comment))
      comment_sql("TABLE " + *table, comment);
    for (const auto& c : columns)
      if (c.comment)
        emit(c.line, "COMMENT ON COLUMN " + *table + "." + quote_ident(c.name) + " IS " +
                         quote_literal(*c.comment));
  } else if (name == "drop_table") {
    auto table = table_ref(arg(0, "table_name"), schema_kw());
    if (table) emit(line, "DROP TABLE " + *table);
  } else if (name == "rename_table") {
    auto table = table_ref(arg(0, "old_table_name"), schema_kw());
    auto new_name = string_value(arg(1, "new_table_name"), "new table name");
    if (table && new_name)
      emit(line, "ALTER TABLE " + *table + " RENAME TO " + quote_ident(*new_name));
  } else if (name == "add_column") {
    auto table_name = string_value(arg(0, "table_name"), "table name");
    auto table = table_ref(arg(0, "table_name"), schema_kw());
    auto c = column(arg(1, "column"));
    if (!table || !c || !table_name) return;
    // At the sa.Column( line: the column's own line (reconcile's provenance).
    emit(c->line, "ALTER TABLE " + *table + " ADD COLUMN " + c->definition +
                      (c->primary_key ? " PRIMARY KEY" : ""));
    for (const auto& clause : c->constraints)
      emit(c->line, "ALTER TABLE " + *table + " ADD " + clause);
    if (c->index)
      emit(c->line, std::string("CREATE ") + (c->unique_index ? "UNIQUE " : "") + "INDEX " +
                        quote_ident("ix_" + *table_name + "_" + c->name) + " ON " + *table + " (" +
                        quote_ident(c->name) + ")");
    if (c->comment)
      emit(c->line, "COMMENT ON COLUMN " + *table + "." + quote_ident(c->name) + " IS " +
                        quote_literal(*c->comment));
  } else if (name == "drop_column") {
    auto table = table_ref(arg(0, "table_name"), schema_kw());
    auto column_name = string_value(arg(1, "column_name"), "column name");
    if (table && column_name)
      emit(line, "ALTER TABLE " + *table + " DROP COLUMN " + quote_ident(*column_name));
  } else if (name == "alter_column") {
    auto table = table_ref(arg(0, "table_name"), schema_kw());
    auto column_name = string_value(arg(1, "column_name"), "column name");
    if (!table || !column_name) return;
    std::string prefix = "ALTER TABLE " + *table + " ALTER COLUMN " + quote_ident(*column_name);
    if (const Value* type = deref(call.kwarg("type_")); present(type)) {
      auto sql = type_sql(type, line);
      if (!sql) return;
      std::string stmt = prefix + " TYPE " + *sql;
      if (const Value* using_ = deref(call.kwarg("postgresql_using")); present(using_)) {
        auto expr = sql_text(using_, "postgresql_using");
        if (!expr) return;
        stmt += " USING " + *expr;
      }
      emit(line, stmt);
    }
    if (const Value* nullable = deref(call.kwarg("nullable")); present(nullable)) {
      if (nullable->kind != Value::Bool) {
        problem(nullable->line, "nullable= is not True or False");
        return;
      }
      emit(line, prefix + (nullable->text == "True" ? " DROP NOT NULL" : " SET NOT NULL"));
    }
    // server_default=False (the default) means "unchanged"; None drops the default.
    if (const Value* d = call.kwarg("server_default")) {
      d = deref(d);
      if (d->kind == Value::None) {
        emit(line, prefix + " DROP DEFAULT");
      } else if (!(d->kind == Value::Bool && d->text == "False")) {
        auto sql = server_default(d);
        if (!sql) return;
        emit(line, prefix + " SET DEFAULT " + *sql);
      }
    }
    if (const Value* comment = deref(call.kwarg("comment"));
        comment && !(comment->kind == Value::Bool)) {
      if (comment->kind == Value::None)
        emit(line, "COMMENT ON COLUMN " + *table + "." + quote_ident(*column_name) + " IS NULL");
      else
        comment_sql("COLUMN " + *table + "." + quote_ident(*column_name), comment);
    }
    if (const Value* new_name = deref(call.kwarg("new_column_name")); present(new_name)) {
      auto n = string_value(new_name, "new column name");
      if (!n) return;
      emit(line, "ALTER TABLE " + *table + " RENAME COLUMN " + quote_ident(*column_name) + " TO " +
                     quote_ident(*n));
    }
  } else if (name == "create_index") {
    auto index_name = string_value(arg(0, "index_name"), "index name");
    auto table = table_ref(arg(1, "table_name"), schema_kw());
    const Value* columns = arg(2, "columns");
    if (!index_name || !table) return;
    std::vector<const Value*> keys;
    if (columns && (columns->kind == Value::List || columns->kind == Value::Tuple)) {
      for (const auto& k : columns->items) keys.push_back(k.get());
    } else {
      keys.push_back(columns);
    }
    auto sql = index_sql(*index_name, *table, keys, call);
    if (sql) emit(line, *sql);
  } else if (name == "drop_index") {
    auto index_name = string_value(arg(0, "index_name"), "index name");
    if (!index_name) return;
    std::string target = quote_ident(*index_name);
    const Value* schema = schema_kw();
    if (!present(schema) && batch) schema = deref(batch_schema);
    if (present(schema)) {
      auto s = string_value(schema, "schema");
      if (!s) return;
      target = quote_qualified(*s, *index_name);
    }
    std::string sql = "DROP INDEX ";
    if (flag(call.kwarg("postgresql_concurrently"), false)) sql += "CONCURRENTLY ";
    if (flag(call.kwarg("if_exists"), false)) sql += "IF EXISTS ";
    emit(line, sql + target);
  } else if (name == "create_foreign_key") {
    auto prefix = constraint_prefix(arg(0, "constraint_name"));
    auto source = table_ref(arg(1, "source_table"), schema_kw("source_schema"));
    auto referent = string_value(arg(2, "referent_table"), "referent table");
    auto local = string_list(arg(3, "local_cols"), "local columns");
    auto remote = string_list(arg(4, "remote_cols"), "remote columns");
    if (!prefix || !source || !referent || !local || !remote) return;
    std::vector<std::string> targets;
    std::string ref_schema;
    if (const Value* rs = schema_kw("referent_schema"); present(rs)) {
      auto s = string_value(rs, "referent schema");
      if (!s) return;
      ref_schema = *s + ".";
    }
    for (const auto& c : *remote) targets.push_back(ref_schema + *referent + "." + c);
    Value options = call;
    options.keys.clear();  // the constraint name was taken from arg 0, not name=
    options.kwargs.clear();
    for (size_t i = 0; i < call.keys.size(); ++i)
      if (call.keys[i] != "name") {
        options.keys.push_back(call.keys[i]);
        options.kwargs.push_back(call.kwargs[i]);
      }
    auto clause = foreign_key_clause(*local, targets, options);
    if (clause) emit(line, "ALTER TABLE " + *source + " ADD " + *prefix + *clause);
  } else if (name == "create_unique_constraint" || name == "create_primary_key") {
    auto prefix = constraint_prefix(arg(0, "constraint_name"));
    auto table = table_ref(arg(1, "table_name"), schema_kw());
    auto cols = string_list(arg(2, "columns"), "constraint columns");
    if (!prefix || !table || !cols) return;
    std::string kind = name == "create_primary_key" ? "PRIMARY KEY" : "UNIQUE";
    std::string sql =
        "ALTER TABLE " + *table + " ADD " + *prefix + kind + " (" + join(quoted(*cols)) + ")";
    if (flag(call.kwarg("deferrable"), false)) sql += " DEFERRABLE";
    emit(line, sql);
  } else if (name == "create_check_constraint") {
    auto prefix = constraint_prefix(arg(0, "constraint_name"));
    auto table = table_ref(arg(1, "table_name"), schema_kw());
    auto condition = sql_text(arg(2, "condition"), "check condition");
    if (prefix && table && condition)
      emit(line, "ALTER TABLE " + *table + " ADD " + *prefix + "CHECK (" + *condition + ")");
  } else if (name == "drop_constraint") {
    auto constraint = string_value(arg(0, "constraint_name"), "constraint name");
    auto table = table_ref(arg(1, "table_name"), schema_kw());
    if (constraint && table)
      emit(line, "ALTER TABLE " + *table + " DROP CONSTRAINT " + quote_ident(*constraint));
  } else if (name == "create_table_comment" || name == "drop_table_comment") {
    auto table = table_ref(arg(0, "table_name"), schema_kw());
    if (!table) return;
    if (name == "drop_table_comment")
      emit(line, "COMMENT ON TABLE " + *table + " IS NULL");
    else
      comment_sql("TABLE " + *table, arg(1, "comment"));
  } else if (name == "execute") {
    const Value* sql = arg(0, "sqltext");
    auto text = sql_text(sql, "op.execute() argument");
    if (!text) return;
    // Located at the string itself, so the loader's line N is the file's line (string + N - 1).
    const Value* literal = deref(sql);
    if (literal->kind == Value::Call && !literal->items.empty())
      literal = deref(literal->items[0].get());
    m_.statements.push_back(Statement{*text, SourceLocation{m_.file, literal->line}});
  } else if (name == "bulk_insert" || name == "inline_literal") {
    // Data, not schema: nothing to replay.
  } else if (name == "get_bind" || name == "get_context") {
    problem(line, "op." + name + "() is not statically readable (database access at run time)");
  } else {
    problem(line, "op." + name + "() is not supported");
  }
}

}  // namespace pgdrift::schema::history::alembic
