// `pgdrift drift --desired DESIRED (--db URL... | --targets FILE | --history DIR)`: how each
// database (or a replayed migration history) differs from the desired schema, for CI.
// Results are written as they come (engine::DriftWriter), so a fleet of any size needs memory
// for a window of databases only; --shard K/N splits a fleet over several runs.
// Exit codes: 0 no drift anywhere, 1 drift found, 2 any error (bad input, a database that
// cannot be read: never reported as "no drift"; the other databases are still reported).
#include <unistd.h>

#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
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
  std::string shard;  // "K/N"
  bool shard_given = false;
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

// One target, never throwing: what cannot be checked is an error entry.
engine::DatabaseDrift checked_target(const Target& target, const Desired& desired,
                                     const DriftArgs& args, const engine::DiffOptions& diff,
                                     const std::vector<engine::IgnoreRule>& rules) {
  engine::DatabaseDrift result;
  // Each target on its own large stack, like the command (schema/large_stack.h).
  try {
    schema::run_on_large_stack([&] { result = check_target(target, desired, args, diff, rules); });
  } catch (const std::exception& e) {
    result = engine::DatabaseDrift{};
    result.label = target.label;
    result.error = e.what();
  }
  return result;
}

// Errors also go to stderr, whatever the format, so a log always says why the exit is 2.
// Each database's section is flushed as it is written, so a log shows the fleet's progress.
void write_database(engine::DriftWriter& writer, std::ostream& out,
                    const engine::DatabaseDrift& db) {
  writer.add(db);
  out.flush();
  if (db.error) std::cerr << "pgdrift drift: " << db.label << ": " << *db.error << "\n";
}

// Checks `targets` (with their positions in the full targets list) on --jobs threads and
// writes each result as soon as it and every earlier one are done: only results that finished
// out of order wait, and workers run at most a window of targets ahead of the writer, so memory
// stays bounded however many targets there are.
void check_targets(const std::vector<std::pair<size_t, Target>>& targets, const Desired& desired,
                   const DriftArgs& args, const engine::DiffOptions& diff,
                   const std::vector<engine::IgnoreRule>& rules, engine::DriftWriter& writer,
                   std::ostream& out) {
  const unsigned jobs = job_count(args.jobs, targets.size());
  const size_t window = std::max<size_t>(64, size_t{4} * jobs);
  std::mutex mutex;
  std::condition_variable changed;
  std::map<size_t, engine::DatabaseDrift> finished;  // by position in `targets`
  size_t next_to_check = 0, next_to_write = 0;
  bool stopping = false;  // the writer failed: workers take no more targets
  auto worker = [&] {
    for (;;) {
      size_t i;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] {
          return stopping || next_to_check >= targets.size() ||
                 next_to_check < next_to_write + window;
        });
        if (stopping || next_to_check >= targets.size()) return;
        i = next_to_check++;
      }
      engine::DatabaseDrift db = checked_target(targets[i].second, desired, args, diff, rules);
      db.target_index = targets[i].first;
      {
        std::lock_guard lock(mutex);
        finished.emplace(i, std::move(db));
      }
      changed.notify_all();
    }
  };
  std::vector<std::thread> threads;
  // Workers are always joined, also when writing throws (they stop taking targets then).
  struct Join {
    std::vector<std::thread>& threads;
    std::mutex& mutex;
    std::condition_variable& changed;
    bool& stopping;
    ~Join() {
      {
        std::lock_guard lock(mutex);
        stopping = true;
      }
      changed.notify_all();
      for (auto& t : threads) t.join();
    }
  } join{threads, mutex, changed, stopping};
  for (unsigned j = 0; j < jobs; ++j) threads.emplace_back(worker);
  while (next_to_write < targets.size()) {
    engine::DatabaseDrift db;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return finished.count(next_to_write) > 0; });
      auto node = finished.extract(next_to_write);
      db = std::move(node.mapped());
      ++next_to_write;
    }
    changed.notify_all();
    write_database(writer, out, db);
  }
}

// "K/N": 0 <= K < N.
engine::DriftShard parse_shard(const std::string& text) {
  const std::string usage = "--shard " + text +
                            ": expected K/N with 0 <= K < N (K 0-based, as Kubernetes' "
                            "JOB_COMPLETION_INDEX), e.g. --shard 0/4";
  const size_t slash = text.find('/');
  if (slash == std::string::npos) throw SourceError(usage);
  auto number = [&](const std::string& part) {
    size_t value = 0;
    const char* end = part.data() + part.size();
    auto [ptr, ec] = std::from_chars(part.data(), end, value);
    if (part.empty() || ec != std::errc() || ptr != end) throw SourceError(usage);
    return value;
  };
  engine::DriftShard shard;
  shard.index = number(text.substr(0, slash));
  shard.count = number(text.substr(slash + 1));
  if (shard.count < 1 || shard.index >= shard.count) throw SourceError(usage);
  return shard;
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
  std::optional<engine::DriftShard> shard;
  if (args.shard_given) {
    shard = parse_shard(args.shard);
    if (!args.history_dir.empty()) throw SourceError("--shard needs --targets FILE or --db URL");
  }
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

  // The targets of this run, each with its position in the full list.
  std::vector<std::pair<size_t, Target>> targets;
  if (args.history_dir.empty()) {
    std::vector<Target> all;
    if (!args.targets_file.empty()) {
      try {
        all = schema::live::read_targets(args.targets_file);
      } catch (const schema::live::TargetsError& e) {
        throw SourceError(e.what());
      }
    } else {
      for (const auto& db : args.databases) all.push_back(schema::live::parse_target(db));
    }
    for (size_t i = 0; i < all.size(); ++i)
      if (!shard || i % shard->count == shard->index) targets.emplace_back(i, std::move(all[i]));
  }

  std::ofstream file;
  if (!args.output.empty()) {
    file.open(args.output, std::ios::binary);
    if (!file) throw SourceError(args.output + ": cannot write output file");
  }
  std::ostream& out = args.output.empty() ? std::cout : file;
  engine::TextRenderOptions options;
  options.color = args.output.empty() && ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
  auto writer = engine::make_drift_writer(args.format, out, args.desired, shard, options);
  writer->begin();
  if (!args.history_dir.empty())
    write_database(*writer, out, check_history(args.history_dir, desired, args, diff, rules));
  else
    check_targets(targets, desired, args, diff, rules, *writer, out);
  writer->end();
  out.flush();
  if (!args.output.empty()) {
    file.close();
    if (!file) throw SourceError(args.output + ": cannot write output file");
  }
  return writer->totals().exit_code();
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
      ->check(CLI::IsMember(engine::kDriftFormats));
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
  auto* shard =
      cmd->add_option("--shard", args->shard,
                      "Check only shard K of N (K 0-based: the targets at positions i with i % N "
                      "== K); merge the JSON reports with `pgdrift report merge`")
          ->type_name("K/N");
  cmd->add_flag("--privileges", args->privileges, "Compare GRANTed privileges too");
  cmd->callback([args, shard, &exit_code] {
    args->shard_given = shard->count() > 0;
    exit_code = run_command("drift", [&args] { return run_drift(*args); });
  });
}

}  // namespace pgdrift::cli
