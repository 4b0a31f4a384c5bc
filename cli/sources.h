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

#include <CLI/CLI.hpp>

#include "planner/hazards.h"
#include "schema/filter.h"
#include "schema/history/history.h"
#include "schema/live/introspect.h"
#include "schema/model.h"

namespace pgdrift::cli {

struct SourceOptions {
  schema::SchemaFilter filter;    // -n/--schema, -N, -t/--table, -T (schema/filter.h)
  bool skip_unsupported = false;  // unsupported SQL statements become warnings
  // SQL sources (files, directories) are run in a scratch PostgreSQL and introspected
  // (schema/scratch) instead of read by the static loader; other sources are read as always.
  bool load_via_scratch = false;
};

// Adds the filter options every command that reads a schema takes, with pg_dump's spellings:
// -n/--schema, -N/--exclude-schema, -t/--table, -T/--exclude-table (each repeatable).
void add_filter_options(CLI::App* command, SourceOptions& options);

// A source that could not be read: missing path, SQL/JSON error, connection failure.
// what() is a complete one-line message without any password; commands exit with 2.
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SourceResult {
  schema::Model model;
  schema::UnmatchedPatterns unmatched;  // include patterns that selected nothing here
  std::vector<std::string> warnings;    // "file:line:column: message" (--skip-unsupported)
  std::optional<schema::live::Provenance> provenance;  // set for a database source
};

// --load-via-scratch, as every command that reads SQL describes it.
inline constexpr const char* kLoadViaScratchHelp =
    "Run SQL files (and migration histories) in a throwaway PostgreSQL and introspect the "
    "result, instead of reading them statically: DO blocks, EXECUTE and anything else "
    "PostgreSQL accepts";

// --backfill-batch, as `plan`, `apply` and `rollback` describe it
// (PlanOptions::backfill_batch_rows).
inline constexpr const char* kBackfillBatchHelp =
    "Fill the rows of a column added with a volatile default in batches of ROWS rows by key, "
    "each committed (default 10000; 0: one UPDATE of every row)";

// Read `source` into a model, filtered to the requested schemas. Throws SourceError.
SourceResult read_source(const std::string& source, const SourceOptions& options);

// read_source(...).model; warnings are printed to stderr (one "warning: ..." line each), the
// unmatched include patterns go to `unmatched` when given.
schema::Model load_source(const std::string& source, const SourceOptions& options,
                          schema::UnmatchedPatterns* unmatched = nullptr);

// load_source of two sources, read at the same time when both are databases (two connections,
// two threads, as drift --jobs reads a fleet): `plan --from DB --to DB` waits for the slower
// catalog read, not for the sum. Otherwise one after the other (a command's SQL loads share its
// scratch cluster). Warnings in source order; on errors, the first source's is thrown.
std::pair<schema::Model, schema::Model> load_sources(const std::string& first,
                                                     const std::string& second,
                                                     const SourceOptions& options,
                                                     schema::UnmatchedPatterns* unmatched_first,
                                                     schema::UnmatchedPatterns* unmatched_second);

// An include pattern (--schema, --table) that selected nothing in any of `sides` (read with the
// same options) is a mistake, never an empty comparison: throws SourceError naming the patterns
// and `where` ("in the desired schema or the database"), like pg_dump's "no matching schemas
// were found". A pattern that matches on one side only is real drift and passes.
void require_matches(const std::vector<const schema::UnmatchedPatterns*>& sides,
                     const std::string& where);

// A migration history replayed by the static loader or, with `load_via_scratch`, in the
// command's scratch PostgreSQL. Throws SourceError when the scratch replay fails.
schema::history::ReplayResult replay_history(const schema::history::History& history,
                                             const schema::history::ReplayOptions& options,
                                             bool load_via_scratch);

// A history is replayed whole or not at all: the first broken migration of `replayed`
// (Problem::broken: Python or SQL that does not parse) throws SourceError with its
// file:line:column and cause, unless `skip_unsupported` (--skip-unsupported) lets the replay go
// on without it, reported as a warning like every other problem.
void require_complete_history(const schema::history::ReplayResult& replayed, bool skip_unsupported);

// The hazards named by --allow-hazards values: comma-separated codes (docs/hazards.md) or
// "all", in any number of values. Throws SourceError on an unknown code.
// The database of a command whose --db was left out, as libpq tools find theirs: DATABASE_URL,
// else the PG* environment (PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE, ...) as
// "postgresql://" (which libpq completes from it). Says on stderr which one it used, labelled by
// user@host:port/dbname. `given` when not empty; SourceError when nothing is set.
std::string database_or_environment(const std::string& given, const std::string& command);

// Hazard codes given as separate arguments, comma-separated, or both ("all" = every hazard);
// an unknown code is a SourceError naming `option` and the known codes.
std::set<planner::Hazard> parse_hazard_list(const std::vector<std::string>& items,
                                            const std::string& option);
std::set<planner::Hazard> parse_allowed_hazards(const std::vector<std::string>& items);

// Run a command body, turning every error into "pgdrift <command>: message" on stderr and
// exit code 2. Returns the body's exit code otherwise. The scratch PostgreSQL of
// --load-via-scratch (one per command, shared by its loads) is stopped when the body ends,
// however it ends.
int run_command(const std::string& command, const std::function<int()>& body);

}  // namespace pgdrift::cli
