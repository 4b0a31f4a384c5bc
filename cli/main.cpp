#include <algorithm>
#include <iostream>
#include <map>

#include "cli/commands.h"

namespace {

// Every command's exit codes, shown at the end of its --help (docs/cli.md, "Exit codes").
const std::map<std::string, std::string> kExitCodes = {
    {"inspect", "0 model printed; 2 usage, input or connection error"},
    {"plan",
     "0 plan written (empty or not, whatever its hazards); 1 the plan has a hazard named by "
     "--fail-on-hazards (it is written all the same); 2 usage, input or connection error, or a "
     "plan that failed validation"},
    {"drift", "0 no drift; 1 drift found; 2 usage, input or connection error"},
    {"reconcile",
     "0 every conflict resolved (target written); 1 unresolved conflicts (nothing written); 2 "
     "usage, input or connection error"},
    {"apply",
     "0 applied and verified, nothing to do, or dry run; 1 refused (hazards, rows at risk, "
     "blockers, unsafe or stale plan) or a failed step, check or verification; 2 usage, input or "
     "connection error, another apply holds the lock, or a connection through a pooler"},
    {"rollback",
     "0 rolled back and verified, or dry run; 1 refused (the database changed since that apply, "
     "hazards, rows at risk, blockers) or a failed step or verification; 2 usage, input or "
     "connection error, no audit log or no apply to roll back"},
    {"audit",
     "0 listed, chain intact, backups pruned; 1 --verify found a broken chain; 2 usage "
     "or connection error, or no audit log"},
    {"lint",
     "0 no finding at or above --fail-on; 1 findings at or above it; 2 usage or input "
     "error"},
    {"scratch-cluster", "0 done; 2 usage error or a cluster that cannot start"},
    {"report",
     "0 no drift in the merged reports; 1 drift in one (merge exits with the worst code of its "
     "reports); 2 a database that could not be read, a usage error, or a report that is missing, "
     "unreadable, of another desired schema, a shard missing or given twice, or a target in two "
     "reports"},
};

// Levenshtein distance, for "did you mean".
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The closest of `names` to `word`, when it is close enough to be a typo ("" otherwise).
std::string suggestion(const std::string& word, const std::vector<std::string>& names) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& name : names) {
    const size_t d = edit_distance(word, name);
    if (d < best_distance) {
      best = name;
      best_distance = d;
    }
  }
  return best;
}

// Unknown commands and options are named with the closest known one, before CLI11 parses
// (which would report them as "A subcommand is required" or a missing required option).
// Returns the message, or "" when every name is known.
std::string unknown_name_message(CLI::App& app, int argc, char** argv) {
  if (argc < 2) return "";
  const std::string first = argv[1];
  if (first.empty() || first[0] == '-') return "";
  std::vector<std::string> commands;
  for (const auto* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
  CLI::App* command = nullptr;
  for (auto* sub : app.get_subcommands({}))
    if (sub->check_name(first)) command = sub;
  if (!command) {
    const std::string close = suggestion(first, commands);
    return "unknown command '" + first + "'" +
           (close.empty() ? "" : "; did you mean '" + close + "'?") + " (commands: " +
           [&] {
             std::string all;
             for (const auto& c : commands) all += (all.empty() ? "" : ", ") + c;
             return all;
           }() +
           ")";
  }
  // The command's options, its own subcommands' (scratch-cluster start|stop) and the global ones.
  std::vector<std::string> options;
  std::vector<const CLI::App*> owners = {command, &app};
  for (const auto* sub : command->get_subcommands({})) owners.push_back(sub);
  for (const auto* owner : owners)
    for (const auto* option : owner->get_options())
      for (const auto& name : option->get_lnames()) options.push_back("--" + name);
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) continue;
    const std::string name = arg.substr(0, arg.find('='));
    if (std::find(options.begin(), options.end(), name) != options.end()) continue;
    const std::string close = suggestion(name, options);
    return "unknown option '" + name + "' for " + first +
           (close.empty() ? "" : "; did you mean " + close + "?") + " (pgdrift " + first +
           " --help lists them)";
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pgdrift: declarative schema diff and drift detection for PostgreSQL"};
  app.set_version_flag("--version", std::string("pgdrift ") + PGDRIFT_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  pgdrift::cli::add_inspect_command(app, exit_code);
  pgdrift::cli::add_plan_command(app, exit_code);
  pgdrift::cli::add_drift_command(app, exit_code);
  pgdrift::cli::add_reconcile_command(app, exit_code);
  pgdrift::cli::add_apply_command(app, exit_code);
  pgdrift::cli::add_audit_command(app, exit_code);
  pgdrift::cli::add_rollback_command(app, exit_code);
  pgdrift::cli::add_lint_command(app, exit_code);
  pgdrift::cli::add_scratch_cluster_command(app, exit_code);
  pgdrift::cli::add_report_command(app, exit_code);
  std::string all_codes;
  for (auto* sub : app.get_subcommands({})) {
    auto codes = kExitCodes.find(sub->get_name());
    if (codes == kExitCodes.end()) continue;
    sub->footer("Exit codes: " + codes->second + ".");
    // A command's own subcommands (report merge, scratch-cluster start) show them too.
    for (auto* own : sub->get_subcommands({})) own->footer("Exit codes: " + codes->second + ".");
    all_codes += "\n  " + sub->get_name() + ": " + codes->second;
  }
  app.footer("Exit codes:" + all_codes + "\n");
  if (const std::string message = unknown_name_message(app, argc, argv); !message.empty()) {
    std::cerr << "pgdrift: " << message << "\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // --help and --version are successes; every other parse error is a usage error.
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}
