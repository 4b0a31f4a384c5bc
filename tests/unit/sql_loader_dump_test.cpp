// SQL loader: pg_dump's output as a desired schema. psql meta-commands (\restrict, \connect,
// ...), pg_dump's `SELECT pg_catalog.set_config('search_path', ...)`, schema public's comment and
// privileges, extensions WITH SCHEMA public and their own comments.
#include <gtest/gtest.h>

#include "schema/sql/loader.h"
#include "schema/sql/psql_meta.h"

namespace pgdrift::schema::sql {
namespace {

struct Loaded {
  Model model;
  std::vector<LoadWarning> warnings;
};

Loaded load(const std::string& sql, bool skip_unsupported = false) {
  Loaded loaded;
  LoadOptions options;
  options.skip_unsupported = skip_unsupported;
  apply_sql(loaded.model, sql, "dump.sql", options, loaded.warnings);
  return loaded;
}

LoadError load_error(const std::string& sql) {
  try {
    load(sql);
  } catch (const LoadError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << sql;
  return LoadError("", 0, 0, "");
}

// ---- psql meta-commands ----------------------------------------------------------------------

TEST(PsqlMetaCommands, FoundOutsideLiteralsAndBlankedInPlace) {
  std::string text =
      "\\restrict abc\n"
      "CREATE TABLE t (a text DEFAULT 'x\\y', b text DEFAULT E'\\'\\\\', \"c\\\" int);\n"
      "-- \\connect in a comment\n"
      "/* \\connect /* nested */ still comment */\n"
      "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$ SELECT '\\n' $body$;\n"
      "CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $$ SELECT $1 $$; \\connect other\n"
      "\\unrestrict abc\n";
  const std::string original = text;
  const std::vector<MetaCommand> commands = blank_meta_commands(text);
  ASSERT_EQ(commands.size(), 3u);
  EXPECT_EQ(commands[0].name, "restrict");
  EXPECT_EQ(commands[0].offset, 0);
  EXPECT_EQ(commands[1].name, "connect");
  EXPECT_EQ(commands[1].offset, static_cast<int>(original.find("\\connect other")));
  EXPECT_EQ(commands[2].name, "unrestrict");
  // Same length and line breaks; only the meta-commands became spaces.
  ASSERT_EQ(text.size(), original.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (original[i] == '\n') {
      EXPECT_EQ(text[i], '\n') << i;
    }
  }
  EXPECT_EQ(text.find("\\restrict"), std::string::npos);
  EXPECT_EQ(text.find("\\connect other"), std::string::npos);
  EXPECT_NE(text.find("'x\\y'"), std::string::npos);
  EXPECT_NE(text.find("-- \\connect in a comment"), std::string::npos);
  EXPECT_NE(text.find("$$ SELECT $1 $$;"), std::string::npos);
}

TEST(PsqlMetaCommands, NameEndsAtSpaceOrBackslash) {
  std::string text = "\\.\n\\set ON_ERROR_STOP on\n\\x\\g\n";
  const std::vector<MetaCommand> commands = blank_meta_commands(text);
  ASSERT_EQ(commands.size(), 3u);
  EXPECT_EQ(commands[0].name, ".");
  EXPECT_EQ(commands[1].name, "set");
  EXPECT_EQ(commands[2].name, "x");  // the rest of the line goes with it
  EXPECT_EQ(text, "  \n" + std::string(21, ' ') + "\n" + std::string(4, ' ') + "\n");
}

TEST(SqlLoaderDump, RestrictAndUnrestrictAreSkipped) {
  Loaded loaded = load(
      "--\n-- PostgreSQL database dump\n--\n\n"
      "\\restrict TlaEt6GdmuCNHWBtl6VldvFEMqKRwjKxNemlzE4dJ7Br1dJi7AdGYYZUbHbLTow\n\n"
      "CREATE TABLE public.t (a integer);\n"
      "\\unrestrict TlaEt6GdmuCNHWBtl6VldvFEMqKRwjKxNemlzE4dJ7Br1dJi7AdGYYZUbHbLTow\n");
  EXPECT_TRUE(loaded.warnings.empty());
  EXPECT_EQ(loaded.model.tables.count("public.t"), 1u);
}

TEST(SqlLoaderDump, OtherMetaCommandsAreUnsupportedWithTheirLocation) {
  LoadError e = load_error(
      "\\restrict k\nCREATE TABLE t (a int);\n\n  \\connect -reuse-previous=on \"dbname='x'\"\n"
      "CREATE TABLE u (a int);\n");
  EXPECT_EQ(e.file(), "dump.sql");
  EXPECT_EQ(e.line(), 4);
  EXPECT_EQ(e.column(), 3);
  EXPECT_NE(e.message().find("psql meta-command \\connect"), std::string::npos) << e.message();
  EXPECT_EQ(std::string(e.what()).rfind("dump.sql:4:3: not supported: ", 0), 0u) << e.what();
  // At the very start of the file and after the last statement, too.
  EXPECT_EQ(load_error("\\set ON_ERROR_STOP on\nCREATE TABLE t (a int);").line(), 1);
  LoadError last = load_error("CREATE TABLE t (a int);\n\\gexec");
  EXPECT_EQ(last.line(), 2);
  EXPECT_EQ(last.column(), 1);
}

TEST(SqlLoaderDump, MetaCommandsComeInFileOrder) {
  // The missing table of line 3 is reported, not the meta-command of line 4.
  LoadError e = load_error("CREATE TABLE t (a int);\n\n ALTER TABLE x ADD b int;\n\\connect db\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(e.message().find("does not exist"), std::string::npos) << e.message();
}

TEST(SqlLoaderDump, SkipUnsupportedListsMetaCommandsAsWarnings) {
  Loaded loaded = load("CREATE TABLE t (a int);\n\\connect other\nCREATE TABLE u (a int);\n", true);
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_EQ(loaded.warnings[0].where.line, 2);
  EXPECT_EQ(loaded.warnings[0].column, 1);
  EXPECT_NE(loaded.warnings[0].message.find("\\connect"), std::string::npos);
  EXPECT_EQ(loaded.model.tables.size(), 2u);
}

TEST(SqlLoaderDump, SyntaxErrorsKeepTheirColumnsAfterAMetaCommand) {
  LoadError e = load_error("\\restrict k\nCREATE TABLE t (a int,, b int);\n");
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.column(), 23);
  EXPECT_NE(e.message().find("syntax error"), std::string::npos);
}

// ---- set_config('search_path', ...)
// --------------------------------------------------------------

TEST(SqlLoaderDump, SetConfigSearchPathSetsTheSchemaOfUnqualifiedNames) {
  Model m = load(
                "CREATE SCHEMA app;\n"
                "SELECT pg_catalog.set_config('search_path', 'app, public', false);\n"
                "CREATE TABLE t (a int);\n"
                "SELECT set_config('search_path', '\"$user\", public', false);\n"
                "CREATE TABLE u (a int);\n")
                .model;
  EXPECT_EQ(m.tables.count("app.t"), 1u);
  EXPECT_EQ(m.tables.count("public.u"), 1u);
}

TEST(SqlLoaderDump, EmptySearchPathKeepsTheSchemaOfUnqualifiedNames) {
  // pg_dump's set_config('search_path', '', false): it qualifies every name it writes, so the
  // setting names no schema for the loader; unqualified names keep the schema they had.
  Loaded loaded = load(
      "SELECT pg_catalog.set_config('search_path', '', false);\n"
      "CREATE TYPE public.mood AS ENUM ('a');\n"
      "CREATE TABLE public.t (m public.mood DEFAULT 'a'::public.mood);\n"
      "CREATE TABLE u (a int);\n");
  EXPECT_TRUE(loaded.warnings.empty());
  EXPECT_EQ(loaded.model.tables.count("public.u"), 1u);
  const Column& m = loaded.model.tables.at("public.t").columns.at(0);
  EXPECT_EQ(m.type, "public.mood");
  EXPECT_EQ(m.default_expr, "'a'::public.mood");
}

TEST(SqlLoaderDump, OtherSelectsAreStillUnsupported) {
  EXPECT_NE(load_error("SELECT pg_catalog.set_config('search_path', '', false), now();")
                .message()
                .find("SelectStmt"),
            std::string::npos);
  EXPECT_NE(load_error("SELECT 1 FROM pg_class;").message().find("SelectStmt"), std::string::npos);
}

// ---- schema public ---------------------------------------------------------------------------

TEST(SqlLoaderDump, SchemaPublicCommentAndPrivilegesAreNotModelled) {
  // pg_dump -n public writes all of this for an untouched public schema; a changed one gets the
  // same statements with other values. Neither source models them: the introspector never reads
  // them, the loader says so when it meets something other than initdb's comment.
  Loaded untouched = load(
      "CREATE SCHEMA public;\nALTER SCHEMA public OWNER TO pg_database_owner;\n"
      "COMMENT ON SCHEMA public IS 'standard public schema';\nCREATE TABLE public.t (a int);\n");
  EXPECT_TRUE(untouched.warnings.empty());
  EXPECT_TRUE(untouched.model.schemas.empty());
  EXPECT_EQ(untouched.model.tables.count("public.t"), 1u);

  Loaded changed = load(
      "COMMENT ON SCHEMA public IS '';\nREVOKE USAGE ON SCHEMA public FROM PUBLIC;\n"
      "GRANT CREATE ON SCHEMA public TO app;\n");
  EXPECT_TRUE(changed.model.schemas.empty());
  ASSERT_EQ(changed.warnings.size(), 3u);
  EXPECT_EQ(changed.warnings[0].where.line, 1);
  EXPECT_NE(changed.warnings[0].message.find("COMMENT ON SCHEMA public ignored"),
            std::string::npos);
  EXPECT_EQ(changed.warnings[2].where.line, 3);
  EXPECT_NE(changed.warnings[2].message.find("schema public ignored"), std::string::npos);
}

// ---- extensions ------------------------------------------------------------------------------

TEST(SqlLoaderDump, ExtensionWithSchemaPublicIsTheDefault) {
  Model dumped = load("CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;").model;
  Model written = load("CREATE EXTENSION pgcrypto;").model;
  EXPECT_EQ(dumped.extensions.at("pgcrypto").schema, "");
  EXPECT_EQ(dumped, written);
  Model elsewhere = load("CREATE SCHEMA ext; CREATE EXTENSION pgcrypto SCHEMA ext;").model;
  EXPECT_EQ(elsewhere.extensions.at("pgcrypto").schema, "ext");
}

TEST(SqlLoaderDump, ExtensionControlFileCommentIsNotStored) {
  // pg_dump writes the comment CREATE EXTENSION set from the control file; it is not a user's
  // (the introspector leaves it out too). Any other comment is kept.
  Model dumped = load(
                     "CREATE EXTENSION pgcrypto WITH SCHEMA public;\n"
                     "COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';\n"
                     "CREATE EXTENSION \"uuid-ossp\";\n"
                     "COMMENT ON EXTENSION \"uuid-ossp\" IS 'generate universally unique "
                     "identifiers (UUIDs)';\n")
                     .model;
  EXPECT_EQ(dumped.extensions.at("pgcrypto").comment, std::nullopt);
  EXPECT_EQ(dumped.extensions.at("uuid-ossp").comment, std::nullopt);
  Model own = load(
                  "CREATE EXTENSION pgcrypto;\nCOMMENT ON EXTENSION pgcrypto IS 'hashes';\n"
                  "CREATE EXTENSION hstore;\n"
                  "COMMENT ON EXTENSION hstore IS 'cryptographic functions';\n")
                  .model;
  EXPECT_EQ(own.extensions.at("pgcrypto").comment, "hashes");
  EXPECT_EQ(own.extensions.at("hstore").comment, "cryptographic functions");
}

}  // namespace
}  // namespace pgdrift::schema::sql
