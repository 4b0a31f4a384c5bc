// The `pgdrift` subcommands. Each command file adds its subcommand to the app and sets
// `exit_code` when it runs (0 success/no drift, 1 drift or refused hazards, 2 usage/input/
// connection error).
#pragma once

#include <CLI/CLI.hpp>

namespace pgdrift::cli {

void add_inspect_command(CLI::App& app, int& exit_code);
void add_plan_command(CLI::App& app, int& exit_code);
void add_drift_command(CLI::App& app, int& exit_code);
void add_reconcile_command(CLI::App& app, int& exit_code);
void add_apply_command(CLI::App& app, int& exit_code);
void add_audit_command(CLI::App& app, int& exit_code);
void add_rollback_command(CLI::App& app, int& exit_code);
void add_lint_command(CLI::App& app, int& exit_code);
void add_scratch_cluster_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);

}  // namespace pgdrift::cli
