// The batched backfill (issue 17 item 7, docs/planner.md "Volatile defaults"), end to end through
// the built binary: a column added with a volatile default to a table with a primary key is
// filled in batches of --backfill-batch rows, each committed on its own (rows updated in one
// transaction share their xmin); an apply killed during the backfill keeps the batches it
// committed, and a second `apply --to` the same target fills the rest and sets NOT NULL.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

using Clock = std::chrono::steady_clock;

const char* kSource =
    "CREATE TABLE events (id bigint PRIMARY KEY, n int);\n"
    "INSERT INTO events SELECT g, g % 97 FROM generate_series(1, 50000) g;\n";

const char* kTarget =
    "CREATE TABLE events (id bigint PRIMARY KEY, n int,\n"
    "  public_id uuid NOT NULL DEFAULT gen_random_uuid());\n";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(BackfillApply, FillsEveryRowInBatchesOfItsOwnTransaction) {
  auto db = create_fresh_database(kSource);
  TempDir tmp("pgdrift-backfill");
  const std::string target = tmp.write("target.sql", kTarget);

  // The plan says what apply will run: the DO block with the batch size, outside a transaction;
  // 0 is the single UPDATE.
  CommandOutput planned = run_program({PGDRIFT_BINARY, "plan", "--from", db.conninfo, "--to",
                                       target, "--no-validate", "--backfill-batch", "1000"});
  EXPECT_EQ(planned.exit_code, 0) << planned.err;  // written whatever its hazards
  EXPECT_TRUE(contains(planned.out, "ORDER BY id LIMIT 1000")) << planned.out;
  EXPECT_TRUE(contains(planned.out,
                       "-- lock: ROW EXCLUSIVE (row locks on one batch at a time)\n"
                       "-- runs outside a transaction block"))
      << planned.out;
  CommandOutput single = run_program({PGDRIFT_BINARY, "plan", "--from", db.conninfo, "--to", target,
                                      "--no-validate", "--backfill-batch", "0"});
  EXPECT_TRUE(contains(single.out,
                       "UPDATE public.events SET public_id = gen_random_uuid() WHERE public_id IS "
                       "NULL;"))
      << single.out;
  EXPECT_FALSE(contains(single.out, "DO $pgdrift$")) << single.out;
  CommandOutput negative = run_program({PGDRIFT_BINARY, "plan", "--from", db.conninfo, "--to",
                                        target, "--no-validate", "--backfill-batch", "-1"});
  EXPECT_EQ(negative.exit_code, 2) << negative.out << negative.err;

  CommandOutput applied = run_program({PGDRIFT_BINARY, "apply", "--db", db.conninfo, "--to", target,
                                       "--allow-hazards", "all", "--backfill-batch", "1000"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_TRUE(contains(applied.out, "verify: converged")) << applied.out;
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM events"), "50000");
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(DISTINCT public_id) FROM events"), "50000");
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM events WHERE public_id IS NULL"), "0");
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'events'::regclass "
                        "AND attname = 'public_id'"),
            "t");
  // 50 batches of 1000 rows, each its own transaction (one UPDATE would leave one xmin).
  const int transactions =
      std::stoi(query_value(db.conninfo, "SELECT count(DISTINCT xmin::text) FROM events"));
  EXPECT_GT(transactions, 40);
  EXPECT_LE(transactions, 51);
}

// A default that fails from its 1501st call on: batches of 500 commit three times, the fourth
// fails. The report says that the committed batches stay; they do.
TEST(BackfillApply, AFailedBatchKeepsTheBatchesBeforeItAndSaysSo) {
  const std::string function =
      "CREATE SEQUENCE calls;\n"
      "CREATE FUNCTION flaky() RETURNS uuid LANGUAGE plpgsql AS $$\n"
      "BEGIN\n"
      "  IF nextval('calls') > 1500 THEN RAISE EXCEPTION 'flaky ran out'; END IF;\n"
      "  RETURN gen_random_uuid();\n"
      "END $$;\n";
  auto db = create_fresh_database(function +
                                  "CREATE TABLE items (id int PRIMARY KEY);\n"
                                  "INSERT INTO items SELECT generate_series(1, 3000);\n");
  TempDir tmp("pgdrift-backfill");
  const std::string target =
      tmp.write("target.sql", function +
                                  "CREATE TABLE items (id int PRIMARY KEY, token uuid NOT NULL "
                                  "DEFAULT flaky());\n");
  CommandOutput failed = run_program({PGDRIFT_BINARY, "apply", "--db", db.conninfo, "--to", target,
                                      "--allow-hazards", "all", "--backfill-batch", "500"});
  EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
  EXPECT_TRUE(contains(failed.err, "flaky ran out")) << failed.err;
  EXPECT_TRUE(contains(failed.err, "the batches it committed stay filled")) << failed.err;
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(token) FROM items"), "1500");
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(token) FROM items WHERE id <= 1500"), "1500");
}

// The default: volatile, and slow while the database setting pgdrift_test.slow is on (a new
// session reads it), so that the apply can be killed in the middle of its backfill.
const char* kSlowFunction =
    "CREATE FUNCTION slow_token() RETURNS uuid LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  IF current_setting('pgdrift_test.slow', true) = 'on' THEN\n"
    "    PERFORM pg_sleep(0.001);\n"
    "  END IF;\n"
    "  RETURN gen_random_uuid();\n"
    "END $$;\n";

int64_t filled(const std::string& conninfo) {
  return std::stoll(query_value(conninfo, "SELECT count(token) FROM items"));
}

TEST(BackfillApply, KilledDuringTheBackfillKeepsItsBatchesAndASecondApplyFinishes) {
  auto db = create_fresh_database(
      std::string(kSlowFunction) +
      "CREATE TABLE items (id int PRIMARY KEY, name text);\n"
      "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 10000) g;\n");
  test_cluster().execute(db.name, "ALTER DATABASE \"" + db.name + "\" SET pgdrift_test.slow = on");
  TempDir tmp("pgdrift-backfill");
  const std::string target =
      tmp.write("target.sql", std::string(kSlowFunction) +
                                  "CREATE TABLE items (id int PRIMARY KEY, name text,\n"
                                  "  token uuid NOT NULL DEFAULT slow_token());\n");

  pid_t pid = spawn_pgdrift({"apply", "--db", db.conninfo, "--to", target, "--allow-hazards", "all",
                             "--backfill-batch", "500"});
  ASSERT_GT(pid, 0);
  // The DO block runs and has committed at least two batches (about a millisecond a row).
  bool caught = false;
  for (const auto deadline = Clock::now() + std::chrono::seconds(60);
       !caught && Clock::now() < deadline;
       std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
    caught = query_value(db.conninfo,
                         "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                         "'pgdrift-apply' AND state = 'active' AND position('pgdrift_batch' in "
                         "query) > 0") != "0" &&
             filled(db.conninfo) >= 1000;
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(caught) << "the apply never reached its backfill";
  ASSERT_TRUE(WIFSIGNALED(status));

  // The server notices the client is gone (client_connection_check_interval) and rolls back the
  // batch in progress; the committed batches stay.
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline &&
         query_value(db.conninfo,
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                     "'pgdrift-apply'") != "0")
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int64_t after_kill = filled(db.conninfo);
  EXPECT_GE(after_kill, 1000);
  EXPECT_LT(after_kill, 10000);
  EXPECT_EQ(after_kill % 500, 0) << "only whole batches commit";
  // Batches go in key order: the filled rows are the first ones.
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT count(token) FROM items WHERE id <= " + std::to_string(after_kill)),
            std::to_string(after_kill));
  const std::string filled_tokens =
      "SELECT md5(string_agg(token::text, ',' ORDER BY id)) FROM items WHERE id <= " +
      std::to_string(after_kill);
  const std::string tokens_before = query_value(db.conninfo, filled_tokens);
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'items'::regclass "
                        "AND attname = 'token'"),
            "f");
  EXPECT_EQ(query_value(db.conninfo, "SELECT status FROM pgdrift.audit_log WHERE id = 1"),
            "running");

  // Fast from now on. The same apply again: it plans the backfill of the rows still NULL before
  // NOT NULL, and closes the killed apply's audit row as interrupted.
  test_cluster().execute(db.name, "ALTER DATABASE \"" + db.name + "\" RESET pgdrift_test.slow");
  CommandOutput again =
      run_program({PGDRIFT_BINARY, "apply", "--db", db.conninfo, "--to", target, "--allow-hazards",
                   "all", "--backfill-batch", "500", "--lock-wait", "60000"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_TRUE(contains(again.out, "verify: converged")) << again.out;
  EXPECT_TRUE(contains(again.out, "was still running")) << again.out;
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT string_agg(status, ' ' ORDER BY seq) FROM pgdrift.audit_log"),
            "interrupted applied");
  // Its plan (kept in its audit row): the batched backfill of the rows still NULL, then NOT NULL.
  EXPECT_EQ(
      query_value(db.conninfo,
                  "SELECT string_agg(split_part(s->>'statement', ' ', 1), ' ' ORDER BY ord) FROM "
                  "pgdrift.audit_log, jsonb_array_elements(plan->'steps') WITH ORDINALITY "
                  "AS e(s, ord) WHERE id = 2"),
      "DO ALTER ALTER ALTER ALTER");
  EXPECT_EQ(
      query_value(db.conninfo,
                  "SELECT count(*) FROM pgdrift.audit_log, jsonb_array_elements(plan->'steps') "
                  "AS e(s) WHERE id = 2 AND s->>'note' LIKE '%interrupted backfill left NULL%' "
                  "AND s->>'statement' LIKE '%LIMIT 500%'"),
      "1");
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM items WHERE token IS NULL"), "0");
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(DISTINCT token) FROM items"), "10000");
  // The rows the killed apply filled kept their values (the backfill writes NULL rows only).
  EXPECT_EQ(query_value(db.conninfo, filled_tokens), tokens_before);
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'items'::regclass "
                        "AND attname = 'token'"),
            "t");
  CommandOutput drift =
      run_program({PGDRIFT_BINARY, "drift", "--desired", target, "--db", db.conninfo});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;
}

}  // namespace
}  // namespace pgdrift::testing
