#include "tests/support/temp_dir.h"

#include <stdlib.h>

#include <fstream>
#include <stdexcept>
#include <vector>

namespace pgdrift::testing {

namespace fs = std::filesystem;

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
  path = name.data();
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path, ignored);
}

std::string TempDir::write(const std::string& file, const std::string& text) const {
  fs::path p = path / file;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

std::string TempDir::reachable(const std::string& name) const {
  fs::permissions(path, fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add);
  return (path / name).string();
}

}  // namespace pgdrift::testing
