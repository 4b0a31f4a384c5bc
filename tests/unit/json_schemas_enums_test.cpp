// The closed vocabularies of the published JSON Schemas (docs/schemas/*.schema.json) are the
// code's vocabularies: object kinds, hazards, drift kinds and severities, change kinds, lint
// rules, apply step statuses, reconcile rules. No python needed (the validation of real
// documents is tests/integration/json_schemas_validation_test.cpp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "engine/drift.h"
#include "engine/ignore_rules.h"
#include "engine/lint.h"
#include "engine/reconcile.h"
#include "planner/apply.h"
#include "planner/migration_lint.h"
#include "planner/plan.h"
#include "tests/support/fixtures.h"
#include "tests/support/json_checks.h"

namespace pgdrift {
namespace {

using nlohmann::json;
using testing::enum_of;
using testing::schema_path;

json read_json(const std::string& path) { return json::parse(testing::read_text_file(path)); }

// The closed vocabularies in the schemas are the code's vocabularies (no python needed).
TEST(JsonSchemas, EnumsMatchTheCode) {
  json drift = read_json(schema_path("drift-report.schema.json"));
  json plan = read_json(schema_path("plan.schema.json"));
  const auto& kinds = engine::drift_object_kinds();
  EXPECT_EQ(enum_of(drift["$defs"]["entry"]["properties"]["object_kind"]),
            std::set<std::string>(kinds.begin(), kinds.end()));
  std::set<std::string> hazards;
  for (auto h : planner::all_hazards()) hazards.insert(planner::hazard_code(h));
  EXPECT_EQ(enum_of(drift["$defs"]["hazard"]), hazards);
  EXPECT_EQ(enum_of(plan["$defs"]["hazard"]), hazards);
  EXPECT_EQ(enum_of(drift["$defs"]["entry"]["properties"]["drift"]),
            (std::set<std::string>{engine::drift_kind_name(engine::DriftKind::Missing),
                                   engine::drift_kind_name(engine::DriftKind::Unexpected),
                                   engine::drift_kind_name(engine::DriftKind::Differs)}));
  EXPECT_EQ(enum_of(drift["$defs"]["entry"]["properties"]["severity"]),
            (std::set<std::string>{engine::drift_severity_name(engine::DriftSeverity::Error),
                                   engine::drift_severity_name(engine::DriftSeverity::Warning)}));
  EXPECT_EQ(enum_of(plan["$defs"]["step"]["properties"]["change"]),
            (std::set<std::string>{engine::change_kind_name(engine::ChangeKind::Add),
                                   engine::change_kind_name(engine::ChangeKind::Drop),
                                   engine::change_kind_name(engine::ChangeKind::Alter)}));
}

TEST(JsonSchemas, LintApplyAndReconcileEnumsMatchTheCode) {
  json lint = read_json(schema_path("lint-report.schema.json"));
  json apply = read_json(schema_path("apply-report.schema.json"));
  json reconcile = read_json(schema_path("reconcile-report.schema.json"));
  json plan = read_json(schema_path("plan.schema.json"));

  // The model rules (engine) and the migration rules of lint --history (planner).
  std::set<std::string> rules, fixable, error_rules;
  for (const auto* list : {&engine::lint_rules(), &planner::migration_lint_rules()})
    for (const auto& r : *list) {
      rules.insert(r.name);
      if (r.fixable) fixable.insert(r.name);
      if (r.severity == engine::LintSeverity::Error) error_rules.insert(r.name);
    }
  EXPECT_EQ(enum_of(lint["$defs"]["rule"]), rules);
  const json& conditions = lint["$defs"]["finding"]["allOf"];
  EXPECT_EQ(enum_of(conditions[0]["if"]["properties"]["rule"]), error_rules);
  EXPECT_EQ(enum_of(conditions[1]["if"]["properties"]["rule"]), fixable);
  const std::set<std::string> severities = {
      engine::lint_severity_name(engine::LintSeverity::Error),
      engine::lint_severity_name(engine::LintSeverity::Warning)};
  EXPECT_EQ(enum_of(lint["$defs"]["finding"]["properties"]["severity"]), severities);

  std::set<std::string> statuses;
  for (auto s :
       {planner::StepStatus::Planned, planner::StepStatus::Applied, planner::StepStatus::Failed,
        planner::StepStatus::RolledBack, planner::StepStatus::Skipped})
    statuses.insert(planner::step_status_name(s));
  EXPECT_EQ(enum_of(apply["$defs"]["step"]["properties"]["status"]), statuses);
  std::set<std::string> hazards;
  for (auto h : planner::all_hazards()) hazards.insert(planner::hazard_code(h));
  EXPECT_EQ(enum_of(apply["$defs"]["hazard"]), hazards);
  EXPECT_EQ(enum_of(apply["$defs"]["step"]["properties"]["object"]["properties"]["kind"]),
            enum_of(plan["$defs"]["step"]["properties"]["object"]["properties"]["kind"]));
  EXPECT_EQ(enum_of(apply["$defs"]["step"]["properties"]["change"]),
            enum_of(plan["$defs"]["step"]["properties"]["change"]));
  EXPECT_EQ(apply["properties"]["lock_key"]["const"].get<int64_t>(), planner::apply_lock_key());

  EXPECT_EQ(enum_of(reconcile["$defs"]["finding"]["properties"]["rule"]),
            engine::consistency_rules());
  EXPECT_EQ(enum_of(reconcile["$defs"]["finding"]["properties"]["severity"]), severities);
  std::set<std::string> fixable_consistency;
  for (const auto& r : engine::consistency_rules())
    if (fixable.count(r)) fixable_consistency.insert(r);
  EXPECT_EQ(enum_of(reconcile["$defs"]["harmonised"]["properties"]["rule"]), fixable_consistency);
}

}  // namespace
}  // namespace pgdrift
