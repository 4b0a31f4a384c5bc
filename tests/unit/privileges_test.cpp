// Privileges beyond grants (issue 16): grant options changed in place, owners (declared only
// where the SQL says so, compared only with privileges), and default privileges
// (ALTER DEFAULT PRIVILEGES) as the SQL loader reads them, as the diff compares them and as the
// planner orders them around the objects it creates.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/diff.h"
#include "planner/plan.h"
#include "schema/json.h"
#include "schema/render.h"
#include "tests/support/fixtures.h"

namespace pgdrift {
namespace {

using schema::Grant;
using testing::load_sql_text;

planner::Plan plan(const std::string& from, const std::string& to, bool privileges = true) {
  planner::PlanOptions options;
  options.diff.compare_privileges = privileges;
  return planner::make_plan(load_sql_text(from), load_sql_text(to), options);
}

int index_of(const planner::Plan& p, const std::string& statement) {
  for (size_t i = 0; i < p.steps.size(); ++i)
    if (p.steps[i].statement == statement) return static_cast<int>(i);
  return -1;
}

std::string dump(const planner::Plan& p) { return planner::render_plan_sql(p); }

TEST(GrantOption, LostOrGainedInPlaceNotRevokedAndGrantedAgain) {
  planner::Plan p = plan(
      "CREATE TABLE t (a int, b int); GRANT SELECT ON t TO app_ro WITH GRANT OPTION;"
      "GRANT INSERT ON t TO app_rw; GRANT UPDATE (b) ON t TO writer WITH GRANT OPTION;",
      "CREATE TABLE t (a int, b int); GRANT SELECT ON t TO app_ro;"
      "GRANT INSERT ON t TO app_rw WITH GRANT OPTION; GRANT UPDATE (b) ON t TO writer;");
  EXPECT_GE(index_of(p, "REVOKE GRANT OPTION FOR SELECT ON TABLE public.t FROM app_ro;"), 0)
      << dump(p);
  EXPECT_GE(index_of(p, "GRANT INSERT ON TABLE public.t TO app_rw WITH GRANT OPTION;"), 0)
      << dump(p);
  EXPECT_GE(index_of(p, "REVOKE GRANT OPTION FOR UPDATE (b) ON TABLE public.t FROM writer;"), 0)
      << dump(p);
  // Nobody loses the privilege itself on the way.
  EXPECT_EQ(index_of(p, "REVOKE SELECT ON TABLE public.t FROM app_ro;"), -1) << dump(p);
  EXPECT_EQ(index_of(p, "REVOKE INSERT ON TABLE public.t FROM app_rw;"), -1) << dump(p);
  EXPECT_EQ(index_of(p, "GRANT SELECT ON TABLE public.t TO app_ro;"), -1) << dump(p);
  EXPECT_EQ(p.steps.size(), 3u) << dump(p);
}

TEST(Owners, LoadedOnlyWhereDeclared) {
  schema::Model m = load_sql_text(R"(
    CREATE SCHEMA app AUTHORIZATION app_owner;
    CREATE TABLE t (id serial, a int);
    CREATE TABLE u (a int);
    ALTER TABLE t OWNER TO "Mixed Role";
    CREATE VIEW v AS SELECT a FROM t;
    ALTER VIEW v OWNER TO app_owner;
    CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
    ALTER FUNCTION f(int) OWNER TO app_owner;
    CREATE TYPE mood AS ENUM ('ok');
    ALTER TYPE mood OWNER TO app_owner;
    CREATE DOMAIN d AS int;
    ALTER DOMAIN d OWNER TO app_rw;
  )");
  EXPECT_EQ(m.schemas.at("app").owner, "app_owner");
  EXPECT_EQ(m.tables.at("public.t").owner, "Mixed Role");
  EXPECT_EQ(m.tables.at("public.u").owner, "");  // not declared
  // ALTER TABLE ... OWNER TO takes the table's sequences along, as PostgreSQL does.
  EXPECT_EQ(m.sequences.at("public.t_id_seq").owner, "Mixed Role");
  EXPECT_EQ(m.views.at("public.v").owner, "app_owner");
  EXPECT_EQ(m.functions.at("public.f(integer)").owner, "app_owner");
  EXPECT_EQ(m.enums.at("public.mood").owner, "app_owner");
  EXPECT_EQ(m.domains.at("public.d").owner, "app_rw");
}

TEST(Owners, ComparedOnlyWithPrivilegesAndWhereTheTargetDeclaresOne) {
  schema::Model live = load_sql_text("CREATE TABLE t (a int); CREATE TABLE u (a int);");
  live.tables.at("public.t").owner = "postgres";
  live.tables.at("public.u").owner = "postgres";
  schema::Model desired = load_sql_text(
      "CREATE TABLE t (a int); CREATE TABLE u (a int); ALTER TABLE t OWNER TO app_owner;");
  engine::DiffOptions with;
  with.compare_privileges = true;
  engine::Changes changes = engine::diff_models(live, desired, with);
  ASSERT_EQ(changes.owners.size(), 1u);  // u declares no owner: it keeps postgres
  EXPECT_EQ(changes.owners[0].object.name, "public.t");
  EXPECT_EQ(changes.owners[0].from, "postgres");
  EXPECT_EQ(changes.owners[0].to, "app_owner");
  EXPECT_TRUE(changes.tables.empty());  // the owner is no change of the table's definition
  EXPECT_TRUE(engine::diff_models(live, desired, engine::DiffOptions{}).empty());

  planner::Plan p = planner::make_plan(live, desired, planner::PlanOptions{.diff = with});
  ASSERT_EQ(p.steps.size(), 1u) << dump(p);
  EXPECT_EQ(p.steps[0].statement, "ALTER TABLE public.t OWNER TO app_owner;");
}

TEST(Owners, RevokesBeforeTheNewOwnerGrantsAfter) {
  // ALTER ... OWNER TO moves the old owner's privileges to the new one: a privilege the new
  // owner is to lose is revoked first, one for the old owner granted after.
  schema::Model live = load_sql_text("CREATE TABLE t (a int); GRANT SELECT ON t TO app_owner;");
  live.tables.at("public.t").owner = "app_rw";
  schema::Model desired = load_sql_text(
      "CREATE TABLE t (a int); ALTER TABLE t OWNER TO app_owner;"
      "GRANT SELECT ON t TO app_rw;");
  planner::PlanOptions options;
  options.diff.compare_privileges = true;
  planner::Plan p = planner::make_plan(live, desired, options);
  int revoke = index_of(p, "REVOKE SELECT ON TABLE public.t FROM app_owner;");
  int owner = index_of(p, "ALTER TABLE public.t OWNER TO app_owner;");
  int grant = index_of(p, "GRANT SELECT ON TABLE public.t TO app_rw;");
  ASSERT_GE(revoke, 0) << dump(p);
  ASSERT_GE(owner, 0) << dump(p);
  ASSERT_GE(grant, 0) << dump(p);
  EXPECT_LT(revoke, owner);
  EXPECT_LT(owner, grant);
}

TEST(DefaultPrivileges, LoaderGivesThemToObjectsCreatedAfter) {
  schema::Model m = load_sql_text(R"(
    CREATE SCHEMA app;
    CREATE TABLE before_t (a int);
    ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_ro;
    ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT INSERT ON TABLES TO app_rw WITH GRANT OPTION;
    ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO reader;
    ALTER DEFAULT PRIVILEGES FOR ROLE app_owner GRANT SELECT ON TABLES TO writer;
    CREATE TABLE after_t (id serial);
    CREATE TABLE app.in_app (a int);
    CREATE VIEW v AS SELECT 1 AS one;
    SET ROLE app_owner;
    CREATE TABLE app.owned (a int);
    RESET ROLE;
  )");
  EXPECT_TRUE(m.tables.at("public.before_t").grants.empty());
  EXPECT_EQ(m.tables.at("public.after_t").grants,
            (std::vector<Grant>{{"app_ro", "SELECT", {}, false}}));
  EXPECT_EQ(m.sequences.at("public.after_t_id_seq").grants,
            (std::vector<Grant>{{"reader", "USAGE", {}, false}}));
  EXPECT_EQ(m.tables.at("app.in_app").grants,
            (std::vector<Grant>{{"app_ro", "SELECT", {}, false}, {"app_rw", "INSERT", {}, true}}));
  EXPECT_EQ(m.views.at("public.v").grants, (std::vector<Grant>{{"app_ro", "SELECT", {}, false}}));
  // Created by app_owner: its default privileges (and its ownership), not the session's.
  EXPECT_EQ(m.tables.at("app.owned").grants, (std::vector<Grant>{{"writer", "SELECT", {}, false}}));
  EXPECT_EQ(m.tables.at("app.owned").owner, "app_owner");
  EXPECT_EQ(m.tables.at("public.after_t").owner, "");
  ASSERT_EQ(m.default_privileges.size(), 4u);
  const auto& in_app = m.default_privileges.at("IN SCHEMA app ON TABLES");
  EXPECT_EQ(in_app.schema, "app");
  EXPECT_EQ(in_app.role, "");
  EXPECT_TRUE(m.default_privileges.count("FOR ROLE app_owner ON TABLES"));
}

TEST(DefaultPrivileges, EntriesBackAtTheBuiltInDefaultsAreRemoved) {
  schema::Model m = load_sql_text(R"(
    ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_ro;
    ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM app_ro;
    ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
    ALTER DEFAULT PRIVILEGES REVOKE USAGE ON TYPES FROM PUBLIC;
    ALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO PUBLIC;
  )");
  // TABLES and TYPES are back where they started; FUNCTIONS lost PUBLIC EXECUTE.
  ASSERT_EQ(m.default_privileges.size(), 1u);
  EXPECT_TRUE(m.default_privileges.at("ON FUNCTIONS").grants.empty());
  EXPECT_THROW(load_sql_text("CREATE SCHEMA s; ALTER DEFAULT PRIVILEGES IN SCHEMA s "
                             "GRANT USAGE ON SCHEMAS TO app_ro;"),
               std::exception);
}

TEST(DefaultPrivileges, JsonRoundTripWithOwners) {
  schema::Model m = load_sql_text(R"(
    CREATE SCHEMA app AUTHORIZATION app_owner;
    ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT SELECT ON TABLES TO app_ro;
    ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
    CREATE TABLE app.t (a int);
    ALTER TABLE app.t OWNER TO app_owner;
  )");
  const nlohmann::json j = schema::model_to_json(m);
  EXPECT_EQ(j.at("tables").at("app.t").at("owner"), "app_owner");
  EXPECT_EQ(j.at("default_privileges").at("ON FUNCTIONS").at("grants"), nlohmann::json::array());
  EXPECT_EQ(schema::model_from_json(j), m);
  // Without default privileges the section is left out (models written before it still match).
  EXPECT_FALSE(schema::model_to_json(load_sql_text("CREATE TABLE t (a int);"))
                   .contains("default_privileges"));
  // The rendered SQL loads back to the same model.
  EXPECT_EQ(load_sql_text(schema::render_model_sql(m)), m);
}

TEST(DefaultPrivileges, DiffedAgainstTheBuiltInDefaults) {
  schema::Model from = load_sql_text("");
  schema::Model to = load_sql_text(
      "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;"
      "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_ro;");
  engine::DiffOptions with;
  with.compare_privileges = true;
  engine::Changes c = engine::diff_models(from, to, with);
  ASSERT_EQ(c.default_privileges.size(), 2u);
  EXPECT_EQ(c.default_privileges[0].key, "ON FUNCTIONS");
  EXPECT_EQ(c.default_privileges[0].revoked,
            (std::vector<Grant>{{"PUBLIC", "EXECUTE", {}, false}}));
  EXPECT_TRUE(c.default_privileges[0].granted.empty());
  EXPECT_EQ(c.default_privileges[1].key, "ON TABLES");
  EXPECT_TRUE(engine::diff_models(from, to, engine::DiffOptions{}).empty());
}

TEST(DefaultPrivileges, RevokedBeforeCreatesGrantedAfter) {
  planner::Plan p =
      plan("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_ro;",
           "ALTER DEFAULT PRIVILEGES GRANT INSERT ON TABLES TO app_rw; CREATE TABLE t (a int);"
           "CREATE TABLE before_t (a int);");
  int revoke = index_of(p, "ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM app_ro;");
  int grant = index_of(p, "ALTER DEFAULT PRIVILEGES GRANT INSERT ON TABLES TO app_rw;");
  int create = -1;
  for (size_t i = 0; i < p.steps.size(); ++i)
    if (p.steps[i].statement.rfind("CREATE TABLE public.t ", 0) == 0) create = i;
  ASSERT_GE(revoke, 0) << dump(p);
  ASSERT_GE(grant, 0) << dump(p);
  ASSERT_GE(create, 0) << dump(p);
  EXPECT_LT(revoke, create);
  EXPECT_GT(grant, create);
  // t was created after the target's default privileges: it has INSERT, granted explicitly
  // (the plan creates it before they hold).
  EXPECT_GE(index_of(p, "GRANT INSERT ON TABLE public.t TO app_rw;"), 0) << dump(p);
}

TEST(DefaultPrivileges, WhatACreatedObjectGetsAndTheTargetLacksIsRevoked) {
  // Both sides keep SELECT for app_ro by default; the target's t was created before that.
  planner::Plan p = plan("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_ro;",
                         "CREATE TABLE t (a int);"
                         "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_ro;");
  int revoke = index_of(p, "REVOKE SELECT ON TABLE public.t FROM app_ro;");
  ASSERT_GE(revoke, 0) << dump(p);
  EXPECT_EQ(p.steps.size(), 2u) << dump(p);  // CREATE TABLE, REVOKE
}

}  // namespace
}  // namespace pgdrift
