// pgdrift through a connection pooler (issue 17 item 8, docs/apply.md "Connection poolers"): a
// real PgBouncer (/usr/sbin/pgbouncer, Debian's package, installed by scripts/install-deps.sh)
// started by the test in front of the test cluster. In transaction mode, where neither session
// advisory locks nor session SETs hold, `inspect`, `drift` and `plan` work as on the server
// itself, while `apply` and `rollback` refuse with exit 2 and change nothing (no lock left
// behind on the pooler's server connection, no audit row) and ask for a direct connection, with
// which the same apply succeeds. In session mode the pooler is a session of its own: apply
// runs through it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kPgBouncer = "/usr/sbin/pgbouncer";

const char* kSource =
    "CREATE TABLE ledger (id int PRIMARY KEY, amount numeric(12,2) NOT NULL);\n"
    "CREATE INDEX ledger_amount_idx ON ledger (amount);\n";
// The CHECK gets a preflight (rows at risk), which `plan --from DB` counts in a transaction of
// its own.
const char* kTarget =
    "CREATE TABLE ledger (id int PRIMARY KEY, amount numeric(12,2) NOT NULL, note text,\n"
    "  CONSTRAINT ledger_amount_positive CHECK (amount > 0));\n"
    "CREATE INDEX ledger_amount_idx ON ledger (amount);\n"
    "CREATE TABLE accounts (id int PRIMARY KEY);\n";

// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A PgBouncer in front of the test cluster, listening on 127.0.0.1:<free port>, with its
// ini, pidfile, log and socket in a temporary directory, stopped (SIGTERM) when the object
// dies. It runs as the OS user that owns the cluster (pgbouncer refuses to run as root; when
// the tests run as root the cluster runs as pgdrift-test). It is started under a small shell
// that reads the test's end of a pipe: when the test process dies without the destructor, the
// pipe closes and the shell stops pgbouncer, so none is left behind.
class PgBouncer {
 public:
  explicit PgBouncer(const std::string& pool_mode) : tmp_("pgdrift-pgbouncer") {
    if (!fs::exists(kPgBouncer))
      throw std::runtime_error(std::string(kPgBouncer) +
                               " is missing: run scripts/install-deps.sh (it installs the "
                               "pgbouncer package; CI does)");
    auto& cluster = test_cluster();
    dir_ = tmp_.reachable("pgbouncer");
    fs::create_directories(dir_);
    port_ = free_port();
    std::string user;
    struct stat cluster_dir {};
    if (::geteuid() == 0 && ::stat(cluster.dir().c_str(), &cluster_dir) == 0 &&
        cluster_dir.st_uid != 0) {
      const passwd* pw = ::getpwuid(cluster_dir.st_uid);
      if (pw == nullptr) throw std::runtime_error("no OS user owns " + cluster.dir());
      user = pw->pw_name;
      if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
        throw std::runtime_error("cannot chown " + dir_);
    }
    // Every database name maps to the cluster's database of that name, over its private
    // socket; the cluster trusts local connections, so the pooler does too (auth_type trust
    // still wants the user in auth_file).
    std::ofstream(dir_ + "/userlist.txt") << "\"postgres\" \"\"\n";
    std::ofstream(dir_ + "/pgbouncer.ini")
        << "[databases]\n"
        << "* = host=" << cluster.dir() << " port=" << cluster.port() << "\n"
        << "[pgbouncer]\n"
        << "listen_addr = 127.0.0.1\n"
        << "listen_port = " << port_ << "\n"
        << "unix_socket_dir = " << dir_ << "\n"
        << "pidfile = " << dir_ << "/pgbouncer.pid\n"
        << "logfile = " << dir_ << "/pgbouncer.log\n"
        << "auth_type = trust\n"
        << "auth_file = " << dir_ << "/userlist.txt\n"
        << "pool_mode = " << pool_mode << "\n"
        << "max_client_conn = 40\n"
        << "default_pool_size = 5\n";
    start(user);
    wait_until_ready();
  }

  ~PgBouncer() { stop(); }
  PgBouncer(const PgBouncer&) = delete;
  PgBouncer& operator=(const PgBouncer&) = delete;

  std::string url(const std::string& database) const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }
  std::string log() const { return read_file(dir_ + "/pgbouncer.log"); }

 private:
  void start(const std::string& user) {
    static const char* kScript = R"sh(
"$@" &
pid=$!
read line
kill -TERM "$pid" 2>/dev/null
wait "$pid"
)sh";
    std::vector<std::string> argv = {"/bin/sh", "-c", kScript, "pgdrift-test-pgbouncer",
                                     kPgBouncer};
    if (!user.empty()) {
      argv.push_back("-u");
      argv.push_back(user);
    }
    argv.push_back(dir_ + "/pgbouncer.ini");
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const std::string out = dir_ + "/pgbouncer.out";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own session: a Ctrl-C sent to the test's process group does not end the shell
    // before it has stopped pgbouncer.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, "/bin/sh", &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(fds[0]);
    pipe_ = fds[1];
    if (rc != 0) {
      pid_ = -1;
      stop();
      throw std::runtime_error("cannot start pgbouncer");
    }
  }

  // Accepting connections and passing them to the cluster: a query through it answers.
  void wait_until_ready() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      try {
        pqxx::connection connection(url("postgres") + "?connect_timeout=2");
        pqxx::nontransaction(connection).exec("SELECT 1");
        return;
      } catch (const std::exception& e) {
        last = e.what();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const std::string output = read_file(dir_ + "/pgbouncer.out") + log();
    stop();
    throw std::runtime_error("pgbouncer did not accept connections: " + last +
                             "\npgbouncer output:\n" + output);
  }

  void stop() {
    if (pipe_ >= 0) {
      ::close(pipe_);  // the shell reads end-of-file and stops pgbouncer
      pipe_ = -1;
    }
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

  TempDir tmp_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  int pipe_ = -1;
};

CommandOutput pgdrift(std::vector<std::string> args) {
  args.insert(args.begin(), PGDRIFT_BINARY);
  return run_program(args);
}

// The schema's fingerprint, read on the server itself: plan's source_fingerprint.
std::string fingerprint(const FreshDatabase& db, const std::string& any_target) {
  CommandOutput plan = pgdrift({"plan", "--from", db.url, "--to", any_target, "--format", "json",
                                "--no-validate", "--allow-hazards", "all"});
  if (plan.exit_code != 0) return "plan failed: " + plan.err;
  return json::parse(plan.out).value("source_fingerprint", "");
}

TEST(PgBouncer, ReadsWorkInTransactionModeAndApplyAsksForADirectSession) {
  ASSERT_TRUE(fs::exists(kPgBouncer))
      << kPgBouncer << " is missing: run scripts/install-deps.sh (it installs pgbouncer; CI does)";
  auto db = create_fresh_database(
      std::string(kSource) + "INSERT INTO ledger SELECT g, g FROM generate_series(1, 50) g;\n");
  PgBouncer pooler("transaction");
  const std::string pooled = pooler.url(db.name);
  TempDir tmp("pgdrift-pgbouncer-files");
  const std::string same = tmp.write("same.sql", kSource);
  const std::string target = tmp.write("target.sql", kTarget);

  // The pooler is really in front, and really pools per transaction: two connections in a
  // row are given the same server backend.
  {
    pqxx::connection first(pooled), second(pooled);
    const std::string a = pqxx::nontransaction(first).exec("SELECT pg_backend_pid()")[0][0].c_str();
    const std::string b =
        pqxx::nontransaction(second).exec("SELECT pg_backend_pid()")[0][0].c_str();
    ASSERT_EQ(a, b) << "expected PgBouncer to reuse its one idle server connection";
  }

  // inspect: the same model as on the server itself.
  CommandOutput direct_inspect = pgdrift({"inspect", db.url, "--format", "json"});
  CommandOutput pooled_inspect = pgdrift({"inspect", pooled, "--format", "json"});
  ASSERT_EQ(direct_inspect.exit_code, 0) << direct_inspect.err;
  ASSERT_EQ(pooled_inspect.exit_code, 0) << pooled_inspect.err << pooler.log();
  EXPECT_EQ(line_diff(direct_inspect.out, pooled_inspect.out), "");
  CommandOutput pooled_sql = pgdrift({"inspect", pooled, "--format", "sql"});
  EXPECT_EQ(pooled_sql.exit_code, 0) << pooled_sql.err;
  EXPECT_EQ(line_diff(pgdrift({"inspect", db.url, "--format", "sql"}).out, pooled_sql.out), "");

  // drift: 0 for the schema the database has, 1 for another.
  CommandOutput no_drift = pgdrift({"drift", "--desired", same, "--db", pooled});
  EXPECT_EQ(no_drift.exit_code, 0) << no_drift.out << no_drift.err;
  CommandOutput drifted = pgdrift({"drift", "--desired", target, "--db", pooled});
  EXPECT_EQ(drifted.exit_code, 1) << drifted.out << drifted.err;

  // plan --from the pooler: the same plan as from the server (preflight counts included).
  CommandOutput pooled_plan = pgdrift({"plan", "--from", pooled, "--to", target, "--format", "json",
                                       "--no-validate", "--allow-hazards", "all"});
  ASSERT_EQ(pooled_plan.exit_code, 0) << pooled_plan.err << pooler.log();
  CommandOutput direct_plan = pgdrift({"plan", "--from", db.url, "--to", target, "--format", "json",
                                       "--no-validate", "--allow-hazards", "all"});
  ASSERT_EQ(direct_plan.exit_code, 0) << direct_plan.err;
  EXPECT_EQ(line_diff(direct_plan.out, pooled_plan.out), "");
  int counted = 0;
  const json plan = json::parse(pooled_plan.out);
  for (const auto& step : plan["steps"])
    if (step.contains("rows_at_risk") && step["rows_at_risk"].is_object()) {
      EXPECT_EQ(step["rows_at_risk"]["count"], 0) << step.dump();
      ++counted;
    }
  EXPECT_EQ(counted, 1) << pooled_plan.out;

  // apply through the pooler: refused, exit 2, nothing changed.
  const std::string before = fingerprint(db, target);
  ASSERT_EQ(before.rfind("sha256:", 0), 0u) << before;
  for (const std::string format : {"text", "json"}) {
    CommandOutput refused = pgdrift(
        {"apply", "--db", pooled, "--to", target, "--allow-hazards", "all", "--format", format});
    EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
    EXPECT_EQ(refused.out, "") << "exit 2 prints no report";
    EXPECT_NE(refused.err.find("pgdrift apply: apply needs a direct session to PostgreSQL: "),
              std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("connect --db to the server itself (not through "
                               "PgBouncer/Supavisor in transaction mode)"),
              std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("a second connection was given the same server backend"),
              std::string::npos)
        << refused.err;
    // The lock did not stay behind on the pooler's server connection.
    EXPECT_EQ(refused.err.find("may still hold"), std::string::npos) << refused.err;
  }
  EXPECT_EQ(fingerprint(db, target), before);
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"),
            "0");
  EXPECT_EQ(query_value(db.conninfo, "SELECT to_regclass('pgdrift.audit_log') IS NULL"), "t");
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM ledger"), "50");

  // The same apply on the server itself.
  CommandOutput applied =
      pgdrift({"apply", "--db", db.url, "--to", target, "--allow-hazards", "all"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_NE(fingerprint(db, target), before);
  EXPECT_EQ(pgdrift({"drift", "--desired", target, "--db", pooled}).exit_code, 0);

  // rollback takes the same path: refused through the pooler, done on the server.
  CommandOutput rollback_refused = pgdrift({"rollback", "--db", pooled, "--last"});
  EXPECT_EQ(rollback_refused.exit_code, 2) << rollback_refused.out << rollback_refused.err;
  EXPECT_NE(rollback_refused.err.find("needs a direct session to PostgreSQL"), std::string::npos)
      << rollback_refused.err;
  EXPECT_EQ(query_value(db.conninfo, "SELECT count(*) FROM pgdrift.audit_log"), "1");
  CommandOutput rolled_back =
      pgdrift({"rollback", "--db", db.url, "--last", "--allow-hazards", "all"});
  EXPECT_EQ(rolled_back.exit_code, 0) << rolled_back.out << rolled_back.err;
  EXPECT_EQ(fingerprint(db, target), before);
}

// A pooler in session mode gives each client a server connection of its own for as long as it
// is connected: apply runs through it.
TEST(PgBouncer, ApplyRunsThroughSessionMode) {
  ASSERT_TRUE(fs::exists(kPgBouncer))
      << kPgBouncer << " is missing: run scripts/install-deps.sh (it installs pgbouncer; CI does)";
  auto db = create_fresh_database(kSource);
  PgBouncer pooler("session");
  TempDir tmp("pgdrift-pgbouncer-files");
  const std::string target = tmp.write("target.sql", kTarget);
  CommandOutput applied =
      pgdrift({"apply", "--db", pooler.url(db.name), "--to", target, "--allow-hazards", "all"});
  EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err << pooler.log();
  EXPECT_NE(applied.out.find("result: applied"), std::string::npos) << applied.out;
}

}  // namespace
}  // namespace pgdrift::testing
