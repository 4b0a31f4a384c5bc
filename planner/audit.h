// The audit trail of `apply` (docs/apply.md, "Audit trail"): one row per apply in the table
// <schema>.audit_log of the database it changes, so that "who changed what, when, with which
// plan, and what happened" can be answered from the database alone.
//
// - The row is inserted and committed before the first step (status `running`) on a connection
//   of its own (what the steps' transactions do never takes it back), and completed at the end.
// - Append-only: a trigger refuses DELETE, TRUNCATE and any UPDATE of a completed row.
// - Hash-chained: the trigger stamps every row with `seq` (1, 2, ... without gaps), the previous
//   row's hash and `row_hash` = SHA-256 of the row's canonical content (its jsonb without
//   row_hash and without NULL fields, timestamps in UTC), which includes that previous hash.
//   verify_audit_chain() recomputes every hash with OpenSSL, so an edited or deleted row (also
//   with the trigger disabled) is found. Only an anchor outside the database finds a deleted
//   last row or a chain rewritten as a whole: apply prints each row's seq and hash.
// - The schema is marked as pgdrift's own (its COMMENT starts with kManagedSchemaMark):
//   inspect, drift and plan leave it out (schema/live/queries.h kSchemasQuery).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgdrift::planner {

class AuditError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kDefaultAuditSchema = "pgdrift";
// The start of the COMMENT of a schema pgdrift manages; the introspector skips such schemas.
inline constexpr const char* kManagedSchemaMark = "pgdrift:managed";

// What an apply writes into its row. Set at the start: who and what; at the end: the outcome.
struct AuditEntry {
  std::string command = "apply";
  std::string mode;  // to | plan
  bool dry_run = false;
  std::string os_user;
  std::string os_host;
  std::string actor;   // --actor: a CI job, a person
  std::string ticket;  // --ticket: the change ticket
  std::string pgdrift_version;
  std::string desired_source;      // a path, or a redacted connection string
  std::string desired_git_commit;  // HEAD of the work tree the path is in ("" outside git)
  bool desired_git_dirty = false;  // the path has uncommitted changes
  // The outcome.
  std::string status;  // the apply result: applied, failed, refused_hazards, ...
  std::string message;
  int exit_code = 0;
  std::string source_fingerprint;
  std::string target_fingerprint;
  std::string live_fingerprint_before;
  std::string live_fingerprint_after;
  nlohmann::json plan;    // the plan that ran or would run (pgdrift-plan/1), or null
  nlohmann::json report;  // the apply report (pgdrift-apply/1): steps, timings, preflights
  // The database as introspected before the first step (schema/json.h model JSON, grants
  // included): what `pgdrift rollback` plans back to. Null before introspection.
  nlohmann::json source_model;
  int64_t rolls_back = 0;  // command rollback: the id of the row it undoes
};

// One row as stored.
struct AuditRow {
  int64_t id = 0;
  int64_t seq = 0;
  std::string status;
  nlohmann::json fields;  // every column, NULLs included, timestamps in UTC
  std::string prev_hash;
  std::string row_hash;
};

// The log of one database, on a connection of its own (TimeZone UTC).
class AuditLog {
 public:
  // Connects; throws schema::live::ConnectionError.
  AuditLog(const std::string& conninfo, std::string schema);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Creates the schema, the table and its trigger when missing (idempotent). Throws AuditError
  // naming what PostgreSQL refused (e.g. no CREATE privilege on the database).
  void ensure();
  // Rows still `running`: their apply ended without completing them (pgdrift was killed or its
  // connection broke). Called under the apply lock, so none of them is still running: each is
  // completed with status `interrupted` and returned.
  std::vector<AuditRow> close_interrupted();
  // Inserts the `running` row (committed at once) and returns its id.
  int64_t begin(const AuditEntry& entry);
  // Stores the source model in the running row `id`, once it is introspected (committed at
  // once: a crash after it still leaves the way back).
  void record_source_model(int64_t id, const nlohmann::json& model);
  // Completes row `id` with the outcome of `entry`; returns the completed row (seq, hash).
  AuditRow finish(int64_t id, const AuditEntry& entry);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Rows of the log, oldest first: the last `last` rows (all when 0), or the row `id`. Throws
// AuditError when the database has no audit log in `schema`.
std::vector<AuditRow> read_audit_log(const std::string& conninfo, const std::string& schema,
                                     int last, std::optional<int64_t> id);

// The last row of an apply that changed the database (status applied, failed, not_converged or
// data_check_failed), recorded its source model and was not rolled back yet (by a rollback row
// with status applied): what `rollback --last` undoes. nullopt when there is none. Throws AuditError when there is no audit log.
std::optional<AuditRow> last_rollbackable_row(const std::string& conninfo,
                                              const std::string& schema);

// Rows still `running` (read only; empty when there is no log): for the message of an apply
// that finds the lock taken.
std::vector<AuditRow> running_audit_rows(const std::string& conninfo, const std::string& schema);

// The chain check of `audit --verify`.
struct ChainCheck {
  int64_t rows = 0;
  bool intact = true;
  std::optional<int64_t> first_bad_id;  // the first row that does not match
  std::string problem;                  // what is wrong with it
};
ChainCheck verify_audit_chain(const std::string& conninfo, const std::string& schema);

// Hex SHA-256 of a row's canonical content (what the trigger stores in row_hash).
std::string audit_content_hash(const std::string& canonical_content);

}  // namespace pgdrift::planner
