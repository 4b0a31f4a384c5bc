// The plan as JSON (format in docs/planner.md).
#include <nlohmann/json.hpp>

#include "planner/plan.h"

namespace pgdrift::planner {

std::string render_plan_json(const Plan& plan) {
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
    steps.push_back(step);
  }
  nlohmann::json out = {
      {"format", "pgdrift-plan/1"},
      {"source_fingerprint", plan.source_fingerprint},
      {"target_fingerprint", plan.target_fingerprint},
      {"steps", steps},
  };
  return out.dump(2) + "\n";
}

}  // namespace pgdrift::planner
