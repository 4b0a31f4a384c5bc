// `pgdrift reconcile --history NAME=PATH --history NAME=PATH [--db URL] [--prefer NAME]
// [--resolutions FILE] [--prefer-safer] [--out DIR] [--format text|json|markdown]`:
// reconcile replayed migration histories into one target schema (docs/reconcile.md).
// Exit codes: 0 every conflict resolved, 1 unresolved conflicts (reported; nothing written),
// 2 usage / input / connection error.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "cli/sources.h"
#include "engine/diff.h"
#include "engine/reconcile.h"
#include "engine/reconcile_live.h"
#include "planner/plan.h"
#include "planner/validate.h"
#include "schema/history/history.h"
#include "schema/live/introspect.h"
#include "schema/live/version_tables.h"
#include "schema/sql/loader.h"

namespace pgdrift::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct ReconcileArgs {
  std::vector<std::string> histories;
  std::string db;
  std::string prefer;
  std::string resolutions;
  bool prefer_safer = false;
  std::string out;
  std::string format = "text";
  std::string output;
  bool load_via_scratch = false;
  bool skip_unsupported = false;
};

struct LoadedHistory {
  std::string name;
  schema::history::History history;
  schema::history::ReplayResult replayed;
};

// "NAME=PATH", or a bare PATH named after its last directory.
std::pair<std::string, std::string> split_history(const std::string& text) {
  auto eq = text.find('=');
  if (eq != std::string::npos && eq > 0 && text.substr(0, eq).find('/') == std::string::npos)
    return {text.substr(0, eq), text.substr(eq + 1)};
  fs::path p(text);
  std::string name = p.filename().string();
  if (name.empty()) name = p.parent_path().filename().string();
  return {name, text};
}

// Version table values against migration ids: equal, or equal as version numbers
// ("0004" = "4", "1.1" = "1_1") for the SQL-file tools.
bool same_version(const std::string& a, const std::string& b) {
  if (a == b) return true;
  auto numbers = [](const std::string& s, std::vector<long long>& out) {
    std::string part;
    for (char c : s + ".") {
      if (c == '.' || c == '_') {
        if (part.empty()) return false;
        out.push_back(std::stoll(part));
        part.clear();
      } else if (c >= '0' && c <= '9') {
        if (part.size() > 15) return false;
        part += c;
      } else {
        return false;
      }
    }
    return !out.empty();
  };
  std::vector<long long> x, y;
  return numbers(a, x) && numbers(b, y) && x == y;
}

bool history_has(const LoadedHistory& h, const std::string& version) {
  for (const auto& m : h.history.ordered)
    if (same_version(m.id, version)) return true;
  return false;
}

// What the live database says about each history.
struct LiveHistory {
  std::string name;
  std::vector<std::string> claimed;  // versions its version table records
  std::string table;                 // that table, empty = none found
  engine::BestMatch best;
  // The claimed version is among the migrations the schema matches equally well (tied).
  bool claim_consistent = false;
};

struct LiveSection {
  std::string database;
  std::vector<schema::live::VersionTable> tables;
  std::vector<std::string> table_claimed_by;  // per table: history name, "" none, "?" ambiguous
  std::vector<LiveHistory> histories;
  size_t drift_objects = 0;
  std::vector<std::string> drift;  // describe_changes(live -> target)
  size_t plan_steps = 0;
  std::vector<std::string> plan_files;
  std::string plan_note;  // why there is no plan
};

struct Report {
  std::vector<LoadedHistory>* histories = nullptr;
  engine::ReconcileResult result;
  std::vector<std::string> written;  // files written
  std::string out_note;
  std::optional<LiveSection> live;
};

LiveSection compare_live(const std::string& db, std::vector<LoadedHistory>& histories,
                         const schema::Model& target, bool target_complete,
                         const std::string& out_dir, std::vector<std::string>& written) {
  LiveSection live;
  live.database = schema::live::redact_connection_string(db);
  live.tables = schema::live::read_version_tables(db);
  schema::Model model = load_source(db, {});
  // Version tables are the tools' bookkeeping, not part of any history's schema.
  for (const auto& t : live.tables) model.tables.erase(t.table);

  for (const auto& t : live.tables) {
    std::vector<std::string> owners;
    for (const auto& h : histories) {
      bool all = !t.versions.empty();
      for (const auto& v : t.versions) all = all && history_has(h, v);
      if (all) owners.push_back(h.name);
    }
    if (owners.size() > 1) {  // the same ids in two chains: the table's name decides
      std::vector<std::string> named;
      for (const auto& o : owners)
        if (t.name.find(o) != std::string::npos) named.push_back(o);
      if (named.size() == 1) owners = named;
    }
    live.table_claimed_by.push_back(owners.size() == 1 ? owners[0] : owners.empty() ? "" : "?");
  }
  for (auto& h : histories) {
    // The other histories' objects explain live objects this one may also create.
    std::vector<schema::Model> others;
    for (const auto& o : histories)
      if (&o != &h) others.push_back(o.replayed.model);
    LiveHistory lh;
    lh.name = h.name;
    for (size_t i = 0; i < live.tables.size(); ++i)
      if (live.table_claimed_by[i] == h.name) {
        lh.table = live.tables[i].table;
        lh.claimed = live.tables[i].versions;
      }
    std::vector<std::string> ids;
    for (const auto& m : h.history.ordered) ids.push_back(m.id);
    lh.best = engine::best_matching_migration(ids, h.replayed.per_migration, model, others);
    if (!lh.claimed.empty())
      for (const auto& t : lh.best.tied)
        lh.claim_consistent = lh.claim_consistent || same_version(lh.claimed.back(), t);
    live.histories.push_back(std::move(lh));
  }
  engine::Changes drift = engine::diff_models(model, target);
  live.drift = engine::describe_changes(drift);
  live.drift_objects = engine::object_distance(model, target);
  if (!target_complete) {
    live.plan_note = "no plan: the target has unresolved conflicts";
  } else {
    // A plan of an earlier run must not stay behind when this one cannot be written.
    if (!out_dir.empty())
      for (const char* file : {"plan.sql", "plan.md"}) fs::remove(fs::path(out_dir) / file);
    planner::Plan plan;
    try {
      plan = planner::make_plan(model, target);
    } catch (const planner::PlanRefused& e) {
      throw SourceError(std::string("no plan from the live database to the target: ") + e.what());
    }
    live.plan_steps = plan.steps.size();
    if (out_dir.empty()) {
      live.plan_note = "plan not written: give --out DIR";
    } else {
      // Validated like `pgdrift plan` validates: a plan that fails on a scratch copy of the
      // live schema is not written (exit 2).
      planner::ValidationResult v = planner::validate_before_writing(model, target, plan);
      if (v.failed())
        throw SourceError("validation failed, plan not written to " + out_dir + ": " +
                          v.describe());
      if (v.skipped) {
        std::cerr << "pgdrift reconcile: warning: plan not validated: " << v.skipped_reason << "\n";
        live.plan_note = "written without validation: " + v.skipped_reason;
      }
      for (const auto& [file, text] : std::vector<std::pair<std::string, std::string>>{
               {"plan.sql", planner::render_plan_sql(plan)},
               {"plan.md", planner::render_plan_markdown(plan)}}) {
        fs::path p = fs::path(out_dir) / file;
        std::ofstream f(p, std::ios::binary);
        f << text;
        f.close();
        if (!f) throw SourceError(p.string() + ": cannot write");
        live.plan_files.push_back(p.string());
        written.push_back(p.string());
      }
    }
  }
  return live;
}

// ---- report renderers ---------------------------------------------------------------------

json report_json(const Report& r) {
  json j;
  j["format"] = "pgdrift-reconcile/1";  // docs/schemas/reconcile-report.schema.json
  j["histories"] = json::array();
  for (const auto& h : *r.histories) {
    json problems = json::array();
    for (const auto& p : h.replayed.problems) problems.push_back(schema::history::problem_text(p));
    j["histories"].push_back({{"name", h.name},
                              {"kind", h.history.kind},
                              {"path", h.history.path},
                              {"migrations", h.history.ordered.size()},
                              {"heads", h.history.heads},
                              {"problems", problems}});
  }
  j["conflicts"] = json::array();
  for (const auto& c : r.result.conflicts) {
    json sides = json::array();
    for (const auto& s : c.sides) {
      json aspects = json::array();
      for (const auto& a : s.aspects)
        aspects.push_back({{"aspect", a.aspect},
                           {"migration", a.migration},
                           {"file", a.where.file},
                           {"line", a.where.line}});
      sides.push_back({{"history", s.history},
                       {"migration", s.origin.migration},
                       {"migration_file", s.origin.migration_file},
                       {"file", s.origin.location.file},
                       {"line", s.origin.location.line},
                       {"aspects", aspects},
                       {"origin", engine::describe_origin(s.origin)},
                       {"ddl", s.ddl}});
    }
    j["conflicts"].push_back({{"key", c.key},
                              {"kind", c.object_kind},
                              {"aspects", c.aspects},
                              {"resolved", c.resolved},
                              {"taken", c.taken},
                              {"resolution", c.resolution},
                              {"sides", sides}});
  }
  j["unresolved"] = r.result.unresolved();
  j["exit_code"] = r.result.complete() ? 0 : 1;
  j["notes"] = r.result.notes;
  j["harmonised"] = json::array();
  for (const auto& h : r.result.harmonised)
    j["harmonised"].push_back(
        {{"rule", h.rule}, {"object", h.object}, {"change", h.change}, {"reason", h.reason}});
  j["findings"] = json::array();
  for (const auto& f : r.result.findings) j["findings"].push_back(engine::lint_finding_json(f));
  j["written"] = r.written;
  if (!r.out_note.empty()) j["out_note"] = r.out_note;
  if (r.live) {
    const auto& l = *r.live;
    json live;
    live["database"] = l.database;
    live["version_tables"] = json::array();
    for (size_t i = 0; i < l.tables.size(); ++i)
      live["version_tables"].push_back({{"table", l.tables[i].table},
                                        {"kind", l.tables[i].kind},
                                        {"versions", l.tables[i].versions},
                                        {"dirty", l.tables[i].dirty},
                                        {"failed", l.tables[i].failed},
                                        {"claimed_by", l.table_claimed_by[i]}});
    live["histories"] = json::array();
    for (const auto& h : l.histories) {
      json distances = json::array();
      for (const auto& d : h.best.distances)
        distances.push_back({{"migration", d.id}, {"distance", d.distance}});
      live["histories"].push_back({{"name", h.name},
                                   {"version_table", h.table},
                                   {"claimed", h.claimed},
                                   {"best_match", h.best.id},
                                   {"best_match_distance", h.best.distance},
                                   {"tied", h.best.tied},
                                   {"matches", h.best.tie_text()},
                                   {"claim_consistent", h.claim_consistent},
                                   {"distances", distances}});
    }
    live["drift_from_target"] = {{"objects", l.drift_objects}, {"changes", l.drift}};
    live["plan"] = {{"steps", l.plan_steps}, {"files", l.plan_files}, {"note", l.plan_note}};
    j["live"] = live;
  }
  return j;
}

std::string indent(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) out += prefix + line + "\n";
  return out;
}

std::string report_text(const Report& r, bool markdown) {
  std::ostringstream o;
  auto heading = [&](const std::string& title) {
    o << (markdown ? "\n## " + title + "\n\n" : "\n" + title + "\n");
  };
  o << (markdown ? "# pgdrift reconcile\n" : "pgdrift reconcile\n");
  heading("Histories");
  for (const auto& h : *r.histories) {
    std::string head = h.history.heads.empty() ? "-" : h.history.heads.back();
    o << (markdown ? "- " : "  ") << h.name << ": " << h.history.kind << " " << h.history.path
      << ", " << h.history.ordered.size() << " migrations, head " << head;
    if (!h.replayed.problems.empty()) o << ", " << h.replayed.problems.size() << " problems";
    o << "\n";
    for (const auto& p : h.replayed.problems)
      o << "    problem: " << schema::history::problem_text(p) << "\n";
  }
  size_t unresolved = r.result.unresolved();
  heading("Conflicts (" + std::to_string(r.result.conflicts.size()) + ", " +
          std::to_string(unresolved) + " unresolved)");
  for (const auto& c : r.result.conflicts) {
    std::string state =
        c.resolved ? "resolved: take " + c.taken + " (" + c.resolution + ")"
                   : "UNRESOLVED" + (c.resolution.empty() ? std::string() : ": " + c.resolution);
    std::string aspects;
    for (const auto& a : c.aspects) aspects += (aspects.empty() ? "" : ", ") + a;
    if (markdown) {
      o << "### " << c.object_kind << " `" << c.key << "`"
        << (aspects.empty() ? "" : " (" + aspects + ")") << "\n\n"
        << (c.resolved ? "" : "**") << state << (c.resolved ? "" : "**") << "\n\n";
      for (const auto& s : c.sides) {
        o << "- " << engine::describe_origin(s.origin) << "\n";
        for (const auto& a : s.aspects) o << "  - " << engine::describe_aspect_origin(a) << "\n";
        o << "\n```sql\n" << s.ddl << "\n```\n\n";
      }
    } else {
      o << "  " << c.object_kind << " " << c.key << (aspects.empty() ? "" : " [" + aspects + "]")
        << "\n    " << state << "\n";
      for (const auto& s : c.sides) {
        o << "    " << engine::describe_origin(s.origin) << ":\n";
        for (const auto& a : s.aspects) o << "      " << engine::describe_aspect_origin(a) << "\n";
        o << indent(s.ddl, "      ");
      }
    }
  }
  if (!r.result.harmonised.empty()) {
    heading("Harmonised by --prefer-safer (" + std::to_string(r.result.harmonised.size()) + ")");
    for (const auto& h : r.result.harmonised)
      o << (markdown ? "- " + h.rule + " `" + h.object + "`: "
                     : "  " + h.rule + " " + h.object + ": ")
        << h.change << "\n"
        << (markdown ? "  " : "    ") << "why: " << h.reason << "\n";
  }
  if (!r.result.findings.empty()) {
    heading("Consistency findings (" + std::to_string(r.result.findings.size()) + ", not applied" +
            (r.result.harmonised.empty() ? "; --prefer-safer fixes the fixable ones" : "") + ")");
    for (const auto& f : r.result.findings)
      o << (markdown ? "- " : "  ") << engine::lint_severity_name(f.severity) << " " << f.rule
        << " " << (markdown ? "`" + f.object + "`" : f.object) << ": " << f.message << "\n";
  }
  if (!r.result.notes.empty()) {
    heading("Notes");
    for (const auto& n : r.result.notes) o << (markdown ? "- " : "  ") << n << "\n";
  }
  if (unresolved > 0) {
    // Ready to paste into a resolutions file, one line per undecided conflict.
    heading("Unresolved (resolutions file template)");
    if (markdown) o << "```\n";
    for (const auto& c : r.result.conflicts) {
      if (c.resolved) continue;
      std::string names;
      for (const auto& s : c.sides)
        if (!s.history.empty()) names += (names.empty() ? "" : "|") + s.history;
      o << (markdown ? "" : "  ") << c.key << " = take " << (names.empty() ? "?" : names) << "\n";
    }
    if (markdown) o << "```\n";
  }
  heading("Target");
  if (!r.out_note.empty()) o << (markdown ? "" : "  ") << r.out_note << "\n";
  for (const auto& f : r.written) o << (markdown ? "- " : "  wrote ") << f << "\n";
  if (r.live) {
    const auto& l = *r.live;
    heading("Live database " + l.database);
    for (size_t i = 0; i < l.tables.size(); ++i) {
      const auto& t = l.tables[i];
      std::string versions;
      for (const auto& v : t.versions) versions += (versions.empty() ? "" : ", ") + v;
      o << (markdown ? "- " : "  ") << "version table " << t.table << " (" << t.kind
        << "): " << (versions.empty() ? "(empty)" : versions) << (t.dirty ? " DIRTY" : "") << " -> "
        << (l.table_claimed_by[i].empty()  ? "no history"
            : l.table_claimed_by[i] == "?" ? "ambiguous (ids in several histories)"
                                           : l.table_claimed_by[i])
        << "\n";
    }
    for (const auto& h : l.histories) {
      std::string claimed;
      for (const auto& v : h.claimed) claimed += (claimed.empty() ? "" : ", ") + v;
      o << (markdown ? "- " : "  ") << h.name << ": claims "
        << (claimed.empty() ? "nothing (no version table)" : claimed + " (" + h.table + ")")
        << "; schema matches best: " << (h.best.id.empty() ? "-" : h.best.tie_text())
        << (h.best.tied.size() > 1 ? " equally" : "") << " (" << h.best.distance
        << " objects differ)\n";
      std::string note_prefix = markdown ? "  - " : "    ";
      if (h.best.tied.size() > 1)
        o << note_prefix
          << "the schema cannot tell these migrations apart: what the later ones make is "
             "there already, as another history made it\n";
      if (!claimed.empty() && !h.best.id.empty()) {
        if (h.claim_consistent)
          o << note_prefix << "the schema is consistent with the version table's "
            << h.claimed.back() << "\n";
        else
          o << note_prefix << "note: the version table (" << h.claimed.back()
            << ") and the schema (" << h.best.tie_text()
            << ") disagree: migrations may have been stamped without running, or the schema "
               "was changed by hand\n";
      }
    }
    o << (markdown ? "- " : "  ") << "drift from the reconciled target: " << l.drift_objects
      << " objects (" << l.drift.size() << " changes)\n";
    for (const auto& d : l.drift) o << (markdown ? "  - " : "    ") << d << "\n";
    o << (markdown ? "- " : "  ") << "plan: " << l.plan_steps << " steps";
    for (const auto& f : l.plan_files) o << ", " << f;
    if (!l.plan_note.empty()) o << " (" << l.plan_note << ")";
    o << "\n";
  }
  return o.str();
}

// `sql:` resolutions are DDL: the SQL loader (a source) turns each into the model it defines,
// loaded into engine::definition_context, so that the engine sees models only.
void load_sql_resolutions(const std::vector<engine::NamedHistory>& histories,
                          std::vector<engine::Resolution>& resolutions) {
  for (auto& r : resolutions) {
    if (r.sql.empty()) continue;
    auto context = engine::definition_context(histories, r.key);
    if (!context) continue;  // no such object: reconcile() reports the key as not a conflict
    std::vector<schema::sql::LoadWarning> warnings;
    try {
      schema::sql::apply_sql(*context, r.sql, r.where, {}, warnings);
    } catch (const schema::sql::LoadError& e) {
      throw engine::ReconcileError(r.where + ": SQL for " + r.key + " does not load: " + e.what());
    }
    r.definition = std::move(*context);
  }
}

int run_reconcile(const ReconcileArgs& args) {
  if (args.histories.size() < 2) throw SourceError("give at least two --history NAME=PATH");
  if (args.format != "text" && args.format != "json" && args.format != "markdown")
    throw SourceError("--format must be text, json or markdown");
  std::vector<LoadedHistory> histories;
  std::vector<engine::NamedHistory> named;
  for (const auto& item : args.histories) {
    auto [name, path] = split_history(item);
    LoadedHistory h;
    h.name = name;
    try {
      h.history = schema::history::read_history(path);
    } catch (const std::exception& e) {
      throw SourceError(path + ": " + e.what());
    }
    schema::history::ReplayOptions ro;
    ro.keep_per_migration = !args.db.empty();
    ro.column_provenance = true;
    h.replayed = replay_history(h.history, ro, args.load_via_scratch);
    require_complete_history(h.replayed, args.skip_unsupported);
    engine::NamedHistory n{
        name, h.replayed.model, h.replayed.last_changed_by, {}, h.replayed.column_aspects};
    for (const auto& m : h.history.ordered) n.migration_files[m.id] = m.file;
    histories.push_back(std::move(h));
    named.push_back(std::move(n));
  }

  engine::ReconcileOptions options;
  options.prefer = args.prefer;
  options.prefer_safer = args.prefer_safer;
  try {
    if (!args.resolutions.empty())
      options.resolutions = engine::load_resolutions_file(args.resolutions);
    load_sql_resolutions(named, options.resolutions);
    Report report;
    report.histories = &histories;
    report.result = engine::reconcile(named, options);
    bool complete = report.result.complete();

    if (!args.out.empty()) {
      if (!complete) {
        report.out_note = "nothing written to " + args.out + ": unresolved conflicts";
      } else {
        fs::path schema_dir = fs::path(args.out) / "schema";
        fs::create_directories(schema_dir);
        // Stale files of an earlier run would be loaded with the new ones.
        for (const auto& entry : fs::directory_iterator(schema_dir))
          if (entry.path().extension() == ".sql") fs::remove(entry.path());
        for (const auto& [file, text] : engine::render_schema_directory(report.result)) {
          fs::path p = schema_dir / file;
          std::ofstream f(p, std::ios::binary);
          f << text;
          f.close();
          if (!f) throw SourceError(p.string() + ": cannot write");
          report.written.push_back(p.string());
        }
      }
    } else {
      report.out_note = complete ? "target not written: give --out DIR"
                                 : "target not written: unresolved conflicts";
    }
    if (!args.db.empty())
      report.live = compare_live(args.db, histories, report.result.target, complete, args.out,
                                 report.written);

    std::string text = args.format == "json" ? report_json(report).dump(2) + "\n"
                                             : report_text(report, args.format == "markdown");
    if (args.output.empty()) {
      std::cout << text << std::flush;
    } else {
      std::ofstream f(args.output, std::ios::binary);
      f << text;
      f.close();
      if (!f) throw SourceError(args.output + ": cannot write output file");
    }
    return complete ? 0 : 1;
  } catch (const engine::ReconcileError& e) {
    throw SourceError(e.what());
  }
}

}  // namespace

void add_reconcile_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReconcileArgs>();
  auto* cmd = app.add_subcommand("reconcile",
                                 "Reconcile replayed migration histories into one target schema");
  cmd->add_option("--history", args->histories,
                  "NAME=PATH of a migration history (Alembic, Flyway, golang-migrate, dbmate, "
                  "plain SQL); at least two")
      ->required();
  cmd->add_option("--db", args->db,
                  "Live database: version tables, best-matching migrations, "
                  "drift from the target and the plan to it");
  cmd->add_option("--prefer", args->prefer, "Remaining conflicts take this history");
  cmd->add_option("--resolutions", args->resolutions,
                  "Per-conflict decisions (JSON or `key = take NAME | sql: DDL | omit`)");
  cmd->add_flag("--prefer-safer", args->prefer_safer,
                "Apply the documented safer-choice rules (docs/reconcile.md)");
  cmd->add_option("--out", args->out,
                  "Write the target to DIR/schema/*.sql (and DIR/plan.sql, plan.md with --db)");
  cmd->add_option("--format", args->format, "Report format: text, json or markdown");
  cmd->add_option("--output,-o", args->output, "Write the report to this file");
  cmd->add_flag("--load-via-scratch", args->load_via_scratch, kLoadViaScratchHelp);
  cmd->add_flag("--skip-unsupported", args->skip_unsupported,
                "Replay a history without its migrations that do not parse (listed as problems) "
                "instead of stopping with exit 2");
  cmd->callback([args, &exit_code]() {
    exit_code = run_command("reconcile", [&]() { return run_reconcile(*args); });
  });
}

}  // namespace pgdrift::cli
