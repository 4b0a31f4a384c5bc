// Transaction boundaries of a plan (planner/plan.h, step_groups).
#include <algorithm>

#include "planner/plan.h"

namespace pgdrift::planner {

namespace {

bool is_validation(const Step& step) {
  return std::find(step.hazards.begin(), step.hazards.end(), Hazard::ValidationScan) !=
         step.hazards.end();
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
    } else if (is_validation(s)) {
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
