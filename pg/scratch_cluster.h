// A throwaway PostgreSQL cluster: initdb into a fresh temporary (or a chosen, empty) directory,
// a server that listens only on a unix socket inside that directory, and removal of everything
// when the object dies.
//
// Used by the integration tests, schema/scratch (--load-via-scratch), the planner's plan
// validation and `pgdrift scratch-cluster` (which the demo and the scripts start their clusters
// with). The cluster trades durability for speed (fsync=off, no full-page writes): it exists for
// seconds and holds nothing worth keeping.
// When the calling process runs as root, every server command runs as an unprivileged OS user
// (default "pgdrift-test", created if missing) because postgres refuses to run as root.
//
// A watchdog process removes the cluster if the calling process dies without running the
// destructor (crash, SIGKILL, a test timeout), so no postgres is ever left behind -- unless the
// caller detach()es it on purpose, to be stopped later through attach(dir).
//
// pg/ sits at the far left of the include order: it includes libpq and POSIX, nothing of the
// project, and every other folder may include it.
#pragma once

#include <sys/types.h>
#include <memory>
#include <stdexcept>
#include <string>

namespace pgdrift::pg {

// Cluster could not be found, created, started, or a command against it failed. what() carries
// the server's message or the tail of the initdb / pg_ctl log.
class ScratchClusterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ScratchClusterOptions {
  // PostgreSQL server binaries; empty = find_bindir().
  std::string bindir;
  // Parent of the temporary directory; empty = $TMPDIR or /tmp. Keep it short: the socket path
  // (parent + ~30 characters) must fit in 107 bytes.
  std::string parent_dir;
  // The cluster's directory instead of a fresh temporary one: created if missing, refused unless
  // empty or when the socket path (absolute dir + "/.s.PGSQL.<port>") would exceed 107 bytes.
  // Removed like a temporary one. As root, the OS user below must be able to reach it (no
  // private parents).
  std::string dir;
  // OS user the server runs as when the caller is root.
  std::string os_user = "pgdrift-test";
  int port = 5432;  // only names the socket file, which lives in a private directory
};

class ScratchCluster {
 public:
  // initdb + start. Throws ScratchClusterError with the initdb / pg_ctl log on failure (and
  // leaves no directory behind).
  static std::unique_ptr<ScratchCluster> start(const ScratchClusterOptions& options = {});

  // The cluster a detach()ed object left running in `dir` (the marker file start() writes there
  // names its binaries and OS user); stop() or the destructor stops it and removes `dir`. Throws
  // ScratchClusterError when `dir` holds no scratch cluster.
  static std::unique_ptr<ScratchCluster> attach(const std::string& dir);

  // Stops the server (immediate mode) and removes the directory.
  ~ScratchCluster();
  ScratchCluster(const ScratchCluster&) = delete;
  ScratchCluster& operator=(const ScratchCluster&) = delete;

  // Server binaries: `pg_config --bindir` if it holds initdb, pg_ctl and postgres, else the
  // highest /usr/lib/postgresql/<version>/bin that does. Throws when there is none.
  static std::string find_bindir();

  const std::string& bindir() const { return bindir_; }
  // The temporary directory; it is also the socket directory (the data lives in dir()/data).
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }
  int server_version_num() const { return server_version_num_; }
  static constexpr const char* superuser = "postgres";

  // libpq key=value form: "host=DIR port=P user=postgres dbname=DB".
  std::string conninfo(const std::string& database = "postgres") const;
  // URL form: "postgresql:///DB?host=%2Ftmp%2F...&port=P&user=postgres".
  std::string url(const std::string& database = "postgres") const;

  void create_database(const std::string& name, const std::string& template_db = "template0");
  void drop_database(const std::string& name);  // WITH (FORCE): ends open sessions
  // Runs `sql` (any number of statements, one simple-query round trip) in `database`. Throws
  // ScratchClusterError with the server's message.
  void execute(const std::string& database, const std::string& sql);
  // psql -X -v ON_ERROR_STOP=1 -f path; returns psql's output (stdout + stderr). Throws with the
  // output when psql fails.
  std::string psql_file(const std::string& database, const std::string& path);

  // Stop now (idempotent; the destructor calls it).
  void stop();
  // Leave the server running: the watchdog exits without removing anything, and this object
  // forgets the cluster (stop() and the destructor do nothing). attach() with the directory it
  // had takes it back.
  void detach();

 private:
  ScratchCluster() = default;

  std::string bindir_;
  std::string dir_;
  std::string run_as_;  // OS user for server commands; empty = the caller
  int port_ = 5432;
  int server_version_num_ = 0;  // e.g. 150020
  bool running_ = false;
  pid_t watchdog_pid_ = -1;
  int watchdog_fd_ = -1;  // write end of the watchdog's pipe: closing it ends the cluster
};

}  // namespace pgdrift::pg
