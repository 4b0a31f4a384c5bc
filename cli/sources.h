// Schema sources for every command: a .sql file, a directory of .sql files, a .json model
// (docs/json-model.md) or a database connection string (postgres://..., postgresql://...,
// or libpq "key=value ..."). Also the one place that maps load failures to exit code 2.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "planner/hazards.h"
#include "schema/live/introspect.h"
#include "schema/model.h"

namespace pgdrift::cli {

struct SourceOptions {
  std::vector<std::string> include_schemas;  // empty = all
  std::vector<std::string> exclude_schemas;
  bool skip_unsupported = false;  // unsupported SQL statements become warnings
};

// A source that could not be read: missing path, SQL/JSON error, connection failure.
// what() is a complete one-line message without any password; commands exit with 2.
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SourceResult {
  schema::Model model;
  std::vector<std::string> warnings;  // "file:line:column: message" (--skip-unsupported)
  std::optional<schema::live::Provenance> provenance;  // set for a database source
};

// Read `source` into a model, filtered to the requested schemas. Throws SourceError.
SourceResult read_source(const std::string& source, const SourceOptions& options);

// read_source(...).model; warnings are printed to stderr (one "warning: ..." line each).
schema::Model load_source(const std::string& source, const SourceOptions& options);

// The hazards named by --allow-hazards values: comma-separated codes (docs/hazards.md) or
// "all", in any number of values. Throws SourceError on an unknown code.
std::set<planner::Hazard> parse_allowed_hazards(const std::vector<std::string>& items);

// Run a command body, turning every error into "pgdrift <command>: message" on stderr and
// exit code 2. Returns the body's exit code otherwise.
int run_command(const std::string& command, const std::function<int()>& body);

}  // namespace pgdrift::cli
