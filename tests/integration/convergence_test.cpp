// Convergence: for each case of tests/convergence/<kind>.sql (format: tests/support/
// convergence_cases.h), in both directions, the plan applied to a database holding the source
// schema must make it equal to a database holding the target schema (compared by introspecting
// both and diffing the models). Every case and direction runs with two targets: the model
// introspected from a database built from the target SQL, and the model the SQL loader reads
// from that text (then the database after the plan must introspect equal to the loaded model:
// loader and introspector must agree). The forward plan must have the case's hazards and
// statements; its check_after query must return 0 on the migrated database.
//
// Property (issue 15 item 1): drift and plan agree. compute_drift(desired = target, live =
// source) reports nothing exactly when make_plan(source, target) has no steps, before the plan
// runs; after it (migrated database vs target) both must be empty.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>

#include "engine/diff.h"
#include "engine/drift.h"
#include "planner/plan.h"
#include "schema/live/introspect.h"
#include "tests/support/convergence_cases.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

using planner::Hazard;

enum class Direction { Forward, Backward };
enum class Target { Introspected, Loaded };

struct ConvergenceRun {
  ConvergenceCase c;
  Direction direction = Direction::Forward;
};

void PrintTo(const ConvergenceRun& run, std::ostream* os) {
  PrintTo(run.c, os);
  *os << (run.direction == Direction::Forward ? " forward" : " backward");
}

const ConvergenceCases& all_cases() {
  static const ConvergenceCases cases = load_convergence_cases();
  return cases;
}

std::vector<ConvergenceRun> runs() {
  std::vector<ConvergenceRun> out;
  for (const auto& c : all_cases().cases)
    for (Direction d : {Direction::Forward, Direction::Backward}) out.push_back({c, d});
  return out;
}

// Property bookkeeping, printed once at the end of the binary.
std::atomic<int> property_checks{0}, property_disagreements{0};

class PropertySummary : public ::testing::Environment {
 public:
  void TearDown() override {
    if (property_checks == 0) return;
    std::printf("[ property ] drift empty <=> plan empty: %d checks, %d disagreements\n",
                property_checks.load(), property_disagreements.load());
  }
};
[[maybe_unused]] const auto* registered_summary =
    ::testing::AddGlobalTestEnvironment(new PropertySummary);

std::string drift_text(const engine::DatabaseDrift& drift) {
  std::string out;
  for (const auto& e : drift.entries) out += "    drift: " + engine::describe_entry(e) + "\n";
  return out;
}

std::string steps_text(const planner::Plan& plan) {
  std::string out;
  for (const auto& s : plan.steps) out += "    step: " + s.statement + "\n";
  return out;
}

// The property for one pair of models. `must_be_empty`: after the plan, agreeing on "changes"
// is not enough. Returns "" when it holds, else what drift and the plan said.
std::string drift_plan_disagreement(const schema::Model& live, const schema::Model& target,
                                    const planner::PlanOptions& options, bool must_be_empty) {
  engine::DatabaseDrift drift = engine::compute_drift(target, live, options.diff);
  planner::Plan plan = planner::make_plan(live, target, options);
  const bool no_drift = drift.entries.empty(), no_steps = plan.steps.empty();
  if (no_drift == no_steps && (!must_be_empty || no_drift)) return "";
  return "drift " + std::to_string(drift.entries.size()) + " entries, plan " +
         std::to_string(plan.steps.size()) + " steps\n" + drift_text(drift) + steps_text(plan);
}

// Counts a property check: drift is a view of the diff the plan is made from, so they agree.
void expect_property(const std::string& key, const std::string& disagreement) {
  ++property_checks;
  if (!disagreement.empty()) ++property_disagreements;
  EXPECT_TRUE(disagreement.empty()) << "drift and plan disagree (" << key << "): " << disagreement;
}

std::string key_of(const ConvergenceRun& run, Target target, const char* phase) {
  return run.c.name + (run.direction == Direction::Forward ? "/forward" : "/backward") +
         (target == Target::Introspected ? "/introspected/" : "/loaded/") + phase;
}

bool has_hazard(const planner::Plan& plan, Hazard h) {
  for (const auto& s : plan.steps)
    if (std::find(s.hazards.begin(), s.hazards.end(), h) != s.hazards.end()) return true;
  return false;
}

bool has_statement(const planner::Plan& plan, const std::string& text) {
  for (const auto& s : plan.steps)
    if (s.statement.find(text) != std::string::npos) return true;
  return false;
}

// Plans source -> target for the run, applies it, and returns what is wrong (empty = converged
// with every expectation met). `script` receives the plan script for messages.
std::vector<std::string> remaining_differences(const ConvergenceRun& run, Target target,
                                               std::string& script) {
  const bool forward = run.direction == Direction::Forward;
  const ConvergenceCase& c = run.c;
  const std::string& from_sql = forward ? c.from : c.to;
  const std::string& to_sql = forward ? c.to : c.from;

  auto a = create_fresh_database(from_sql);
  schema::Model from = schema::live::introspect(a.conninfo).model;
  schema::Model to = target == Target::Introspected
                         ? schema::live::introspect(create_fresh_database(to_sql).conninfo).model
                         : load_sql_text(to_sql, "to.sql");
  planner::PlanOptions options;
  options.diff.compare_privileges = c.privileges;
  options.online = !c.offline;
  planner::Plan plan = planner::make_plan(from, to, options);
  script = planner::render_plan_sql(plan);

  std::vector<std::string> problems;
  if (forward) {
    for (Hazard h : c.forward_hazards)
      if (!has_hazard(plan, h))
        problems.push_back("expected hazard missing: " + planner::hazard_code(h));
    for (const auto& text : c.forward_statements)
      if (!has_statement(plan, text)) problems.push_back("expected statement missing: " + text);
  }
  expect_property(key_of(run, target, "before"), drift_plan_disagreement(from, to, options, false));

  TempDir tmp("pgdrift-convergence");
  try {
    test_cluster().psql_file(a.name, tmp.write("plan.sql", script));
  } catch (const std::exception& e) {
    problems.push_back(std::string("plan failed: ") + e.what());
    return problems;
  }
  if (forward && !c.check_after.empty()) {
    std::string value = query_value(a.conninfo, c.check_after);
    if (value != "0")
      problems.push_back("check after the plan returned " + value + ": " + c.check_after);
  }
  schema::Model after = schema::live::introspect(a.conninfo).model;
  for (const auto& line : engine::describe_changes(engine::diff_models(after, to, options.diff)))
    problems.push_back("still differs: " + line);
  expect_property(key_of(run, target, "after"), drift_plan_disagreement(after, to, options, true));
  return problems;
}

void expect_convergence(const ConvergenceRun& run, Target target) {
  std::string script;
  auto problems = remaining_differences(run, target, script);
  EXPECT_TRUE(problems.empty()) << (run.direction == Direction::Forward ? "from -> to"
                                                                        : "to -> from")
                                << " (" << run.c.file << ":" << run.c.line << "):\n"
                                << ::testing::PrintToString(problems) << "\n"
                                << script;
}

class Convergence : public ::testing::TestWithParam<ConvergenceRun> {};

TEST_P(Convergence, ToIntrospectedDatabase) {
  if (GetParam().c.annotated && GetParam().direction == Direction::Forward)
    GTEST_SKIP() << "the target's annotations are SQL comments, which PostgreSQL does not keep";
  expect_convergence(GetParam(), Target::Introspected);
}

// The target taken from the SQL text (as `pgdrift plan --to schema.sql` does).
TEST_P(Convergence, ToLoadedSql) { expect_convergence(GetParam(), Target::Loaded); }

INSTANTIATE_TEST_SUITE_P(Cases, Convergence, ::testing::ValuesIn(runs()), [](const auto& info) {
  return info.param.c.name +
         (info.param.direction == Direction::Forward ? "_forward" : "_backward");
});

// The case files read cleanly (tests/unit/convergence_cases_test.cpp checks them too; here a
// broken file would otherwise only lose cases).
TEST(ConvergenceCaseFiles, ReadWithoutErrors) {
  EXPECT_TRUE(all_cases().errors.empty()) << ::testing::PrintToString(all_cases().errors);
  EXPECT_FALSE(all_cases().cases.empty());
}

}  // namespace
}  // namespace pgdrift::testing
