// GROUP BY and ORDER BY items that refer to a target entry (an output name, a position) print as
// that target's expression, as pg_get_viewdef prints them (docs/canonical-form.md, query rules);
// for GROUP BY a bare name is a FROM column first (findTargetlistEntrySQL92). The catalog
// spellings are pg_get_viewdef(oid, true) on PostgreSQL 15.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schema/canonical.h"
#include "schema/model.h"
#include "tests/support/fixtures.h"

namespace pgdrift::schema {
namespace {

TEST(CanonicalSortGroup, ReferencesToTargetsPrintTheirExpression) {
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

}  // namespace
}  // namespace pgdrift::schema
