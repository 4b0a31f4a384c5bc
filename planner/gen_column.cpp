// Columns: ADD / DROP / ALTER (type, nullability, default, identity, generated, collation).
// Type changes are classified so that rewrites, precision loss and failing conversions are
// named, and a preflight query counts the rows at risk.
#include <algorithm>
#include <set>
#include <string>

#include "planner/casts.h"
#include "planner/generators.h"
#include "planner/volatility.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;
using schema::quote_ident;

namespace {

using TypeParts = schema::TypeNameParts;

TypeParts split_type(const std::string& t) { return schema::split_type_name(t); }

bool is_text(const std::string& b) {
  return b == "text" || b == "character varying" || b == "character" || b == "name";
}
bool is_integer(const std::string& b) { return b == "smallint" || b == "integer" || b == "bigint"; }
bool is_float(const std::string& b) { return b == "real" || b == "double precision"; }
bool is_numeric_family(const std::string& b) {
  return is_integer(b) || is_float(b) || b == "numeric";
}
bool is_datetime(const std::string& b) {
  return b == "date" || b == "timestamp without time zone" || b == "timestamp with time zone";
}

int int_rank(const std::string& b) { return b == "smallint" ? 1 : b == "integer" ? 2 : 3; }
std::string int_range(const std::string& b) {
  if (b == "smallint") return "-32768 AND 32767";
  if (b == "integer") return "-2147483648 AND 2147483647";
  return "-9223372036854775808 AND 9223372036854775807";
}

struct TypeChangePlan {
  bool rewrite = true;
  bool using_cast = false;
  bool via_text = false;  // USING c::text::type (enum to a different enum)
  std::vector<Hazard> hazards;
  std::string risky_rows;  // SQL condition on the column (`c`) for rows at risk
  std::string risk;        // what makes a row at risk, e.g. "is not a valid uuid"
};

// Rows whose value is outside numeric(p,s) once rounded to s digits (rounding can carry:
// 9.995 -> 10.00). NaN fits any numeric(p,s) (and compares above every number); Infinity
// fits none. `x` is a numeric expression.
std::string numeric_out_of_range(const std::string& x, int p, int s) {
  return "(" + x + " <> 'NaN' AND abs(round(" + x + ", " + std::to_string(s) + ")) >= 1e" +
         std::to_string(p - s) + ")";
}

// How PostgreSQL runs `ALTER COLUMN c TYPE to` for a column of type `from`.
TypeChangePlan classify(const std::string& from, const std::string& to, const std::string& c,
                        const schema::Model& from_model, const schema::Model& model) {
  TypeChangePlan p;
  TypeParts a = split_type(from), b = split_type(to);
  auto add = [&](Hazard h) { p.hazards.push_back(h); };
  auto risk = [&](const std::string& cond, const std::string& why) {
    p.risky_rows += (p.risky_rows.empty() ? "" : " OR ") + cond;
    p.risk += (p.risk.empty() ? "" : " or ") + why;
  };
  auto to_enum = model.enums.find(b.base);
  if (a.base != b.base && a.array == b.array && from_model.enums.count(a.base) &&
      to_enum != model.enums.end()) {
    // There is no cast between two enum types: go through text. Rows whose label is not in
    // the new type fail the conversion.
    p.using_cast = true;
    p.via_text = true;
    add(Hazard::ConversionMayFail);
    std::string values;
    for (const auto& v : to_enum->second.values)
      values += (values.empty() ? "" : ", ") + schema::quote_literal(v);
    if (!a.array) risk(c + "::text NOT IN (" + values + ")", "has a label missing from " + b.base);
    return p;
  }
  if (a.array != b.array || (a.array && a.base != b.base)) {
    p.using_cast = true;
    add(Hazard::ConversionMayFail);
    return p;
  }
  if (a.base == b.base) {
    if (a.base == "character varying" || a.base == "bit varying") {
      if (b.mods.empty() || (!a.mods.empty() && b.mods[0] >= a.mods[0])) {
        p.rewrite = false;
      } else {
        add(Hazard::ConversionMayFail);
        risk("char_length(" + c + ") > " + std::to_string(b.mods[0]),
             "is longer than " + std::to_string(b.mods[0]) + " characters");
      }
    } else if (a.base == "numeric") {
      if (b.mods.empty()) {
        p.rewrite = false;
      } else {
        int p2 = b.mods[0], s2 = b.mods.size() > 1 ? b.mods[1] : 0;
        int p1 = a.mods.empty() ? 1000 : a.mods[0];
        int s1 = a.mods.size() > 1 ? a.mods[1] : (a.mods.empty() ? 1000 : 0);
        if (s1 == s2 && p2 >= p1) {
          p.rewrite = false;
        } else {
          if (s2 < s1) {
            add(Hazard::PrecisionLoss);
            risk(c + " <> round(" + c + ", " + std::to_string(s2) + ")",
                 "has more than " + std::to_string(s2) + " decimal digits");
          }
          // Fewer integer digits, or rounding to fewer decimals that can carry into one more.
          if (p2 - s2 < p1 - s1 || s2 < s1) {
            if (p2 - s2 < p1 - s1) add(Hazard::ConversionMayFail);
            risk(numeric_out_of_range(c, p2, s2), "is out of range for " + to);
          }
        }
      }
    } else if (a.base == "character" && !a.mods.empty() && !b.mods.empty() &&
               b.mods[0] < a.mods[0]) {
      add(Hazard::ConversionMayFail);
      risk("length(" + c + ") > " + std::to_string(b.mods[0]),
           "is longer than " + std::to_string(b.mods[0]) + " characters (trailing blanks aside)");
    } else if (!b.mods.empty() && !a.mods.empty() && b.mods[0] < a.mods[0]) {
      add(Hazard::PrecisionLoss);  // timestamp(6) -> timestamp(3), ...
    }
    return p;
  }
  if (is_text(a.base) && b.base == "text") {
    p.rewrite = a.base == "character";  // bpchar -> text strips blanks
    return p;
  }
  if (a.base == "text" && b.base == "character varying") {
    if (b.mods.empty()) {
      p.rewrite = false;
    } else {
      add(Hazard::ConversionMayFail);
      risk("char_length(" + c + ") > " + std::to_string(b.mods[0]),
           "is longer than " + std::to_string(b.mods[0]) + " characters");
    }
    return p;
  }
  if (is_text(b.base)) {
    // Every type has an assignment cast to the string types (I/O conversion).
    if (!b.mods.empty()) {
      add(Hazard::ConversionMayFail);
      risk("char_length(" + c + "::text) > " + std::to_string(b.mods[0]),
           "is longer than " + std::to_string(b.mods[0]) + " characters as text");
    }
    return p;
  }
  if (is_text(a.base)) {
    p.using_cast = true;
    add(Hazard::ConversionMayFail);
    if (b.base == "uuid")
      risk(c + " !~* '^\\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\\}?$'",
           "is not a valid uuid");
    else if (is_integer(b.base))
      risk(c + " !~ '^\\s*[-+]?[0-9]+\\s*$'", "is not a valid " + b.base);
    else if (b.base == "numeric" || is_float(b.base))
      risk(c + " !~* '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[-+]?[0-9]+)?\\s*$'",
           "is not a valid number");
    else if (b.base == "boolean")
      risk("lower(btrim(" + c +
               ")) NOT IN ('t','f','true','false','yes','no','on','off','1','0','y','n')",
           "is not a valid boolean");
    else if (auto e = model.enums.find(b.base); e != model.enums.end()) {
      std::string values;
      for (const auto& v : e->second.values)
        values += (values.empty() ? "" : ", ") + schema::quote_literal(v);
      risk(c + "::text NOT IN (" + values + ")", "is not a label of " + b.base);
    }
    return p;
  }
  if (is_numeric_family(a.base) && is_numeric_family(b.base)) {
    if (is_integer(a.base) && is_integer(b.base)) {
      if (int_rank(b.base) < int_rank(a.base)) {
        add(Hazard::ConversionMayFail);
        risk(c + " NOT BETWEEN " + int_range(b.base), "is out of range for " + b.base);
      }
    } else if (b.base == "numeric") {
      if (!b.mods.empty()) {
        int p2 = b.mods[0], s2 = b.mods.size() > 1 ? b.mods[1] : 0;
        if (!is_integer(a.base)) {
          add(Hazard::PrecisionLoss);
          risk(c + "::numeric <> round(" + c + "::numeric, " + std::to_string(s2) + ")",
               "has more than " + std::to_string(s2) + " decimal digits");
        }
        add(Hazard::ConversionMayFail);
        risk(numeric_out_of_range(c + "::numeric", p2, s2), "is out of range for " + to);
      }
    } else if (is_integer(b.base)) {
      add(Hazard::PrecisionLoss);
      add(Hazard::ConversionMayFail);
      risk(c + " <> trunc(" + c + ") OR " + c + " NOT BETWEEN " + int_range(b.base),
           "is not a whole number in range for " + b.base);
    } else if (is_float(b.base)) {
      if (!(a.base == "real" && b.base == "double precision")) add(Hazard::PrecisionLoss);
    }
    return p;
  }
  if (is_datetime(a.base) && is_datetime(b.base)) {
    if (b.base == "date") add(Hazard::PrecisionLoss);
    return p;
  }
  if ((a.base == "json" && b.base == "jsonb") || (a.base == "jsonb" && b.base == "json")) return p;
  p.using_cast = true;
  add(Hazard::ConversionMayFail);
  return p;
}

// A never-used sequence sits at its START: new bounds that exclude it make ALTER fail with
// "RESTART value cannot be less than MINVALUE" unless the sequence restarts inside them.
bool restart_needed(const schema::SequenceOptions& a, const schema::SequenceOptions& b) {
  return a.start < b.min_value || a.start > b.max_value;
}

int64_t b_increment(const schema::Column& c) {
  return c.identity_options ? c.identity_options->increment : 1;
}

std::string identity_clause(const schema::Column& c) {
  std::string out = c.identity == schema::IdentityKind::Always ? "GENERATED ALWAYS AS IDENTITY"
                                                               : "GENERATED BY DEFAULT AS IDENTITY";
  if (c.identity_options) {
    const auto& o = *c.identity_options;
    out += " (START WITH " + std::to_string(o.start) + " INCREMENT BY " +
           std::to_string(o.increment) + " MINVALUE " + std::to_string(o.min_value) + " MAXVALUE " +
           std::to_string(o.max_value) + " CACHE " + std::to_string(o.cache) +
           (o.cycle ? " CYCLE" : " NO CYCLE") + ")";
  }
  return out;
}

// The columns a batched backfill of `table` pages by (keyset pagination): the source table's
// PRIMARY KEY, else its first UNIQUE constraint (by name) over NOT NULL columns, as long as
// the target keeps that constraint on the same columns (the statement names them when it
// runs). Empty, with `why_not` saying why, when there is none, or when the table has
// inheritance children: an UPDATE of the parent updates their rows too, which its key does
// not cover (a partitioned table's key does cover its partitions).
std::vector<std::string> backfill_key(const Context& ctx, const std::string& table,
                                      std::string& why_not) {
  auto from = ctx.from.tables.find(table);
  auto to = ctx.to.tables.find(table);
  if (from == ctx.from.tables.end() || to == ctx.to.tables.end()) {
    why_not = "the table is not in the source";
    return {};
  }
  for (const auto& [key, t] : ctx.from.tables)
    if (std::find(t.inherits.begin(), t.inherits.end(), table) != t.inherits.end()) {
      why_not = "the UPDATE also fills the rows of its inheritance child " + key +
                ", which its key does not page through";
      return {};
    }
  auto kept = [&](const schema::Constraint& c) {
    auto it = to->second.constraints.find(c.name);
    return it != to->second.constraints.end() && it->second.kind == c.kind &&
           it->second.columns == c.columns;
  };
  const schema::Constraint* unique = nullptr;
  for (const auto& [name, c] : from->second.constraints) {
    if (c.columns.empty() || !kept(c)) continue;
    if (c.kind == schema::ConstraintKind::PrimaryKey) return c.columns;
    if (c.kind != schema::ConstraintKind::Unique || unique) continue;
    bool all_not_null = true;
    for (const auto& column : c.columns) {
      const schema::Column* col = from->second.find_column(column);
      all_not_null = all_not_null && col && col->not_null;
    }
    if (all_not_null) unique = &c;
  }
  if (unique) return unique->columns;
  why_not = table + " has no primary key or UNIQUE constraint over NOT NULL columns (kept by " +
            "the plan) to page by";
  return {};
}

// "the_name" always in double quotes (PL/pgSQL reads `x.y.z%TYPE` with its own keywords:
// `loop` is not quoted by quote_ident but is reserved there).
std::string force_quote(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string joined(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// The batched backfill (docs/planner.md, "Volatile defaults"): one DO block that fills
// `column` (quoted) of `table` (a table key) with `expr` in batches of `rows` rows in the order
// of `key` (unquoted column names), committing after each batch. A batch is the next `rows`
// keys after the last key of the previous one (keyset pagination: an index range scan from
// where the last batch ended, whatever the planner guesses of `c IS NULL` on a new column);
// of those rows it fills the ones still NULL, so running the block again finishes an
// interrupted run (the rows it filled are read, not written, again), and a row an application
// filled meanwhile is left alone (the condition is checked again on the row's newest
// version). The loop ends at the end of the key range, also when the expression yields NULL
// for some rows.
// `columns`: every column name of the table, before and after the plan.
std::string batched_backfill_statement(const schema::Table& source, const std::string& table,
                                       const std::string& column, const std::string& expr,
                                       const std::vector<std::string>& key, int rows,
                                       const std::set<std::string>& columns) {
  // PL/pgSQL variables must not be taken for a column of the table (variable_conflict).
  std::string prefix = "pgdrift_last_";
  auto clashes = [&] {
    for (size_t i = 1; i <= key.size(); ++i)
      if (columns.count(prefix + std::to_string(i))) return true;
    return false;
  };
  while (clashes()) prefix = "_" + prefix;
  std::vector<std::string> keys, vars, descending, match;
  std::string declare;
  for (size_t i = 0; i < key.size(); ++i) {
    const std::string k = quote_ident(key[i]);
    const std::string v = prefix + std::to_string(i + 1);
    keys.push_back(k);
    vars.push_back(v);
    descending.push_back(k + " DESC");
    match.push_back("pgdrift_row." + k + " = pgdrift_batch." + k);
    declare += "  " + v + " " + force_quote(source.schema) + "." + force_quote(source.name) + "." +
               force_quote(key[i]) + "%TYPE;\n";
  }
  const std::string key_list = joined(keys, ", ");
  const std::string after = key.size() == 1 ? keys[0] + " > " + vars[0]
                                            : "(" + key_list + ") > (" + joined(vars, ", ") + ")";
  auto batch = [&](const std::string& indent, const std::string& where) {
    return indent + "WITH pgdrift_batch AS (\n" + indent + "  SELECT " + key_list + " FROM " +
           table + where + " ORDER BY " + key_list + " LIMIT " + std::to_string(rows) + "\n" +
           indent + "), pgdrift_fill AS (\n" + indent + "  UPDATE " + table +
           " AS pgdrift_row SET " + column + " = " + expr + " FROM pgdrift_batch\n" + indent +
           "  WHERE " + joined(match, " AND ") + " AND pgdrift_row." + column + " IS NULL\n" +
           indent + ")\n" + indent + "SELECT " + key_list + " INTO " + joined(vars, ", ") +
           " FROM pgdrift_batch ORDER BY " + joined(descending, ", ") + " LIMIT 1;\n";
  };
  std::string body = "DECLARE\n" + declare + "BEGIN\n" + "  -- batches of " + std::to_string(rows) +
                     " rows in key order, each committed; a re-run skips the rows filled\n" +
                     batch("  ", "") + "  WHILE FOUND LOOP\n    COMMIT;\n" +
                     batch("    ", " WHERE " + after) + "  END LOOP;\nEND\n";
  std::string tag = "$pgdrift$";
  for (int n = 1; body.find(tag) != std::string::npos; ++n)
    tag = "$pgdrift" + std::to_string(n) + "$";
  return "DO " + tag + "\n" + body + tag + ";";
}

}  // namespace

// The identity column's sequence typed apart from the column (schema/render.h).
void gen_identity_sequence_type(Context& ctx, const std::string& table,
                                const schema::Column& column) {
  const std::string qname = table + "." + quote_ident(column.name);
  Step s = make_step("column", qname, ChangeKind::Alter, kColumn,
                     schema::render_identity_sequence_type(table, column));
  s.needs = {"table:" + table, "column:" + qname};
  s.provides = {"column:" + qname};
  s.hazards = {Hazard::AccessExclusiveLock};
  s.lock = "ACCESS EXCLUSIVE";
  ctx.add(s);
}

namespace {

std::string truncate_name(std::string name) {
  if (name.size() > 63) name.resize(63);
  return name;
}

class ColumnSteps {
 public:
  ColumnSteps(Context& ctx, const engine::ColumnChange& change)
      : ctx_(ctx),
        c_(change),
        name_(quote_ident(change.to ? change.to->name : change.from->name)),
        qname_(change.table + "." + name_),
        alter_("ALTER TABLE " + change.table + " ") {}

  Step step(const std::string& action, ChangeKind kind, int phase = kColumn) {
    Step s = make_step("column", qname_, kind, phase, alter_ + action + ";");
    s.needs = {"table:" + c_.table};
    // After the parents' steps, which recurse into this table.
    for (const auto& p : kept_inheritance_parents(ctx_, c_.table)) s.needs.push_back("table:" + p);
    s.provides = {"column:" + qname_, "table:" + c_.table};
    s.hazards = {Hazard::AccessExclusiveLock};
    s.lock = "ACCESS EXCLUSIVE";
    return s;
  }

  // Views reading the table are dropped before and created after `s`.
  void around_views(Step& s) {
    for (const auto& v : ctx_.from_deps.dependent_views("table:" + c_.table)) {
      ctx_.recreate_views.insert(v);
      s.after_removal.push_back("view:" + v);
    }
  }

  // SQL-standard function bodies reading the column let go of it before `s` (a retype, which
  // PostgreSQL refuses while one uses the column): gen_function.cpp detaches them.
  void after_function_bodies(Step& s) {
    for (const auto& key : ctx_.from_deps.dependent_functions("column:" + qname_)) {
      auto f = ctx_.from.functions.find(key);
      if (f != ctx_.from.functions.end())
        s.after_removal.push_back("body-of:" + schema::function_key(f->second));
    }
  }

  void add_column(const schema::Column& col) {
    // A volatile default (a value per row) makes ADD COLUMN rewrite the table; any other
    // default is stored as metadata only (PostgreSQL 11+).
    bool volatile_default = col.default_expr && is_volatile_expr(*col.default_expr, ctx_.to);
    if (volatile_default && ctx_.options.online && !col.generated_expr &&
        col.identity == schema::IdentityKind::None) {
      add_column_then_backfill(col);
      return;
    }
    // A rollback that restores the column's values: NOT NULL without a default is set after
    // them (ADD COLUMN would need an empty table).
    const bool restored = restore_of(ctx_, c_.table, col.name) != nullptr;
    if (restored && col.not_null && !col.default_expr) {
      schema::Column bare = col;
      bare.not_null = false;
      Step add = step("ADD COLUMN " + schema::render_column_definition(bare), ChangeKind::Add);
      for (const auto& d : ctx_.to_deps.of_column(col)) add.needs.push_back(d);
      add.note = "added without NOT NULL: its values are restored first";
      ctx_.add(add);
      gen_restore_column(ctx_, c_.table, col.name);
      set_not_null();
      return;
    }
    Step s = step("ADD COLUMN " + schema::render_column_definition(col), ChangeKind::Add);
    for (const auto& d : ctx_.to_deps.of_column(col)) s.needs.push_back(d);
    if (volatile_default || col.generated_expr || col.identity != schema::IdentityKind::None) {
      s.hazards.push_back(Hazard::TableRewrite);
      s.long_running = true;
      s.note = "a per-row default, identity or generated column fills every existing row";
    } else if (col.not_null && !col.default_expr) {
      s.hazards.push_back(Hazard::ConversionMayFail);
      s.preflight = rows_where(ctx_, c_.table, "true",
                               "every row (NOT NULL without a default needs an empty table)");
      s.note = "NOT NULL without a default fails unless the table is empty";
    }
    ctx_.add(s);
    if (restored) gen_restore_column(ctx_, c_.table, col.name);
  }

  // Online form of ADD COLUMN with a volatile default: add the bare column (instant), set the
  // default (new rows get it from now on), fill the existing rows (backfill(): in batches by
  // the table's key, each committed, or one UPDATE in its own transaction; row locks instead
  // of an ACCESS EXCLUSIVE rewrite), then NOT NULL online.
  void add_column_then_backfill(const schema::Column& col) {
    const std::string& expr = *col.default_expr;
    schema::Column bare = col;
    bare.default_expr.reset();
    bare.not_null = false;
    Step add = step("ADD COLUMN " + schema::render_column_definition(bare), ChangeKind::Add);
    for (const auto& d : ctx_.to_deps.of_type(col.type)) add.needs.push_back(d);
    add.note =
        "added without its volatile default, which would rewrite the table: the default "
        "is set and the existing rows are backfilled in the next steps";
    ctx_.add(add);
    // A rollback restores the saved values first; the backfill then fills only the rows the
    // backup does not have (written since).
    gen_restore_column(ctx_, c_.table, col.name);
    Step set_default = step("ALTER COLUMN " + name_ + " SET DEFAULT " + expr, ChangeKind::Add);
    for (const auto& d : ctx_.to_deps.of_expr(expr)) set_default.needs.push_back(d);
    ctx_.add(set_default);
    backfill(expr, ChangeKind::Add, "rows written since the default was set already have it");
    if (col.not_null) set_not_null();
  }

  // The step that fills the rows whose column is NULL with `expr` (a volatile default, per
  // row): online, in batches of PlanOptions::backfill_batch_rows rows by the table's key, each
  // committed (a DO block, run outside a transaction block); without a key to page by, or with
  // batches of 0 rows, one UPDATE in a transaction of its own. (--atomic plans are made with
  // the plain forms, plan.cpp, and have no backfill.)
  void backfill(const std::string& expr, ChangeKind kind, const std::string& remark) {
    const std::string single =
        "UPDATE " + c_.table + " SET " + name_ + " = " + expr + " WHERE " + name_ + " IS NULL;";
    const std::string single_lock = "ROW EXCLUSIVE (row locks on every row)";
    const std::string single_note =
        (kind == ChangeKind::Add ? "one UPDATE of every existing row"
                                 : "one UPDATE of the rows whose " + name_ + " is NULL") +
        ", in a transaction of its own; " + remark;
    Step fill = make_step("column", qname_, kind, kColumn, single);
    fill.needs = {"table:" + c_.table};
    // After the column is added and given its default (an existing column: before the
    // NOT NULL steps, which also provide it).
    if (kind == ChangeKind::Add) fill.needs.push_back("column:" + qname_);
    for (const auto& d : ctx_.to_deps.of_expr(expr)) fill.needs.push_back(d);
    // Indexes and constraints on the column come after the backfill.
    fill.provides = {"column:" + qname_, "table:" + c_.table};
    fill.hazards = {Hazard::Backfill};
    fill.lock = single_lock;
    fill.long_running = true;
    fill.note = single_note;
    const int rows = ctx_.options.backfill_batch_rows;
    if (ctx_.options.online && !ctx_.options.atomic && rows > 0) {
      std::string why_not;
      std::vector<std::string> key = backfill_key(ctx_, c_.table, why_not);
      if (key.empty()) {
        fill.note += " (not batched: " + why_not + ")";
      } else {
        std::vector<std::string> quoted;
        for (const auto& k : key) quoted.push_back(quote_ident(k));
        std::set<std::string> columns;
        for (const auto* model : {&ctx_.from, &ctx_.to})
          for (const auto& c : model->tables.at(c_.table).columns) columns.insert(c.name);
        fill.statement = batched_backfill_statement(ctx_.from.tables.at(c_.table), c_.table, name_,
                                                    expr, key, rows, columns);
        // COMMIT in a DO block is refused inside a transaction block: it runs alone.
        fill.transactional = false;
        fill.lock = "ROW EXCLUSIVE (row locks on one batch at a time)";
        fill.note = "batches of " + std::to_string(rows) + " rows in key order (" +
                    joined(quoted, ", ") + "), each committed on its own (a table of up to " +
                    std::to_string(rows) + " rows is filled in one short transaction); " + remark +
                    "; rows already filled are skipped, so running the statement again "
                    "finishes an interrupted backfill";
        fill.in_transaction_form = InTransactionForm{single, single_lock, single_note};
      }
    }
    ctx_.add(fill);
  }

  // A nullable column becomes NOT NULL and keeps its volatile default (same type, not
  // generated or identity), online: the state an online ADD COLUMN with a volatile default is
  // left in when its backfill is interrupted (the column and its default commit before it).
  bool finishes_backfill(const schema::Column& from, const schema::Column& to, bool retype) const {
    return ctx_.options.online && !from.not_null && to.not_null && !retype &&
           !c_.has(engine::kColumnDefault) && from.default_expr && to.default_expr &&
           *from.default_expr == *to.default_expr && !to.generated_expr &&
           to.identity == schema::IdentityKind::None && !c_.has(engine::kColumnIdentity) &&
           !c_.has(engine::kColumnGenerated) && is_volatile_expr(*to.default_expr, ctx_.to);
  }

  void drop_column(const schema::Column& col, ChangeKind kind) {
    Step s = step("DROP COLUMN " + name_, kind, kDropColumn);
    s.needs.clear();
    s.provides.clear();
    s.removes = {"column:" + qname_};
    s.releases = ctx_.from_deps.of_column(col);
    s.hazards.push_back(Hazard::DataLoss);
    around_views(s);
    ctx_.add(s);
  }

  // Rows that SET NOT NULL refuses; none when the column is new (a backfilled default).
  std::optional<Preflight> null_rows() const {
    const std::string column = c_.to ? c_.to->name : c_.from->name;
    if (!source_column(ctx_, c_.table, column)) return std::nullopt;
    return rows_where(ctx_, c_.table, name_ + " IS NULL", "rows whose " + name_ + " is NULL");
  }

  // `backfilled`: a backfill step before it fills the NULLs, which are then not at risk.
  void set_not_null(bool backfilled = false) {
    std::string col = "ALTER COLUMN " + name_;
    if (!ctx_.options.online) {
      Step s = step(col + " SET NOT NULL", ChangeKind::Alter);
      s.hazards.push_back(Hazard::ValidationScan);
      s.long_running = true;
      s.preflight = null_rows();
      ctx_.add(s);
      return;
    }
    // A validated CHECK (c IS NOT NULL) lets SET NOT NULL skip its scan (PostgreSQL 12+), and
    // the check is validated without blocking writes.
    std::string check = quote_ident(truncate_name(c_.to->name + "_not_null_pgdrift"));
    Step add = step("ADD CONSTRAINT " + check + " CHECK (" + name_ + " IS NOT NULL) NOT VALID",
                    ChangeKind::Alter);
    ctx_.add(add);
    Step validate = step("VALIDATE CONSTRAINT " + check, ChangeKind::Alter);
    validate.hazards = {Hazard::ValidationScan};
    validate.lock = "SHARE UPDATE EXCLUSIVE";
    validate.long_running = true;
    if (!backfilled) validate.preflight = null_rows();
    ctx_.add(validate);
    ctx_.add(step(col + " SET NOT NULL", ChangeKind::Alter));
    ctx_.add(step("DROP CONSTRAINT " + check, ChangeKind::Alter));
  }

  void alter_type(const schema::Column& from, const schema::Column& to) {
    TypeChangePlan p = classify(from.type, to.type, name_, ctx_.from, ctx_.to);
    // PostgreSQL's own catalog decides what converts (planner/casts.h): no route at all fails
    // for every table, even an empty one, so it is refused now rather than at apply.
    CastRoute route = cast_route(from.type, to.type);
    if (route == CastRoute::None)
      throw PlanRefused(qname_ + ": cannot change type " + from.type + " to " + to.type +
                        ": PostgreSQL has no cast from " + split_type(from.type).base +
                        (split_type(from.type).array ? "[]" : "") + " to " +
                        split_type(to.type).base + (split_type(to.type).array ? "[]" : "") +
                        " and no USING is known (drop and add the column, or convert the data by "
                        "hand)");
    // An explicit-only cast needs USING: ALTER COLUMN TYPE applies assignment casts only.
    if (route == CastRoute::Explicit || route == CastRoute::IoFromString) p.using_cast = true;
    std::string action = "ALTER COLUMN " + name_ + " TYPE " + schema::render_type(to.type);
    if (!to.collation.empty()) action += " COLLATE " + to.collation;
    if (p.using_cast)
      action += " USING " + name_ +
                (p.via_text ? (split_type(to.type).array ? "::text[]" : "::text") : "") +
                "::" + schema::render_type(to.type);
    Step s = step(action, ChangeKind::Alter);
    for (const auto& d : ctx_.to_deps.of_type(to.type)) s.needs.push_back(d);
    for (const auto& d : ctx_.to_deps.of_collation(to.collation)) s.needs.push_back(d);
    s.releases = ctx_.from_deps.of_type(from.type);
    for (const auto& d : ctx_.from_deps.of_collation(from.collation)) s.releases.push_back(d);
    // CHECKs reading the column are dropped before and added after (gen_table.cpp).
    s.needs.push_back("checks-off:" + qname_);
    s.provides.push_back("retyped:" + qname_);
    for (Hazard h : p.hazards) s.hazards.push_back(h);
    if (p.rewrite || from.collation != to.collation) {
      s.hazards.push_back(Hazard::TableRewrite);
      s.long_running = true;
      s.note = "indexes on the column are rebuilt";
    }
    if (!p.risky_rows.empty())
      s.preflight = rows_where(ctx_, c_.table, name_ + " IS NOT NULL AND (" + p.risky_rows + ")",
                               "rows whose " + name_ + " " + p.risk, name_ + "::text");
    around_views(s);
    after_function_bodies(s);
    ctx_.add(s);
    gen_restore_column(ctx_, c_.table, to.name);
  }

  void alter(const schema::Column& from, const schema::Column& to) {
    std::string col = "ALTER COLUMN " + name_;
    bool generated_rebuild = c_.has(engine::kColumnGenerated) && to.generated_expr.has_value();
    if (generated_rebuild) {
      // A generation expression cannot be altered: drop and add the column (values are
      // recomputed from the other columns).
      drop_column(from, ChangeKind::Alter);
      ctx_.steps.back().hazards = {Hazard::AccessExclusiveLock};
      ctx_.steps.back().phase = kColumn;
      add_column(to);
      ctx_.steps.back().needs.push_back("column-dropped:" + qname_);
      ctx_.steps[ctx_.steps.size() - 2].provides.push_back("column-dropped:" + qname_);
      // DROP COLUMN took the column's comment and column privileges.
      restore_kept(ctx_, {Recreated::Kind::Column, c_.table, to.name});
      return;
    }
    bool retype = c_.has(engine::kColumnType) || c_.has(engine::kColumnCollation);
    bool default_out =
        from.default_expr && (retype || !to.default_expr || c_.has(engine::kColumnDefault));
    if (default_out && !(c_.has(engine::kColumnDefault) && to.default_expr && !retype)) {
      Step s = step(col + " DROP DEFAULT", ChangeKind::Alter);
      s.releases = ctx_.from_deps.of_expr(*from.default_expr);
      ctx_.add(s);
    }
    if (c_.has(engine::kColumnIdentity) && from.identity != schema::IdentityKind::None &&
        to.identity == schema::IdentityKind::None)
      ctx_.add(step(col + " DROP IDENTITY", ChangeKind::Alter));
    if (c_.has(engine::kColumnGenerated) && from.generated_expr && !to.generated_expr)
      ctx_.add(step(col + " DROP EXPRESSION", ChangeKind::Alter));
    if (retype) alter_type(from, to);
    if (c_.has(engine::kColumnNullability)) {
      if (to.not_null && finishes_backfill(from, to, retype)) {
        // What an interrupted online ADD COLUMN leaves: the column, its default, some rows
        // filled. The rows still NULL get the default, then NOT NULL as planned.
        backfill(*to.default_expr, ChangeKind::Alter,
                 "it fills the rows an interrupted backfill left NULL (a nullable column with "
                 "this volatile default that becomes NOT NULL: its NULL rows get the default)");
        set_not_null(true);
      } else if (to.not_null) {
        set_not_null();
      } else
        ctx_.add(step(col + " DROP NOT NULL", ChangeKind::Alter));
    }
    if (to.default_expr && (c_.has(engine::kColumnDefault) || retype)) {
      Step s = step(col + " SET DEFAULT " + *to.default_expr, ChangeKind::Alter);
      for (const auto& d : ctx_.to_deps.of_expr(*to.default_expr)) s.needs.push_back(d);
      ctx_.add(s);
    }
    if (c_.has(engine::kColumnIdentity) && to.identity != schema::IdentityKind::None) {
      if (from.identity == schema::IdentityKind::None) {
        Step s = step(col + " ADD " + identity_clause(to), ChangeKind::Alter);
        ctx_.add(s);
      } else {
        std::string action;
        bool restart = false;
        if (from.identity != to.identity)
          action += to.identity == schema::IdentityKind::Always ? " SET GENERATED ALWAYS"
                                                                : " SET GENERATED BY DEFAULT";
        if (from.identity_options && to.identity_options) {
          const auto& a = *from.identity_options;
          const auto& b = *to.identity_options;
          // The sequence's AS type has no ALTER COLUMN form (a column retyped takes its sequence
          // along): ALTER SEQUENCE on the identity's sequence, found by name at run time.
          if (a.data_type != b.data_type && from.type == to.type)
            gen_identity_sequence_type(ctx_, c_.table, to);
          if (a.increment != b.increment)
            action += " SET INCREMENT BY " + std::to_string(b.increment);
          if (a.min_value != b.min_value) action += " SET MINVALUE " + std::to_string(b.min_value);
          if (a.max_value != b.max_value) action += " SET MAXVALUE " + std::to_string(b.max_value);
          if (a.start != b.start) action += " SET START WITH " + std::to_string(b.start);
          if (a.cache != b.cache) action += " SET CACHE " + std::to_string(b.cache);
          if (a.cycle != b.cycle) action += b.cycle ? " SET CYCLE" : " SET NO CYCLE";
          restart = restart_needed(a, b);
          if (restart) action += " RESTART WITH " + std::to_string(b.start);
        }
        if (!action.empty()) {
          Step s = step(col + action, ChangeKind::Alter);
          if (restart) {
            s.note =
                "the old START is outside the new bounds: the sequence restarts at its new START";
            s.preflight =
                rows_where(ctx_, c_.table,
                           name_ + (b_increment(to) > 0 ? " >= " : " <= ") +
                               std::to_string(to.identity_options->start),
                           "rows whose " + name_ + " the restarted sequence will generate again",
                           name_ + "::text");
          }
          ctx_.add(s);
        }
      }
    }
  }

 private:
  Context& ctx_;
  const engine::ColumnChange& c_;
  std::string name_;   // quoted column name
  std::string qname_;  // table key + "." + quoted column name
  std::string alter_;
};

}  // namespace

void gen_column(Context& ctx, const engine::ColumnChange& change) {
  ColumnSteps steps(ctx, change);
  if (change.kind == ChangeKind::Add)
    steps.add_column(*change.to);
  else if (change.kind == ChangeKind::Drop)
    steps.drop_column(*change.from, ChangeKind::Drop);
  else
    steps.alter(*change.from, *change.to);
}

}  // namespace pgdrift::planner
