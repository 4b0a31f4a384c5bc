// Preflight queries (docs/apply.md, "Preflights"): for a step whose success depends on the
// rows, a count of the rows at risk and a query for up to 5 sample keys. `apply` runs them all
// before the first change, in one read-only snapshot of the database as it is *before* the
// plan, so they only use what exists in the source model: source tables, source columns and
// source column types. A new table is empty and a new column holds only its default, so they
// get no preflight.
#include <cctype>

#include "planner/generators.h"
#include "schema/canonical.h"

namespace pgdrift::planner {

using schema::quote_ident;

namespace {

const schema::Table* source_table(const Context& ctx, const std::string& table) {
  if (ctx.new_tables.count(table)) return nullptr;
  // Its source names differ from the model's (a rename runs first): no preflight on it.
  if (ctx.renamed_tables.count(table)) return nullptr;
  auto it = ctx.from.tables.find(table);
  return it == ctx.from.tables.end() ? nullptr : &it->second;
}

// The text of a row's primary key: `id::text`, `ROW(a, b)::text`; empty without a PK.
std::string primary_key_text(const schema::Table& t) {
  for (const auto& [name, c] : t.constraints) {
    if (c.kind != schema::ConstraintKind::PrimaryKey || c.columns.empty()) continue;
    if (c.columns.size() == 1) return quote_ident(c.columns[0]) + "::text";
    std::string cols;
    for (const auto& col : c.columns) cols += (cols.empty() ? "" : ", ") + quote_ident(col);
    return "ROW(" + cols + ")::text";
  }
  return "";
}

std::string column_list(const std::vector<std::string>& columns, const std::string& prefix = "") {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + prefix + quote_ident(c);
  return out;
}

// "numeric(12,2)" -> "numeric", "text[]" -> "text[]" (arrays keep their brackets).
std::string base_of(const std::string& type) {
  schema::TypeNameParts p = schema::split_type_name(type);
  return p.base + (p.array ? "[]" : "");
}

// Types whose values compare alike in expressions (`amount >= 0` means the same on double
// precision and numeric): a CHECK over a retyped column is still evaluated on the source type.
std::string type_family(const std::string& type) {
  std::string b = base_of(type);
  for (const char* n : {"smallint", "integer", "bigint", "real", "double precision", "numeric"})
    if (b == n) return "number";
  for (const char* s : {"text", "character varying", "character", "name"})
    if (b == s) return "string";
  for (const char* d : {"date", "timestamp without time zone", "timestamp with time zone"})
    if (b == d) return "datetime";
  return b;
}

}  // namespace

bool mentions_column(const std::string& expr, const std::string& column) {
  const std::string token = quote_ident(column);
  auto is_ident = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '$' ||
           (static_cast<unsigned char>(ch) & 0x80);
  };
  for (size_t at = expr.find(token); at != std::string::npos; at = expr.find(token, at + 1)) {
    bool starts = at == 0 || !is_ident(expr[at - 1]) || token.front() == '"';
    size_t end = at + token.size();
    bool ends = end >= expr.size() || !is_ident(expr[end]) || token.back() == '"';
    if (starts && ends) return true;
  }
  return false;
}

const schema::Column* source_column(const Context& ctx, const std::string& table,
                                    const std::string& column) {
  const schema::Table* t = source_table(ctx, table);
  return t ? t->find_column(column) : nullptr;
}

std::optional<Preflight> rows_where(const Context& ctx, const std::string& table,
                                    const std::string& condition, const std::string& description,
                                    const std::string& value_expr) {
  const schema::Table* t = source_table(ctx, table);
  if (!t) return std::nullopt;
  Preflight p;
  p.count_sql = "SELECT count(*) FROM " + table + " WHERE " + condition;
  std::string key = primary_key_text(*t);
  if (key.empty()) key = value_expr.empty() ? "ctid::text" : value_expr;
  p.sample_sql = "SELECT " + key + " FROM " + table + " WHERE " + condition + " ORDER BY 1 LIMIT 5";
  p.description = description;
  return p;
}

std::optional<Preflight> duplicates_preflight(const Context& ctx, const std::string& table,
                                              const std::vector<std::string>& columns,
                                              bool nulls_not_distinct, bool primary_key) {
  const schema::Table* t = source_table(ctx, table);
  if (!t || columns.empty()) return std::nullopt;
  for (const auto& c : columns)
    if (!t->find_column(c)) return std::nullopt;  // a new column: only its default
  const std::string cols = column_list(columns);
  const std::string key = columns.size() == 1 ? cols : "(" + cols + ")";
  // Rows with a NULL in the key never collide (unless NULLS NOT DISTINCT); a PRIMARY KEY
  // refuses them outright.
  std::string all_set, any_null;
  for (const auto& c : columns) {
    all_set += (all_set.empty() ? "" : " AND ") + quote_ident(c) + " IS NOT NULL";
    any_null += (any_null.empty() ? "" : " OR ") + quote_ident(c) + " IS NULL";
  }
  const std::string where = nulls_not_distinct && !primary_key ? "" : " WHERE " + all_set;
  const std::string groups = "SELECT " + (columns.size() == 1 ? cols : "ROW(" + cols + ")") +
                             "::text AS k, count(*) AS n FROM " + table + where + " GROUP BY " +
                             cols + " HAVING count(*) > 1";
  Preflight p;
  p.count_sql = "SELECT (SELECT coalesce(sum(n), 0) FROM (" + groups + ") AS duplicates)::bigint";
  if (primary_key) p.count_sql += " + (SELECT count(*) FROM " + table + " WHERE " + any_null + ")";
  p.sample_sql = "SELECT k FROM (" + groups + ") AS duplicates ORDER BY 1 LIMIT 5";
  p.description = "rows whose " + key + " is not unique" +
                  (primary_key ? std::string(" or is NULL") : std::string("")) +
                  " (samples: the duplicated values)";
  return p;
}

std::optional<Preflight> orphans_preflight(const Context& ctx, const std::string& table,
                                           const schema::Constraint& fk) {
  const schema::Table* child = source_table(ctx, table);
  if (!child || !fk.foreign_key || fk.columns.empty()) return std::nullopt;
  for (const auto& c : fk.columns)
    if (!child->find_column(c)) return std::nullopt;  // a new column: NULL or its default
  const auto& ref = *fk.foreign_key;
  const std::string alias = "pgdrift_parent";
  std::string all_set;
  for (const auto& c : fk.columns)
    all_set += (all_set.empty() ? "" : " AND ") + table + "." + quote_ident(c) + " IS NOT NULL";
  // A parent that is new (or lacks a referenced column) holds no matching row yet.
  const schema::Table* parent = source_table(ctx, ref.ref_table);
  bool parent_has_columns = parent && ref.ref_columns.size() == fk.columns.size();
  for (const auto& c : ref.ref_columns)
    parent_has_columns = parent_has_columns && parent->find_column(c);
  std::string condition = all_set;
  if (parent_has_columns) {
    std::string match;
    for (size_t i = 0; i < fk.columns.size(); ++i) {
      const schema::Column* mine = child->find_column(fk.columns[i]);
      const schema::Column* theirs = parent->find_column(ref.ref_columns[i]);
      // Different source types (e.g. text referencing uuid before the retype): compare as text.
      const std::string cast = mine->type == theirs->type ? "" : "::text";
      match += (match.empty() ? "" : " AND ") + alias + "." + quote_ident(ref.ref_columns[i]) +
               cast + " = " + table + "." + quote_ident(fk.columns[i]) + cast;
    }
    condition += " AND NOT EXISTS (SELECT 1 FROM " + ref.ref_table + " AS " + alias + " WHERE " +
                 match + ")";
  }
  if (ref.match == 'f' && fk.columns.size() > 1)
    condition = "(" + condition + ") OR num_nulls(" + column_list(fk.columns, table + ".") +
                ") BETWEEN 1 AND " + std::to_string(fk.columns.size() - 1);
  const std::string key =
      fk.columns.size() == 1 ? column_list(fk.columns) : "(" + column_list(fk.columns) + ")";
  return rows_where(ctx, table, condition,
                    "rows whose " + key + " has no match in " + ref.ref_table + " (" +
                        column_list(ref.ref_columns) + ")" +
                        (parent_has_columns ? "" : ", which is new"),
                    fk.columns.size() == 1 ? quote_ident(fk.columns[0]) + "::text"
                                           : "ROW(" + column_list(fk.columns) + ")::text");
}

std::optional<Preflight> check_preflight(const Context& ctx, const std::string& table,
                                         const std::string& check_expr) {
  const schema::Table* before = source_table(ctx, table);
  auto after = ctx.to.tables.find(table);
  if (!before || after == ctx.to.tables.end()) return std::nullopt;
  // Every column the expression reads must exist in the source, with a type that compares
  // alike (a CHECK written for uuid may not even parse against the old text column).
  for (const auto& col : after->second.columns) {
    if (!mentions_column(check_expr, col.name)) continue;
    const schema::Column* old = before->find_column(col.name);
    if (!old) return std::nullopt;
    if (old->type != col.type && type_family(old->type) != type_family(col.type))
      return std::nullopt;
  }
  return rows_where(ctx, table, "(" + check_expr + ") IS FALSE",
                    "rows for which CHECK (" + check_expr + ") is false");
}

}  // namespace pgdrift::planner
