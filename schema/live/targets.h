// A targets file (`drift --targets FILE`): one database per line, `NAME=URL` or a bare
// connection string, `#` comments and blank lines ignored. Read here, next to the connection
// strings it holds, so that the fuzz target (fuzz/readers.cpp) reads it exactly as the CLI does.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace pgdrift::schema::live {

struct Target {
  std::string label;  // shown; never holds a password
  std::string conninfo;
};

// A bad targets file: what() is "file:line: message" (or "file: message").
class TargetsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "NAME=URL" (or NAME=key=value...) names a target; anything else is a connection string shown
// by its redacted form.
Target parse_target(const std::string& text);
// The targets of a file's text, named `filename` in errors. Throws TargetsError when it holds
// none, or a line longer than kMaxTargetLine (a binary file given by mistake).
std::vector<Target> parse_targets(const std::string& text, const std::string& filename);
// Same, read from `path`.
std::vector<Target> read_targets(const std::string& path);

inline constexpr size_t kMaxTargetLine = 64 * 1024;

}  // namespace pgdrift::schema::live
