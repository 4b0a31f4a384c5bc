// Backups for lossy steps (docs/apply.md, "Backups"). Before a step that destroys values (a
// dropped column or table, a type change that rounds or may not convert), apply copies what the
// step destroys into <audit schema>_backup."<audit id>_<step id>", in the step's own transaction:
// a step that fails takes its backup back with it, a step that commits commits its backup. The
// rollback of that apply (PlanOptions::restores) puts the old values back, which makes the step's
// inverse exact:
//  - a column: the key and the column ("SELECT k, c FROM ONLY t"); the rollback converts the
//    column back (or re-adds it) and sets every row's old value by key;
//  - a table: every row ("SELECT * FROM t"); the rollback re-creates the table and inserts them
//    before its indexes, foreign keys, triggers and policies come back, then moves its
//    sequences past the restored values.
// What cannot be backed up exactly is listed with the reason (no primary key or NOT NULL unique
// key, the column is part of that key, an identity column, an object kind without rows), and
// its inverse stays lossy.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "planner/plan.h"
#include "schema/model.h"

namespace pgdrift::planner {

// The schema backups go to: the audit schema's name + "_backup" (pgdrift_backup by default).
std::string backup_schema(const std::string& audit_schema);

// The backups `plan` calls for, from the model of the database before it (`live`), named for
// the audit row `audit_id`. One per step with data_loss, precision_loss or
// conversion_may_fail whose values exist in `live`; steps whose values cannot be saved exactly
// get an entry with `skipped` set. Each backup's statement is CREATE TABLE <backup_table> AS
// SELECT ... with a COMMENT saying what it holds: ApplySession::execute runs it in the step's
// transaction, just before the step.
std::vector<Backup> plan_backups(const Plan& plan, const schema::Model& live,
                                 const std::string& schema_name, int64_t audit_id);

// CREATE SCHEMA IF NOT EXISTS, marked as pgdrift's own (introspection leaves it out), not
// usable by PUBLIC. Throws what PostgreSQL refused.
void create_backup_schema(const std::string& conninfo, const std::string& schema_name);

// The statement of the rollback step that puts the values of `backup` back (planner
// gen_restore.cpp places it): an UPDATE by key of the column (the table's enabled user triggers
// that fire on UPDATE are disabled around it, so that they do not change what is restored), or
// an INSERT of every row into the re-created table and setval of its sequences. `table` is the
// table as the rollback's target has it.
std::string restore_statement(const Backup& backup, const schema::Table& table,
                              const std::vector<const schema::Trigger*>& enabled_update_triggers);

nlohmann::json backups_to_json(const std::vector<Backup>& backups);
std::vector<Backup> backups_from_json(const nlohmann::json& json);

// The backups of `backups` whose tables still exist in the database (pruned ones do not).
std::vector<Backup> existing_backups(const std::string& conninfo,
                                     const std::vector<Backup>& backups);

// `audit --prune-backups --older-than DAYS`: drops the backup tables of audit rows that started
// more than `days` days ago, under the apply lock so that no rollback is reading them. Tables
// the log has no row for are kept (not pgdrift's to judge). Returns the tables dropped.
std::vector<std::string> prune_backups(const std::string& conninfo, const std::string& audit_schema,
                                       double days);

}  // namespace pgdrift::planner
