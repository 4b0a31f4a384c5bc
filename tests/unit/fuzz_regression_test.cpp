// Every input that ever made a reader crash, hang or eat memory (fuzz/regressions/<reader>/,
// found by scripts/fuzz.sh or reported by users) is replayed through the same reader entry
// points the fuzz targets use (fuzz/readers.h), in an ordinary build: each must end, with the
// input accepted or rejected by a message. A crash fails the test binary; a hang fails it at
// ctest's timeout. Inputs whose reproduction names an error (a `.expect` file next to them)
// must be rejected with a message containing it.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/readers.h"

namespace pgdrift::fuzz {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(FuzzRegressions, EveryReaderEndsOnEveryInputThatOnceBrokeIt) {
  const fs::path root = fs::path(PGDRIFT_SOURCE_DIR) / "fuzz" / "regressions";
  size_t replayed = 0;
  for (const auto& reader : reader_names()) {
    const fs::path dir = root / reader;
    if (!fs::exists(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".expect") continue;
      const auto start = std::chrono::steady_clock::now();
      const std::string message = read_input(reader, read_text(entry.path()));
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      fs::path expect = entry.path();
      expect += ".expect";
      if (fs::exists(expect)) {
        std::string wanted = read_text(expect);
        while (!wanted.empty() && (wanted.back() == '\n' || wanted.back() == '\r'))
          wanted.pop_back();
        EXPECT_NE(message.find(wanted), std::string::npos)
            << reader << " " << entry.path().filename() << ": " << message;
      }
      // Not a timing assertion: a reader that needs a minute for a few kilobytes has a loop
      // that is not bounded by its input.
      EXPECT_LT(seconds, 60.0) << reader << " " << entry.path().filename();
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0u) << "no regression inputs under " << root;
}

TEST(FuzzRegressions, EveryReaderNameRuns) {
  for (const auto& reader : reader_names()) EXPECT_NO_THROW(read_input(reader, ""));
  EXPECT_THROW(read_input("no_such_reader", ""), std::invalid_argument);
}

}  // namespace
}  // namespace pgdrift::fuzz
