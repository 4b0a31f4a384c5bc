// Who and where a command runs, for the audit trail (docs/apply.md): the OS user and host, and
// the git commit of a desired-schema path.
#pragma once

#include <string>

namespace pgdrift::cli {

std::string os_user();  // $USER, else the name of the effective uid
std::string os_host();  // gethostname()

struct GitState {
  std::string commit;  // HEAD of the work tree `path` is in; "" outside git (or without git)
  bool dirty = false;  // `path` differs from HEAD (tracked changes, staged or not)
};
GitState git_state(const std::string& path);

}  // namespace pgdrift::cli
