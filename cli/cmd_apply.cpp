// `pgdrift apply --db URL (--to TARGET | --plan PLAN.json)`: run a plan against a live database
// under the pgdrift advisory lock, then check that the database reached the target
// (docs/apply.md). `pgdrift rollback --db URL (--last | --id ID)` is the same run with the
// source model an audit row recorded as the target (docs/apply.md, "Rollback"). Exit codes: 0
// applied and verified (or dry run / nothing to do); 1 refused hazards, stale plan file, rows at
// risk counted by the preflights (before any change), a failed step or a database that did not
// converge; 2 usage, input or connection error, or another apply holds the lock.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/run_context.h"
#include "cli/sources.h"
#include "engine/diff.h"
#include "engine/privileges.h"
#include "planner/apply.h"
#include "planner/apply_progress.h"
#include "planner/audit.h"
#include "planner/backup.h"
#include "planner/data_checks.h"
#include "planner/lock_analysis.h"
#include "planner/plan.h"
#include "schema/json.h"
#include "schema/live/connection.h"
#include "schema/live/introspect.h"

namespace pgdrift::cli {

namespace {

struct ApplyArgs {
  std::string db;
  std::string to;
  std::string plan_file;
  std::string format = "text";
  std::vector<std::string> allow_hazards;
  bool dry_run = false;
  bool no_verify = false;
  bool accept_rows_at_risk = false;
  bool no_online = false;
  bool atomic = false;
  bool privileges = false;
  int lock_timeout_ms = 5000;
  int statement_timeout_ms = 30000;
  int lock_wait_ms = 0;
  int backfill_batch_rows = 10000;
  std::string audit_schema = planner::kDefaultAuditSchema;
  bool no_audit = false;
  bool audit_dry_run = false;
  std::string actor;
  std::string ticket;
  // `pgdrift rollback`: undo the apply of an audit row (--id, or --last).
  bool rollback = false;
  int64_t rollback_id = 0;
  bool rollback_last = false;
  bool force = false;
  bool no_data_checks = false;
  bool ignore_blockers = false;
  int lock_retries = 0;
  int64_t max_transaction_age_s = 60;
  bool no_backup = false;
  bool yes = false;
  // rollback: the backups of the undone apply that still exist (planner/backup.h), restored.
  std::vector<planner::Backup> restores;
  std::string on_failure = "stop";  // stop | rollback
  SourceOptions source_options;
  CLI::Option* lock_timeout_option = nullptr;
  CLI::Option* statement_timeout_option = nullptr;
};

struct Verification {
  bool converged = false;
  std::vector<std::string> remaining;  // changes still needed (--to), empty with --plan
  std::string live_fingerprint;
};

// Everything the report shows, text or JSON.
struct ApplyReport {
  std::string database;  // redacted
  std::string mode;      // "to" | "plan"
  bool dry_run = false;
  std::string result;   // applied | no_changes | already_applied | dry_run | refused_hazards |
                        // stale_plan | failed | not_converged | data_check_failed | rolled_back
  std::string message;  // one line for stderr when the result is not a success
  std::string live_fingerprint;  // of the database before applying
  planner::Plan plan;
  planner::ApplyResult outcome;
  std::vector<planner::Hazard> refused;
  std::vector<planner::PreflightResult> preflights;  // the preflight phase, by step
  std::vector<int> rows_at_risk;  // steps whose rows at risk were refused (result rows_at_risk)
  bool accept_rows_at_risk = false;
  std::optional<Verification> verify;
  int exit_code = 0;
  // The audit trail (docs/apply.md): this run's row, or why there is none.
  std::optional<planner::AuditRow> audit_row;
  std::string audit_off;                           // "--no-audit", "dry run", "" when written
  std::vector<planner::AuditRow> interrupted;      // earlier rows found running, now closed
  std::string fingerprint_after_failure;           // the database after a failed step (audit row)
  std::optional<planner::DataChecks> data_checks;  // after the steps (docs/apply.md)
  std::vector<planner::Backup> backups;            // of the lossy steps (docs/apply.md)
  std::string backups_off;                         // why none are taken ("" when they are)
  std::vector<planner::Backup> restores;           // rollback: the backups it restores
  // --on-failure rollback: the plan back to the source run after a failure, and whether the
  // database has its original fingerprint again.
  struct AutoRollback {
    planner::Plan plan;
    planner::ApplyResult outcome;
    std::string fingerprint;
    bool restored = false;
    std::string error;
  };
  std::optional<AutoRollback> auto_rollback;
  std::string command = "apply";  // apply | rollback
  int64_t rolls_back = 0;         // rollback: the audit row it undoes
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SourceError(path + ": cannot read plan file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The reviewed plan, with --lock-timeout / --statement-timeout applied when given explicitly.
// As in `plan`, the statement timeout replaces only non-zero ones (0 marks a long step).
planner::Plan read_reviewed_plan(const ApplyArgs& args) {
  planner::Plan plan;
  try {
    plan = planner::read_plan_json(read_file(args.plan_file), args.plan_file);
  } catch (const SourceError&) {
    throw;
  } catch (const std::exception& e) {
    throw SourceError(e.what());
  }
  for (auto& s : plan.steps) {
    if (args.lock_timeout_option->count()) s.lock_timeout_ms = args.lock_timeout_ms;
    if (args.statement_timeout_option->count() && s.statement_timeout_ms != 0)
      s.statement_timeout_ms = args.statement_timeout_ms;
  }
  return plan;
}

planner::PlanOptions plan_options(const ApplyArgs& args) {
  planner::PlanOptions options;
  options.online = !args.no_online;
  options.atomic = args.atomic;
  options.lock_timeout_ms = args.lock_timeout_ms;
  options.statement_timeout_ms = args.statement_timeout_ms;
  options.backfill_batch_rows = args.backfill_batch_rows;
  options.diff.compare_privileges = args.privileges;
  options.rollback = true;  // the audit row keeps the way back with the plan
  options.restores = args.restores;
  return options;
}

std::string hazard_codes(const std::vector<planner::Hazard>& hazards, const char* separator) {
  std::string out;
  for (auto h : hazards) out += (out.empty() ? "" : separator) + planner::hazard_code(h);
  return out;
}

const planner::PreflightResult* preflight_of(const ApplyReport& r, int id) {
  for (const auto& p : r.preflights)
    if (p.id == id) return &p;
  return nullptr;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// The counts of the preflight phase on the step outcomes (the report shows them per step).
void attach_preflights(ApplyReport& r) {
  for (auto& o : r.outcome.steps)
    if (const auto* p = preflight_of(r, o.id)) o.preflight_rows = p->rows;
}

// Steps whose preflight failed or counted more rows than accepted: the step's reviewed
// "accept_rows_at_risk" (apply --plan), else 0. Empty with --accept-rows-at-risk.
std::vector<int> steps_at_risk(const ApplyReport& r, bool accept_all) {
  std::vector<int> ids;
  if (accept_all) return ids;
  for (const auto& p : r.preflights) {
    const auto& step = r.plan.steps.at(static_cast<size_t>(p.id - 1));
    if (!p.rows || *p.rows > step.accept_rows_at_risk.value_or(0)) ids.push_back(p.id);
  }
  return ids;
}

// The steps that would wait, and for whom: pid, application, state, transaction age, query.
std::string blockers_message(const ApplyReport& r, int64_t max_transaction_age_s) {
  const auto blocked = planner::blocked_steps(r.plan);
  std::string text = "sessions hold or wait for locks that " + std::to_string(blocked.size()) +
                     " step" + (blocked.size() == 1 ? "" : "s") +
                     " would wait for (and every query after them with them); nothing was "
                     "applied";
  for (const auto* step : blocked) {
    const auto& a = *step->lock_analysis;
    text += "\n  step " + std::to_string(step->id) + " (" +
            engine::change_kind_name(step->change_kind) + " " + step->object_kind + " " +
            step->object_name + ") needs " + step->lock + " on " + a.table + ", blocked by:";
    for (const auto& h : a.blockers) {
      const bool old = std::find(a.old_transactions.begin(), a.old_transactions.end(), h.pid) !=
                       a.old_transactions.end();
      text += "\n    pid " + std::to_string(h.pid) + " (application_name '" + h.application_name +
              "', " + h.state + ", transaction open " + std::to_string(h.transaction_age_s) + " s" +
              (old ? ", longer than --max-transaction-age " +
                         std::to_string(max_transaction_age_s) + " s"
                   : "") +
              ") " +
              (h.mode.empty() ? "is a transaction CREATE INDEX CONCURRENTLY waits for"
                              : (h.granted ? "holds " : "waits for ") + h.mode) +
              ": " + h.query;
    }
  }
  return text +
         "\n  (end those sessions or wait for them; --lock-retries N retries each blocked step "
         "after its lock_timeout, --ignore-blockers runs anyway, each step waiting up to its "
         "lock_timeout)";
}

// One line per refused step: id, object, count, description, samples.
std::string rows_at_risk_message(const ApplyReport& r) {
  std::string text = "rows at risk: " + std::to_string(r.rows_at_risk.size()) + " step" +
                     (r.rows_at_risk.size() == 1 ? "" : "s") +
                     " would fail on or change existing rows; nothing was applied";
  for (int id : r.rows_at_risk) {
    const auto& step = r.plan.steps.at(static_cast<size_t>(id - 1));
    const auto* p = preflight_of(r, id);
    text += "\n  step " + std::to_string(id) + " (" + engine::change_kind_name(step.change_kind) +
            " " + step.object_kind + " " + step.object_name + "): ";
    if (!p->rows) {
      text += "preflight failed: " + p->error;
      continue;
    }
    text += std::to_string(*p->rows) + " row" + (*p->rows == 1 ? "" : "s") + " at risk";
    if (step.accept_rows_at_risk)
      text += " (accepted: " + std::to_string(*step.accept_rows_at_risk) + ")";
    if (!step.preflight->description.empty()) text += ": " + step.preflight->description;
    if (!p->samples.empty()) text += "; samples: " + join(p->samples, ", ");
  }
  return text +
         "\n  (accept them with --accept-rows-at-risk, or with \"accept_rows_at_risk\": N on the "
         "step of a reviewed plan)";
}

std::string fixed1(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", ms);
  return buf;
}

void print_text(const ApplyReport& r) {
  std::cout << "pgdrift " << r.command << " " << r.database
            << (r.rolls_back ? " (undoing audit row " + std::to_string(r.rolls_back) + ")" : "")
            << (r.dry_run ? " (dry run)" : "") << ": " << r.plan.steps.size() << " step"
            << (r.plan.steps.size() == 1 ? "" : "s") << "\n";
  // Where each transaction begins, and whether its commit is a safe point (docs/planner.md).
  std::map<size_t, size_t> group_starts, group_ends;
  const auto groups = planner::step_groups(r.plan);
  for (size_t g = 0; g < groups.size(); ++g) {
    group_starts[groups[g].steps.front()] = g;
    group_ends[groups[g].steps.back()] = g;
  }
  for (size_t i = 0; i < r.plan.steps.size(); ++i) {
    const auto& s = r.plan.steps[i];
    const auto& o = r.outcome.steps[i];
    if (auto g = group_starts.find(i); g != group_starts.end() && groups[g->second].in_transaction)
      std::cout << "-- transaction " << g->second + 1 << " of " << groups.size() << "\n";
    std::cout << "step " << s.id << "  " << engine::change_kind_name(s.change_kind) << " "
              << s.object_kind << " " << s.object_name;
    if (!s.transactional) std::cout << "  [outside transaction]";
    if (o.status == planner::StepStatus::Applied || o.status == planner::StepStatus::Failed ||
        o.status == planner::StepStatus::RolledBack)
      std::cout << "  " << fixed1(o.elapsed_ms) << " ms";
    std::cout << "  " << planner::step_status_name(o.status);
    if (o.preflight_rows) std::cout << "  (preflight: " << *o.preflight_rows << " rows at risk)";
    std::cout << "\n";
    if (const auto* p = preflight_of(r, s.id)) {
      if (!p->rows)
        std::cout << "    preflight failed: " << p->error << "\n";
      else if (*p->rows > 0)
        std::cout << "    rows at risk: " << s.preflight->description
                  << (p->samples.empty() ? "" : "; samples: " + join(p->samples, ", ")) << "\n";
    }
    if (s.lock_analysis)
      std::cout << "    " << planner::describe_lock_analysis(*s.lock_analysis) << "\n";
    if (o.lock_retries > 0)
      std::cout << "    ran again " << o.lock_retries << " time" << (o.lock_retries == 1 ? "" : "s")
                << " after a lock timeout (--lock-retries)\n";
    if (r.dry_run) {
      std::istringstream lines(s.statement);
      for (std::string line; std::getline(lines, line);) std::cout << "    " << line << "\n";
    }
    if (o.status == planner::StepStatus::Failed) {
      std::cout << "    statement: " << s.statement << "\n";
      std::cout << "    error: " << (o.sqlstate.empty() ? "" : "SQLSTATE " + o.sqlstate + ": ")
                << o.error << "\n";
      if (!o.remark.empty()) std::cout << "    " << o.remark << "\n";
    }
    if (auto g = group_ends.find(i); g != group_ends.end())
      std::cout << (groups[g->second].safe_point_after ? "-- safe point\n"
                                                       : "-- NOT a safe point\n");
  }
  for (const auto* step : planner::blocked_steps(r.plan))
    for (const auto& h : step->lock_analysis->blockers)
      std::cout << "blocker: step " << step->id << " needs " << step->lock << " on "
                << step->lock_analysis->table << ": pid " << h.pid << " (" << h.application_name
                << ", " << h.state << ", " << h.transaction_age_s << " s) "
                << (h.mode.empty() ? "old transaction"
                                   : (h.granted ? "holds " : "waits for ") + h.mode)
                << "\n";
  if (r.auto_rollback) {
    const auto& a = *r.auto_rollback;
    std::cout << "automatic rollback (--on-failure rollback): " << a.plan.steps.size() << " step"
              << (a.plan.steps.size() == 1 ? "" : "s") << "\n";
    for (size_t i = 0; i < a.plan.steps.size(); ++i)
      std::cout << "  rollback step " << a.plan.steps[i].id << "  "
                << engine::change_kind_name(a.plan.steps[i].change_kind) << " "
                << a.plan.steps[i].object_kind << " " << a.plan.steps[i].object_name << "  "
                << (i < a.outcome.steps.size()
                        ? planner::step_status_name(a.outcome.steps[i].status)
                        : "")
                << "\n";
    if (!a.error.empty()) std::cout << "  error: " << a.error << "\n";
    std::cout << "  database " << (a.restored ? "back at" : "NOT back at")
              << " its original fingerprint (" << a.fingerprint << ")\n";
  }
  for (const auto& b : r.backups)
    std::cout << "backup: step " << b.step << " " << b.table
              << (b.column.empty() ? "" : "." + b.column) << ": "
              << (b.taken              ? b.backup_table + " (" + std::to_string(b.rows) + " rows)"
                  : !b.skipped.empty() ? "none: " + b.skipped
                  : r.dry_run          ? "would go to " + b.backup_table
                                       : std::string("not kept (its step did not commit)"))
              << "\n";
  if (!r.backups_off.empty()) std::cout << "backups: off (" << r.backups_off << ")\n";
  for (const auto& b : r.restores)
    std::cout << "restore: " << b.table << (b.column.empty() ? "" : "." + b.column) << " from "
              << b.backup_table << " (step " << b.step << " of the undone apply)\n";
  if (r.data_checks) {
    std::cout << "data checks: " << (r.data_checks->passed() ? "passed" : "FAILED") << " ("
              << r.data_checks->checks.size() << ")\n";
    for (const auto& c : r.data_checks->checks)
      if (!c.ok) std::cout << "  " << c.name << " " << c.object << ": " << c.detail << "\n";
  }
  if (r.verify) {
    std::cout << "verify: " << (r.verify->converged ? "converged" : "NOT converged") << "\n";
    for (const auto& line : r.verify->remaining) std::cout << "  " << line << "\n";
  }
  for (const auto& row : r.interrupted)
    std::cout << "audit: row " << row.id << " (started " << row.fields.value("started_at", "")
              << ") was still running: its apply ended without completing it; now "
                 "'interrupted'\n";
  if (r.audit_row)
    std::cout << "audit: row " << r.audit_row->id << ", seq " << r.audit_row->seq << ", hash "
              << r.audit_row->row_hash << "\n";
  else
    std::cout << "audit: not written (" << r.audit_off << ")\n";
  std::cout << "result: " << r.result << "\n";
}

nlohmann::json report_json(const ApplyReport& r) {
  using nlohmann::json;
  json steps = json::array();
  for (size_t i = 0; i < r.plan.steps.size(); ++i) {
    const auto& s = r.plan.steps[i];
    const auto& o = r.outcome.steps[i];
    json hazards = json::array();
    for (auto h : s.hazards) hazards.push_back(planner::hazard_code(h));
    json step = {
        {"id", s.id},
        {"object", {{"kind", s.object_kind}, {"name", s.object_name}}},
        {"change", engine::change_kind_name(s.change_kind)},
        {"statement", s.statement},
        {"transactional", s.transactional},
        {"hazards", hazards},
        {"status", planner::step_status_name(o.status)},
        {"elapsed_ms", std::round(o.elapsed_ms * 1000) / 1000},
        {"preflight", s.preflight ? json{{"count", s.preflight->count_sql},
                                         {"samples", s.preflight->sample_sql},
                                         {"description", s.preflight->description}}
                                  : json(nullptr)},
        {"preflight_rows", o.preflight_rows ? json(*o.preflight_rows) : json(nullptr)},
        {"preflight_samples", json(nullptr)},
        {"preflight_error", json(nullptr)},
        {"accept_rows_at_risk",
         s.accept_rows_at_risk ? json(*s.accept_rows_at_risk) : json(nullptr)},
        {"lock_analysis",
         s.lock_analysis ? planner::lock_analysis_to_json(*s.lock_analysis) : json(nullptr)},
        {"lock_retries", o.lock_retries},
        {"error", o.status == planner::StepStatus::Failed
                      ? json{{"sqlstate", o.sqlstate}, {"message", o.error}, {"remark", o.remark}}
                      : json(nullptr)},
    };
    if (const auto* p = preflight_of(r, s.id)) {
      if (p->rows) step["preflight_samples"] = p->samples;
      if (!p->error.empty()) step["preflight_error"] = p->error;
    }
    steps.push_back(step);
  }
  const auto* failed = r.outcome.failed_step();
  json refused = json::array();
  for (auto h : r.refused) refused.push_back(planner::hazard_code(h));
  json out = {
      {"format", "pgdrift-apply/1"},
      {"database", r.database},
      {"mode", r.mode},
      {"dry_run", r.dry_run},
      {"result", r.result},
      {"exit_code", r.exit_code},
      {"message", r.message},
      {"lock_key", planner::apply_lock_key()},
      {"source_fingerprint", r.plan.source_fingerprint},
      {"target_fingerprint", r.plan.target_fingerprint},
      {"live_fingerprint", r.live_fingerprint},
      {"refused_hazards", refused},
      {"accept_rows_at_risk", r.accept_rows_at_risk},
      {"rows_at_risk", r.rows_at_risk},
      {"steps", steps},
      {"committed_steps", r.outcome.committed_step_ids()},
      {"failed_step", failed ? json(failed->id) : json(nullptr)},
      {"verify", r.verify ? json{{"converged", r.verify->converged},
                                 {"remaining", r.verify->remaining},
                                 {"live_fingerprint", r.verify->live_fingerprint}}
                          : json(nullptr)},
  };
  if (r.data_checks) {
    json checks = json::array();
    for (const auto& c : r.data_checks->checks)
      checks.push_back({{"check", c.name},
                        {"object", c.object},
                        {"before", c.before},
                        {"after", c.after},
                        {"ok", c.ok},
                        {"detail", c.detail}});
    out["data_checks"] = {{"passed", r.data_checks->passed()}, {"checks", checks}};
  } else {
    out["data_checks"] = nullptr;
  }
  if (r.auto_rollback) {
    const auto& a = *r.auto_rollback;
    json steps = json::array();
    for (size_t i = 0; i < a.plan.steps.size(); ++i)
      steps.push_back({{"id", a.plan.steps[i].id},
                       {"statement", a.plan.steps[i].statement},
                       {"status", i < a.outcome.steps.size()
                                      ? planner::step_status_name(a.outcome.steps[i].status)
                                      : "skipped"}});
    out["auto_rollback"] = {{"steps", steps},
                            {"live_fingerprint", a.fingerprint},
                            {"restored", a.restored},
                            {"error", a.error}};
  } else {
    out["auto_rollback"] = nullptr;
  }
  json blockers = json::array();
  for (const auto* step : planner::blocked_steps(r.plan))
    blockers.push_back(
        {{"step", step->id},
         {"table", step->lock_analysis->table},
         {"lock", step->lock},
         {"holders", planner::lock_analysis_to_json(*step->lock_analysis)["blockers"]}});
  out["blockers"] = blockers;
  out["backups"] = planner::backups_to_json(r.backups);
  out["backups_off"] = r.backups_off.empty() ? json(nullptr) : json(r.backups_off);
  out["restores"] = planner::backups_to_json(r.restores);
  json interrupted = json::array();
  for (const auto& row : r.interrupted) interrupted.push_back(row.id);
  out["audit"] =
      r.audit_row
          ? json{{"id", r.audit_row->id},
                 {"seq", r.audit_row->seq},
                 {"row_hash", r.audit_row->row_hash},
                 {"interrupted_rows", interrupted}}
          : json{{"id", nullptr}, {"not_written", r.audit_off}, {"interrupted_rows", interrupted}};
  return out;
}

// This run's audit row: opened under the lock before anything is read or changed, completed
// with the outcome by finish().
struct AuditTrail {
  std::unique_ptr<planner::AuditLog> log;
  int64_t id = 0;
  planner::AuditEntry entry;
};

// Who runs what, for the row's first write.
planner::AuditEntry audit_entry(const ApplyArgs& args) {
  planner::AuditEntry e;
  e.mode = args.to.empty() ? "plan" : "to";
  e.dry_run = args.dry_run;
  e.os_user = os_user();
  e.os_host = os_host();
  e.actor = args.actor;
  e.ticket = args.ticket;
  e.pgdrift_version = PGDRIFT_VERSION;
  const std::string& source = args.to.empty() ? args.plan_file : args.to;
  if (args.rollback) {
    e.command = "rollback";
    e.mode = "rollback";
    e.rolls_back = args.rollback_id;
    e.desired_source = "audit row " + std::to_string(args.rollback_id) + " (its source model)";
  } else if (schema::live::is_connection_string(source)) {
    e.desired_source = schema::live::redact_connection_string(source);
  } else {
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(source, ec);
    e.desired_source = ec ? source : absolute.lexically_normal().string();
    const GitState git = git_state(source);
    e.desired_git_commit = git.commit;
    e.desired_git_dirty = git.dirty;
  }
  return e;
}

// Completes the audit row with the report's outcome. A row that cannot be completed makes the
// run a failure: the auditor's record of it is incomplete.
void complete_audit(ApplyReport& r, AuditTrail& audit) {
  if (!audit.log) return;
  planner::AuditEntry& e = audit.entry;
  e.status = r.result;
  e.message = r.message;
  e.exit_code = r.exit_code;
  e.source_fingerprint = r.plan.source_fingerprint;
  e.target_fingerprint = r.plan.target_fingerprint;
  e.live_fingerprint_before = r.live_fingerprint;
  e.live_fingerprint_after = r.verify ? r.verify->live_fingerprint : r.fingerprint_after_failure;
  if (!r.plan.source_fingerprint.empty() || !r.plan.steps.empty())
    e.plan = nlohmann::json::parse(planner::render_plan_json(r.plan));
  e.report = report_json(r);
  e.report.erase("audit");
  try {
    r.audit_row = audit.log->finish(audit.id, e);
  } catch (const std::exception& ex) {
    r.message += std::string(r.message.empty() ? "" : "\n") + "the audit row " +
                 std::to_string(audit.id) + " could not be completed: " + ex.what();
    if (r.exit_code == 0) r.exit_code = 1;
  }
  audit.log.reset();
}

int finish(ApplyReport& r, const ApplyArgs& args, AuditTrail& audit) {
  complete_audit(r, audit);
  if (args.format == "json") {
    std::cout << report_json(r).dump(2) << "\n";
  } else {
    print_text(r);
  }
  if (!r.message.empty()) std::cerr << "pgdrift " << r.command << ": " << r.message << "\n";
  return r.exit_code;
}

// Nothing runs: every step is skipped, the run ends with `result` (exit 1) and `message`.
int refuse(ApplyReport& r, const ApplyArgs& args, AuditTrail& audit, const std::string& result,
           const std::string& message) {
  r.outcome = planner::planned_outcomes(r.plan, planner::StepStatus::Skipped);
  attach_preflights(r);
  r.result = result;
  r.message = message;
  r.exit_code = 1;
  return finish(r, args, audit);
}

// The rows an apply holding the lock left running, for the message of one that finds the lock
// taken ("does not wait on forever": it says who and since when, and exits).
std::string running_rows_note(const ApplyArgs& args) {
  if (args.no_audit) return "";
  try {
    std::string note;
    for (const auto& row : planner::running_audit_rows(args.db, args.audit_schema)) {
      note += "\n  audit row " + std::to_string(row.id) + " has been running since " +
              row.fields.value("started_at", "?") + " (os user " +
              row.fields.value("os_user", "?") + "@" + row.fields.value("os_host", "?");
      if (row.fields.contains("actor") && row.fields["actor"].is_string())
        note += ", actor " + row.fields["actor"].get<std::string>();
      note += ")";
    }
    if (!note.empty())
      note +=
          "\n  if that pgdrift is gone, its server session still runs a step: see "
          "pg_stat_activity (application_name 'pgdrift-apply'); the next apply that gets the "
          "lock marks the row 'interrupted'";
    return note;
  } catch (const std::exception&) {
    return "";  // the lock message stands on its own
  }
}

// The live database as introspected, with its privileges even when they are not compared:
// the planner gives re-created objects their grants back from it, and verification checks
// that nothing was revoked. `compared_form(live, options.diff)` is what `plan` compares.
schema::Model read_live(const ApplyArgs& args, schema::UnmatchedPatterns* unmatched = nullptr) {
  return load_source(args.db, args.source_options, unmatched);
}

// Several lines: what failed, the statement, what was rolled back and what stays committed.
std::string failure_message(const ApplyReport& r) {
  const auto* failed = r.outcome.failed_step();
  const auto& step = r.plan.steps.at(static_cast<size_t>(failed->id - 1));
  auto id_list = [](const std::vector<int>& ids) {
    std::string out;
    for (int id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
    return out.empty() ? std::string("none") : out;
  };
  std::vector<int> rolled_back;
  for (const auto& o : r.outcome.steps)
    if (o.status == planner::StepStatus::RolledBack) rolled_back.push_back(o.id);
  std::string text =
      "step " + std::to_string(step.id) + " (" + engine::change_kind_name(step.change_kind) + " " +
      step.object_kind + " " + step.object_name +
      ") failed: " + (failed->sqlstate.empty() ? "" : "SQLSTATE " + failed->sqlstate + ": ") +
      failed->error + "\n  statement: " + step.statement;
  if (!failed->remark.empty()) text += "\n  " + failed->remark;
  if (step.transactional)
    text += rolled_back.empty()
                ? "\n  its transaction was rolled back"
                : "\n  its transaction was rolled back, undoing steps " + id_list(rolled_back);
  text += "\n  committed before it: steps " + id_list(r.outcome.committed_step_ids());
  return text + "\n  the database still differs from the target";
}

int apply_under_lock(const ApplyArgs& args, ApplyReport& report, planner::ApplySession& session,
                     const std::optional<schema::Model>& target,
                     schema::UnmatchedPatterns& unmatched_target, AuditTrail& audit);

// The audit row `rollback` undoes (--id, or the last apply that changed the database), and the
// model it plans back to: the source model that apply recorded.
planner::AuditRow row_to_roll_back(ApplyArgs& args) {
  std::optional<planner::AuditRow> row;
  try {
    if (args.rollback_last) {
      row = planner::last_rollbackable_row(args.db, args.audit_schema);
      if (!row)
        throw SourceError("no apply in the audit log changed this database: nothing to roll back");
    } else {
      auto rows = planner::read_audit_log(args.db, args.audit_schema, 0, args.rollback_id);
      if (rows.empty()) throw SourceError("no audit row " + std::to_string(args.rollback_id));
      row = rows[0];
    }
  } catch (const planner::AuditError& e) {
    throw SourceError(e.what());
  } catch (const schema::live::ConnectionError& e) {
    throw SourceError(e.what());
  }
  if (!row->fields.contains("source_model") || !row->fields["source_model"].is_object())
    throw SourceError("audit row " + std::to_string(row->id) +
                      " has no source model (it never got past introspection, or was written "
                      "by a pgdrift that did not record one): nothing to roll back to");
  args.rollback_id = row->id;
  return *row;
}

int run_apply(ApplyArgs& args) {
  args.db = database_or_environment(args.db, args.rollback ? "rollback" : "apply");
  if (!schema::live::is_connection_string(args.db))
    throw SourceError("--db: expected a postgres:// URL or a libpq key=value connection string");
  std::optional<planner::AuditRow> undone;
  if (args.rollback) {
    if (args.rollback_last == (args.rollback_id != 0))
      throw SourceError("give exactly one of --last or --id AUDIT_ID");
    if (args.no_audit) throw SourceError("rollback reads the audit log: --no-audit cannot be used");
    undone = row_to_roll_back(args);
  } else if (args.to.empty() == args.plan_file.empty()) {
    throw SourceError("give exactly one of --to TARGET or --plan PLAN.json");
  }
  parse_allowed_hazards(args.allow_hazards);  // a bad code is a usage error, before connecting

  ApplyReport report;
  report.database = schema::live::redact_connection_string(args.db);
  report.mode = args.rollback ? "rollback" : args.to.empty() ? "plan" : "to";
  report.command = args.rollback ? "rollback" : "apply";
  report.rolls_back = args.rollback ? args.rollback_id : 0;
  report.dry_run = args.dry_run;
  report.accept_rows_at_risk = args.accept_rows_at_risk;

  // Inputs first: a broken target or plan file never takes the lock.
  std::optional<schema::Model> target;
  schema::UnmatchedPatterns unmatched_target;
  if (undone) {
    try {
      // Recorded from the database by that apply: read as it was written (its types are the
      // database's, some of which no model describes).
      target = schema::model_from_json(undone->fields["source_model"], false);
    } catch (const std::exception& e) {
      throw SourceError("audit row " + std::to_string(undone->id) +
                        ": its source model cannot be read: " + e.what());
    }
  } else if (!args.to.empty()) {
    target = load_source(args.to, args.source_options, &unmatched_target);
  } else {
    report.plan = read_reviewed_plan(args);
  }

  std::unique_ptr<planner::ApplySession> session;
  try {
    session = std::make_unique<planner::ApplySession>(args.db);
    session->lock(args.lock_wait_ms);
  } catch (const planner::ApplyLockBusy& e) {
    throw SourceError(e.what() + running_rows_note(args));
  } catch (const planner::ApplyNotDirect& e) {  // a pooler in transaction mode: exit 2
    throw SourceError(e.what());
  } catch (const schema::live::ConnectionError& e) {
    throw SourceError(e.what());
  }

  // The audit row, under the lock (one writer at a time keeps the chain linear), before
  // anything is read or changed. A log that cannot be written stops the apply: exit 2.
  AuditTrail audit;
  if (args.no_audit) {
    report.audit_off = "--no-audit";
  } else if (args.dry_run && !args.audit_dry_run) {
    report.audit_off = "dry run (--audit-dry-run writes one)";
  } else {
    try {
      audit.log = std::make_unique<planner::AuditLog>(args.db, args.audit_schema);
      audit.log->ensure();
      report.interrupted = audit.log->close_interrupted();
      audit.entry = audit_entry(args);
      audit.id = audit.log->begin(audit.entry);
    } catch (const planner::AuditError& e) {
      throw SourceError(e.what());
    } catch (const schema::live::ConnectionError& e) {
      throw SourceError(e.what());
    } catch (const std::exception& e) {
      throw SourceError(std::string("cannot write the audit log: ") + e.what() +
                        " (--no-audit turns the audit trail off)");
    }
  }
  try {
    if (undone) {
      // The database must be as that apply left it: rolling back over later changes would
      // undo them too.
      const std::string expected = undone->fields.value("live_fingerprint_after", "");
      // Its backups that were not pruned: the rollback puts their values back.
      const auto& undone_report = undone->fields["report"];
      if (undone_report.is_object() && undone_report.contains("backups"))
        args.restores = planner::existing_backups(
            args.db, planner::backups_from_json(undone_report["backups"]));
      report.restores = args.restores;
      const schema::Model live = read_live(args);
      const std::string now =
          planner::model_fingerprint(engine::compared_form(live, plan_options(args).diff));
      if (now != expected && !args.force) {
        report.live_fingerprint = now;
        return refuse(
            report, args, audit, "stale_plan",
            "the database is no longer as audit row " + std::to_string(undone->id) +
                " left it: its fingerprint is " + now + ", the apply's resulting fingerprint is " +
                (expected.empty() ? std::string("not recorded") : expected) +
                "; nothing was rolled back (--force rolls back to that apply's source anyway, "
                "undoing later changes too; pass the filters and --privileges the apply had)");
      }
    }
    return apply_under_lock(args, report, *session, target, unmatched_target, audit);
  } catch (const std::exception& e) {
    // Whatever stops the run after the row was opened is recorded in it.
    report.result = "error";
    report.message = e.what();
    report.exit_code = 2;
    complete_audit(report, audit);
    throw;
  }
}

// The summary a person sees before saying yes: the steps, their hazards, and the tables they
// lock with sizes and estimates; then "Apply? [y/N]" on stderr, the answer from stdin.
bool confirmed(const ApplyReport& r, const ApplyArgs& args) {
  std::set<planner::Hazard> hazards;
  for (const auto& s : r.plan.steps) hazards.insert(s.hazards.begin(), s.hazards.end());
  std::cerr << "pgdrift " << r.command << ": about to run " << r.plan.steps.size() << " step"
            << (r.plan.steps.size() == 1 ? "" : "s") << " on "
            << schema::live::connection_label(args.db) << "\n  hazards: "
            << (hazards.empty() ? std::string("none")
                                : hazard_codes({hazards.begin(), hazards.end()}, ", "))
            << "\n";
  for (const auto& s : r.plan.steps)
    if (s.lock_analysis)
      std::cerr << "  step " << s.id << " takes " << s.lock << " on "
                << planner::describe_lock_analysis(*s.lock_analysis) << "\n";
  for (const auto& b : r.backups)
    if (!b.statement.empty())
      std::cerr << "  step " << b.step << " is backed up to " << b.backup_table << "\n";
  std::cerr << "Apply? [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) answer.clear();
  while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back())))
    answer.pop_back();
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "YES";
}

// A step whose backup was taken is undone exactly: its rollback restores the old values.
void mark_restorable(planner::Plan& plan, const std::vector<planner::Backup>& backups) {
  for (const auto& b : backups) {
    if (!b.taken) continue;
    auto& step = plan.steps.at(static_cast<size_t>(b.step - 1));
    if (!step.inverse) continue;
    step.inverse->exact = true;
    step.inverse->why = "the rollback restores the old values from the backup " + b.backup_table +
                        " (" + std::to_string(b.rows) + " rows)";
  }
}

// --on-failure rollback: plan from the database as the failure left it back to the source
// (what was introspected before the first step) and run it on the locked session; then check
// that the database has its original fingerprint. Whatever the rollback plan's hazards: the
// operator asked for the way back by choosing the policy. Result `rolled_back` (exit 1: the
// apply did not happen) when it is back, else the failure stands with what the rollback did.
void roll_back_now(const ApplyArgs& args, ApplyReport& report, planner::ApplySession& session,
                   const schema::Model& source, planner::PlanOptions options) {
  ApplyReport::AutoRollback a;
  options.rollback = false;
  options.restores.clear();
  for (const auto& b : report.backups)
    if (b.taken) options.restores.push_back(b);
  try {
    const schema::Model now = read_live(args);
    a.plan = planner::make_plan(now, source, options);
    a.outcome = session.execute(a.plan);
    if (const auto* failed = a.outcome.failed_step())
      a.error = "rollback step " + std::to_string(failed->id) + " failed: " +
                (failed->sqlstate.empty() ? "" : "SQLSTATE " + failed->sqlstate + ": ") +
                failed->error;
    a.fingerprint =
        planner::model_fingerprint(engine::compared_form(read_live(args), options.diff));
    // Or the source as a plan can reach it: an INVALID index it had is built valid again.
    a.restored =
        a.fingerprint == report.live_fingerprint || a.fingerprint == a.plan.target_fingerprint;
    report.fingerprint_after_failure = a.fingerprint;
  } catch (const std::exception& e) {
    a.error = e.what();
  }
  report.message += a.restored ? "\n  --on-failure rollback: the database is back at its "
                                 "original fingerprint " +
                                     a.fingerprint
                               : "\n  --on-failure rollback did NOT restore the original "
                                 "fingerprint" +
                                     (a.error.empty() ? "" : ": " + a.error);
  if (a.restored) report.result = "rolled_back";
  report.auto_rollback = std::move(a);
}

int apply_under_lock(const ApplyArgs& args, ApplyReport& report, planner::ApplySession& session_ref,
                     const std::optional<schema::Model>& target,
                     schema::UnmatchedPatterns& unmatched_target, AuditTrail& audit) {
  const planner::PlanOptions options = plan_options(args);
  const std::set<planner::Hazard> allowed = parse_allowed_hazards(args.allow_hazards);
  planner::ApplySession* session = &session_ref;

  // Introspected under the lock, so no other apply changes the schema between plan and run.
  schema::UnmatchedPatterns unmatched_live;
  const schema::Model live_with_grants = read_live(args, &unmatched_live);
  if (target)
    require_matches({&unmatched_target, &unmatched_live}, "in --to or the database");
  else
    require_matches({&unmatched_live}, "in the database");
  report.live_fingerprint =
      planner::model_fingerprint(engine::compared_form(live_with_grants, options.diff));
  // The way back of this apply: `pgdrift rollback` plans to this model.
  if (audit.log) audit.log->record_source_model(audit.id, schema::model_to_json(live_with_grants));
  if (target) {
    report.plan = planner::make_plan(live_with_grants, *target, options);
  } else if (report.live_fingerprint != report.plan.source_fingerprint &&
             report.live_fingerprint == report.plan.target_fingerprint) {
    // Re-running an applied plan (a retried CI job) is a success with nothing to do.
    report.outcome = planner::planned_outcomes(report.plan, planner::StepStatus::Skipped);
    report.result = "already_applied";
    return finish(report, args, audit);
  } else if (report.live_fingerprint != report.plan.source_fingerprint) {
    return refuse(report, args, audit, "stale_plan",
                  "database changed since the plan was made: its fingerprint is " +
                      report.live_fingerprint + ", the plan's source_fingerprint is " +
                      report.plan.source_fingerprint +
                      " (make a new plan; pass the --schema, --exclude-schema and --privileges "
                      "options the plan was made with)");
  }

  report.refused = planner::disallowed_hazards(report.plan, allowed);
  if (!report.refused.empty()) {
    return refuse(
        report, args, audit, "refused_hazards",
        "the plan has hazards that are not allowed: " + hazard_codes(report.refused, " ") +
            " (allow them with --allow-hazards " + hazard_codes(report.refused, ",") +
            " or --allow-hazards all); nothing was applied");
  }
  // A plan that cannot commit only at safe points is applied only as one transaction.
  if (!report.plan.unsafe.empty() && !report.plan.atomic) {
    return refuse(report, args, audit, "refused_unsafe",
                  "not every commit of this plan is a safe point: " + report.plan.unsafe.front() +
                      "; nothing was applied (use --atomic)");
  }
  // Preflights: every step's, in one read-only snapshot, before anything changes (dry run too).
  report.preflights = session->run_preflights(report.plan);
  report.rows_at_risk = steps_at_risk(report, args.accept_rows_at_risk);
  if (!report.rows_at_risk.empty()) {
    return refuse(report, args, audit, "rows_at_risk", rows_at_risk_message(report));
  }
  // Blockers: sessions whose locks on the tables the steps lock would make a step wait, with
  // every query that arrives after it queued behind (docs/apply.md, "Lock analysis").
  planner::analyze_locks(args.db, report.plan, live_with_grants, args.max_transaction_age_s);
  if (!planner::blocked_steps(report.plan).empty() && !args.ignore_blockers &&
      args.lock_retries == 0 && !args.dry_run) {
    return refuse(report, args, audit, "blocked",
                  blockers_message(report, args.max_transaction_age_s));
  }
  // Backups of what the lossy steps destroy (docs/apply.md, "Backups"), named after the audit
  // row: the rollback of this apply finds and restores them through it.
  if (args.no_backup)
    report.backups_off = "--no-backup";
  else if (!audit.log && !args.dry_run)
    report.backups_off = "no audit row: the rollback of an apply finds its backups through it";
  else
    report.backups = planner::plan_backups(report.plan, live_with_grants,
                                           planner::backup_schema(args.audit_schema), audit.id);
  if (args.dry_run) {
    report.outcome = planner::planned_outcomes(report.plan, planner::StepStatus::Planned);
    attach_preflights(report);
    report.result = "dry_run";
    return finish(report, args, audit);
  }

  // Data checks: measured now, compared after the last step (docs/apply.md, "Data checks").
  std::optional<planner::DataValidator> validator;
  if (!args.no_data_checks && !report.plan.empty()) {
    validator.emplace(report.plan, live_with_grants);
    validator->measure_before(args.db);
  }
  // By hand on a terminal: what is about to happen, and a yes before the first change.
  if (!args.yes && !report.plan.empty() && ::isatty(0) && ::isatty(2) && !confirmed(report, args))
    return refuse(report, args, audit, "declined",
                  "not confirmed: nothing was applied (--yes applies without asking)");
  for (const auto& b : report.backups)
    if (!b.statement.empty()) {
      planner::create_backup_schema(args.db, planner::backup_schema(args.audit_schema));
      break;
    }
  // Live progress on stderr (text reports): a line per step start and end; on a terminal a
  // status line while a step runs.
  std::unique_ptr<planner::ProgressPrinter> progress;
  if (args.format == "text") {
    progress = std::make_unique<planner::ProgressPrinter>(args.db, session->backend_pid(),
                                                          std::cerr, ::isatty(2) != 0);
    session->set_observer(progress.get());
  }
  session->set_lock_retries(args.lock_retries);
  report.outcome = session->execute(report.plan, &report.backups);
  mark_restorable(report.plan, report.backups);
  attach_preflights(report);
  if (report.outcome.failed()) {
    report.result = "failed";
    report.message = failure_message(report);
    report.exit_code = 1;
    if (args.on_failure == "rollback") {
      roll_back_now(args, report, *session, live_with_grants, options);
      return finish(report, args, audit);
    }
    // Where the database stands after the committed steps: what a rollback of this apply
    // expects to find.
    if (audit.log) {
      try {
        report.fingerprint_after_failure =
            planner::model_fingerprint(engine::compared_form(read_live(args), options.diff));
      } catch (const std::exception&) {
        // The connection may be what failed; the row then has no resulting fingerprint.
      }
    }
    return finish(report, args, audit);
  }
  report.result = report.plan.empty() ? "no_changes" : "applied";
  if (validator) report.data_checks = validator->measure_after(args.db);

  if (!args.no_verify) {
    Verification v;
    const schema::Model after_with_grants = read_live(args);
    v.live_fingerprint =
        planner::model_fingerprint(engine::compared_form(after_with_grants, options.diff));
    bool fingerprint_matches = true;
    if (target) {
      v.remaining =
          engine::describe_changes(engine::diff_models(after_with_grants, *target, options.diff));
    } else {
      fingerprint_matches = v.live_fingerprint == report.plan.target_fingerprint;
    }
    // Without --privileges no grant is compared, and none may be lost either: objects the
    // plan re-created must have the privileges they had (with --privileges the comparison
    // with the target covers them).
    std::vector<std::string> lost;
    if (!options.diff.compare_privileges) {
      lost = engine::lost_privileges(live_with_grants, after_with_grants);
      v.remaining.insert(v.remaining.end(), lost.begin(), lost.end());
    }
    v.converged = fingerprint_matches && v.remaining.empty();
    if (!v.converged) {
      report.result = "not_converged";
      std::vector<std::string> why;
      if (target && v.remaining.size() > lost.size())
        why.push_back(std::to_string(v.remaining.size() - lost.size()) + " change(s) remain");
      if (!fingerprint_matches)
        why.push_back("its fingerprint is " + v.live_fingerprint +
                      ", the plan's target_fingerprint is " + report.plan.target_fingerprint);
      if (!lost.empty()) why.push_back(std::to_string(lost.size()) + " privilege(s) lost");
      report.message = "the plan was applied but the database does not match the target: ";
      for (size_t i = 0; i < why.size(); ++i) report.message += (i ? "; " : "") + why[i];
      report.exit_code = 1;
    }
    report.verify = std::move(v);
  }
  if (report.data_checks && !report.data_checks->passed()) {
    // The schema may be right and the data not: a failure all the same.
    std::string failed;
    for (const auto& c : report.data_checks->checks)
      if (!c.ok) failed += "\n  " + c.name + " " + c.object + ": " + c.detail;
    report.message += std::string(report.message.empty() ? "" : "\n") +
                      "the plan was applied but its data checks failed:" + failed;
    if (report.result == "applied") report.result = "data_check_failed";
    report.exit_code = 1;
    if (args.on_failure == "rollback")
      roll_back_now(args, report, *session, live_with_grants, options);
  }
  return finish(report, args, audit);
}

}  // namespace

// Options apply and rollback share: lock and statement timeouts, hazards, dry run, output,
// the object filters and the audit trail.
void add_run_options(CLI::App* cmd, ApplyArgs& args) {
  cmd->add_option("--db", args.db,
                  "The database to change (postgres:// URL or key=value; default DATABASE_URL, "
                  "else the PG* environment)");
  cmd->add_option("--allow-hazards", args.allow_hazards,
                  "Hazard codes (comma- or space-separated, or 'all') the plan may contain");
  args.lock_timeout_option = cmd->add_option("--lock-timeout", args.lock_timeout_ms,
                                             "lock_timeout per step, in ms (5000)");
  args.statement_timeout_option =
      cmd->add_option("--statement-timeout", args.statement_timeout_ms,
                      "statement_timeout of ordinary steps, in ms (30000; long steps get none)");
  cmd->add_option("--backfill-batch", args.backfill_batch_rows, kBackfillBatchHelp)
      ->type_name("ROWS")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--lock-wait", args.lock_wait_ms,
                  "Wait up to MS for another apply to release the lock (default 0: fail at once)");
  cmd->add_flag("--dry-run", args.dry_run,
                "Lock, introspect, plan and check hazards, print what would run; change nothing");
  cmd->add_flag("--no-verify", args.no_verify, "Do not re-introspect and compare afterwards");
  cmd->add_flag("--accept-rows-at-risk", args.accept_rows_at_risk,
                "Apply even when preflights count rows at risk (or fail)");
  cmd->add_option("--format", args.format, "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  add_filter_options(cmd, args.source_options);
  cmd->add_flag("--privileges", args.privileges, "Compare and apply GRANTed privileges");
  cmd->add_option("--audit-schema", args.audit_schema,
                  "Schema of the audit log in the database (default pgdrift)");
  cmd->add_flag("--audit-dry-run", args.audit_dry_run, "Write an audit row for a --dry-run too");
  cmd->add_flag("--ignore-blockers", args.ignore_blockers,
                "Run although other sessions hold locks the steps would wait for");
  cmd->add_option("--lock-retries", args.lock_retries,
                  "Run although steps have blockers, retrying a step that times out waiting for "
                  "its lock up to N times (pauses 0.25 s, 0.5 s, 1 s, ... up to 10 s)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-transaction-age", args.max_transaction_age_s,
                  "Flag blocking transactions open longer than SECONDS (default 60)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("-y,--yes", args.yes,
                "Do not ask before the first change (only asked on a terminal; scripts and CI "
                "never are)");
  cmd->add_flag("--no-backup", args.no_backup,
                "Do not back up the values lossy steps destroy (their rollback stays lossy)");
  cmd->add_flag("--no-data-checks", args.no_data_checks,
                "Do not check row counts, NULLs, sums, constraints and indexes after the steps");
  cmd->add_option("--actor", args.actor,
                  "Who or what runs this (a CI job, a person), for the audit row");
  cmd->add_option("--ticket", args.ticket, "The change ticket, for the audit row");
}

void add_rollback_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ApplyArgs>();
  args->rollback = true;
  auto* cmd = app.add_subcommand(
      "rollback", "Undo an apply recorded in the audit log: plan back to its source and apply");
  add_run_options(cmd, *args);
  cmd->add_flag("--last", args->rollback_last,
                "The last apply that changed the database (applied, failed or not converged)");
  cmd->add_option("--id", args->rollback_id, "The audit row of the apply to undo");
  cmd->add_flag("--force", args->force,
                "Roll back although the database changed since that apply (undoes those changes "
                "too)");
  cmd->callback([args, &exit_code] {
    exit_code = run_command("rollback", [&args] { return run_apply(*args); });
  });
}

void add_apply_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ApplyArgs>();
  auto* cmd = app.add_subcommand("apply", "Apply a plan to a database under an advisory lock");
  add_run_options(cmd, *args);
  cmd->add_option("--to", args->to,
                  "The desired schema (file, directory, .json, database): plan and apply");
  cmd->add_option("--plan", args->plan_file,
                  "A reviewed plan (pgdrift plan --format json): apply exactly its statements");
  cmd->add_flag("--atomic", args->atomic,
                "With --to: run every step in one transaction, so a failure changes nothing");
  cmd->add_flag("--no-online", args->no_online,
                "With --to: plain forms (no CONCURRENTLY, NOT VALID + VALIDATE, USING INDEX)");
  cmd->add_flag("--no-audit", args->no_audit, "Do not write the audit trail (the report says so)");
  cmd->add_option("--on-failure", args->on_failure,
                  "stop (default), or rollback: after a failed step or data check, plan back to "
                  "the source and run it")
      ->check(CLI::IsMember({"stop", "rollback"}));
  cmd->add_flag("--skip-unsupported", args->source_options.skip_unsupported,
                "Turn unsupported SQL statements into warnings instead of errors");
  cmd->add_flag("--load-via-scratch", args->source_options.load_via_scratch, kLoadViaScratchHelp);
  cmd->callback([args, &exit_code] {
    exit_code = run_command("apply", [&args] { return run_apply(*args); });
  });
}

}  // namespace pgdrift::cli
