// The SQL loader: parses PostgreSQL DDL with libpg_query and applies it, statement by
// statement, to a Model. Because ALTER and DROP are applied too, a chain of migration files
// replays into the model they produce.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "schema/model.h"

namespace pgdrift::schema::sql {

struct LoadOptions {
  // Unsupported statements become warnings (listed at the end) instead of stopping the load.
  bool skip_unsupported = false;
  // Schema of unqualified names; `SET search_path` in the SQL changes it for the rest of the file.
  std::string default_schema = "public";
  // Called after each statement is applied, with the model and where the statement starts: a
  // history's replay attributes column changes to their lines with it (history.h).
  std::function<void(const Model&, const SourceLocation&)> after_statement;
};

struct LoadWarning {
  SourceLocation where;
  int column = 0;
  std::string message;
};

// A load that cannot go on: syntax error, unsupported statement, reference to a missing
// object, unreadable file. what() is "file:line:column: message".
class LoadError : public std::runtime_error {
 public:
  LoadError(std::string file, int line, int column, const std::string& message,
            bool syntax_error = false);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }
  // The text is not SQL the loader can read at all (a syntax error, invalid UTF-8, nesting
  // beyond parse_tree's limits): nothing of it was applied.
  bool syntax_error() const { return syntax_error_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string message_;
  bool syntax_error_;
};

struct LoadResult {
  Model model;
  std::vector<LoadWarning> warnings;
};

// Load one .sql file or a directory of .sql files (recursively, sorted by path).
LoadResult load_path(const std::string& path, const LoadOptions& options = {});

// The files load_path reads for `path`, in the order it reads them: `path` itself, or every
// .sql file below the directory sorted by path. Throws LoadError (missing path, no .sql files).
// schema/scratch runs the same files in the same order.
std::vector<std::string> sql_files(const std::string& path);
// A file's text; throws LoadError when it cannot be read.
std::string read_sql_file(const std::string& path);

// Positions in SQL text, shared by the loader's messages and schema/scratch's:
// the byte offset of a 1-based character position as PostgreSQL reports it (cursorpos,
// PG_DIAG_STATEMENT_POSITION), and the byte offset of the first token at or after `offset`
// (skipping whitespace and comments: a statement's location starts after the previous `;`).
int byte_offset_of_char(const std::string& text, int char_pos);
int skip_space_and_comments(const std::string& text, int offset);

// Apply the statements of `sql` (named `filename` in messages) to `model`.
void apply_sql(Model& model, const std::string& sql, const std::string& filename,
               const LoadOptions& options, std::vector<LoadWarning>& warnings);

}  // namespace pgdrift::schema::sql
