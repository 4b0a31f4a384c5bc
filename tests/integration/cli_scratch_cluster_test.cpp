// `pgdrift scratch-cluster start|stop`: the throwaway PostgreSQL of the demo and the scripts
// (docs/cli.md). start prints how to connect and leaves the server running after pgdrift exits;
// stop removes it, and refuses a directory start did not create.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;

std::string without_newline(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

TEST(ScratchClusterCommand, StartPrintsUrlAndStopRemovesTheCluster) {
  TempDir tmp("pgdrift-cli-sc");
  const std::string dir = tmp.reachable("cluster");
  auto started = run_pgdrift({"scratch-cluster", "start", "--dir", dir, "--port", "5499"});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  std::string url = without_newline(started.out);
  EXPECT_EQ(url.rfind("postgresql:///postgres?host=", 0), 0u) << url;
  EXPECT_NE(url.find("port=5499"), std::string::npos) << url;
  // pgdrift has exited; the server still runs.
  EXPECT_EQ(query_value(url, "SELECT current_user"), "postgres");
  EXPECT_TRUE(fs::exists(dir + "/.s.PGSQL.5499"));

  auto again = run_pgdrift({"scratch-cluster", "start", "--dir", dir});
  EXPECT_EQ(again.exit_code, 2) << "a directory in use is refused";
  EXPECT_NE(again.err.find("not an empty directory"), std::string::npos) << again.err;

  auto stopped = run_pgdrift({"scratch-cluster", "stop", "--dir", dir});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  EXPECT_FALSE(fs::exists(dir));
  auto twice = run_pgdrift({"scratch-cluster", "stop", "--dir", dir});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("not a scratch cluster directory"), std::string::npos) << twice.err;
}

TEST(ScratchClusterCommand, EnvFormatPrintsShellExports) {
  TempDir tmp("pgdrift-cli-env");
  const std::string dir = tmp.reachable("cluster");
  auto started = run_pgdrift({"scratch-cluster", "start", "--dir", dir, "--format", "env"});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  EXPECT_EQ(started.out,
            "export PGHOST='" + dir + "'\nexport PGPORT=5432\nexport PGUSER=postgres\n");
  EXPECT_EQ(query_value("host=" + dir + " port=5432 user=postgres dbname=postgres", "SELECT 1"),
            "1");
  auto stopped = run_pgdrift({"scratch-cluster", "stop", "--dir", dir});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_FALSE(fs::exists(dir));
}

TEST(ScratchClusterCommand, StopRefusesADirectoryStartDidNotCreate) {
  TempDir tmp;
  std::string file = tmp.write("keep.txt", "mine");
  auto r = run_pgdrift({"scratch-cluster", "stop", "--dir", tmp.path.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(fs::exists(file));
}

}  // namespace
}  // namespace pgdrift::testing
