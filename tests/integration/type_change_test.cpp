// The planner's cast table (planner/casts.h, generated from pg_cast) against PostgreSQL itself:
// for every pair of a set of built-in column types, a type change the planner refuses must be
// one PostgreSQL rejects on an empty table ("cannot cast type ...", SQLSTATE 42846), and a type
// change it plans must run on an empty table as planned.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "planner/plan.h"
#include "schema/sql/loader.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

const std::vector<std::string> kTypes = {
    "smallint",
    "integer",
    "bigint",
    "numeric(12,2)",
    "real",
    "double precision",
    "text",
    "character varying(20)",
    "character(5)",
    "boolean",
    "uuid",
    "date",
    "timestamp without time zone",
    "timestamp with time zone",
    "time without time zone",
    "interval",
    "json",
    "jsonb",
    "bytea",
    "inet",
    "cidr",
    "money",
    "bit(8)",
    "bit varying(8)",
    "point",
    "int4range",
    "tsvector",
    "xml",
    "oid",
    "macaddr",
    "integer[]",
    "text[]",
    "uuid[]",
};

TEST(TypeChange, RefusedExactlyWhenPostgresHasNoCast) {
  std::string conninfo = fresh_database();
  pqxx::connection c(conninfo);
  int refused = 0, planned = 0;
  for (const auto& from : kTypes)
    for (const auto& to : kTypes) {
      if (from == to) continue;
      std::string pair = from + " -> " + to;
      std::optional<planner::Plan> plan;
      try {
        plan = planner::make_plan(load_sql_text("CREATE TABLE t (c " + from + ");"),
                                  load_sql_text("CREATE TABLE t (c " + to + ");"));
      } catch (const planner::PlanRefused&) {
      }
      pqxx::work w(c);
      w.exec("CREATE TABLE public.t (c " + from + ")");
      if (!plan) {
        ++refused;
        try {
          w.exec("ALTER TABLE public.t ALTER COLUMN c TYPE " + to + " USING c::" + to);
          ADD_FAILURE() << pair << ": refused, but PostgreSQL casts it";
        } catch (const pqxx::sql_error& e) {
          EXPECT_EQ(e.sqlstate(), "42846") << pair << ": " << e.what();
        }
        continue;
      }
      ++planned;
      for (const auto& s : plan->steps) {
        try {
          w.exec(s.statement);
        } catch (const pqxx::sql_error& e) {
          ADD_FAILURE() << pair << ": planned, but fails on an empty table: " << s.statement << ": "
                        << e.what();
          break;
        }
      }
    }
  // Both kinds occur (the test would prove nothing otherwise).
  EXPECT_GT(refused, 100);
  EXPECT_GT(planned, 100);
}

}  // namespace
}  // namespace pgdrift::testing
