// `pgdrift plan --from SOURCE --to TARGET`: the ordered, hazard-annotated migration plan.
// Exit codes: 0 plan written (possibly empty, whatever its hazards: apply is where hazards are
// refused), 1 the plan has a hazard named by --fail-on-hazards (it is written all the same),
// 2 usage/input error or failed plan validation.
#include <fstream>
#include <iostream>
#include <memory>
#include <set>

#include "cli/commands.h"
#include "cli/sources.h"
#include "engine/diff.h"
#include "planner/apply.h"
#include "planner/lock_analysis.h"
#include "planner/plan.h"
#include "planner/validate.h"
#include "schema/live/introspect.h"

namespace pgdrift::cli {

namespace {

struct PlanArgs {
  std::string from;
  std::string to;
  std::string format = "sql";
  std::string output;
  std::vector<std::string> allow_hazards;
  bool no_online = false;
  bool atomic = false;
  bool validate = true;
  bool no_validate = false;
  bool privileges = false;
  int lock_timeout_ms = 5000;
  int statement_timeout_ms = 30000;
  int64_t max_transaction_age_s = 60;
  std::vector<std::string> fail_on_hazards;
  int backfill_batch_rows = 10000;
  SourceOptions source_options;
};

// `plan --from DB`: the preflights `apply` would run, counted in the source database (one
// read-only snapshot) and shown on the steps. The plan itself refuses nothing.
void count_rows_at_risk(const std::string& conninfo, planner::Plan& plan) {
  std::vector<planner::PreflightResult> results;
  try {
    results = planner::run_preflights(conninfo, plan);
  } catch (const std::exception& e) {
    std::cerr << "pgdrift plan: warning: preflights not counted: " << e.what() << "\n";
    return;
  }
  for (const auto& r : results) {
    auto& step = plan.steps.at(static_cast<size_t>(r.id - 1));
    if (r.rows) {
      step.rows_at_risk = planner::RowsAtRisk{*r.rows, r.samples};
    } else {
      std::cerr << "pgdrift plan: warning: the preflight of step " << r.id << " failed: " << r.error
                << "\n";
    }
  }
}

int run_plan(const PlanArgs& args) {
  // Exit 1 only for hazards a script asked to fail on; apply is where hazards are refused.
  const std::set<planner::Hazard> fail_on =
      parse_hazard_list(args.fail_on_hazards, "--fail-on-hazards");
  parse_allowed_hazards(args.allow_hazards);  // still checked: a typo is a usage error
  schema::UnmatchedPatterns unmatched_from, unmatched_to;
  std::pair<schema::Model, schema::Model> models =
      load_sources(args.from, args.to, args.source_options, &unmatched_from, &unmatched_to);
  const schema::Model& from = models.first;
  const schema::Model& to = models.second;
  require_matches({&unmatched_from, &unmatched_to}, "in --from or --to");

  planner::PlanOptions options;
  options.online = !args.no_online;
  options.atomic = args.atomic;
  options.lock_timeout_ms = args.lock_timeout_ms;
  options.statement_timeout_ms = args.statement_timeout_ms;
  options.backfill_batch_rows = args.backfill_batch_rows;
  options.diff.compare_privileges = args.privileges;
  options.rollback = true;  // every plan shows its way back (docs/planner.md, "Rollback")
  planner::Plan plan = planner::make_plan(from, to, options);
  if (schema::live::is_connection_string(args.from)) {
    count_rows_at_risk(args.from, plan);
    // Table sizes, duration estimates and the sessions each locking step would wait for now
    // (docs/apply.md, "Lock analysis"), shown per step in JSON and Markdown.
    try {
      planner::analyze_locks(args.from, plan, from, args.max_transaction_age_s);
    } catch (const std::exception& e) {
      std::cerr << "pgdrift plan: warning: no lock analysis: " << e.what() << "\n";
    }
  }

  // Validated before it is written: a plan that fails on a scratch copy of the source is not
  // printed or written at all (--no-validate shows it). Without server binaries, plans go
  // unvalidated silently (docs/planner.md, "Validation").
  if (args.validate && !args.no_validate && planner::can_validate_plans()) {
    planner::ValidationResult v = planner::validate_before_writing(from, to, plan, options);
    if (v.failed()) throw SourceError("validation failed, plan not written: " + v.describe());
    if (v.skipped)
      std::cerr << "pgdrift plan: warning: validation skipped: " << v.skipped_reason << "\n";
  }

  std::string text = args.format == "json"       ? planner::render_plan_json(plan)
                     : args.format == "markdown" ? planner::render_plan_markdown(plan)
                                                 : planner::render_plan_sql(plan);
  if (args.output.empty()) {
    std::cout << text << std::flush;
  } else {
    std::ofstream out(args.output, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw SourceError(args.output + ": cannot write output file");
  }

  if (!plan.unsafe.empty()) {
    std::cerr << "pgdrift plan: warning: not every commit of this plan is a safe point:\n";
    for (const auto& line : plan.unsafe) std::cerr << "  " << line << "\n";
    std::cerr << "(--atomic runs every step in one transaction)\n";
  }

  std::set<planner::Hazard> present;
  for (const auto& step : plan.steps) present.insert(step.hazards.begin(), step.hazards.end());
  std::vector<planner::Hazard> failing;
  for (auto h : present)
    if (fail_on.count(h)) failing.push_back(h);
  if (!failing.empty()) {
    std::cerr << "pgdrift plan: the plan has hazards named by --fail-on-hazards:";
    for (auto h : failing) std::cerr << " " << planner::hazard_code(h);
    std::cerr << " (the plan was written)\n";
    return 1;
  }
  return 0;
}

}  // namespace

void add_plan_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PlanArgs>();
  auto* cmd = app.add_subcommand("plan", "Plan the migration from one schema to another");
  cmd->add_option("--from", args->from, "The current schema (file, directory, .json, database)")
      ->required();
  cmd->add_option("--to", args->to, "The desired schema (file, directory, .json, database)")
      ->required();
  cmd->add_option("--format", args->format, "Output format: sql (default), json or markdown")
      ->check(CLI::IsMember({"sql", "json", "markdown"}));
  cmd->add_option("-o,--output", args->output, "Write to FILE instead of stdout");
  cmd->add_option("--fail-on-hazards", args->fail_on_hazards,
                  "Exit 1 when the plan has one of these hazards (codes, comma- or "
                  "space-separated, or 'all'); the plan is written all the same");
  cmd->add_option("--allow-hazards", args->allow_hazards,
                  "Accepted for compatibility, no effect: plan exits 0 whatever its hazards "
                  "(apply refuses them; see --fail-on-hazards)");
  add_filter_options(cmd, args->source_options);
  cmd->add_flag("--atomic", args->atomic,
                "Run every step in one transaction (in-transaction forms: no CONCURRENTLY, "
                "no separate VALIDATE or backfill)");
  cmd->add_flag("--no-online", args->no_online,
                "Plain forms: no CONCURRENTLY, NOT VALID + VALIDATE or USING INDEX");
  cmd->add_flag("--validate", args->validate,
                "Apply the plan to a scratch copy of the source and check it reaches the target "
                "(default when PostgreSQL server binaries are installed)");
  cmd->add_flag("--no-validate", args->no_validate, "Do not validate the plan");
  cmd->add_flag("--privileges", args->privileges, "Compare and plan GRANTed privileges");
  cmd->add_option("--lock-timeout", args->lock_timeout_ms, "lock_timeout per step, in ms (5000)");
  cmd->add_option("--statement-timeout", args->statement_timeout_ms,
                  "statement_timeout of ordinary steps, in ms (30000; long steps get none)");
  cmd->add_option("--max-transaction-age", args->max_transaction_age_s,
                  "--from DB: flag blocking transactions open longer than SECONDS (default 60)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--backfill-batch", args->backfill_batch_rows, kBackfillBatchHelp)
      ->type_name("ROWS")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--skip-unsupported", args->source_options.skip_unsupported,
                "Turn unsupported SQL statements into warnings instead of errors");
  cmd->add_flag("--load-via-scratch", args->source_options.load_via_scratch, kLoadViaScratchHelp);
  cmd->callback(
      [args, &exit_code] { exit_code = run_command("plan", [&args] { return run_plan(*args); }); });
}

}  // namespace pgdrift::cli
