// Backups for lossy steps (issue 17 item 3, docs/apply.md "Backups"), end to end through the
// built binary on databases with data: apply backs up what a lossy step destroys, in the step's
// transaction, and `rollback --last` restores the schema (the fingerprint from before) and every
// old value, compared column by column over every row. Without backups the same rollback gives
// the rounded values back, which is what makes the comparison able to fail.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

using nlohmann::json;

// Money as double precision (values numeric(12,2) rounds), a NOT NULL column and a nullable one
// the target drops, a touch trigger on UPDATE (a restore must not fire it), a table the target
// drops, with a serial key, and a table without a key.
const char* kSource = R"(
CREATE TABLE ledger (
  id int PRIMARY KEY,
  amount double precision,
  memo text NOT NULL,
  legacy_code text,
  token uuid NOT NULL DEFAULT gen_random_uuid(),
  touched_at timestamptz NOT NULL DEFAULT '2020-01-01 00:00:00+00'
);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN NEW.touched_at := clock_timestamp(); RETURN NEW; END$$;
CREATE TRIGGER ledger_touch BEFORE UPDATE ON ledger FOR EACH ROW EXECUTE FUNCTION touch();
INSERT INTO ledger (id, amount, memo, legacy_code)
  SELECT g, g / 3.0 + 1e-7 * g, 'memo ' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'L' || g END
  FROM generate_series(1, 2000) g;
CREATE TABLE old_events (id serial PRIMARY KEY, payload jsonb, at date NOT NULL);
INSERT INTO old_events (payload, at)
  SELECT jsonb_build_object('n', g), date '2024-01-01' + g FROM generate_series(1, 300) g;
CREATE TABLE loose (code text, ratio double precision);
INSERT INTO loose SELECT 'c' || g, g / 7.0 FROM generate_series(1, 50) g;
)";

// The source's other tables, unchanged.
const char* kLooseAndEvents = R"(
CREATE TABLE old_events (id serial PRIMARY KEY, payload jsonb, at date NOT NULL);
CREATE TABLE loose (code text, ratio double precision);
)";

const char* kTarget = R"(
CREATE TABLE ledger (
  id int PRIMARY KEY,
  amount numeric(12,2),
  touched_at timestamptz NOT NULL DEFAULT '2020-01-01 00:00:00+00'
);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN NEW.touched_at := clock_timestamp(); RETURN NEW; END$$;
CREATE TRIGGER ledger_touch BEFORE UPDATE ON ledger FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TABLE loose (code text, ratio numeric(6,2));
)";

// Every value of the tables, in key order, as one text per table.
std::string ledger_values(const FreshDatabase& db) {
  return query_value(db.conninfo,
                     "SELECT string_agg(format('%s|%s|%s|%s|%s|%s', id, amount::text, memo, "
                     "legacy_code, token, touched_at), E'\\n' ORDER BY id) FROM ledger");
}
std::string events_values(const FreshDatabase& db) {
  return query_value(db.conninfo,
                     "SELECT string_agg(format('%s|%s|%s', id, payload, at), E'\\n' ORDER BY id) "
                     "FROM old_events");
}

CommandOutput run(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {PGDRIFT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv);
}

json parse(const CommandOutput& out) {
  try {
    return json::parse(out.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what() << "\nstdout: " << out.out << "\nstderr: " << out.err;
    return json::object();
  }
}

const json* backup_of(const json& report, const std::string& table, const json& column) {
  for (const auto& b : report["backups"])
    if (b["table"] == table && b["column"] == column) return &b;
  return nullptr;
}

TEST(BackupRollback, RollbackLastRestoresTheSchemaAndEveryOldValue) {
  auto db = create_fresh_database(kSource);
  TempDir tmp("pgdrift-backup");
  const std::string target = tmp.write("target.sql", kTarget);
  const std::string ledger_before = ledger_values(db);
  const std::string events_before = events_values(db);
  const std::string loose_before = query_value(
      db.conninfo, "SELECT string_agg(code || '|' || ratio, ',' ORDER BY code) FROM loose");

  CommandOutput applied = run({"apply", "--db", db.url, "--to", target, "--allow-hazards", "all",
                               "--accept-rows-at-risk", "--format", "json"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  const json report = parse(applied);
  const std::string fingerprint_before = report["live_fingerprint"];

  // The conversion, the two dropped columns and the dropped table were backed up with their
  // rows; the table without a key could not be, and says why.
  for (const auto& [table, column, rows] :
       std::vector<std::tuple<std::string, json, int>>{{"public.ledger", "amount", 2000},
                                                       {"public.ledger", "memo", 2000},
                                                       {"public.ledger", "legacy_code", 2000},
                                                       {"public.ledger", "token", 2000},
                                                       {"public.old_events", nullptr, 300}}) {
    const json* b = backup_of(report, table, column);
    ASSERT_NE(b, nullptr) << table << " " << column << "\n" << report["backups"].dump(2);
    EXPECT_TRUE((*b)["taken"].get<bool>()) << b->dump();
    EXPECT_EQ((*b)["rows"], rows) << b->dump();
    const std::string backup_table = (*b)["backup_table"];
    EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM " + backup_table),
              std::to_string(rows));
  }
  const json* loose = backup_of(report, "public.loose", "ratio");
  ASSERT_NE(loose, nullptr) << report["backups"].dump(2);
  EXPECT_FALSE((*loose)["taken"].get<bool>());
  EXPECT_NE((*loose)["skipped"].get<std::string>().find("no primary key"), std::string::npos);
  // In the plan the audit row keeps, a backed-up step is undone exactly; the one without a
  // backup stays lossy.
  const json plan =
      json::parse(query_value(db.conninfo, "SELECT plan FROM pgdrift.audit_log WHERE id = " +
                                               report["audit"]["id"].dump()));
  int exact = 0, lossy = 0;
  for (const auto& step : plan["steps"]) {
    const std::string name = step["object"]["name"];
    if (name == "public.ledger.amount" || name == "public.ledger.memo" ||
        name == "public.old_events") {
      EXPECT_TRUE(step["rollback"]["exact"].get<bool>()) << step.dump(2);
      EXPECT_NE(step["rollback"]["why"].get<std::string>().find("backup"), std::string::npos);
      ++exact;
    } else if (name == "public.loose.ratio") {
      EXPECT_FALSE(step["rollback"]["exact"].get<bool>()) << step.dump(2);
      ++lossy;
    }
  }
  EXPECT_EQ(exact, 3) << plan["steps"].dump(2);
  EXPECT_EQ(lossy, 1);
  // The values really changed (rounded to cents) and the columns are gone.
  ASSERT_NE(query_value(db.conninfo, "SELECT amount::text FROM ledger WHERE id = 1"), "0.3333334");
  ASSERT_EQ(query_value(db.conninfo, "SELECT to_regclass('old_events') IS NULL"), "t");
  // The backup schema is pgdrift's own: drift against the target sees nothing of it.
  CommandOutput drift = run({"drift", "--db", db.url, "--desired", target});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;

  CommandOutput rolled = run({"rollback", "--db", db.url, "--last", "--allow-hazards", "all",
                              "--accept-rows-at-risk", "--format", "json"});
  ASSERT_EQ(rolled.exit_code, 0) << rolled.out << rolled.err;
  const json back = parse(rolled);
  EXPECT_EQ(back["restores"].size(), 5u) << back["restores"].dump(2);
  ASSERT_TRUE(back["verify"].is_object());
  EXPECT_EQ(back["verify"]["live_fingerprint"], fingerprint_before);

  // Every old value: the doubles to the last bit (text of float8 is exact since PostgreSQL 12),
  // the NOT NULL memo, the NULLs of legacy_code, the tokens (re-added with their volatile
  // default, restored before its backfill), touched_at untouched by the trigger, and the
  // dropped table's rows.
  EXPECT_EQ(ledger_values(db), ledger_before);
  EXPECT_EQ(events_values(db), events_before);
  // The serial goes on after the restored keys.
  EXPECT_EQ(query_value(db.conninfo,
                        "INSERT INTO old_events (payload, at) VALUES ('{}', '2025-01-01') "
                        "RETURNING id"),
            "301");
  // Without a key the values stay rounded: the rollback of that step was lossy, as it said.
  EXPECT_NE(query_value(db.conninfo,
                        "SELECT string_agg(code || '|' || ratio, ',' ORDER BY code) FROM loose"),
            loose_before);
  // The trigger is enabled again.
  EXPECT_EQ(
      query_value(db.conninfo, "SELECT tgenabled FROM pg_trigger WHERE tgname = 'ledger_touch'"),
      "O");
}

TEST(BackupRollback, WithoutBackupsTheRollbackGivesBackRoundedValues) {
  auto db = create_fresh_database(kSource);
  TempDir tmp("pgdrift-backup");
  // Only the conversion of the money column.
  std::string only_amount = kSource;
  only_amount = only_amount.substr(0, only_amount.find("INSERT INTO ledger"));
  only_amount.replace(only_amount.find("amount double precision"), 23, "amount numeric(12,2)");
  const std::string target = tmp.write("target.sql", only_amount + kLooseAndEvents);
  const std::string amounts = "SELECT string_agg(amount::text, ',' ORDER BY id) FROM ledger";
  const std::string before = query_value(db.conninfo, amounts);

  CommandOutput applied = run({"apply", "--db", db.url, "--to", target, "--allow-hazards", "all",
                               "--accept-rows-at-risk", "--no-backup", "--format", "json"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  const json report = parse(applied);
  EXPECT_TRUE(report["backups"].empty());
  EXPECT_EQ(report["backups_off"], "--no-backup");
  EXPECT_EQ(query_value(db.conninfo,
                        "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgdrift_backup'"),
            "0");

  CommandOutput rolled =
      run({"rollback", "--db", db.url, "--last", "--allow-hazards", "all", "--format", "json"});
  ASSERT_EQ(rolled.exit_code, 0) << rolled.out << rolled.err;
  EXPECT_TRUE(parse(rolled)["restores"].empty());
  // The type is back, the values are the rounded ones.
  EXPECT_EQ(query_value(db.conninfo, "SELECT amount::text FROM ledger WHERE id = 1"), "0.33");
  EXPECT_NE(query_value(db.conninfo, amounts), before);
}

TEST(BackupRollback, PruneDropsOldBackupsAndTheRollbackThenSaysNothingIsRestored) {
  auto db = create_fresh_database(
      "CREATE TABLE t (id int PRIMARY KEY, v double precision);"
      "INSERT INTO t SELECT g, g / 3.0 FROM generate_series(1, 10) g;");
  TempDir tmp("pgdrift-backup");
  const std::string target =
      tmp.write("target.sql", "CREATE TABLE t (id int PRIMARY KEY, v numeric(6,1));");
  CommandOutput applied = run({"apply", "--db", db.url, "--to", target, "--allow-hazards", "all",
                               "--accept-rows-at-risk", "--format", "json"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  const json report = parse(applied);
  ASSERT_EQ(report["backups"].size(), 1u);
  const std::string backup_table = report["backups"][0]["backup_table"];

  // Nothing is older than a day yet.
  CommandOutput kept = run({"audit", "--db", db.url, "--prune-backups", "--older-than", "1"});
  ASSERT_EQ(kept.exit_code, 0) << kept.out << kept.err;
  EXPECT_EQ(query_value(db.conninfo, "SELECT to_regclass('" + backup_table + "') IS NOT NULL"),
            "t");
  CommandOutput missing_days = run({"audit", "--db", db.url, "--prune-backups"});
  EXPECT_EQ(missing_days.exit_code, 2) << missing_days.out << missing_days.err;

  CommandOutput pruned =
      run({"audit", "--db", db.url, "--prune-backups", "--older-than", "0", "--format", "json"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.out << pruned.err;
  EXPECT_EQ(parse(pruned)["pruned_backups"], json::array({backup_table}));
  EXPECT_EQ(query_value(db.conninfo, "SELECT to_regclass('" + backup_table + "') IS NULL"), "t");

  CommandOutput rolled =
      run({"rollback", "--db", db.url, "--last", "--allow-hazards", "all", "--format", "json"});
  ASSERT_EQ(rolled.exit_code, 0) << rolled.out << rolled.err;
  EXPECT_TRUE(parse(rolled)["restores"].empty());
  EXPECT_EQ(query_value(db.conninfo, "SELECT v::text FROM t WHERE id = 1"), "0.3");
}

}  // namespace
}  // namespace pgdrift::testing
