// Live lock analysis (issue 17 item 6, docs/apply.md "Lock analysis") through the built binary:
// `plan --from DB` shows, per step that locks an existing table, its size, an estimate of the
// step's long part and the sessions it would wait for, in JSON and Markdown; transactions open
// longer than --max-transaction-age are flagged, and a CREATE INDEX CONCURRENTLY step lists the
// old transactions it waits for; `apply --lock-retries N` runs a blocked plan by retrying the
// step that times out until the blocker is gone.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "pg/session.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

using nlohmann::json;

const char* kSource =
    "CREATE TABLE ledger (id int PRIMARY KEY, amount double precision, memo text);\n"
    "INSERT INTO ledger SELECT g, g / 4.0, repeat('m', 200) FROM generate_series(1, 20000) g;\n"
    "ANALYZE ledger;\n"
    "CREATE TABLE other (id int PRIMARY KEY);\n";
// A rewrite of ledger (ACCESS EXCLUSIVE) and a concurrent index on it.
const char* kTarget =
    "CREATE TABLE ledger (id int PRIMARY KEY, amount numeric(12,2), memo text);\n"
    "CREATE INDEX ledger_memo ON ledger (memo);\n"
    "CREATE TABLE other (id int PRIMARY KEY);\n";

CommandOutput run(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {PGDRIFT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv);
}

const json* step_on(const json& plan, const std::string& statement_start) {
  for (const auto& s : plan["steps"])
    if (s["statement"].get<std::string>().rfind(statement_start, 0) == 0) return &s;
  return nullptr;
}

TEST(LockAnalysisCli, PlanFromDatabaseShowsSizeEstimateAndBlockersPerStep) {
  auto db = create_fresh_database(kSource);
  TempDir tmp("pgdrift-locks");
  const std::string target = tmp.write("target.sql", kTarget);
  pg::Session reader(db.conninfo + " application_name=report-job");
  ASSERT_FALSE(reader.run("BEGIN; SELECT count(*) FROM ledger"));
  pg::Session idle_elsewhere(db.conninfo + " application_name=forgotten-txn");
  ASSERT_FALSE(idle_elsewhere.run("BEGIN; SELECT count(*) FROM other"));
  const std::string reader_pid = query_value(
      db.conninfo, "SELECT pid FROM pg_stat_activity WHERE application_name = 'report-job'");
  const std::string idle_pid = query_value(
      db.conninfo, "SELECT pid FROM pg_stat_activity WHERE application_name = 'forgotten-txn'");
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // both are now > 1 s old

  CommandOutput planned =
      run({"plan", "--from", db.url, "--to", target, "--format", "json", "--no-validate",
           "--allow-hazards", "all", "--max-transaction-age", "1"});
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  const json plan = parse_json_output(planned);
  const json* retype = step_on(plan, "ALTER TABLE public.ledger ALTER COLUMN amount TYPE");
  ASSERT_NE(retype, nullptr) << planned.out;
  ASSERT_TRUE(retype->contains("lock_analysis")) << retype->dump(2);
  const json& a = (*retype)["lock_analysis"];
  EXPECT_EQ(a["table"], "public.ledger");
  EXPECT_EQ(a["rows"], 20000);
  EXPECT_EQ(a["operation"], "rewrite");
  const int64_t heap = std::stoll(query_value(db.conninfo, "SELECT pg_relation_size('ledger')"));
  const int64_t total =
      std::stoll(query_value(db.conninfo, "SELECT pg_total_relation_size('ledger')"));
  EXPECT_EQ(a["heap_bytes"], heap);
  EXPECT_EQ(a["total_bytes"], total);
  EXPECT_GT(a["estimated_seconds"].get<double>(), 0.0);
  // The ACCESS EXCLUSIVE rewrite waits for the reader, not for the session on another table.
  ASSERT_EQ(a["blockers"].size(), 1u) << a.dump(2);
  EXPECT_EQ(std::to_string(a["blockers"][0]["pid"].get<int>()), reader_pid);
  EXPECT_EQ(a["blockers"][0]["mode"], "AccessShareLock");
  EXPECT_EQ(a["old_transactions"], json::array({std::stoi(reader_pid)}));

  // CREATE INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE) does not conflict with the reader's
  // ACCESS SHARE, but waits for every older transaction of the database: both are listed.
  const json* index = step_on(plan, "CREATE INDEX CONCURRENTLY");
  ASSERT_NE(index, nullptr) << planned.out;
  ASSERT_TRUE(index->contains("lock_analysis")) << index->dump(2);
  std::set<std::string> waits_for;
  for (const auto& h : (*index)["lock_analysis"]["blockers"]) {
    EXPECT_EQ(h["mode"], "") << h.dump();
    waits_for.insert(std::to_string(h["pid"].get<int>()));
  }
  EXPECT_EQ(waits_for, (std::set<std::string>{reader_pid, idle_pid}));
  EXPECT_EQ((*index)["lock_analysis"]["operation"], "index_build");

  CommandOutput markdown = run({"plan", "--from", db.url, "--to", target, "--format", "markdown",
                                "--no-validate", "--allow-hazards", "all"});
  ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
  EXPECT_NE(markdown.out.find("## Locks"), std::string::npos) << markdown.out;
  EXPECT_NE(markdown.out.find("pid " + reader_pid + " report-job (idle in transaction"),
            std::string::npos)
      << markdown.out;
  // A file source has no database to look at: no lock analysis.
  const std::string source =
      tmp.write("source.sql",
                "CREATE TABLE ledger (id int PRIMARY KEY, amount double precision, memo text);\n"
                "CREATE TABLE other (id int PRIMARY KEY);\n");
  CommandOutput from_file = run({"plan", "--from", source, "--to", target, "--format", "json",
                                 "--no-validate", "--allow-hazards", "all"});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  for (const auto& s : parse_json_output(from_file)["steps"])
    EXPECT_FALSE(s.contains("lock_analysis")) << s.dump();
  // The plan JSON with its analysis validates against the schema.
  const std::string python = python_with_jsonschema();
  if (!python.empty()) {
    EXPECT_EQ(validate_json(python, "plan.schema.json", {plan})[0], "valid");
  }
}

TEST(LockAnalysisCli, LockRetriesRunABlockedStepOnceItsBlockerIsGone) {
  auto db = create_fresh_database(kSource);
  TempDir tmp("pgdrift-locks");
  const std::string target =
      tmp.write("target.sql",
                "CREATE TABLE ledger (id int PRIMARY KEY, amount numeric(12,2), memo text);\n"
                "CREATE TABLE other (id int PRIMARY KEY);\n");
  pg::Session reader(db.conninfo + " application_name=report-job");
  ASSERT_FALSE(reader.run("BEGIN; SELECT count(*) FROM ledger"));

  const std::vector<std::string> apply = {"apply",
                                          "--db",
                                          db.url,
                                          "--to",
                                          target,
                                          "--allow-hazards",
                                          "all",
                                          "--accept-rows-at-risk",
                                          "--lock-timeout",
                                          "200",
                                          "--format",
                                          "json"};
  CommandOutput blocked = run(apply);
  EXPECT_EQ(blocked.exit_code, 1) << blocked.out << blocked.err;
  EXPECT_EQ(parse_json_output(blocked)["result"], "blocked");
  EXPECT_NE(blocked.err.find("--lock-retries"), std::string::npos) << blocked.err;

  // The reader finishes while apply retries: the step times out at first, then runs.
  std::thread finish([&reader] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    reader.run("COMMIT");
  });
  std::vector<std::string> retrying = apply;
  retrying.insert(retrying.end(), {"--lock-retries", "8"});
  CommandOutput applied = run(retrying);
  finish.join();
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  const json report = parse_json_output(applied);
  EXPECT_EQ(report["result"], "applied");
  int retries = 0;
  for (const auto& s : report["steps"]) retries += s["lock_retries"].get<int>();
  EXPECT_GE(retries, 1) << applied.out;
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                        "WHERE attrelid = 'ledger'::regclass AND attname = 'amount'"),
            "numeric(12,2)");
  const std::string python = python_with_jsonschema();
  if (!python.empty()) {
    EXPECT_EQ(
        validate_json(python, "apply-report.schema.json", {report, parse_json_output(blocked)})[1],
        "valid");
  }
}

TEST(LockAnalysisCli, LockRetriesGiveUpWhenTheBlockerStays) {
  auto db = create_fresh_database(kSource);
  TempDir tmp("pgdrift-locks");
  const std::string target =
      tmp.write("target.sql",
                "CREATE TABLE ledger (id int PRIMARY KEY, amount numeric(12,2), memo text);\n"
                "CREATE TABLE other (id int PRIMARY KEY);\n");
  pg::Session reader(db.conninfo);
  ASSERT_FALSE(reader.run("BEGIN; SELECT count(*) FROM ledger"));
  CommandOutput failed = run({"apply", "--db", db.url, "--to", target, "--allow-hazards", "all",
                              "--accept-rows-at-risk", "--lock-timeout", "100", "--lock-retries",
                              "2", "--format", "json"});
  EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
  const json report = parse_json_output(failed);
  EXPECT_EQ(report["result"], "failed");
  const json& step = report["steps"][report["failed_step"].get<int>() - 1];
  EXPECT_EQ(step["error"]["sqlstate"], "55P03");
  EXPECT_EQ(step["lock_retries"], 2);
}

}  // namespace
}  // namespace pgdrift::testing
