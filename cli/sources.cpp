#include "cli/sources.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "schema/json.h"
#include "schema/large_stack.h"
#include "schema/live/connection.h"
#include "schema/scratch/scratch_loader.h"
#include "schema/sql/loader.h"

namespace pgdrift::cli {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

SourceResult read_database(const std::string& source, const SourceOptions& options) {
  schema::live::IntrospectOptions live_options;
  live_options.filter = options.filter;
  try {
    auto result = schema::live::introspect(source, live_options);
    SourceResult out;
    out.model = std::move(result.model);
    out.provenance = result.provenance;
    return out;
  } catch (const schema::live::ConnectionError& e) {
    // Already names the (redacted) target.
    throw SourceError(schema::live::redact_message(e.what(), source));
  } catch (const std::exception& e) {
    std::string where = schema::live::redact_connection_string(source);
    throw SourceError(
        schema::live::redact_message("cannot read database " + where + ": " + e.what(), source));
  }
}

// The scratch PostgreSQL of this command: started by its first --load-via-scratch load, shared
// by the others (each in its own database), stopped by run_command.
std::unique_ptr<schema::scratch::ScratchLoader>& scratch_loader_slot() {
  static std::unique_ptr<schema::scratch::ScratchLoader> loader;
  return loader;
}

schema::scratch::ScratchLoader& scratch_loader() {
  auto& loader = scratch_loader_slot();
  if (!loader) loader = std::make_unique<schema::scratch::ScratchLoader>();
  return *loader;
}

SourceResult read_sql_via_scratch(const std::string& source) {
  try {
    SourceResult out;
    out.model = scratch_loader().load_path(source);
    return out;
  } catch (const std::exception& e) {
    throw SourceError(e.what());  // names the file:line and SQLSTATE, or what is missing
  }
}

SourceResult read_sql(const std::string& source, const SourceOptions& options) {
  if (options.load_via_scratch) return read_sql_via_scratch(source);
  schema::sql::LoadOptions load_options;
  load_options.skip_unsupported = options.skip_unsupported;
  try {
    auto result = schema::sql::load_path(source, load_options);
    SourceResult out;
    out.model = std::move(result.model);
    for (const auto& w : result.warnings) {
      out.warnings.push_back(w.where.file + ":" + std::to_string(w.where.line) + ":" +
                             std::to_string(w.column) + ": " + w.message);
    }
    return out;
  } catch (const schema::sql::LoadError& e) {
    throw SourceError(e.what());
  } catch (const std::exception& e) {
    throw SourceError(source + ": " + e.what());
  }
}

SourceResult read_json(const std::string& source) {
  try {
    SourceResult out;
    out.model = schema::load_model_json_file(source);
    return out;
  } catch (const std::exception& e) {
    throw SourceError(e.what());  // already names the file and the JSON path
  }
}

}  // namespace

SourceResult read_source(const std::string& source, const SourceOptions& options) {
  if (source.empty()) throw SourceError("empty source (expected a path or a connection string)");
  try {
    schema::ObjectSelection check(options.filter);  // bad patterns fail before any reading
  } catch (const schema::PatternError& e) {
    throw SourceError(e.what());
  }
  SourceResult result;
  if (schema::live::is_connection_string(source)) {
    result = read_database(source, options);
  } else {
    std::error_code ec;
    if (!fs::exists(source, ec)) {
      throw SourceError(source + ": no such file or directory");
    }
    if (fs::is_directory(source, ec)) {
      result = read_sql(source, options);
    } else if (ends_with(source, ".json")) {
      result = read_json(source);
    } else if (ends_with(source, ".sql")) {
      result = read_sql(source, options);
    } else {
      throw SourceError(source +
                        ": unknown source kind (expected a .sql file, a directory, a .json "
                        "model or a postgres:// connection string)");
    }
  }
  result.unmatched = schema::filter_schemas(result.model, options.filter);
  return result;
}

void add_filter_options(CLI::App* command, SourceOptions& options) {
  command
      ->add_option("-n,--schema", options.filter.include_schemas,
                   "Only schemas matching this psql pattern (repeatable)")
      ->allow_extra_args(false);
  command
      ->add_option("-N,--exclude-schema", options.filter.exclude_schemas,
                   "Leave out schemas matching this pattern (repeatable)")
      ->allow_extra_args(false);
  command
      ->add_option("-t,--table", options.filter.include_tables,
                   "Only tables, views and sequences matching this [schema.]table pattern "
                   "(repeatable)")
      ->allow_extra_args(false);
  command
      ->add_option("-T,--exclude-table", options.filter.exclude_tables,
                   "Leave out tables, views and sequences matching this pattern (repeatable)")
      ->allow_extra_args(false);
}

void require_matches(const std::vector<const schema::UnmatchedPatterns*>& sides,
                     const std::string& where) {
  if (sides.empty()) return;
  std::string patterns;
  for (const std::string& pattern : sides.front()->patterns) {
    bool everywhere = true;
    for (const auto* side : sides)
      everywhere = everywhere && std::find(side->patterns.begin(), side->patterns.end(), pattern) !=
                                     side->patterns.end();
    if (everywhere) patterns += (patterns.empty() ? "" : ", ") + pattern;
  }
  if (!patterns.empty()) throw SourceError(patterns + " matched nothing " + where);
}

schema::Model load_source(const std::string& source, const SourceOptions& options,
                          schema::UnmatchedPatterns* unmatched) {
  SourceResult result = read_source(source, options);
  if (unmatched != nullptr) *unmatched = std::move(result.unmatched);
  for (const auto& w : result.warnings) std::cerr << "warning: " << w << "\n";
  return std::move(result.model);
}

std::pair<schema::Model, schema::Model> load_sources(const std::string& first,
                                                     const std::string& second,
                                                     const SourceOptions& options,
                                                     schema::UnmatchedPatterns* unmatched_first,
                                                     schema::UnmatchedPatterns* unmatched_second) {
  if (!schema::live::is_connection_string(first) || !schema::live::is_connection_string(second))
    return {load_source(first, options, unmatched_first),
            load_source(second, options, unmatched_second)};
  SourceResult a, b;
  std::exception_ptr second_error;
  std::thread reader([&] {
    try {
      schema::run_on_large_stack([&] { b = read_source(second, options); });
    } catch (...) {
      second_error = std::current_exception();
    }
  });
  try {
    a = read_source(first, options);
  } catch (...) {
    reader.join();
    throw;
  }
  reader.join();
  if (second_error) std::rethrow_exception(second_error);
  for (const auto* r : {&a, &b})
    for (const auto& w : r->warnings) std::cerr << "warning: " << w << "\n";
  if (unmatched_first != nullptr) *unmatched_first = std::move(a.unmatched);
  if (unmatched_second != nullptr) *unmatched_second = std::move(b.unmatched);
  return {std::move(a.model), std::move(b.model)};
}

std::string database_or_environment(const std::string& given, const std::string& command) {
  if (!given.empty()) return given;
  if (const char* url = std::getenv("DATABASE_URL"); url && *url) {
    std::cerr << "pgdrift " << command << ": --db not given: using DATABASE_URL ("
              << schema::live::connection_label(url) << ")\n";
    return url;
  }
  for (const char* name : {"PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"})
    if (const char* value = std::getenv(name); value && *value) {
      std::cerr << "pgdrift " << command << ": --db not given: using the PG* environment ("
                << schema::live::connection_label("postgresql://") << ")\n";
      return "postgresql://";
    }
  throw SourceError(
      "--db is required (or set DATABASE_URL, or PGHOST / PGDATABASE / PGSERVICE "
      "as for psql)");
}

std::set<planner::Hazard> parse_hazard_list(const std::vector<std::string>& items,
                                            const std::string& option) {
  std::set<planner::Hazard> allowed;
  for (const auto& item : items) {
    std::stringstream list(item);
    std::string code;
    while (std::getline(list, code, ',')) {
      if (code.empty()) continue;
      if (code == "all") {
        for (auto h : planner::all_hazards()) allowed.insert(h);
        continue;
      }
      auto h = planner::hazard_from_code(code);
      if (!h) {
        std::string known;
        for (auto k : planner::all_hazards()) known += " " + planner::hazard_code(k);
        throw SourceError("unknown hazard '" + code + "' in " + option + " (known: all" + known +
                          ")");
      }
      allowed.insert(*h);
    }
  }
  return allowed;
}

std::set<planner::Hazard> parse_allowed_hazards(const std::vector<std::string>& items) {
  return parse_hazard_list(items, "--allow-hazards");
}

schema::history::ReplayResult replay_history(const schema::history::History& history,
                                             const schema::history::ReplayOptions& options,
                                             bool load_via_scratch) {
  if (!load_via_scratch) return schema::history::replay(history, options);
  try {
    return scratch_loader().replay(history, options);
  } catch (const std::exception& e) {
    throw SourceError(e.what());  // names the migration, file:line and SQLSTATE
  }
}

void require_complete_history(const schema::history::ReplayResult& replayed,
                              bool skip_unsupported) {
  if (skip_unsupported) return;
  for (const auto& p : replayed.problems)
    if (p.broken)
      throw SourceError(schema::history::problem_text(p) +
                        " (a broken migration; --skip-unsupported replays the history without "
                        "it)");
}

int run_command(const std::string& command, const std::function<int()>& body) {
  int exit_code = 2;
  auto run = [&] {
    struct StopScratch {
      ~StopScratch() { scratch_loader_slot().reset(); }
    } stop_scratch;
    try {
      exit_code = body();
    } catch (const SourceError& e) {
      std::cerr << "pgdrift " << command << ": " << e.what() << "\n";
    } catch (const std::exception& e) {
      std::cerr << "pgdrift " << command << ": error: " << e.what() << "\n";
    }
  };
  try {
    // Every command may walk parse trees (schema/large_stack.h).
    schema::run_on_large_stack(run);
  } catch (const std::exception& e) {
    std::cerr << "pgdrift " << command << ": error: " << e.what() << "\n";
    return 2;
  }
  return exit_code;
}

}  // namespace pgdrift::cli
