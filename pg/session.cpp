#include "pg/session.h"

#include <libpq-fe.h>

#include <cstdlib>

#include "pg/scratch_cluster.h"

namespace pgdrift::pg {

namespace {

std::string field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value ? value : "";
}

// The connection's message without libpq's trailing newline.
std::string connection_message(const PGconn* conn) {
  std::string message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

}  // namespace

Session::Session(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = connection_message(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw ScratchClusterError("cannot connect to the scratch database: " + message);
  }
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

Session::~Session() {
  if (conn_ != nullptr) PQfinish(conn_);
}

std::optional<StatementError> Session::run(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COPY_OUT) {
    // COPY ... TO STDOUT: PostgreSQL accepted it; the rows are of no interest.
    PQclear(result);
    char* buffer = nullptr;
    while (PQgetCopyData(conn_, &buffer, 0) > 0) PQfreemem(buffer);
    result = PQgetResult(conn_);
    status = PQresultStatus(result);
  }
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    PQclear(result);
    while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
    return std::nullopt;
  }
  StatementError error;
  if (status == PGRES_COPY_IN) {
    // The rows of COPY ... FROM STDIN follow the statement as psql input, which is not SQL.
    PQclear(result);
    PQputCopyEnd(conn_, "no COPY data");
    while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
    error.sqlstate = "0A000";
    error.message = "COPY ... FROM STDIN is not supported (its data is psql input, not SQL)";
    return error;
  }
  if (result == nullptr) {
    error.message = connection_message(conn_);
    return error;
  }
  error.sqlstate = field(result, PG_DIAG_SQLSTATE);
  error.message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  error.detail = field(result, PG_DIAG_MESSAGE_DETAIL);
  error.hint = field(result, PG_DIAG_MESSAGE_HINT);
  error.context = field(result, PG_DIAG_CONTEXT);
  error.position = std::atoi(field(result, PG_DIAG_STATEMENT_POSITION).c_str());
  if (error.message.empty()) error.message = connection_message(conn_);
  PQclear(result);
  while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
  return error;
}

std::vector<std::string> Session::column(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    std::string message = result ? PQresultErrorMessage(result) : connection_message(conn_);
    PQclear(result);
    throw ScratchClusterError("query failed on the scratch database: " + message);
  }
  std::vector<std::string> values;
  for (int row = 0; row < PQntuples(result); ++row)
    values.push_back(PQgetisnull(result, row, 0) ? "" : PQgetvalue(result, row, 0));
  PQclear(result);
  return values;
}

bool Session::in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

}  // namespace pgdrift::pg
