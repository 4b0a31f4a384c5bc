// Migration histories: a chain of migrations (Alembic revisions, Flyway / golang-migrate /
// dbmate / plain numbered SQL files) read into an ordered list of SQL statements, and the
// replay of that list through the SQL loader into the Model the chain produces.
//
// Readers never run the migrations' code: Alembic files are read statically (python.h), and
// anything a reader does not understand becomes a Problem with its file:line (the migration is
// then marked partial) instead of being skipped silently. docs/history.md describes every rule.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "schema/model.h"
#include "schema/sql/loader.h"

namespace pgdrift::schema::history {

// One SQL text to apply, and where it comes from. For SQL generated from a Python call,
// `where` is the call; for raw SQL (op.execute, SQL files) it is where the SQL text starts, so
// that line N of `sql` is line where.line + N - 1 of the file.
struct Statement {
  std::string sql;
  SourceLocation where;
};

// Something a reader or the replay could not handle.
struct Problem {
  SourceLocation where;
  std::string message;
  int column = 0;  // 1-based, in characters; 0 when only the line is known
  // The migration file itself is broken: Python or SQL that does not parse (syntax error,
  // unterminated string or bracket, invalid UTF-8, nesting beyond the readers' limits). Its
  // migration is not (or not wholly) in the replay, so the commands stop with an error unless
  // asked to go on without it (--skip-unsupported). Other problems are constructs the readers
  // do not support, reported as warnings.
  bool broken = false;
};

// "file:line:column: message" (":column" left out when unknown).
std::string problem_text(const Problem& problem);

struct Migration {
  std::string id;    // Alembic revision, or the version of a SQL file ("1.1", "20240101120000")
  std::string name;  // description: "add moods table", file name without version, ...
  std::string file;  // path of the migration file
  std::vector<std::string> parents;  // down_revision(s); the previous version for SQL files
  std::vector<Statement> statements;
  std::vector<Problem> problems;
  bool partial = false;  // true when some of the migration could not be read
};

struct History {
  std::string kind;  // "alembic", "alembic-sql", "flyway", "golang-migrate", "dbmate", "plain"
  std::string path;
  std::vector<Migration> ordered;  // parents before children; ties in file-name order
  std::vector<std::string> heads;  // ids no other migration names as parent (2+ = branches)
  std::vector<Problem> problems;   // history-level: missing parents, cycles, duplicate ids
};

// Read the history at `path`, detecting its kind:
//  - a directory holding Alembic revision files (*.py with `revision =`), or an Alembic
//    environment directory whose versions/ holds them -> "alembic";
//  - a .sql file with `-- Running upgrade` markers (alembic upgrade --sql) -> "alembic-sql";
//  - a directory of V<version>__<name>.sql files -> "flyway";
//  - a directory of <version>_<name>.up.sql files -> "golang-migrate";
//  - a directory of .sql files with `-- migrate:up` sections -> "dbmate";
//  - a directory of numbered .sql files (001_name.sql) -> "plain".
// Throws std::runtime_error when the path cannot be read or its kind is not recognised.
History read_history(const std::string& path);

// The readers, for callers that know the kind.
History read_alembic(const std::string& versions_dir);
History read_alembic_sql(const std::string& sql_file);
History read_flyway(const std::string& dir);
History read_golang_migrate(const std::string& dir);
History read_dbmate(const std::string& dir);
History read_plain_sql(const std::string& dir);

// Read one Alembic revision file (exposed for tests). `created_enums` holds the enum types
// already created by earlier revisions; types created here are added to it.
Migration read_alembic_file(const std::string& file, std::vector<std::string>& created_enums);
// Same, from text, named `file` in locations.
Migration read_alembic_text(const std::string& text, const std::string& file,
                            std::vector<std::string>& created_enums);

// Order migrations parents-first (stable: among ready ones, in the given order), compute the
// heads, and report missing parents / cycles / duplicate ids into history.problems.
void order_history(History& history, std::vector<Migration> migrations);

struct ReplayOptions {
  sql::LoadOptions load;  // skip_unsupported is forced on: every warning becomes a Problem
  bool keep_per_migration = false;  // fill ReplayResult::per_migration
  // Fill ReplayResult::column_aspects (reconcile's provenance). The SQL-loader replay compares
  // the columns after every SQL statement (one walk over the columns per statement); a step
  // that runs whole migrations (schema/scratch) gives the migration and file, line 0.
  bool column_provenance = false;
};

// Where one aspect of a column was last set: the migration, and the line of the statement that
// changed it, or of the column's own definition for the statement that created it (the
// `sa.Column(` line of an Alembic op.create_table, the column's line in CREATE TABLE).
struct AspectChange {
  std::string migration;
  SourceLocation where;
};

struct ReplayResult {
  Model model;
  // Object key -> id of the migration that created it or last changed it. Keys:
  //   tables, views, sequences, enums, composite types, domains: qualified key
  //   functions: function_key();  schemas: "schema <name>";  extensions: "extension <name>"
  //   table members: "<table key>.<column>" for columns (quote_ident), and
  //   "<table key> constraint <name>", "<table key> index <name>", "<table key> trigger <name>",
  //   "<table key> policy <name>".
  std::map<std::string, std::string> last_changed_by;
  std::vector<Problem> problems;     // loader errors and warnings, plus the readers' problems
  std::vector<Model> per_migration;  // model after each of history.ordered (if asked)
  // With ReplayOptions::column_provenance: column key ("<table key>.<column>", as in
  // last_changed_by) -> aspect (schema::column_aspects()) -> where it was last set. A column
  // renamed (RENAME COLUMN, or its table renamed) keeps its aspects' provenance.
  std::map<std::string, std::map<std::string, AspectChange>> column_aspects;
};

// Apply every statement of the history, in order, with sql::apply_sql. A statement the loader
// rejects becomes a Problem (at its file:line) and the replay goes on with the next one.
ReplayResult replay(const History& history, const ReplayOptions& options = {});

// What one migration does to the model: `model` is the model after the migrations before it,
// to be changed into the model after it; problems met are added to `problems`. replay() above
// applies the statements with the SQL loader; schema/scratch runs them in PostgreSQL and
// introspects. May throw: the replay stops and the exception propagates.
using MigrationStep =
    std::function<void(const Migration& migration, Model& model, std::vector<Problem>& problems)>;

// The one replay loop (history problems first, migrations in order, last_changed_by,
// per_migration) with `step` doing each migration.
ReplayResult replay(const History& history, const ReplayOptions& options,
                    const MigrationStep& step);

}  // namespace pgdrift::schema::history
