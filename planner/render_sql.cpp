// The plan as a psql script (`psql -X -f plan.sql`; it is not plain SQL: its first command is
// the psql meta-command `\set ON_ERROR_STOP on`, so a failing statement ends psql with a
// non-zero exit instead of letting it run on). Each step is preceded by a comment naming it
// and its hazards, and by the SET lock_timeout / statement_timeout it runs under. Steps are
// grouped as step_groups() says: BEGIN ... COMMIT around each transaction, non-transactional
// steps (CONCURRENTLY, ALTER TYPE ... ADD VALUE) outside any transaction block. When psql
// stops at an error, the server rolls the open transaction back: the database is left as
// after the last COMMIT.
#include <sstream>

#include "planner/plan.h"

namespace pgdrift::planner {

namespace {

std::string trimmed(const std::string& s) {
  size_t end = s.find_last_not_of(" \t\r\n");
  std::string out = end == std::string::npos ? "" : s.substr(0, end + 1);
  if (!out.empty() && out.back() != ';') out += ';';
  return out;
}

// Text inside a `--` comment: a line break (a sample value is data) would end the comment and
// turn the rest into SQL.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

std::string hazard_list(const std::vector<Hazard>& hazards) {
  if (hazards.empty()) return "none";
  std::string out;
  for (Hazard h : hazards) out += (out.empty() ? "" : ", ") + hazard_code(h);
  return out;
}

// The timeouts in force, so a SET is written only when a step needs other values. SET (not
// SET LOCAL) inside a transaction outlives its COMMIT, which is what the next group expects.
struct Timeouts {
  int lock = -1;
  int statement = -1;
};

void render_step(std::ostringstream& out, const Step& s, Timeouts& in_force) {
  out << "\n-- step " << s.id << ": " << engine::change_kind_name(s.change_kind) << " "
      << s.object_kind << " " << s.object_name << "\n";
  out << "-- hazards: " << hazard_list(s.hazards) << "\n";
  if (!s.lock.empty()) out << "-- lock: " << s.lock << "\n";
  if (!s.transactional) out << "-- runs outside a transaction block\n";
  if (!s.note.empty()) out << "-- note: " << s.note << "\n";
  if (s.preflight) {
    if (!s.preflight->description.empty())
      out << "-- preflight: " << one_line(s.preflight->description) << "\n";
    out << "-- preflight count (rows at risk, expect 0): " << one_line(s.preflight->count_sql)
        << ";\n";
    if (!s.preflight->sample_sql.empty())
      out << "-- preflight samples: " << one_line(s.preflight->sample_sql) << ";\n";
  }
  if (s.rows_at_risk) {
    out << "-- rows at risk when planned: " << s.rows_at_risk->count;
    for (size_t i = 0; i < s.rows_at_risk->samples.size(); ++i)
      out << (i ? ", " : " (samples: ") << one_line(s.rows_at_risk->samples[i]);
    out << (s.rows_at_risk->samples.empty() ? "" : ")") << "\n";
  }
  if (s.accept_rows_at_risk)
    out << "-- accepted rows at risk (reviewed): " << *s.accept_rows_at_risk << "\n";
  if (s.lock_timeout_ms != in_force.lock) {
    out << "SET lock_timeout = '" << s.lock_timeout_ms << "ms';\n";
    in_force.lock = s.lock_timeout_ms;
  }
  if (s.statement_timeout_ms != in_force.statement) {
    out << "SET statement_timeout = '" << s.statement_timeout_ms << "ms';\n";
    in_force.statement = s.statement_timeout_ms;
  }
  out << trimmed(s.statement) << "\n";
}

// The way back, as comments only: running this script must never run it. Each step of the
// plan says how it is undone; the rollback's statements follow, each line commented out.
void render_rollback(std::ostringstream& out, const Plan& plan) {
  if (!plan.rollback && plan.rollback_refused.empty()) return;
  out << "\n-- rollback: the way back to the source (NOT run by this script; `pgdrift rollback`\n"
         "-- runs it for an apply). How each step is undone:\n";
  if (!plan.rollback) {
    out << "--   none can be planned: " << one_line(plan.rollback_refused) << "\n";
    return;
  }
  for (const auto& s : plan.steps)
    if (s.inverse)
      out << "--   step " << s.id << " (" << engine::change_kind_name(s.change_kind) << " "
          << s.object_kind << " " << s.object_name
          << "): " << one_line(describe_inverse(*s.inverse)) << "\n";
  for (const auto& group : step_groups(*plan.rollback)) {
    out << "--\n";
    if (group.in_transaction) out << "-- BEGIN;\n";
    for (size_t index : group.steps) {
      const Step& r = plan.rollback->steps[index];
      out << "-- rollback step " << r.id << ": " << engine::change_kind_name(r.change_kind) << " "
          << r.object_kind << " " << r.object_name << " (hazards: " << hazard_list(r.hazards)
          << ")\n";
      std::istringstream lines(trimmed(r.statement));
      for (std::string line; std::getline(lines, line);) out << "--   " << line << "\n";
    }
    if (group.in_transaction) out << "-- COMMIT;\n";
  }
}

}  // namespace

std::string render_plan_sql(const Plan& plan) {
  std::ostringstream out;
  out << "-- pgdrift plan: a psql script, run it with `psql -X -f plan.sql` (not plain SQL:\n";
  out << "-- it uses psql meta-commands; it stops at the first error, do not add -1: it has\n";
  out << "-- its own transactions)\n";
  out << "-- source: " << plan.source_fingerprint << "\n";
  out << "-- target: " << plan.target_fingerprint << "\n";
  if (plan.steps.empty()) {
    out << "-- no changes\n";
    return out.str();
  }
  out << "-- steps: " << plan.steps.size() << "\n\n";
  // Without it psql runs on after a failed statement (and exits 0): later steps would run
  // against a database the failed step did not change, outside the failed transaction.
  out << "\\set ON_ERROR_STOP on\n";
  // Function bodies may refer to objects created later in the plan (as pg_dump does).
  out << "SET check_function_bodies = false;\n";
  Timeouts in_force;
  for (const auto& group : step_groups(plan)) {
    if (group.in_transaction) out << "\nBEGIN;\n";
    for (size_t index : group.steps) render_step(out, plan.steps[index], in_force);
    if (group.in_transaction) out << "COMMIT;\n";
    if (!group.safe_point_after)
      out << "-- NOT a safe point: objects dropped above are re-created below\n";
  }
  render_rollback(out, plan);
  return out.str();
}

}  // namespace pgdrift::planner
