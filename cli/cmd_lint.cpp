// `pgdrift lint SOURCE`: judge one schema on its own with the engine's lint rules
// (docs/lint.md). Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
// 2 usage / input / connection error.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/sources.h"
#include "engine/drift.h"
#include "engine/lint.h"
#include "planner/migration_lint.h"
#include "schema/history/history.h"
#include "schema/live/introspect.h"

namespace pgdrift::cli {

namespace {

using nlohmann::json;

struct LintArgs {
  std::string source;
  std::string history;  // --history DIR: lint the migrations (planner/migration_lint.h)
  std::string format = "text";
  std::string fail_on = "error";
  std::vector<std::string> disable;
  std::vector<std::string> ignore;  // RULE:OBJECT
  bool list_rules = false;
  SourceOptions source_options;
};

std::string where(const engine::LintFinding& f) {
  if (f.location.empty()) return "";
  return f.location.file + (f.location.line > 0 ? ":" + std::to_string(f.location.line) : "");
}

int run_lint(const LintArgs& args) {
  if (args.list_rules) {
    for (const auto& r : engine::lint_rules())
      std::cout << r.name << " (" << engine::lint_severity_name(r.severity)
                << (r.fixable ? ", fixable by reconcile --prefer-safer" : "") << "): " << r.summary
                << "\n";
    for (const auto& r : planner::migration_lint_rules())
      std::cout << r.name << " (" << engine::lint_severity_name(r.severity)
                << ", migrations: --history): " << r.summary << "\n";
    return 0;
  }
  if (!args.history.empty() && !args.source.empty())
    throw SourceError("give a SOURCE or --history DIR, not both");
  if (args.source.empty() && args.history.empty())
    throw SourceError("a SOURCE or --history DIR is required (or --list-rules)");
  engine::LintOptions options;
  options.disabled.insert(args.disable.begin(), args.disable.end());
  std::set<std::pair<std::string, std::string>> ignored;
  for (const auto& item : args.ignore) {
    auto colon = item.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size())
      throw SourceError("--ignore " + item + ": expected RULE:OBJECT, e.g. " +
                        "money-as-float:public.fx.rate");
    ignored.insert({item.substr(0, colon), item.substr(colon + 1)});
  }
  std::vector<engine::LintFinding> findings;
  std::vector<std::string> source_warnings;
  std::string shown_source;
  const bool history = !args.history.empty();
  if (history) {
    schema::history::History h;
    try {
      h = schema::history::read_history(args.history);
    } catch (const std::runtime_error& e) {
      throw SourceError(e.what());
    }
    planner::MigrationLintOptions history_options;
    history_options.disabled = options.disabled;
    planner::MigrationLintResult result;
    try {
      result = planner::lint_history(h, history_options);
    } catch (const std::invalid_argument& e) {
      throw SourceError(std::string(e.what()) + " (pgdrift lint --list-rules lists them)");
    }
    findings = std::move(result.findings);
    for (const auto& p : result.problems)
      source_warnings.push_back(p.where.file + ":" + std::to_string(p.where.line) + ": " +
                                p.message);
    shown_source = args.history;
  } else {
    SourceResult source = read_source(args.source, args.source_options);
    require_matches({&source.unmatched},
                    "in " + schema::live::redact_connection_string(args.source));
    try {
      findings = engine::lint_model(source.model, options);
    } catch (const std::invalid_argument& e) {
      throw SourceError(std::string(e.what()) + " (pgdrift lint --list-rules lists them)");
    }
    source_warnings = source.warnings;
    shown_source = schema::live::redact_connection_string(args.source);
  }
  std::erase_if(findings, [&](const engine::LintFinding& f) {
    return ignored.count({f.rule, f.object});
  });

  size_t errors = 0, warnings = 0;
  for (const auto& f : findings) (f.severity == engine::LintSeverity::Error ? errors : warnings)++;
  bool fail = (args.fail_on == "error" && errors > 0) ||
              (args.fail_on == "warning" && errors + warnings > 0);
  if (args.format == "json") {
    json out = {
        {"format", "pgdrift-lint/1"}, {"source", shown_source},
        {"findings", json::array()},  {"counts", {{"error", errors}, {"warning", warnings}}},
        {"fail_on", args.fail_on},    {"failed", fail}};
    for (const auto& f : findings) {
      json item = engine::lint_finding_json(f);
      if (history) item["help"] = planner::lint_rule_help(f.rule);
      out["findings"].push_back(item);
    }
    std::cout << out.dump(2) << "\n";
  } else if (args.format == "github") {
    for (const auto& f : findings) {
      std::cout << "::" << engine::lint_severity_name(f.severity);
      std::string props;
      if (!f.location.empty()) {
        props += " file=" + engine::github_escape_property(f.location.file);
        if (f.location.line > 0) props += ",line=" + std::to_string(f.location.line);
        props += ",";
      } else {
        props += " ";
      }
      props += "title=" + engine::github_escape_property("pgdrift " + f.rule);
      std::cout << props << "::" << engine::github_escape_data(f.object + ": " + f.message) << "\n";
    }
  } else {
    for (const auto& f : findings) {
      std::string at = where(f);
      std::cout << (at.empty() ? "" : at + ": ") << engine::lint_severity_name(f.severity) << " ["
                << f.rule << "] " << f.object << ": " << f.message << "\n";
      if (!f.suggestion.empty()) {
        std::string s = f.suggestion;
        for (size_t p = s.find('\n'); p != std::string::npos; p = s.find('\n', p + 7))
          s.replace(p, 1, "\n  fix: ");
        std::cout << "  fix: " << s << "\n";
      }
      if (history) std::cout << "  help: " << planner::lint_rule_help(f.rule) << "\n";
    }
    std::cout << findings.size() << " finding" << (findings.size() == 1 ? "" : "s") << " ("
              << errors << " error" << (errors == 1 ? "" : "s") << ", " << warnings << " warning"
              << (warnings == 1 ? "" : "s") << ") in " << shown_source << "\n";
  }
  for (const auto& w : source_warnings) std::cerr << "warning: " << w << "\n";
  return fail ? 1 : 0;
}

}  // namespace

void add_lint_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LintArgs>();
  auto* cmd = app.add_subcommand(
      "lint",
      "Check one schema against the lint rules (money as float, missing foreign keys, ...)");
  cmd->add_option("source", args->source,
                  "A .sql file, a directory of .sql files, a .json model, or a database");
  cmd->add_option("--format", args->format, "text (default), json or github")
      ->check(CLI::IsMember({"text", "json", "github"}));
  cmd->add_option("--fail-on", args->fail_on,
                  "Exit 1 when a finding is at least this severe: error (default), warning, never")
      ->check(CLI::IsMember({"error", "warning", "never"}));
  cmd->add_option("--disable", args->disable, "Do not run this rule (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--ignore", args->ignore,
                  "Drop one finding: RULE:OBJECT, e.g. money-as-float:public.fx.rate (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--history", args->history,
                  "Lint the migrations of this history (Alembic or SQL directory) statement by "
                  "statement, knowing which tables existed before each migration");
  cmd->add_flag("--list-rules", args->list_rules, "List the rules and exit");
  add_filter_options(cmd, args->source_options);
  cmd->add_flag("--skip-unsupported", args->source_options.skip_unsupported,
                "Turn unsupported SQL statements into warnings instead of errors");
  cmd->add_flag("--load-via-scratch", args->source_options.load_via_scratch, kLoadViaScratchHelp);
  cmd->callback(
      [args, &exit_code] { exit_code = run_command("lint", [&args] { return run_lint(*args); }); });
}

}  // namespace pgdrift::cli
