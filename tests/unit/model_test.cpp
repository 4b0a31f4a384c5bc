#include "schema/model.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace pgdrift::schema {
namespace {

Column make_column(const std::string& name, const std::string& type) {
  Column c;
  c.name = name;
  c.type = type;
  return c;
}

TEST(Model, QualifiedKeyQuotesLikePostgres) {
  EXPECT_EQ(qualified_key("public", "users"), "public.users");
  EXPECT_EQ(qualified_key("MyApp", "order"), "\"MyApp\".\"order\"");
}

Function make_function() {
  Function f;
  f.schema = "public";
  f.name = "add";
  f.arguments = {{"IN", "a", "integer", std::nullopt},
                 {"OUT", "total", "bigint", std::nullopt},
                 {"INOUT", "b", "text", std::nullopt},
                 {"VARIADIC", "rest", "integer[]", std::nullopt},
                 {"TABLE", "r", "text", std::nullopt}};
  return f;
}

TEST(Model, IdentityArgumentsSkipOutAndTableColumns) {
  Function f = make_function();
  EXPECT_EQ(f.identity_arguments(), "integer, text, integer[]");
  EXPECT_EQ(function_key(f), "public.add(integer, text, integer[])");
  f.arguments.clear();
  EXPECT_EQ(function_key(f), "public.add()");
}

TEST(Model, GrantOrderIsTotal) {
  Grant a{"alice", "SELECT", {}, false};
  Grant b{"alice", "UPDATE", {}, false};
  Grant c{"bob", "INSERT", {}, false};
  Grant d{"alice", "SELECT", {}, true};
  Grant e{"alice", "SELECT", {"id"}, false};
  std::vector<Grant> grants = {c, d, b, e, a};
  std::sort(grants.begin(), grants.end());
  EXPECT_EQ(grants, (std::vector<Grant>{a, d, e, b, c}));
  EXPECT_FALSE(a < a);
}

TEST(Model, StripGrantsClearsEveryObject) {
  Model m;
  Grant g{"app", "SELECT", {}, false};
  m.schemas["app"].grants = {g};
  Table t;
  t.schema = "public";
  t.name = "users";
  t.grants = {g};
  t.columns.push_back(make_column("id", "integer"));
  t.columns[0].grants = {g};
  m.tables[qualified_key(t.schema, t.name)] = t;
  m.views["public.v"].grants = {g};
  m.sequences["public.s"].grants = {g};
  m.functions["public.f()"].grants = {g};
  Model without = m;
  strip_privileges(without);
  EXPECT_NE(without, m);
  EXPECT_TRUE(without.schemas["app"].grants.empty());
  EXPECT_TRUE(without.tables["public.users"].grants.empty());
  EXPECT_TRUE(without.tables["public.users"].columns[0].grants.empty());
  EXPECT_TRUE(without.views["public.v"].grants.empty());
  EXPECT_TRUE(without.sequences["public.s"].grants.empty());
  EXPECT_TRUE(without.functions["public.f()"].grants.empty());
}

TEST(Model, FindColumn) {
  Table t;
  t.columns.push_back(make_column("id", "integer"));
  t.columns.push_back(make_column("name", "text"));
  ASSERT_NE(t.find_column("name"), nullptr);
  EXPECT_EQ(t.find_column("name")->type, "text");
  EXPECT_EQ(t.find_column("missing"), nullptr);
  t.find_column("id")->not_null = true;
  const Table& ct = t;
  EXPECT_TRUE(ct.find_column("id")->not_null);
}

TEST(Model, LocationNeverMakesObjectsDifferent) {
  Column a = make_column("id", "integer");
  Column b = a;
  b.location = {"schema.sql", 12};
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace pgdrift::schema
