// The one object filter (schema/filter.h): psql name patterns, pg_dump's selection rules for
// -n / -N / -t / -T, and the include patterns that matched nothing. The expected selections
// were checked against pg_dump 15 on the same objects.
#include "schema/filter.h"

#include <gtest/gtest.h>

#include "schema/sql/loader.h"

namespace pgdrift::schema {
namespace {

Model load(const std::string& sql) {
  Model model;
  std::vector<sql::LoadWarning> warnings;
  sql::apply_sql(model, sql, "test.sql", {}, warnings);
  return model;
}

// Schemas app, app_x, "App" and public; a serial table, a view, a free sequence, a type, a
// function and extensions in public (pgcrypto) and in app (hstore).
const char* kSql =
    "CREATE SCHEMA app; CREATE SCHEMA app_x; CREATE SCHEMA \"App\";\n"
    "CREATE EXTENSION pgcrypto; CREATE EXTENSION hstore SCHEMA app;\n"
    "CREATE TABLE app.users (id serial, a int); CREATE TABLE public.users (id int);\n"
    "CREATE TABLE app_x.t (a int); CREATE TABLE \"App\".x (a int); CREATE TABLE app.\"Users\" (a "
    "int);\n"
    "CREATE VIEW app.v AS SELECT a FROM app.users; CREATE SEQUENCE app.free_seq;\n"
    "CREATE TYPE app.e AS ENUM ('a');\n"
    "CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'select 1';\n";

struct Selected {
  Model model;
  UnmatchedPatterns unmatched;
};

Selected select(const SchemaFilter& filter) {
  Selected s{load(kSql), {}};
  s.unmatched = filter_schemas(s.model, filter);
  return s;
}

std::vector<std::string> keys(const Model& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m.schemas) out.push_back("schema " + k);
  for (const auto& [k, v] : m.extensions) out.push_back("extension " + k);
  for (const auto& [k, v] : m.tables) out.push_back("table " + k);
  for (const auto& [k, v] : m.views) out.push_back("view " + k);
  for (const auto& [k, v] : m.sequences) out.push_back("sequence " + k);
  for (const auto& [k, v] : m.enums) out.push_back("type " + k);
  for (const auto& [k, v] : m.functions) out.push_back("function " + k);
  return out;
}

using Keys = std::vector<std::string>;

// ---- patterns --------------------------------------------------------------------------------

TEST(NamePattern, WildcardsCaseAndQuotesAsPsql) {
  auto schema = [](const std::string& pattern, const std::string& name) {
    return NamePattern(pattern, "--schema", false).matches_schema(name);
  };
  EXPECT_TRUE(schema("app", "app"));
  EXPECT_FALSE(schema("app", "app_x"));  // the whole name
  EXPECT_TRUE(schema("app*", "app_x"));
  EXPECT_TRUE(schema("app*", "app"));
  EXPECT_TRUE(schema("a?p", "app"));
  EXPECT_FALSE(schema("a?p", "ap"));
  EXPECT_TRUE(schema("APP", "app"));  // unquoted letters fold to lower case
  EXPECT_FALSE(schema("APP", "APP"));
  EXPECT_TRUE(schema("\"App\"", "App"));
  EXPECT_FALSE(schema("\"App\"", "app"));
  EXPECT_TRUE(schema("\"a*\"", "a*"));  // quoted: exact, no wildcard
  EXPECT_FALSE(schema("\"a*\"", "ab"));
  EXPECT_TRUE(schema("\"a.b\"", "a.b"));  // a dot inside quotes is part of the name
  EXPECT_TRUE(schema("\"say \"\"hi\"\"\"", "say \"hi\""));
  EXPECT_TRUE(schema("app|app_x", "app_x"));  // regular expressions outside quotes
  EXPECT_TRUE(schema("app_[0-9]", "app_7"));
  EXPECT_FALSE(schema("app_[0-9]", "app_x"));
  EXPECT_TRUE(schema("a$b", "a$b"));         // $ is literal
  EXPECT_TRUE(schema("ap\"p\"*", "app_x"));  // quoted and unquoted parts mix
}

TEST(NamePattern, TablePatternsAreSchemaDotTableOrPublic) {
  auto table = [](const std::string& pattern, const std::string& schema, const std::string& name) {
    return NamePattern(pattern, "--table", true).matches(schema, name);
  };
  EXPECT_TRUE(table("users", "public", "users"));
  EXPECT_FALSE(table("users", "app", "users"));  // unqualified: the default schema
  EXPECT_TRUE(table("app.users", "app", "users"));
  EXPECT_TRUE(table("app.*", "app", "Users"));
  EXPECT_TRUE(table("*.users", "app", "users"));
  EXPECT_TRUE(table("app.\"Users\"", "app", "Users"));
  EXPECT_FALSE(table("app.Users", "app", "Users"));
  EXPECT_TRUE(table("app.Users", "app", "users"));
  EXPECT_TRUE(table("app_?.t", "app_x", "t"));
}

TEST(NamePattern, BadPatternsAreErrorsNamingTheOption) {
  try {
    NamePattern("app.x", "--schema", false);
    FAIL() << "a schema pattern with a dot";
  } catch (const PatternError& e) {
    EXPECT_NE(std::string(e.what()).find("--schema 'app.x'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(NamePattern("db.app.t", "--table", true), PatternError);
  EXPECT_THROW(NamePattern("app_[", "--schema", false), PatternError);
  EXPECT_THROW(NamePattern("app_(x", "--schema", false), PatternError);
  EXPECT_NO_THROW(NamePattern("\"app_[\"", "--schema", false));
  SchemaFilter filter;
  filter.exclude_tables = {"a.b.c"};
  Model m;
  EXPECT_THROW(filter_schemas(m, filter), PatternError);
}

// ---- selection -------------------------------------------------------------------------------

TEST(FilterSchemas, EmptyFilterKeepsEverything) {
  Selected all = select({});
  EXPECT_EQ(all.model, load(kSql));
  EXPECT_TRUE(all.unmatched.empty());
}

TEST(FilterSchemas, SchemaPatternsSelectWholeSchemasAndTheirExtensions) {
  SchemaFilter filter;
  filter.include_schemas = {"app"};
  EXPECT_EQ(keys(select(filter).model),
            (Keys{"schema app", "extension hstore", "table app.\"Users\"", "table app.users",
                  "view app.v", "sequence app.free_seq", "sequence app.users_id_seq", "type app.e",
                  "function app.f()"}));
  // pgcrypto, installed in public, is out on both sides of a comparison.
  filter.include_schemas = {"app*"};
  Selected both = select(filter);
  EXPECT_EQ(both.model.schemas.size(), 2u);
  EXPECT_EQ(both.model.tables.count("app_x.t"), 1u);
  EXPECT_EQ(both.model.extensions.count("pgcrypto"), 0u);
  filter.include_schemas = {"public"};
  EXPECT_EQ(keys(select(filter).model), (Keys{"extension pgcrypto", "table public.users"}));
}

TEST(FilterSchemas, ExcludedSchemasAndTables) {
  SchemaFilter filter;
  filter.exclude_schemas = {"app*", "\"App\""};
  EXPECT_EQ(keys(select(filter).model), (Keys{"extension pgcrypto", "table public.users"}));
  // -n app -T app.users: the serial's sequence goes with its table (pg_dump keeps it, without
  // OWNED BY; here an owned sequence always follows its table).
  filter = {};
  filter.include_schemas = {"app"};
  filter.exclude_tables = {"app.users"};
  EXPECT_EQ(keys(select(filter).model),
            (Keys{"schema app", "extension hstore", "table app.\"Users\"", "view app.v",
                  "sequence app.free_seq", "type app.e", "function app.f()"}));
  filter.exclude_tables = {"app.v", "app.free_seq"};  // views and sequences are relations too
  Model m = select(filter).model;
  EXPECT_EQ(m.views.size(), 0u);
  EXPECT_EQ(m.sequences.size(), 1u);  // app.users_id_seq, owned by a kept table
}

TEST(FilterSchemas, TablePatternsSelectOnlyRelationsAndOwnedSequences) {
  SchemaFilter filter;
  filter.include_tables = {"app.users"};
  filter.exclude_schemas = {"app"};  // no effect with --table, as in pg_dump
  EXPECT_EQ(keys(select(filter).model), (Keys{"table app.users", "sequence app.users_id_seq"}));
  filter = {};
  filter.include_tables = {"users"};
  EXPECT_EQ(keys(select(filter).model), (Keys{"table public.users"}));
  filter.include_tables = {"app.*"};
  filter.exclude_tables = {"app.\"Users\""};
  EXPECT_EQ(keys(select(filter).model),
            (Keys{"table app.users", "view app.v", "sequence app.free_seq",
                  "sequence app.users_id_seq"}));
}

TEST(FilterSchemas, IncludePatternsThatMatchNothingAreReported) {
  SchemaFilter filter;
  filter.include_schemas = {"app", "nosuch", "public", "App"};
  Selected s = select(filter);
  EXPECT_EQ(s.unmatched.patterns, (std::vector<std::string>{"--schema 'nosuch'"}));
  EXPECT_EQ(s.model.schemas.count("app"), 1u);  // the others still select
  // public always exists, even in an empty model.
  Model empty;
  filter.include_schemas = {"public"};
  EXPECT_TRUE(filter_schemas(empty, filter).empty());
  // An empty schema counts; exclude patterns never need to match.
  filter = {};
  filter.include_schemas = {"app_x"};
  filter.exclude_schemas = {"nosuch"};
  filter.exclude_tables = {"nosuch.t"};
  EXPECT_TRUE(select(filter).unmatched.empty());
  filter = {};
  filter.include_tables = {"app.nosuch", "app.v", "users"};
  filter.include_schemas = {"nosuch"};  // no effect with --table: not checked
  EXPECT_EQ(select(filter).unmatched.patterns, (std::vector<std::string>{"--table 'app.nosuch'"}));
}

TEST(ObjectSelection, SchemasTheIntrospectorReads) {
  SchemaFilter filter;
  filter.include_schemas = {"app*"};
  filter.exclude_schemas = {"app_x"};
  ObjectSelection schemas(filter);
  EXPECT_TRUE(schemas.may_select_in("app"));
  EXPECT_FALSE(schemas.may_select_in("app_x"));
  EXPECT_FALSE(schemas.may_select_in("public"));
  filter.include_tables = {"users", "app_x.t*"};
  ObjectSelection tables(filter);
  EXPECT_TRUE(tables.may_select_in("public"));
  EXPECT_TRUE(tables.may_select_in("app_x"));  // --exclude-schema has no effect with --table
  EXPECT_FALSE(tables.may_select_in("app"));
  EXPECT_TRUE(ObjectSelection({}).may_select_in("anything"));
}

}  // namespace
}  // namespace pgdrift::schema
