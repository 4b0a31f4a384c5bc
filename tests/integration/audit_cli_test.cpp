// The audit trail of apply (issue 17 item 1, docs/apply.md "Audit trail"), end to end through the
// built binary on real databases: every apply that gets the lock writes one hash-chained row
// (applied, refused, dry run with --audit-dry-run; none with --no-audit), inspect and drift
// leave the audit schema out, the table refuses UPDATE / DELETE / TRUNCATE of a completed row,
// `audit --verify` finds an edited row, a deleted row and a row re-hashed by hand, and an apply
// that finds the lock taken names the audit row that is running.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "pg/session.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

const char* kSource =
    "CREATE TABLE ledger (id int PRIMARY KEY, amount double precision);\n"
    "INSERT INTO ledger SELECT g, g / 4.0 FROM generate_series(1, 100) g;\n";
const char* kTarget =
    "CREATE TABLE ledger (id int PRIMARY KEY, amount numeric(12,2));\n"
    "CREATE TABLE accounts (id int PRIMARY KEY);\n";

CommandOutput apply_to(const FreshDatabase& db, const std::string& target,
                       std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {PGDRIFT_BINARY, "apply", "--db", db.url, "--to", target};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_program(argv);
}

CommandOutput audit_of(const FreshDatabase& db, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {PGDRIFT_BINARY, "audit", "--db", db.url};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_program(argv);
}

std::string row_value(const FreshDatabase& db, int id, const std::string& expr) {
  return query_value(db.conninfo,
                     "SELECT " + expr + " FROM pgdrift.audit_log WHERE id = " + std::to_string(id));
}

TEST(AuditCli, EveryApplyWritesAChainedRowThatInspectAndDriftLeaveOut) {
  auto db = create_fresh_database(kSource);
  TempDir tmp("pgdrift-audit");
  const std::string target = tmp.write("target.sql", kTarget);

  CommandOutput applied =
      apply_to(db, target, {"--allow-hazards", "all", "--actor", "ci-job-7", "--ticket", "CHG-9"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_NE(applied.out.find("audit: row 1, seq 1, hash "), std::string::npos) << applied.out;
  EXPECT_EQ(row_value(db, 1, "status"), "applied");
  EXPECT_EQ(row_value(db, 1, "command || ' ' || mode || ' ' || exit_code"), "apply to 0");
  EXPECT_EQ(row_value(db, 1, "actor || ' ' || ticket"), "ci-job-7 CHG-9");
  EXPECT_EQ(row_value(db, 1, "db_current_user = current_user AND db_session_user = session_user"),
            "t");
  EXPECT_EQ(row_value(db, 1, "finished_at >= started_at"), "t");
  EXPECT_EQ(row_value(db, 1, "desired_source"), target);
  EXPECT_EQ(row_value(db, 1, "plan->>'format'"), "pgdrift-plan/1");
  EXPECT_EQ(row_value(db, 1,
                      "jsonb_array_length(plan->'steps') > 0 AND "
                      "jsonb_array_length(plan->'steps') = "
                      "jsonb_array_length(report->'steps')"),
            "t");
  EXPECT_EQ(row_value(db, 1,
                      "(SELECT bool_and(s->>'status' = 'applied') FROM "
                      "jsonb_array_elements(report->'steps') s)"),
            "t");
  EXPECT_EQ(row_value(db, 1,
                      "live_fingerprint_before <> live_fingerprint_after AND "
                      "live_fingerprint_after = target_fingerprint"),
            "t");
  EXPECT_EQ(row_value(db, 1, "prev_hash"), std::string(64, '0'));

  // The audit schema is pgdrift's, not the user's: no drift, not in inspect.
  CommandOutput drift = run_program({PGDRIFT_BINARY, "drift", "--desired", target, "--db", db.url});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;
  CommandOutput inspect = run_program({PGDRIFT_BINARY, "inspect", db.url, "--format", "json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_EQ(inspect.out.find("audit_log"), std::string::npos) << inspect.out;

  // Refused: a row with the refusal; a dry run writes one only with --audit-dry-run.
  const std::string lossy = tmp.write("lossy.sql", "CREATE TABLE ledger (id int PRIMARY KEY);\n");
  CommandOutput refused = apply_to(db, lossy);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_EQ(row_value(db, 2, "status || ' ' || exit_code"), "refused_hazards 1");
  EXPECT_NE(row_value(db, 2, "message").find("data_loss"), std::string::npos);
  CommandOutput dry = apply_to(db, lossy, {"--allow-hazards", "all", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("audit: not written (dry run"), std::string::npos) << dry.out;
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM pgdrift.audit_log"), "2");
  CommandOutput audited_dry =
      apply_to(db, lossy, {"--allow-hazards", "all", "--dry-run", "--audit-dry-run"});
  EXPECT_EQ(audited_dry.exit_code, 0) << audited_dry.out << audited_dry.err;
  EXPECT_EQ(row_value(db, 3, "status || ' ' || dry_run"), "dry_run true");
  CommandOutput off = apply_to(db, target, {"--no-audit"});
  EXPECT_EQ(off.exit_code, 0) << off.out << off.err;
  EXPECT_NE(off.out.find("audit: not written (--no-audit)"), std::string::npos) << off.out;
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM pgdrift.audit_log"), "3");

  // The log as JSON: seq 1..3, each prev_hash the hash of the row before.
  CommandOutput listed = audit_of(db, {"--format", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json rows = parse_json_output(listed)["rows"];
  ASSERT_EQ(rows.size(), 3u) << listed.out;
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i]["seq"], i + 1);
    if (i > 0) {
      EXPECT_EQ(rows[i]["prev_hash"], rows[i - 1]["row_hash"]);
    }
  }
  CommandOutput one = audit_of(db, {"--id", "1"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("actor ci-job-7, ticket CHG-9"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("ALTER TABLE public.ledger ALTER COLUMN amount TYPE numeric(12,2)"),
            std::string::npos)
      << one.out;
  CommandOutput verified = audit_of(db, {"--verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("3 rows, hash chain intact"), std::string::npos) << verified.out;
}

// Three rows: applies that find nothing to change still write theirs.
FreshDatabase database_with_three_rows(const TempDir& tmp) {
  auto db = create_fresh_database(kTarget);
  const std::string target = tmp.write("same.sql", kTarget);
  for (int i = 0; i < 3; ++i) {
    CommandOutput r = apply_to(db, target);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM pgdrift.audit_log"), "3");
  return db;
}

// Runs `sql` on the database; the error message, or "" when it succeeded.
std::string run_sql(const FreshDatabase& db, const std::string& sql) {
  pg::Session session(db.conninfo);
  auto error = session.run(sql);
  return error ? error->message : "";
}

TEST(AuditCli, TheLogIsAppendOnlyAndVerifyFindsEditedDeletedAndRehashedRows) {
  TempDir tmp("pgdrift-audit-verify");
  auto edited = database_with_three_rows(tmp);
  for (const char* sql :
       {"UPDATE pgdrift.audit_log SET ticket = 'x' WHERE id = 2",
        "DELETE FROM pgdrift.audit_log WHERE id = 2", "TRUNCATE pgdrift.audit_log"})
    EXPECT_NE(run_sql(edited, sql).find("append-only"), std::string::npos) << sql;

  // With the trigger bypassed (a superuser can), an edit is still found.
  ASSERT_EQ(run_sql(edited,
                    "SET session_replication_role = replica; "
                    "UPDATE pgdrift.audit_log SET ticket = 'CHG-forged' WHERE id = 2"),
            "");
  CommandOutput e = audit_of(edited, {"--verify"});
  EXPECT_EQ(e.exit_code, 1) << e.out << e.err;
  EXPECT_NE(e.out.find("BROKEN at row 2 (seq 2)"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("changed after it was written"), std::string::npos) << e.out;
  CommandOutput e_json = audit_of(edited, {"--verify", "--format", "json"});
  EXPECT_EQ(e_json.exit_code, 1);
  EXPECT_EQ(parse_json_output(e_json)["verify"]["first_bad_id"], 2) << e_json.out;

  // A deleted row: the one after it no longer follows.
  auto deleted = database_with_three_rows(tmp);
  ASSERT_EQ(run_sql(deleted,
                    "SET session_replication_role = replica; "
                    "DELETE FROM pgdrift.audit_log WHERE id = 2"),
            "");
  CommandOutput d = audit_of(deleted, {"--verify"});
  EXPECT_EQ(d.exit_code, 1) << d.out << d.err;
  EXPECT_NE(d.out.find("BROKEN at row 3 (seq 3)"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("deleted"), std::string::npos) << d.out;

  // Edited and re-hashed by hand: the row checks out, the next one's prev_hash does not.
  auto rehashed = database_with_three_rows(tmp);
  ASSERT_EQ(run_sql(rehashed,
                    "SET session_replication_role = replica; SET timezone = 'UTC'; "
                    "UPDATE pgdrift.audit_log a SET ticket = 'CHG-forged' WHERE id = 2; "
                    "UPDATE pgdrift.audit_log a SET row_hash = encode(sha256(convert_to("
                    "(jsonb_strip_nulls(to_jsonb(a) - 'row_hash'))::text, 'UTF8')), 'hex') "
                    "WHERE id = 2"),
            "");
  CommandOutput h = audit_of(rehashed, {"--verify"});
  EXPECT_EQ(h.exit_code, 1) << h.out << h.err;
  EXPECT_NE(h.out.find("BROKEN at row 3 (seq 3): its prev_hash"), std::string::npos) << h.out;

  // Not a log at all: exit 2.
  auto none = create_fresh_database();
  CommandOutput n = audit_of(none, {"--verify"});
  EXPECT_EQ(n.exit_code, 2) << n.out << n.err;
  EXPECT_NE(n.err.find("no audit log"), std::string::npos) << n.err;
}

CommandOutput rollback_of(const FreshDatabase& db, std::vector<std::string> extra) {
  std::vector<std::string> argv = {PGDRIFT_BINARY, "rollback", "--db", db.url};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_program(argv);
}

std::string model_json(const FreshDatabase& db) {
  CommandOutput r = run_program({PGDRIFT_BINARY, "inspect", db.url, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// Issue 17 item 2: `pgdrift rollback` plans from the database back to the source model the
// apply recorded, and runs it like an apply (lock, preflights, safe points, verification, an
// audit row of its own). Without backups (--no-backup; backup_apply_test.cpp has them) a
// lossy step stays lossy: the schema comes back exactly, rounded values stay rounded, a dropped
// column comes back empty.
TEST(AuditCli, RollbackUndoesTheLastApplyAndSaysWhatWasLost) {
  auto db = create_fresh_database(
      "CREATE TABLE ledger (id int PRIMARY KEY, amount double precision, memo text);\n"
      "INSERT INTO ledger SELECT g, g * 1.125, 'm' || g FROM generate_series(1, 50) g;\n");
  TempDir tmp("pgdrift-rollback");
  const std::string before = model_json(db);
  const std::string target = tmp.write("target.sql", kTarget);

  CommandOutput nothing = rollback_of(db, {"--last"});
  EXPECT_EQ(nothing.exit_code, 2) << nothing.out << nothing.err;  // no audit log yet

  CommandOutput applied =
      apply_to(db, target, {"--allow-hazards", "all", "--accept-rows-at-risk", "--no-backup"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  ASSERT_NE(model_json(db), before);
  // The row keeps the way back: the plan's rollback, each step's inverse, the source model.
  EXPECT_EQ(row_value(db, 1,
                      "jsonb_typeof(plan->'rollback') || ' ' || "
                      "jsonb_typeof(source_model)"),
            "object object");
  EXPECT_EQ(row_value(db, 1,
                      "(SELECT string_agg(s->'object'->>'name' || '=' || "
                      "(s->'rollback'->>'exact'), ' ' ORDER BY (s->>'id')::int) FROM "
                      "jsonb_array_elements(plan->'steps') s WHERE s->'object'->>'kind' "
                      "= 'column')"),
            "public.ledger.memo=false public.ledger.amount=false");

  CommandOutput dry = rollback_of(db, {"--last", "--dry-run", "--allow-hazards", "all"});
  EXPECT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("(undoing audit row 1)"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("ALTER TABLE public.ledger ALTER COLUMN amount TYPE double precision"),
            std::string::npos)
      << dry.out;
  CommandOutput refused = rollback_of(db, {"--last"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;  // data_loss not allowed

  CommandOutput undone = rollback_of(db, {"--last", "--allow-hazards", "all", "--actor", "ops"});
  ASSERT_EQ(undone.exit_code, 0) << undone.out << undone.err;
  EXPECT_NE(undone.out.find("verify: converged"), std::string::npos) << undone.out;
  EXPECT_EQ(model_json(db), before) << line_diff(before, model_json(db));
  // Lossy, as the plan said: the values were rounded, the dropped column's values are gone.
  EXPECT_EQ(query_value(db.conninfo, "SELECT amount FROM ledger WHERE id = 1"), "1.13");
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(memo) FROM ledger"), "0");
  const std::string last = query_value(db.conninfo, "SELECT max(id) FROM pgdrift.audit_log");
  EXPECT_EQ(row_value(db, std::stoi(last), "command || ' ' || status || ' ' || rolls_back"),
            "rollback applied 1");
  // Rolled back already: --last finds nothing left to undo; --id of it is stale now.
  CommandOutput again = rollback_of(db, {"--last", "--allow-hazards", "all"});
  EXPECT_EQ(again.exit_code, 2) << again.out << again.err;
  EXPECT_NE(again.err.find("nothing to roll back"), std::string::npos) << again.err;
  CommandOutput stale = rollback_of(db, {"--id", "1", "--allow-hazards", "all"});
  EXPECT_EQ(stale.exit_code, 1) << stale.out << stale.err;
  EXPECT_NE(stale.err.find("no longer as audit row 1 left it"), std::string::npos) << stale.err;
  EXPECT_EQ(model_json(db), before);
  CommandOutput verified = audit_of(db, {"--verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

TEST(AuditCli, RollbackRefusesADatabaseChangedSinceTheApplyUnlessForced) {
  auto db = create_fresh_database(kSource);
  TempDir tmp("pgdrift-rollback-stale");
  const std::string before = model_json(db);
  const std::string target = tmp.write("target.sql", kTarget);
  ASSERT_EQ(apply_to(db, target, {"--allow-hazards", "all"}).exit_code, 0);
  query_value(db.conninfo, "CREATE TABLE hand_made (id int); SELECT 1");
  CommandOutput refused = rollback_of(db, {"--last", "--allow-hazards", "all"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("nothing was rolled back"), std::string::npos) << refused.err;
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM pg_tables WHERE tablename = 'accounts'"),
            "1");
  CommandOutput forced = rollback_of(db, {"--last", "--allow-hazards", "all", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.out << forced.err;
  EXPECT_EQ(model_json(db), before);  // the hand-made table is undone too, as --force says
}

// Issue 17 item 4: after the steps, the data of the tables the plan touched is checked against
// what was measured before the first step. A reviewed plan whose retype rounds to whole numbers
// (not to the 2 digits of numeric(12,2)) and which deletes rows converges in schema but fails
// its data checks: exit 1, each failed check named.
TEST(AuditCli, DataChecksFindLostRowsAndSumsMovedMoreThanRounding) {
  auto db = create_fresh_database(kSource);  // ledger: 100 rows, amount = id / 4.0
  TempDir tmp("pgdrift-data-checks");
  const std::string target = tmp.write("target.sql", kTarget);
  CommandOutput planned =
      run_program({PGDRIFT_BINARY, "plan", "--from", db.url, "--to", target, "--format", "json",
                   "--no-validate", "--allow-hazards", "all"});
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  json plan = json::parse(planned.out);
  bool edited = false;
  for (auto& step : plan["steps"]) {
    std::string statement = step["statement"];
    if (statement.find("TYPE numeric(12,2)") == std::string::npos) continue;
    statement.insert(statement.find(';'), " USING round(amount)");
    step["statement"] = statement;
    edited = true;
  }
  ASSERT_TRUE(edited) << planned.out;
  json deleting = plan["steps"].back();
  deleting["id"] = plan["steps"].size() + 1;
  deleting["statement"] = "DELETE FROM public.ledger WHERE id > 90;";
  deleting["object"] = {{"kind", "table"}, {"name", "public.ledger"}};
  deleting["change"] = "alter";
  deleting["hazards"] = json::array();
  deleting["preflight"] = nullptr;
  plan["steps"].push_back(deleting);
  const std::string plan_file = tmp.write("plan.json", plan.dump(2));

  CommandOutput applied =
      run_program({PGDRIFT_BINARY, "apply", "--db", db.url, "--plan", plan_file, "--allow-hazards",
                   "all", "--accept-rows-at-risk", "--format", "json"});
  EXPECT_EQ(applied.exit_code, 1) << applied.out << applied.err;
  const json report = parse_json_output(applied);
  EXPECT_EQ(report["result"], "data_check_failed") << applied.out;
  EXPECT_TRUE(report["verify"]["converged"]) << applied.out;
  std::map<std::string, bool> ok;
  for (const auto& c : report["data_checks"]["checks"]) ok[c["check"].get<std::string>()] = c["ok"];
  EXPECT_FALSE(ok.at("row_count"));
  EXPECT_FALSE(ok.at("numeric_sum"));
  EXPECT_TRUE(ok.at("no_new_nulls"));
  EXPECT_TRUE(ok.at("no_invalid_index"));
  EXPECT_NE(applied.err.find("row_count public.ledger: the table has 90 rows, it had 100"),
            std::string::npos)
      << applied.err;
  EXPECT_EQ(row_value(db, 1, "status"), "data_check_failed");
  // It changed the database: rollback --last finds it.
  CommandOutput undone = rollback_of(db, {"--last", "--allow-hazards", "all"});
  EXPECT_EQ(undone.exit_code, 0) << undone.out << undone.err;
  EXPECT_NE(undone.out.find("(undoing audit row 1)"), std::string::npos) << undone.out;

  // The same plan without the edits passes every check.
  auto clean = create_fresh_database(kSource);
  CommandOutput passed =
      apply_to(clean, target, {"--allow-hazards", "all", "--accept-rows-at-risk"});
  EXPECT_EQ(passed.exit_code, 0) << passed.out << passed.err;
  EXPECT_NE(passed.out.find("data checks: passed"), std::string::npos) << passed.out;
}

// Issue 17 item 5: --on-failure rollback after groups committed, a CREATE INDEX CONCURRENTLY
// among them (outside any transaction), and a later step that fails: the database is back at
// its original fingerprint.
TEST(AuditCli, OnFailureRollbackUndoesCommittedGroupsAndAConcurrentIndex) {
  auto db = create_fresh_database(
      "CREATE TABLE t (id int PRIMARY KEY, a int, b text);\n"
      "INSERT INTO t SELECT g, g, 'row ' || g FROM generate_series(1, 200) g;\n");
  TempDir tmp("pgdrift-on-failure");
  const std::string before = model_json(db);
  // ADD CONSTRAINT ... NOT VALID and ADD COLUMN commit, the index is built concurrently, then
  // VALIDATE fails on a >= 100.
  const std::string target =
      tmp.write("target.sql",
                "CREATE TABLE t (id int PRIMARY KEY, a int CHECK (a < 100), b text, c text);\n"
                "CREATE INDEX t_a_idx ON t (a);\n");
  CommandOutput stopped = apply_to(db, target, {"--allow-hazards", "all", "--accept-rows-at-risk"});
  EXPECT_EQ(stopped.exit_code, 1) << stopped.out << stopped.err;
  EXPECT_NE(model_json(db), before);  // the default policy stops where the failure left it
  ASSERT_EQ(rollback_of(db, {"--last", "--allow-hazards", "all"}).exit_code, 0);
  ASSERT_EQ(model_json(db), before);

  CommandOutput run = apply_to(db, target,
                               {"--allow-hazards", "all", "--accept-rows-at-risk", "--on-failure",
                                "rollback", "--format", "json"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const json report = parse_json_output(run);
  EXPECT_EQ(report["result"], "rolled_back") << run.out;
  bool concurrent_committed = false;
  for (const auto& s : report["steps"])
    concurrent_committed |=
        s["statement"].get<std::string>().find("CONCURRENTLY") != std::string::npos &&
        s["status"] == "applied";
  EXPECT_TRUE(concurrent_committed) << run.out;
  EXPECT_TRUE(report["auto_rollback"]["restored"]) << run.out;
  EXPECT_EQ(report["auto_rollback"]["live_fingerprint"], report["live_fingerprint"]);
  EXPECT_EQ(model_json(db), before) << line_diff(before, model_json(db));
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM pg_indexes WHERE indexname = 't_a_idx'"),
            "0");
  const std::string last = query_value(db.conninfo, "SELECT max(id) FROM pgdrift.audit_log");
  EXPECT_EQ(row_value(db, std::stoi(last), "status"), "rolled_back");
}

// Issue 17 item 6: a session that holds ACCESS SHARE on a table in an open transaction is named
// as the blocker of the ALTER TABLE step (which would wait for it, with every query after it);
// apply refuses, exit 1, and --ignore-blockers runs anyway (waiting up to lock_timeout).
TEST(AuditCli, ASessionHoldingALockIsNamedAsTheBlockerOfAnAlterTableStep) {
  auto db = create_fresh_database(kSource);
  TempDir tmp("pgdrift-blockers");
  const std::string target = tmp.write("target.sql", kTarget);
  pg::Session holder(db.conninfo + " application_name=report-job");
  ASSERT_FALSE(holder.run("BEGIN; SELECT count(*) FROM ledger"));
  const std::string pid = query_value(
      db.conninfo, "SELECT pid FROM pg_stat_activity WHERE application_name = 'report-job'");
  CommandOutput refused =
      apply_to(db, target, {"--allow-hazards", "all", "--accept-rows-at-risk", "--format", "json"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  const json report = parse_json_output(refused);
  EXPECT_EQ(report["result"], "blocked") << refused.out;
  ASSERT_FALSE(report["blockers"].empty()) << refused.out;
  const json& holder_json = report["blockers"][0]["holders"][0];
  EXPECT_EQ(report["blockers"][0]["table"], "public.ledger");
  EXPECT_EQ(report["blockers"][0]["lock"], "ACCESS EXCLUSIVE");
  EXPECT_EQ(std::to_string(holder_json["pid"].get<int>()), pid);
  EXPECT_EQ(holder_json["application_name"], "report-job");
  EXPECT_EQ(holder_json["mode"], "AccessShareLock");
  EXPECT_EQ(holder_json["state"], "idle in transaction");
  EXPECT_NE(refused.err.find("pid " + pid + " (application_name 'report-job'"), std::string::npos)
      << refused.err;
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM pg_tables WHERE tablename = 'accounts'"),
            "0");  // nothing ran
  // Once the session ends, nothing blocks.
  ASSERT_FALSE(holder.run("COMMIT"));
  CommandOutput applied = apply_to(db, target, {"--allow-hazards", "all", "--accept-rows-at-risk"});
  EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
}

TEST(AuditCli, AnApplyThatFindsTheLockTakenNamesTheRunningRow) {
  auto db = create_fresh_database(kSource);
  TempDir tmp("pgdrift-audit-busy");
  const std::string target = tmp.write("target.sql", kTarget);
  // Another session holds the table: the first apply's ALTER waits for it.
  pg::Session holder(db.conninfo);
  ASSERT_FALSE(holder.run("BEGIN; LOCK TABLE ledger IN ACCESS SHARE MODE"));
  const pid_t first =
      spawn_pgdrift({"apply", "--db", db.url, "--to", target, "--allow-hazards", "all",
                     "--lock-timeout", "60000", "--actor", "first-job", "--ignore-blockers"});
  ASSERT_GT(first, 0);
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  bool running = false;
  while (!running && Clock::now() < deadline) {
    running = query_value(db.conninfo,
                          "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                          "'pgdrift-apply' AND wait_event_type = 'Lock'") != "0";
    if (!running) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(running) << "the first apply never waited for the table";
  CommandOutput second = apply_to(db, target, {"--allow-hazards", "all"});
  EXPECT_EQ(second.exit_code, 2) << second.out << second.err;
  EXPECT_NE(second.err.find("another apply is running"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("audit row 1 has been running since"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("actor first-job"), std::string::npos) << second.err;

  ASSERT_FALSE(holder.run("ROLLBACK"));
  int status = 0;
  ::waitpid(first, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(row_value(db, 1, "status"), "applied");
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM pgdrift.audit_log"), "1");
}

}  // namespace
}  // namespace pgdrift::testing
