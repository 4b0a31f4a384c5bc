// `pgdrift drift --desired DESIRED (--db URL... | --targets FILE | --history DIR)`: how each
// database (or a replayed migration history) differs from the desired schema, for CI.
// Exit codes: 0 no drift anywhere, 1 drift found, 2 any error (bad input, a database that
// cannot be read: never reported as "no drift"; the other databases are still reported).
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/sources.h"
#include "engine/drift.h"
#include "engine/ignore_rules.h"
#include "planner/plan.h"
#include "schema/history/history.h"
#include "schema/large_stack.h"
#include "schema/live/connection.h"
#include "schema/live/introspect.h"
#include "schema/live/targets.h"

namespace pgdrift::cli {

namespace {

struct DriftArgs {
  std::string desired;
  std::vector<std::string> databases;
  std::string targets_file;
  std::string history_dir;
  std::string format = "text";
  std::string output;
  std::string ignore_file;
  int jobs = 0;
  bool privileges = false;
  SourceOptions source_options;
};

using schema::live::Target;

// The planner's steps for exactly the changes the drift report shows.
std::vector<engine::NamedFixStep> fix_steps(const schema::Model& live, const schema::Model& desired,
                                            const engine::Changes& changes,
                                            const engine::DiffOptions& diff) {
  planner::PlanOptions options;
  options.diff = diff;
  planner::Plan plan = planner::make_plan(live, desired, changes, options);
  std::vector<engine::NamedFixStep> steps;
  for (const auto& s : plan.steps) {
    engine::FixStep step{s.statement, {}};
    for (auto h : s.hazards) step.hazards.push_back(planner::hazard_code(h));
    steps.push_back({s.object_kind, s.object_name, std::move(step)});
  }
  return steps;
}

engine::DatabaseDrift drift_of(const std::string& label, const schema::Model& desired,
                               const schema::Model& live, const engine::DiffOptions& diff,
                               const std::vector<engine::IgnoreRule>& rules) {
  const engine::Changes changes = engine::diff_models(live, desired, diff);
  engine::DatabaseDrift db = engine::drift_from_changes(changes, desired, live);
  db.label = label;
  if (!db.entries.empty()) {
    try {
      engine::attach_fix_steps(db, fix_steps(live, desired, changes, diff));
    } catch (const std::exception& e) {
      // The report stands without fix statements; say why rather than hide it.
      std::cerr << "pgdrift drift: warning: no fix statements for " << label << ": " << e.what()
                << "\n";
    }
  }
  engine::apply_ignore_rules(db, rules);
  return db;
}

// The desired schema with the include patterns that selected nothing in it.
struct Desired {
  schema::Model model;
  schema::UnmatchedPatterns unmatched;
};

engine::DatabaseDrift check_target(const Target& target, const Desired& desired,
                                   const DriftArgs& args, const engine::DiffOptions& diff,
                                   const std::vector<engine::IgnoreRule>& rules) {
  engine::DatabaseDrift failed;
  failed.label = target.label;
  if (!schema::live::is_connection_string(target.conninfo)) {
    failed.error = "not a connection string (expected postgres://... or key=value)";
    return failed;
  }
  try {
    SourceResult live = read_source(target.conninfo, args.source_options);
    require_matches({&desired.unmatched, &live.unmatched}, "in the desired schema or the database");
    return drift_of(target.label, desired.model, live.model, diff, rules);
  } catch (const std::exception& e) {
    failed.error = e.what();  // SourceError messages are already scrubbed of passwords
    return failed;
  }
}

unsigned job_count(int requested, size_t targets) {
  unsigned jobs = requested > 0 ? static_cast<unsigned>(requested)
                                : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(targets, 1)));
}

std::vector<engine::DatabaseDrift> check_targets(const std::vector<Target>& targets,
                                                 const Desired& desired, const DriftArgs& args,
                                                 const engine::DiffOptions& diff,
                                                 const std::vector<engine::IgnoreRule>& rules) {
  std::vector<engine::DatabaseDrift> results(targets.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < targets.size(); i = next++) {
      // Each target on its own large stack, like the command (schema/large_stack.h).
      try {
        schema::run_on_large_stack(
            [&] { results[i] = check_target(targets[i], desired, args, diff, rules); });
      } catch (const std::exception& e) {
        results[i] = engine::DatabaseDrift{};
        results[i].label = targets[i].label;
        results[i].error = e.what();
      }
    }
  };
  std::vector<std::thread> threads;
  unsigned jobs = job_count(args.jobs, targets.size());
  for (unsigned j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  return results;
}

engine::DatabaseDrift check_history(const std::string& dir, const Desired& desired,
                                    const DriftArgs& args, const engine::DiffOptions& diff,
                                    const std::vector<engine::IgnoreRule>& rules) {
  std::string label = "history:" + dir;
  try {
    auto history = schema::history::read_history(dir);
    auto replayed = replay_history(history, {}, args.source_options.load_via_scratch);
    require_complete_history(replayed, args.source_options.skip_unsupported);
    for (const auto& p : replayed.problems)
      std::cerr << "pgdrift drift: warning: " << schema::history::problem_text(p) << "\n";
    const schema::UnmatchedPatterns unmatched =
        schema::filter_schemas(replayed.model, args.source_options.filter);
    require_matches({&desired.unmatched, &unmatched}, "in the desired schema or the history");
    return drift_of(label, desired.model, replayed.model, diff, rules);
  } catch (const std::exception& e) {
    engine::DatabaseDrift failed;
    failed.label = label;
    failed.error = e.what();
    return failed;
  }
}

int run_drift(DriftArgs args) {
  if (args.databases.empty() && args.targets_file.empty() && args.history_dir.empty())
    args.databases.push_back(database_or_environment("", "drift"));
  int sources = (args.databases.empty() ? 0 : 1) + (args.targets_file.empty() ? 0 : 1) +
                (args.history_dir.empty() ? 0 : 1);
  if (sources != 1)
    throw SourceError("give exactly one of --db URL (repeatable), --targets FILE or --history DIR");
  std::vector<engine::IgnoreRule> rules;
  if (!args.ignore_file.empty()) {
    try {
      rules = engine::load_ignore_rules(args.ignore_file);
    } catch (const engine::IgnoreRuleError& e) {
      throw SourceError(e.what());
    }
  }
  Desired desired;
  desired.model = load_source(args.desired, args.source_options, &desired.unmatched);
  engine::DiffOptions diff;
  diff.compare_privileges = args.privileges;

  engine::DriftReport report;
  report.desired = args.desired;
  if (!args.history_dir.empty()) {
    report.databases.push_back(check_history(args.history_dir, desired, args, diff, rules));
  } else {
    std::vector<Target> targets;
    if (!args.targets_file.empty()) {
      try {
        targets = schema::live::read_targets(args.targets_file);
      } catch (const schema::live::TargetsError& e) {
        throw SourceError(e.what());
      }
    } else {
      for (const auto& db : args.databases) targets.push_back(schema::live::parse_target(db));
    }
    report.databases = check_targets(targets, desired, args, diff, rules);
  }

  std::string text;
  if (args.format == "json") {
    text = engine::render_drift_json(report);
  } else if (args.format == "junit") {
    text = engine::render_drift_junit(report);
  } else if (args.format == "sarif") {
    text = engine::render_drift_sarif(report);
  } else if (args.format == "github") {
    text = engine::render_drift_github(report);
  } else {
    engine::TextRenderOptions options;
    options.color = args.output.empty() && ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    text = engine::render_drift_text(report, options);
  }
  if (args.output.empty()) {
    std::cout << text << std::flush;
  } else {
    std::ofstream out(args.output, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw SourceError(args.output + ": cannot write output file");
  }
  // Errors also go to stderr, whatever the format, so a log always says why the exit is 2.
  for (const auto& db : report.databases)
    if (db.error) std::cerr << "pgdrift drift: " << db.label << ": " << *db.error << "\n";
  return report.exit_code();
}

}  // namespace

void add_drift_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DriftArgs>();
  auto* cmd = app.add_subcommand("drift", "Report how databases differ from the desired schema");
  cmd->add_option("--desired", args->desired, "The desired schema (.sql file, directory, .json)")
      ->required();
  cmd->add_option("--db", args->databases,
                  "A database to check (repeatable); NAME=URL names it (none of --db, --targets, "
                  "--history: DATABASE_URL, else the PG* environment)")
      ->allow_extra_args(false);
  cmd->add_option("--targets", args->targets_file,
                  "File with one connection string or NAME=URL per line");
  cmd->add_option("--history", args->history_dir,
                  "Replay this migration directory instead of reading a database");
  cmd->add_option("--format", args->format, "text (default), json, junit, sarif or github")
      ->check(CLI::IsMember({"text", "json", "junit", "sarif", "github"}));
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  cmd->add_option("--ignore", args->ignore_file, "Ignore rules file ([kind:]glob per line)");
  add_filter_options(cmd, args->source_options);
  cmd->add_flag("--load-via-scratch", args->source_options.load_via_scratch, kLoadViaScratchHelp);
  cmd->add_flag("--skip-unsupported", args->source_options.skip_unsupported,
                "Unsupported SQL statements of --desired become warnings; a --history "
                "migration that does not parse is replayed without (a warning) instead of "
                "stopping with exit 2");
  cmd->add_option("-j,--jobs", args->jobs,
                  "Databases read at once (default: number of hardware threads)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--privileges", args->privileges, "Compare GRANTed privileges too");
  cmd->callback([args, &exit_code] {
    exit_code = run_command("drift", [&args] { return run_drift(*args); });
  });
}

}  // namespace pgdrift::cli
