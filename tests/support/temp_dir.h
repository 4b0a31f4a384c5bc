// The one way tests get a temporary directory: a private directory (mkdtemp under the system
// temp dir) removed with everything in it when the TempDir goes out of scope. Tests write their
// scratch files (SQL scripts, plan files, copied fixtures, captured output) inside one.
#pragma once

#include <filesystem>
#include <string>

namespace pgdrift::testing {

struct TempDir {
  std::filesystem::path path;
  // The directory is named <system temp dir>/<prefix>-XXXXXX; throws std::runtime_error when
  // it cannot be made.
  explicit TempDir(const std::string& prefix = "pgdrift-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Writes `text` to path/file (creating directories), returns the full path.
  std::string write(const std::string& file, const std::string& text) const;
  // path/file as a string (nothing is created).
  std::string file(const std::string& name) const { return (path / name).string(); }
  // path/name for a directory that another OS user must reach (a scratch server started as
  // pgdrift-test when tests run as root): opens `path` for traversal, creates nothing.
  std::string reachable(const std::string& name) const;
};

}  // namespace pgdrift::testing
