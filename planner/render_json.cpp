// The plan as JSON (format in docs/planner.md).
#include <nlohmann/json.hpp>

#include "planner/lock_analysis.h"
#include "planner/plan.h"

namespace pgdrift::planner {

namespace {

// A plan's fingerprints, groups and steps; the rollback (a plan too) is written the same way.
nlohmann::json plan_json(const Plan& plan) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : plan.steps) {
    nlohmann::json hazards = nlohmann::json::array();
    for (Hazard h : s.hazards) hazards.push_back(hazard_code(h));
    nlohmann::json step = {
        {"id", s.id},
        {"statement", s.statement},
        {"object", {{"kind", s.object_kind}, {"name", s.object_name}}},
        {"change", engine::change_kind_name(s.change_kind)},
        {"hazards", hazards},
        {"lock", s.lock},
        {"transactional", s.transactional},
        {"lock_timeout_ms", s.lock_timeout_ms},
        {"statement_timeout_ms", s.statement_timeout_ms},
        {"preflight", s.preflight ? nlohmann::json{{"count", s.preflight->count_sql},
                                                   {"samples", s.preflight->sample_sql},
                                                   {"description", s.preflight->description}}
                                  : nlohmann::json(nullptr)},
    };
    if (!s.note.empty()) step["note"] = s.note;
    if (s.rows_at_risk)
      step["rows_at_risk"] = {{"count", s.rows_at_risk->count},
                              {"samples", s.rows_at_risk->samples}};
    if (s.accept_rows_at_risk) step["accept_rows_at_risk"] = *s.accept_rows_at_risk;
    if (s.lock_analysis) step["lock_analysis"] = lock_analysis_to_json(*s.lock_analysis);
    if (s.inverse)
      step["rollback"] = {
          {"steps", s.inverse->steps}, {"exact", s.inverse->exact}, {"why", s.inverse->why}};
    steps.push_back(step);
  }
  // How the steps run: the script's BEGIN/COMMIT and apply follow these groups.
  nlohmann::json transactions = nlohmann::json::array();
  for (const auto& g : step_groups(plan)) {
    nlohmann::json ids = nlohmann::json::array();
    for (size_t index : g.steps) ids.push_back(plan.steps[index].id);
    transactions.push_back({{"in_transaction", g.in_transaction},
                            {"steps", ids},
                            {"safe_point_after", g.safe_point_after}});
  }
  return {
      {"source_fingerprint", plan.source_fingerprint},
      {"target_fingerprint", plan.target_fingerprint},
      {"atomic", plan.atomic},
      {"transactions", transactions},
      {"unsafe", plan.unsafe},
      {"steps", steps},
  };
}

}  // namespace

std::string render_plan_json(const Plan& plan) {
  nlohmann::json out = plan_json(plan);
  out["format"] = "pgdrift-plan/1";
  // The way back, when it was planned: from the target to the source.
  if (plan.rollback) out["rollback"] = plan_json(*plan.rollback);
  if (!plan.rollback_refused.empty()) out["rollback_refused"] = plan.rollback_refused;
  return out.dump(2) + "\n";
}

}  // namespace pgdrift::planner
