// SQL loader: tables, columns, constraints, generated names, indexes and ALTER replay.
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

const Table& table_of(const Model& m, const std::string& key) {
  auto it = m.tables.find(key);
  if (it == m.tables.end()) throw std::runtime_error("no table " + key);
  return it->second;
}

TEST(SqlLoaderTable, IntegerSpellingsAreEqual) {
  EXPECT_EQ(load("CREATE TABLE t (a int);"), load("CREATE TABLE t (a integer);"));
  EXPECT_EQ(load("CREATE TABLE t (a int4);"), load("CREATE TABLE t (a integer);"));
  EXPECT_EQ(table_of(load("CREATE TABLE t (a int4);"), "public.t").columns[0].type, "integer");
}

TEST(SqlLoaderTable, QuotedLowerCaseIdentifiersEqualUnquoted) {
  EXPECT_EQ(load("CREATE TABLE \"t\" (\"a\" text);"), load("CREATE TABLE T (A text);"));
  EXPECT_NE(load("CREATE TABLE \"T\" (a text);"), load("CREATE TABLE t (a text);"));
}

TEST(SqlLoaderTable, ParenthesisedDefaultIsEqual) {
  EXPECT_EQ(load("CREATE TABLE t (a int DEFAULT (0));"), load("CREATE TABLE t (a int DEFAULT 0);"));
}

// PostgreSQL stores no default for DEFAULT NULL (nor for SET DEFAULT NULL).
TEST(SqlLoaderTable, DefaultNullIsNoDefault) {
  EXPECT_EQ(load("CREATE TABLE t (a int DEFAULT NULL);"), load("CREATE TABLE t (a int);"));
  EXPECT_EQ(load("CREATE TABLE t (a text DEFAULT 'x'); ALTER TABLE t ALTER a SET DEFAULT NULL;"),
            load("CREATE TABLE t (a text);"));
  EXPECT_NE(load("CREATE TABLE t (a int DEFAULT 0);"), load("CREATE TABLE t (a int);"));
}

// PostgreSQL keeps a NULL default when it is not a bare NULL constant once cooked: a type with
// a length coercion (varchar(16), numeric(10,2), bit(8), timestamp(3)) or a cast to another
// type. Checked against pg_attrdef on PostgreSQL 15.
TEST(SqlLoaderTable, NullDefaultsPostgresStores) {
  auto default_of = [](const std::string& column) {
    Model m = load("CREATE TABLE t (" + column + ");");
    return table_of(m, "public.t").columns.at(0).default_expr;
  };
  EXPECT_EQ(default_of("a varchar(16) DEFAULT NULL"), "NULL");
  EXPECT_EQ(default_of("a numeric(10,2) DEFAULT NULL"), "NULL::numeric");
  EXPECT_EQ(default_of("a bit(8) DEFAULT NULL"), "NULL::\"bit\"");
  EXPECT_EQ(default_of("a varchar(16)[] DEFAULT NULL"), "NULL::varchar[]");
  EXPECT_EQ(default_of("a varchar(16) DEFAULT NULL::varchar(16)"), "NULL");
  EXPECT_EQ(default_of("a text DEFAULT NULL::varchar"), "NULL");
  EXPECT_EQ(default_of("a numeric DEFAULT NULL::integer"), "NULL::int");
  // Not stored: a NULL constant of the column type.
  EXPECT_EQ(default_of("a varchar DEFAULT NULL"), std::nullopt);
  EXPECT_EQ(default_of("a numeric DEFAULT NULL"), std::nullopt);
  EXPECT_EQ(default_of("a interval year DEFAULT NULL"), std::nullopt);
  EXPECT_EQ(default_of("a text DEFAULT NULL::text"), std::nullopt);
  EXPECT_EQ(default_of("a integer DEFAULT NULL::int4"), std::nullopt);
  EXPECT_EQ(load("CREATE TABLE t (a varchar(3)); ALTER TABLE t ALTER a SET DEFAULT NULL;"),
            load("CREATE TABLE t (a varchar(3) DEFAULT NULL::varchar);"));
}

// pg_get_indexdef leaves out an operator class that is its type's default (opcdefault).
TEST(SqlLoaderTable, DefaultOperatorClassesAreLeftOut) {
  const std::string table = "CREATE TABLE t (a text, b int[]);";
  EXPECT_EQ(load(table + "CREATE INDEX i ON t (a text_ops);"),
            load(table + "CREATE INDEX i ON t (a);"));
  EXPECT_EQ(load(table + "CREATE INDEX i ON t USING gin (b array_ops);"),
            load(table + "CREATE INDEX i ON t USING gin (b);"));
  EXPECT_NE(load(table + "CREATE INDEX i ON t (a text_pattern_ops);"),
            load(table + "CREATE INDEX i ON t (a);"));
  Model m = load(table + "CREATE INDEX i ON t (a text_pattern_ops);");
  EXPECT_EQ(table_of(m, "public.t").indexes.at("i").keys.at(0).opclass, "text_pattern_ops");
}

// WITH (...) on CREATE INDEX is kept as pg_class.reloptions of the index stores it.
TEST(SqlLoaderTable, IndexStorageParameters) {
  const std::string table = "CREATE TABLE t (a text);";
  Model m =
      load(table + "CREATE INDEX i ON t (a) WITH (fillfactor = 70, deduplicate_items = off);");
  EXPECT_EQ(
      table_of(m, "public.t").indexes.at("i").options,
      (std::map<std::string, std::string>{{"deduplicate_items", "off"}, {"fillfactor", "70"}}));
  EXPECT_NE(load(table + "CREATE INDEX i ON t (a) WITH (fillfactor = 70);"),
            load(table + "CREATE INDEX i ON t (a);"));
  EXPECT_NE(load(table + "CREATE INDEX i ON t (a) WITH (fillfactor = 70);"),
            load(table + "CREATE INDEX i ON t (a) WITH (fillfactor = 80);"));
}

TEST(SqlLoaderTable, DifferentTypeModifiersAreUnequal) {
  EXPECT_NE(load("CREATE TABLE t (a numeric(12,2));"), load("CREATE TABLE t (a numeric(12,3));"));
  EXPECT_NE(load("CREATE TABLE t (a varchar(20));"), load("CREATE TABLE t (a varchar(30));"));
  EXPECT_NE(load("CREATE TABLE t (a int CHECK (a > 0));"),
            load("CREATE TABLE t (a int CHECK (a > 1));"));
}

TEST(SqlLoaderTable, GeneratedConstraintNamesMatchPostgres) {
  Model m = load(
      "CREATE TABLE p (id int PRIMARY KEY);"
      "CREATE TABLE t (id int PRIMARY KEY, a int UNIQUE, b int, c int REFERENCES p,"
      " CHECK (a > 0), CHECK (a > b), UNIQUE (a, b) INCLUDE (c), UNIQUE (a));");
  const Table& t = table_of(m, "public.t");
  for (const char* name :
       {"t_pkey", "t_a_key", "t_c_fkey", "t_a_check", "t_check", "t_a_b_c_key", "t_a_key1"})
    EXPECT_EQ(t.constraints.count(name), 1u) << name;
  EXPECT_EQ(t.constraints.at("t_c_fkey").foreign_key->ref_columns, std::vector<std::string>{"id"});
  // PRIMARY KEY implies NOT NULL.
  EXPECT_TRUE(t.columns[0].not_null);
}

TEST(SqlLoaderTable, UnnamedConstraintsEqualExplicitlyNamedOnes) {
  EXPECT_EQ(load("CREATE TABLE t (id int PRIMARY KEY, a int UNIQUE CHECK (a > 0));"),
            load("CREATE TABLE t (id int, a int, CONSTRAINT t_pkey PRIMARY KEY (id),"
                 " CONSTRAINT t_a_key UNIQUE (a), CONSTRAINT t_a_check CHECK (a > 0));"));
}

TEST(SqlLoaderTable, LongNamesAreTruncatedLikeMakeObjectName) {
  const std::string table(40, 't');
  const std::string column(40, 'c');
  Model m = load("CREATE TABLE " + table + " (" + column + " int UNIQUE);");
  // 63 bytes: "_key" (4) + "_" (1) leaves 58, split 29 / 29 between the two names.
  const std::string expected = std::string(29, 't') + "_" + std::string(29, 'c') + "_key";
  EXPECT_EQ(table_of(m, "public." + table).constraints.count(expected), 1u);
}

TEST(SqlLoaderTable, SerialExpandsToSequenceAndDefault) {
  Model m = load("CREATE TABLE t (id serial, big bigserial);");
  const Table& t = table_of(m, "public.t");
  EXPECT_EQ(t.columns[0].type, "integer");
  EXPECT_TRUE(t.columns[0].not_null);
  ASSERT_TRUE(t.columns[0].default_expr.has_value());
  EXPECT_NE(t.columns[0].default_expr->find("t_id_seq"), std::string::npos);
  ASSERT_EQ(m.sequences.count("public.t_id_seq"), 1u);
  const Sequence& seq = m.sequences.at("public.t_id_seq");
  EXPECT_EQ(seq.options.data_type, "integer");
  EXPECT_EQ(seq.options.max_value, 2147483647);
  EXPECT_EQ(seq.owned_by, "public.t.id");
  EXPECT_EQ(m.sequences.at("public.t_big_seq").options.max_value, INT64_MAX);
  EXPECT_EQ(t.columns[1].type, "bigint");
}

TEST(SqlLoaderTable, SerialEqualsExplicitSequence) {
  EXPECT_EQ(load("CREATE TABLE t (id serial);"),
            load("CREATE SEQUENCE t_id_seq AS integer;"
                 "CREATE TABLE t (id integer NOT NULL DEFAULT nextval('t_id_seq'::regclass));"
                 "ALTER SEQUENCE t_id_seq OWNED BY t.id;"));
}

TEST(SqlLoaderTable, IdentityOptionsGetTypeDefaults) {
  Model m = load(
      "CREATE TABLE t (a smallint GENERATED ALWAYS AS IDENTITY,"
      " b int GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY -1));");
  const Table& t = table_of(m, "public.t");
  EXPECT_EQ(t.columns[0].identity, IdentityKind::Always);
  EXPECT_EQ(t.columns[0].identity_options->max_value, 32767);
  EXPECT_EQ(t.columns[0].identity_options->start, 1);
  EXPECT_EQ(t.columns[1].identity, IdentityKind::ByDefault);
  EXPECT_EQ(t.columns[1].identity_options->max_value, -1);
  EXPECT_EQ(t.columns[1].identity_options->min_value, INT32_MIN);
  EXPECT_EQ(t.columns[1].identity_options->start, -1);
}

TEST(SqlLoaderTable, PartitionsAndBounds) {
  Model m = load(
      "CREATE TABLE m (id int, d date, r text) PARTITION BY RANGE (d);"
      "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO (MAXVALUE);"
      "CREATE TABLE l (r text) PARTITION BY LIST (r);"
      "CREATE TABLE l1 PARTITION OF l FOR VALUES IN ('a', 'b');"
      "CREATE TABLE l2 PARTITION OF l DEFAULT;"
      "CREATE TABLE h (id bigint) PARTITION BY HASH (id);"
      "CREATE TABLE h1 PARTITION OF h FOR VALUES WITH (MODULUS 4, REMAINDER 1);");
  EXPECT_EQ(table_of(m, "public.m").partition_key, "RANGE (d)");
  EXPECT_EQ(table_of(m, "public.m").kind, TableKind::Partitioned);
  EXPECT_EQ(table_of(m, "public.m1").partition_bound,
            "FOR VALUES FROM ('2024-01-01') TO (MAXVALUE)");
  EXPECT_EQ(table_of(m, "public.m1").partition_of, "public.m");
  EXPECT_EQ(table_of(m, "public.m1").columns.size(), 3u);
  EXPECT_EQ(table_of(m, "public.l1").partition_bound, "FOR VALUES IN ('a', 'b')");
  EXPECT_EQ(table_of(m, "public.l2").partition_bound, "DEFAULT");
  EXPECT_EQ(table_of(m, "public.h1").partition_bound, "FOR VALUES WITH (modulus 4, remainder 1)");
}

TEST(SqlLoaderTable, IndexesGetPostgresNamesAndEffectiveNullsOrder) {
  Model m = load(
      "CREATE TABLE t (a int, b text);"
      "CREATE INDEX ON t (a DESC, lower(b)) INCLUDE (b) WHERE a > 0;"
      "CREATE UNIQUE INDEX named ON t USING btree (a NULLS FIRST);");
  const Table& t = table_of(m, "public.t");
  ASSERT_EQ(t.indexes.count("t_a_lower_b_idx"), 1u);
  const Index& i = t.indexes.at("t_a_lower_b_idx");
  EXPECT_TRUE(i.keys[0].descending);
  EXPECT_TRUE(i.keys[0].nulls_first);
  EXPECT_FALSE(i.keys[1].expr.empty());
  EXPECT_EQ(i.include, std::vector<std::string>{"b"});
  EXPECT_FALSE(i.where_expr.empty());
  EXPECT_TRUE(t.indexes.at("named").unique);
  EXPECT_TRUE(t.indexes.at("named").keys[0].nulls_first);
}

TEST(SqlLoaderTable, AlterReplay) {
  Model m = load(
      "CREATE TABLE p (id bigint PRIMARY KEY);"
      "CREATE TABLE t (id int, a int CONSTRAINT a_positive CHECK (a > 0), b text);"
      "ALTER TABLE t ADD COLUMN c varchar(10) NOT NULL DEFAULT 'x';"
      "ALTER TABLE t ALTER COLUMN id TYPE bigint;"
      "ALTER TABLE t ADD CONSTRAINT t_p FOREIGN KEY (id) REFERENCES p (id) NOT VALID;"
      "ALTER TABLE t RENAME COLUMN b TO body;"
      "ALTER TABLE t DROP CONSTRAINT a_positive;"
      "ALTER TABLE t ALTER COLUMN a SET NOT NULL, ALTER COLUMN c DROP DEFAULT;");
  const Table& t = table_of(m, "public.t");
  ASSERT_EQ(t.columns.size(), 4u);
  EXPECT_EQ(t.columns[0].type, "bigint");
  EXPECT_TRUE(t.columns[1].not_null);
  EXPECT_EQ(t.columns[2].name, "body");
  EXPECT_EQ(t.columns[3].type, "character varying(10)");
  EXPECT_TRUE(t.columns[3].not_null);
  EXPECT_FALSE(t.columns[3].default_expr.has_value());
  EXPECT_EQ(t.constraints.count("a_positive"), 0u);
  ASSERT_EQ(t.constraints.count("t_p"), 1u);
  EXPECT_FALSE(t.constraints.at("t_p").validated);
  EXPECT_EQ(t.constraints.at("t_p").foreign_key->ref_table, "public.p");
}

TEST(SqlLoaderTable, DropColumnDropsItsConstraintsAndIndexes) {
  Model m = load(
      "CREATE TABLE t (a int UNIQUE, b int CHECK (b > 0), c int);"
      "CREATE INDEX ON t (b, c);"
      "ALTER TABLE t DROP COLUMN b;");
  const Table& t = table_of(m, "public.t");
  EXPECT_EQ(t.constraints.count("t_b_check"), 0u);
  EXPECT_EQ(t.constraints.count("t_a_key"), 1u);
  EXPECT_TRUE(t.indexes.empty());
}

TEST(SqlLoaderTable, RenameTableUpdatesReferences) {
  Model m = load(
      "CREATE TABLE p (id serial PRIMARY KEY);"
      "CREATE TABLE c (p_id int REFERENCES p);"
      "ALTER TABLE p RENAME TO parent;");
  EXPECT_EQ(m.tables.count("public.p"), 0u);
  EXPECT_EQ(table_of(m, "public.parent").name, "parent");
  EXPECT_EQ(table_of(m, "public.c").constraints.at("c_p_id_fkey").foreign_key->ref_table,
            "public.parent");
  EXPECT_EQ(m.sequences.at("public.p_id_seq").owned_by, "public.parent.id");
}

TEST(SqlLoaderTable, SearchPathChangesTheDefaultSchema) {
  Model m = load(
      "CREATE SCHEMA app; SET search_path = app, public; CREATE TABLE t (a int);"
      "SELECT pg_catalog.set_config('search_path', '', false); CREATE TABLE public.u (a int);");
  EXPECT_EQ(m.tables.count("app.t"), 1u);
  EXPECT_EQ(m.tables.count("public.u"), 1u);
}

// ALTER TABLE ... REPLICA IDENTITY, as pg_class.relreplident; USING INDEX names a unique index,
// standalone or a PRIMARY KEY / UNIQUE constraint's.
TEST(SqlLoaderTable, ReplicaIdentity) {
  const std::string base =
      "CREATE TABLE t (id int PRIMARY KEY, code text NOT NULL);"
      "CREATE UNIQUE INDEX t_code ON t (code); CREATE INDEX t_id ON t (id);";
  auto identity_of = [&](const std::string& alter) {
    const Model m = load(base + alter);  // alive while `t` is read
    const Table& t = table_of(m, "public.t");
    return std::string(1, t.replica_identity) + ":" + t.replica_identity_index;
  };
  EXPECT_EQ(identity_of(""), "d:");
  EXPECT_EQ(identity_of("ALTER TABLE t REPLICA IDENTITY FULL;"), "f:");
  EXPECT_EQ(identity_of("ALTER TABLE t REPLICA IDENTITY NOTHING;"), "n:");
  EXPECT_EQ(identity_of("ALTER TABLE t REPLICA IDENTITY USING INDEX t_code;"), "i:t_code");
  EXPECT_EQ(identity_of("ALTER TABLE t REPLICA IDENTITY USING INDEX t_pkey;"), "i:t_pkey");
  EXPECT_EQ(identity_of("ALTER TABLE t REPLICA IDENTITY USING INDEX t_code;"
                        "ALTER TABLE t REPLICA IDENTITY DEFAULT;"),
            "d:");
  // The identity follows its index's renames; PostgreSQL keeps 'i' once the index is dropped,
  // which behaves as NOTHING (and is read as NOTHING from the catalog).
  EXPECT_EQ(identity_of("ALTER TABLE t REPLICA IDENTITY USING INDEX t_code;"
                        "ALTER INDEX t_code RENAME TO t_code2;"),
            "i:t_code2");
  EXPECT_EQ(identity_of("ALTER TABLE t REPLICA IDENTITY USING INDEX t_pkey;"
                        "ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_key;"),
            "i:t_key");
  EXPECT_EQ(identity_of("ALTER TABLE t REPLICA IDENTITY USING INDEX t_code; DROP INDEX t_code;"),
            "n:");
  EXPECT_EQ(identity_of("ALTER TABLE t REPLICA IDENTITY USING INDEX t_code;"
                        "ALTER TABLE t DROP COLUMN code;"),
            "n:");
  EXPECT_EQ(identity_of("ALTER TABLE t REPLICA IDENTITY USING INDEX t_pkey;"
                        "ALTER TABLE t DROP CONSTRAINT t_pkey;"),
            "n:");
  EXPECT_THROW(load(base + "ALTER TABLE t REPLICA IDENTITY USING INDEX t_id;"), LoadError);
  EXPECT_THROW(load(base + "ALTER TABLE t REPLICA IDENTITY USING INDEX nope;"), LoadError);
}

// ALTER TABLE ... ENABLE / DISABLE [REPLICA | ALWAYS] TRIGGER, as pg_trigger.tgenabled; TRIGGER
// USER sets every (user) trigger of the table.
TEST(SqlLoaderTable, TriggerStates) {
  const std::string base =
      "CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS "
      "'begin return new; end'; CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW EXECUTE "
      "FUNCTION f(); CREATE TRIGGER y AFTER DELETE ON t FOR EACH ROW EXECUTE FUNCTION f();";
  auto states_of = [&](const std::string& alter) {
    const Model m = load(base + alter);  // alive while `t` is read
    const Table& t = table_of(m, "public.t");
    return std::string{t.triggers.at("x").enabled, t.triggers.at("y").enabled};
  };
  EXPECT_EQ(states_of(""), "OO");
  EXPECT_EQ(states_of("ALTER TABLE t DISABLE TRIGGER x;"), "DO");
  EXPECT_EQ(states_of("ALTER TABLE t ENABLE REPLICA TRIGGER y;"), "OR");
  EXPECT_EQ(states_of("ALTER TABLE t ENABLE ALWAYS TRIGGER x;"), "AO");
  EXPECT_EQ(states_of("ALTER TABLE t DISABLE TRIGGER x; ALTER TABLE t ENABLE TRIGGER x;"), "OO");
  EXPECT_EQ(states_of("ALTER TABLE t DISABLE TRIGGER USER;"), "DD");
  EXPECT_EQ(states_of("ALTER TABLE t DISABLE TRIGGER USER; ALTER TABLE t ENABLE TRIGGER USER;"),
            "OO");
  EXPECT_THROW(load(base + "ALTER TABLE t DISABLE TRIGGER nope;"), LoadError);
}

// CREATE TABLE ... (LIKE source ...) as PostgreSQL 15 expands it: by default (EXCLUDING ALL)
// only names, types, collations and NOT NULL; each INCLUDING option adds its part.
TEST(SqlLoaderTable, LikeCopiesWhatItIsAskedTo) {
  const std::string source =
      "CREATE TABLE src (id int GENERATED BY DEFAULT AS IDENTITY (START 5) PRIMARY KEY,"
      " code text COLLATE \"C\" NOT NULL DEFAULT 'x' UNIQUE,"
      " n int CONSTRAINT n_positive CHECK (n > 0),"
      " twice int GENERATED ALWAYS AS (n * 2) STORED,"
      " other int REFERENCES src (id));"
      "CREATE INDEX src_n ON src (n) WHERE n > 1;"
      "COMMENT ON COLUMN src.code IS 'the code';"
      "COMMENT ON CONSTRAINT n_positive ON src IS 'positive';"
      "COMMENT ON INDEX src_n IS 'by n';";
  auto like = [&](const std::string& options) {
    return table_of(
        load(source + "CREATE TABLE t (before int, LIKE src " + options + ", after int);"),
        "public.t");
  };
  const Table plain = like("");
  std::vector<std::string> names;
  for (const Column& c : plain.columns) names.push_back(c.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"before", "id", "code", "n", "twice", "other", "after"}));
  const Column& code = *plain.find_column("code");
  EXPECT_EQ(code.collation, "\"C\"");
  EXPECT_TRUE(code.not_null);
  EXPECT_FALSE(code.default_expr);
  EXPECT_FALSE(code.comment);
  EXPECT_TRUE(plain.find_column("id")->not_null);
  EXPECT_EQ(plain.find_column("id")->identity, IdentityKind::None);
  EXPECT_FALSE(plain.find_column("twice")->generated_expr);
  EXPECT_TRUE(plain.constraints.empty());
  EXPECT_TRUE(plain.indexes.empty());

  const Table all = like("INCLUDING ALL");
  const Table src = table_of(load(source), "public.src");
  ASSERT_TRUE(all.find_column("code")->default_expr);
  EXPECT_EQ(all.find_column("code")->default_expr, src.find_column("code")->default_expr);
  EXPECT_EQ(all.find_column("code")->comment, std::optional<std::string>("the code"));
  EXPECT_EQ(all.find_column("id")->identity, IdentityKind::ByDefault);
  EXPECT_EQ(all.find_column("id")->identity_options->start, 5);
  EXPECT_TRUE(all.find_column("twice")->generated_expr);
  std::vector<std::string> constraints;
  for (const auto& [name, c] : all.constraints) constraints.push_back(name);
  // Checks keep their names, keys and indexes get the names PostgreSQL chooses for new ones;
  // foreign keys are never copied.
  EXPECT_EQ(constraints, (std::vector<std::string>{"n_positive", "t_code_key", "t_pkey"}));
  EXPECT_EQ(all.constraints.at("n_positive").comment, std::optional<std::string>("positive"));
  ASSERT_EQ(all.indexes.count("t_n_idx"), 1u);
  EXPECT_EQ(all.indexes.at("t_n_idx").where_expr,
            table_of(load(source), "public.src").indexes.at("src_n").where_expr);
  EXPECT_EQ(all.indexes.at("t_n_idx").comment, std::optional<std::string>("by n"));

  const Table some = like("INCLUDING ALL EXCLUDING COMMENTS EXCLUDING INDEXES");
  EXPECT_FALSE(some.find_column("code")->comment);
  EXPECT_FALSE(some.constraints.at("n_positive").comment);
  EXPECT_EQ(some.constraints.count("t_pkey"), 0u);
  EXPECT_TRUE(some.indexes.empty());
  EXPECT_TRUE(like("INCLUDING DEFAULTS").find_column("code")->default_expr);
  EXPECT_FALSE(like("INCLUDING DEFAULTS").find_column("twice")->generated_expr);
  EXPECT_TRUE(like("INCLUDING GENERATED").find_column("twice")->generated_expr);
  EXPECT_EQ(like("INCLUDING CONSTRAINTS").constraints.count("n_positive"), 1u);

  EXPECT_THROW(load(source + "CREATE TABLE t (id int, LIKE src);"), LoadError);
  EXPECT_THROW(load(source + "CREATE TABLE t (LIKE nope);"), LoadError);
}

}  // namespace
}  // namespace pgdrift::schema::sql
