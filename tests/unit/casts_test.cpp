// Type changes PostgreSQL cannot cast are refused at plan time (planner/casts.h, issue 14 item
// 6): the routes come from PostgreSQL 15's pg_cast (schema/builtin_casts.cpp), I/O conversion
// to and from the string types is a route, and user types (enums, domains, extension types) are
// never judged. tests/integration/type_change_test.cpp checks the same table against a real
// PostgreSQL.
#include <gtest/gtest.h>

#include "planner/casts.h"
#include "planner/plan.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"

namespace pgdrift::planner {
namespace {

const char* const kUserTypes =
    "CREATE TYPE public.mood AS ENUM ('sad', 'ok');\n"
    "CREATE DOMAIN public.uid AS uuid;\n"
    "CREATE DOMAIN public.small AS integer CHECK (VALUE < 10);\n";

struct RefusalCase {
  std::string from, to;
  bool refused;
};

const std::vector<RefusalCase> kCases = {
    {"uuid", "integer", true},
    {"integer", "uuid", true},
    {"uuid", "bigint", true},
    {"date", "integer", true},
    {"integer", "date", true},
    {"boolean", "bigint", true},  // only boolean -> integer exists
    {"json", "integer", true},    // jsonb has numeric casts, json has none
    {"bytea", "uuid", true},
    {"point", "integer", true},
    {"uuid[]", "integer[]", true},  // arrays: element by element
    {"integer", "integer[]", true},
    {"integer[]", "integer", true},
    {"uuid", "text", false},  // I/O conversion to a string type
    {"uuid", "character varying(40)", false},
    {"text", "uuid", false},  // I/O conversion from a string type (USING)
    {"character varying(36)", "uuid", false},
    {"text", "integer[]", false},
    {"integer[]", "text", false},
    {"boolean", "integer", false},  // explicit cast (USING)
    {"jsonb", "integer", false},
    {"json", "jsonb", false},
    {"integer", "bigint", false},
    {"double precision", "numeric(12,2)", false},
    {"timestamp without time zone", "date", false},
    {"timestamp(3) with time zone", "timestamp without time zone", false},
    {"money", "numeric", false},
    {"inet", "cidr", false},
    {"integer[]", "bigint[]", false},
    {"bit(8)", "integer", false},
    {"interval", "time without time zone", false},
    // User types: not judged (the model does not say which casts exist for them).
    {"public.mood", "integer", false},
    {"integer", "public.mood", false},
    {"public.uid", "integer", false},
    {"uuid", "public.small", false},
    {"public.mood", "text", false},
    {"text", "public.mood", false},
};

TEST(Casts, RoutesComeFromTheCatalog) {
  EXPECT_EQ(cast_route("integer", "bigint"), CastRoute::Implicit);
  EXPECT_EQ(cast_route("bigint", "integer"), CastRoute::Assignment);
  EXPECT_EQ(cast_route("boolean", "integer"), CastRoute::Explicit);
  EXPECT_EQ(cast_route("uuid", "text"), CastRoute::IoToString);
  EXPECT_EQ(cast_route("text", "uuid"), CastRoute::IoFromString);
  EXPECT_EQ(cast_route("uuid", "integer"), CastRoute::None);
  EXPECT_EQ(cast_route("numeric(10,2)", "numeric(12,2)"), CastRoute::Same);
  EXPECT_EQ(cast_route("public.mood", "integer"), CastRoute::Unknown);
  EXPECT_EQ(cast_route("public.citext", "uuid"), CastRoute::Unknown);
  EXPECT_TRUE(is_builtin_type("uuid"));
  EXPECT_TRUE(is_builtin_type("character"));  // bpchar, as the model spells it
  EXPECT_TRUE(is_builtin_type("bit"));
  EXPECT_TRUE(is_builtin_type("timestamp with time zone"));
  EXPECT_FALSE(is_builtin_type("public.mood"));
}

TEST(Casts, UncastableTypeChangesAreRefusedAtPlanTime) {
  for (const auto& c : kCases) {
    schema::Model from =
        testing::load_sql_text(std::string(kUserTypes) + "CREATE TABLE t (c " + c.from + ");");
    schema::Model to =
        testing::load_sql_text(std::string(kUserTypes) + "CREATE TABLE t (c " + c.to + ");");
    try {
      Plan p = make_plan(from, to);
      EXPECT_FALSE(c.refused) << c.from << " -> " << c.to << " was planned:\n"
                              << render_plan_sql(p);
      bool retyped = false;
      for (const auto& s : p.steps)
        retyped = retyped || s.statement.find("ALTER COLUMN c TYPE") != std::string::npos;
      EXPECT_TRUE(retyped) << c.from << " -> " << c.to << "\n" << render_plan_sql(p);
    } catch (const PlanRefused& e) {
      EXPECT_TRUE(c.refused) << c.from << " -> " << c.to << " refused: " << e.what();
      std::string message = e.what();
      EXPECT_EQ(message.rfind("public.t.c: cannot change type " + c.from + " to " + c.to +
                                  ": PostgreSQL has no cast",
                              0),
                0u)
          << message;
    }
  }
}

TEST(Casts, ExplicitOnlyCastsGetUsing) {
  // ALTER COLUMN TYPE applies assignment casts only: boolean -> integer needs USING.
  Plan p = make_plan(testing::load_sql_text("CREATE TABLE t (c boolean);"),
                     testing::load_sql_text("CREATE TABLE t (c integer);"));
  bool found = false;
  for (const auto& s : p.steps)
    if (s.statement.find("ALTER COLUMN c TYPE integer USING c::integer") != std::string::npos)
      found = true;
  EXPECT_TRUE(found) << render_plan_sql(p);
}

TEST(Casts, RefusalNamesTheColumnInItsSchema) {
  try {
    make_plan(
        testing::load_sql_text("CREATE SCHEMA app; CREATE TABLE app.\"Users\" (\"Id\" uuid);"),
        testing::load_sql_text("CREATE SCHEMA app; CREATE TABLE app.\"Users\" (\"Id\" integer);"));
    FAIL() << "uuid -> integer was planned";
  } catch (const PlanRefused& e) {
    EXPECT_NE(std::string(e.what()).find("app.\"Users\".\"Id\": cannot change type uuid to "
                                         "integer"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace pgdrift::planner
