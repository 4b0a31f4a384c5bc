// One libpq session to a (scratch) database that runs SQL one statement at a time and reports
// PostgreSQL's error fields (SQLSTATE, position, context, ...) instead of a flattened message,
// so that a caller can say which line of which file PostgreSQL rejected. Session state (SET
// search_path, an open transaction) carries over from one run() to the next.
#pragma once

#include <optional>
#include <string>
#include <vector>

struct pg_conn;

namespace pgdrift::pg {

// What PostgreSQL said about a statement it rejected (the PG_DIAG_* fields of the result).
struct StatementError {
  std::string sqlstate;  // "42P07"
  std::string message;   // primary message
  std::string detail;
  std::string hint;
  std::string context;  // call stack of PL/pgSQL and nested queries, innermost first
  int position = 0;     // 1-based character in the statement text; 0 = not reported
};

class Session {
 public:
  // Connects; throws ScratchClusterError with libpq's message when it cannot. Notices
  // (NOTICE, WARNING) are discarded.
  explicit Session(const std::string& conninfo);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs `sql` as one simple query; nullopt when PostgreSQL accepted it.
  std::optional<StatementError> run(const std::string& sql);
  // The first column of every row `sql` returns (NULL -> ""). Throws ScratchClusterError when
  // the query fails.
  std::vector<std::string> column(const std::string& sql);
  // A transaction block is open (BEGIN without COMMIT so far).
  bool in_transaction() const;

 private:
  pg_conn* conn_ = nullptr;
};

}  // namespace pgdrift::pg
