// The lint of a migration history (planner/migration_lint.h, docs/lint.md "Migration rules"):
// the replay, statement by statement; the plan of each statement's change for the hazards the
// planner knows; the parse tree for the form the statement was written in.
#include "planner/migration_lint.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "planner/generators.h"
#include "planner/plan.h"
#include "schema/canonical.h"
#include "schema/parse_tree.h"
#include "schema/scratch/script.h"
#include "schema/sql/loader.h"

namespace pgdrift::planner {

namespace {

using engine::LintFinding;
using engine::LintSeverity;
using schema::Model;
using schema::SourceLocation;
using schema::history::Migration;
using schema::history::Problem;

// One statement being judged: the model before it, the tables that existed before its
// migration, where it is, and the findings it gets.
struct Judged {
  const Model& before;
  const Model& after;
  const std::set<std::string>& existing;  // table keys before the migration
  const PgQuery__Node* stmt;              // null when the statement does not parse
  SourceLocation where;
  std::vector<LintFinding>& out;
};

void add(Judged& j, const char* rule, const std::string& object, const std::string& message,
         const std::string& suggestion = "") {
  LintFinding f;
  f.rule = rule;
  for (const auto& r : migration_lint_rules())
    if (r.name == rule) f.severity = r.severity;
  f.object = object;
  f.message = message;
  f.location = j.where;
  f.suggestion = suggestion;
  j.out.push_back(std::move(f));
}

std::string relation_key(const PgQuery__RangeVar* rel) {
  if (!rel) return "";
  std::string in = rel->schemaname && *rel->schemaname ? rel->schemaname : "public";
  return schema::quote_qualified(in, rel->relname);
}

// The existing table a plan step works on: its object (a table) or the table its object's
// name starts with (a column "public.t.c", an index or constraint "public.t.x").
std::string step_table(const Step& s, const std::set<std::string>& existing) {
  if (existing.count(s.object_name)) return s.object_name;
  std::string best;
  for (const auto& key : existing)
    if (s.object_name.size() > key.size() && s.object_name.compare(0, key.size(), key) == 0 &&
        (s.object_name[key.size()] == '.' || s.object_name[key.size()] == ' ') &&
        key.size() > best.size())
      best = key;
  return best;
}

bool has(const Step& s, Hazard h) {
  return std::find(s.hazards.begin(), s.hazards.end(), h) != s.hazards.end();
}

// ---- the planner's hazards -----------------------------------------------------------------
// The plain plan of the statement's change: what PostgreSQL does for it, step by step, with
// the planner's hazards. Only steps on a table that existed before the migration count.
void judge_by_plan(Judged& j) {
  if (j.before == j.after) return;
  PlanOptions options;
  options.online = false;  // the statement as written, not the planner's online rewrite of it
  Plan plan;
  try {
    plan = make_plan(j.before, j.after, options);
  } catch (const std::exception&) {
    return;  // a change the planner refuses: PostgreSQL refuses it too, the replay reports it
  }
  for (const auto& s : plan.steps) {
    std::string table = step_table(s, j.existing);
    if (table.empty()) continue;  // created in this migration: nobody waits for its lock
    bool column = s.object_kind == "column";
    if (column && s.change_kind == engine::ChangeKind::Add && has(s, Hazard::TableRewrite))
      // adding-volatile-default: a per-row default (gen_random_uuid(), clock_timestamp(), a
      // function the planner cannot see) makes ADD COLUMN rewrite the table under ACCESS
      // EXCLUSIVE; a constant default is metadata only since PostgreSQL 11.
      add(j, kRuleAddingVolatileDefault, s.object_name,
          "ADD COLUMN with a volatile default, identity or generated column rewrites " + table +
              " under an ACCESS EXCLUSIVE lock",
          "add the column without the default, SET DEFAULT, then backfill in batches");
    else if (column && s.change_kind == engine::ChangeKind::Add &&
             has(s, Hazard::ConversionMayFail))
      // adding-not-null-without-default: fails on the first existing row.
      add(j, kRuleAddingNotNullWithoutDefault, s.object_name,
          "ADD COLUMN NOT NULL without a default fails unless " + table + " is empty",
          "add it nullable (or with a constant default), backfill, then set NOT NULL");
    else if (column && s.statement.find("SET NOT NULL") != std::string::npos &&
             has(s, Hazard::ValidationScan))
      // setting-not-null: scans the whole table under ACCESS EXCLUSIVE.
      add(j, kRuleSettingNotNull, s.object_name,
          "SET NOT NULL scans all of " + table + " under an ACCESS EXCLUSIVE lock",
          "ADD CONSTRAINT ... CHECK (c IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT "
          "NULL (PostgreSQL 12+ skips the scan)");
    else if (column && s.change_kind == engine::ChangeKind::Alter && has(s, Hazard::TableRewrite))
      // type-change-rewrite: the planner's cast model (planner/casts.h) says the new type is
      // not binary-coercible: every row and index is rewritten under ACCESS EXCLUSIVE.
      add(j, kRuleTypeChangeRewrite, s.object_name,
          "this type change rewrites " + table + " and its indexes under an ACCESS EXCLUSIVE lock",
          "add a new column, backfill it in batches, and switch over");
    if (column && s.change_kind == engine::ChangeKind::Alter &&
        (has(s, Hazard::ConversionMayFail) || has(s, Hazard::PrecisionLoss)) &&
        s.statement.find(" TYPE ") != std::string::npos)
      add(j, kRuleTypeChangeMayFail, s.object_name,
          std::string("this type change ") + (has(s, Hazard::ConversionMayFail)
                                                  ? "fails on values the new type cannot hold"
                                                  : "rounds or truncates existing values"));
    if (has(s, Hazard::DataLoss))
      add(j, kRuleDataLoss, s.object_name,
          "drops " + s.object_kind + " " + s.object_name + " of existing table " + table +
              ": its data is gone, and the code still reading it fails");
  }
}

// ---- the statement as written --------------------------------------------------------------
// The existing tables a DROP TABLE / DROP INDEX names (for an index: the table it is on), with
// the index name (empty for a table).
std::vector<std::pair<std::string, std::string>> dropped(const Judged& j,
                                                         const PgQuery__DropStmt* s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < s->n_objects; ++i) {
    const PgQuery__Node* o = s->objects[i];
    if (o->node_case != PG_QUERY__NODE__NODE_LIST) continue;
    std::vector<std::string> parts =
        schema::parse_tree::string_list(o->list->items, o->list->n_items);
    if (parts.empty()) continue;
    std::string in = parts.size() > 1 ? parts[parts.size() - 2] : "public";
    if (s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
      std::string key = schema::quote_qualified(in, parts.back());
      if (j.existing.count(key)) out.push_back({key, ""});
    } else if (s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX) {
      for (const auto& key : j.existing) {
        const auto& t = j.before.tables.at(key);
        if (t.schema == in && t.indexes.count(parts.back())) out.push_back({key, parts.back()});
      }
    }
  }
  return out;
}

bool takes_lock_on_existing(Judged& j) {
  const PgQuery__Node* n = j.stmt;
  if (!n) return false;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
      return j.existing.count(relation_key(n->alter_table_stmt->relation)) > 0;
    case PG_QUERY__NODE__NODE_INDEX_STMT:
      return !n->index_stmt->concurrent && j.existing.count(relation_key(n->index_stmt->relation));
    case PG_QUERY__NODE__NODE_RENAME_STMT:
      return n->rename_stmt->relation &&
             j.existing.count(relation_key(n->rename_stmt->relation)) > 0;
    case PG_QUERY__NODE__NODE_DROP_STMT:
      return !n->drop_stmt->concurrent && !dropped(j, n->drop_stmt).empty();
    default:
      return false;
  }
}

void judge_index(Judged& j, const PgQuery__IndexStmt* s) {
  std::string table = relation_key(s->relation);
  if (s->concurrent || !j.existing.count(table)) return;
  // index-without-concurrently: CREATE INDEX holds a SHARE lock (writes wait) for the build.
  std::string name = s->idxname && *s->idxname ? s->idxname : "(unnamed)";
  add(j, kRuleIndexWithoutConcurrently, table + " index " + name,
      "CREATE INDEX without CONCURRENTLY blocks writes to " + table + " while it builds",
      "CREATE INDEX CONCURRENTLY (outside a transaction block)");
}

void judge_drop_index(Judged& j, const PgQuery__DropStmt* s) {
  if (s->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_INDEX || s->concurrent) return;
  for (const auto& [table, index] : dropped(j, s))
    // drop-index-without-concurrently: DROP INDEX takes ACCESS EXCLUSIVE on the table.
    add(j, kRuleDropIndexWithoutConcurrently, table + " index " + index,
        "DROP INDEX without CONCURRENTLY locks " + table + " against reads and writes",
        "DROP INDEX CONCURRENTLY");
}

void judge_alter_table(Judged& j, const PgQuery__AlterTableStmt* s) {
  std::string table = relation_key(s->relation);
  if (!j.existing.count(table)) return;
  for (size_t i = 0; i < s->n_cmds; ++i) {
    if (s->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD) continue;
    const PgQuery__AlterTableCmd* cmd = s->cmds[i]->alter_table_cmd;
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint && cmd->def &&
        cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
      const PgQuery__Constraint* c = cmd->def->constraint;
      std::string object =
          table + " constraint " + (c->conname && *c->conname ? c->conname : "(unnamed)");
      if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN && !c->skip_validation)
        // foreign-key-without-not-valid: validating scans the table while both it and the
        // referenced table are locked against writes (SHARE ROW EXCLUSIVE).
        add(j, kRuleForeignKeyWithoutNotValid, object,
            "ADD FOREIGN KEY without NOT VALID scans " + table +
                " while writes to it and to the referenced table wait",
            "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later transaction");
      else if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK && !c->skip_validation)
        add(j, kRuleCheckWithoutNotValid, object,
            "ADD CHECK without NOT VALID scans " + table + " under an ACCESS EXCLUSIVE lock",
            "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later transaction");
      else if ((c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE ||
                c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) &&
               !(c->indexname && *c->indexname))
        add(j, kRuleUniqueWithoutIndex, object,
            "ADD UNIQUE / PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock on " + table,
            "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX");
    } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn && cmd->name) {
      // drop-column-used-by-view: PostgreSQL refuses the drop, or with CASCADE drops the view.
      Dependencies deps(j.before);
      static const std::regex word_chars("[^A-Za-z0-9_]");
      const std::string column = cmd->name;
      std::regex word("(^|[^A-Za-z0-9_\"])\"?" + std::regex_replace(column, word_chars, "\\$&") +
                      "\"?($|[^A-Za-z0-9_\"])");
      for (const auto& view_key : deps.dependent_views("table:" + table)) {
        std::string view = view_key.substr(view_key.find(':') + 1);
        auto v = j.before.views.find(view);
        if (v == j.before.views.end() || !std::regex_search(v->second.query, word)) continue;
        add(j, kRuleDropColumnUsedByView, table + "." + schema::quote_ident(column),
            "view " + view + " reads " + schema::quote_ident(column) +
                ": DROP COLUMN fails, or with CASCADE drops the view",
            "drop or redefine the view first");
      }
    }
  }
}

void judge_rename(Judged& j, const PgQuery__RenameStmt* s) {
  if (!s->relation) return;
  std::string table = relation_key(s->relation);
  if (!j.existing.count(table)) return;
  // Renames break every running instance of the application that uses the old name.
  if (s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN)
    add(j, kRuleRenamingColumn, table + "." + schema::quote_ident(s->subname),
        "renaming column " + schema::quote_ident(s->subname) + " to " +
            schema::quote_ident(s->newname) + " breaks code that still uses the old name",
        "add the new column, write both, move readers, then drop the old one");
  else if (s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
    add(j, kRuleRenamingTable, table,
        "renaming table " + table + " to " + schema::quote_ident(s->newname) +
            " breaks code that still uses the old name",
        "rename it and leave a view under the old name until every reader moved");
}

void judge_statement(Judged& j) {
  const PgQuery__Node* n = j.stmt;
  // A rename reaches the model as a drop and an add (no rename annotation): its plan would say
  // data loss. renaming-column / renaming-table say what it is.
  if (!n || n->node_case != PG_QUERY__NODE__NODE_RENAME_STMT) judge_by_plan(j);
  if (!n) return;
  if (n->node_case == PG_QUERY__NODE__NODE_INDEX_STMT) judge_index(j, n->index_stmt);
  if (n->node_case == PG_QUERY__NODE__NODE_DROP_STMT) judge_drop_index(j, n->drop_stmt);
  if (n->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT)
    judge_alter_table(j, n->alter_table_stmt);
  if (n->node_case == PG_QUERY__NODE__NODE_RENAME_STMT) judge_rename(j, n->rename_stmt);
}

bool sets_lock_timeout(const PgQuery__Node* n) {
  return n && n->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT &&
         n->variable_set_stmt->name && std::string(n->variable_set_stmt->name) == "lock_timeout";
}

// Lines of the files findings point at, for suppression comments.
class Files {
 public:
  const std::string& line(const std::string& file, int n) {
    auto it = lines_.find(file);
    if (it == lines_.end()) {
      std::vector<std::string> lines;
      std::ifstream in(file);
      for (std::string l; std::getline(in, l);) lines.push_back(l);
      it = lines_.emplace(file, std::move(lines)).first;
    }
    static const std::string none;
    return n >= 1 && n <= static_cast<int>(it->second.size()) ? it->second[n - 1] : none;
  }

 private:
  std::map<std::string, std::vector<std::string>> lines_;
};

bool suppressed(Files& files, const LintFinding& f) {
  if (f.location.empty() || f.location.line <= 0) return false;
  for (int l : {f.location.line, f.location.line - 1}) {
    auto codes = suppressed_codes(files.line(f.location.file, l));
    if (codes.count(f.rule) || codes.count("all")) return true;
  }
  return false;
}

}  // namespace

std::set<std::string> suppressed_codes(const std::string& line) {
  static const std::regex comment(R"((--|#)\s*pgdrift-lint:\s*disable=([A-Za-z0-9_,\s-]+))");
  std::set<std::string> out;
  std::smatch m;
  if (!std::regex_search(line, m, comment)) return out;
  std::stringstream list(m[2].str());
  for (std::string code; std::getline(list, code, ',');) {
    code.erase(0, code.find_first_not_of(" \t"));
    code.erase(code.find_last_not_of(" \t\r") + 1);
    if (code.find(' ') != std::string::npos) code = code.substr(0, code.find(' '));
    if (!code.empty()) out.insert(code);
  }
  return out;
}

const std::vector<engine::LintRuleInfo>& migration_lint_rules() {
  using S = LintSeverity;
  static const std::vector<engine::LintRuleInfo> rules = {
      {kRuleAddingVolatileDefault, S::Error, false,
       "ADD COLUMN with a volatile default (or identity, generated) rewrites an existing table"},
      {kRuleAddingNotNullWithoutDefault, S::Error, false,
       "ADD COLUMN NOT NULL without a default fails on a non-empty table"},
      {kRuleSettingNotNull, S::Warning, false,
       "SET NOT NULL scans an existing table under ACCESS EXCLUSIVE"},
      {kRuleTypeChangeRewrite, S::Error, false,
       "ALTER COLUMN TYPE rewrites an existing table and its indexes"},
      {kRuleTypeChangeMayFail, S::Warning, false,
       "ALTER COLUMN TYPE may fail on, or round, existing values"},
      {kRuleDataLoss, S::Warning, false,
       "a column, table or other object of an existing table is dropped"},
      {kRuleIndexWithoutConcurrently, S::Error, false,
       "CREATE INDEX on an existing table without CONCURRENTLY blocks writes"},
      {kRuleDropIndexWithoutConcurrently, S::Warning, false,
       "DROP INDEX on an existing table without CONCURRENTLY blocks reads and writes"},
      {kRuleForeignKeyWithoutNotValid, S::Error, false,
       "ADD FOREIGN KEY on an existing table without NOT VALID"},
      {kRuleCheckWithoutNotValid, S::Warning, false,
       "ADD CHECK on an existing table without NOT VALID"},
      {kRuleUniqueWithoutIndex, S::Warning, false,
       "ADD UNIQUE / PRIMARY KEY on an existing table without USING INDEX"},
      {kRuleMissingLockTimeout, S::Warning, false,
       "a migration locks an existing table without SET lock_timeout first"},
      {kRuleDropColumnUsedByView, S::Error, false, "DROP COLUMN of a column a view reads"},
      {kRuleRenamingColumn, S::Warning, false, "a column of an existing table is renamed"},
      {kRuleRenamingTable, S::Warning, false, "an existing table is renamed"},
  };
  return rules;
}

std::string lint_rule_help(const std::string& rule) { return "docs/lint.md#" + rule; }

MigrationLintResult lint_history(const schema::history::History& history,
                                 const MigrationLintOptions& options) {
  std::set<std::string> model_disabled;
  for (const auto& name : options.disabled) {
    auto known = [&](const auto& rules) {
      return std::any_of(rules.begin(), rules.end(), [&](const auto& r) { return r.name == name; });
    };
    if (known(engine::lint_rules()))
      model_disabled.insert(name);
    else if (!known(migration_lint_rules()))
      throw std::invalid_argument("unknown lint rule: " + name);
  }
  MigrationLintResult result;
  std::vector<LintFinding> found;
  schema::sql::LoadOptions load;
  load.skip_unsupported = true;
  auto step = [&](const Migration& migration, Model& model, std::vector<Problem>& problems) {
    ++result.migrations;
    std::set<std::string> existing;
    for (const auto& [key, t] : model.tables) existing.insert(key);
    bool lock_timeout = false, reported_timeout = false;
    for (const auto& statement : migration.statements) {
      for (const auto& piece : schema::scratch::split_statements(statement.sql)) {
        ++result.statements;
        int line = statement.where.line + schema::scratch::line_of(statement.sql, piece.offset) - 1;
        Model before = model;
        std::vector<schema::sql::LoadWarning> warnings;
        try {
          // Leading newlines make the loader's line numbers the file's line numbers.
          schema::sql::apply_sql(model, std::string(std::max(0, line - 1), '\n') + piece.sql,
                                 statement.where.file, load, warnings);
        } catch (const schema::sql::LoadError& e) {
          problems.push_back(Problem{SourceLocation{e.file(), e.line()},
                                     "migration " + migration.id + ": " + e.message()});
        }
        for (const auto& w : warnings)
          problems.push_back(Problem{w.where, "migration " + migration.id + ": " + w.message});
        schema::parse_tree::ParseTree tree;
        const PgQuery__Node* node = nullptr;
        try {
          tree = schema::parse_tree::parse(piece.sql);
          node = schema::parse_tree::first_statement(tree);
        } catch (const std::exception&) {
          node = nullptr;
        }
        Judged j{before, model, existing, node, SourceLocation{statement.where.file, line}, found};
        judge_statement(j);
        if (sets_lock_timeout(node)) lock_timeout = true;
        // missing-lock-timeout: a lock that waits behind a long transaction makes every query
        // after it wait too; lock_timeout makes the migration fail (and retry) instead.
        if (!lock_timeout && !reported_timeout && takes_lock_on_existing(j)) {
          reported_timeout = true;
          add(j, kRuleMissingLockTimeout, "migration " + migration.id,
              "this statement locks an existing table and the migration has not set "
              "lock_timeout: waiting for the lock, it blocks every query behind it",
              "SET lock_timeout = '5s'; at the start of the migration (and retry on timeout)");
        }
      }
    }
  };
  schema::history::ReplayResult replayed = schema::history::replay(history, {}, step);
  result.problems = replayed.problems;
  std::erase_if(found, [&](const LintFinding& f) { return options.disabled.count(f.rule) > 0; });
  engine::LintOptions model_options;
  model_options.disabled = model_disabled;
  for (auto& f : engine::lint_model(replayed.model, model_options)) found.push_back(std::move(f));
  Files files;
  for (auto& f : found) {
    if (suppressed(files, f))
      ++result.suppressed;
    else
      result.findings.push_back(std::move(f));
  }
  std::stable_sort(result.findings.begin(), result.findings.end(),
                   [](const LintFinding& a, const LintFinding& b) {
                     return std::tie(a.location.file, a.location.line, a.rule, a.object) <
                            std::tie(b.location.file, b.location.line, b.rule, b.object);
                   });
  return result;
}

}  // namespace pgdrift::planner
