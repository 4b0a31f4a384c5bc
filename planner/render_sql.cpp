// The plan as a psql-runnable script. Each step is preceded by a comment naming it and its
// hazards, and by the SET lock_timeout / statement_timeout it runs under. Statements run in
// autocommit (no wrapping transaction), so non-transactional steps (CONCURRENTLY, ALTER TYPE
// ... ADD VALUE) are never inside a transaction block.
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

std::string hazard_list(const std::vector<Hazard>& hazards) {
  if (hazards.empty()) return "none";
  std::string out;
  for (Hazard h : hazards) out += (out.empty() ? "" : ", ") + hazard_code(h);
  return out;
}

}  // namespace

std::string render_plan_sql(const Plan& plan) {
  std::ostringstream out;
  out << "-- pgdrift plan\n";
  out << "-- source: " << plan.source_fingerprint << "\n";
  out << "-- target: " << plan.target_fingerprint << "\n";
  if (plan.steps.empty()) {
    out << "-- no changes\n";
    return out.str();
  }
  out << "-- steps: " << plan.steps.size() << "\n\n";
  // Function bodies may refer to objects created later in the plan (as pg_dump does).
  out << "SET check_function_bodies = false;\n";
  int lock_timeout = -1, statement_timeout = -1;
  for (const auto& s : plan.steps) {
    out << "\n-- step " << s.id << ": " << engine::change_kind_name(s.change_kind) << " "
        << s.object_kind << " " << s.object_name << "\n";
    out << "-- hazards: " << hazard_list(s.hazards) << "\n";
    if (!s.lock.empty()) out << "-- lock: " << s.lock << "\n";
    if (!s.transactional) out << "-- runs outside a transaction block\n";
    if (!s.note.empty()) out << "-- note: " << s.note << "\n";
    if (s.preflight) out << "-- preflight (rows at risk, expect 0): " << *s.preflight << ";\n";
    if (s.lock_timeout_ms != lock_timeout) {
      out << "SET lock_timeout = '" << s.lock_timeout_ms << "ms';\n";
      lock_timeout = s.lock_timeout_ms;
    }
    if (s.statement_timeout_ms != statement_timeout) {
      out << "SET statement_timeout = '" << s.statement_timeout_ms << "ms';\n";
      statement_timeout = s.statement_timeout_ms;
    }
    out << trimmed(s.statement) << "\n";
  }
  return out.str();
}

}  // namespace pgdrift::planner
