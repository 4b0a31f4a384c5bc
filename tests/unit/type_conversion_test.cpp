// PostgreSQL 15's function resolution (documentation 10.3) and common-type resolution (10.5)
// over the embedded catalog (schema/type_conversion.h), and the canonical form's rules 19 and
// 20 built on them (docs/canonical-form.md): the implicit coercions PostgreSQL stores for
// built-in calls, COALESCE, CASE, GREATEST and ARRAY[...]. Every expectation was checked on a
// PostgreSQL 15 server (pg_typeof, the error of an unresolvable call, pg_get_constraintdef).
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schema/canonical.h"
#include "schema/model.h"
#include "schema/type_conversion.h"
#include "tests/support/fixtures.h"

namespace pgdrift::schema {
namespace {

const std::string kUnknown = kUnknownType;

struct ResolutionCase {
  std::string call;  // for messages
  std::string name;
  std::vector<std::string> arguments;
  // nullopt: PostgreSQL cannot resolve it (or it is not decided here)
  std::optional<std::vector<std::string>> coerced_to;
  std::string result;
};

const std::vector<ResolutionCase> kResolutions = {
    // 10.3, example "Rounding Function Argument Type Resolution": round(numeric, integer)
    {"round(4, 4)", "round", {"integer", "integer"}, {{"numeric", "integer"}}, "numeric"},
    // one argument: numeric and double precision both take an integer; the preferred type of
    // the category (double precision) wins
    {"round(int)", "round", {"integer"}, {{"double precision"}}, "double precision"},
    {"round(numeric, 1)", "round", {"numeric", "integer"}, {{"numeric", "integer"}}, "numeric"},
    // 10.3, example "Substring Function Type Resolution"
    {"substr('1234', 3)", "substr", {kUnknown, "integer"}, {{"text", "integer"}}, "text"},
    {"substr(varchar, 3)",
     "substr",
     {"character varying", "integer"},
     {{"text", "integer"}},
     "text"},
    {"substr(1234, 3)", "substr", {"integer", "integer"}, std::nullopt, ""},
    // an untyped literal alone: the numeric category's preferred type (pg_typeof: double)
    {"abs('1')", "abs", {kUnknown}, {{"double precision"}}, "double precision"},
    // two unknowns, candidates of several categories and none of them string: not unique
    {"date_part('a', '1')", "date_part", {kUnknown, kUnknown}, std::nullopt, ""},
    {"to_timestamp(int)",
     "to_timestamp",
     {"integer"},
     {{"double precision"}},
     "timestamp with time zone"},
    // date converts to timestamp and timestamptz: the preferred timestamptz wins
    {"date_trunc('month', date)",
     "date_trunc",
     {kUnknown, "date"},
     {{"text", "timestamp with time zone"}},
     "timestamp with time zone"},
    {"date_trunc('day', timestamp)",
     "date_trunc",
     {kUnknown, "timestamp without time zone"},
     {{"text", "timestamp without time zone"}},
     "timestamp without time zone"},
    {"to_tsvector('simple', text)",
     "to_tsvector",
     {kUnknown, "text"},
     {{"regconfig", "text"}},
     "tsvector"},
    // "any" takes every argument as it is, untyped literals too
    {"concat(int, 'x')", "concat", {"integer", kUnknown}, {{"", ""}}, "text"},
    // VARIADIC text[] spread over the call: each extra argument is a text
    {"jsonb_extract_path(jsonb, 'a', 'b')",
     "jsonb_extract_path",
     {"jsonb", kUnknown, kUnknown},
     {{"jsonb", "text", "text"}},
     "jsonb"},
    // polymorphic parameters take the type the other arguments fix
    {"array_append(text[], 'x')",
     "array_append",
     {"text[]", kUnknown},
     {{"text[]", "text"}},
     "text[]"},
    {"array_position(uuid[], '...')",
     "array_position",
     {"uuid[]", kUnknown},
     {{"uuid[]", "uuid"}},
     "integer"},
    {"array_length('{1}', 1)", "array_length", {kUnknown, "integer"}, std::nullopt, ""},
    {"lower(int4range)", "lower", {"int4range"}, {{"int4range"}}, "integer"},
    {"lower(char(3))", "lower", {"character"}, {{"text"}}, "text"},
    {"length(char(3))", "length", {"character"}, {{"character"}}, "integer"},
    {"count(*)", "count", {}, {{}}, "bigint"},
    // defaults fill the parameters not given
    {"jsonb_set(jsonb, '{a}', jsonb)",
     "jsonb_set",
     {"jsonb", kUnknown, "jsonb"},
     {{"jsonb", "text[]", "jsonb"}},
     "jsonb"},
    // not decided here: user types, unknown expressions, function-style casts
    {"lower(mood)", "lower", {"public.mood"}, std::nullopt, ""},
    {"lower(?)", "lower", {""}, std::nullopt, ""},
    {"text(1)", "text", {"integer"}, std::nullopt, ""},
    {"no_such_function(1)", "no_such_function", {"integer"}, std::nullopt, ""},
};

TEST(FunctionResolution, FollowsPostgres) {
  for (const ResolutionCase& c : kResolutions) {
    std::optional<ResolvedCall> resolved = resolve_builtin_function(c.name, c.arguments);
    ASSERT_EQ(resolved.has_value(), c.coerced_to.has_value()) << c.call;
    if (!resolved) continue;
    EXPECT_EQ(resolved->argument_types, *c.coerced_to) << c.call;
    EXPECT_EQ(resolved->result_type, c.result) << c.call;
  }
}

TEST(CommonType, FollowsPostgres) {
  // pg_typeof(COALESCE(...)) on PostgreSQL 15
  const std::vector<std::pair<std::vector<std::string>, std::optional<std::string>>> cases = {
      {{"integer", "bigint"}, "bigint"},
      {{"integer", "numeric", "double precision"}, "double precision"},
      {{kUnknown, "date"}, "date"},
      {{kUnknown, kUnknown}, "text"},
      {{"character varying", kUnknown}, "character varying"},
      // the first type stays when each converts to the other implicitly
      {{"character varying", "text"}, "character varying"},
      {{"text", "character varying"}, "text"},
      {{"integer", "text"}, std::nullopt},
      {{"public.mood", kUnknown}, std::nullopt},
  };
  for (const auto& [types, expected] : cases) {
    EXPECT_EQ(common_type(types), expected) << types[0] << ", " << types[1];
  }
}

TEST(ImplicitCoercion, FromPgCast) {
  EXPECT_TRUE(implicitly_coercible("integer", "bigint"));
  EXPECT_FALSE(implicitly_coercible("bigint", "integer"));  // assignment only
  EXPECT_TRUE(implicitly_coercible("character varying", "text"));
  EXPECT_TRUE(implicitly_coercible("integer[]", "bigint[]"));  // element by element
  EXPECT_FALSE(implicitly_coercible("integer", "text"));       // I/O conversion: not implicit
  EXPECT_TRUE(implicitly_coercible(kUnknownType, "uuid"));
}

// The columns of the table the catalog spellings below come from (pg_get_constraintdef of
// `ALTER TABLE ct ADD CHECK (<user>)` on PostgreSQL 15).
std::string column_type(const std::string& name) {
  static const std::map<std::string, std::string> types = {
      {"c_int", "integer"},
      {"c_big", "bigint"},
      {"c_text", "text"},
      {"c_vc", "character varying(10)"},
      {"c_ch", "character(3)"},
      {"c_date", "date"},
      {"c_ts", "timestamp without time zone"},
      {"c_tstz", "timestamp with time zone"},
      {"c_num", "numeric(10,2)"},
      {"c_uuid", "uuid"},
      {"c_arr", "text[]"},
      {"c_j", "jsonb"},
      {"c_bool", "boolean"},
      {"c_mood", "public.mood"},
      {"qty", "integer"},
      {"price", "numeric(10,2)"},
      {"f", "real"},
      {"s", "smallint"},
  };
  auto it = types.find(name);
  return it == types.end() ? "" : it->second;
}

struct CoercionCase {
  std::string user;
  std::string catalog;
  std::string canonical;
};

const std::vector<CoercionCase> kCoercions = {
    // rule 19: function arguments
    {"to_timestamp(c_int) > now()", "(to_timestamp((c_int)::double precision) > now())",
     "to_timestamp(c_int::double precision) > now()"},
    {"round(c_int) > 0", "(round((c_int)::double precision) > (0)::double precision)",
     "round(c_int::double precision) > 0"},
    {"round(4, 4) > 0", "(round((4)::numeric, 4) > (0)::numeric)", "round(4, 4) > 0"},
    {"date_trunc('month', c_date) < now()",
     "(date_trunc('month'::text, (c_date)::timestamp with time zone) < now())",
     "date_trunc('month', c_date::timestamp with time zone) < now()"},
    {"date_trunc('day', c_ts) < now()", "(date_trunc('day'::text, c_ts) < now())",
     "date_trunc('day', c_ts) < now()"},
    {"to_tsvector('simple', c_text) <> ''",
     "(to_tsvector('simple'::regconfig, c_text) <> ''::tsvector)",
     "to_tsvector('simple'::regconfig, c_text) <> ''"},
    {"array_position(ARRAY[c_uuid], '00000000-0000-0000-0000-000000000000') > 0",
     "(array_position(ARRAY[c_uuid], '00000000-0000-0000-0000-000000000000'::uuid) > 0)",
     "array_position(ARRAY[c_uuid], '00000000-0000-0000-0000-000000000000'::uuid) > 0"},
    {"array_append(c_arr, 'x') <> '{}'", "(array_append(c_arr, 'x'::text) <> '{}'::text[])",
     "array_append(c_arr, 'x') <> '{}'"},
    {"concat(c_int, 'x') <> ''", "(concat(c_int, 'x') <> ''::text)", "concat(c_int, 'x') <> ''"},
    {"lower(c_ch) <> ''", "(lower((c_ch)::text) <> ''::text)", "lower(c_ch::text) <> ''"},
    {"sqrt(c_big) > 0", "(sqrt((c_big)::double precision) > (0)::double precision)",
     "sqrt(c_big::double precision) > 0"},
    {"to_char(c_date, 'YYYY') <> ''",
     "(to_char((c_date)::timestamp with time zone, 'YYYY'::text) <> ''::text)",
     "to_char(c_date::timestamp with time zone, 'YYYY') <> ''"},
    {"left(c_vc, 2) <> ''", "(\"left\"((c_vc)::text, 2) <> ''::text)", "\"left\"(c_vc, 2) <> ''"},
    {"age(c_date) > '1 day'", "(age((c_date)::timestamp with time zone) > '1 day'::interval)",
     "age(c_date::timestamp with time zone) > '1 day'"},
    {"power(c_int, 2) > 0",
     "(power((c_int)::double precision, (2)::double precision) > (0)::double precision)",
     "power(c_int::double precision, 2) > 0"},
    // a nested call's result type feeds the outer call
    {"to_timestamp(extract(epoch from c_tstz)) > now()",
     "(to_timestamp(EXTRACT(epoch FROM c_tstz)::double precision) > now())",
     "to_timestamp(extract ('epoch' FROM c_tstz)::double precision) > now()"},
    // SQL-syntax calls are printed without their arguments' coercions
    {"trim(c_ch) <> ''", "(TRIM(BOTH FROM c_ch) <> ''::text)", "TRIM (BOTH  FROM c_ch) <> ''"},
    {"substring(c_vc from 1 for 2) <> ''", "(SUBSTRING(c_vc FROM 1 FOR 2) <> ''::text)",
     "SUBSTRING(c_vc FROM 1 FOR 2) <> ''"},
    // rule 19 for operators (10.2): the operands' coercions, an exact cross-type operator
    // (smallint + integer, timestamp > date) needs none; untyped literals are rule 5b's
    {"qty * price", "((qty)::numeric * price)", "qty::numeric * price"},
    {"qty < price", "((qty)::numeric < price)", "qty::numeric < price"},
    {"f > qty", "(f > (qty)::double precision)", "f > qty::double precision"},
    {"f * price > 0", "((f * (price)::double precision) > (0)::double precision)",
     "(f * price::double precision) > 0"},
    {"s + qty > 0", "((s + qty) > 0)", "(s + qty) > 0"},
    {"c_big * 1.5 > 0", "(((c_big)::numeric * 1.5) > (0)::numeric)", "(c_big::numeric * 1.5) > 0"},
    // 2.0 is a numeric literal (and keeps its scale, rule 2)
    {"qty / 2.0 > 0", "(((qty)::numeric / 2.0) > (0)::numeric)", "(qty::numeric / 2.0) > 0"},
    {"c_ts - c_date > '1 day'",
     "((c_ts - (c_date)::timestamp without time zone) > '1 day'::interval)",
     "(c_ts - c_date::timestamp) > '1 day'"},
    {"c_ts > c_date", "(c_ts > c_date)", "c_ts > c_date"},
    {"c_vc || c_text <> ''", "(((c_vc)::text || c_text) <> ''::text)", "(c_vc || c_text) <> ''"},
    {"c_date + 1 > '2000-01-01'", "((c_date + 1) > '2000-01-01'::date)",
     "(c_date + 1) > '2000-01-01'"},
    {"qty IS DISTINCT FROM price", "(qty)::numeric IS DISTINCT FROM price",
     "qty::numeric IS DISTINCT FROM price"},
    // rule 20: common types
    {"coalesce(c_date, '2020-01-01') > '2000-01-01'",
     "(COALESCE(c_date, '2020-01-01'::date) > '2000-01-01'::date)",
     "COALESCE(c_date, '2020-01-01'::date) > '2000-01-01'"},
    {"coalesce(c_int, c_big) > 0", "(COALESCE((c_int)::bigint, c_big) > 0)",
     "COALESCE(c_int::bigint, c_big) > 0"},
    {"CASE WHEN c_bool THEN c_date ELSE '2020-01-01' END > '2000-01-01'",
     "(CASE WHEN c_bool THEN c_date ELSE '2020-01-01'::date END > '2000-01-01'::date)",
     "CASE WHEN c_bool THEN c_date ELSE '2020-01-01'::date END > '2000-01-01'"},
    {"greatest(c_int, 1) > 0", "(GREATEST(c_int, 1) > 0)", "GREATEST(c_int, 1) > 0"},
};

TEST(CanonicalCoercions, MatchTheCatalogSpelling) {
  const ColumnTypes types = column_type;
  for (const auto& [user, catalog, canonical] : kCoercions) {
    EXPECT_EQ(canonical_expr_text(user, types), canonical) << user;
    EXPECT_EQ(canonical_expr_text(catalog, types), canonical) << catalog;
    EXPECT_EQ(canonical_expr_text(canonical, types), canonical) << "idempotent";
  }
}

TEST(CanonicalCoercions, UnknownTypesLeaveTheCallAsWritten) {
  const ColumnTypes types = column_type;
  // a column the lookup does not know, a user type, a user function: nothing is added
  EXPECT_EQ(canonical_expr_text("to_timestamp(c_other) > now()", types),
            "to_timestamp(c_other) > now()");
  EXPECT_EQ(canonical_expr_text("lower(c_mood::text) <> ''", types), "lower(c_mood::text) <> ''");
  EXPECT_EQ(canonical_expr_text("my_func(c_int)", types), "my_func(c_int)");
  // without a lookup (views) columns are of unknown type
  EXPECT_EQ(canonical_expr_text("to_timestamp(c_int) > now()"), "to_timestamp(c_int) > now()");
  // an ambiguous call stays as written
  EXPECT_EQ(canonical_expr_text("date_part('a', '1') > 0", types), "date_part('a', '1') > 0");
}

TEST(CanonicalCoercions, CastsThatChangeTheCallStayApart) {
  const ColumnTypes types = column_type;
  // integer division is not numeric division
  EXPECT_NE(canonical_expr_text("qty / 2 > 0", types), canonical_expr_text("qty / 2.0 > 0", types));
  // round(numeric) is another function than round(double precision)
  EXPECT_NE(canonical_expr_text("round(c_int::numeric) > 0", types),
            canonical_expr_text("round(c_int) > 0", types));
  // date_trunc on timestamp (no time zone) is not date_trunc on timestamptz
  EXPECT_NE(canonical_expr_text("date_trunc('day', c_date::timestamp) < now()", types),
            canonical_expr_text("date_trunc('day', c_date) < now()", types));
}

// Views: the columns of the relations a query reads are typed from the model's tables
// (relations_context), so the same rules apply. The catalog text is pg_get_viewdef(oid, true).
TEST(CanonicalCoercions, InViewsFromTheTablesColumnTypes) {
  const Model model = testing::load_sql_text(
      "CREATE TABLE t (id int, body text, ts timestamptz, d date, v varchar(10), c char(3),"
      " u uuid);"
      "CREATE TABLE o (id int, name varchar(10));");
  const SqlBodyContext relations = relations_context(model, "public");
  struct ViewCase {
    std::string user, catalog, canonical;
  };
  const std::vector<ViewCase> cases = {
      {"SELECT to_timestamp(id) AS a, to_tsvector('simple', body) AS b, "
       "date_trunc('month', d) AS m, lower(v) AS h, lower(c) AS i, round(id) AS k, "
       "array_position(ARRAY[u], 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11') AS s, "
       "to_timestamp(extract(epoch from ts)) AS z FROM t",
       "SELECT to_timestamp(t.id::double precision) AS a,\n"
       "    to_tsvector('simple'::regconfig, t.body) AS b,\n"
       "    date_trunc('month'::text, t.d::timestamp with time zone) AS m,\n"
       "    lower(t.v::text) AS h,\n    lower(t.c::text) AS i,\n"
       "    round(t.id::double precision) AS k,\n"
       "    array_position(ARRAY[t.u], 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid) AS s,\n"
       "    to_timestamp(EXTRACT(epoch FROM t.ts)::double precision) AS z\n   FROM t;",
       "SELECT to_timestamp(id::double precision) AS a, to_tsvector('simple'::regconfig, body) "
       "AS b, date_trunc('month', d::timestamp with time zone) AS m, lower(v) AS h, "
       "lower(c::text) AS i, round(id::double precision) AS k, array_position(ARRAY[u], "
       "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid) AS s, to_timestamp(extract ('epoch' FROM "
       "ts)::double precision) AS z FROM t"},
      {"SELECT to_timestamp(t.id) AS a, lower(o.name) AS b, coalesce(t.d, '2020-01-01') AS c "
       "FROM t JOIN o ON o.id = t.id",
       "SELECT to_timestamp(t.id::double precision) AS a,\n    lower(o.name::text) AS b,\n"
       "    COALESCE(t.d, '2020-01-01'::date) AS c\n   FROM t\n     JOIN o ON o.id = t.id;",
       "SELECT to_timestamp(t.id::double precision) AS a, lower(o.name) AS b, COALESCE(t.d, "
       "'2020-01-01'::date) AS c FROM t JOIN o ON o.id = t.id"},
  };
  for (const ViewCase& c : cases) {
    EXPECT_EQ(canonical_query_text(c.user, relations), c.canonical) << c.user;
    EXPECT_EQ(canonical_query_text(c.catalog, relations), c.canonical) << c.catalog;
    EXPECT_EQ(canonical_query_text(c.canonical, relations), c.canonical) << "idempotent";
  }
  // without the relations the columns' types are unknown: the calls stay as written
  EXPECT_EQ(canonical_query_text("SELECT to_timestamp(id) AS a FROM t"),
            "SELECT to_timestamp(id) AS a FROM t");
}

}  // namespace
}  // namespace pgdrift::schema
