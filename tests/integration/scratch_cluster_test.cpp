// The scratch cluster itself: it starts, serves SQL on its private socket, runs unprivileged
// when the caller is root, and leaves nothing behind.
#include "pg/scratch_cluster.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::pg {
namespace {

namespace fs = std::filesystem;

// The single value of `SELECT ...` through `conninfo` (libpq parses both the key=value and URL
// forms, so this also checks that the URL form is accepted).
std::string query_value(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("connect failed: " + message);
  }
  PGresult* res = PQexec(conn, sql.c_str());
  std::string value = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
                          ? PQgetvalue(res, 0, 0)
                          : std::string("<error: ") + PQresultErrorMessage(res) + ">";
  PQclear(res);
  PQfinish(conn);
  return value;
}

TEST(ScratchCluster, FindsServerBinaries) {
  std::string bindir = ScratchCluster::find_bindir();
  for (const char* program : {"initdb", "pg_ctl", "postgres"}) {
    EXPECT_EQ(::access((bindir + "/" + program).c_str(), X_OK), 0) << bindir << "/" << program;
  }
}

TEST(ScratchCluster, LifecycleCreatesServesAndRemoves) {
  std::string dir;
  {
    auto cluster = ScratchCluster::start();
    dir = cluster->dir();
    ASSERT_TRUE(fs::is_directory(dir + "/data"));
    EXPECT_TRUE(fs::exists(dir + "/.s.PGSQL." + std::to_string(cluster->port())))
        << "the socket lives in the private directory";

    struct stat data_stat {};
    ASSERT_EQ(::stat((dir + "/data").c_str(), &data_stat), 0);
    if (::geteuid() == 0) {
      EXPECT_NE(data_stat.st_uid, 0u) << "as root, the server must run as an unprivileged user";
    } else {
      EXPECT_EQ(data_stat.st_uid, ::geteuid());
    }

    cluster->create_database("Life Cycle");
    cluster->execute("Life Cycle", "CREATE TABLE t (id int); INSERT INTO t VALUES (41), (1);");
    EXPECT_EQ(query_value(cluster->conninfo("Life Cycle"), "SELECT sum(id) FROM t"), "42");
    EXPECT_EQ(query_value(cluster->url("Life Cycle"), "SELECT current_database()"), "Life Cycle");
    EXPECT_EQ(query_value(cluster->url(), "SELECT current_user"), "postgres");
    EXPECT_EQ(query_value(cluster->conninfo(), "SHOW fsync"), "off");

    // The server's error message reaches the caller.
    try {
      cluster->execute("Life Cycle", "SELECT * FROM no_such_table");
      ADD_FAILURE() << "execute must throw on a failing statement";
    } catch (const ScratchClusterError& e) {
      EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
    }

    std::string script = dir + "/script.sql";
    std::ofstream(script) << "SELECT 'from psql' AS greeting;\n";
    EXPECT_NE(cluster->psql_file("Life Cycle", script).find("from psql"), std::string::npos);
    std::ofstream(script) << "SELECT 1;\nSELECT * FROM missing_table;\nSELECT 2;\n";
    EXPECT_THROW(cluster->psql_file("Life Cycle", script), ScratchClusterError);

    cluster->drop_database("Life Cycle");
    EXPECT_THROW(cluster->execute("Life Cycle", "SELECT 1"), ScratchClusterError);
  }
  EXPECT_FALSE(fs::exists(dir)) << "the destructor removes the cluster directory";
}

TEST(ScratchCluster, TwoClustersRunSideBySide) {
  auto first = ScratchCluster::start();
  auto second = ScratchCluster::start();
  EXPECT_NE(first->dir(), second->dir());
  first->execute("postgres", "CREATE DATABASE only_in_first");
  EXPECT_EQ(query_value(second->conninfo(),
                        "SELECT count(*) FROM pg_database WHERE datname = 'only_in_first'"),
            "0");
}

TEST(ScratchCluster, DetachedClusterRunsUntilAttachStopsIt) {
  testing::TempDir tmp("pgdrift-detached");
  const std::string dir = tmp.reachable("cluster");
  {
    ScratchClusterOptions options;
    options.dir = dir;
    auto cluster = ScratchCluster::start(options);
    EXPECT_EQ(cluster->dir(), dir);
    cluster->execute("postgres", "CREATE TABLE kept (x int); INSERT INTO kept VALUES (7);");
    cluster->detach();
    EXPECT_TRUE(cluster->dir().empty());
  }
  ASSERT_TRUE(fs::exists(dir + "/data")) << "a detached cluster outlives its object";
  {
    auto attached = ScratchCluster::attach(dir);
    EXPECT_EQ(attached->dir(), dir);
    EXPECT_EQ(query_value(attached->conninfo(), "SELECT x FROM kept"), "7");
    EXPECT_GE(attached->server_version_num(), 100000);
    attached->stop();
  }
  EXPECT_FALSE(fs::exists(dir)) << "stop removes the directory of an attached cluster";
}

TEST(ScratchCluster, ChosenDirectoryMustBeEmptyAndOursToStop) {
  testing::TempDir tmp;
  std::string file = tmp.write("busy/keep.txt", "not a cluster");
  ScratchClusterOptions options;
  options.dir = (tmp.path / "busy").string();
  EXPECT_THROW(ScratchCluster::start(options), ScratchClusterError);
  EXPECT_TRUE(fs::exists(file)) << "a refused directory is left alone";

  EXPECT_THROW(ScratchCluster::attach((tmp.path / "busy").string()), ScratchClusterError);
  EXPECT_TRUE(fs::exists(file)) << "attach refuses a directory without the marker";

  options.dir = (tmp.path / std::string(120, 'x')).string();
  EXPECT_THROW(ScratchCluster::start(options), ScratchClusterError) << "socket path too long";
  EXPECT_FALSE(fs::exists(options.dir));
}

TEST(TestEnvironment, FreshDatabasesAreSeparateAndLoaded) {
  auto a = testing::create_fresh_database("CREATE TABLE only_here (x int);");
  auto b = testing::create_fresh_database();
  EXPECT_NE(a.name, b.name);
  EXPECT_EQ(query_value(a.conninfo, "SELECT count(*) FROM pg_class WHERE relname = 'only_here'"),
            "1");
  EXPECT_EQ(query_value(b.url, "SELECT count(*) FROM pg_class WHERE relname = 'only_here'"), "0");
  for (const auto& role : testing::test_roles()) {
    EXPECT_EQ(
        query_value(b.conninfo, "SELECT count(*) FROM pg_roles WHERE rolname = '" + role + "'"),
        "1")
        << role;
  }
  EXPECT_THROW(testing::create_fresh_database("CREATE TABLE broken (;"), pg::ScratchClusterError);
}

TEST(TestEnvironment, LineDiffShowsChangedLines) {
  EXPECT_EQ(testing::line_diff("a\nb\n", "a\nb\n"), "");
  std::string diff = testing::line_diff("a\nb\nc\n", "a\nB\nc\n");
  EXPECT_NE(diff.find("-b"), std::string::npos) << diff;
  EXPECT_NE(diff.find("+B"), std::string::npos) << diff;
}

}  // namespace
}  // namespace pgdrift::pg
