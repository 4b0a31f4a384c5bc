#include <iostream>

#include "cli/commands.h"

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // --help and --version are successes; every other parse error is a usage error.
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}
