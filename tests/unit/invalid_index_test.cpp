// INVALID indexes (issue 18 item 4): what a failed CREATE INDEX CONCURRENTLY leaves is not the
// index the target asks for. Index::valid through the JSON model and fingerprints, the diff (an
// INVALID source index is a rebuild; a target's INVALID index is wanted valid), drift's entry
// and note, the plan (drop, then build again: CONCURRENTLY online, each at a safe point; in a
// transaction offline), and the rollback's remark. A real INVALID index made by a failing build:
// tests/integration/invalid_index_apply_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/drift.h"
#include "planner/plan.h"
#include "schema/json.h"
#include "tests/support/fixtures.h"

namespace pgdrift::planner {
namespace {

const std::string kTable = "CREATE TABLE t (id int PRIMARY KEY, a int, b text);\n";

// `sql` loaded, with the index `name` of public.t made INVALID (as the introspector reads one).
schema::Model with_invalid(const std::string& sql, const std::string& name) {
  schema::Model m = testing::load_sql_text(sql);
  m.tables.at("public.t").indexes.at(name).valid = false;
  return m;
}

int find(const Plan& p, const std::string& text) {
  for (size_t i = 0; i < p.steps.size(); ++i)
    if (p.steps[i].statement.find(text) != std::string::npos) return static_cast<int>(i);
  return -1;
}

bool has(const Step& s, Hazard h) {
  return std::find(s.hazards.begin(), s.hazards.end(), h) != s.hazards.end();
}

int group_of(const Plan& p, int step) {
  const auto groups = step_groups(p);
  for (size_t g = 0; g < groups.size(); ++g)
    for (size_t i : groups[g].steps)
      if (static_cast<int>(i) == step) return static_cast<int>(g);
  return -1;
}

TEST(InvalidIndex, JsonWritesValidOnlyWhenFalseAndReadsItBack) {
  const std::string sql = kTable + "CREATE INDEX t_a ON t (a);";
  schema::Model valid = testing::load_sql_text(sql);
  EXPECT_EQ(schema::model_to_json(valid)["tables"]["public.t"]["indexes"]["t_a"].count("valid"),
            0u);
  schema::Model invalid = with_invalid(sql, "t_a");
  nlohmann::json j = schema::model_to_json(invalid);
  EXPECT_EQ(j["tables"]["public.t"]["indexes"]["t_a"]["valid"], false);
  EXPECT_TRUE(schema::model_from_json(j) == invalid);
  EXPECT_FALSE(schema::model_from_json(j) == valid);
  j["tables"]["public.t"]["indexes"]["t_a"]["valid"] = "no";
  EXPECT_THROW(schema::model_from_json(j), std::runtime_error);
}

TEST(InvalidIndex, FingerprintsSeeValidity) {
  const std::string sql = kTable + "CREATE UNIQUE INDEX t_b ON t (b);";
  EXPECT_NE(model_fingerprint(with_invalid(sql, "t_b")),
            model_fingerprint(testing::load_sql_text(sql)));
}

TEST(InvalidIndex, DiffRebuildsAnInvalidSourceIndexAndWantsATargetsValid) {
  const std::string sql = kTable + "CREATE UNIQUE INDEX t_b ON t (b);";
  const schema::Model valid = testing::load_sql_text(sql);
  const schema::Model invalid = with_invalid(sql, "t_b");

  engine::Changes c = engine::diff_models(invalid, valid);
  ASSERT_EQ(c.tables.size(), 1u);
  ASSERT_EQ(c.tables[0].indexes.size(), 1u);
  const engine::IndexChange& ic = c.tables[0].indexes[0];
  EXPECT_EQ(ic.kind, engine::ChangeKind::Alter);
  EXPECT_TRUE(ic.rebuilds_invalid());
  EXPECT_TRUE(ic.to->valid);
  EXPECT_EQ(engine::describe_changes(c),
            std::vector<std::string>{"alter index public.t.t_b: INVALID (a failed CREATE INDEX "
                                     "CONCURRENTLY left it), rebuilt"});

  // A target's INVALID index stands for the index it was meant to be: valid.
  EXPECT_TRUE(engine::diff_models(valid, invalid).empty());
  const engine::Changes both = engine::diff_models(invalid, invalid);
  ASSERT_EQ(both.tables.size(), 1u);
  EXPECT_TRUE(both.tables[0].indexes.at(0).rebuilds_invalid());
  // Added from an INVALID target: built valid.
  const engine::Changes added = engine::diff_models(testing::load_sql_text(kTable), invalid);
  ASSERT_EQ(added.tables.size(), 1u);
  EXPECT_TRUE(added.tables[0].indexes.at(0).to->valid);
  EXPECT_TRUE(engine::has_invalid_index(invalid));
  EXPECT_FALSE(engine::has_invalid_index(engine::wanted_form(invalid)));
  EXPECT_TRUE(engine::wanted_form(invalid) == valid);

  // The rebuilt index loses its comment: the diff gives it back.
  const std::string commented = sql + "COMMENT ON INDEX t_b IS 'emails';";
  const engine::Changes recommented =
      engine::diff_models(with_invalid(commented, "t_b"), testing::load_sql_text(commented));
  ASSERT_EQ(recommented.comments.size(), 1u);
  EXPECT_EQ(recommented.comments[0].object.name, "public.t_b");
  EXPECT_TRUE(engine::diff_models(testing::load_sql_text(commented), with_invalid(commented, "t_b"))
                  .empty());
}

TEST(InvalidIndex, DriftNamesTheIndexAsInvalid) {
  const std::string sql = kTable + "CREATE UNIQUE INDEX t_b ON t (b);";
  engine::DatabaseDrift db =
      engine::compute_drift(testing::load_sql_text(sql), with_invalid(sql, "t_b"));
  ASSERT_EQ(db.entries.size(), 1u);
  const engine::DriftEntry& e = db.entries[0];
  EXPECT_EQ(engine::describe_entry(e), "differs index public.t_b");
  EXPECT_EQ(e.severity, engine::DriftSeverity::Error);
  ASSERT_EQ(e.differences.size(), 1u);
  EXPECT_EQ(e.differences[0].path, "indexes.t_b.valid");
  EXPECT_EQ(e.differences[0].desired, true);
  EXPECT_EQ(e.differences[0].live, false);
  EXPECT_NE(e.differences[0].note.find("INVALID: a CREATE INDEX CONCURRENTLY failed"),
            std::string::npos)
      << e.differences[0].note;

  engine::DriftReport report;
  report.databases.push_back(db);
  EXPECT_EQ(report.exit_code(), 1);
  const std::string text = engine::render_drift_text(report);
  EXPECT_NE(text.find("indexes.t_b.valid: desired true, live false"), std::string::npos) << text;
  EXPECT_NE(text.find("INVALID: a CREATE INDEX CONCURRENTLY failed"), std::string::npos) << text;
  const nlohmann::json j = nlohmann::json::parse(engine::render_drift_json(report));
  EXPECT_NE(
      j["databases"][0]["entries"][0]["differences"][0]["note"].get<std::string>().find("INVALID"),
      std::string::npos)
      << j.dump(2);
  EXPECT_NE(engine::render_drift_github(report).find("INVALID: a CREATE INDEX"), std::string::npos);
  // An INVALID index the desired schema does not have is an unexpected index, no more.
  engine::DatabaseDrift extra =
      engine::compute_drift(testing::load_sql_text(kTable), with_invalid(sql, "t_b"));
  ASSERT_EQ(extra.entries.size(), 1u);
  EXPECT_EQ(engine::describe_entry(extra.entries[0]), "unexpected index public.t_b");
}

TEST(InvalidIndex, OnlineRebuildDropsConcurrentlyThenBuildsConcurrentlyEachAtASafePoint) {
  const std::string sql = kTable + "CREATE UNIQUE INDEX t_b ON t (b);";
  PlanOptions options;
  options.rollback = true;
  Plan p = make_plan(with_invalid(sql, "t_b"), testing::load_sql_text(sql), options);
  ASSERT_EQ(p.steps.size(), 2u) << render_plan_sql(p);
  const Step& drop = p.steps[0];
  const Step& build = p.steps[1];
  EXPECT_EQ(drop.statement, "DROP INDEX CONCURRENTLY IF EXISTS public.t_b;");
  EXPECT_EQ(build.statement, "CREATE UNIQUE INDEX CONCURRENTLY t_b ON public.t (b);");
  EXPECT_FALSE(drop.transactional);
  EXPECT_FALSE(build.transactional);
  EXPECT_TRUE(has(drop, Hazard::NotTransactional));
  EXPECT_FALSE(has(drop, Hazard::IndexDropped));  // no query used it
  EXPECT_TRUE(has(build, Hazard::IndexBuild));
  EXPECT_TRUE(has(build, Hazard::NotTransactional));
  EXPECT_NE(drop.note.find("INVALID"), std::string::npos) << drop.note;
  EXPECT_NE(drop.note.find("duplicate"), std::string::npos) << drop.note;  // a unique one
  ASSERT_TRUE(build.preflight.has_value());  // the duplicates that would fail the build
  // Each runs apart, and every commit is a safe point: nothing usable is missing in between.
  EXPECT_NE(group_of(p, 0), group_of(p, 1));
  EXPECT_TRUE(p.unsafe.empty());
  for (const auto& g : step_groups(p)) EXPECT_TRUE(g.safe_point_after);
  // The plan reaches the target: its fingerprint is the valid index's.
  EXPECT_EQ(p.target_fingerprint, model_fingerprint(testing::load_sql_text(sql)));
  EXPECT_NE(p.source_fingerprint, p.target_fingerprint);
  // The way back builds no INVALID index.
  ASSERT_NE(p.rollback, nullptr);
  EXPECT_TRUE(p.rollback->empty()) << render_plan_sql(*p.rollback);
  ASSERT_TRUE(drop.inverse.has_value());
  EXPECT_TRUE(drop.inverse->exact);
  EXPECT_NE(drop.inverse->why.find("does not make it INVALID again"), std::string::npos)
      << drop.inverse->why;

  // With a definition change too, and a comment: still drop + build, then the comment.
  const std::string to = kTable + "CREATE INDEX t_b ON t (b, a);COMMENT ON INDEX t_b IS 'x';";
  Plan changed = make_plan(with_invalid(sql, "t_b"), testing::load_sql_text(to));
  ASSERT_EQ(changed.steps.size(), 3u) << render_plan_sql(changed);
  EXPECT_EQ(changed.steps[0].statement, "DROP INDEX CONCURRENTLY IF EXISTS public.t_b;");
  EXPECT_EQ(changed.steps[1].statement, "CREATE INDEX CONCURRENTLY t_b ON public.t (b, a);");
  EXPECT_EQ(find(changed, "_pgdrift_new"), -1) << render_plan_sql(changed);
  EXPECT_EQ(changed.steps[2].statement, "COMMENT ON INDEX public.t_b IS 'x';");
}

TEST(InvalidIndex, OfflineAndAtomicRebuildInATransaction) {
  const std::string sql = kTable + "CREATE INDEX t_a ON t (a) WITH (fillfactor = 70);";
  for (bool atomic : {false, true}) {
    PlanOptions options;
    options.online = false;
    options.atomic = atomic;
    // Storage parameters alone differ too: an INVALID index is rebuilt, not ALTERed.
    schema::Model from = with_invalid(kTable + "CREATE INDEX t_a ON t (a);", "t_a");
    Plan p = make_plan(from, testing::load_sql_text(sql), options);
    ASSERT_EQ(p.steps.size(), 2u) << render_plan_sql(p);
    EXPECT_EQ(p.steps[0].statement, "DROP INDEX IF EXISTS public.t_a;");
    EXPECT_EQ(p.steps[1].statement, "CREATE INDEX t_a ON public.t (a) WITH (fillfactor=70);");
    EXPECT_TRUE(has(p.steps[0], Hazard::AccessExclusiveLock));
    EXPECT_TRUE(has(p.steps[1], Hazard::BlocksWrites));
    EXPECT_EQ(group_of(p, 0), group_of(p, 1));
  }
}

TEST(InvalidIndex, ALeftoverOfAFailedSwapIsDroppedBeforeTheBuildIsTriedAgain) {
  // A rebuild under a temporary name whose build failed left an INVALID t_ab_pgdrift_new.
  const std::string to = kTable + "CREATE UNIQUE INDEX t_ab ON t (a, b);";
  schema::Model from = with_invalid(kTable +
                                        "CREATE INDEX t_ab ON t (a);"
                                        "CREATE UNIQUE INDEX t_ab_pgdrift_new ON t (a, b);",
                                    "t_ab_pgdrift_new");
  Plan p = make_plan(from, testing::load_sql_text(to));
  const int drop = find(p, "DROP INDEX CONCURRENTLY IF EXISTS public.t_ab_pgdrift_new;");
  const int build = find(p, "CREATE UNIQUE INDEX CONCURRENTLY t_ab_pgdrift_new");
  ASSERT_GE(drop, 0) << render_plan_sql(p);
  ASSERT_GE(build, 0) << render_plan_sql(p);
  EXPECT_LT(drop, build) << render_plan_sql(p);
  const Step& dropped = p.steps[static_cast<size_t>(drop)];
  EXPECT_FALSE(has(dropped, Hazard::IndexDropped));
  EXPECT_NE(dropped.note.find("INVALID"), std::string::npos) << dropped.note;
  // Both stay online, apart from the swap's transaction.
  EXPECT_NE(group_of(p, drop), group_of(p, find(p, "RENAME TO t_ab")));
  EXPECT_NE(group_of(p, build), group_of(p, find(p, "RENAME TO t_ab")));
  EXPECT_TRUE(p.unsafe.empty());
  const auto lines =
      engine::describe_changes(engine::diff_models(from, testing::load_sql_text(to)));
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "drop index public.t.t_ab_pgdrift_new: INVALID (a failed CREATE INDEX "
                      "CONCURRENTLY left it)"),
            lines.end());
}

TEST(InvalidIndex, AnInvalidIndexBacksNoForeignKey) {
  // A foreign key to t(b) uses the UNIQUE constraint; rebuilding the INVALID unique index over
  // the same column leaves the foreign key alone.
  const std::string sql =
      "CREATE TABLE t (id int PRIMARY KEY, a int, b text UNIQUE);\n"
      "CREATE TABLE r (id int PRIMARY KEY, b text REFERENCES t (b));\n"
      "CREATE UNIQUE INDEX t_b ON t (b);";
  Plan p = make_plan(with_invalid(sql, "t_b"), testing::load_sql_text(sql));
  EXPECT_EQ(p.steps.size(), 2u) << render_plan_sql(p);
  EXPECT_EQ(find(p, "FOREIGN KEY"), -1) << render_plan_sql(p);
}

}  // namespace
}  // namespace pgdrift::planner
