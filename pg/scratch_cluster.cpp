#include "pg/scratch_cluster.h"
#include "pg/process.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace pgdrift::pg {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;  // -1 = could not run, or killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The last `max_lines` lines of a log, for error messages that stay readable.
std::string tail(const std::string& text, int max_lines = 30) {
  size_t pos = text.size();
  for (int i = 0; i <= max_lines && pos != std::string::npos && pos > 0; ++i) {
    pos = text.rfind('\n', pos - 1);
  }
  return pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
}

// Runs argv (searched in PATH) with `cwd` as working directory and stdout+stderr captured in
// `log_path`. A file rather than a pipe: pg_ctl leaves a server running behind it, and a server
// that inherited our pipe would keep it open forever.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::string& log_path) {
  CommandResult result;
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    result.output = "cannot open " + log_path + ": " + std::strerror(errno);
    return result;
  }
  ProcessResult run = run_process(argv, log_fd, log_fd, cwd);
  ::close(log_fd);
  if (!run.error.empty()) {
    result.output = run.error;
    return result;
  }
  result.exit_code = run.exit_code;
  result.output = read_file(log_path);
  return result;
}

std::string join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

bool is_executable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0; }

bool has_server_binaries(const fs::path& dir) {
  return is_executable(dir / "initdb") && is_executable(dir / "pg_ctl") &&
         is_executable(dir / "postgres");
}

// "15" < "16", "9.6" < "10": compare the leading numbers.
bool version_less(const std::string& a, const std::string& b) {
  return std::strtod(a.c_str(), nullptr) < std::strtod(b.c_str(), nullptr);
}

// Creates the unprivileged OS user if it does not exist yet. Another process may create it at
// the same time, so a failing useradd is fine as long as the user exists afterwards.
void ensure_os_user(const std::string& user, const std::string& cwd) {
  if (::getpwnam(user.c_str()) != nullptr) return;
  auto r =
      run_command({"useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user},
                  cwd, cwd + "/useradd.log");
  if (::getpwnam(user.c_str()) == nullptr) {
    throw ScratchClusterError("cannot create OS user " + user +
                              " for the scratch cluster: " + r.output);
  }
}

// A name always written as a quoted identifier (database names come from callers).
std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string conninfo_value(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string percent_encode(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Shell run by the watchdog: waits until the parent's end of the pipe closes (the parent
// stopped the cluster or died), then stops the server if it still runs and removes the
// directory -- unless the parent wrote "detach" first. Arguments: $1 dir, $2 bindir, $3 OS user
// (empty = no runuser).
constexpr const char* kWatchdogScript = R"sh(
trap '' INT TERM HUP
read line
[ "$line" = detach ] && exit 0
if [ -f "$1/data/postmaster.pid" ]; then
  if [ -n "$3" ]; then
    runuser -u "$3" -- "$2/pg_ctl" -D "$1/data" -m immediate -w stop
  else
    "$2/pg_ctl" -D "$1/data" -m immediate -w stop
  fi
fi
rm -rf "$1"
)sh";

// In every cluster directory: marks it as a scratch cluster (attach() refuses others, so that
// `pgdrift scratch-cluster stop` cannot remove an arbitrary directory) and says how to stop it.
constexpr const char* kMarkerFile = ".pgdrift-scratch";

// The server's socket: a unix socket path holds at most 107 bytes.
void check_socket_path(const std::string& dir, int port) {
  std::string socket = dir + "/.s.PGSQL." + std::to_string(port);
  if (socket.size() > 107) {
    throw ScratchClusterError(dir + " is too long for a unix socket path (" + socket + ": " +
                              std::to_string(socket.size()) + " bytes, at most 107)");
  }
}

// options.dir made absolute, created if missing; throws unless it is an empty directory.
std::string prepare_dir(const std::string& requested, int port) {
  std::string dir = fs::absolute(requested).lexically_normal().string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  check_socket_path(dir, port);
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec)) {
      throw ScratchClusterError(dir + " exists and is not an empty directory");
    }
  } else if (!fs::create_directories(dir, ec)) {
    throw ScratchClusterError("cannot create " + dir + ": " + ec.message());
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    throw ScratchClusterError("chmod " + dir + ": " + std::strerror(errno));
  }
  return dir;
}

}  // namespace

std::string ScratchCluster::find_bindir() {
  if (FILE* p = ::popen("pg_config --bindir 2>/dev/null", "r")) {
    char buf[4096];
    std::string out;
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (!out.empty() && has_server_binaries(out)) return out;
  }
  std::string best_version, best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string version = entry.path().filename();
    if (has_server_binaries(entry.path() / "bin") &&
        (best.empty() || version_less(best_version, version))) {
      best_version = version;
      best = entry.path() / "bin";
    }
  }
  if (best.empty()) {
    throw ScratchClusterError(
        "no PostgreSQL server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin): "
        "install postgresql");
  }
  return best;
}

std::unique_ptr<ScratchCluster> ScratchCluster::start(const ScratchClusterOptions& options) {
  std::unique_ptr<ScratchCluster> cluster(new ScratchCluster());
  cluster->bindir_ = options.bindir.empty() ? find_bindir() : options.bindir;
  cluster->port_ = options.port;

  std::string parent = options.parent_dir;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = tmp && *tmp ? tmp : "/tmp";
  }
  if (!options.dir.empty()) {
    cluster->dir_ = prepare_dir(options.dir, cluster->port_);
  } else {
    std::string templ = parent + "/pgdrift-pg-XXXXXX";
    check_socket_path(templ, cluster->port_);
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) {
      throw ScratchClusterError("cannot create a directory in " + parent + ": " +
                                std::strerror(errno));
    }
    cluster->dir_ = buf.data();
  }
  const std::string& dir = cluster->dir_;
  // From here on the destructor removes the directory, whatever fails next.

  // The watchdog first, so that even a crash during initdb leaves nothing behind.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw ScratchClusterError(std::string("pipe: ") + std::strerror(errno));
  }
  if (::geteuid() == 0) cluster->run_as_ = options.os_user;
  {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own session: a signal sent to the test's process group must not take it along.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    std::vector<std::string> argv = {
        "/bin/sh",       "-c", kWatchdogScript, "pgdrift-scratch-watchdog", dir, cluster->bindir_,
        cluster->run_as_};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int rc = posix_spawn(&cluster->watchdog_pid_, "/bin/sh", &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(fds[0]);
    cluster->watchdog_fd_ = fds[1];
    if (rc != 0) {
      cluster->watchdog_pid_ = -1;
      throw ScratchClusterError(std::string("cannot start the watchdog: ") + std::strerror(rc));
    }
  }

  {
    std::ofstream marker(dir + "/" + kMarkerFile);
    marker << "bindir=" << cluster->bindir_ << "\nrun_as=" << cluster->run_as_
           << "\nport=" << cluster->port_ << "\n";
    if (!marker) throw ScratchClusterError("cannot write " + dir + "/" + kMarkerFile);
  }

  std::vector<std::string> as_user;
  if (!cluster->run_as_.empty()) {
    ensure_os_user(cluster->run_as_, dir);
    const passwd* pw = ::getpwnam(cluster->run_as_.c_str());
    if (::chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw ScratchClusterError("chown " + dir + ": " + std::strerror(errno));
    }
    as_user = {"runuser", "-u", cluster->run_as_, "--"};
    // A directory the caller chose may sit below a parent the OS user cannot pass.
    auto access = run_command({"runuser", "-u", cluster->run_as_, "--", "test", "-w", dir}, "/",
                              dir + "/access.log");
    if (access.exit_code != 0) {
      throw ScratchClusterError("OS user " + cluster->run_as_ + " cannot enter " + dir +
                                " (is a parent directory private?)");
    }
  }
  auto server_command = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), as_user.begin(), as_user.end());
    return argv;
  };

  const std::string data = dir + "/data";
  CommandResult init;
  // C.UTF-8 gives byte-order collation with UTF-8 classification; older systems lack it.
  for (const char* locale : {"C.UTF-8", "C"}) {
    std::error_code ec;
    fs::remove_all(data, ec);
    auto argv = server_command({cluster->bindir_ + "/initdb", "-D", data, "-U", superuser,
                                "--auth=trust", "-E", "UTF8", std::string("--locale=") + locale,
                                "--no-sync", "--no-instructions"});
    init = run_command(argv, dir, dir + "/initdb.log");
    if (init.exit_code == 0) break;
  }
  if (init.exit_code != 0) {
    throw ScratchClusterError("initdb failed:\n" + tail(init.output));
  }

  {
    std::ofstream conf(data + "/postgresql.conf", std::ios::app);
    conf << "\n# pgdrift scratch cluster: private socket, no durability\n"
         << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << dir << "'\n"
         << "port = " << cluster->port_ << "\n"
         << "fsync = off\n"
         << "full_page_writes = off\n"
         << "synchronous_commit = off\n"
         << "max_connections = 50\n"
         << "shared_buffers = 32MB\n"
         // pg_dump takes a lock on every table in one transaction: 1024 x 50 connections
         // lets it dump the 10,000-table databases of bench/scale_bench.sh (about 13 MB).
         << "max_locks_per_transaction = 1024\n";
    if (!conf) throw ScratchClusterError("cannot write " + data + "/postgresql.conf");
  }

  auto started = run_command(server_command({cluster->bindir_ + "/pg_ctl", "-D", data, "-l",
                                             dir + "/server.log", "-w", "-t", "60", "start"}),
                             dir, dir + "/pg_ctl.log");
  cluster->running_ = true;  // even on failure: a half-started server must be stopped
  if (started.exit_code != 0) {
    throw ScratchClusterError("pg_ctl start failed:\n" + tail(started.output) + "\nserver log:\n" +
                              tail(read_file(dir + "/server.log")));
  }
  PGconn* conn = PQconnectdb(cluster->conninfo("postgres").c_str());
  cluster->server_version_num_ = PQserverVersion(conn);
  PQfinish(conn);
  return cluster;
}

std::unique_ptr<ScratchCluster> ScratchCluster::attach(const std::string& requested) {
  std::string dir = fs::absolute(requested).lexically_normal().string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::ifstream marker(dir + "/" + kMarkerFile);
  if (!marker) {
    throw ScratchClusterError(dir + " is not a scratch cluster directory (no " + kMarkerFile + ")");
  }
  std::unique_ptr<ScratchCluster> cluster(new ScratchCluster());
  cluster->dir_ = dir;
  std::string line;
  while (std::getline(marker, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "bindir") cluster->bindir_ = value;
    if (key == "run_as") cluster->run_as_ = value;
    if (key == "port") cluster->port_ = std::atoi(value.c_str());
  }
  if (cluster->bindir_.empty()) cluster->bindir_ = find_bindir();
  cluster->running_ = fs::exists(dir + "/data/postmaster.pid");
  if (cluster->running_) {
    PGconn* conn = PQconnectdb(cluster->conninfo("postgres").c_str());
    cluster->server_version_num_ = PQserverVersion(conn);
    PQfinish(conn);
  }
  return cluster;
}

void ScratchCluster::detach() {
  if (watchdog_fd_ >= 0) {
    const char line[] = "detach\n";
    ssize_t written = ::write(watchdog_fd_, line, sizeof line - 1);
    ::close(watchdog_fd_);
    watchdog_fd_ = -1;
    if (watchdog_pid_ > 0) {
      int status = 0;
      while (::waitpid(watchdog_pid_, &status, 0) < 0 && errno == EINTR) {
      }
      watchdog_pid_ = -1;
    }
    if (written != static_cast<ssize_t>(sizeof line - 1)) {
      // The watchdog saw end of file instead and removed the cluster.
      dir_.clear();
      running_ = false;
      throw ScratchClusterError("cannot tell the watchdog to leave the cluster running");
    }
  }
  dir_.clear();
  running_ = false;
}

ScratchCluster::~ScratchCluster() {
  try {
    stop();
  } catch (...) {
    // A destructor must not throw; the watchdog removes what is left.
  }
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
  if (watchdog_pid_ > 0) {
    int status = 0;
    while (::waitpid(watchdog_pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void ScratchCluster::stop() {
  if (dir_.empty()) return;
  if (running_) {
    std::vector<std::string> argv;
    if (!run_as_.empty()) argv = {"runuser", "-u", run_as_, "--"};
    for (const std::string& a :
         {bindir_ + "/pg_ctl", std::string("-D"), dir_ + "/data", std::string("-m"),
          std::string("immediate"), std::string("-w"), std::string("stop")}) {
      argv.push_back(a);
    }
    run_command(argv, "/", "/dev/null");
    running_ = false;
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
  dir_.clear();
}

std::string ScratchCluster::conninfo(const std::string& database) const {
  return "host=" + conninfo_value(dir_) + " port=" + std::to_string(port_) + " user=" + superuser +
         " dbname=" + conninfo_value(database);
}

std::string ScratchCluster::url(const std::string& database) const {
  return "postgresql:///" + percent_encode(database) + "?host=" + percent_encode(dir_) +
         "&port=" + std::to_string(port_) + "&user=" + superuser;
}

void ScratchCluster::execute(const std::string& database, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo(database).c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw ScratchClusterError("cannot connect to " + database + ": " + message);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  PGresult* res = PQexec(conn, sql.c_str());
  ExecStatusType status = PQresultStatus(res);
  std::string message = PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    throw ScratchClusterError("SQL failed in database " + database + ": " + message);
  }
}

void ScratchCluster::create_database(const std::string& name, const std::string& template_db) {
  // FILE_COPY (PostgreSQL 15+) copies the template's files instead of WAL-logging every block:
  // several times faster for these small databases, and the checkpoint it needs is cheap with
  // fsync off.
  std::string strategy = server_version_num_ >= 150000 ? " STRATEGY = FILE_COPY" : "";
  execute("postgres",
          "CREATE DATABASE " + quoted(name) + " TEMPLATE " + quoted(template_db) + strategy);
}

void ScratchCluster::drop_database(const std::string& name) {
  execute("postgres", "DROP DATABASE IF EXISTS " + quoted(name) + " WITH (FORCE)");
}

std::string ScratchCluster::psql_file(const std::string& database, const std::string& path) {
  std::string psql = bindir_ + "/psql";
  if (!is_executable(psql)) psql = "psql";
  std::vector<std::string> argv = {psql,
                                   "-X",
                                   "-q",
                                   "-v",
                                   "ON_ERROR_STOP=1",
                                   "-d",
                                   conninfo(database),
                                   "-f",
                                   fs::absolute(path).string()};
  auto r = run_command(argv, dir_, dir_ + "/psql.log");
  if (r.exit_code != 0) {
    throw ScratchClusterError("psql failed (" + join({"psql -f", path}) + "):\n" + tail(r.output));
  }
  return r.output;
}

}  // namespace pgdrift::pg
