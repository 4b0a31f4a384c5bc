// Kind detection, ordering of a migration graph, and replay through the SQL loader.
#include "schema/history/history.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "schema/canonical.h"

namespace pgdrift::schema::history {

namespace fs = std::filesystem;

namespace {

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A line `revision = ...` or `revision: str = ...` (leading blanks allowed). Scanned by hand:
// std::regex recurses once per character matched and overflows the stack on long lines.
bool assigns_revision(const std::string& text) {
  static const std::string word = "revision";
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    size_t p = text.find_first_not_of(" \t\f\v\r", at);
    if (p < end && text.compare(p, word.size(), word) == 0) {
      p = text.find_first_not_of(" \t\f\v\r", p + word.size());
      if (p < end && text[p] == '=') return true;
      if (p < end && text[p] == ':' && text.find('=', p) < end) return true;
    }
    at = end + 1;
  }
  return false;
}

bool has_alembic_revisions(const fs::path& dir) {
  if (!fs::is_directory(dir)) return false;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".py" &&
        assigns_revision(file_text(e.path())))
      return true;
  return false;
}

}  // namespace

std::string problem_text(const Problem& problem) {
  std::string text = problem.where.file + ":" + std::to_string(problem.where.line);
  if (problem.column > 0) text += ":" + std::to_string(problem.column);
  return text + ": " + problem.message;
}

History read_history(const std::string& path) {
  fs::path p = path;
  if (!fs::exists(p)) throw std::runtime_error(path + ": no such file or directory");
  if (fs::is_regular_file(p)) {
    if (file_text(p).find("-- Running upgrade") != std::string::npos) return read_alembic_sql(path);
    throw std::runtime_error(path +
                             ": not a migration history (expected a directory, or the output of "
                             "`alembic upgrade --sql` with `-- Running upgrade` markers)");
  }
  if (has_alembic_revisions(p / "versions") || has_alembic_revisions(p)) return read_alembic(path);
  static const std::regex flyway(R"(^V[0-9][0-9._]*__.*\.sql$)");
  static const std::regex golang(R"(^[0-9]+_.*\.up\.sql$)");
  static const std::regex numbered(R"(^[0-9]+[_-].*\.sql$)");
  bool any_flyway = false, any_golang = false, any_dbmate = false, any_numbered = false;
  for (const auto& e : fs::directory_iterator(p)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    if (std::regex_match(name, flyway)) any_flyway = true;
    if (std::regex_match(name, golang)) any_golang = true;
    if (std::regex_match(name, numbered)) {
      any_numbered = true;
      if (file_text(e.path()).find("-- migrate:up") != std::string::npos) any_dbmate = true;
    }
  }
  if (any_golang) return read_golang_migrate(path);
  if (any_flyway) return read_flyway(path);
  if (any_dbmate) return read_dbmate(path);
  if (any_numbered) return read_plain_sql(path);
  throw std::runtime_error(path +
                           ": no migration history found (Alembic revisions, Flyway V1__x.sql, "
                           "golang-migrate 1_x.up.sql, dbmate or numbered .sql files)");
}

void order_history(History& history, std::vector<Migration> migrations) {
  std::map<std::string, size_t> by_id;
  for (size_t i = 0; i < migrations.size(); ++i) {
    auto [it, inserted] = by_id.emplace(migrations[i].id, i);
    if (!inserted)
      history.problems.push_back(Problem{SourceLocation{migrations[i].file, 1},
                                         "duplicate migration id '" + migrations[i].id +
                                             "' (also in " + migrations[it->second].file + ")"});
  }
  std::vector<int> waiting(migrations.size(), 0);
  std::vector<std::vector<size_t>> children(migrations.size());
  std::set<std::string> referenced;
  for (size_t i = 0; i < migrations.size(); ++i) {
    for (const auto& parent : migrations[i].parents) {
      referenced.insert(parent);
      auto it = by_id.find(parent);
      if (it == by_id.end()) {
        history.problems.push_back(Problem{SourceLocation{migrations[i].file, 1},
                                           "parent revision '" + parent + "' of '" +
                                               migrations[i].id + "' is not in the history"});
        continue;
      }
      ++waiting[i];
      children[it->second].push_back(i);
    }
  }
  // Kahn's algorithm; among ready migrations the earliest in input order goes first.
  std::set<size_t> ready;
  for (size_t i = 0; i < migrations.size(); ++i)
    if (waiting[i] == 0) ready.insert(i);
  std::vector<bool> done(migrations.size(), false);
  while (!ready.empty()) {
    size_t i = *ready.begin();
    ready.erase(ready.begin());
    done[i] = true;
    history.ordered.push_back(migrations[i]);
    for (size_t child : children[i])
      if (--waiting[child] == 0) ready.insert(child);
  }
  for (size_t i = 0; i < migrations.size(); ++i)
    if (!done[i])
      history.problems.push_back(Problem{
          SourceLocation{migrations[i].file, 1},
          "migration '" + migrations[i].id + "' is part of a cycle of parents; not replayed"});
  for (const auto& m : history.ordered)
    if (!referenced.count(m.id)) history.heads.push_back(m.id);
}

namespace {

// Every object of a model with its key (see ReplayResult::last_changed_by), each compared
// through a callback so that "changed" means operator== says so.
template <typename Fn>
void for_each_object(const Model& a, const Model& b, Fn&& changed) {
  auto compare_map = [&](const auto& ma, const auto& mb, const std::string& prefix,
                         const std::string& suffix_sep) {
    for (const auto& [key, value] : mb) {
      auto it = ma.find(key);
      std::string name = prefix.empty() ? key : prefix + suffix_sep + key;
      changed(name, it == ma.end() || !(it->second == value));
    }
  };
  compare_map(a.schemas, b.schemas, "schema", " ");
  compare_map(a.extensions, b.extensions, "extension", " ");
  compare_map(a.views, b.views, "", "");
  compare_map(a.sequences, b.sequences, "", "");
  compare_map(a.enums, b.enums, "", "");
  compare_map(a.composite_types, b.composite_types, "", "");
  compare_map(a.domains, b.domains, "", "");
  compare_map(a.functions, b.functions, "", "");
  compare_map(a.aggregates, b.aggregates, "", "");
  compare_map(a.collations, b.collations, "collation", " ");
  for (const auto& [key, table] : b.tables) {
    auto it = a.tables.find(key);
    const Table* before = it == a.tables.end() ? nullptr : &it->second;
    changed(key, !before || !(*before == table));
    for (const auto& column : table.columns) {
      const Column* old = before ? before->find_column(column.name) : nullptr;
      changed(key + "." + quote_ident(column.name), !old || !(*old == column));
    }
    static const std::map<std::string, Constraint> no_constraints;
    static const std::map<std::string, Index> no_indexes;
    static const std::map<std::string, Trigger> no_triggers;
    static const std::map<std::string, Policy> no_policies;
    compare_map(before ? before->constraints : no_constraints, table.constraints,
                key + " constraint", " ");
    compare_map(before ? before->indexes : no_indexes, table.indexes, key + " index", " ");
    compare_map(before ? before->triggers : no_triggers, table.triggers, key + " trigger", " ");
    compare_map(before ? before->policies : no_policies, table.policies, key + " policy", " ");
  }
}

// ReplayOptions::column_provenance: after every SQL statement, each table's columns are
// compared with what they were after the statement before, and every aspect that changed is
// attributed to this statement (a new column: all its aspects, to its own definition's line).
class ColumnAspectTracker {
 public:
  using Aspects = std::map<std::string, std::map<std::string, AspectChange>>;

  void set_migration(const std::string& id) { migration_ = id; }
  Aspects take() { return std::move(aspects_); }

  void after_statement(const Model& model, const SourceLocation& where) {
    std::vector<std::string> appeared, vanished;
    for (const auto& [key, table] : model.tables) {
      auto it = seen_.find(key);
      if (it == seen_.end()) {
        appeared.push_back(key);
      } else if (it->second != table.columns) {
        compare(key, it->second, key, table.columns, where);
        it->second = table.columns;
      }
    }
    for (const auto& entry : seen_)
      if (model.tables.count(entry.first) == 0) vanished.push_back(entry.first);
    if (appeared.size() == 1 && vanished.size() == 1) {
      // A renamed table: its columns keep where their aspects were set.
      const std::vector<Column>& now = model.tables.at(appeared[0]).columns;
      compare(vanished[0], seen_[vanished[0]], appeared[0], now, where);
      seen_.erase(vanished[0]);
      seen_[appeared[0]] = now;
      return;
    }
    for (const auto& key : vanished) {
      for (const auto& column : seen_[key]) aspects_.erase(column_key(key, column.name));
      seen_.erase(key);
    }
    for (const auto& key : appeared) {
      const std::vector<Column>& columns = model.tables.at(key).columns;
      for (const auto& column : columns) created(column_key(key, column.name), column, where);
      seen_[key] = columns;
    }
  }

 private:
  static std::string column_key(const std::string& table, const std::string& column) {
    return table + "." + quote_ident(column);
  }

  void created(const std::string& key, const Column& column, const SourceLocation& where) {
    AspectChange change{migration_, column.location.empty() ? where : column.location};
    auto& aspects = aspects_[key];
    for (const auto& aspect : column_aspects()) aspects[aspect] = change;
  }

  void changed(const std::string& key, const Column& before, const Column& after,
               const SourceLocation& where) {
    for (const auto& aspect : differing_column_aspects(before, after))
      aspects_[key][aspect] = AspectChange{migration_, where};
  }

  // Moves the provenance of column `from` to column `to` (a rename).
  void moved(const std::string& from, const std::string& to) {
    if (from == to) return;
    auto it = aspects_.find(from);
    if (it == aspects_.end()) return;
    aspects_[to] = std::move(it->second);
    aspects_.erase(from);
  }

  // The columns of table `old_table` (before) and `table` (after; the same key unless renamed).
  void compare(const std::string& old_table, const std::vector<Column>& before,
               const std::string& table, const std::vector<Column>& after,
               const SourceLocation& where) {
    auto find = [](const std::vector<Column>& columns, const std::string& name) -> const Column* {
      for (const auto& c : columns)
        if (c.name == name) return &c;
      return nullptr;
    };
    std::vector<const Column*> gone, added;
    for (const auto& c : before)
      if (!find(after, c.name)) gone.push_back(&c);
    for (const auto& c : after) {
      const Column* old = find(before, c.name);
      if (!old) {
        added.push_back(&c);
        continue;
      }
      moved(column_key(old_table, c.name), column_key(table, c.name));
      changed(column_key(table, c.name), *old, c, where);
    }
    // One column gone and one added, alike but for the name: RENAME COLUMN.
    if (gone.size() == 1 && added.size() == 1 &&
        differing_column_aspects(*gone[0], *added[0]).empty()) {
      moved(column_key(old_table, gone[0]->name), column_key(table, added[0]->name));
      return;
    }
    for (const Column* c : gone) aspects_.erase(column_key(old_table, c->name));
    for (const Column* c : added) created(column_key(table, c->name), *c, where);
  }

  std::string migration_;
  std::map<std::string, std::vector<Column>> seen_;  // table key -> columns after the statement
  Aspects aspects_;
};

}  // namespace

ReplayResult replay(const History& history, const ReplayOptions& options) {
  sql::LoadOptions load = options.load;
  load.skip_unsupported = true;
  ColumnAspectTracker tracker;
  if (options.column_provenance)
    load.after_statement = [&tracker](const Model& model, const SourceLocation& where) {
      tracker.after_statement(model, where);
    };
  ReplayOptions per_migration = options;
  per_migration.column_provenance = false;  // the tracker above is finer: per statement
  ReplayResult result = replay(
      history, per_migration,
      [&load, &tracker](const Migration& migration, Model& model, std::vector<Problem>& problems) {
        tracker.set_migration(migration.id);
        for (const auto& statement : migration.statements) {
          // Leading newlines make the loader's line numbers the file's line numbers.
          std::string text =
              std::string(std::max(0, statement.where.line - 1), '\n') + statement.sql;
          std::vector<sql::LoadWarning> warnings;
          try {
            sql::apply_sql(model, text, statement.where.file, load, warnings);
          } catch (const sql::LoadError& e) {
            problems.push_back(Problem{SourceLocation{e.file(), e.line()},
                                       "migration " + migration.id + ": " + e.message(), e.column(),
                                       e.syntax_error()});
          }
          for (const auto& w : warnings)
            problems.push_back(
                Problem{w.where, "migration " + migration.id + ": " + w.message, w.column});
        }
      });
  result.column_aspects = tracker.take();
  return result;
}

ReplayResult replay(const History& history, const ReplayOptions& options,
                    const MigrationStep& step) {
  ReplayResult result;
  // A step that runs whole migrations (schema/scratch): aspects are known per migration only.
  ColumnAspectTracker tracker;
  for (const auto& p : history.problems) result.problems.push_back(p);
  for (const auto& migration : history.ordered) {
    for (const auto& p : migration.problems) result.problems.push_back(p);
    Model before = result.model;
    step(migration, result.model, result.problems);
    if (options.column_provenance) {
      tracker.set_migration(migration.id);
      tracker.after_statement(result.model, SourceLocation{migration.file, 0});
    }
    std::set<std::string> present;
    for_each_object(before, result.model, [&](const std::string& key, bool changed) {
      present.insert(key);
      if (changed) result.last_changed_by[key] = migration.id;
    });
    for (auto it = result.last_changed_by.begin(); it != result.last_changed_by.end();)
      it = present.count(it->first) ? std::next(it) : result.last_changed_by.erase(it);
    if (options.keep_per_migration) result.per_migration.push_back(result.model);
  }
  if (options.column_provenance) result.column_aspects = tracker.take();
  return result;
}

}  // namespace pgdrift::schema::history
