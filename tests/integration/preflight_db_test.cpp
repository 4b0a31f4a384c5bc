// Preflights against real PostgreSQL: `pgdrift apply` counts the rows at risk of every step
// before it changes anything, and refuses them (exit 1, nothing changed, each step named with
// its count and sample keys) unless --accept-rows-at-risk or a reviewed per-step threshold;
// --dry-run and `plan --from DB` show the same counts. The MITA cases are the failing-row kinds
// users meet (an unconvertible uuid, money beyond numeric(12,2), an orphan for a new foreign
// key, a CHECK violation, a duplicate for a new UNIQUE); the table-driven cases check that each
// preflight counts right on a real server (0 on clean data, N on bad data).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/fixtures.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string text_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string model_of(const std::string& conninfo) {
  auto r = run_pgdrift({"inspect", conninfo, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// The step with a preflight whose object is `object` ("column public.expenses.user_id").
const json* preflight_step(const json& doc, const std::string& object) {
  for (const auto& s : doc.at("steps"))
    if (s["object"]["kind"].get<std::string>() + " " + s["object"]["name"].get<std::string>() ==
            object &&
        !s["preflight"].is_null())
      return &s;
  return nullptr;
}

const char* kUser =
    "INSERT INTO public.users (id, email, password_hash) "
    "VALUES ('00000000-0000-0000-0000-000000000001', 'ann@example.com', 'x');";

struct MitaCase {
  std::string what;
  std::string bad_rows;      // SQL run after fixtures/mita/live.sql
  std::string extra_target;  // appended to a copy of fixtures/mita/schema (empty: the fixture)
  std::string object;        // the step that must be named
  int64_t count;
  std::string sample_sql;  // the expected sample key (SELECT ... in the database)
};

// Default apply refuses before any change: exit 1, result rows_at_risk, the database model is
// byte-identical, the step id and its count are named.
TEST(Preflight, MitaRowsAtRiskRefuseTheApplyBeforeAnyChange) {
  const std::vector<MitaCase> cases = {
      {"unconvertible uuid (the legacy-42 row)",
       "INSERT INTO public.expenses (user_id, category, amount, expense_date) "
       "VALUES ('legacy-42', 'food', 1.5, '2024-01-01');",
       "", "column public.expenses.user_id", 1,
       "SELECT id::text FROM public.expenses WHERE user_id = 'legacy-42'"},
      {"money beyond numeric(12,2)",
       std::string(kUser) + "INSERT INTO public.transactions (user_id, category, amount) "
                            "VALUES ('00000000-0000-0000-0000-000000000001', 'rent', 1e12);",
       "", "column public.transactions.amount", 1, "SELECT id::text FROM public.transactions"},
      {"orphan for a new foreign key",
       "INSERT INTO public.moods (user_id, mood_date, score) "
       "VALUES ('00000000-0000-0000-0000-00000000dead', '2024-01-01', 3);",
       "", "constraint public.moods.moods_user_id_fkey", 1, "SELECT id::text FROM public.moods"},
      {"CHECK violation (the live table lost its amount >= 0)",
       std::string(kUser) +
           "ALTER TABLE public.expenses DROP CONSTRAINT expenses_amount_check;"
           "INSERT INTO public.expenses (user_id, category, amount, expense_date) "
           "VALUES ('00000000-0000-0000-0000-000000000001', 'refund', -5, '2024-01-01');",
       "", "constraint public.expenses.expenses_amount_check", 1,
       "SELECT id::text FROM public.expenses"},
      // The MITA target adds no UNIQUE over live.sql: the case adds one to a copy of it.
      {"duplicate for a new UNIQUE",
       "INSERT INTO public.ai_advice_templates (template_key, title, body) "
       "VALUES ('a', 'Save more', 'x'), ('b', 'Save more', 'y');",
       "ALTER TABLE ai_advice_templates ADD CONSTRAINT ai_advice_templates_title_key "
       "UNIQUE (title);",
       "constraint public.ai_advice_templates.ai_advice_templates_title_key", 2,
       "SELECT 'Save more'"},
  };
  const std::string live = text_of(fixture_path("mita/live.sql"));
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    TempDir tmp;
    std::string target = fixture_path("mita/schema");
    if (!c.extra_target.empty()) {
      fs::copy(target, tmp.path / "schema", fs::copy_options::recursive);
      tmp.write("schema/99_extra.sql", c.extra_target);
      target = (tmp.path / "schema").string();
    }
    auto db = create_fresh_database(live + c.bad_rows);
    const std::string before = model_of(db.conninfo);
    auto r = run_pgdrift({"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all",
                          "--format", "json"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    json report = parse_json_output(r);
    EXPECT_EQ(report["result"], "rows_at_risk") << report.dump(2);
    EXPECT_TRUE(report["committed_steps"].empty());
    for (const auto& s : report["steps"]) EXPECT_EQ(s["status"], "skipped") << s.dump();
    const json* step = preflight_step(report, c.object);
    ASSERT_NE(step, nullptr) << report.dump(2);
    EXPECT_EQ((*step)["preflight_rows"], c.count) << step->dump(2);
    const std::string sample = query_value(db.conninfo, c.sample_sql + " LIMIT 1");
    EXPECT_EQ((*step)["preflight_samples"].at(0), sample) << step->dump(2);
    const int id = (*step)["id"].get<int>();
    EXPECT_NE(std::find(report["rows_at_risk"].begin(), report["rows_at_risk"].end(), id),
              report["rows_at_risk"].end());
    const std::string named = "step " + std::to_string(id) + " (";
    EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.object.substr(c.object.find(' ') + 1) + "): " + std::to_string(c.count) +
                         " row"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(sample), std::string::npos) << r.err;
    EXPECT_EQ(model_of(db.conninfo), before);

    // The text report names the step and its count too.
    auto text =
        run_pgdrift({"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all"});
    EXPECT_EQ(text.exit_code, 1);
    EXPECT_NE(text.out.find("result: rows_at_risk"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("(preflight: " + std::to_string(c.count) + " rows at risk)"),
              std::string::npos)
        << text.out;
    EXPECT_EQ(model_of(db.conninfo), before);
  }
}

// What the user saw on MITA: with --accept-rows-at-risk the apply goes on and fails at the
// conversion (the old behaviour, now a choice); --dry-run shows the same counts and refuses
// like the apply would; with clean data both pass.
TEST(Preflight, MitaAcceptDryRunAndCleanData) {
  const std::string live = text_of(fixture_path("mita/live.sql"));
  const std::string desired = fixture_path("mita/schema");
  auto db =
      create_fresh_database(live +
                            "INSERT INTO public.expenses (user_id, category, amount, expense_date) "
                            "VALUES ('legacy-42', 'food', 1.5, '2024-01-01');");
  const std::string before = model_of(db.conninfo);

  auto dry = run_pgdrift({"apply", "--db", db.conninfo, "--to", desired, "--allow-hazards", "all",
                          "--dry-run", "--format", "json"});
  EXPECT_EQ(dry.exit_code, 1) << dry.out << dry.err;
  json dry_report = parse_json_output(dry);
  EXPECT_EQ(dry_report["result"], "rows_at_risk");
  EXPECT_EQ(dry_report["dry_run"], true);
  const json* uuid = preflight_step(dry_report, "column public.expenses.user_id");
  ASSERT_NE(uuid, nullptr);
  EXPECT_EQ((*uuid)["preflight_rows"], 1);
  EXPECT_EQ(model_of(db.conninfo), before);

  auto accepted = run_pgdrift({"apply", "--db", db.conninfo, "--to", desired, "--allow-hazards",
                               "all", "--accept-rows-at-risk", "--format", "json"});
  EXPECT_EQ(accepted.exit_code, 1) << accepted.out << accepted.err;
  json report = parse_json_output(accepted);
  EXPECT_EQ(report["result"], "failed");
  EXPECT_EQ(report["accept_rows_at_risk"], true);
  const json* failed = preflight_step(report, "column public.expenses.user_id");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ((*failed)["status"], "failed");
  EXPECT_EQ((*failed)["error"]["sqlstate"], "22P02");
  EXPECT_EQ((*failed)["preflight_rows"], 1);

  auto clean = create_fresh_database(live + kUser +
                                     "INSERT INTO public.expenses (user_id, category, amount, "
                                     "expense_date) VALUES ('00000000-0000-0000-0000-000000000001',"
                                     " 'food', 1.5, '2024-01-01');");
  auto clean_dry = run_pgdrift({"apply", "--db", clean.conninfo, "--to", desired, "--allow-hazards",
                                "all", "--dry-run", "--format", "json"});
  EXPECT_EQ(clean_dry.exit_code, 0) << clean_dry.out << clean_dry.err;
  json clean_report = parse_json_output(clean_dry);
  EXPECT_EQ(clean_report["result"], "dry_run");
  int counted = 0;
  for (const auto& s : clean_report["steps"]) {
    EXPECT_EQ(s["status"], "planned");
    if (!s["preflight"].is_null()) {
      EXPECT_EQ(s["preflight_rows"], 0) << s.dump(2);
      ++counted;
    }
  }
  EXPECT_GE(counted, 8);  // 5 money columns, the uuid, 3 foreign keys
  auto applied =
      run_pgdrift({"apply", "--db", clean.conninfo, "--to", desired, "--allow-hazards", "all"});
  EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
}

// plan --from DB counts (JSON field, Markdown column, SQL comment); a reviewed plan's
// "accept_rows_at_risk" lets apply --plan run up to that many rows, and refuses more.
TEST(Preflight, PlanFromDatabaseCountsAndReviewedThresholds) {
  TempDir tmp;
  const std::string live =
      "CREATE TABLE public.t (id integer PRIMARY KEY, x double precision);"
      "INSERT INTO public.t VALUES (1, 1.5), (2, 2.125), (3, 3.3333);";
  std::string target =
      tmp.write("target.sql", "CREATE TABLE public.t (id integer PRIMARY KEY, x numeric(6,2));");
  auto db = create_fresh_database(live);
  auto plan = run_pgdrift({"plan", "--from", db.conninfo, "--to", target, "--format", "json",
                           "--no-validate", "--allow-hazards", "all"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  json reviewed = json::parse(plan.out);
  ASSERT_EQ(reviewed["steps"].size(), 1u) << plan.out;
  EXPECT_EQ(reviewed["steps"][0]["rows_at_risk"],
            json({{"count", 2}, {"samples", json::array({"2", "3"})}}))
      << plan.out;
  auto sql = run_pgdrift({"plan", "--from", db.conninfo, "--to", target, "--no-validate"});
  EXPECT_NE(sql.out.find("-- rows at risk when planned: 2 (samples: 2, 3)"), std::string::npos)
      << sql.out;
  auto md = run_pgdrift(
      {"plan", "--from", db.conninfo, "--to", target, "--no-validate", "--format", "markdown"});
  EXPECT_NE(md.out.find("| rows at risk |"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find(" | 2 | `ALTER TABLE"), std::string::npos) << md.out;

  // The plan from a file source has nothing to count.
  auto from_file = run_pgdrift({"plan", "--from", tmp.write("live.sql", live), "--to", target,
                                "--format", "json", "--no-validate"});
  EXPECT_FALSE(json::parse(from_file.out)["steps"][0].contains("rows_at_risk"));

  const std::string before = model_of(db.conninfo);
  reviewed["steps"][0]["accept_rows_at_risk"] = 1;
  std::string too_few = tmp.write("too_few.json", reviewed.dump(2));
  auto refused =
      run_pgdrift({"apply", "--db", db.conninfo, "--plan", too_few, "--allow-hazards", "all"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("step 1 (alter column public.t.x): 2 rows at risk (accepted: 1)"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(model_of(db.conninfo), before);

  reviewed["steps"][0]["accept_rows_at_risk"] = 2;
  std::string enough = tmp.write("enough.json", reviewed.dump(2));
  auto r = run_pgdrift({"apply", "--db", db.conninfo, "--plan", enough, "--allow-hazards", "all",
                        "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = parse_json_output(r);
  EXPECT_EQ(report["result"], "applied");
  EXPECT_EQ(report["steps"][0]["preflight_rows"], 2);
  EXPECT_EQ(report["steps"][0]["accept_rows_at_risk"], 2);
  EXPECT_EQ(query_value(db.conninfo, "SELECT string_agg(x::text, ',' ORDER BY id) FROM public.t"),
            "1.50,2.13,3.33");
}

// Each preflight on a real server: the count on clean data is 0, on bad data N. The count is
// what `plan --from DB` reports on the step whose statement contains `statement`.
struct CountCase {
  std::string what;
  std::string live;      // schema and clean rows
  std::string bad_rows;  // rows at risk
  std::string target;
  std::string statement;
  int64_t bad_count;
};

TEST(Preflight, EachPreflightCountsRightOnARealServer) {
  const std::string pc =
      "CREATE TABLE public.p (id integer PRIMARY KEY); INSERT INTO public.p VALUES (1), (2);";
  const std::vector<CountCase> cases = {
      {"orphans for a new foreign key",
       pc + "CREATE TABLE public.c (id integer PRIMARY KEY, p_id integer);"
            "INSERT INTO public.c VALUES (1, 1), (2, 2), (3, NULL);",
       "INSERT INTO public.c VALUES (4, 99), (5, 98);",
       "CREATE TABLE public.p (id integer PRIMARY KEY);"
       "CREATE TABLE public.c (id integer PRIMARY KEY, p_id integer REFERENCES public.p (id));",
       "VALIDATE CONSTRAINT", 2},
      {"orphans for a foreign key whose column changes text -> uuid",
       "CREATE TABLE public.p (id uuid PRIMARY KEY);"
       "INSERT INTO public.p VALUES ('00000000-0000-0000-0000-000000000001');"
       "CREATE TABLE public.c (id integer PRIMARY KEY, p_id text);"
       "INSERT INTO public.c VALUES (1, '00000000-0000-0000-0000-000000000001'), (2, NULL);",
       "INSERT INTO public.c VALUES (3, 'legacy-42'), (4, '00000000-0000-0000-0000-000000000002');",
       "CREATE TABLE public.p (id uuid PRIMARY KEY);"
       "CREATE TABLE public.c (id integer PRIMARY KEY, p_id uuid REFERENCES public.p (id));",
       "VALIDATE CONSTRAINT", 2},
      {"orphans for a foreign key to a new table",
       "CREATE TABLE public.c (id integer PRIMARY KEY, p_id integer);"
       "INSERT INTO public.c VALUES (1, NULL);",
       "INSERT INTO public.c VALUES (2, 1), (3, 2), (4, 3);",
       "CREATE TABLE public.p (id integer PRIMARY KEY);"
       "CREATE TABLE public.c (id integer PRIMARY KEY, p_id integer REFERENCES public.p (id));",
       "VALIDATE CONSTRAINT", 3},
      {"duplicates for a new UNIQUE (NULLs never collide)",
       "CREATE TABLE public.t (id integer PRIMARY KEY, a integer, b integer);"
       "INSERT INTO public.t VALUES (1, 1, 1), (2, 1, 2), (3, 1, NULL), (4, 1, NULL);",
       "INSERT INTO public.t VALUES (5, 1, 1), (6, 1, 1), (7, 2, 2), (8, 2, 2);",
       "CREATE TABLE public.t (id integer PRIMARY KEY, a integer, b integer, UNIQUE (a, b));",
       "CREATE UNIQUE INDEX", 5},
      {"duplicates and NULLs for a new PRIMARY KEY",
       "CREATE TABLE public.t (a integer, b text); INSERT INTO public.t VALUES (1, 'x'), (2, 'y');",
       "INSERT INTO public.t VALUES (1, 'z'), (NULL, 'n');",
       "CREATE TABLE public.t (a integer PRIMARY KEY, b text);", "CREATE UNIQUE INDEX", 3},
      {"duplicates for a new unique index",
       "CREATE TABLE public.t (id integer PRIMARY KEY, a text);"
       "INSERT INTO public.t VALUES (1, 'x'), (2, NULL), (3, NULL);",
       "INSERT INTO public.t VALUES (4, 'x');",
       "CREATE TABLE public.t (id integer PRIMARY KEY, a text);"
       "CREATE UNIQUE INDEX t_a_key ON public.t (a);",
       "CREATE UNIQUE INDEX", 2},
      {"NULLs for SET NOT NULL",
       "CREATE TABLE public.t (id integer PRIMARY KEY, a integer);"
       "INSERT INTO public.t VALUES (1, 1);",
       "INSERT INTO public.t VALUES (2, NULL), (3, NULL);",
       "CREATE TABLE public.t (id integer PRIMARY KEY, a integer NOT NULL);", "VALIDATE CONSTRAINT",
       2},
      {"rows violating a new CHECK (NULL passes)",
       "CREATE TABLE public.t (id integer PRIMARY KEY, a integer);"
       "INSERT INTO public.t VALUES (1, 1), (2, NULL);",
       "INSERT INTO public.t VALUES (3, 0), (4, -1);",
       "CREATE TABLE public.t (id integer PRIMARY KEY, a integer CHECK (a > 0));",
       "VALIDATE CONSTRAINT", 2},
      {"double precision out of range for numeric(5,2) (rounding, Infinity; NaN fits)",
       "CREATE TABLE public.t (id integer PRIMARY KEY, x double precision);"
       "INSERT INTO public.t VALUES (1, 999.99), (2, -999.99), (3, 'NaN'), (4, NULL);",
       "INSERT INTO public.t VALUES (5, 999.995), (6, 1e6), (7, 'Infinity'), (8, 1.001);",
       "CREATE TABLE public.t (id integer PRIMARY KEY, x numeric(5,2));", "TYPE numeric(5,2)", 4},
      {"numeric(12,4) -> numeric(10,2): rounding carries out of range",
       "CREATE TABLE public.t (id integer PRIMARY KEY, x numeric(12,4));"
       "INSERT INTO public.t VALUES (1, 99999999.99), (2, 1.5);",
       "INSERT INTO public.t VALUES (3, 99999999.9999);",
       "CREATE TABLE public.t (id integer PRIMARY KEY, x numeric(10,2));", "TYPE numeric(10,2)", 1},
      {"integer out of range for numeric(4,1)",
       "CREATE TABLE public.t (id integer PRIMARY KEY, x integer);"
       "INSERT INTO public.t VALUES (1, 999), (2, -999);",
       "INSERT INTO public.t VALUES (3, 1000);",
       "CREATE TABLE public.t (id integer PRIMARY KEY, x numeric(4,1));", "TYPE numeric(4,1)", 1},
      {"varchar narrowing",
       "CREATE TABLE public.t (id integer PRIMARY KEY, s varchar(10));"
       "INSERT INTO public.t VALUES (1, 'abc'), (2, NULL);",
       "INSERT INTO public.t VALUES (3, 'abcd'), (4, 'abcdefghij');",
       "CREATE TABLE public.t (id integer PRIMARY KEY, s varchar(3));", "TYPE character varying(3)",
       2},
  };
  TempDir tmp;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    SCOPED_TRACE(c.what);
    std::string target = tmp.write("target" + std::to_string(i) + ".sql", c.target);
    auto counted = [&](const std::string& conninfo) -> json {
      auto r = run_pgdrift({"plan", "--from", conninfo, "--to", target, "--format", "json",
                            "--no-validate", "--allow-hazards", "all"});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.err.find("warning"), std::string::npos) << "preflight failed: " << r.err;
      json plan = parse_json_output(r);
      for (const auto& s : plan["steps"])
        if (s["statement"].get<std::string>().find(c.statement) != std::string::npos &&
            !s["preflight"].is_null())
          return s.value("rows_at_risk", json());
      ADD_FAILURE() << "no step with a preflight contains " << c.statement << "\n" << r.out;
      return json();
    };
    json clean = counted(fresh_database(c.live));
    EXPECT_EQ(clean["count"], 0) << clean.dump();
    EXPECT_TRUE(clean["samples"].empty()) << clean.dump();
    json bad = counted(fresh_database(c.live + c.bad_rows));
    EXPECT_EQ(bad["count"], c.bad_count) << bad.dump();
    EXPECT_FALSE(bad["samples"].empty()) << bad.dump();
  }
}

}  // namespace
}  // namespace pgdrift::testing
