// The lint rules (engine/lint.h, docs/lint.md): one function per rule, each with the fix it
// offers next to it.
#include "engine/lint.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::engine {

namespace {

using schema::Constraint;
using schema::ConstraintKind;
using schema::Model;
using schema::quote_ident;
using schema::Table;

std::string column_key(const std::string& table_key, const std::string& column) {
  return table_key + "." + quote_ident(column);
}

int integer_width(const std::string& type) {
  if (type == "smallint") return 2;
  if (type == "integer") return 4;
  if (type == "bigint") return 8;
  return 0;
}

// Can a column of type `from` become `to` with a cast PostgreSQL has (the plan checks the
// data; see conversion_may_fail)? Only the conversions the consistency fixes need.
bool convertible(const std::string& from, const std::string& to) {
  if (from == to) return true;
  if (to == "uuid" && is_text_like_type(from)) return true;
  if (is_text_like_type(from) && is_text_like_type(to)) return true;
  int a = integer_width(from), b = integer_width(to);
  return a && b && a < b;
}

// True when the column is one of the columns of a foreign key of the table.
bool in_foreign_key(const Table& table, const std::string& column) {
  for (const auto& [name, c] : table.constraints)
    if (c.kind == ConstraintKind::ForeignKey &&
        std::find(c.columns.begin(), c.columns.end(), column) != c.columns.end())
      return true;
  return false;
}

// PostgreSQL's default name for a foreign key (ChooseConstraintName): <table>_<cols>_fkey,
// truncated to 63 bytes, with a number appended when taken.
std::string foreign_key_name(const Table& table, const std::string& column) {
  auto taken = [&](const std::string& n) {
    return table.constraints.count(n) > 0 || table.indexes.count(n) > 0;
  };
  std::string base = table.name + "_" + column;
  for (int i = 0;; ++i) {
    std::string suffix = i == 0 ? "_fkey" : "_fkey" + std::to_string(i);
    std::string name = base.substr(0, 63 - suffix.size()) + suffix;
    if (!taken(name)) return name;
  }
}

// ---- money-as-float ----------------------------------------------------------------------
// Money in binary floating point cannot hold 0.10 exactly; sums drift by cents. The fix takes
// the exact type the schema already uses for money most often (numeric(12,2) when the other
// money columns have it), or unconstrained numeric, which loses nothing.
std::string prevailing_money_type(const Model& model) {
  std::map<std::string, int> counts;
  for (const auto& [key, t] : model.tables)
    for (const auto& c : t.columns)
      if (is_money_like_column(c.name) && is_exact_numeric_type(c.type)) ++counts[c.type];
  std::string best = "numeric";
  int best_count = 0;
  for (const auto& [type, n] : counts)
    if (n > best_count) best = type, best_count = n;  // ties: the first in type order
  return best;
}

void money_as_float(const Model& model, std::vector<LintFinding>& out) {
  std::string exact;
  for (const auto& [key, t] : model.tables) {
    for (const auto& c : t.columns) {
      if (!is_money_like_column(c.name) || !is_float_type(c.type) || c.generated_expr) continue;
      if (exact.empty()) exact = prevailing_money_type(model);
      LintFinding f;
      f.rule = kRuleMoneyAsFloat;
      f.severity = LintSeverity::Error;
      f.object = column_key(key, c.name);
      f.message = "money-like column " + quote_ident(c.name) + " is " + c.type +
                  ": binary floating point cannot hold most decimal amounts exactly; use " + exact;
      f.location = c.location;
      f.suggestion =
          "ALTER TABLE " + key + " ALTER COLUMN " + quote_ident(c.name) + " TYPE " + exact + ";";
      LintFix fix;
      fix.kind = LintFix::Kind::RetypeColumn;
      fix.table = key;
      fix.column = c.name;
      fix.type = exact;
      f.fixes.push_back(fix);
      out.push_back(std::move(f));
    }
  }
}

// ---- missing-foreign-key, inconsistent-id-type ---------------------------------------------
// A column named like columns that reference one key everywhere else (user_id -> users.id) is
// meant to reference it too: without the constraint, rows can point at nothing.
struct Reference {
  std::string ref_table, ref_column;
  bool operator<(const Reference& o) const {
    return std::tie(ref_table, ref_column) < std::tie(o.ref_table, o.ref_column);
  }
};
struct ReferenceUse {
  std::map<Reference, int> targets;              // what columns of this name reference, how often
  std::map<std::pair<char, char>, int> actions;  // (on_delete, on_update) -> count
  int count = 0;
};

std::map<std::string, ReferenceUse> single_column_references(const Model& model) {
  std::map<std::string, ReferenceUse> uses;
  for (const auto& [key, t] : model.tables) {
    for (const auto& [name, c] : t.constraints) {
      if (c.kind != ConstraintKind::ForeignKey || !c.foreign_key || c.columns.size() != 1 ||
          c.foreign_key->ref_columns.size() != 1)
        continue;
      auto& use = uses[c.columns[0]];
      ++use.targets[{c.foreign_key->ref_table, c.foreign_key->ref_columns[0]}];
      ++use.actions[{c.foreign_key->on_delete, c.foreign_key->on_update}];
      ++use.count;
    }
  }
  return uses;
}

void missing_foreign_key(const Model& model, std::vector<LintFinding>& out) {
  auto uses = single_column_references(model);
  for (const auto& [key, t] : model.tables) {
    if (!t.partition_of.empty()) continue;  // a partition's constraints come from its parent
    for (const auto& c : t.columns) {
      auto use = uses.find(c.name);
      if (use == uses.end() || use->second.targets.size() != 1 || in_foreign_key(t, c.name))
        continue;
      const Reference& ref = use->second.targets.begin()->first;
      if (ref.ref_table == key && ref.ref_column == c.name) continue;  // the key itself
      auto rt = model.tables.find(ref.ref_table);
      if (rt == model.tables.end()) continue;
      const schema::Column* key_column = rt->second.find_column(ref.ref_column);
      if (!key_column) continue;
      // The most common actions of the other references (ties: the first in code order).
      std::pair<char, char> actions{'a', 'a'};
      int best = 0;
      for (const auto& [a, n] : use->second.actions)
        if (n > best) actions = a, best = n;

      LintFinding f;
      f.rule = kRuleMissingForeignKey;
      f.severity = LintSeverity::Warning;
      f.object = column_key(key, c.name);
      std::string others = std::to_string(use->second.count) + " other " + quote_ident(c.name) +
                           " column" + (use->second.count == 1 ? "" : "s");
      f.message = others + " reference" + (use->second.count == 1 ? "s " : " ") + ref.ref_table +
                  " (" + quote_ident(ref.ref_column) + " " + key_column->type + "); " +
                  quote_ident(c.name) + " " + c.type + " has no foreign key";
      f.location = c.location;
      bool retype = c.type != key_column->type;
      if (!convertible(c.type, key_column->type)) {
        f.message += " and its type cannot be converted to " + key_column->type + " safely";
        out.push_back(std::move(f));
        continue;
      }
      Constraint fk;
      fk.name = foreign_key_name(t, c.name);
      fk.kind = ConstraintKind::ForeignKey;
      fk.columns = {c.name};
      fk.foreign_key.emplace();
      fk.foreign_key->ref_table = ref.ref_table;
      fk.foreign_key->ref_columns = {ref.ref_column};
      fk.foreign_key->on_delete = actions.first;
      fk.foreign_key->on_update = actions.second;
      if (actions.first != 'a')
        f.message += std::string(best == use->second.count ? " (all of them are" : " (most are") +
                     " ON DELETE " + schema::fk_action_sql(actions.first) + ")";
      if (retype) {
        f.suggestion = "ALTER TABLE " + key + " ALTER COLUMN " + quote_ident(c.name) + " TYPE " +
                       key_column->type + " USING " + quote_ident(c.name) +
                       "::" + key_column->type + ";\n";
        LintFix fix;
        fix.kind = LintFix::Kind::RetypeColumn;
        fix.table = key;
        fix.column = c.name;
        fix.type = key_column->type;
        f.fixes.push_back(fix);
      }
      f.suggestion += schema::render_add_constraint(key, fk);
      LintFix add;
      add.kind = LintFix::Kind::AddForeignKey;
      add.table = key;
      add.constraint = fk;
      f.fixes.push_back(add);
      out.push_back(std::move(f));
    }
  }
}

// Same-named id columns with different types and no foreign key to say which is right:
// `user_id text` here and `user_id uuid` there cannot be joined without a cast.
void inconsistent_id_type(const Model& model, const std::vector<LintFinding>& missing,
                          std::vector<LintFinding>& out) {
  std::map<std::string, std::map<std::string, std::vector<std::string>>> by_name;  // name ->
                                                                                   // type -> keys
  for (const auto& [key, t] : model.tables)
    for (const auto& c : t.columns)
      if (is_id_column(c.name) && c.name != "id") by_name[c.name][c.type].push_back(key);
  for (const auto& [name, types] : by_name) {
    if (types.size() < 2) continue;
    for (const auto& [type, tables] : types) {
      for (const auto& table_key : tables) {
        std::string object = column_key(table_key, name);
        bool covered = std::any_of(missing.begin(), missing.end(),
                                   [&](const LintFinding& f) { return f.object == object; });
        const Table& t = model.tables.at(table_key);
        if (covered || in_foreign_key(t, name)) continue;  // the FK rules say more
        std::string elsewhere;
        for (const auto& [other_type, other_tables] : types)
          if (other_type != type)
            elsewhere += (elsewhere.empty() ? "" : ", ") + other_type + " in " +
                         std::to_string(other_tables.size()) + " table" +
                         (other_tables.size() == 1 ? "" : "s");
        LintFinding f;
        f.rule = kRuleInconsistentIdType;
        f.severity = LintSeverity::Warning;
        f.object = object;
        f.message = quote_ident(name) + " is " + type + " here but " + elsewhere;
        f.location = t.find_column(name)->location;
        out.push_back(std::move(f));
      }
    }
  }
}

// ---- foreign-key-type-mismatch -------------------------------------------------------------
// PostgreSQL accepts an integer column referencing a bigint key (or varchar -> text), but the
// referencing column overflows first and every join needs a cast.
void foreign_key_type_mismatch(const Model& model, std::vector<LintFinding>& out) {
  for (const auto& [key, t] : model.tables) {
    for (const auto& [name, c] : t.constraints) {
      if (c.kind != ConstraintKind::ForeignKey || !c.foreign_key) continue;
      auto rt = model.tables.find(c.foreign_key->ref_table);
      if (rt == model.tables.end()) continue;
      for (size_t i = 0; i < c.columns.size() && i < c.foreign_key->ref_columns.size(); ++i) {
        const auto* local = t.find_column(c.columns[i]);
        const auto* ref = rt->second.find_column(c.foreign_key->ref_columns[i]);
        if (!local || !ref || local->type == ref->type) continue;
        LintFinding f;
        f.rule = kRuleForeignKeyTypeMismatch;
        f.severity = LintSeverity::Warning;
        f.object = key + " constraint " + name;
        f.message = "foreign key " + quote_ident(name) + ": " + quote_ident(local->name) + " " +
                    local->type + " references " + c.foreign_key->ref_table + "." +
                    quote_ident(ref->name) + " " + ref->type;
        f.location = c.location;
        out.push_back(std::move(f));
      }
    }
  }
}

// ---- foreign-key-without-index -------------------------------------------------------------
// Deleting or updating a referenced row scans the referencing table for matches unless an
// index leads with the foreign key's columns.
bool index_leads_with(const std::vector<std::string>& leading,
                      const std::vector<std::string>& columns) {
  if (leading.size() < columns.size()) return false;
  // Any order of the FK columns among the first columns.size() keys serves the lookup.
  std::vector<std::string> head(leading.begin(), leading.begin() + columns.size());
  std::vector<std::string> want = columns;
  std::sort(head.begin(), head.end());
  std::sort(want.begin(), want.end());
  return head == want;
}

void foreign_key_without_index(const Model& model, std::vector<LintFinding>& out) {
  for (const auto& [key, t] : model.tables) {
    std::vector<std::vector<std::string>> leading;
    for (const auto& [n, i] : t.indexes) {
      if (!i.where_expr.empty()) continue;  // a partial index does not serve every lookup
      std::vector<std::string> cols;
      for (const auto& k : i.keys) {
        if (k.column.empty()) break;
        cols.push_back(k.column);
      }
      leading.push_back(cols);
    }
    for (const auto& [n, c] : t.constraints)
      if (c.kind == ConstraintKind::PrimaryKey || c.kind == ConstraintKind::Unique)
        leading.push_back(c.columns);
    for (const auto& entry : t.constraints) {
      const std::string& name = entry.first;
      const Constraint& c = entry.second;  // named: captured below (clang 14)
      if (c.kind != ConstraintKind::ForeignKey || c.columns.empty()) continue;
      bool served = std::any_of(leading.begin(), leading.end(), [&](const auto& cols) {
        return index_leads_with(cols, c.columns);
      });
      if (served) continue;
      std::string cols;
      for (const auto& col : c.columns) cols += (cols.empty() ? "" : ", ") + quote_ident(col);
      LintFinding f;
      f.rule = kRuleForeignKeyWithoutIndex;
      f.severity = LintSeverity::Warning;
      f.object = key + " constraint " + name;
      f.message = "no index leads with the columns of foreign key " + quote_ident(name) + " (" +
                  cols + "): deletes from " + c.foreign_key->ref_table + " scan " + key;
      f.location = c.location;
      f.suggestion = "CREATE INDEX CONCURRENTLY ON " + key + " (" + cols + ");";
      out.push_back(std::move(f));
    }
  }
}

// ---- table-without-primary-key -------------------------------------------------------------
// Logical replication cannot replicate UPDATE/DELETE without a replica identity, and rows
// cannot be addressed reliably.
void table_without_primary_key(const Model& model, std::vector<LintFinding>& out) {
  for (const auto& [key, t] : model.tables) {
    if (!t.partition_of.empty() || !t.inherits.empty()) continue;  // keys come from the parent
    bool has = std::any_of(t.constraints.begin(), t.constraints.end(), [](const auto& item) {
      return item.second.kind == ConstraintKind::PrimaryKey;
    });
    if (has) continue;
    LintFinding f;
    f.rule = kRuleTableWithoutPrimaryKey;
    f.severity = LintSeverity::Warning;
    f.object = key;
    f.message = "table " + key + " has no primary key";
    f.location = t.location;
    out.push_back(std::move(f));
  }
}

// ---- timestamp-without-time-zone -----------------------------------------------------------
// A timestamp without time zone means a different instant in every session time zone.
void timestamp_without_time_zone(const Model& model, std::vector<LintFinding>& out) {
  for (const auto& [key, t] : model.tables) {
    for (const auto& c : t.columns) {
      if (c.type.rfind("timestamp without time zone", 0) != 0 || c.type.ends_with("[]")) continue;
      LintFinding f;
      f.rule = kRuleTimestampWithoutTimeZone;
      f.severity = LintSeverity::Warning;
      f.object = column_key(key, c.name);
      f.message = quote_ident(c.name) + " is " + c.type +
                  ": its values mean different instants in different session time zones; use " +
                  "timestamp with time zone";
      f.location = c.location;
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

std::string lint_severity_name(LintSeverity severity) {
  return severity == LintSeverity::Error ? "error" : "warning";
}

const std::vector<LintRuleInfo>& lint_rules() {
  static const std::vector<LintRuleInfo> rules = {
      {kRuleMoneyAsFloat, LintSeverity::Error, true,
       "a money-like column (amount, price, total, ...) is real or double precision"},
      {kRuleMissingForeignKey, LintSeverity::Warning, true,
       "a column named like columns that all reference one key has no foreign key"},
      {kRuleInconsistentIdType, LintSeverity::Warning, false,
       "same-named id columns have different types"},
      {kRuleForeignKeyTypeMismatch, LintSeverity::Warning, false,
       "a foreign key column's type differs from the referenced column's"},
      {kRuleForeignKeyWithoutIndex, LintSeverity::Warning, false,
       "no index leads with a foreign key's columns"},
      {kRuleTableWithoutPrimaryKey, LintSeverity::Warning, false, "a table has no primary key"},
      {kRuleTimestampWithoutTimeZone, LintSeverity::Warning, false,
       "a column is timestamp without time zone"},
  };
  return rules;
}

nlohmann::json lint_finding_json(const LintFinding& f) {
  nlohmann::json item = {{"rule", f.rule},
                         {"severity", lint_severity_name(f.severity)},
                         {"object", f.object},
                         {"message", f.message},
                         {"suggestion", f.suggestion},
                         {"fixable", !f.fixes.empty()}};
  if (!f.location.empty())
    item["location"] = {{"file", f.location.file}, {"line", f.location.line}};
  return item;
}

std::vector<LintFinding> lint_model(const Model& model, const LintOptions& options) {
  for (const auto& name : options.disabled) {
    const auto& rules = lint_rules();
    if (std::none_of(rules.begin(), rules.end(), [&](const auto& r) { return r.name == name; }))
      throw std::invalid_argument("unknown lint rule: " + name);
  }
  auto on = [&](const char* rule) { return !options.disabled.count(rule); };
  std::vector<LintFinding> out;
  if (on(kRuleMoneyAsFloat)) money_as_float(model, out);
  std::vector<LintFinding> missing;
  missing_foreign_key(model, missing);
  if (on(kRuleInconsistentIdType)) inconsistent_id_type(model, missing, out);
  if (on(kRuleMissingForeignKey)) out.insert(out.end(), missing.begin(), missing.end());
  if (on(kRuleForeignKeyTypeMismatch)) foreign_key_type_mismatch(model, out);
  if (on(kRuleForeignKeyWithoutIndex)) foreign_key_without_index(model, out);
  if (on(kRuleTableWithoutPrimaryKey)) table_without_primary_key(model, out);
  if (on(kRuleTimestampWithoutTimeZone)) timestamp_without_time_zone(model, out);
  std::stable_sort(out.begin(), out.end(), [](const LintFinding& a, const LintFinding& b) {
    return std::tie(a.object, a.rule) < std::tie(b.object, b.rule);
  });
  return out;
}

std::vector<AppliedFix> apply_lint_fixes(Model& model, const std::vector<LintFinding>& findings,
                                         const std::set<std::string>& rules) {
  std::vector<AppliedFix> applied;
  for (const auto& f : findings) {
    if (!rules.count(f.rule) || f.fixes.empty()) continue;
    AppliedFix done{f.rule, f.object, "", f.message, {}};
    for (const auto& fix : f.fixes) {
      auto t = model.tables.find(fix.table);
      if (t == model.tables.end()) break;
      std::string change;
      if (fix.kind == LintFix::Kind::RetypeColumn) {
        schema::Column* c = t->second.find_column(fix.column);
        if (!c || c->type == fix.type) continue;
        change = quote_ident(c->name) + " " + c->type + " -> " + fix.type;
        c->type = fix.type;
        done.changed_keys.push_back(column_key(fix.table, fix.column));
      } else if (fix.kind == LintFix::Kind::AddForeignKey) {
        if (t->second.constraints.count(fix.constraint.name) ||
            in_foreign_key(t->second, fix.constraint.columns.at(0)))
          continue;
        t->second.constraints[fix.constraint.name] = fix.constraint;
        change = "added " + schema::render_add_constraint(fix.table, fix.constraint);
        done.changed_keys.push_back(fix.table + " constraint " + fix.constraint.name);
      }
      done.change += (done.change.empty() || change.empty() ? "" : "; ") + change;
    }
    if (!done.changed_keys.empty()) applied.push_back(std::move(done));
  }
  return applied;
}

}  // namespace pgdrift::engine
