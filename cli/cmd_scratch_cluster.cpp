// `pgdrift scratch-cluster start|stop --dir DIR`: the throwaway PostgreSQL of the tests and of
// plan validation (pg/scratch_cluster.h), left running for a shell script (the demo, the
// benchmarks) until `stop`. Exit codes: 0 done, 2 usage error or a cluster that cannot start
// or stop (the message is on stderr).
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/sources.h"
#include "pg/scratch_cluster.h"

namespace pgdrift::cli {

namespace {

struct ScratchClusterArgs {
  std::string dir;
  int port = 5432;
  std::string format = "url";
};

// A value for `eval` in a POSIX shell: single-quoted, each ' written as '\''.
std::string shell_quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int run_start(const ScratchClusterArgs& args) {
  pg::ScratchClusterOptions options;
  options.dir = args.dir;
  options.port = args.port;
  auto cluster = pg::ScratchCluster::start(options);
  if (args.format == "env") {
    std::cout << "export PGHOST=" << shell_quoted(cluster->dir()) << "\n"
              << "export PGPORT=" << cluster->port() << "\n"
              << "export PGUSER=" << pg::ScratchCluster::superuser << "\n";
  } else {
    std::cout << cluster->url() << "\n";
  }
  std::cout << std::flush;
  cluster->detach();  // only now: a cluster that fails to start is removed again
  return 0;
}

int run_stop(const ScratchClusterArgs& args) {
  pg::ScratchCluster::attach(args.dir)->stop();
  return 0;
}

}  // namespace

void add_scratch_cluster_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ScratchClusterArgs>();
  auto* cmd = app.add_subcommand(
      "scratch-cluster",
      "Start or stop a throwaway PostgreSQL cluster (private socket, no durability) for scripts");
  cmd->require_subcommand(1);

  auto* start = cmd->add_subcommand(
      "start",
      "initdb + start a cluster in DIR and print how to connect to it (database postgres)");
  start->add_option("--dir", args->dir, "The cluster's directory (created; must be empty)")
      ->required();
  start->add_option("--port", args->port, "Port number of the socket file (5432)");
  start
      ->add_option("--format", args->format,
                   "url (default): a postgresql:// URL; env: PGHOST/PGPORT/PGUSER exports")
      ->check(CLI::IsMember({"url", "env"}));
  start->callback([args, &exit_code] {
    exit_code = run_command("scratch-cluster start", [&args] { return run_start(*args); });
  });

  auto* stop = cmd->add_subcommand("stop", "Stop the cluster started in DIR and remove DIR");
  stop->add_option("--dir", args->dir, "The directory given to start")->required();
  stop->callback([args, &exit_code] {
    exit_code = run_command("scratch-cluster stop", [&args] { return run_stop(*args); });
  });
}

}  // namespace pgdrift::cli
