// `pgdrift inspect` gives byte-identical JSON for a database and for the SQL it was built from:
// the end-to-end form of the round-trip proof, through the real binary.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/fixtures.h"
#include "tests/support/pg_test_env.h"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandOutput inspect_json(const std::string& source) {
  return run_program({PGDRIFT_BINARY, "inspect", source, "--format", "json"});
}

void expect_database_inspects_like_file(const std::string& sql_file) {
  ASSERT_TRUE(fs::is_regular_file(sql_file)) << sql_file;
  auto db = create_fresh_database(read_text(sql_file));

  auto from_file = inspect_json(sql_file);
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  ASSERT_FALSE(from_file.out.empty());

  auto from_db = inspect_json(db.conninfo);
  ASSERT_EQ(from_db.exit_code, 0) << from_db.err;
  EXPECT_TRUE(from_file.out == from_db.out)
      << "inspect " << sql_file << " (-) vs inspect database (+):\n"
      << line_diff(from_file.out, from_db.out);

  auto from_url = inspect_json(db.url);
  ASSERT_EQ(from_url.exit_code, 0) << from_url.err;
  EXPECT_TRUE(from_db.out == from_url.out)
      << "the URL and key=value forms must read the same database";
}

TEST(CliInspect, MitaLiveDatabaseEqualsItsSql) {
  expect_database_inspects_like_file(fixture_path("mita/live.sql"));
}

TEST(CliInspect, MitaSchemaDatabaseEqualsItsSql) {
  // The schema directory as one file, in load order, so both sides read the same text.
  fs::path dir = fixture_path("mita/schema");
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".sql") files.push_back(entry);
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  std::string combined = (fs::temp_directory_path() / "pgdrift-mita-schema-XXXXXX").string();
  std::vector<char> name(combined.begin(), combined.end());
  name.push_back('\0');
  ASSERT_NE(::mkdtemp(name.data()), nullptr);
  fs::path out = fs::path(name.data()) / "schema.sql";
  {
    std::ofstream o(out);
    for (const auto& f : files) o << read_text(f) << "\n";
  }
  expect_database_inspects_like_file(out);
  fs::remove_all(name.data());
}

TEST(CliInspect, UnreachableDatabaseIsAnError) {
  auto result = inspect_json("host=/nonexistent-pgdrift-socket-dir port=1 user=nobody dbname=x");
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_TRUE(result.out.empty()) << result.out;
}

}  // namespace
}  // namespace pgdrift::testing
