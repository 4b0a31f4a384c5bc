// Live introspection: reads a PostgreSQL database into the model, in one read-only
// REPEATABLE READ snapshot, with a fixed number of set-based catalog queries (named SQL text in
// queries.h).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "schema/filter.h"
#include "schema/model.h"

namespace pgdrift::schema::live {

struct IntrospectOptions {
  // Only the schemas that can hold an object the filter selects are read (all non-system
  // schemas when it is empty). The selection itself is schema::filter_schemas, which the
  // caller applies to the result (cli/sources.cpp does, for every source).
  SchemaFilter filter;
  // Objects owned by the connected user have no owner in the model (""), as in a SQL file that
  // declares none: for a database where that user ran the SQL (schema/scratch), so that only
  // the owners the SQL declared are compared.
  bool own_objects_undeclared = false;
};

struct Provenance {
  std::string server_version;  // e.g. "15.20"
  int server_version_num = 0;
  std::string database;
};

struct IntrospectResult {
  Model model;
  Provenance provenance;
  int catalog_queries = 0;  // how many catalog queries were run (fixed, see tests)
};

// Connection failure, auth failure, timeout, unreadable catalog. The message never contains
// the password.
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True when `source` looks like a database (postgres:// URL, or a libpq "key=value" string).
bool is_connection_string(const std::string& source);
// The connection string with any password replaced by "***" (for messages and logs).
std::string redact_connection_string(const std::string& conninfo);

IntrospectResult introspect(const std::string& conninfo, const IntrospectOptions& options = {});

}  // namespace pgdrift::schema::live
