// The rules of tests/README.md, checked on the test sources: a unit test needs no database and
// starts no child process (one that does fails here and moves to tests/integration), and every
// temporary file or directory comes from tests/support/temp_dir.h.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/fixtures.h"

namespace pgdrift::testing {
namespace {

TEST(TestRules, NoUnitTestStartsAProcessOrUsesADatabase) {
  namespace fs = std::filesystem;
  // Calls that start a process (directly, through the pgdrift binary or python) or reach a
  // PostgreSQL server (libpqxx, the scratch cluster, the test databases). A connection refused
  // at once (port 1, tests/unit/live_conninfo_test.cpp) needs no server and stays a unit test.
  const std::vector<std::string> forbidden = {
      "popen(",         "system(",         "fork(",         "posix_spawn",
      "execvp(",        "execl(",          "run_program(",  "run_pgdrift(",
      "validate_json(", "python_with",     "pqxx::",        "ScratchCluster",
      "test_cluster(",  "fresh_database(", "ScratchLoader", "pg::Session"};
  const fs::path dir = fs::path(PGDRIFT_SOURCE_DIR) / "tests" / "unit";
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".cpp" || entry.path().filename() == "test_rules_test.cpp")
      continue;
    ++files;
    const std::string text = read_text_file(entry.path().string());
    for (const auto& call : forbidden)
      EXPECT_EQ(text.find(call), std::string::npos)
          << entry.path().filename().string() << " uses " << call
          << ": not a unit test (tests/README.md); move it to tests/integration";
  }
  EXPECT_GT(files, 10u);
}

TEST(TestRules, TemporaryPathsComeFromTheTempDirHelper) {
  namespace fs = std::filesystem;
  const std::vector<std::string> forbidden = {
      "mkdtemp", "mkstemp", "temp_directory_path", "::testing::TempDir()", "\"/tmp/", "tmpnam"};
  size_t files = 0;
  for (const char* folder : {"unit", "integration", "support"}) {
    for (const auto& entry :
         fs::directory_iterator(fs::path(PGDRIFT_SOURCE_DIR) / "tests" / folder)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("temp_dir.", 0) == 0 || name == "test_rules_test.cpp") continue;
      ++files;
      const std::string text = read_text_file(entry.path().string());
      for (const auto& call : forbidden)
        EXPECT_EQ(text.find(call), std::string::npos)
            << folder << "/" << name << " uses " << call << ": use testing::TempDir";
    }
  }
  EXPECT_GT(files, 30u);
}

}  // namespace
}  // namespace pgdrift::testing
