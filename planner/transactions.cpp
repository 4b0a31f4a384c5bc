// Transaction boundaries of a plan (planner/plan.h, step_groups).
#include <algorithm>

#include "planner/plan.h"

namespace pgdrift::planner {

namespace {

bool has_hazard(const Step& step, Hazard hazard) {
  return std::find(step.hazards.begin(), step.hazards.end(), hazard) != step.hazards.end();
}

// Validations and backfills run in a transaction of their own: the online forms exist so that
// the long scan or UPDATE does not hold the strong lock of the step before it (NOT VALID add,
// ADD COLUMN), and a lock is held until its transaction ends.
bool runs_apart(const Step& step) {
  return has_hazard(step, Hazard::ValidationScan) || has_hazard(step, Hazard::Backfill);
}

}  // namespace

std::vector<StepGroup> step_groups(const std::vector<Step>& steps) {
  std::vector<StepGroup> groups;
  bool open = false;  // the last group is a transaction later steps may join
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    if (!s.transactional) {
      groups.push_back({false, {i}});
      open = false;
    } else if (runs_apart(s)) {
      groups.push_back({true, {i}});
      open = false;
    } else if (open) {
      groups.back().steps.push_back(i);
    } else {
      groups.push_back({true, {i}});
      open = true;
    }
  }
  return groups;
}

}  // namespace pgdrift::planner
