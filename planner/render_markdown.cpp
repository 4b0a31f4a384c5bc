// The plan as a Markdown report for auditors: summary counts, a step table with hazards and
// locks, the SQL, and a unified diff of each changed object's canonical DDL (dtl).
#include <algorithm>
#include <map>
#include <sstream>

#include "engine/text_diff.h"
#include "planner/lock_analysis.h"
#include "planner/plan.h"

namespace pgdrift::planner {

namespace {

// Plan cells are shortened: the full text is in the SQL section.
std::string cell(const std::string& text) { return markdown_cell(text, 120); }

}  // namespace

std::string markdown_cell(const std::string& text, size_t max_length) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c == '\n' || c == '\r' ? ' ' : c;
  }
  if (max_length > 3 && out.size() > max_length) out = out.substr(0, max_length - 3) + "...";
  return out;
}

std::string render_plan_markdown(const Plan& plan) {
  std::ostringstream out;
  out << "# pgdrift migration plan\n\n";
  out << "- source: `" << plan.source_fingerprint << "`\n";
  out << "- target: `" << plan.target_fingerprint << "`\n";
  out << "- steps: " << plan.steps.size() << "\n\n";
  if (plan.steps.empty()) {
    out << "No changes.\n";
    return out.str();
  }
  std::map<std::string, int> per_hazard;
  int non_transactional = 0;
  for (const auto& s : plan.steps) {
    for (Hazard h : s.hazards) ++per_hazard[hazard_code(h)];
    if (!s.transactional) ++non_transactional;
  }
  out << "## Summary\n\n| hazard | steps | meaning |\n|---|---|---|\n";
  for (const auto& [code, n] : per_hazard)
    out << "| `" << code << "` | " << n << " | " << hazard_description(*hazard_from_code(code))
        << " |\n";
  out << "\nSteps outside a transaction block: " << non_transactional << "\n\n";
  // Where the plan commits, and whether the database is complete there (docs/planner.md).
  out << "## Transactions\n\n"
      << (plan.atomic ? "Atomic: every step runs in one transaction.\n\n"
                      : "Every commit is a safe point unless marked otherwise.\n\n")
      << "| # | runs | steps | after it |\n|---|---|---|---|\n";
  const auto groups = step_groups(plan);
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& ids = groups[g].steps;
    std::string range = std::to_string(plan.steps[ids.front()].id);
    if (ids.size() > 1) range += "–" + std::to_string(plan.steps[ids.back()].id);
    out << "| " << g + 1 << " | "
        << (groups[g].in_transaction ? "in a transaction" : "alone, outside a transaction") << " | "
        << range << " | " << (groups[g].safe_point_after ? "safe point" : "**not a safe point**")
        << " |\n";
  }
  out << "\n";
  if (!plan.unsafe.empty()) {
    out << "**Not every commit is a safe point:**\n\n";
    for (const auto& u : plan.unsafe) out << "- " << cell(u) << "\n";
    out << "\n";
  }
  out << "## Steps\n\n| # | change | object | hazards | lock | rows at risk | statement |\n"
         "|---|---|---|---|---|---|---|\n";
  for (const auto& s : plan.steps) {
    std::string hazards;
    for (Hazard h : s.hazards) hazards += (hazards.empty() ? "" : ", ") + hazard_code(h);
    // Counted when the plan was made from a database; else whether the step has a preflight.
    std::string at_risk = s.rows_at_risk ? std::to_string(s.rows_at_risk->count)
                          : s.preflight  ? "not counted"
                                         : "";
    out << "| " << s.id << " | " << engine::change_kind_name(s.change_kind) << " " << s.object_kind
        << " | `" << cell(s.object_name) << "` | " << hazards << " | " << s.lock << " | " << at_risk
        << " | `" << cell(s.statement) << "` |\n";
  }
  bool any_preflight = false;
  for (const auto& s : plan.steps) any_preflight = any_preflight || s.preflight.has_value();
  if (any_preflight) {
    out << "\n## Preflights\n\n"
           "`pgdrift apply` runs these before the first change and refuses rows at risk.\n\n";
    for (const auto& s : plan.steps) {
      if (!s.preflight) continue;
      out << "- step " << s.id << ": " << cell(s.preflight->description);
      if (s.rows_at_risk) {
        out << " — **" << s.rows_at_risk->count << "** at risk";
        std::string samples;
        for (const auto& v : s.rows_at_risk->samples)
          samples += (samples.empty() ? "" : ", ") + std::string("`") + cell(v) + "`";
        if (!samples.empty()) out << " (samples: " << samples << ")";
      }
      if (s.accept_rows_at_risk) out << "; accepted up to " << *s.accept_rows_at_risk;
      out << "\n  `" << cell(s.preflight->count_sql) << "`\n";
    }
  }
  bool any_analysis = false;
  for (const auto& s : plan.steps) any_analysis = any_analysis || s.lock_analysis.has_value();
  if (any_analysis) {
    out << "\n## Locks\n\n"
           "What the steps that lock existing tables meet in the database: size, an estimate of "
           "their long part (rates of bench/lock_rates_bench.sh), and the sessions they would "
           "wait for.\n\n| # | lock | table | size | rows | work | estimate | blocked by |\n"
           "|---|---|---|---|---|---|---|---|\n";
    for (const auto& s : plan.steps) {
      if (!s.lock_analysis) continue;
      const LockAnalysis& a = *s.lock_analysis;
      std::string blockers;
      for (const auto& h : a.blockers) {
        const bool old = std::find(a.old_transactions.begin(), a.old_transactions.end(), h.pid) !=
                         a.old_transactions.end();
        blockers += (blockers.empty() ? "" : "; ") + std::string("pid ") + std::to_string(h.pid) +
                    " " + cell(h.application_name) + " (" + h.state + ", " +
                    std::to_string(h.transaction_age_s) + " s" + (old ? ", OLD" : "") + ") " +
                    (h.mode.empty() ? "old transaction" : h.mode) + " `" + cell(h.query) + "`";
      }
      out << "| " << s.id << " | " << s.lock << " | `" << cell(a.table) << "` | "
          << pretty_bytes(a.total_bytes) << " | " << (a.rows < 0 ? "?" : std::to_string(a.rows))
          << " | " << (a.operation.empty() ? "catalog only" : a.operation) << " | "
          << (a.operation.empty() ? "lock wait only" : pretty_duration(a.estimated_seconds))
          << " | " << (blockers.empty() ? "none" : blockers) << " |\n";
    }
  }
  if (plan.rollback || !plan.rollback_refused.empty()) {
    out << "\n## Rollback\n\n";
    if (!plan.rollback) {
      out << "No rollback can be planned: " << cell(plan.rollback_refused) << "\n";
    } else {
      out << "The way back is the plan from the target to the source ("
          << plan.rollback->steps.size()
          << " steps, in the SQL below as comments). How each step is undone:\n\n"
             "| # | change | object | undone | rollback steps | why |\n"
             "|---|---|---|---|---|---|\n";
      for (const auto& s : plan.steps) {
        if (!s.inverse) continue;
        std::string ids;
        for (int id : s.inverse->steps) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
        out << "| " << s.id << " | " << engine::change_kind_name(s.change_kind) << " "
            << s.object_kind << " | `" << cell(s.object_name) << "` | "
            << (s.inverse->exact ? "exact" : "**lossy**") << " | " << ids << " | "
            << cell(s.inverse->why) << " |\n";
      }
    }
  }
  out << "\n## SQL\n\n```sql\n" << render_plan_sql(plan) << "```\n";
  if (!plan.objects.empty()) {
    out << "\n## Changed objects\n";
    for (const auto& o : plan.objects) {
      out << "\n### " << o.object << "\n\n```diff\n"
          << engine::unified_diff(o.before, o.after) << "```\n";
    }
  }
  return out.str();
}

}  // namespace pgdrift::planner
