#include "cli/run_context.h"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "pg/process.h"

namespace pgdrift::cli {

namespace fs = std::filesystem;

std::string os_user() {
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr) return pw->pw_name;
  return "";
}

std::string os_host() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

namespace {

// Runs git with `args` in `dir`; its exit code, and stdout (first line) in `out`.
int git(const std::string& dir, std::vector<std::string> args, std::string* out = nullptr) {
  args.insert(args.begin(), {"git", "-C", dir});
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return -1;
  const int null_fd = open("/dev/null", O_WRONLY);
  // Outputs asked for here are one line (a commit hash): far below a pipe's buffer.
  const pg::ProcessResult result = pg::run_process(args, pipe_fds[1], null_fd);
  close(pipe_fds[1]);
  if (null_fd >= 0) close(null_fd);
  std::string text;
  char buffer[256];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<size_t>(n));
  close(pipe_fds[0]);
  if (out != nullptr) *out = text.substr(0, text.find('\n'));
  return result.exit_code;
}

}  // namespace

GitState git_state(const std::string& path) {
  GitState state;
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  if (ec || !fs::exists(absolute, ec)) return state;
  const std::string dir =
      fs::is_directory(absolute, ec) ? absolute.string() : absolute.parent_path().string();
  std::string commit;
  if (git(dir, {"rev-parse", "--verify", "--quiet", "HEAD"}, &commit) != 0 || commit.empty())
    return state;
  state.commit = commit;
  // Exit 1: the path differs from HEAD.
  state.dirty = git(dir, {"diff", "--quiet", "HEAD", "--", absolute.string()}) == 1;
  return state;
}

}  // namespace pgdrift::cli
