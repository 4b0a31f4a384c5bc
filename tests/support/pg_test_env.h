// The PostgreSQL the integration tests run against: one scratch cluster per test binary,
// started on first use and removed when the binary exits, and a fresh database per test.
#pragma once

#include <string>
#include <vector>

#include "pg/scratch_cluster.h"

namespace pgdrift::testing {

// The cluster of this test binary (started on first call; throws ScratchClusterError when
// PostgreSQL cannot be started). Cluster-wide roles from test_roles() exist in it.
pg::ScratchCluster& test_cluster();

// Roles created in the test cluster, for GRANT and policy tests.
const std::vector<std::string>& test_roles();

struct FreshDatabase {
  std::string name;
  std::string conninfo;  // libpq key=value
  std::string url;       // postgresql:// form
};

// A new, uniquely named, empty database (created from a template database), with `sql`
// (any number of statements) run in it. Throws ScratchClusterError when the SQL fails.
FreshDatabase create_fresh_database(const std::string& sql = "");
// create_fresh_database(sql).conninfo
std::string fresh_database(const std::string& sql = "");

// The single value `sql` returns in the database `conninfo` names (NULL -> "NULL"). Throws
// std::runtime_error when the query fails or does not return exactly one value.
std::string query_value(const std::string& conninfo, const std::string& sql);

// stdout, stderr and exit code of a program run without a shell.
struct CommandOutput {
  int exit_code = -1;  // -1 = could not run or killed by a signal
  std::string out;
  std::string err;
};
CommandOutput run_program(const std::vector<std::string>& argv);

// Starts the built pgdrift with `args` without waiting for it (stdout and stderr to
// /dev/null); its pid, or -1. The caller waits for it (waitpid) or kills it.
int spawn_pgdrift(const std::vector<std::string>& args);

// A readable line diff of two texts (unified-diff-like, "-" = expected, "+" = actual, with a
// few lines of context), for assertion messages. Empty when the texts are equal.
std::string line_diff(const std::string& expected, const std::string& actual);

}  // namespace pgdrift::testing
