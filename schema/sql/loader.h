// The SQL loader: parses PostgreSQL DDL with libpg_query and applies it, statement by
// statement, to a Model. Because ALTER and DROP are applied too, a chain of migration files
// replays into the model they produce.
#pragma once

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
  LoadError(std::string file, int line, int column, const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string message_;
};

struct LoadResult {
  Model model;
  std::vector<LoadWarning> warnings;
};

// Load one .sql file or a directory of .sql files (recursively, sorted by path).
LoadResult load_path(const std::string& path, const LoadOptions& options = {});

// Apply the statements of `sql` (named `filename` in messages) to `model`.
void apply_sql(Model& model, const std::string& sql, const std::string& filename,
               const LoadOptions& options, std::vector<LoadWarning>& warnings);

}  // namespace pgdrift::schema::sql
