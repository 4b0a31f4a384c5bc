// SQL loader: everything but tables — sequences, types, domains, views, functions, triggers,
// extensions, schemas, policies, grants, DROP and COMMENT. Expected values are what
// PostgreSQL 15 stores in its catalogs for the same statements.
#include <gtest/gtest.h>

#include "schema/sql/loader.h"

namespace pgdrift::schema::sql {
namespace {

Model load(const std::string& sql) {
  Model model;
  std::vector<LoadWarning> warnings;
  apply_sql(model, sql, "test.sql", LoadOptions{}, warnings);
  return model;
}

// The LoadError that loading `sql` raises (fails the test when none is raised).
LoadError load_error(const std::string& sql) {
  try {
    load(sql);
  } catch (const LoadError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << sql;
  return LoadError("", 0, 0, "");
}

template <typename Map>
const typename Map::mapped_type& at(const Map& map, const std::string& key) {
  auto it = map.find(key);
  if (it == map.end()) throw std::runtime_error("missing " + key);
  return it->second;
}

// ---- sequences ------------------------------------------------------------------------------

TEST(SqlLoaderSequence, DefaultsFollowTypeAndIncrementSign) {
  Model m = load(
      "CREATE SEQUENCE up;"
      "CREATE SEQUENCE down AS smallint INCREMENT -2;"
      "CREATE SEQUENCE s2 INCREMENT 5 MINVALUE 10;");
  const SequenceOptions& up = at(m.sequences, "public.up").options;
  EXPECT_EQ(up.data_type, "bigint");
  EXPECT_EQ(up.min_value, 1);
  EXPECT_EQ(up.max_value, INT64_MAX);
  EXPECT_EQ(up.start, 1);
  const SequenceOptions& down = at(m.sequences, "public.down").options;
  EXPECT_EQ(down.data_type, "smallint");
  EXPECT_EQ(down.min_value, -32768);
  EXPECT_EQ(down.max_value, -1);
  EXPECT_EQ(down.start, -1);
  EXPECT_EQ(down.increment, -2);
  const SequenceOptions& s2 = at(m.sequences, "public.s2").options;
  EXPECT_EQ(s2.start, 10);  // start defaults to MINVALUE for ascending sequences
}

TEST(SqlLoaderSequence, ExplicitDefaultsEqualBareSequence) {
  EXPECT_EQ(load("CREATE SEQUENCE s;"),
            load("CREATE SEQUENCE s AS bigint INCREMENT BY 1 NO MINVALUE NO MAXVALUE START WITH 1 "
                 "CACHE 1 NO CYCLE;"));
  EXPECT_EQ(load("CREATE SEQUENCE s AS integer;"),
            load("CREATE SEQUENCE s AS int4 MINVALUE 1 MAXVALUE 2147483647;"));
  EXPECT_NE(load("CREATE SEQUENCE s;"), load("CREATE SEQUENCE s CYCLE;"));
  EXPECT_NE(load("CREATE SEQUENCE s;"), load("CREATE SEQUENCE s CACHE 20;"));
}

TEST(SqlLoaderSequence, AlterTypeMovesDefaultBoundsOnly) {
  // Like PostgreSQL: a bound that was the old type's limit follows the new type.
  Model m = load(
      "CREATE SEQUENCE a AS smallint INCREMENT -2;"
      "CREATE SEQUENCE b INCREMENT 5 MINVALUE 10;"
      "ALTER SEQUENCE a AS integer; ALTER SEQUENCE b AS integer RESTART;");
  EXPECT_EQ(at(m.sequences, "public.a").options.min_value, INT32_MIN);
  EXPECT_EQ(at(m.sequences, "public.a").options.max_value, -1);
  EXPECT_EQ(at(m.sequences, "public.b").options.min_value, 10);
  EXPECT_EQ(at(m.sequences, "public.b").options.max_value, INT32_MAX);
}

TEST(SqlLoaderSequence, OwnedByAndAlter) {
  Model m = load(
      "CREATE TABLE t (id int);"
      "CREATE SEQUENCE s OWNED BY t.id;"
      "CREATE SEQUENCE s2; ALTER SEQUENCE s2 OWNED BY public.t.id INCREMENT 3;"
      "ALTER SEQUENCE s OWNED BY NONE;");
  EXPECT_EQ(at(m.sequences, "public.s").owned_by, "");
  EXPECT_EQ(at(m.sequences, "public.s2").owned_by, "public.t.id");
  EXPECT_EQ(at(m.sequences, "public.s2").options.increment, 3);
}

TEST(SqlLoaderSequence, MissingOwnerAndSequenceFail) {
  EXPECT_NE(std::string(load_error("CREATE SEQUENCE s OWNED BY t.id;").what()).find("\"t\""),
            std::string::npos);
  LoadError e = load_error("CREATE SEQUENCE s;\nALTER SEQUENCE nope INCREMENT 2;");
  EXPECT_EQ(e.line(), 2);
  EXPECT_NE(e.message().find("nope"), std::string::npos);
  EXPECT_NO_THROW(load("ALTER SEQUENCE IF EXISTS nope INCREMENT 2;"));
}

// ---- enums, composite types, domains ------------------------------------------------------

TEST(SqlLoaderTypes, EnumAddAndRenameValue) {
  Model m = load(
      "CREATE TYPE mood AS ENUM ('sad', 'happy');"
      "ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';"
      "ALTER TYPE mood ADD VALUE 'ecstatic' AFTER 'happy';"
      "ALTER TYPE mood ADD VALUE 'angry';"
      "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'sad';"
      "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';");
  EXPECT_EQ(at(m.enums, "public.mood").values,
            (std::vector<std::string>{"sad", "fine", "happy", "ecstatic", "angry"}));
  EXPECT_THROW(load("CREATE TYPE m AS ENUM ('a'); ALTER TYPE m ADD VALUE 'a';"), LoadError);
  EXPECT_THROW(load("CREATE TYPE m AS ENUM ('a'); ALTER TYPE m ADD VALUE 'b' AFTER 'x';"),
               LoadError);
  EXPECT_THROW(load("ALTER TYPE nope ADD VALUE 'b';"), LoadError);
}

TEST(SqlLoaderTypes, CompositeAttributes) {
  Model m =
      load("CREATE SCHEMA app; CREATE TYPE app.pair AS (a int4, b varchar(10) COLLATE \"C\");");
  const CompositeType& t = at(m.composite_types, "app.pair");
  ASSERT_EQ(t.attributes.size(), 2u);
  EXPECT_EQ(t.attributes[0].type, "integer");
  EXPECT_EQ(t.attributes[1].type, "character varying(10)");
  EXPECT_EQ(t.attributes[1].collation, "\"C\"");
  EXPECT_EQ(t.attributes[0].collation, "");
}

TEST(SqlLoaderTypes, DomainChecksGetPostgresNames) {
  Model m = load(
      "CREATE DOMAIN d AS int4 DEFAULT 3 NOT NULL CHECK (VALUE > 0) CHECK (VALUE < 10)"
      " CONSTRAINT d_check2 CHECK (VALUE <> 5);"
      "ALTER DOMAIN d ADD CHECK (VALUE <> 6);");
  const Domain& d = at(m.domains, "public.d");
  EXPECT_EQ(d.base_type, "integer");
  EXPECT_TRUE(d.not_null);
  ASSERT_TRUE(d.default_expr);
  EXPECT_EQ(*d.default_expr, "3");
  std::vector<std::string> names;
  for (const auto& [name, c] : d.checks) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"d_check", "d_check1", "d_check2", "d_check3"}));
}

TEST(SqlLoaderTypes, AlterDomainReplay) {
  Model m = load(
      "CREATE DOMAIN d AS text COLLATE \"C\" DEFAULT 'x' CONSTRAINT len CHECK (length(VALUE) > 1);"
      "ALTER DOMAIN d DROP DEFAULT; ALTER DOMAIN d SET NOT NULL;"
      "ALTER DOMAIN d DROP CONSTRAINT len;"
      "ALTER DOMAIN d ADD CONSTRAINT short CHECK (length(VALUE) < 9) NOT VALID;");
  const Domain& d = at(m.domains, "public.d");
  EXPECT_EQ(d.collation, "\"C\"");
  EXPECT_FALSE(d.default_expr);
  EXPECT_TRUE(d.not_null);
  EXPECT_EQ(d.checks.count("len"), 0u);
  EXPECT_FALSE(at(d.checks, "short").validated);
  Model validated = load(
      "CREATE DOMAIN d AS text;"
      "ALTER DOMAIN d ADD CONSTRAINT short CHECK (length(VALUE) < 9) NOT VALID;"
      "ALTER DOMAIN d VALIDATE CONSTRAINT short;");
  EXPECT_EQ(validated, load("CREATE DOMAIN d AS text CONSTRAINT short CHECK (length(VALUE) < 9);"));
  EXPECT_THROW(load("CREATE DOMAIN d AS int; ALTER DOMAIN d DROP CONSTRAINT nope;"), LoadError);
  EXPECT_NO_THROW(load("CREATE DOMAIN d AS int; ALTER DOMAIN d DROP CONSTRAINT IF EXISTS nope;"));
}

// ---- views ----------------------------------------------------------------------------------

TEST(SqlLoaderView, OptionsAsReloptionsStoreThem) {
  Model m = load(
      "CREATE TABLE t (a int);"
      "CREATE VIEW v1 WITH (security_barrier, check_option = local) AS SELECT a FROM t;"
      "CREATE VIEW v2 AS SELECT a FROM t WITH CHECK OPTION;"
      "CREATE VIEW v3 (x) AS SELECT a FROM t WITH LOCAL CHECK OPTION;");
  const View& v1 = at(m.views, "public.v1");
  EXPECT_EQ(at(v1.options, "security_barrier"), "true");
  EXPECT_EQ(at(v1.options, "check_option"), "local");
  EXPECT_EQ(at(at(m.views, "public.v2").options, "check_option"), "cascaded");
  // PostgreSQL keeps a view's column list as the aliases of its query: so does the loader.
  EXPECT_TRUE(at(m.views, "public.v3").column_names.empty());
  EXPECT_EQ(at(m.views, "public.v3").query,
            load("CREATE TABLE t (a int); CREATE VIEW v3 AS SELECT a AS x FROM t;")
                .views.at("public.v3")
                .query);
  EXPECT_EQ(
      load("CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t WITH LOCAL CHECK OPTION;"),
      load("CREATE TABLE t (a int); CREATE VIEW v WITH (check_option=local) AS SELECT a FROM t;"));
  EXPECT_FALSE(v1.materialized);
}

// ALTER [MATERIALIZED] VIEW ... SET / RESET (ALTER TABLE on a view too) change the reloptions.
TEST(SqlLoaderView, AlterViewSetAndResetOptions) {
  const std::string base =
      "CREATE TABLE t (a int);"
      "CREATE VIEW v WITH (security_barrier) AS SELECT a FROM t WITH LOCAL CHECK OPTION;"
      "CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;";
  Model m = load(base +
                 "ALTER VIEW v SET (security_invoker = on, check_option = cascaded);"
                 "ALTER VIEW v RESET (security_barrier);"
                 "ALTER MATERIALIZED VIEW mv SET (fillfactor = 70);");
  const View& v = at(m.views, "public.v");
  EXPECT_EQ(v.options, (std::map<std::string, std::string>{{"check_option", "cascaded"},
                                                           {"security_invoker", "on"}}));
  EXPECT_EQ(at(at(m.views, "public.mv").options, "fillfactor"), "70");
  EXPECT_EQ(load(base + "ALTER TABLE v RESET (check_option, security_barrier);"),
            load("CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;"
                 "CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;"));
  EXPECT_THROW(load(base + "ALTER VIEW v SET (fillfactor = 70);"), LoadError);
}

TEST(SqlLoaderView, OrReplaceKeepsGrantsAndComment) {
  Model m = load(
      "CREATE TABLE t (a int, b int);"
      "CREATE VIEW v AS SELECT a FROM t; GRANT SELECT ON v TO bob; COMMENT ON VIEW v IS 'c';"
      "CREATE OR REPLACE VIEW v AS SELECT a, b FROM t;");
  const View& v = at(m.views, "public.v");
  EXPECT_EQ(v.query, load("CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a, b FROM t;")
                         .views.at("public.v")
                         .query);
  EXPECT_EQ(v.grants.size(), 1u);
  EXPECT_EQ(v.comment, std::optional<std::string>("c"));
  EXPECT_THROW(load("CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;"
                    "CREATE VIEW v AS SELECT a FROM t;"),
               LoadError);
}

TEST(SqlLoaderView, MaterializedViews) {
  Model m = load(
      "CREATE TABLE t (a int);"
      "CREATE MATERIALIZED VIEW mv (x) WITH (fillfactor = 70) AS SELECT a FROM t WITH NO DATA;"
      "CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1;");
  const View& mv = at(m.views, "public.mv");
  EXPECT_TRUE(mv.materialized);
  EXPECT_FALSE(mv.with_data);
  EXPECT_TRUE(mv.column_names.empty());
  EXPECT_NE(mv.query.find("AS x"), std::string::npos) << mv.query;
  EXPECT_EQ(at(mv.options, "fillfactor"), "70");
  LoadError e = load_error("CREATE TABLE t (a int);\nCREATE TABLE t2 AS SELECT a FROM t;");
  EXPECT_EQ(e.line(), 2);
  EXPECT_NE(e.message().find("CREATE TABLE AS"), std::string::npos);
}

// ---- functions ------------------------------------------------------------------------------

TEST(SqlLoaderFunction, ReturnsAsPgGetFunctionResult) {
  Model m = load(
      "CREATE TABLE users (id int);"
      "CREATE FUNCTION a(int4) RETURNS int4 LANGUAGE sql AS 'select $1';"
      "CREATE FUNCTION b() RETURNS SETOF users LANGUAGE sql AS 'select * from users';"
      "CREATE FUNCTION c(int) RETURNS TABLE(id int, \"Name\" text) LANGUAGE sql AS 'select 1, "
      "null';"
      "CREATE FUNCTION d() RETURNS trigger LANGUAGE plpgsql AS $$begin return new; end$$;"
      "CREATE FUNCTION e(a int, OUT b int, OUT c text) LANGUAGE sql AS 'select 1, null';"
      "CREATE FUNCTION f(a int, OUT b int) LANGUAGE sql AS 'select 1';"
      "CREATE PROCEDURE p(a int) LANGUAGE sql AS 'select 1';");
  EXPECT_EQ(at(m.functions, "public.a(integer)").returns, "integer");
  EXPECT_EQ(at(m.functions, "public.b()").returns, "SETOF public.users");
  EXPECT_EQ(at(m.functions, "public.c(integer)").returns, "TABLE(id integer, \"Name\" text)");
  EXPECT_EQ(at(m.functions, "public.d()").returns, "trigger");
  EXPECT_EQ(at(m.functions, "public.e(integer)").returns, "record");
  EXPECT_EQ(at(m.functions, "public.f(integer)").returns, "integer");
  const Function& p = at(m.functions, "public.p(integer)");
  EXPECT_TRUE(p.procedure);
  EXPECT_EQ(p.returns, "");
}

TEST(SqlLoaderFunction, ArgumentsAttributesAndBody) {
  Model m = load(
      "CREATE FUNCTION f(IN a int, b text DEFAULT 'x', VARIADIC c int[] DEFAULT '{}')"
      " RETURNS int LANGUAGE PLPGSQL IMMUTABLE STRICT SECURITY DEFINER LEAKPROOF PARALLEL SAFE"
      " COST 5 SET search_path = public, pg_temp SET work_mem = '64MB'"
      " AS $$ begin return a; end $$;");
  const Function& f = at(m.functions, "public.f(integer, text, integer[])");
  ASSERT_EQ(f.arguments.size(), 3u);
  EXPECT_EQ(f.arguments[2].mode, "VARIADIC");
  EXPECT_EQ(f.arguments[1].name, "b");
  ASSERT_TRUE(f.arguments[1].default_expr);
  EXPECT_EQ(f.language, "plpgsql");
  EXPECT_EQ(f.body, " begin return a; end ");
  EXPECT_EQ(f.volatility, "IMMUTABLE");
  EXPECT_TRUE(f.strict);
  EXPECT_TRUE(f.security_definer);
  EXPECT_TRUE(f.leakproof);
  EXPECT_EQ(f.parallel, "SAFE");
  EXPECT_EQ(f.cost, 5);
  EXPECT_EQ(at(f.config, "search_path"), "public, pg_temp");
  EXPECT_EQ(at(f.config, "work_mem"), "64MB");
}

// proconfig keeps PostgreSQL's own spelling of the mixed-case settings (TimeZone, DateStyle,
// IntervalStyle), however the SET clause wrote the name.
TEST(SqlLoaderFunction, SettingNamesUseThePostgresSpelling) {
  Model m = load(
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET timezone = 'UTC' SET datestyle = 'ISO'"
      " SET intervalstyle = 'iso_8601' SET work_mem = '1MB' AS 'select 1';"
      "CREATE FUNCTION g() RETURNS int LANGUAGE sql SET TIME ZONE 'UTC' AS 'select 1';");
  EXPECT_EQ(at(m.functions, "public.f()").config,
            (std::map<std::string, std::string>{{"DateStyle", "ISO"},
                                                {"IntervalStyle", "iso_8601"},
                                                {"TimeZone", "UTC"},
                                                {"work_mem", "1MB"}}));
  EXPECT_EQ(at(m.functions, "public.g()").config,
            (std::map<std::string, std::string>{{"TimeZone", "UTC"}}));
}

TEST(SqlLoaderFunction, DefaultCostAndRowsStoreZero) {
  EXPECT_EQ(load("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';"),
            load("CREATE FUNCTION f() RETURNS int LANGUAGE sql VOLATILE CALLED ON NULL INPUT "
                 "SECURITY INVOKER PARALLEL UNSAFE COST 100 AS 'select 1';"));
  EXPECT_EQ(load("CREATE FUNCTION f() RETURNS SETOF int LANGUAGE sql AS 'select 1';"),
            load("CREATE FUNCTION f() RETURNS SETOF int LANGUAGE sql ROWS 1000 AS 'select 1';"));
  Model rows = load("CREATE FUNCTION f() RETURNS SETOF int LANGUAGE sql ROWS 10 AS 'select 1';");
  EXPECT_EQ(at(rows.functions, "public.f()").rows, 10);
  EXPECT_EQ(load("CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURNS NULL ON NULL INPUT AS 'x';"),
            load("CREATE FUNCTION f() RETURNS int LANGUAGE sql STRICT AS 'x';"));
  EXPECT_THROW(load("CREATE FUNCTION f() RETURNS int LANGUAGE sql ROWS 10 AS 'select 1';"),
               LoadError);
}

// prosrc is empty and prosqlbody holds the body: the model keeps its canonical text
// (canonical_sql_body), resolved against the tables loaded before it.
TEST(SqlLoaderFunction, SqlStandardBody) {
  Model m = load(
      "CREATE TABLE t (id int, note text);"
      "CREATE FUNCTION add1(a int) RETURNS int RETURN a + 1;"
      "CREATE PROCEDURE log_it(id int, note text) BEGIN ATOMIC"
      "  INSERT INTO t VALUES (id, note); DELETE FROM t WHERE t.id < log_it.id - 10; END;");
  const Function& f = at(m.functions, "public.add1(integer)");
  EXPECT_EQ(f.language, "sql");
  EXPECT_EQ(f.body, "");
  EXPECT_EQ(f.sql_body, "RETURN a + 1");
  EXPECT_EQ(at(m.functions, "public.log_it(integer, text)").sql_body,
            "BEGIN ATOMIC\n"
            "    INSERT INTO t (id, note) VALUES (log_it.id, log_it.note);\n"
            "    DELETE FROM t WHERE id < (log_it.id - 10);\n"
            "END");
  // The same function as a string body is another function.
  EXPECT_NE(load("CREATE FUNCTION add1(a int) RETURNS int RETURN a + 1;"),
            load("CREATE FUNCTION add1(a int) RETURNS int LANGUAGE sql AS 'RETURN a + 1';"));
  EXPECT_THROW(load("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql RETURN 1;"), LoadError);
}

// Relations of the loader's search schema other than public are written qualified, as
// pg_get_function_sqlbody prints them to the introspector (search_path pg_catalog, public).
TEST(SqlLoaderFunction, SqlStandardBodyQualifiesRelationsOutsidePublic) {
  Model m = load(
      "CREATE SCHEMA app; SET search_path = app;"
      "CREATE TABLE t (id int);"
      "CREATE FUNCTION n() RETURNS bigint RETURN (SELECT count(*) FROM t WHERE t.id > 0);");
  EXPECT_EQ(at(m.functions, "app.n()").sql_body,
            "RETURN (SELECT count(*) FROM app.t WHERE id > 0)");
}

// proconfig stores list settings (GUC_LIST_QUOTE) as quoted identifiers: '' is `""`.
TEST(SqlLoaderFunction, EmptySearchPath) {
  Model m = load(
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path TO '' AS 'select 1';"
      "CREATE FUNCTION g() RETURNS int LANGUAGE sql SET search_path = '', \"$user\", \"My S\""
      " AS 'select 1';");
  EXPECT_EQ(at(at(m.functions, "public.f()").config, "search_path"), "\"\"");
  EXPECT_EQ(at(at(m.functions, "public.g()").config, "search_path"), "\"\", \"$user\", \"My S\"");
}

TEST(SqlLoaderFunction, OrReplaceAndOverloads) {
  Model m = load(
      "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select 1';"
      "CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'select 2';"
      "GRANT EXECUTE ON FUNCTION f(int) TO bob;"
      "CREATE OR REPLACE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select 3';");
  EXPECT_EQ(m.functions.size(), 2u);
  EXPECT_EQ(at(m.functions, "public.f(integer)").body, "select 3");
  EXPECT_EQ(at(m.functions, "public.f(integer)").grants.size(), 1u);
  EXPECT_THROW(load("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';"
                    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';"),
               LoadError);
  // Ambiguous without argument types.
  EXPECT_THROW(load("CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select 1';"
                    "CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'select 2';"
                    "DROP FUNCTION f;"),
               LoadError);
}

TEST(SqlLoaderFunction, AlterFunction) {
  Model m = load(
      "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql SET work_mem = '1MB' AS 'select 1';"
      "ALTER FUNCTION f(integer) STABLE STRICT COST 7 SET search_path = app RESET work_mem;"
      "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'select 1'; ALTER FUNCTION g COST 100;");
  const Function& f = at(m.functions, "public.f(integer)");
  EXPECT_EQ(f.volatility, "STABLE");
  EXPECT_TRUE(f.strict);
  EXPECT_EQ(f.cost, 7);
  EXPECT_EQ(f.config, (std::map<std::string, std::string>{{"search_path", "app"}}));
  EXPECT_EQ(at(m.functions, "public.g()").cost, 0);
  LoadError e = load_error("CREATE TABLE t (a int);\n\nALTER FUNCTION nope() STABLE;");
  EXPECT_EQ(e.line(), 3);
}

// ---- triggers -------------------------------------------------------------------------------

const char* kTriggerSetup =
    "CREATE TABLE t (id int, b text);"
    "CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$begin return new; end$$;";

TEST(SqlLoaderTrigger, Fields) {
  Model m = load(std::string(kTriggerSetup) +
                 "CREATE TRIGGER tt BEFORE UPDATE OF b OR INSERT ON t FOR EACH ROW"
                 " WHEN (new.id > 0) EXECUTE FUNCTION trg('x', 1);"
                 "CREATE CONSTRAINT TRIGGER ct AFTER DELETE ON t DEFERRABLE INITIALLY DEFERRED"
                 " FOR EACH ROW EXECUTE PROCEDURE public.trg();"
                 "CREATE TRIGGER st AFTER INSERT ON t REFERENCING NEW TABLE AS added"
                 " FOR EACH STATEMENT EXECUTE FUNCTION trg();");
  const Table& t = at(m.tables, "public.t");
  const Trigger& tt = at(t.triggers, "tt");
  EXPECT_EQ(tt.timing, "BEFORE");
  EXPECT_EQ(tt.events, (std::vector<std::string>{"INSERT", "UPDATE"}));
  EXPECT_EQ(tt.update_columns, std::vector<std::string>{"b"});
  EXPECT_TRUE(tt.for_each_row);
  EXPECT_FALSE(tt.when_expr.empty());
  EXPECT_EQ(tt.function, "public.trg");
  EXPECT_EQ(tt.arguments, (std::vector<std::string>{"x", "1"}));
  const Trigger& ct = at(t.triggers, "ct");
  EXPECT_TRUE(ct.constraint_trigger);
  EXPECT_TRUE(ct.deferrable);
  EXPECT_TRUE(ct.initially_deferred);
  const Trigger& st = at(t.triggers, "st");
  EXPECT_FALSE(st.for_each_row);
  EXPECT_EQ(st.new_table, "added");
  EXPECT_EQ(st.old_table, "");
}

TEST(SqlLoaderTrigger, ViewsReplaceAndMissingObjects) {
  Model m = load(std::string(kTriggerSetup) +
                 "CREATE VIEW v AS SELECT id FROM t;"
                 "CREATE TRIGGER vt INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION trg();"
                 "CREATE TRIGGER a AFTER INSERT ON t EXECUTE FUNCTION trg();"
                 "CREATE OR REPLACE TRIGGER a AFTER DELETE ON t EXECUTE FUNCTION trg();");
  EXPECT_EQ(at(at(m.views, "public.v").triggers, "vt").timing, "INSTEAD OF");
  EXPECT_EQ(at(at(m.tables, "public.t").triggers, "a").events, std::vector<std::string>{"DELETE"});
  EXPECT_THROW(load(std::string(kTriggerSetup) +
                    "CREATE TRIGGER a AFTER INSERT ON t EXECUTE FUNCTION trg();"
                    "CREATE TRIGGER a AFTER INSERT ON t EXECUTE FUNCTION trg();"),
               LoadError);
  LoadError e = load_error(std::string(kTriggerSetup) +
                           "\nCREATE TRIGGER a AFTER INSERT ON nope EXECUTE FUNCTION trg();");
  EXPECT_EQ(e.line(), 2);
  EXPECT_NE(e.message().find("nope"), std::string::npos);
  EXPECT_THROW(load("CREATE TABLE t (a int); CREATE TRIGGER a AFTER INSERT ON t "
                    "EXECUTE FUNCTION missing();"),
               LoadError);
}

// ---- extensions and schemas -----------------------------------------------------------------

TEST(SqlLoaderSchema, ExtensionsAndSchemas) {
  Model m = load(
      "CREATE SCHEMA ext;"
      "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA ext VERSION '1.3';"
      "CREATE EXTENSION IF NOT EXISTS pgcrypto;"
      "CREATE SCHEMA IF NOT EXISTS ext;"
      "CREATE SCHEMA IF NOT EXISTS public;"
      "CREATE SCHEMA app AUTHORIZATION bob CREATE TABLE z (i int) CREATE VIEW zv AS SELECT i FROM "
      "z;");
  const Extension& e = at(m.extensions, "pgcrypto");
  EXPECT_EQ(e.schema, "ext");
  EXPECT_EQ(e.version, "1.3");
  EXPECT_EQ(m.schemas.count("public"), 0u);
  EXPECT_EQ(m.schemas.count("app"), 1u);
  EXPECT_EQ(m.tables.count("app.z"), 1u);
  EXPECT_EQ(m.views.count("app.zv"), 1u);
  EXPECT_THROW(load("CREATE SCHEMA a; CREATE SCHEMA a;"), LoadError);
  EXPECT_THROW(load("CREATE EXTENSION x; CREATE EXTENSION x;"), LoadError);
}

// ---- policies -------------------------------------------------------------------------------

TEST(SqlLoaderPolicy, CreateAndAlter) {
  Model m = load(
      "CREATE TABLE t (id int, owner text);"
      "CREATE POLICY p ON t AS RESTRICTIVE FOR SELECT TO bob, alice USING (id > 0);"
      "CREATE POLICY q ON t WITH CHECK (owner = current_user);"
      "ALTER POLICY p ON t TO carol;");
  const Table& t = at(m.tables, "public.t");
  const Policy& p = at(t.policies, "p");
  EXPECT_FALSE(p.permissive);
  EXPECT_EQ(p.command, "SELECT");
  EXPECT_EQ(p.roles, std::vector<std::string>{"carol"});
  EXPECT_FALSE(p.using_expr.empty());
  const Policy& q = at(t.policies, "q");
  EXPECT_EQ(q.command, "ALL");
  EXPECT_EQ(q.roles, std::vector<std::string>{"public"});
  EXPECT_TRUE(q.using_expr.empty());
  EXPECT_FALSE(q.check_expr.empty());
  EXPECT_EQ(load("CREATE TABLE t (id int); CREATE POLICY p ON t TO b, a USING (true);"),
            load("CREATE TABLE t (id int); CREATE POLICY p ON t AS PERMISSIVE FOR ALL TO a, b "
                 "USING (true);"));
  LoadError e = load_error("CREATE TABLE t (id int);\nCREATE POLICY p ON nope USING (true);");
  EXPECT_EQ(e.line(), 2);
}

// ---- grants ---------------------------------------------------------------------------------

TEST(SqlLoaderGrant, AllExpandsToConcretePrivileges) {
  EXPECT_EQ(load("CREATE TABLE t (a int); GRANT ALL ON t TO bob;"),
            load("CREATE TABLE t (a int); GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, "
                 "REFERENCES, TRIGGER ON TABLE t TO bob;"));
  EXPECT_EQ(load("CREATE SEQUENCE s; GRANT ALL PRIVILEGES ON SEQUENCE s TO bob;"),
            load("CREATE SEQUENCE s; GRANT USAGE, SELECT, UPDATE ON SEQUENCE s TO bob;"));
  EXPECT_EQ(load("CREATE SCHEMA a; GRANT ALL ON SCHEMA a TO bob;"),
            load("CREATE SCHEMA a; GRANT CREATE, USAGE ON SCHEMA a TO bob;"));
  Model m = load("CREATE TABLE t (a int); GRANT ALL ON t TO bob;");
  EXPECT_EQ(at(m.tables, "public.t").grants.size(), 7u);
  EXPECT_TRUE(std::is_sorted(at(m.tables, "public.t").grants.begin(),
                             at(m.tables, "public.t").grants.end()));
}

TEST(SqlLoaderGrant, ColumnsGrantOptionAndRevoke) {
  Model m = load(
      "CREATE TABLE t (a int, b int);"
      "GRANT SELECT (b), SELECT (a) ON t TO carol WITH GRANT OPTION;"
      "GRANT SELECT, UPDATE ON t TO PUBLIC;"
      "REVOKE UPDATE ON t FROM PUBLIC;"
      "GRANT INSERT ON t TO bob WITH GRANT OPTION; REVOKE GRANT OPTION FOR INSERT ON t FROM bob;"
      "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select 1';"
      "GRANT EXECUTE ON FUNCTION f(integer) TO app; GRANT ALL ON FUNCTION f TO app2;"
      "REVOKE ALL ON FUNCTION f(int) FROM app;");
  const auto& grants = at(m.tables, "public.t").grants;
  // In ACL order: the table's grantees as first granted (PUBLIC, bob), then the columns' ACLs
  // (carol), as PostgreSQL keeps them and pg_dump prints them.
  std::vector<Grant> expected = {
      {"PUBLIC", "SELECT", {}, false},
      {"bob", "INSERT", {}, false},
      {"carol", "SELECT", {"a", "b"}, true},
  };
  EXPECT_EQ(grants, expected);
  const auto& fgrants = at(m.functions, "public.f(integer)").grants;
  ASSERT_EQ(fgrants.size(), 1u);
  EXPECT_EQ(fgrants[0].grantee, "app2");
  EXPECT_EQ(fgrants[0].privilege, "EXECUTE");
}

TEST(SqlLoaderGrant, TableGrantOnSequenceKeepsSequencePrivileges) {
  // PostgreSQL warns about INSERT and grants only SELECT.
  Model model;
  std::vector<LoadWarning> warnings;
  apply_sql(model, "CREATE SEQUENCE s; GRANT SELECT, INSERT ON TABLE s TO bob;", "test.sql", {},
            warnings);
  EXPECT_EQ(model.sequences.at("public.s").grants,
            (std::vector<Grant>{{"bob", "SELECT", {}, false}}));
  EXPECT_EQ(warnings.size(), 1u);
  EXPECT_EQ(load("CREATE SEQUENCE s; GRANT ALL ON s TO bob;"),
            load("CREATE SEQUENCE s; GRANT ALL ON SEQUENCE s TO bob;"));
}

TEST(SqlLoaderGrant, ErrorsAndUnsupported) {
  LoadError e = load_error("CREATE TABLE t (a int);\nGRANT SELECT ON nope TO bob;");
  EXPECT_EQ(e.line(), 2);
  EXPECT_THROW(load("CREATE TABLE t (a int); GRANT SELECT (zz) ON t TO bob;"), LoadError);
  EXPECT_THROW(load("CREATE TABLE t (a int); GRANT EXECUTE ON t TO bob;"), LoadError);
  EXPECT_THROW(load("GRANT SELECT ON ALL TABLES IN SCHEMA public TO bob;"), LoadError);
  Model model;
  std::vector<LoadWarning> warnings;
  LoadOptions skip;
  skip.skip_unsupported = true;
  apply_sql(model, "GRANT CONNECT ON DATABASE d TO bob;", "test.sql", skip, warnings);
  EXPECT_EQ(warnings.size(), 1u);
}

// ---- drop -----------------------------------------------------------------------------------

TEST(SqlLoaderDrop, EveryKind) {
  std::string setup =
      "CREATE SCHEMA app; CREATE TABLE t (id serial PRIMARY KEY, b text);"
      "CREATE INDEX t_b ON t (b); CREATE VIEW v AS SELECT id FROM t;"
      "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t; CREATE SEQUENCE s;"
      "CREATE TYPE e AS ENUM ('x'); CREATE TYPE c AS (a int); CREATE DOMAIN d AS int;"
      "CREATE FUNCTION f(int) RETURNS trigger LANGUAGE plpgsql AS 'begin end';"
      "CREATE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS 'begin end';"
      "CREATE PROCEDURE p() LANGUAGE sql AS 'select 1';"
      "CREATE TRIGGER tr AFTER INSERT ON t EXECUTE FUNCTION g();"
      "CREATE POLICY po ON t USING (true); CREATE EXTENSION hstore;";
  Model m = load(setup +
                 "DROP INDEX t_b; DROP VIEW v; DROP MATERIALIZED VIEW mv; DROP SEQUENCE s;"
                 "DROP TYPE e, c; DROP DOMAIN d; DROP FUNCTION f(integer); DROP PROCEDURE p;"
                 "DROP TRIGGER tr ON t; DROP POLICY po ON t; DROP EXTENSION hstore;"
                 "DROP SCHEMA app; DROP FUNCTION g;");
  EXPECT_EQ(m, load("CREATE TABLE t (id serial PRIMARY KEY, b text);"));
  Model no_table = load(setup + "DROP VIEW v; DROP MATERIALIZED VIEW mv; DROP TABLE t;");
  // The serial's owned sequence goes with the table.
  EXPECT_EQ(no_table.sequences.count("public.t_id_seq"), 0u);
  EXPECT_EQ(no_table.sequences.count("public.s"), 1u);
}

TEST(SqlLoaderDrop, MissingObjectsAndIfExists) {
  LoadError e = load_error("CREATE TABLE t (a int);\n  DROP TABLE nope;");
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.column(), 3);
  EXPECT_NE(e.message().find("nope"), std::string::npos);
  EXPECT_NO_THROW(load(
      "DROP TABLE IF EXISTS a; DROP VIEW IF EXISTS a; DROP INDEX IF EXISTS a;"
      "DROP SEQUENCE IF EXISTS a; DROP TYPE IF EXISTS a; DROP FUNCTION IF EXISTS a(int);"
      "DROP TRIGGER IF EXISTS a ON b; DROP POLICY IF EXISTS a ON b; DROP SCHEMA IF EXISTS a;"
      "DROP EXTENSION IF EXISTS a; DROP DOMAIN IF EXISTS a; DROP MATERIALIZED VIEW IF EXISTS a;"));
  EXPECT_THROW(load("CREATE MATERIALIZED VIEW mv AS SELECT 1; DROP VIEW mv;"), LoadError);
  EXPECT_THROW(load("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';"
                    "DROP PROCEDURE f;"),
               LoadError);
}

TEST(SqlLoaderDrop, SchemaCascadeAndForeignKeys) {
  EXPECT_THROW(load("CREATE SCHEMA a; CREATE TABLE a.t (i int); DROP SCHEMA a;"), LoadError);
  Model m = load(
      "CREATE SCHEMA a; CREATE TABLE a.t (i int); CREATE TYPE a.e AS ENUM ('x');"
      "CREATE TABLE keep (i int); DROP SCHEMA a CASCADE;");
  EXPECT_EQ(m, load("CREATE TABLE keep (i int);"));
  std::string fk = "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p);";
  EXPECT_THROW(load(fk + "DROP TABLE p;"), LoadError);
  EXPECT_EQ(load(fk + "DROP TABLE p CASCADE;"), load("CREATE TABLE c (p int);"));
  EXPECT_EQ(load(fk + "DROP TABLE p, c;"), Model{});
}

// ---- comments -------------------------------------------------------------------------------

TEST(SqlLoaderComment, EveryKindAndRemoval) {
  Model m = load(
      "CREATE SCHEMA app; CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY, b text);"
      "CREATE INDEX t_b ON t (b); CREATE VIEW v AS SELECT id FROM t; CREATE SEQUENCE s;"
      "CREATE TYPE e AS ENUM ('x'); CREATE DOMAIN d AS int CONSTRAINT pos CHECK (VALUE > 0);"
      "CREATE FUNCTION f(int) RETURNS trigger LANGUAGE plpgsql AS 'begin end';"
      "CREATE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS 'begin end';"
      "CREATE TRIGGER tr AFTER INSERT ON t EXECUTE FUNCTION g();"
      "CREATE POLICY po ON t USING (true); CREATE EXTENSION hstore;"
      "COMMENT ON TABLE t IS 'table'; COMMENT ON COLUMN t.b IS 'col';"
      "COMMENT ON VIEW v IS 'view'; COMMENT ON INDEX t_b IS 'index';"
      "COMMENT ON SEQUENCE s IS 'seq'; COMMENT ON TYPE e IS 'enum'; COMMENT ON DOMAIN d IS 'dom';"
      "COMMENT ON FUNCTION f(int) IS 'fn'; COMMENT ON TRIGGER tr ON t IS 'trg';"
      "COMMENT ON POLICY po ON t IS 'pol'; COMMENT ON CONSTRAINT t_pk ON t IS 'pk';"
      "COMMENT ON CONSTRAINT pos ON DOMAIN d IS 'check'; COMMENT ON SCHEMA app IS 'schema';"
      "COMMENT ON EXTENSION hstore IS 'ext';");
  const Table& t = at(m.tables, "public.t");
  EXPECT_EQ(t.comment, std::optional<std::string>("table"));
  EXPECT_EQ(t.columns[1].comment, std::optional<std::string>("col"));
  EXPECT_EQ(at(m.views, "public.v").comment, std::optional<std::string>("view"));
  EXPECT_EQ(at(t.indexes, "t_b").comment, std::optional<std::string>("index"));
  EXPECT_EQ(at(m.sequences, "public.s").comment, std::optional<std::string>("seq"));
  EXPECT_EQ(at(m.enums, "public.e").comment, std::optional<std::string>("enum"));
  EXPECT_EQ(at(m.domains, "public.d").comment, std::optional<std::string>("dom"));
  EXPECT_EQ(at(m.functions, "public.f(integer)").comment, std::optional<std::string>("fn"));
  EXPECT_EQ(at(t.triggers, "tr").comment, std::optional<std::string>("trg"));
  EXPECT_EQ(at(t.policies, "po").comment, std::optional<std::string>("pol"));
  EXPECT_EQ(at(t.constraints, "t_pk").comment, std::optional<std::string>("pk"));
  EXPECT_EQ(at(at(m.domains, "public.d").checks, "pos").comment,
            std::optional<std::string>("check"));
  EXPECT_EQ(at(m.schemas, "app").comment, std::optional<std::string>("schema"));
  EXPECT_EQ(at(m.extensions, "hstore").comment, std::optional<std::string>("ext"));

  EXPECT_EQ(load("CREATE TABLE t (a int); COMMENT ON TABLE t IS 'x'; COMMENT ON TABLE t IS NULL;"),
            load("CREATE TABLE t (a int);"));
  EXPECT_EQ(
      load("CREATE TABLE t (a int); COMMENT ON COLUMN t.a IS 'x'; COMMENT ON COLUMN t.a IS '';"),
      load("CREATE TABLE t (a int);"));
  LoadError e = load_error("CREATE TABLE t (a int);\nCOMMENT ON COLUMN t.nope IS 'x';");
  EXPECT_EQ(e.line(), 2);
  EXPECT_NE(e.message().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace pgdrift::schema::sql
