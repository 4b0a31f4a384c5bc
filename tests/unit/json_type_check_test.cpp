// Types in a JSON model are checked when it is read (issue 18 item 5): a type that neither
// PostgreSQL has built in nor the model defines is an error naming its JSON path
// (schema::undefined_type, the one check; docs/json-model.md "Types"), and the types a model
// cannot describe (extensions', those of schemas a filter left out) are accepted. Through the
// binary: tests/integration/inspect_cli_test.cpp (JsonModelWithUnknownTypeExitsTwo).
#include <gtest/gtest.h>

#include <functional>

#include "schema/json.h"
#include "tests/support/fixtures.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::schema {
namespace {

using nlohmann::json;

// The JSON of `sql` loaded, changed by `edit`; the error model_from_json throws ("" = none).
template <class Edit>
std::string read_error(const std::string& sql, Edit edit) {
  json j = model_to_json(testing::load_sql_text(sql));
  edit(j);
  try {
    model_from_json(j);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

const std::string kSchema = R"(
  CREATE SCHEMA app;
  CREATE TYPE app.mood AS ENUM ('sad', 'ok');
  CREATE TYPE app.pair AS (a integer, b text);
  CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
  CREATE SEQUENCE app.seq AS bigint;
  CREATE TABLE public.t (id integer PRIMARY KEY, name text, born date, tags text[],
                         id2 bigint GENERATED ALWAYS AS IDENTITY);
  CREATE VIEW public.v AS SELECT id FROM public.t;
  CREATE FUNCTION app.f(a integer, b text) RETURNS integer LANGUAGE sql AS 'SELECT a';
  CREATE FUNCTION app.rows(n integer) RETURNS TABLE (x integer, y text) LANGUAGE sql
    AS 'SELECT 1, ''a''';
  CREATE AGGREGATE app.total(integer) (SFUNC = int4pl, STYPE = integer);
)";

TEST(JsonTypeCheck, AnUnknownTypeIsAnErrorWithItsPath) {
  EXPECT_EQ(
      read_error(kSchema, [](json& j) { j["tables"]["public.t"]["columns"][2]["type"] = "uuuid"; }),
      "invalid pgdrift model JSON at $.tables[\"public.t\"].columns[2].type: unknown type "
      "\"uuuid\" (neither built in nor schema-qualified)");

  struct Case {
    std::string where;  // the JSON path named
    std::function<void(json&)> edit;
    std::string why;
  };
  const std::vector<Case> cases = {
      {"$.tables[\"public.t\"].columns[3].type",
       [](json& j) { j["tables"]["public.t"]["columns"][3]["type"] = "uuuid[]"; },
       "unknown type \"uuuid[]\" (neither built in nor schema-qualified)"},
      {"$.tables[\"public.t\"].columns[1].type",
       [](json& j) { j["tables"]["public.t"]["columns"][1]["type"] = "app.moood"; },
       "unknown type \"app.moood\""},
      {"$.tables[\"public.t\"].columns[1].type",
       [](json& j) { j["tables"]["public.t"]["columns"][1]["type"] = "mood"; },
       "unknown type \"mood\" (the model's type is written \"app.mood\")"},
      {"$.tables[\"public.t\"].columns[1].type",
       [](json& j) { j["tables"]["public.t"]["columns"][1]["type"] = "pg_catalog.uuuid"; },
       "unknown type \"pg_catalog.uuuid\""},
      {"$.tables[\"public.t\"].columns[1].type",
       [](json& j) { j["tables"]["public.t"]["columns"][1]["type"] = "integer integer"; },
       "not a type: \"integer integer\""},
      {"$.tables[\"public.t\"].columns[4].identity_options.data_type",
       [](json& j) {
         j["tables"]["public.t"]["columns"][4]["identity_options"]["data_type"] = "bigintt";
       },
       "unknown type \"bigintt\" (neither built in nor schema-qualified)"},
      {"$.composite_types[\"app.pair\"].attributes[1].type",
       [](json& j) { j["composite_types"]["app.pair"]["attributes"][1]["type"] = "txet"; },
       "unknown type \"txet\" (neither built in nor schema-qualified)"},
      {"$.domains[\"app.positive\"].base_type",
       [](json& j) { j["domains"]["app.positive"]["base_type"] = "app.nope"; },
       "unknown type \"app.nope\""},
      {"$.sequences[\"app.seq\"].options.data_type",
       [](json& j) { j["sequences"]["app.seq"]["options"]["data_type"] = "int16"; },
       "unknown type \"int16\" (neither built in nor schema-qualified)"},
      {"$.functions[\"app.f(integer, text)\"].returns",
       [](json& j) { j["functions"]["app.f(integer, text)"]["returns"] = "SETOF app.nope"; },
       "unknown type \"SETOF app.nope\""},
      {"$.aggregates[\"app.total(integer)\"].state_type",
       [](json& j) { j["aggregates"]["app.total(integer)"]["state_type"] = "app.nope"; },
       "unknown type \"app.nope\""},
  };
  for (const auto& c : cases)
    EXPECT_EQ(read_error(kSchema, c.edit),
              "invalid pgdrift model JSON at " + c.where + ": " + c.why)
        << c.where;

  // A function argument: its type is in the function's key too, so the key is changed with it.
  json j = model_to_json(testing::load_sql_text(kSchema));
  json f = j["functions"]["app.f(integer, text)"];
  f["arguments"][1]["type"] = "app.nope";
  j["functions"].erase("app.f(integer, text)");
  j["functions"]["app.f(integer, app.nope)"] = f;
  try {
    model_from_json(j);
    ADD_FAILURE() << "an unknown argument type was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "invalid pgdrift model JSON at $.functions[\"app.f(integer, app.nope)\"]"
              ".arguments[1].type: unknown type \"app.nope\"");
  }
}

TEST(JsonTypeCheck, KnownTypesAreAccepted) {
  // Built in (every spelling format_type prints), the model's own (enums, composite types,
  // domains, row types of tables, views and sequences), pseudo types, catalog row types (also
  // as the canonical form spells them: public.pg_stat_activity).
  const std::vector<std::string> types = {"integer",
                                          "character varying(20)[]",
                                          "timestamp(3) with time zone",
                                          "\"char\"",
                                          "interval day to second(3)",
                                          "bit varying(5)",
                                          "double precision",
                                          "numeric(12,2)",
                                          "bpchar",
                                          "jsonb[]",
                                          "app.mood",
                                          "app.mood[]",
                                          "app.pair",
                                          "app.positive",
                                          "public.t",
                                          "public.v[]",
                                          "app.seq",
                                          "pg_stat_activity",
                                          "SETOF public.pg_stat_activity",
                                          "pg_catalog.int4",
                                          "pg_catalog.pg_class",
                                          "SETOF integer",
                                          "trigger",
                                          "void",
                                          "record",
                                          "\"any\"",
                                          "anyelement"};
  for (const auto& type : types)
    EXPECT_EQ(
        read_error(kSchema, [&](json& j) { j["tables"]["public.t"]["columns"][1]["type"] = type; }),
        "")
        << type;
  // RETURNS TABLE (...): its columns are the TABLE arguments, checked as such.
  EXPECT_EQ(read_error(kSchema, [](json&) {}), "");
}

TEST(JsonTypeCheck, TypesTheModelCannotDescribeAreAccepted) {
  // A shipped extension: the types it creates in its schema, no others.
  const std::string citext = "CREATE EXTENSION citext; CREATE TABLE t (id int, email text);";
  auto email = [&](const std::string& type) {
    return read_error(citext,
                      [&](json& j) { j["tables"]["public.t"]["columns"][1]["type"] = type; });
  };
  EXPECT_EQ(email("public.citext"), "");
  EXPECT_EQ(email("public.citext[]"), "");
  EXPECT_NE(email("public.citxt"), "");
  // An extension PostgreSQL does not ship (PostGIS): any type of its schema.
  const std::string postgis =
      "CREATE SCHEMA gis; CREATE EXTENSION postgis WITH SCHEMA gis;"
      "CREATE TABLE t (id int, shape text);";
  EXPECT_EQ(
      read_error(postgis,
                 [](json& j) { j["tables"]["public.t"]["columns"][1]["type"] = "gis.geometry"; }),
      "");
  // A schema whose schema-level objects the model does not hold (filtered out, or never
  // selected: `inspect --table`, `--schema app`): its types are not checked.
  const std::string tables_only = "CREATE TABLE t (id int, kind text);";
  auto kind = [&](const std::string& type) {
    return read_error(tables_only,
                      [&](json& j) { j["tables"]["public.t"]["columns"][1]["type"] = type; });
  };
  EXPECT_EQ(kind("shared.kind"), "");
  EXPECT_EQ(kind("public.kind"), "");
  EXPECT_EQ(kind("information_schema.sql_identifier"), "");
  // Unqualified and not built in is never a type, filtered or not.
  EXPECT_NE(kind("kind"), "");
}

TEST(JsonTypeCheck, FilesNameTheFileAndTheCheckCanBeLeftOut) {
  json j = model_to_json(testing::load_sql_text(kSchema));
  j["tables"]["public.t"]["columns"][2]["type"] = "uuuid";
  testing::TempDir tmp;
  const std::string file = tmp.write("model.json", j.dump(2));
  try {
    load_model_json_file(file);
    ADD_FAILURE() << "uuuid was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), file +
                                         ": invalid pgdrift model JSON at $.tables[\"public.t\"]."
                                         "columns[2].type: unknown type \"uuuid\" (neither built "
                                         "in nor schema-qualified)");
  }
  // A model pgdrift recorded from a database (apply's source model) is read as written.
  EXPECT_EQ(model_from_json(j, false).tables.at("public.t").columns[2].type, "uuuid");
}

}  // namespace
}  // namespace pgdrift::schema
