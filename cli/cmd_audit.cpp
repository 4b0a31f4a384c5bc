// `pgdrift audit --db URL [--last N] [--id ID] [--verify] [--format text|json|markdown]`: the
// audit trail `apply` writes into the database (planner/audit.h, docs/apply.md "Audit trail").
// Listing is exit 0; --verify recomputes the hash chain and exits 1 naming the first row that
// does not match; no audit log, or a connection failure, is exit 2.
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/sources.h"
#include "planner/apply.h"
#include "planner/audit.h"
#include "planner/backup.h"
#include "planner/plan.h"
#include "schema/live/introspect.h"

namespace pgdrift::cli {

namespace {

using nlohmann::json;

struct AuditArgs {
  std::string db;
  std::string schema = planner::kDefaultAuditSchema;
  int last = 20;
  int64_t id = 0;
  bool verify = false;
  bool prune_backups = false;
  double older_than_days = -1;
  std::string format = "text";
  CLI::Option* id_option = nullptr;
};

std::string text_of(const json& fields, const char* key, const std::string& fallback = "-") {
  auto it = fields.find(key);
  if (it == fields.end() || it->is_null()) return fallback;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

// "3 applied, 1 failed, 2 skipped" from the stored apply report.
std::string step_summary(const json& fields) {
  auto report = fields.find("report");
  if (report == fields.end() || !report->is_object() || !report->contains("steps")) return "-";
  std::map<std::string, int> counts;
  for (const auto& step : (*report)["steps"]) counts[step.value("status", "?")]++;
  if (counts.empty()) return "no steps";
  std::string out;
  for (const auto& [status, n] : counts)
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + status;
  return out;
}

std::string who(const json& f) {
  std::string out = text_of(f, "db_current_user");
  if (text_of(f, "db_session_user") != out)
    out += " (session " + text_of(f, "db_session_user") + ")";
  out += " from " + text_of(f, "client_addr", "local socket") + ", os " + text_of(f, "os_user") +
         "@" + text_of(f, "os_host");
  return out;
}

std::string source(const json& f) {
  std::string out = text_of(f, "desired_source");
  if (auto commit = text_of(f, "desired_git_commit", ""); !commit.empty())
    out += " @ git " + commit.substr(0, 12) +
           (f.value("desired_git_dirty", false) ? " (uncommitted changes)" : "");
  return out;
}

void print_text(const std::vector<planner::AuditRow>& rows, bool detail) {
  if (rows.empty()) std::cout << "the audit log is empty\n";
  for (const auto& row : rows) {
    const json& f = row.fields;
    std::cout << "#" << row.id << " seq " << row.seq << "  " << text_of(f, "started_at") << "  "
              << text_of(f, "command") << (f.value("dry_run", false) ? " (dry run)" : "") << "  "
              << row.status << "  exit " << text_of(f, "exit_code") << "\n"
              << "  by " << who(f) << "\n"
              << "  actor " << text_of(f, "actor") << ", ticket " << text_of(f, "ticket")
              << ", pgdrift " << text_of(f, "pgdrift_version") << "\n"
              << "  desired " << source(f) << " (--" << text_of(f, "mode") << ")\n"
              << "  steps: " << step_summary(f) << "; finished " << text_of(f, "finished_at")
              << "\n"
              << "  fingerprints: before " << text_of(f, "live_fingerprint_before") << ", after "
              << text_of(f, "live_fingerprint_after") << "\n";
    if (auto message = text_of(f, "message", ""); !message.empty())
      std::cout << "  message: " << message.substr(0, message.find('\n')) << "\n";
    if (detail && f.contains("report") && f["report"].is_object()) {
      for (const auto& step : f["report"].value("steps", json::array())) {
        std::cout << "  step " << step.value("id", 0) << "  " << step.value("change", "") << " "
                  << step["object"].value("kind", "") << " " << step["object"].value("name", "")
                  << "  " << step.value("status", "") << "\n";
        std::cout << "    " << step.value("statement", "") << "\n";
        if (step.contains("error") && step["error"].is_object())
          std::cout << "    error: SQLSTATE " << step["error"].value("sqlstate", "") << ": "
                    << step["error"].value("message", "") << "\n";
      }
    }
    std::cout << "  hash " << row.row_hash << " (previous " << row.prev_hash.substr(0, 12)
              << "...)\n";
  }
}

std::string cell(const std::string& text) { return planner::markdown_cell(text); }

void print_markdown(const std::vector<planner::AuditRow>& rows) {
  std::cout << "| id | seq | started (UTC) | command | result | exit | by | actor | ticket | "
               "desired | steps |\n"
               "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& row : rows) {
    const json& f = row.fields;
    std::cout << "| " << row.id << " | " << row.seq << " | " << cell(text_of(f, "started_at"))
              << " | " << cell(text_of(f, "command"))
              << (f.value("dry_run", false) ? " (dry run)" : "") << " | " << cell(row.status)
              << " | " << cell(text_of(f, "exit_code")) << " | " << cell(who(f)) << " | "
              << cell(text_of(f, "actor")) << " | " << cell(text_of(f, "ticket")) << " | "
              << cell(source(f)) << " | " << cell(step_summary(f)) << " |\n";
  }
}

json rows_json(const std::vector<planner::AuditRow>& rows) {
  json out = json::array();
  for (const auto& row : rows) out.push_back(row.fields);
  return out;
}

int run_audit(AuditArgs args) {
  args.db = database_or_environment(args.db, "audit");
  if (!schema::live::is_connection_string(args.db))
    throw SourceError("--db: expected a postgres:// URL or a libpq key=value connection string");
  const std::string database = schema::live::redact_connection_string(args.db);
  try {
    if (args.prune_backups) {
      if (args.older_than_days < 0)
        throw SourceError("--prune-backups needs --older-than DAYS (0 prunes every backup)");
      const auto dropped = planner::prune_backups(args.db, args.schema, args.older_than_days);
      if (args.format == "json") {
        std::cout << json{{"format", "pgdrift-audit/1"},
                          {"database", database},
                          {"pruned_backups", dropped}}
                         .dump(2)
                  << "\n";
      } else {
        std::cout << "pruned " << dropped.size() << " backup table"
                  << (dropped.size() == 1 ? "" : "s") << " of audit rows older than "
                  << args.older_than_days << " days\n";
        for (const auto& t : dropped) std::cout << "  dropped " << t << "\n";
      }
      return 0;
    }
    if (args.verify) {
      const planner::ChainCheck check = planner::verify_audit_chain(args.db, args.schema);
      if (args.format == "json") {
        std::cout << json{{"format", "pgdrift-audit/1"},
                          {"database", database},
                          {"verify",
                           {{"rows", check.rows},
                            {"intact", check.intact},
                            {"first_bad_id",
                             check.first_bad_id ? json(*check.first_bad_id) : json(nullptr)},
                            {"problem", check.problem}}}}
                         .dump(2)
                  << "\n";
      } else if (check.intact) {
        std::cout << "audit log of " << database << ": " << check.rows
                  << " rows, hash chain intact\n";
      } else {
        std::cout << "audit log of " << database << ": hash chain BROKEN at " << check.problem
                  << "\n";
      }
      return check.intact ? 0 : 1;
    }
    const auto rows = planner::read_audit_log(
        args.db, args.schema, args.last,
        args.id_option->count() ? std::optional<int64_t>(args.id) : std::nullopt);
    if (args.id_option->count() && rows.empty())
      throw SourceError("no audit row " + std::to_string(args.id));
    if (args.format == "json") {
      std::cout << json{{"format", "pgdrift-audit/1"},
                        {"database", database},
                        {"rows", rows_json(rows)}}
                       .dump(2)
                << "\n";
    } else if (args.format == "markdown") {
      print_markdown(rows);
    } else {
      print_text(rows, args.id_option->count() > 0);
    }
    return 0;
  } catch (const planner::AuditError& e) {
    throw SourceError(e.what());
  } catch (const schema::live::ConnectionError& e) {
    throw SourceError(e.what());
  } catch (const planner::ApplyLockBusy& e) {
    throw SourceError(e.what());
  }
}

}  // namespace

void add_audit_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<AuditArgs>();
  auto* cmd = app.add_subcommand("audit", "Show or verify the audit trail apply writes");
  cmd->add_option("--db", args->db,
                  "The database (postgres:// URL or key=value; default DATABASE_URL, else the "
                  "PG* environment)");
  cmd->add_option("--audit-schema", args->schema, "Schema of the audit log (default pgdrift)");
  cmd->add_option("--last", args->last, "Show the last N rows (default 20; 0: all)")
      ->check(CLI::NonNegativeNumber);
  args->id_option = cmd->add_option("--id", args->id, "Show one row, with its steps");
  cmd->add_flag("--verify", args->verify,
                "Recompute the hash chain; exit 1 naming the first row that does not match");
  cmd->add_flag("--prune-backups", args->prune_backups,
                "Drop the backup tables of apply rows older than --older-than DAYS");
  cmd->add_option("--older-than", args->older_than_days, "With --prune-backups: age in days")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--format", args->format, "Output format: text (default), json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  cmd->callback([args, &exit_code] {
    exit_code = run_command("audit", [&args] { return run_audit(*args); });
  });
}

}  // namespace pgdrift::cli
