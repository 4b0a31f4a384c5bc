// View rules that follow how pg_get_viewdef prints a stored query (docs/canonical-form.md, query
// rules): GROUP BY and ORDER BY items that refer to a target entry (an output name, a position)
// print as that target's expression (for GROUP BY a bare name is a FROM column first,
// findTargetlistEntrySQL92); a relation a sub-SELECT reads again under an enclosing query's name
// is printed with the alias name_N. The catalog spellings are pg_get_viewdef(oid, true) on
// PostgreSQL 15.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schema/canonical.h"
#include "schema/model.h"
#include "tests/support/fixtures.h"

namespace pgdrift::schema {
namespace {

TEST(CanonicalViewRules, ReferencesToTargetsPrintTheirExpression) {
  const Model model =
      testing::load_sql_text("CREATE TABLE events (id int, at timestamptz, kind text, n int);");
  const SqlBodyContext relations = relations_context(model, "public");
  struct Case {
    std::string user, catalog;
  };
  const std::vector<Case> cases = {
      {"SELECT extract(year from at) AS y, count(*) AS c FROM events GROUP BY y",
       "SELECT EXTRACT(year FROM events.at) AS y,\n    count(*) AS c\n   FROM events\n"
       "  GROUP BY (EXTRACT(year FROM events.at));"},
      {"SELECT lower(kind) AS k, count(*) FROM events GROUP BY 1 ORDER BY 2",
       "SELECT lower(events.kind) AS k,\n    count(*) AS count\n   FROM events\n"
       "  GROUP BY (lower(events.kind))\n  ORDER BY (count(*));"},
      {"SELECT lower(kind) AS k FROM events ORDER BY k DESC",
       "SELECT lower(events.kind) AS k\n   FROM events\n  ORDER BY (lower(events.kind)) DESC;"},
  };
  for (const Case& c : cases) {
    const std::string user = canonical_query_text(c.user, relations);
    EXPECT_EQ(user, canonical_query_text(c.catalog, relations)) << c.user;
    EXPECT_EQ(canonical_query_text(user, relations), user) << "idempotent";
  }
  // GROUP BY n is the column n of events, not the output named n
  EXPECT_EQ(canonical_query_text("SELECT id AS n FROM events GROUP BY n, id", relations),
            "SELECT id AS n FROM events GROUP BY n, id");
  // the FROM item's columns unknown: a name stays as written
  EXPECT_EQ(canonical_query_text("SELECT lower(kind) AS k FROM other GROUP BY k", relations),
            "SELECT lower(kind) AS k FROM other GROUP BY k");
}

TEST(CanonicalViewRules, RelationsReadAgainInSubSelectsGetPostgresAlias) {
  const Model model = testing::load_sql_text(
      "CREATE TABLE points (id int, user_id int, point_type text, created_at timestamptz);");
  const SqlBodyContext relations = relations_context(model, "public");
  struct Case {
    std::string user, catalog;
  };
  const std::vector<Case> cases = {
      {"SELECT id, user_id FROM points WHERE id IN (SELECT max(id) AS id FROM points "
       "GROUP BY point_type, user_id)",
       "SELECT points.id,\n    points.user_id\n   FROM points\n  WHERE (points.id IN ( SELECT "
       "max(points_1.id) AS id\n           FROM points points_1\n          GROUP BY "
       "points_1.point_type, points_1.user_id));"},
      {"SELECT id FROM points WHERE id > (SELECT min(id) FROM points WHERE created_at > now() - "
       "interval '1 day')",
       "SELECT points.id\n   FROM points\n  WHERE points.id > (( SELECT min(points_1.id) AS min\n"
       "           FROM points points_1\n          WHERE points_1.created_at > (now() - '1 "
       "day'::interval)));"},
  };
  for (const Case& c : cases) {
    const std::string user = canonical_query_text(c.user, relations);
    EXPECT_EQ(user, canonical_query_text(c.catalog, relations)) << c.user;
    EXPECT_NE(user.find("FROM points points_1"), std::string::npos) << user;
    EXPECT_EQ(canonical_query_text(user, relations), user) << "idempotent";
  }
  // the enclosing query reads points as p: the sub-SELECT's points keeps its name
  const std::string user = canonical_query_text(
      "SELECT p.id FROM points p WHERE EXISTS (SELECT 1 FROM points WHERE points.user_id = "
      "p.user_id AND points.id > p.id)",
      relations);
  EXPECT_EQ(user, canonical_query_text("SELECT p.id\n   FROM points p\n  WHERE (EXISTS ( SELECT "
                                       "1\n           FROM points\n          WHERE "
                                       "points.user_id = p.user_id AND points.id > p.id));",
                                       relations));
  EXPECT_EQ(user.find("points_1"), std::string::npos) << user;
}

}  // namespace
}  // namespace pgdrift::schema
