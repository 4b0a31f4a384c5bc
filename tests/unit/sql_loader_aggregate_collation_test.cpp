// SQL loader: CREATE AGGREGATE and CREATE COLLATION, with DROP, COMMENT ON and GRANT. Expected
// values are what PostgreSQL 15 stores in pg_aggregate / pg_collation for the same statements
// (the convergence cases in tests/convergence/aggregates.sql and collations.sql compare them
// with a real database).
#include <gtest/gtest.h>

#include "schema/render.h"
#include "schema/sql/loader.h"

namespace pgdrift::schema::sql {
namespace {

Model load(const std::string& sql) {
  Model model;
  std::vector<LoadWarning> warnings;
  apply_sql(model, sql, "test.sql", LoadOptions{}, warnings);
  return model;
}

std::string load_error(const std::string& sql) {
  try {
    load(sql);
  } catch (const LoadError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << sql;
  return "";
}

template <typename Map>
const typename Map::mapped_type& at(const Map& map, const std::string& key) {
  auto it = map.find(key);
  if (it == map.end()) throw std::runtime_error("missing " + key);
  return it->second;
}

// ---- aggregates -----------------------------------------------------------------------------

TEST(SqlLoaderAggregate, SupportFunctionsResolveToTheModelOrTheCatalog) {
  Model m = load(
      "CREATE FUNCTION step(s bigint, v int) RETURNS bigint LANGUAGE sql AS 'select s + v';"
      "CREATE AGGREGATE total(int) (SFUNC = step, STYPE = int8, INITCOND = 0);"
      "CREATE AGGREGATE builtin(int4) (sfunc = pg_catalog.int4pl, stype = int4);");
  const Aggregate& total = at(m.aggregates, "public.total(integer)");
  EXPECT_EQ(total.state_function, "public.step");
  EXPECT_EQ(total.state_type, "bigint");
  EXPECT_EQ(total.initial_condition, "0");
  EXPECT_EQ(total.kind, "normal");
  EXPECT_EQ(total.final_modify, "READ_ONLY");
  EXPECT_EQ(total.parallel, "UNSAFE");
  const Aggregate& builtin = at(m.aggregates, "public.builtin(integer)");
  EXPECT_EQ(builtin.state_function, "int4pl");
  EXPECT_FALSE(builtin.initial_condition.has_value());
}

TEST(SqlLoaderAggregate, OptionsAsPgAggregateStoresThem) {
  Model m = load(
      "CREATE AGGREGATE a(int8) (SFUNC = int8pl, STYPE = int8, COMBINEFUNC = int8pl,"
      " SSPACE = 16, FINALFUNC = int8um, FINALFUNC_EXTRA, FINALFUNC_MODIFY = shareable,"
      " MSFUNC = int8pl, MINVFUNC = int8mi, MSTYPE = int8, MINITCOND = '0',"
      " SORTOP = >, PARALLEL = restricted);"
      "CREATE AGGREGATE cnt(*) (SFUNC = int8inc, STYPE = int8);");
  const Aggregate& a = at(m.aggregates, "public.a(bigint)");
  EXPECT_EQ(a.combine_function, "int8pl");
  EXPECT_EQ(a.state_space, 16);
  EXPECT_EQ(a.final_function, "int8um");
  EXPECT_TRUE(a.final_extra);
  EXPECT_EQ(a.final_modify, "SHAREABLE");
  EXPECT_EQ(a.moving_state_function, "int8pl");
  EXPECT_EQ(a.moving_inverse_function, "int8mi");
  EXPECT_EQ(a.moving_state_type, "bigint");
  EXPECT_EQ(a.moving_initial_condition, "0");
  EXPECT_EQ(a.moving_final_modify, "READ_ONLY");
  EXPECT_EQ(a.sort_operator, ">");
  EXPECT_EQ(a.parallel, "RESTRICTED");
  EXPECT_TRUE(at(m.aggregates, "public.cnt(*)").arguments.empty());
}

TEST(SqlLoaderAggregate, OrderedSetAndHypotheticalKinds) {
  Model m = load(
      "CREATE AGGREGATE pick(k int ORDER BY v int) (SFUNC = s, STYPE = int[], FINALFUNC = f);"
      "CREATE AGGREGATE only_sorted(ORDER BY text) (SFUNC = s, STYPE = internal);"
      "CREATE AGGREGATE hyp(int ORDER BY int) (SFUNC = s, STYPE = internal, HYPOTHETICAL);");
  const Aggregate& pick = at(m.aggregates, "public.pick(integer ORDER BY integer)");
  EXPECT_EQ(pick.kind, "ordered_set");
  EXPECT_EQ(pick.direct_arguments, 1);
  ASSERT_EQ(pick.arguments.size(), 2u);
  EXPECT_EQ(pick.arguments[0].name, "k");
  EXPECT_EQ(pick.arguments[1].name, "v");
  // PostgreSQL's default FINALFUNC_MODIFY for an ordered-set aggregate.
  EXPECT_EQ(pick.final_modify, "READ_WRITE");
  EXPECT_EQ(at(m.aggregates, "public.only_sorted(ORDER BY text)").direct_arguments, 0);
  EXPECT_EQ(at(m.aggregates, "public.hyp(integer ORDER BY integer)").kind, "hypothetical");
}

TEST(SqlLoaderAggregate, OldSyntax) {
  Model m = load(
      "CREATE AGGREGATE old_sum (BASETYPE = int4, SFUNC = int4pl, STYPE = int4);"
      "CREATE AGGREGATE old_count (BASETYPE = 'ANY', SFUNC = int8inc, STYPE = int8);");
  EXPECT_EQ(at(m.aggregates, "public.old_sum(integer)").state_function, "int4pl");
  EXPECT_TRUE(at(m.aggregates, "public.old_count(*)").arguments.empty());
}

TEST(SqlLoaderAggregate, DropCommentGrantAndReplace) {
  Model m = load(
      "CREATE AGGREGATE a(int) (SFUNC = int4pl, STYPE = int4);"
      "CREATE AGGREGATE b(int) (SFUNC = int4pl, STYPE = int4);"
      "COMMENT ON AGGREGATE a(int) IS 'kept';"
      "GRANT EXECUTE ON FUNCTION a(int) TO reporter;"
      "CREATE OR REPLACE AGGREGATE a(int) (SFUNC = int4pl, STYPE = int4, INITCOND = '1');"
      "DROP AGGREGATE b(integer);"
      "DROP AGGREGATE IF EXISTS nothing(int);");
  const Aggregate& a = at(m.aggregates, "public.a(integer)");
  EXPECT_EQ(a.comment, "kept");
  ASSERT_EQ(a.grants.size(), 1u);
  EXPECT_EQ(a.grants[0].grantee, "reporter");
  EXPECT_EQ(a.grants[0].privilege, "EXECUTE");
  EXPECT_EQ(a.initial_condition, "1");
  EXPECT_EQ(m.aggregates.count("public.b(integer)"), 0u);
  EXPECT_EQ(
      schema::render_create_aggregate(a),
      "CREATE AGGREGATE public.a(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '1');");
}

TEST(SqlLoaderAggregate, RenameAndSchemaRename) {
  Model m = load(
      "CREATE SCHEMA s;"
      "CREATE FUNCTION s.step(a int, v int) RETURNS int LANGUAGE sql AS 'select a';"
      "CREATE AGGREGATE s.agg(int) (SFUNC = s.step, STYPE = int);"
      "ALTER AGGREGATE s.agg(int) RENAME TO total;"
      "CREATE COLLATION s.bytes (locale = 'C');"
      "CREATE TABLE s.t (a text COLLATE s.bytes);"
      "ALTER SCHEMA s RENAME TO r;");
  const Aggregate& total = at(m.aggregates, "r.total(integer)");
  EXPECT_EQ(total.state_function, "r.step");
  EXPECT_EQ(at(m.collations, "r.bytes").schema, "r");
  EXPECT_EQ(at(m.tables, "r.t").find_column("a")->collation, "r.bytes");
}

TEST(SqlLoaderAggregate, Errors) {
  EXPECT_NE(load_error("CREATE AGGREGATE a(int) (SFUNC = int4pl);").find("stype must be specified"),
            std::string::npos);
  EXPECT_NE(load_error("CREATE AGGREGATE a(int) (SFUNC = int4pl, STYPE = int4);"
                       "CREATE AGGREGATE a(int) (SFUNC = int4pl, STYPE = int4);")
                .find("already exists"),
            std::string::npos);
  EXPECT_NE(load_error("CREATE AGGREGATE a(int) (SFUNC = int4pl, STYPE = int4, HYPOTHETICAL);")
                .find("only ordered-set aggregates can be hypothetical"),
            std::string::npos);
  EXPECT_NE(load_error("DROP AGGREGATE missing(int);").find("does not exist"), std::string::npos);
}

// ---- collations -----------------------------------------------------------------------------

TEST(SqlLoaderCollation, ProvidersAndLocales) {
  Model m = load(
      "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);"
      "CREATE COLLATION bytes (locale = 'C');"
      "CREATE COLLATION split (lc_collate = 'C', lc_ctype = 'POSIX');"
      "CREATE COLLATION copy FROM bytes;"
      "CREATE COLLATION posix_copy FROM \"POSIX\";"
      "CREATE COLLATION IF NOT EXISTS bytes (locale = 'POSIX');");
  const Collation& ci = at(m.collations, "public.ci");
  EXPECT_EQ(ci.provider, "icu");
  EXPECT_EQ(ci.icu_locale, "und-u-ks-level2");
  EXPECT_EQ(ci.lc_collate, "");
  EXPECT_FALSE(ci.deterministic);
  const Collation& bytes = at(m.collations, "public.bytes");
  EXPECT_EQ(bytes.provider, "libc");
  EXPECT_EQ(bytes.lc_collate, "C");
  EXPECT_EQ(bytes.lc_ctype, "C");
  EXPECT_EQ(bytes.icu_locale, "");
  EXPECT_EQ(at(m.collations, "public.split").lc_ctype, "POSIX");
  EXPECT_EQ(at(m.collations, "public.copy").lc_collate, "C");
  EXPECT_EQ(at(m.collations, "public.copy").name, "copy");
  EXPECT_EQ(at(m.collations, "public.posix_copy").lc_ctype, "POSIX");
}

TEST(SqlLoaderCollation, UnqualifiedCollateClausesNameTheModelsCollation) {
  Model m = load(
      "CREATE SCHEMA app;"
      "CREATE COLLATION app.bytes (locale = 'C');"
      "SET search_path = app;"
      "CREATE TABLE t (a text COLLATE bytes, b text COLLATE \"C\");"
      "CREATE INDEX t_a ON t (a COLLATE bytes);"
      "CREATE DOMAIN d AS text COLLATE bytes;");
  const Table& t = at(m.tables, "app.t");
  EXPECT_EQ(t.find_column("a")->collation, "app.bytes");
  EXPECT_EQ(t.find_column("b")->collation, "\"C\"");
  EXPECT_EQ(at(t.indexes, "t_a").keys[0].collation, "app.bytes");
  EXPECT_EQ(at(m.domains, "app.d").collation, "app.bytes");
}

TEST(SqlLoaderCollation, DropAndComment) {
  Model m = load(
      "CREATE COLLATION a (locale = 'C');"
      "CREATE COLLATION b (locale = 'C');"
      "COMMENT ON COLLATION a IS 'bytes';"
      "DROP COLLATION b;"
      "DROP COLLATION IF EXISTS nothing;"
      "ALTER COLLATION a REFRESH VERSION;");
  EXPECT_EQ(at(m.collations, "public.a").comment, "bytes");
  EXPECT_EQ(m.collations.count("public.b"), 0u);
}

TEST(SqlLoaderCollation, Errors) {
  EXPECT_NE(load_error("CREATE COLLATION x (provider = icu);").find("\"locale\" must be specified"),
            std::string::npos);
  EXPECT_NE(load_error("CREATE COLLATION x (lc_collate = 'C');").find("\"lc_ctype\" must be"),
            std::string::npos);
  EXPECT_NE(load_error("CREATE COLLATION x (locale = 'C', deterministic = false);")
                .find("nondeterministic collations not supported"),
            std::string::npos);
  EXPECT_NE(load_error("CREATE COLLATION x (locale = 'C'); CREATE COLLATION x (locale = 'C');")
                .find("already exists"),
            std::string::npos);
  EXPECT_NE(load_error("CREATE COLLATION x FROM \"default\";").find("cannot be copied"),
            std::string::npos);
}

}  // namespace
}  // namespace pgdrift::schema::sql
