// A fleet checked in shards (`drift --targets FILE --shard K/N`) and merged (`pgdrift report
// merge`) gives byte for byte the report of one unsharded run, in every format, with its exit
// code: the commands are those of the CI recipes of docs/ci.md (GitHub Actions matrix,
// Kubernetes Indexed Job). Also the usage errors of --shard and of report merge (exit 2).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/fixtures.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

using nlohmann::json;

const char* kSchemaSql =
    "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, timezone text);\n"
    "CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id));\n"
    "CREATE INDEX posts_user_idx ON posts (user_id);\n"
    "CREATE VIEW active_users AS SELECT id, email FROM users WHERE id > 0;\n";

// Seven targets: clean ones, three kinds of drift, and one that cannot be read (a closed port,
// with a password that must not show).
struct Fleet {
  TempDir tmp{"pgdrift-fleet"};
  std::string desired, targets;
};

void make_fleet(Fleet& fleet) {
  fleet.desired = fleet.tmp.write("schema.sql", kSchemaSql);
  const std::vector<std::string> drift = {
      "", "ALTER TABLE users DROP COLUMN timezone;",
      "", "DROP INDEX posts_user_idx; CREATE TABLE extra (id integer);",
      "", "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
  };
  std::string targets = "# the fleet\n";
  for (size_t i = 0; i < drift.size(); ++i) {
    auto db = create_fresh_database(std::string(kSchemaSql) + drift[i]);
    targets += (i % 2 ? "db" + std::to_string(i) + "=" + db.url : db.conninfo) + "\n";
    if (i == 3) targets += "down=postgresql://app:Fleet-Pw-9@127.0.0.1:1/x\n";
  }
  fleet.targets = fleet.tmp.write("targets.txt", targets);
}

CommandOutput pgdrift(std::vector<std::string> args) {
  args.insert(args.begin(), PGDRIFT_BINARY);
  return run_program(args);
}

TEST(DriftFleet, ShardsMergedEqualOneRunInEveryFormat) {
  Fleet fleet;
  make_fleet(fleet);
  const std::string dir = fleet.tmp.path.string();
  const std::vector<std::string> formats = {"json", "junit", "sarif", "text", "github"};
  std::map<std::string, std::string> single;
  int single_exit = -1;
  for (const auto& format : formats) {
    const std::string out = dir + "/single." + format;
    auto r = pgdrift({"drift", "--desired", fleet.desired, "--targets", fleet.targets, "--jobs",
                      "4", "--format", format, "--output", out});
    single_exit = r.exit_code;
    EXPECT_EQ(r.exit_code, 2) << format << r.err;  // the unreachable target
    EXPECT_NE(r.err.find("down: "), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("Fleet-Pw-9"), std::string::npos) << r.err;
    single[format] = read_text_file(out);
    EXPECT_NE(single[format].find("db3"), std::string::npos) << format << ": " << single[format];
    EXPECT_EQ(single[format].find("Fleet-Pw-9"), std::string::npos) << single[format];
  }
  json whole = json::parse(single["json"]);
  ASSERT_EQ(whole["databases"].size(), 7u) << single["json"];
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(whole["databases"][i]["target_index"], i);
  EXPECT_EQ(whole["summary"]["databases_with_drift"], 3);
  EXPECT_EQ(whole["databases"][4]["status"], "error");

  for (size_t count : {3u, 4u}) {
    // The recipe: one job per shard, each writing drift-K.json (--jobs 1: the shard does not
    // depend on it).
    TempDir shards("pgdrift-shards");
    std::vector<std::string> files;
    size_t databases = 0;
    for (size_t k = 0; k < count; ++k) {
      const std::string file = (shards.path / ("drift-" + std::to_string(k) + ".json")).string();
      auto r = pgdrift({"drift", "--desired", fleet.desired, "--targets", fleet.targets, "--shard",
                        std::to_string(k) + "/" + std::to_string(count), "--jobs", "1", "--format",
                        "json", "--output", file});
      json shard = json::parse(read_text_file(file));
      EXPECT_EQ(r.exit_code, shard["exit_code"].get<int>()) << r.err;
      EXPECT_EQ(shard["shard"], (json{{"index", k}, {"count", count}}));
      for (const auto& db : shard["databases"]) {
        EXPECT_EQ(db["target_index"].get<size_t>() % count, k);
        ++databases;
      }
      files.push_back(file);
    }
    EXPECT_EQ(databases, 7u);
    // The merge step of the recipe, as the shell runs it (the glob's order does not matter).
    for (const auto& format : formats) {
      const std::string out = (shards.path / ("merged." + format)).string();
      auto r =
          run_program({"bash", "-c",
                       "cd '" + shards.path.string() + "' && '" + PGDRIFT_BINARY +
                           "' report merge drift-*.json --format " + format + " --output " + out});
      EXPECT_EQ(r.exit_code, single_exit) << format << r.err;
      EXPECT_EQ(read_text_file(out), single[format])
          << format << " merged from " << count << " shards:\n"
          << line_diff(single[format], read_text_file(out));
    }
    // To stdout, too.
    auto r = pgdrift(
        {"report", "merge", files[1], files[0], files[2], files.back(), "--format", "json"});
    if (count == 3) {
      EXPECT_EQ(r.exit_code, 2) << r.err;  // files.back() is files[2] again
      EXPECT_NE(r.err.find("is also"), std::string::npos) << r.err;
    }
    std::vector<std::string> args = {"report", "merge"};
    args.insert(args.end(), files.rbegin(), files.rend());
    r = pgdrift(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.out, single["text"]);
  }

  // pgdrift's own SARIF and JUnit shard reports merge structurally into the same format.
  for (const std::string format : {"sarif", "junit"}) {
    TempDir shards("pgdrift-shards-" + format);
    for (size_t k = 0; k < 3; ++k) {
      const std::string file =
          (shards.path / ("drift-" + std::to_string(k) + "." + format)).string();
      pgdrift({"drift", "--desired", fleet.desired, "--targets", fleet.targets, "--shard",
               std::to_string(k) + "/3", "--format", format, "--output", file});
      EXPECT_NE(read_text_file(file), "") << file;
    }
    auto r = run_program({"bash", "-c",
                          "cd '" + shards.path.string() + "' && '" + PGDRIFT_BINARY +
                              "' report merge drift-*." + format});
    EXPECT_EQ(r.exit_code, single_exit) << format << r.err;
    EXPECT_EQ(r.out, single[format]) << format << " merged structurally:\n"
                                     << line_diff(single[format], r.out);
    auto text = run_program({"bash", "-c",
                             "cd '" + shards.path.string() + "' && '" + PGDRIFT_BINARY +
                                 "' report merge drift-*." + format + " --format text"});
    EXPECT_EQ(text.exit_code, 2);
    EXPECT_NE(text.err.find("merge the JSON reports for any format"), std::string::npos)
        << text.err;
  }

  // Shard and merged reports validate against the published schema.
  std::string python = python_with_jsonschema();
  if (python.empty()) GTEST_SKIP() << "python3-jsonschema is missing (scripts/install-deps.sh)";
  TempDir shards("pgdrift-shard-schema");
  const std::string shard_file = (shards.path / "drift-1.json").string();
  pgdrift({"drift", "--desired", fleet.desired, "--targets", fleet.targets, "--shard", "1/3",
           "--format", "json", "--output", shard_file});
  auto results = validate_json(python, "drift-report.schema.json",
                               {whole, json::parse(read_text_file(shard_file))});
  EXPECT_EQ(results, (std::vector<std::string>{"valid", "valid"}));
}

TEST(DriftFleet, ExitCodeOfTheMergeIsTheWorstShard) {
  Fleet fleet;
  fleet.desired = fleet.tmp.write("schema.sql", kSchemaSql);
  auto clean = create_fresh_database(kSchemaSql);
  auto drifted = create_fresh_database(std::string(kSchemaSql) + "DROP VIEW active_users;");
  fleet.targets = fleet.tmp.write("targets.txt", clean.url + "\n" + drifted.url + "\n");
  std::vector<std::string> files;
  for (int k = 0; k < 2; ++k) {
    files.push_back((fleet.tmp.path / ("drift-" + std::to_string(k) + ".json")).string());
    auto r = pgdrift({"drift", "--desired", fleet.desired, "--targets", fleet.targets, "--shard",
                      std::to_string(k) + "/2", "--format", "json", "--output", files.back()});
    EXPECT_EQ(r.exit_code, k) << r.err;  // shard 0 clean, shard 1 drift
  }
  EXPECT_EQ(pgdrift({"report", "merge", files[0]}).exit_code, 2) << "shard 1/2 is missing";
  auto merged = pgdrift({"report", "merge", files[0], files[1], "--format", "github"});
  EXPECT_EQ(merged.exit_code, 1) << merged.err;
  EXPECT_NE(merged.out.find("missing view public.active_users"), std::string::npos) << merged.out;
  auto one = pgdrift(
      {"drift", "--desired", fleet.desired, "--targets", fleet.targets, "--format", "github"});
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_EQ(merged.out, one.out);
}

TEST(DriftFleet, BadShardArgumentsAreUsageErrors) {
  TempDir tmp("pgdrift-shard-args");
  const std::string desired = tmp.write("schema.sql", kSchemaSql);
  const std::string targets = tmp.write("targets.txt", "postgresql://u@127.0.0.1:1/x\n");
  for (const std::string shard : {"3/3", "1/0", "0/0", "x/2", "1", "-1/2", "1/2/3", "", "0/ 2",
                                  "99999999999999999999999/2"}) {
    auto r = pgdrift({"drift", "--desired", desired, "--targets", targets, "--shard", shard});
    EXPECT_EQ(r.exit_code, 2) << shard << r.out << r.err;
    EXPECT_NE(r.err.find("--shard"), std::string::npos) << shard << ": " << r.err;
    EXPECT_EQ(r.out, "") << shard;
  }
  tmp.write("migrations/001.sql", kSchemaSql);
  auto history = pgdrift({"drift", "--desired", desired, "--history",
                          (tmp.path / "migrations").string(), "--shard", "0/2"});
  EXPECT_EQ(history.exit_code, 2);
  EXPECT_NE(history.err.find("--shard needs --targets"), std::string::npos) << history.err;
  // A valid shard with --db (repeated) is accepted: shard 1/2 of one target checks nothing.
  auto none = pgdrift({"drift", "--desired", desired, "--db", "postgresql://u@127.0.0.1:1/x",
                       "--shard", "1/2", "--format", "json"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(parse_json_output(none)["databases"].size(), 0u);
}

TEST(DriftFleet, ReportMergeRefusesBadInputs) {
  TempDir tmp("pgdrift-merge-args");
  const std::string not_json = tmp.write("bad.json", "{\"format\": ");
  const std::string plan = tmp.write("plan.json", "{\"format\": \"pgdrift-plan\"}\n");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const auto& c : std::vector<Case>{
           {{(tmp.path / "nope.json").string()}, "cannot read the file"},
           {{not_json}, "not valid JSON"},
           {{plan}, "pgdrift-drift"},
           {{}, "files is required"},
           {{plan, "--format", "xml"}, "xml"},
       }) {
    std::vector<std::string> args = {"report", "merge"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = pgdrift(args);
    EXPECT_EQ(r.exit_code, 2) << c.message << r.out << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.message << ": " << r.err;
  }
  auto help = pgdrift({"report", "merge", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("merge exits with the worst code of its reports"), std::string::npos)
      << help.out;
}

// The report is streamed: a database's section is in the output file while a later target is
// still being read. The later target is a socket that accepts TCP connections (the kernel's
// backlog) but never answers, so libpq waits for its connect_timeout.
TEST(DriftFleet, EachDatabaseIsWrittenAsSoonAsItAndEveryEarlierOneAreDone) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 16), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin_port);

  TempDir tmp("pgdrift-stream");
  const std::string desired = tmp.write("schema.sql", kSchemaSql);
  auto fast = create_fresh_database(kSchemaSql);
  const std::string targets =
      tmp.write("targets.txt", "fast=" + fast.url + "\nslow=postgresql://u@127.0.0.1:" +
                                   std::to_string(port) + "/x?connect_timeout=6\n");
  const std::string out = (tmp.path / "report.txt").string();
  const int pid = spawn_pgdrift(
      {"drift", "--desired", desired, "--targets", targets, "--jobs", "2", "--output", out});
  ASSERT_GT(pid, 0);
  bool written_while_running = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text_file(out).find("database fast\n  no drift\n") != std::string::npos) {
      int status = 0;
      written_while_running = ::waitpid(pid, &status, WNOHANG) == 0;  // still reading "slow"
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(listener);
  EXPECT_TRUE(written_while_running) << read_text_file(out);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);  // "slow" timed out
  const std::string report = read_text_file(out);
  EXPECT_LT(report.find("database fast"), report.find("database slow")) << report;
}

}  // namespace
}  // namespace pgdrift::testing
