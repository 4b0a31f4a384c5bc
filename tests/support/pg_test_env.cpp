#include "tests/support/pg_test_env.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dtl/dtl.hpp>
#include <fstream>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <sstream>

#include "pg/process.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace pgdrift::testing {
namespace {

constexpr const char* kTemplateDatabase = "pgdrift_test_template";

std::unique_ptr<pg::ScratchCluster>& cluster_slot() {
  static std::unique_ptr<pg::ScratchCluster> cluster;
  return cluster;
}

std::mutex& cluster_mutex() {
  static std::mutex m;
  return m;
}

// Stops the cluster when the test program ends (before static destruction, and also when a
// test failed). If the binary dies instead, the cluster's watchdog removes it.
class ClusterEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    std::lock_guard lock(cluster_mutex());
    cluster_slot().reset();
  }
};

[[maybe_unused]] const auto* registered_environment =
    ::testing::AddGlobalTestEnvironment(new ClusterEnvironment);

std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Database name from the running test, so a leftover database says where it came from.
std::string database_name() {
  static std::atomic<int> counter{0};
  std::string name = "t" + std::to_string(++counter);
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    name += "_";
    for (char c : std::string(info->test_suite_name()) + "_" + info->name()) {
      name +=
          std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    }
  }
  return name.substr(0, 63);
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

const std::vector<std::string>& test_roles() {
  static const std::vector<std::string> roles = {"app_ro",     "app_rw", "app_owner",
                                                 "Mixed Role", "reader", "writer"};
  return roles;
}

pg::ScratchCluster& test_cluster() {
  std::lock_guard lock(cluster_mutex());
  auto& cluster = cluster_slot();
  if (!cluster) {
    auto started = pg::ScratchCluster::start();
    std::string setup;
    for (const auto& role : test_roles()) setup += "CREATE ROLE " + quoted(role) + ";\n";
    started->execute("postgres", setup);
    started->create_database(kTemplateDatabase, "template0");
    cluster = std::move(started);
  }
  return *cluster;
}

FreshDatabase create_fresh_database(const std::string& sql) {
  auto& cluster = test_cluster();
  FreshDatabase db;
  db.name = database_name();
  cluster.create_database(db.name, kTemplateDatabase);
  if (!sql.empty()) cluster.execute(db.name, sql);
  db.conninfo = cluster.conninfo(db.name);
  db.url = cluster.url(db.name);
  return db;
}

std::string fresh_database(const std::string& sql) { return create_fresh_database(sql).conninfo; }

std::string query_value(const std::string& conninfo, const std::string& sql) {
  pqxx::connection conn(conninfo);
  pqxx::nontransaction tx(conn);
  pqxx::result r = tx.exec(sql);
  if (r.size() != 1 || r.columns() != 1)
    throw std::runtime_error("expected one value from: " + sql + " (got " +
                             std::to_string(r.size()) + " rows)");
  return r[0][0].is_null() ? "NULL" : r[0][0].c_str();
}

CommandOutput run_program(const std::vector<std::string>& argv) {
  CommandOutput result;
  TempDir tmp("pgdrift-run");
  const std::string out_path = tmp.file("stdout"), err_path = tmp.file("stderr");
  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out_fd < 0 || err_fd < 0) {
    result.err = std::string("cannot capture output: ") + std::strerror(errno);
    if (out_fd >= 0) ::close(out_fd);
    if (err_fd >= 0) ::close(err_fd);
    return result;
  }
  pg::ProcessResult run = pg::run_process(argv, out_fd, err_fd);
  ::close(out_fd);
  ::close(err_fd);
  if (!run.error.empty()) {
    result.err = run.error;
    return result;
  }
  result.exit_code = run.exit_code;
  result.out = read_all(out_path);
  result.err = read_all(err_path);
  return result;
}

std::string line_diff(const std::string& expected, const std::string& actual) {
  if (expected == actual) return "";
  auto split = [](const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  };
  dtl::Diff<std::string> diff(split(expected), split(actual));
  diff.compose();
  diff.composeUnifiedHunks();
  std::ostringstream out;
  diff.printUnifiedFormat(out);
  std::string text = out.str();
  if (text.empty()) return "(texts differ only in line endings or a final newline)\n";
  // Keep assertion messages readable: the first 300 lines say enough.
  size_t pos = 0;
  for (int i = 0; i < 300 && pos != std::string::npos; ++i) pos = text.find('\n', pos + 1);
  if (pos != std::string::npos) text = text.substr(0, pos + 1) + "... (diff cut)\n";
  return text;
}

int spawn_pgdrift(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {PGDRIFT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

}  // namespace pgdrift::testing
