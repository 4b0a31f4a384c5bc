// The reader of the convergence case files (tests/support/convergence_cases.h), and the checked-in
// files themselves: every case well formed, names unique, every kind present.
#include <gtest/gtest.h>

#include <set>

#include "tests/support/convergence_cases.h"

namespace pgdrift::testing {
namespace {

using planner::Hazard;

TEST(ConvergenceCases, SectionsMultiLineSqlAndComments) {
  auto r = parse_convergence_cases(
      "-- file header\n"
      "\n"
      "-- case: one\n"
      "-- why this case exists\n"
      "-- from:\n"
      "CREATE TABLE t (id int);\n"
      "-- to:\n"
      "CREATE TABLE t (\n"
      "  id int,\n"
      "  n int NOT NULL DEFAULT 0\n"
      ");\n"
      "\n"
      "-- hazards: access_exclusive_lock, backfill\n"
      "-- statements:\n"
      "  ADD COLUMN n integer\n"
      "SET DEFAULT 0\n"
      "-- options: privileges offline\n"
      "-- check_after:\n"
      "SELECT count(*)\n"
      "  FROM t\n"
      "\n"
      "-- case: two\n"
      "-- to:\n"
      "CREATE SEQUENCE s;\n",
      "k.sql");
  ASSERT_TRUE(r.errors.empty()) << ::testing::PrintToString(r.errors);
  ASSERT_EQ(r.cases.size(), 2u);
  const auto& one = r.cases[0];
  EXPECT_EQ(one.name, "one");
  EXPECT_EQ(one.file, "k.sql");
  EXPECT_EQ(one.line, 3);
  EXPECT_EQ(one.from, "CREATE TABLE t (id int);\n");
  EXPECT_EQ(one.to, "CREATE TABLE t (\n  id int,\n  n int NOT NULL DEFAULT 0\n);\n");
  EXPECT_EQ(one.forward_hazards,
            (std::vector<Hazard>{Hazard::AccessExclusiveLock, Hazard::Backfill}));
  EXPECT_EQ(one.forward_statements,
            (std::vector<std::string>{"ADD COLUMN n integer", "SET DEFAULT 0"}));
  EXPECT_TRUE(one.privileges);
  EXPECT_TRUE(one.offline);
  EXPECT_EQ(one.check_after, "SELECT count(*)\n  FROM t");
  const auto& two = r.cases[1];
  EXPECT_EQ(two.from, "");
  EXPECT_EQ(two.to, "CREATE SEQUENCE s;\n");
  EXPECT_TRUE(two.forward_hazards.empty());
  EXPECT_FALSE(two.privileges || two.offline);
}

TEST(ConvergenceCases, MistakesAreErrorsWithFileAndLine) {
  auto r = parse_convergence_cases(
      "CREATE TABLE stray (a int);\n"     // 1: before any case
      "-- case: bad name\n"               // 2
      "-- to: CREATE TABLE t (a int);\n"  // 3: block text on the header line
      "-- hazards: table_rewrite nope\n"  // 4
      "-- options: online\n"              // 5
      "-- hazard: data_loss\n"            // 6: unknown section (a typo)
      "-- to:\n"                          // 7: second to
      "-- case: empty\n",                 // 8: neither from nor to
      "x.sql");
  EXPECT_EQ(r.errors, (std::vector<std::string>{
                          "x.sql:1: text before the first '-- case:'",
                          "x.sql:2: case name must be letters, digits and _: 'bad name'",
                          "x.sql:3: '-- to:' starts a block: put its text on the following lines",
                          "x.sql:4: unknown hazard code 'nope'",
                          "x.sql:5: unknown option 'online' (privileges, offline, annotated)",
                          "x.sql:6: unknown section '-- hazard:' (case, from, to, hazards, "
                          "statements, options, check_after)",
                          "x.sql:7: second '-- to:' in case bad name",
                          "x.sql:2: case bad name has neither a from nor a to schema",
                          "x.sql:8: case empty has neither a from nor a to schema",
                      }));
}

TEST(ConvergenceCases, CheckedInFilesAreWellFormed) {
  auto all = load_convergence_cases();
  EXPECT_TRUE(all.errors.empty()) << ::testing::PrintToString(all.errors);
  std::set<std::string> files;
  size_t with_statements = 0;
  for (const auto& c : all.cases) {
    files.insert(c.file);
    if (!c.forward_statements.empty()) ++with_statements;
  }
  EXPECT_GE(all.cases.size(), 56u) << "cases were lost";
  for (const char* kind :
       {"tables.sql", "columns.sql", "constraints.sql", "indexes.sql", "sequences.sql", "types.sql",
        "domains.sql", "views.sql", "functions.sql", "triggers.sql", "policies.sql", "grants.sql",
        "comments.sql", "schemas.sql"})
    EXPECT_EQ(files.count(kind), 1u) << kind;
  EXPECT_EQ(with_statements, all.cases.size()) << "every case names statements of its plan";
}

}  // namespace
}  // namespace pgdrift::testing
