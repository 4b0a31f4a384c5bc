// The convergence cases (tests/convergence/<kind>.sql): each case a `from` schema, a `to`
// schema, what the forward plan must contain (hazards, statements) and how to plan it. The
// files are sectioned SQL that psql and editors read as SQL:
//
//   -- case: add_and_drop_column          one case: a name (letters, digits, _) ...
//   -- from:                              ... its source schema (absent or empty: no objects)
//   CREATE TABLE t (id int);
//   -- to:                                ... its target schema
//   CREATE TABLE t (id int, n int NOT NULL DEFAULT 0);
//   -- hazards: access_exclusive_lock     hazard codes (docs/hazards.md) the forward plan has
//   -- statements:                        one line each: text some forward step contains
//   ADD COLUMN n integer DEFAULT 0 NOT NULL
//   -- options: privileges offline        compare and plan grants; plan with --no-online;
//               annotated                 (the target's annotations matter: the forward plan
//                                         runs against the loaded SQL only)
//   -- check_after:                       a query that must return 0 on the migrated database
//   SELECT count(*) FROM t WHERE n IS NULL;
//
// A `-- key:` line with any other key is an error; other `--` lines are comments and are never
// part of a section. Hazards and statements are "at least these": the plan may have more.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "planner/hazards.h"

namespace pgdrift::testing {

struct ConvergenceCase {
  std::string name;
  std::string file;  // e.g. "tables.sql"
  int line = 0;      // of the `-- case:` line
  std::string from;
  std::string to;
  std::vector<planner::Hazard> forward_hazards;  // must appear in the from -> to plan
  std::vector<std::string> forward_statements;   // each contained in some from -> to step
  bool privileges = false;                       // compare (and plan) grants too
  bool offline = false;                          // plan with --no-online
  // The target's `-- pgdrift:` annotations are what the case is about: they are comments, which
  // PostgreSQL does not keep, so the forward plan runs only against the target loaded from SQL.
  bool annotated = false;
  // Run on the migrated database after the forward plan; must return 0 (e.g. rows a backfill
  // left NULL). Empty = none.
  std::string check_after;
};

// For gtest messages: "name (file:line)".
void PrintTo(const ConvergenceCase& c, std::ostream* os);

struct ConvergenceCases {
  std::vector<ConvergenceCase> cases;
  std::vector<std::string> errors;  // "file:line: message"; empty when every case is well formed
};

// The cases of one file's text, named `file` in errors.
ConvergenceCases parse_convergence_cases(const std::string& text, const std::string& file);

// PGDRIFT_SOURCE_DIR "/tests/convergence".
std::string convergence_cases_dir();

// Every *.sql file of `dir`, in file name order; case names must be unique across the files.
ConvergenceCases load_convergence_cases(const std::string& dir = convergence_cases_dir());

}  // namespace pgdrift::testing
