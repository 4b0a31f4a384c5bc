// The audit log (planner/audit.h, docs/apply.md "Audit trail"). The table's DDL and the
// trigger that makes it append-only and chains its rows are here, as named SQL; the chain is
// recomputed in C++ (OpenSSL) by verify_audit_chain, independently of the trigger.
#include "planner/audit.h"

#include <openssl/sha.h>

#include <pqxx/pqxx>

#include "schema/canonical.h"
#include "schema/live/connection.h"

namespace pgdrift::planner {

namespace {

using schema::quote_ident;

// The hash of the row before the first.
const std::string kGenesisHash(64, '0');

std::string table_of(const std::string& schema) { return quote_ident(schema) + ".audit_log"; }

// Schema, table and trigger; every statement idempotent, so that ensure() runs on every apply.
// Columns are only ever added (nullable): the hash covers the row without its NULL fields, so a
// new column leaves the hashes of older rows intact.
std::string ddl(const std::string& schema) {
  const std::string s = quote_ident(schema);
  const std::string t = table_of(schema);
  return "CREATE SCHEMA IF NOT EXISTS " + s +
         ";\n"
         "COMMENT ON SCHEMA " +
         s + " IS '" + kManagedSchemaMark +
         " audit trail of pgdrift apply (docs/apply.md); left out of inspect, drift and plan';\n"
         "CREATE TABLE IF NOT EXISTS " +
         t +
         " (\n"
         "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
         "  seq bigint NOT NULL UNIQUE,\n"
         "  command text NOT NULL,\n"
         "  status text NOT NULL,\n"
         "  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
         "  finished_at timestamptz,\n"
         "  db_current_user text NOT NULL DEFAULT current_user,\n"
         "  db_session_user text NOT NULL DEFAULT session_user,\n"
         "  client_addr text DEFAULT inet_client_addr()::text,\n"
         "  os_user text,\n"
         "  os_host text,\n"
         "  actor text,\n"
         "  ticket text,\n"
         "  pgdrift_version text NOT NULL,\n"
         "  mode text,\n"
         "  dry_run boolean NOT NULL,\n"
         "  desired_source text,\n"
         "  desired_git_commit text,\n"
         "  desired_git_dirty boolean,\n"
         "  source_fingerprint text,\n"
         "  target_fingerprint text,\n"
         "  live_fingerprint_before text,\n"
         "  live_fingerprint_after text,\n"
         "  plan jsonb,\n"
         "  report jsonb,\n"
         "  message text,\n"
         "  exit_code integer,\n"
         "  source_model jsonb,\n"
         "  rolls_back bigint,\n"
         "  prev_hash text NOT NULL,\n"
         "  row_hash text NOT NULL\n"
         ");\n"

         // The chain: seq and prev_hash from the last row, row_hash over the row's content.
         // SET timezone: the content's timestamps are written in UTC whoever inserts.
         "CREATE OR REPLACE FUNCTION " +
         s +
         ".audit_log_chain() RETURNS trigger LANGUAGE plpgsql SET timezone TO 'UTC' AS $pgdrift$\n"
         "DECLARE\n"
         "  tail record;\n"
         "BEGIN\n"
         "  IF TG_OP = 'INSERT' THEN\n"
         "    SELECT seq, row_hash INTO tail FROM " +
         t +
         " ORDER BY seq DESC LIMIT 1;\n"
         "    NEW.seq := coalesce(tail.seq, 0) + 1;\n"
         "    NEW.prev_hash := coalesce(tail.row_hash, '" +
         kGenesisHash +
         "');\n"
         "  ELSIF TG_OP = 'UPDATE' THEN\n"
         "    IF OLD.status <> 'running' THEN\n"
         "      RAISE EXCEPTION 'pgdrift audit log is append-only: row % (status %) cannot be "
         "changed', OLD.id, OLD.status USING ERRCODE = '42501';\n"
         "    END IF;\n"
         "    IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq OR NEW.prev_hash <> OLD.prev_hash\n"
         "       OR NEW.started_at <> OLD.started_at THEN\n"
         "      RAISE EXCEPTION 'pgdrift audit log: the identity of row % cannot be changed', "
         "OLD.id USING ERRCODE = '42501';\n"
         "    END IF;\n"
         "  ELSE\n"
         "    RAISE EXCEPTION 'pgdrift audit log is append-only: % refused', TG_OP\n"
         "      USING ERRCODE = '42501';\n"
         "  END IF;\n"
         "  NEW.row_hash := encode(sha256(convert_to(\n"
         "    (jsonb_strip_nulls(to_jsonb(NEW) - 'row_hash'))::text, 'UTF8')), 'hex');\n"
         "  RETURN NEW;\n"
         "END $pgdrift$;\n"
         "DROP TRIGGER IF EXISTS audit_log_chain ON " +
         t + ";\nCREATE TRIGGER audit_log_chain BEFORE INSERT OR UPDATE OR DELETE ON " + t +
         " FOR EACH ROW EXECUTE FUNCTION " + s +
         ".audit_log_chain();\n"
         "DROP TRIGGER IF EXISTS audit_log_no_truncate ON " +
         t + ";\nCREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON " + t +
         " FOR EACH STATEMENT EXECUTE FUNCTION " + s + ".audit_log_chain();\n";
}

// Every row with its canonical content (what row_hash covers), oldest first.
std::string rows_query(const std::string& schema, const std::string& where) {
  return "SELECT a.id, a.seq, a.status, a.prev_hash, a.row_hash, to_jsonb(a)::text,"
         " (jsonb_strip_nulls(to_jsonb(a) - 'row_hash'))::text FROM " +
         table_of(schema) + " a " + where + " ORDER BY a.seq";
}

AuditRow row_of(const pqxx::row& r) {
  AuditRow row;
  row.id = r[0].as<int64_t>();
  row.seq = r[1].as<int64_t>();
  row.status = r[2].c_str();
  row.prev_hash = r[3].c_str();
  row.row_hash = r[4].c_str();
  row.fields = nlohmann::json::parse(r[5].c_str());
  return row;
}

std::unique_ptr<pqxx::connection> connect_utc(const std::string& conninfo) {
  auto connection = schema::live::connect(conninfo);
  pqxx::nontransaction work(*connection);
  work.exec(
      "SET timezone = 'UTC'; SET client_min_messages = warning;"
      " SET application_name = 'pgdrift-audit'");
  return connection;
}

bool log_exists(pqxx::transaction_base& work, const std::string& schema) {
  return !work.exec_params(
                  "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                  " ON n.oid = c.relnamespace WHERE n.nspname = $1"
                  " AND c.relname = 'audit_log'",
                  schema)
              .empty();
}

// The entry's outcome as the UPDATE's parameters $2.. (empty text and null JSON -> NULL).
std::string json_or_empty(const nlohmann::json& j) { return j.is_null() ? "" : j.dump(); }

}  // namespace

std::string audit_content_hash(const std::string& canonical_content) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(canonical_content.data()), canonical_content.size(),
         digest);
  static const char* const hex = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : digest) {
    out += hex[byte >> 4];
    out += hex[byte & 0xf];
  }
  return out;
}

struct AuditLog::Impl {
  std::string schema;
  std::unique_ptr<pqxx::connection> connection;
};

AuditLog::AuditLog(const std::string& conninfo, std::string schema) : impl_(new Impl) {
  impl_->schema = std::move(schema);
  impl_->connection = connect_utc(conninfo);
}

AuditLog::~AuditLog() = default;

void AuditLog::ensure() {
  try {
    pqxx::work work(*impl_->connection);
    // Two applies creating the log at once: the second waits for the first's DDL.
    work.exec("SELECT pg_advisory_xact_lock(hashtext('pgdrift audit log ddl'))");
    work.exec(ddl(impl_->schema));
    work.commit();
  } catch (const pqxx::sql_error& e) {
    throw AuditError("cannot create the audit log " + table_of(impl_->schema) + ": SQLSTATE " +
                     e.sqlstate() + ": " + e.what() +
                     " (create it as a user who may, run with --audit-schema NAME, or turn the "
                     "audit trail off with --no-audit)");
  }
}

std::vector<AuditRow> AuditLog::close_interrupted() {
  pqxx::work work(*impl_->connection);
  std::vector<AuditRow> closed;
  const pqxx::result rows = work.exec(
      "UPDATE " + table_of(impl_->schema) +
      " SET status = 'interrupted', message = 'the apply ended without completing this row "
      "(pgdrift was killed or lost its connection); found by a later apply at ' ||"
      " to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
      " WHERE status = 'running' RETURNING id");
  std::string ids;
  for (const auto& r : rows) ids += (ids.empty() ? "" : ",") + std::string(r[0].c_str());
  if (!ids.empty())
    for (const auto& r : work.exec(rows_query(impl_->schema, "WHERE a.id IN (" + ids + ")")))
      closed.push_back(row_of(r));
  work.commit();
  return closed;
}

int64_t AuditLog::begin(const AuditEntry& e) {
  pqxx::work work(*impl_->connection);
  const pqxx::result r = work.exec_params(
      "INSERT INTO " + table_of(impl_->schema) +
          " (command, status, os_user, os_host, actor, ticket, pgdrift_version, mode, dry_run,"
          " desired_source, desired_git_commit, desired_git_dirty, rolls_back, prev_hash,"
          " row_hash)"
          " VALUES ($1, 'running', NULLIF($2, ''), NULLIF($3, ''), NULLIF($4, ''),"
          " NULLIF($5, ''), $6, NULLIF($7, ''), $8, NULLIF($9, ''), NULLIF($10, ''),"
          " CASE WHEN $10 = '' THEN NULL ELSE $11::boolean END, NULLIF($12, 0), '', '')"
          " RETURNING id",
      e.command, e.os_user, e.os_host, e.actor, e.ticket, e.pgdrift_version, e.mode, e.dry_run,
      e.desired_source, e.desired_git_commit, e.desired_git_dirty, e.rolls_back);
  work.commit();
  return r[0][0].as<int64_t>();
}

void AuditLog::record_source_model(int64_t id, const nlohmann::json& model) {
  pqxx::work work(*impl_->connection);
  work.exec_params("UPDATE " + table_of(impl_->schema) +
                       " SET source_model = $2::jsonb WHERE id = $1 AND status = 'running'",
                   id, model.dump());
  work.commit();
}

AuditRow AuditLog::finish(int64_t id, const AuditEntry& e) {
  pqxx::work work(*impl_->connection);
  work.exec_params("UPDATE " + table_of(impl_->schema) +
                       " SET status = $2, finished_at = clock_timestamp(),"
                       " message = NULLIF($3, ''), exit_code = $4,"
                       " source_fingerprint = NULLIF($5, ''), target_fingerprint = NULLIF($6, ''),"
                       " live_fingerprint_before = NULLIF($7, ''),"
                       " live_fingerprint_after = NULLIF($8, ''),"
                       " plan = NULLIF($9, '')::jsonb, report = NULLIF($10, '')::jsonb"
                       " WHERE id = $1 AND status = 'running'",
                   id, e.status, e.message, e.exit_code, e.source_fingerprint, e.target_fingerprint,
                   e.live_fingerprint_before, e.live_fingerprint_after, json_or_empty(e.plan),
                   json_or_empty(e.report));
  const pqxx::result rows =
      work.exec(rows_query(impl_->schema, "WHERE a.id = " + std::to_string(id)));
  work.commit();
  if (rows.empty()) throw AuditError("audit row " + std::to_string(id) + " disappeared");
  return row_of(rows[0]);
}

std::vector<AuditRow> read_audit_log(const std::string& conninfo, const std::string& schema,
                                     int last, std::optional<int64_t> id) {
  auto connection = connect_utc(conninfo);
  pqxx::read_transaction work(*connection);
  if (!log_exists(work, schema))
    throw AuditError("no audit log in this database (" + table_of(schema) +
                     " does not exist: no apply has written one)");
  std::string where;
  if (id) {
    where = "WHERE a.id = " + std::to_string(*id);
  } else if (last > 0) {
    where = "WHERE a.seq > (SELECT coalesce(max(seq), 0) - " + std::to_string(last) + " FROM " +
            table_of(schema) + ")";
  }
  std::vector<AuditRow> rows;
  for (const auto& r : work.exec(rows_query(schema, where))) rows.push_back(row_of(r));
  return rows;
}

std::optional<AuditRow> last_rollbackable_row(const std::string& conninfo,
                                              const std::string& schema) {
  auto connection = connect_utc(conninfo);
  pqxx::read_transaction work(*connection);
  if (!log_exists(work, schema))
    throw AuditError("no audit log in this database (" + table_of(schema) +
                     " does not exist: no apply has written one)");
  const pqxx::result rows = work.exec(rows_query(
      schema,
      "WHERE a.seq = (SELECT max(seq) FROM " + table_of(schema) +
          " b WHERE command = 'apply' AND status IN ('applied', 'failed', "
          "'not_converged', 'data_check_failed') AND source_model IS NOT NULL AND NOT dry_run"
          " AND NOT EXISTS (SELECT 1 FROM " +
          table_of(schema) + " r WHERE r.rolls_back = b.id AND r.status = 'applied'))"));
  if (rows.empty()) return std::nullopt;
  return row_of(rows[0]);
}

std::vector<AuditRow> running_audit_rows(const std::string& conninfo, const std::string& schema) {
  auto connection = connect_utc(conninfo);
  pqxx::read_transaction work(*connection);
  std::vector<AuditRow> rows;
  if (!log_exists(work, schema)) return rows;
  for (const auto& r : work.exec(rows_query(schema, "WHERE a.status = 'running'")))
    rows.push_back(row_of(r));
  return rows;
}

ChainCheck verify_audit_chain(const std::string& conninfo, const std::string& schema) {
  auto connection = connect_utc(conninfo);
  pqxx::read_transaction work(*connection);
  if (!log_exists(work, schema))
    throw AuditError("no audit log in this database (" + table_of(schema) + " does not exist)");
  ChainCheck check;
  std::string previous_hash = kGenesisHash;
  int64_t expected_seq = 1;
  for (const auto& r : work.exec(rows_query(schema, ""))) {
    const AuditRow row = row_of(r);
    ++check.rows;
    std::string problem;
    if (row.seq != expected_seq) {
      problem = "seq is " + std::to_string(row.seq) + ", expected " + std::to_string(expected_seq) +
                ": " + std::to_string(row.seq - expected_seq) + " row(s) before it were deleted";
    } else if (row.prev_hash != previous_hash) {
      problem = "its prev_hash " + row.prev_hash + " is not the hash of the row before it (" +
                previous_hash + "): the row before it was changed, deleted or replaced";
    } else if (audit_content_hash(r[6].c_str()) != row.row_hash) {
      problem = "its content does not match its row_hash " + row.row_hash +
                ": the row was changed after it was written";
    }
    if (!problem.empty()) {
      check.intact = false;
      check.first_bad_id = row.id;
      check.problem =
          "row " + std::to_string(row.id) + " (seq " + std::to_string(row.seq) + "): " + problem;
      return check;
    }
    previous_hash = row.row_hash;
    expected_seq = row.seq + 1;
  }
  return check;
}

}  // namespace pgdrift::planner
